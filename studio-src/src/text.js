// Every text the page shows itself, in one place, in English and in Dutch (the problems' own
// texts come from the studio, in its language). The studio serves the page with <html lang>
// set to its language (`yukimap --lang nl studio`, YUKIMAP_LANG, the locale): that picks the
// table. The pages' fixed labels carry data-t="key" (data-t-title, data-t-aria-label).
const EN = {
  noExports: "no exports in the folders: drop one here",
  beside: "the mapping beside the export",
  mappingsHere: "mappings in this folder",
  packs: "shipped mappings",
  starters: "start a new mapping",
  starterFor: (target) => `new from the export's columns: ${target.replace("_", " ")}`,
  mappingFile: (name, origin, from) => origin === "saved" ? `${name}` :
    origin === "init" ? `${name} (not saved; yukimap init's starter for ${from.replace("_", " ")})` :
    `${name} (not saved; from ${from})`,
  saved: (name) => `saved as ${name}`,
  downloaded: (name) => `downloaded ${name}`,
  downloadRefused: "no document: fix the problems first",
  uploaded: (name) => `${name} added`,
  checking: "checking…",
  passed: "converts and validates",
  stopped: "no dry run",
  quoted: (value) => `'${value.length > 80 ? value.slice(0, 77) + "…" : value}'`,
  problems: (n) => n === 1 ? "1 error" : `${n} errors`,
  error: "error",
  warning: "warning",
  fix: "fix",
  atLine: (line, col, key) => `mapping line ${line}:${col}${key ? " " + key : ""}`,
  atCell: (cell) => {
    const rows = cell.rows.length === 1 ? `row ${cell.rows[0]}` :
      cell.rows.length ? `rows ${cell.rows.slice(0, 8).join(", ")}${cell.rows.length > 8 ? "…" : ""}` : "";
    const column = cell.letter ? `column ${cell.letter}${cell.column ? " (" + cell.column + ")" : ""}` : "";
    return [rows, column].filter(Boolean).join(", ");
  },
  gridInfo: (grid) => `${grid.file}${grid.sheet ? ", sheet " + grid.sheet : ""}: header in row ${grid.header_row}, ${grid.total} rows of data` +
    (grid.rows.length < grid.total ? ` (the first ${grid.rows.length} shown)` : ""),
  rowsRead: "rows read",
  rowsSkipped: "rows skipped",
  documentsSkipped: (title) => `${title} skipped`,
  totalsTitle: "totals (yukimap's estimate; per line, rounded half-up to cents)",
  currency: "currency", excl: "excl. VAT", vat: "VAT", incl: "incl. VAT",
  asCommandLine: "as the command line shows it",
  documentsTitle: (summary) => summary ? summary.title : "documents",
  itemsTitle: (summary) => summary ? summary.item_title || summary.item : "items",
  rows: "rows", lines: "items", row: "row",
  more: (n) => `… and ${n} more`,
  // see why
  whyTitle: "why",
  whyOf: (document, sheet) => `why: ${document}${sheet ? ", sheet " + sheet : ""}`,
  shown: (value) => value === null || value === undefined ? "(empty)" : `'${value}'`,
  feedsTitle: (row, letter, column) => `row ${row}, column ${letter} (${column}) feeds`,
  feedsValue: (key, field, value) => `${key} · ${field} = ${value === null || value === undefined ? "(empty)" : "'" + value + "'"}`,
  feedsNothing: "no value of the documents shown",
  byRules: "made by Yuki's rules (e.g. a balancing entry), not from a row of the file",
  // keep it
  approved: (a) => `${a.new ? "kept" : "approved again"}: test case ${a.folder}` +
    (a.refused ? " (the file is refused: the case expects that)" : "") + `; run ${a.command}`,
  notApproved: (message) => `not kept: ${message}`,
  // the hot folders' page
  watch: {
    neverRan: "the daemon has not run with this state folder (yukimap watch CONFIG starts it)",
    running: (d) => `running: pid ${d.pid} since ${d.started}; ` + (d.healthy ? "healthy" : "NOT HEALTHY"),
    notRunning: (d) => `NOT RUNNING (last seen ${Math.round(d.heartbeat_seconds_ago)} s ago, pid ${d.pid})`,
    keyRefused: (k) => `Yuki refused the access key: every file waits: ${k.reason} (next try ${k.until})`,
    paused: (domain, p) => `calls for ${domain} paused until ${p.until}: ${p.reason}`,
    callsTitle: (day) => `Yuki calls today (${day}, Europe/Amsterdam)`,
    domain: "domain", used: "used", left: "left",
    leftOf: (left, budget) => `${left} of ${budget}`,
    noCalls: "no calls today",
    routeTitle: (r) => `route ${r.name}`,
    routeFacts: (r, c) => `${r.folder} · mapping ${r.mapping} · ${r.mode} · ${c.CLAIMED ?? 0} queued, ` +
      `${c.WAITING ?? 0} waiting, ${c.FAILED ?? 0} failed, ${c.ARCHIVED ?? 0} archived` +
      (r.last_scan_seconds_ago === null ? "" : ` · last full scan ${Math.round(r.last_scan_seconds_ago)} s ago`),
    waitingTitle: (n) => `waiting (${n})`,
    until: (until) => ` (next try ${until})`,
    failedTitle: (n) => `failed (${n})`,
    arrivedAs: (name) => ` (arrived as ${name})`,
    since: (since) => ` since ${since}`,
    retry: "Retry",
    reasonFile: (file) => `${file}.error.txt`,
    archivedTitle: (n) => `archived (${n})`,
    at: (at) => ` ${at}`,
    retried: (a) => `${a.file} is back in the folder as ${a.moved_to}: the daemon takes it up`,
  },
  // the pages' own labels (data-t="..." in yukimap/studio/static/*.html)
  page: {
    title: "yukimap studio", export: "Export", drop: "drop an export here",
    dropTitle: "drop a CSV or Excel export here", mapping: "Mapping", save: "Save mapping",
    download: "Download document", approve: "Approve as test",
    approveTitle: "save the mapping and keep this export and its output as a test case (yukimap test)",
    hotLink: "hot folders", mappingPane: "mapping", exportPane: "export", dryRunPane: "dry run",
    sheet: "sheet", headerRow: "header row", delimiter: "delimiter", sniffed: "sniffed",
    tab: "tab", encoding: "encoding",
    watchTitle: "yukimap studio: hot folders", studioLink: "the mapping studio",
    daemonPane: "the daemon", callsPane: "calls today",
  },
};

const NL = {
  noExports: "geen exports in de mappen: zet er hier een neer",
  beside: "de mapping naast de export",
  mappingsHere: "mappings in deze map",
  packs: "meegeleverde mappings",
  starters: "begin een nieuwe mapping",
  starterFor: (target) => `nieuw vanuit de kolommen van de export: ${NL.targets[target] || target.replace("_", " ")}`,
  targets: {sales_invoices: "verkoopfacturen", journal: "memoriaal", petty_cash: "kasafschrift"},
  mappingFile: (name, origin, from) => origin === "saved" ? `${name}` :
    origin === "init" ? `${name} (niet opgeslagen; startmapping van yukimap init voor ${NL.targets[from] || from.replace("_", " ")})` :
    `${name} (niet opgeslagen; vanuit ${from})`,
  saved: (name) => `opgeslagen als ${name}`,
  downloaded: (name) => `${name} gedownload`,
  downloadRefused: "geen document: los eerst de problemen op",
  uploaded: (name) => `${name} toegevoegd`,
  checking: "bezig met controleren…",
  passed: "zet om en valideert",
  stopped: "geen proefrun",
  quoted: (value) => `'${value.length > 80 ? value.slice(0, 77) + "…" : value}'`,
  problems: (n) => n === 1 ? "1 fout" : `${n} fouten`,
  error: "fout",
  warning: "waarschuwing",
  fix: "oplossing",
  atLine: (line, col, key) => `mapping regel ${line}:${col}${key ? " " + key : ""}`,
  atCell: (cell) => {
    const rows = cell.rows.length === 1 ? `rij ${cell.rows[0]}` :
      cell.rows.length ? `rijen ${cell.rows.slice(0, 8).join(", ")}${cell.rows.length > 8 ? "…" : ""}` : "";
    const column = cell.letter ? `kolom ${cell.letter}${cell.column ? " (" + cell.column + ")" : ""}` : "";
    return [rows, column].filter(Boolean).join(", ");
  },
  gridInfo: (grid) => `${grid.file}${grid.sheet ? ", blad " + grid.sheet : ""}: kopregel op rij ${grid.header_row}, ${grid.total} rijen met gegevens` +
    (grid.rows.length < grid.total ? ` (de eerste ${grid.rows.length} getoond)` : ""),
  rowsRead: "rijen gelezen",
  rowsSkipped: "rijen overgeslagen",
  documentsSkipped: (title) => `${title} overgeslagen`,
  totalsTitle: "totalen (schatting van yukimap; per regel, half naar boven afgerond op centen)",
  currency: "valuta", excl: "excl. btw", vat: "btw", incl: "incl. btw",
  asCommandLine: "zoals de opdrachtregel het toont",
  documentsTitle: (summary) => summary ? summary.title : "documenten",
  itemsTitle: (summary) => summary ? summary.item_title || summary.item : "items",
  rows: "rijen", lines: "items", row: "rij",
  more: (n) => `… en nog ${n}`,
  // see why
  whyTitle: "waarom",
  whyOf: (document, sheet) => `waarom: ${document}${sheet ? ", blad " + sheet : ""}`,
  shown: (value) => value === null || value === undefined ? "(leeg)" : `'${value}'`,
  feedsTitle: (row, letter, column) => `rij ${row}, kolom ${letter} (${column}) levert aan`,
  feedsValue: (key, field, value) => `${key} · ${field} = ${value === null || value === undefined ? "(leeg)" : "'" + value + "'"}`,
  feedsNothing: "geen waarde van de getoonde documenten",
  byRules: "gemaakt door de regels van Yuki (bijv. een balansboeking), niet uit een rij van het bestand",
  // keep it
  approved: (a) => `${a.new ? "bewaard" : "opnieuw goedgekeurd"}: testgeval ${a.folder}` +
    (a.refused ? " (het bestand wordt geweigerd: het testgeval verwacht dat)" : "") + `; voer ${a.command} uit`,
  notApproved: (message) => `niet bewaard: ${message}`,
  // the hot folders' page
  watch: {
    neverRan: "de daemon heeft niet gedraaid met deze statusmap (yukimap watch CONFIG start hem)",
    running: (d) => `draait: pid ${d.pid} sinds ${d.started}; ` + (d.healthy ? "gezond" : "NIET GEZOND"),
    notRunning: (d) => `DRAAIT NIET (laatst gezien ${Math.round(d.heartbeat_seconds_ago)} s geleden, pid ${d.pid})`,
    keyRefused: (k) => `Yuki weigerde de toegangssleutel: elk bestand wacht: ${k.reason} (volgende poging ${k.until})`,
    paused: (domain, p) => `aanroepen voor ${domain} gepauzeerd tot ${p.until}: ${p.reason}`,
    callsTitle: (day) => `Aanroepen van Yuki vandaag (${day}, Europe/Amsterdam)`,
    domain: "domein", used: "gebruikt", left: "over",
    leftOf: (left, budget) => `${left} van ${budget}`,
    noCalls: "vandaag geen aanroepen",
    routeTitle: (r) => `route ${r.name}`,
    routeFacts: (r, c) => `${r.folder} · mapping ${r.mapping} · ${r.mode} · ${c.CLAIMED ?? 0} in de rij, ` +
      `${c.WAITING ?? 0} wachtend, ${c.FAILED ?? 0} mislukt, ${c.ARCHIVED ?? 0} gearchiveerd` +
      (r.last_scan_seconds_ago === null ? "" : ` · laatste volledige scan ${Math.round(r.last_scan_seconds_ago)} s geleden`),
    waitingTitle: (n) => `wachtend (${n})`,
    until: (until) => ` (volgende poging ${until})`,
    failedTitle: (n) => `mislukt (${n})`,
    arrivedAs: (name) => ` (binnengekomen als ${name})`,
    since: (since) => ` sinds ${since}`,
    retry: "Opnieuw",
    reasonFile: (file) => `${file}.error.txt`,
    archivedTitle: (n) => `gearchiveerd (${n})`,
    at: (at) => ` ${at}`,
    retried: (a) => `${a.file} staat weer in de map als ${a.moved_to}: de daemon pakt het op`,
  },
  page: {
    title: "yukimap studio", export: "Export", drop: "zet hier een export neer",
    dropTitle: "zet hier een CSV- of Excel-export neer", mapping: "Mapping", save: "Mapping opslaan",
    download: "Document downloaden", approve: "Goedkeuren als test",
    approveTitle: "sla de mapping op en bewaar deze export en de uitvoer ervan als testgeval (yukimap test)",
    hotLink: "hotfolders", mappingPane: "mapping", exportPane: "export", dryRunPane: "proefrun",
    sheet: "blad", headerRow: "kopregel", delimiter: "scheidingsteken", sniffed: "automatisch",
    tab: "tab", encoding: "codering",
    watchTitle: "yukimap studio: hotfolders", studioLink: "de mapping-studio",
    daemonPane: "de daemon", callsPane: "aanroepen vandaag",
  },
};

export const LANGUAGE = typeof document !== "undefined" && document.documentElement.lang === "nl" ? "nl" : "en";
export const TEXT = LANGUAGE === "nl" ? NL : EN;

// The pages' fixed labels in the page's language: data-t (the text), data-t-title,
// data-t-aria-label (attributes), each naming a key of TEXT.page; and the page's title.
export function labelPage(title) {
  document.title = TEXT.page[title];
  for (const node of document.querySelectorAll("[data-t]")) node.textContent = TEXT.page[node.dataset.t];
  for (const node of document.querySelectorAll("[data-t-title]")) node.title = TEXT.page[node.dataset.tTitle];
  for (const node of document.querySelectorAll("[data-t-aria-label]")) {
    node.setAttribute("aria-label", TEXT.page[node.dataset.tAriaLabel]);
  }
}
