// Every text the page shows itself, in one place: the Dutch catalogue plugs in here (the
// problems' own texts come from the studio, yukimap/studio/describe.py).
export const TEXT = {
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
  itemsTitle: (summary) => summary ? summary.item : "items",
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
};
