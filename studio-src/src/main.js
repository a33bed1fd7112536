// The studio page: the export as a grid, the mapping in CodeMirror 6, a dry run on every
// pause in typing. Everything it shows comes from the studio's API (yukimap/studio/app.py);
// the page itself decides nothing about a mapping.
import {EditorView, basicSetup} from "codemirror";
import {EditorSelection} from "@codemirror/state";
import {linter, forceLinting, lintGutter, forEachDiagnostic} from "@codemirror/lint";
import {yamlSchema} from "codemirror-json-schema/yaml";
import {TEXT, labelPage} from "./text.js";
import {$, el} from "./dom.js";

const PAUSE_MS = 500; // a pause in typing this long starts a dry run

const state = {files: [], packs: [], starters: [], file: null, mapping: null, checks: 0,
  lastAnswer: null};
let view = null;

// --- talking to the studio -------------------------------------------------------------

async function api(method, path, body, raw = false) {
  const options = {method, headers: {}};
  if (body !== undefined) {
    options.body = typeof body === "string" || body instanceof Blob ? body : JSON.stringify(body);
    if (!(body instanceof Blob) && typeof body !== "string") {
      options.headers["content-type"] = "application/json";
    }
  }
  const response = await fetch(path, options);
  if (raw) return response;
  const answer = await response.json().catch(() => ({error: response.statusText}));
  if (!response.ok && answer.error) throw new Error(answer.error);
  return answer;
}

const q = (params) => new URLSearchParams(params).toString();

// --- the status line -------------------------------------------------------------------

function status(text, kind = "") {
  $("status").textContent = text;
  $("status").className = kind;
}

// --- files and mappings ----------------------------------------------------------------

async function loadState(select) {
  const answer = await api("GET", "/api/state");
  Object.assign(state, {files: answer.files, packs: answer.packs, starters: answer.starters,
    folders: answer.folders});
  $("hot-link").hidden = !answer.watch;
  const exports = state.files.filter((f) => f.kind === "export");
  $("file").replaceChildren(...exports.map((f) => el("option", {value: f.id}, f.id.replace(/^\d+\//, ""))));
  if (!exports.length) {
    $("file").append(el("option", {value: ""}, TEXT.noExports));
    return;
  }
  const wanted = select || decodeURIComponent(location.hash.slice(1)) || exports[0].id;
  const chosen = exports.some((f) => f.id === wanted) ? wanted : exports[0].id;
  $("file").value = chosen;
  await openFile(chosen);
}

function originOptions() {
  const mappings = state.files.filter((f) => f.kind === "mapping");
  const folder = state.file.split("/")[0];
  return [
    el("option", {value: "beside"}, TEXT.beside),
    el("optgroup", {label: TEXT.mappingsHere}, mappings.filter((m) => m.id.split("/")[0] === folder)
      .map((m) => el("option", {value: "open:" + m.id}, m.id.replace(/^\d+\//, "")))),
    el("optgroup", {label: TEXT.packs}, state.packs.map((p) =>
      el("option", {value: "pack:" + p.name}, `${p.name} — ${p.title}`))),
    el("optgroup", {label: TEXT.starters}, state.starters.map((s) =>
      el("option", {value: "starter:" + s}, TEXT.starterFor(s)))),
  ];
}

async function openFile(fileId) {
  state.file = fileId;
  location.hash = encodeURIComponent(fileId);
  $("origin").replaceChildren(...originOptions());
  $("origin").value = "beside";
  await loadMapping({file: fileId});
}

async function loadMapping(params) {
  const answer = await api("GET", "/api/mapping?" + q(params));
  state.mapping = answer.mapping;
  $("mapping-name").textContent = TEXT.mappingFile(answer.mapping.replace(/^\d+\//, ""), answer.origin, answer.name);
  setText(answer.text);
}

function setText(text) {
  view.dispatch({changes: {from: 0, to: view.state.doc.length, insert: text}});
  forceLinting(view);
}

async function chooseOrigin() {
  const value = $("origin").value;
  const [kind, name] = value.includes(":") ? [value.slice(0, value.indexOf(":")), value.slice(value.indexOf(":") + 1)] : [value, ""];
  const params = {file: state.file};
  if (kind !== "beside") params[kind] = name;
  await loadMapping(params);
}

async function save() {
  const answer = await api("PUT", "/api/mapping?" + q({id: state.mapping}), view.state.doc.toString());
  status(TEXT.saved(answer.name), "ok");
  const list = await api("GET", "/api/state");
  state.files = list.files;
}

async function download() {
  const response = await api("POST", "/api/document", request(), true);
  if (!response.ok) {
    const answer = await response.json();
    showAnswer(answer);
    status(TEXT.downloadRefused, "error");
    return;
  }
  const name = /filename="([^"]+)"/.exec(response.headers.get("content-disposition") || "")?.[1] || "document";
  const link = el("a", {href: URL.createObjectURL(await response.blob()), download: name});
  document.body.append(link);
  link.click();
  link.remove();
  status(TEXT.downloaded(name), "ok");
}

async function approve() {
  const response = await api("POST", "/api/approve", request(), true);
  const answer = await response.json().catch(() => ({error: response.statusText}));
  if (answer.error) throw new Error(answer.error);
  if (answer.stage !== "ok") {
    status(TEXT.notApproved(answer.message), "error");
    return;
  }
  status(TEXT.approved(answer), "ok");
  $("mapping-name").textContent = TEXT.mappingFile(state.mapping.replace(/^\d+\//, ""), "saved", "");
  state.files = (await api("GET", "/api/state")).files;
}

async function upload(file) {
  if (!file) return;
  const folder = state.file ? state.file.split("/")[0] : "0";
  try {
    const answer = await api("PUT", "/api/files?" + q({folder, name: file.name}), file);
    await loadState(answer.file);
    status(TEXT.uploaded(answer.name), "ok");
  } catch (error) {
    status(error.message, "error");
  }
}

async function setSource(key, value) {
  try {
    const answer = await api("POST", "/api/source", {text: view.state.doc.toString(), key, value});
    setText(answer.text);
  } catch (error) {
    status(error.message, "error");
  }
}

// --- the dry run -------------------------------------------------------------------------

function request() {
  return {file: state.file, mapping: state.mapping, text: view.state.doc.toString()};
}

async function dryRun(editor) {
  if (!state.file || !state.mapping) return [];
  document.body.dataset.state = "checking";
  status(TEXT.checking);
  let answer;
  try {
    answer = await api("POST", "/api/check", {...request(), text: editor.state.doc.toString()});
  } catch (error) {
    status(error.message, "error");
    document.body.dataset.state = "done";
    return [];
  }
  state.checks += 1;
  showAnswer(answer);
  document.body.dataset.checks = String(state.checks);
  document.body.dataset.state = "done";
  return diagnostics(editor.state.doc, answer.problems);
}

function diagnostics(doc, problems) {
  return problems.filter((p) => p.mapping && p.mapping.line <= doc.lines).map((p) => {
    const line = doc.line(p.mapping.line);
    const from = Math.min(line.from + p.mapping.col - 1, line.to);
    return {from, to: line.to > from ? line.to : from, severity: p.severity,
      source: "yukimap", message: p.text + (p.hint ? "\n" + TEXT.fix + ": " + p.hint : "")};
  });
}

function showAnswer(answer) {
  state.lastAnswer = answer;
  $("why").replaceChildren();
  const errors = answer.errors || 0;
  $("message").textContent = answer.message || "";
  $("message").className = answer.stage === "ok" ? "ok" : "error";
  if (answer.hint && !(answer.groups || []).length) {
    $("message").append(el("div", {class: "hint"}, TEXT.fix + ": " + answer.hint));
  }
  if (answer.file_problem) {
    $("message").append(el("div", {class: "file-problem"}, answer.file_problem.message,
      answer.file_problem.hint ? el("div", {class: "hint"}, TEXT.fix + ": " + answer.file_problem.hint) : null));
  }
  const failed = answer.stage !== "ok";
  status(!failed ? TEXT.passed : errors ? TEXT.problems(errors) : TEXT.stopped, failed ? "error" : "ok");
  showProblems(answer.problems, answer.groups || []);
  if (answer.grid) showGrid(answer.grid, answer.problems);
  showSummary(answer.summary);
  showTable($("documents"), answer.documents, TEXT.documentsTitle(answer.summary), "doc");
  showTable($("items"), answer.items, TEXT.itemsTitle(answer.summary), "item");
}

function showProblems(problems, groups) {
  // Grouped by cause, as the command line shows them: the cause and its fix once, then
  // each place it occurs (click one: the mapping's line and the file's cell).
  $("problems").replaceChildren(...groups.map((g) => el("li", {class: "group " + g.severity},
    el("div", {class: "cause"}, el("span", {class: "severity"}, TEXT[g.severity]), " ", g.text),
    el("ul", {class: "places"}, g.problems.map((index) => place(problems[index]))),
    g.hint ? el("div", {class: "hint"}, TEXT.fix + ": " + g.hint) : null)));
}

function place(p) {
  const parts = [
    p.value !== null && p.value !== undefined ? el("span", {class: "value"}, TEXT.quoted(p.value)) : null,
    p.mapping ? el("span", {class: "where mapping-where"}, TEXT.atLine(p.mapping.line, p.mapping.col, p.mapping.key)) : null,
    p.cell ? el("span", {class: "where cell-where"}, TEXT.atCell(p.cell)) : null,
    p.document ? el("span", {class: "where"}, p.document) : null,
    !p.mapping && !p.cell && !p.document && p.file ? el("span", {class: "where"}, p.file) : null,
  ].filter(Boolean);
  return el("li", {class: "place", onclick: () => reveal(p)},
    parts.flatMap((part, i) => i ? [" · ", part] : [part]));
}

function reveal(problem) {
  if (problem.mapping && problem.mapping.line <= view.state.doc.lines) {
    const line = view.state.doc.line(problem.mapping.line);
    view.dispatch({selection: EditorSelection.cursor(Math.min(line.from + problem.mapping.col - 1, line.to)),
      effects: EditorView.scrollIntoView(line.from, {y: "center"})});
    view.focus();
  }
  if (problem.cell && problem.cell.rows.length) {
    highlight(problem.cell.rows, problem.cell.letter);
  }
}

// --- the grid ------------------------------------------------------------------------------

function showGrid(grid, problems) {
  const marks = new Map(); // "row:letter" or "row:" -> severity and texts
  for (const p of problems) {
    if (!p.cell) continue;
    for (const row of p.cell.rows) {
      const key = `${row}:${p.cell.letter || ""}`;
      const mark = marks.get(key) || {severity: p.severity, texts: []};
      if (p.severity === "error") mark.severity = "error";
      mark.texts.push(p.text);
      marks.set(key, mark);
    }
  }
  const letters = grid.columns.map((c) => c.letter);
  const head = el("tr", {}, el("th", {class: "corner"}), letters.map((l) => el("th", {class: "letter"}, l)));
  const body = [];
  for (const row of grid.above) body.push(gridRow(row.row, row.cells, letters, marks, "above"));
  body.push(gridRow(grid.header_row, grid.columns.map((c) => c.name), letters, marks, "header"));
  for (const row of grid.rows) body.push(gridRow(row.row, row.cells, letters, marks, ""));
  $("grid").replaceChildren(el("table", {id: "grid-table"}, el("thead", {}, head), el("tbody", {}, body)));
  $("grid-info").textContent = TEXT.gridInfo(grid);
  showSourceOptions(grid);
}

function gridRow(number, cells, letters, marks, kind) {
  const whole = marks.get(`${number}:`);
  return el("tr", {class: kind, dataset: {row: String(number)}},
    el("th", {class: "rownum" + (whole ? " row-" + whole.severity : ""), title: whole ? whole.texts.join("\n") : null}, String(number)),
    letters.map((letter, i) => {
      const mark = marks.get(`${number}:${letter}`);
      return el("td", {id: `cell-${number}-${letter}`, class: mark ? "cell-" + mark.severity : null,
        title: mark ? mark.texts.join("\n") : null,
        onclick: kind ? null : () => showFeeds(number, letter)}, cells[i] ?? "");
    }));
}

function highlight(rows, letter) {
  document.querySelectorAll(".source").forEach((node) => node.classList.remove("source"));
  let first = null;
  for (const row of rows) {
    const tr = document.querySelector(`#grid-table tr[data-row="${row}"]`);
    if (!tr) continue;
    const target = letter ? document.getElementById(`cell-${row}-${letter}`) : tr;
    if (target) {
      target.classList.add("source");
      first = first || target;
    }
  }
  if (first) first.scrollIntoView({block: "center", inline: "nearest"});
}

// --- see why: a value's steps and source cells; a cell's values ----------------------------

function mark(nodes, cls) {
  document.querySelectorAll("." + cls).forEach((node) => node.classList.remove(cls));
  for (const node of nodes) node.classList.add(cls);
}

async function explainValue(asked, cell, docRows) {
  mark([cell], "chosen");
  mark([], "fed");
  highlight(docRows, null);
  const response = await api("POST", "/api/explain", {...request(), ...asked}, true);
  const answer = await response.json().catch(() => ({error: response.statusText}));
  if (answer.error) throw new Error(answer.error);
  if (answer.stage !== "ok") {
    $("why").replaceChildren(el("h3", {}, TEXT.whyTitle), el("p", {class: "error"}, answer.message),
      answer.hint ? el("div", {class: "hint"}, TEXT.fix + ": " + answer.hint) : null);
    return;
  }
  const cells = [];
  const traces = answer.traces.map((t) => el("div", {class: "trace"},
    el("div", {class: "trace-head"}, `${t.name} = `, el("span", {class: "value"}, TEXT.shown(t.value)),
      t.place !== "document" ? el("span", {class: "where"}, ` (${t.place})`) : null),
    el("ol", {class: "steps"}, t.steps.map((step) => {
      const target = step.cell && document.getElementById(`cell-${step.cell.row}-${step.cell.letter}`);
      if (target) cells.push(target);
      return el("li", {class: step.cell ? "step reads" : "step",
        onclick: target ? () => target.scrollIntoView({block: "center", inline: "center"}) : null},
      step.what, step.value !== null || !step.what.startsWith("expr:") ? [": ", el("span", {class: "value"}, TEXT.shown(step.value))] : null);
    })),
    t.problems.length ? el("ul", {class: "trace-problems"}, t.problems.map((p) => el("li", {}, p))) : null));
  $("why").replaceChildren(el("h3", {}, TEXT.whyOf(answer.document, answer.sheet)), ...traces);
  for (const target of cells) target.classList.add("source");
  if (cells.length) cells[0].scrollIntoView({block: "center", inline: "center"});
  $("why").scrollIntoView({block: "nearest"});
}

function showFeeds(row, letter) {
  // Which values the cell feeds: a document's own fields read its first row, an item's
  // fields read the item's row (the dry run says which fields read which columns).
  const answer = state.lastAnswer;
  const column = answer?.grid?.columns.find((c) => c.letter === letter)?.name;
  mark([document.getElementById(`cell-${row}-${letter}`)].filter(Boolean), "chosen");
  highlight([], null);
  if (!column || !answer.reads) return;
  const fed = [];
  const found = [];
  const docs = answer.documents.rows;
  docs.forEach((d, index) => {
    if (d.rows[0] !== row) return;
    answer.documents.columns.forEach((field, i) => {
      if ((answer.reads.documents[field] || []).includes(column)) {
        fed.push(document.getElementById(`doc-${index}-${i}`));
        found.push(TEXT.feedsValue(d.key, field, d.values[i]));
      }
    });
  });
  answer.items.rows.forEach((item, index) => {
    if (item.row !== row) return;
    const reads = answer.reads.items[item.kind] || {};
    const key = docs.find((d) => d.doc === item.doc)?.key || "";
    answer.items.columns.forEach((field, i) => {
      if ((reads[field] || []).includes(column)) {
        fed.push(document.getElementById(`item-${index}-${i}`));
        found.push(TEXT.feedsValue(key, `${answer.summary.item}.${field}`, item.values[i]));
      }
    });
  });
  mark(fed.filter(Boolean), "fed");
  $("why").replaceChildren(el("h3", {}, TEXT.feedsTitle(row, letter, column)),
    found.length ? el("ul", {class: "feeds"}, found.map((f) => el("li", {}, f))) : el("p", {}, TEXT.feedsNothing));
  $("why").scrollIntoView({block: "start"}); // the list first; the values are marked below
}

function showSourceOptions(grid) {
  const sheets = $("opt-sheet");
  sheets.replaceChildren(...grid.sheets.map((s) => el("option", {value: s}, s)));
  sheets.disabled = grid.sheets.length < 2;
  sheets.parentElement.hidden = !grid.sheets.length;
  if (grid.sheet) sheets.value = grid.sheet;
  $("opt-header").value = grid.header_row;
  $("opt-delimiter").parentElement.hidden = !!grid.sheets.length;
  $("opt-encoding").parentElement.hidden = !!grid.sheets.length;
  if (grid.delimiter) $("opt-delimiter").value = grid.delimiter === "\t" ? "tab" : grid.delimiter;
  if (grid.encoding) $("opt-encoding").value = grid.encoding;
}

// --- the results ---------------------------------------------------------------------------

function showSummary(summary) {
  if (!summary) {
    $("summary").replaceChildren();
    return;
  }
  const facts = [
    [TEXT.rowsRead, summary.rows_read],
    summary.skipped_rows ? [TEXT.rowsSkipped, summary.skipped_rows] : null,
    summary.skipped_documents ? [TEXT.documentsSkipped(summary.title), summary.skipped_documents] : null,
    [summary.title, summary.documents], [summary.item_title || summary.item, summary.items],
    ...Object.entries(summary.figures),
  ].filter(Boolean);
  const parts = [el("dl", {class: "facts"}, facts.map(([k, v]) => [el("dt", {}, k), el("dd", {}, String(v))]))];
  if (summary.totals.length) {
    parts.push(el("table", {id: "totals"},
      el("caption", {}, TEXT.totalsTitle),
      el("thead", {}, el("tr", {}, [TEXT.currency, TEXT.excl, TEXT.vat, TEXT.incl].map((h) => el("th", {}, h)))),
      el("tbody", {}, summary.totals.map((t) => el("tr", {}, el("td", {}, t.currency),
        el("td", {class: "num"}, t.excl), el("td", {class: "num"}, t.vat), el("td", {class: "num"}, t.incl))))));
  }
  if (summary.table.rows.length) {
    const [head, ...rows] = summary.table.rows;
    parts.push(el("table", {id: "target-table"}, el("caption", {}, summary.table.title),
      el("thead", {}, el("tr", {}, head.map((h) => el("th", {}, h)))),
      el("tbody", {}, rows.map((r) => el("tr", {}, r.map((c, i) => el("td", {class: i ? "num" : null}, c)))))));
  }
  parts.push(el("details", {}, el("summary", {}, TEXT.asCommandLine), el("pre", {id: "summary-text"}, summary.text)));
  $("summary").replaceChildren(...parts);
}

function showTable(node, table, title, kind) {
  if (!table) {
    node.replaceChildren();
    return;
  }
  const first = kind === "doc" ? [TEXT.rows, TEXT.lines] : [TEXT.row];
  const head = el("tr", {}, [...first, ...table.columns].map((c) => el("th", {}, c)));
  const keys = new Map((state.lastAnswer.documents?.rows || []).map((d) => [d.doc, d]));
  const numbers = new Map(); // a document's items so far: the number of the next one
  const rows = table.rows.map((r, index) => {
    const rows = kind === "doc" ? r.rows : [r.row];
    const lead = kind === "doc" ? [rowsText(r.rows), String(r.lines)] : [String(r.row)];
    const number = (numbers.get(r.doc) || 0) + 1;
    numbers.set(r.doc, number);
    const docRows = keys.get(r.doc)?.rows || rows;
    return el("tr", {dataset: {rows: rows.join(","), doc: String(r.doc), kind: r.kind ?? ""}},
      lead.map((c) => el("td", {class: "lead"}, c)),
      r.values.map((v, i) => el("td", {class: "value", id: `${kind}-${index}-${i}`,
        onclick: (e) => {
          // By its first row: every document has one, not every document a reference.
          const summary = state.lastAnswer.summary;
          const asked = kind === "doc" ? {row: r.rows[0], field: `${summary.header}.${table.columns[i]}`} :
            {row: r.row, field: `${summary.item}.${table.columns[i]}`, item: number};
          if (kind !== "doc" && r.kind >= (state.lastAnswer.reads?.items.length ?? Infinity)) {
            mark([e.currentTarget], "chosen");
            $("why").replaceChildren(el("h3", {}, TEXT.whyTitle), el("p", {}, TEXT.byRules));
            return;
          }
          explainValue(asked, e.currentTarget, docRows).catch((error) => status(error.message, "error"));
        }}, v ?? "")));
  });
  const more = table.total > table.rows.length ? el("p", {class: "more"}, TEXT.more(table.total - table.rows.length)) : null;
  node.replaceChildren(...[el("h3", {}, title), el("div", {class: "scroll"}, el("table", {class: "results"}, el("thead", {}, head), el("tbody", {}, rows))), more].filter(Boolean));
}

function rowsText(rows) {
  if (rows.length === 1) return String(rows[0]);
  const run = rows.every((r, i) => r === rows[0] + i);
  return run ? `${rows[0]}–${rows[rows.length - 1]}` : rows.join(", ");
}

// --- start -----------------------------------------------------------------------------------

async function start() {
  labelPage("title");
  const schema = await api("GET", "/api/schema");
  view = new EditorView({
    parent: $("editor"),
    extensions: [
      basicSetup,
      yamlSchema(schema),
      lintGutter(),
      linter(dryRun, {delay: PAUSE_MS}),
      EditorView.theme({"&": {height: "100%"}, ".cm-scroller": {overflow: "auto"}}),
    ],
  });
  // For the browser tests (and the curious): the editor, and the marks it shows.
  window.studio = {view, state, diagnostics: () => {
    const found = [];
    forEachDiagnostic(view.state, (d, from) => found.push({line: view.state.doc.lineAt(from).number,
      severity: d.severity, source: d.source || "schema", message: d.message}));
    return found;
  }};
  $("file").addEventListener("change", () => openFile($("file").value));
  $("origin").addEventListener("change", chooseOrigin);
  $("save").addEventListener("click", () => save().catch((e) => status(e.message, "error")));
  $("download").addEventListener("click", () => download().catch((e) => status(e.message, "error")));
  $("approve").addEventListener("click", () => approve().catch((e) => status(e.message, "error")));
  $("upload").addEventListener("change", (e) => upload(e.target.files[0]));
  const drop = $("drop");
  drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (e) => { e.preventDefault(); drop.classList.remove("over"); upload(e.dataTransfer.files[0]); });
  $("opt-sheet").addEventListener("change", (e) => setSource("sheet", e.target.value));
  $("opt-header").addEventListener("change", (e) => setSource("header_row", Number(e.target.value)));
  $("opt-delimiter").addEventListener("change", (e) => setSource("delimiter", e.target.value || null));
  $("opt-encoding").addEventListener("change", (e) => setSource("encoding", e.target.value || null));
  await loadState();
}

start().catch((error) => status(error.message, "error"));
