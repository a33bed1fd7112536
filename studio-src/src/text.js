// Every text the page shows itself, in one place: the Dutch catalogue plugs in here (the
// problems' own texts come from the studio, yukimap/studio/describe.py).
export const TEXT = {
  noExports: "no exports in the folders: drop one here",
  beside: "the mapping beside the export",
  mappingsHere: "mappings in this folder",
  packs: "shipped mappings",
  starters: "start a new mapping",
  starterFor: (target) => `new: ${target.replace("_", " ")}`,
  mappingFile: (name, origin, from) => origin === "saved" ? `${name}` : `${name} (not saved; from ${from})`,
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
  // keep it
  approved: (a) => `${a.new ? "kept" : "approved again"}: test case ${a.folder}` +
    (a.refused ? " (the file is refused: the case expects that)" : "") + `; run ${a.command}`,
  notApproved: (message) => `not kept: ${message}`,
};
