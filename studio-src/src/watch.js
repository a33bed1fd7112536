// The hot folders' page: each route of a running `yukimap watch` with its waiting, failed and
// archived files, the calls used today and the daemon's health, from the studio's API
// (GET /api/watch, what `yukimap status --json` reads). Retry moves a failed file back into
// its route's folder (POST /api/watch/retry); the daemon then takes it up. It sends nothing.
import {TEXT, labelPage} from "./text.js";
import {$, el} from "./dom.js";

const EVERY_MS = 2000; // the page asks again this often


async function api(method, path, body) {
  const options = {method, headers: {}};
  if (body !== undefined) {
    options.body = JSON.stringify(body);
    options.headers["content-type"] = "application/json";
  }
  const response = await fetch(path, options);
  const answer = await response.json().catch(() => ({error: response.statusText}));
  if (!response.ok) throw new Error(answer.error || response.statusText);
  return answer;
}

function status(text, kind = "") {
  $("status").textContent = text;
  $("status").className = kind;
}

function showDaemon(daemon) {
  const W = TEXT.watch;
  if (!daemon) return [el("p", {class: "health error"}, W.neverRan)];
  const parts = [el("p", {class: "health " + (daemon.healthy ? "ok" : "error")},
    daemon.running ? W.running(daemon) : W.notRunning(daemon))];
  if (daemon.running && daemon.problems.length) {
    parts.push(el("ul", {class: "problems"}, daemon.problems.map((p) => el("li", {}, p))));
  }
  if (daemon.key_refused) parts.push(el("p", {class: "error"}, W.keyRefused(daemon.key_refused)));
  for (const [domain, pause] of Object.entries(daemon.paused || {})) {
    parts.push(el("p", {class: "warning"}, W.paused(domain, pause)));
  }
  return parts;
}

function showCalls(calls) {
  const W = TEXT.watch;
  const domains = Object.entries(calls.domains);
  return [el("h2", {}, W.callsTitle(calls.day)),
    domains.length ? el("table", {id: "calls"},
      el("thead", {}, el("tr", {}, [W.domain, W.used, W.left].map((h) => el("th", {}, h)))),
      el("tbody", {}, domains.map(([d, c]) => el("tr", {}, el("td", {}, d),
        el("td", {class: "num"}, String(c.used)), el("td", {class: "num"}, W.leftOf(c.left, calls.budget))))))
      : el("p", {}, W.noCalls)];
}

function showRoute(route) {
  const W = TEXT.watch;
  const counts = route.counts || {};
  return el("section", {class: "route", dataset: {route: route.name}},
    el("h2", {}, W.routeTitle(route)),
    el("p", {class: "muted"}, W.routeFacts(route, counts)),
    el("h3", {}, W.waitingTitle(route.waiting.length)),
    route.waiting.length ? el("ul", {class: "waiting"}, route.waiting.map((w) =>
      el("li", {}, el("span", {class: "file"}, w.file), ": ", w.reason, w.until ? W.until(w.until) : ""))) : null,
    el("h3", {}, W.failedTitle(route.failed.length)),
    route.failed.length ? el("ul", {class: "failed"}, route.failed.map((f) =>
      el("li", {dataset: {file: f.file}},
        el("span", {class: "file"}, f.file), f.name !== f.file ? W.arrivedAs(f.name) : "",
        el("span", {class: "muted"}, W.since(f.since)), " ",
        el("button", {type: "button", class: "retry", onclick: () => retry(route.name, f.file)}, W.retry),
        f.reason ? el("div", {class: "reason"}, f.reason) : null,
        f.error ? el("details", {}, el("summary", {}, W.reasonFile(f.file)), el("pre", {}, f.error)) : null))) : null,
    el("h3", {}, W.archivedTitle(counts.ARCHIVED ?? route.archived.length)),
    route.archived.length ? el("ul", {class: "archived"}, route.archived.map((a) =>
      el("li", {}, el("span", {class: "file"}, a.file), el("span", {class: "muted"}, W.at(a.at))))) : null);
}

async function retry(route, file) {
  try {
    const answer = await api("POST", "/api/watch/retry", {route, file});
    status(TEXT.watch.retried(answer), "ok");
  } catch (error) {
    status(error.message, "error");
  }
  await refresh();
}

let shown = 0;

async function refresh() {
  let answer;
  try {
    answer = await api("GET", "/api/watch");
  } catch (error) {
    status(error.message, "error");
    return;
  }
  $("config").textContent = answer.config;
  $("daemon").replaceChildren(...showDaemon(answer.daemon));
  $("calls-today").replaceChildren(...showCalls(answer.calls));
  // Keep an open reason open while the page refreshes.
  const open = new Set([...document.querySelectorAll("#routes details[open]")].map((d) => d.closest("li").dataset.file));
  $("routes").replaceChildren(...answer.routes.map(showRoute));
  document.querySelectorAll("#routes li[data-file]").forEach((li) => {
    if (open.has(li.dataset.file)) li.querySelector("details")?.setAttribute("open", "");
  });
  shown += 1;
  document.body.dataset.shown = String(shown);
}

labelPage("watchTitle");
refresh().finally(() => setInterval(refresh, EVERY_MS));
