"""The `yukimap watch` config: routes from folders and filename patterns to a mapping and an
administration, checked like a mapping file (file:line:col, allowed keys, nearest name).

    version: 1
    health: {port: 8089}              # optional: /healthz and /metrics on 127.0.0.1
    defaults: {stable_seconds: 5}     # optional: any route setting, for every route
    routes:
      - name: webshop
        folder: sales                 # relative to this file
        patterns: ["*.csv"]
        mapping: mappings/webshop.yaml
        administration: Bakkerij De Vries

The checking reuses the schema's checker (schema.check: `check_map` and its scalar
checks); the JSON Schema shipped beside this module (`config.schema.json`) is generated
from the same tables (`json_schema`).
A mistake stops the start with every problem listed, before any file is touched.
"""

from __future__ import annotations

import fnmatch
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from yukimap.errors import MappingError, Problem, UserError
from yukimap.i18n import N_, plural, tr
from yukimap.limits import limits, over
from yukimap.schema.check import INVALID, Ctx, Key, check_map, flag, one_of, text, text_list, whole
from yukimap.yamlsrc import KeyPath, load_yaml_file

MODES = ("auto", "native", "polling")
SCHEMA_FILE = Path(__file__).with_name("config.schema.json")


def seconds(minimum: float, maximum: float) -> Any:
    """A number of seconds (0.3, 5, 1800) within bounds."""

    def check(value: Any, path: KeyPath, ctx: Ctx) -> Any:
        if isinstance(value, bool) or not re.fullmatch(r"\d+(\.\d+)?", str(value).strip()):
            return ctx.fail(path, tr("expected a number of seconds, e.g. 5 or 0.5"),
                            value=str(value))
        number = float(str(value))
        if not minimum <= number <= maximum:
            return ctx.fail(path, tr("expected a number of seconds from {minimum} to"
                                     " {maximum}", minimum=f"{minimum:g}",
                                     maximum=f"{maximum:g}"), value=str(value))
        return number

    return check


def _patterns(value: Any, path: KeyPath, ctx: Ctx) -> Any:
    found = text_list(value, path, ctx)
    if found is INVALID:
        return INVALID
    for pattern in found:
        if "/" in pattern or "\\" in pattern:
            return ctx.fail(path, tr("a pattern matches file names, not folders"),
                            value=pattern,
                            hint=tr("give the folder in 'folder' and the names here, e.g."
                                    " *.csv"))
    return found


# Route settings with their defaults; `defaults:` at the top takes the same keys.
# i18n: key docs: the JSON Schema's descriptions (also a missing key's hint), as schema/keys.py's
TIMING_KEYS = (
    Key("mode", one_of(*MODES), default="auto",
        doc="how new files are noticed: auto (native events, polling on network and FUSE"
            " file systems), native or polling; a full rescan runs in every mode"),
    Key("stable_seconds", seconds(0.05, 3600), default=5.0,
        doc="a file is taken when its size and modification time did not change for this"
            " long"),
    Key("rescan_seconds", seconds(0.2, 86400), default=60.0,
        doc="a full scan of the folder this often, whatever the events say"),
    Key("poll_seconds", seconds(0.05, 3600), default=2.0,
        doc="polling mode: how often the folder is listed"),
    Key("done_file", flag, default=False,
        doc="take NAME only once NAME.done exists (the done file is removed)"),
    Key("batch_size", whole(1, 1000), default=100, doc="sales invoices per call"),
    Key("retry_seconds", seconds(0.01, 86400), default=30.0,
        doc="first wait after a transient fault (Yuki unreachable); doubled each time"),
    Key("retry_max_seconds", seconds(0.01, 86400), default=1800.0,
        doc="the longest wait between two tries"),
    Key("recheck_seconds", seconds(0.05, 86400), default=300.0,
        doc="how often a file that waits for a person's decision is looked at again"
            " (costs no call)"),
    Key("key_retry_seconds", seconds(0.05, 86400), default=900.0,
        doc="after Yuki refused the access key: how long until it is tried again"),
)
# i18n: key docs: the JSON Schema's descriptions (also a missing key's hint), as schema/keys.py's
ROUTE_KEYS = (
    Key("name", text, required=True, doc=N_("a short name for logs and status")),
    Key("folder", text, required=True, doc=N_("the folder files are dropped into")),
    Key("patterns", _patterns, default=("*.csv", "*.xlsx", "*.xls"),
        doc="file name patterns (case-insensitive), e.g. ['*.csv']"),
    Key("mapping", text, required=True,
        doc=N_("mapping file (relative to this config), or a shipped mapping's name")),
    Key("administration", text, doc="the Yuki administration, by name or ID"
        " (default: YUKI_ADMINISTRATION)"),
    Key("domain", text, doc="the Yuki domain, for keys that span several domains"),
    *TIMING_KEYS,
)
# i18n: key docs: the JSON Schema's descriptions (also a missing key's hint), as schema/keys.py's
HEALTH_KEYS = (
    Key("port", whole(0, 65535), required=True, doc=N_("port on 127.0.0.1 (0: any free port)")),
    Key("scan_age_factor", seconds(1, 100), default=3.0,
        doc="/healthz fails when the last full scan is older than this many rescan"
            " intervals"),
)


def _routes(value: Any, path: KeyPath, ctx: Ctx) -> Any:
    if not isinstance(value, list) or not value:
        return ctx.fail(path, tr("routes is a list of routes, each starting with '- name:'"),
                        value=str(value) if not isinstance(value, list) else "[]")
    return [check_map(item, path + (i,), ctx, _route_keys_no_defaults(), tr("a route"))
            for i, item in enumerate(value)]


def _route_keys_no_defaults() -> tuple[Key, ...]:
    """Route keys without defaults, so that `defaults:` can fill what a route leaves out."""
    return tuple(Key(k.name, k.check, k.required, None, k.doc) for k in ROUTE_KEYS)


def _defaults(value: Any, path: KeyPath, ctx: Ctx) -> Any:
    return check_map(value, path, ctx, tuple(Key(k.name, k.check, False, None, k.doc)
                                             for k in TIMING_KEYS), "defaults")


def _health(value: Any, path: KeyPath, ctx: Ctx) -> Any:
    return check_map(value, path, ctx, HEALTH_KEYS, "health")


# i18n: key docs: the JSON Schema's descriptions (also a missing key's hint), as schema/keys.py's
TOP_KEYS = (
    Key("version", whole(1, 1), default=1, doc="the config format: 1"),
    Key("routes", _routes, required=True, doc=N_("the folders to watch")),
    Key("defaults", _defaults, doc="settings for every route (a route's own win)"),
    Key("health", _health, doc="an HTTP endpoint on 127.0.0.1: /healthz and /metrics"),
    Key("state", text, doc="the state folder (default: YUKIMAP_STATE or the platform's)"),
    Key("log_format", one_of("text", "json"), default="text",
        doc="one line per file state change, as text or JSON (--log-format wins)"),
)


@dataclass(frozen=True)
class Route:
    name: str
    folder: Path
    patterns: tuple[str, ...]
    mapping: str
    administration: str | None
    domain: str | None
    mode: str
    stable_seconds: float
    rescan_seconds: float
    poll_seconds: float
    done_file: bool
    batch_size: int
    retry_seconds: float
    retry_max_seconds: float
    recheck_seconds: float
    key_retry_seconds: float

    def matches(self, name: str) -> bool:
        lowered = name.lower()
        return any(fnmatch.fnmatchcase(lowered, p.lower()) for p in self.patterns)


@dataclass(frozen=True)
class Health:
    port: int
    scan_age_factor: float


@dataclass(frozen=True)
class WatchConfig:
    path: Path
    routes: tuple[Route, ...]
    health: Health | None
    state: Path | None
    log_format: str


def load_config(path: Path) -> WatchConfig:
    """Read and check the config; MappingError listing every problem, nothing touched."""
    if path.is_file() and path.stat().st_size > limits().max_mapping_kb * 1024:
        message, hint = over("max_mapping_kb", tr("the config file {path}", path=path),
                             f"{path.stat().st_size // 1024:,} KB")
        raise MappingError(message, hint=hint)
    doc = load_yaml_file(path)
    ctx = Ctx(doc)
    if not isinstance(doc.data, dict):
        ctx.fail((), tr("a watch config is a set of 'key: value' lines with 'routes:'"),
                 hint=tr("see docs/watch.md for an example"))
        top: Any = INVALID
    else:
        top = check_map(doc.data, (), ctx, TOP_KEYS, tr("the watch config"))
    config = None if top is INVALID or ctx.problems else _build(top, path, ctx)
    errors = [p for p in ctx.problems if p.is_error]
    if errors or config is None:
        raise MappingError(plural(len(errors), "{path}: {count} problem in the watch config",
                                  "{path}: {count} problems in the watch config", path=path),
                           problems=ctx.problems)
    return config


def _build(top: dict[str, Any], path: Path, ctx: Ctx) -> WatchConfig | None:
    base = path.resolve().parent
    defaults = {k.name: k.default for k in TIMING_KEYS}
    defaults |= {k: v for k, v in (top["defaults"] or {}).items() if v is not None}
    routes = []
    for index, raw in enumerate(top["routes"]):
        values = {**defaults, **{k: v for k, v in raw.items() if v is not None}}
        values["patterns"] = tuple(values.get("patterns") or ROUTE_KEYS[2].default)
        values["folder"] = (base / values["folder"]).resolve()
        values.setdefault("administration", None)
        values.setdefault("domain", None)
        route = Route(**values)
        _check_route(route, ("routes", index), ctx)
        routes.append(route)
    _check_overlaps(routes, ctx)
    health = Health(**top["health"]) if top["health"] else None
    state = (base / top["state"]).resolve() if top["state"] else None
    return WatchConfig(path, tuple(routes), health, state, top["log_format"])


def _check_route(route: Route, path: KeyPath, ctx: Ctx) -> None:
    if not route.folder.is_dir():
        ctx.fail(path + ("folder",), tr("the folder does not exist"), value=str(route.folder),
                 hint=tr("create it, or correct the path (relative to the config file)"))


def _check_overlaps(routes: Sequence[Route], ctx: Ctx) -> None:
    seen: dict[str, int] = {}
    for index, route in enumerate(routes):
        if route.name in seen:
            ctx.fail(("routes", index, "name"), tr("two routes are named '{name}'",
                                                    name=route.name),
                     hint=tr("give each route its own name"))
        seen.setdefault(route.name, index)
        for other in routes[:index]:
            shared = [p for p in route.patterns if other.folder == route.folder
                      and (other.matches(p) or any(route.matches(q) for q in other.patterns))]
            if shared:
                ctx.fail(("routes", index, "patterns"),
                         tr("files matching {pattern} in {folder} would belong to two routes"
                            " ('{other}' and '{route}')", pattern=shared[0],
                            folder=route.folder, other=other.name, route=route.name),
                         hint=tr("give the routes different folders or patterns that do not"
                                 " overlap"))
                break


def resolve_mapping(route: Route, config_path: Path) -> str:
    """The route's mapping: a path relative to the config, or a shipped mapping's name."""
    candidate = config_path.resolve().parent / route.mapping
    return str(candidate) if candidate.exists() else route.mapping


def check_mappings(config: WatchConfig) -> None:
    """Load every route's mapping once, so that a broken one stops the start."""
    from yukimap.schema import load_mapping

    problems: list[Problem] = []
    for route in config.routes:
        try:
            load_mapping(resolve_mapping(route, config.path))
        except UserError as exc:
            problems.append(Problem(tr("route '{name}': {reason}", name=route.name,
                                       reason=exc.message), hint=exc.hint))
            problems.extend(exc.problems)
    if problems:
        raise MappingError(tr("{path}: a route's mapping cannot be used", path=config.path),
                           problems=problems)


# --- the JSON Schema -------------------------------------------------------------------

_TYPES: dict[str, dict[str, Any]] = {
    "mode": {"enum": list(MODES)},
    "log_format": {"enum": ["text", "json"]},
    "patterns": {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]},
    "done_file": {"type": "boolean"},
    "batch_size": {"type": "integer", "minimum": 1, "maximum": 1000},
    "port": {"type": "integer", "minimum": 0, "maximum": 65535},
    "version": {"const": 1},
}


def _properties(keys: Sequence[Key]) -> dict[str, Any]:
    props: dict[str, Any] = {}
    for key in keys:
        kind = _TYPES.get(key.name)
        if kind is None:
            kind = {"type": "number"} if key.name.endswith(("_seconds", "_factor")) else {
                "type": "string"}
        props[key.name] = {**kind, "description": key.doc}
    return props


def _object(keys: Sequence[Key], required: bool = True) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "additionalProperties": False,
                              "properties": _properties(keys)}
    needed = [k.name for k in keys if k.required and required]
    if needed:
        schema["required"] = needed
    return schema


def json_schema() -> dict[str, Any]:
    """The config's JSON Schema, from the same key tables the checker uses."""
    top = _object(TOP_KEYS)
    top["properties"]["routes"] = {"type": "array", "minItems": 1, "items": _object(ROUTE_KEYS),
                                   "description": TOP_KEYS[1].doc}
    top["properties"]["defaults"] = {**_object(TIMING_KEYS), "description": TOP_KEYS[2].doc}
    top["properties"]["health"] = {**_object(HEALTH_KEYS), "description": TOP_KEYS[3].doc}
    return {"$schema": "https://json-schema.org/draft/2020-12/schema",
            "title": "yukimap watch config", **top}  # i18n: the JSON Schema's title


def schema_text() -> str:
    return json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"
