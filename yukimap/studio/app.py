"""The studio's ASGI app: the page, its assets, and the API behind it.

Every route is behind the token gate (gate.py); every path the page names goes through the
folder guard (folders.py); every dry run runs in the worker, within its time (worker.py).
The app reads no settings: no access key or session ID can reach a response.

    GET  /                      the page
    GET  /static/...            its assets, shipped in the package
    GET  /api/state             the folders, their exports and mappings, the shipped mappings
    GET  /api/schema            the mapping's JSON Schema (for the editor)
    GET  /api/mapping?file=ID   the mapping for an export: saved beside it, the shipped one
                                of its name, or init's starter for it (&pack=NAME: a shipped
                                mapping, &starter=TARGET: init's starter for that target,
                                &open=ID: a mapping file)
    PUT  /api/mapping?id=ID     save the mapping text (body) as that file
    POST /api/check             {file, mapping, text}: the dry run
    POST /api/document          {file, mapping, text}: the rendered documents, to download
    POST /api/explain           {file, mapping, text, document, field, row?, item?}: why a
                                value is what it is (the explain trace)
    POST /api/approve           {file, mapping, text}: save the mapping, keep the export and
                                its output now as a snapshot case (yukimap test)
    POST /api/source            {text, key, value}: the text with a source option set
    PUT  /api/files?folder=N&name=NAME   a dropped export (body), saved into folder N
    GET  /watch                 the hot folders' page (with --watch CONFIG)
    GET  /api/watch             each route's waiting, failed and archived files, the calls
                                today, the daemon's health (what `status --json` reads)
    POST /api/watch/retry       {route, file}: a failed file moved back into its folder
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path, PurePosixPath
from typing import Any

import anyio
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from yukimap.atomic import write_atomically
from yukimap.i18n import language, tr
from yukimap.limits import MB, limits
from yukimap.resources import shipped_mappings
from yukimap.studio import starters
from yukimap.studio.dryrun import template_of
from yukimap.studio.folders import EXPORTS, MAPPINGS, Folders, OutsideFolders
from yukimap.studio.gate import TokenGate
from yukimap.studio.hotfolders import HotFolders, NotRetried
from yukimap.studio.jsonschema import mapping_schema
from yukimap.studio.sourceedit import NotEditable, set_source_option
from yukimap.studio.worker import SECONDS, Worker

STATIC = Path(__file__).resolve().parent / "static"
JSON_KB = 64  # a request's JSON besides the mapping text


class Refused(Exception):
    """A request the studio answers with `status` and a message for the page."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def create_app(folders: Folders, token: str, *, seconds: float = SECONDS,
               cookie: str = "yukimap-studio", hot: HotFolders | None = None) -> TokenGate:
    """The studio for `folders`, behind `token`; dry runs bounded to `seconds`; the hot
    folders' page for `hot` (a watch config and the daemon's state folder) when given."""
    worker = Worker(seconds)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        worker.start()
        try:
            yield
        finally:
            worker.stop()

    routes = [
        Route("/", _page),
        Route("/api/state", _state),
        Route("/api/schema", _schema),
        Route("/api/mapping", _mapping, methods=["GET", "PUT"]),
        Route("/api/check", _check, methods=["POST"]),
        Route("/api/document", _document, methods=["POST"]),
        Route("/api/explain", _explain, methods=["POST"]),
        Route("/api/approve", _approve, methods=["POST"]),
        Route("/api/source", _source, methods=["POST"]),
        Route("/api/files", _upload, methods=["PUT"]),
        Route("/watch", _watch_page),
        Route("/api/watch", _watch),
        Route("/api/watch/retry", _retry, methods=["POST"]),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    app = Starlette(routes=routes, lifespan=lifespan,
                    exception_handlers={Refused: _refused, OutsideFolders: _outside})
    app.state.folders = folders
    app.state.worker = worker
    app.state.hot = hot
    return TokenGate(app, token, cookie)


# --- the page and what it lists -----------------------------------------------------------


async def _page(request: Request) -> Response:
    return _html("index.html")


def _html(name: str) -> Response:
    """A page of the studio, in the studio's language: its <html lang> tells the page's
    script which of its texts to show (studio-src/src/text.js)."""
    page = (STATIC / name).read_text(encoding="utf-8")
    return HTMLResponse(page.replace('<html lang="en">', f'<html lang="{language()}">', 1))


async def _state(request: Request) -> Response:
    folders = _folders(request)
    return JSONResponse({
        "folders": [{"index": i, "name": root.name or str(root)}
                    for i, root in enumerate(folders.roots)],
        "files": [vars(entry) for entry in folders.entries()],
        "packs": starters.packs(),
        "starters": list(starters.STARTERS),
        "watch": request.app.state.hot is not None,
    })


async def _schema(request: Request) -> Response:
    return JSONResponse(mapping_schema())


# --- the mapping --------------------------------------------------------------------------


async def _mapping(request: Request) -> Response:
    folders = _folders(request)
    if request.method == "PUT":
        return await _save(request, folders)
    export = _param(request, "file")
    folders.path(export, EXPORTS)
    beside = _beside(export)
    chosen = request.query_params
    if "pack" in chosen:
        return JSONResponse(_start(beside, starters.pack_text(chosen["pack"]), "pack",
                                   chosen["pack"]))
    if "starter" in chosen:
        if chosen["starter"] not in starters.STARTERS:
            raise Refused(404, tr("no starter {name}", name=repr(chosen["starter"])))
        return JSONResponse(await _starter(request, export, beside, chosen["starter"]))
    opened = chosen.get("open") or beside
    path = folders.path(opened, MAPPINGS)
    if path.is_file():
        return JSONResponse(_start(opened, _read_mapping(path), "saved", path.name))
    stem = PurePosixPath(export).stem
    if stem in shipped_mappings():
        return JSONResponse(_start(beside, starters.pack_text(stem), "pack", stem))
    return JSONResponse(await _starter(request, export, beside, None))


async def _starter(request: Request, export: str, beside: str,
                   target: str | None) -> dict[str, Any]:
    """`yukimap init`'s starter for the export (for `target`, or the one init guesses); the
    plain starter of the target (sales invoices when none) when init cannot make one."""
    folders = _folders(request)
    root = folders.roots[int(export.split("/", 1)[0])]
    kwargs = {"file": str(folders.path(export, EXPORTS).relative_to(root)),
              "mapping": str(folders.path(beside, MAPPINGS).relative_to(root)),
              "target": target}
    worker: Worker = request.app.state.worker
    answer = await anyio.to_thread.run_sync(lambda: worker.run("starter", str(root), **kwargs))
    if answer.get("stage") == "ok":
        return _start(beside, answer["text"], "init", answer["target"])
    plain = target or starters.STARTERS[0]
    return _start(beside, starters.starter_text(plain), "starter", plain)


def _start(mapping_id: str, text: str | None, origin: str, name: str) -> dict[str, Any]:
    if text is None:
        # i18n: a name the page itself asked for that is not there (never one it lists)
        raise Refused(404, f"no {origin} {name!r}")
    return {"mapping": mapping_id, "text": text, "origin": origin, "name": name}


def _beside(export_id: str) -> str:
    """The mapping that belongs to an export: its name with .yaml, in its folder."""
    return str(PurePosixPath(export_id).with_suffix(".yaml"))


def _read_mapping(path: Path) -> str:
    bound = limits().max_mapping_kb * 1024
    if path.stat().st_size > bound:
        raise Refused(413, tr("{name} is over {size} KB", name=path.name,
                              size=f"{limits().max_mapping_kb:,}"))
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise Refused(422, tr("{name} is not UTF-8 text", name=path.name)) from None


async def _save(request: Request, folders: Folders) -> Response:
    mapping_id = _param(request, "id")
    path = folders.path(mapping_id, MAPPINGS)
    body = await _body(request, limits().max_mapping_kb * 1024)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise Refused(422, tr("the mapping is not UTF-8 text")) from None
    if path.is_dir():
        raise Refused(409, tr("{name} is a folder", name=path.name))
    write_atomically(path, text)
    return JSONResponse({"saved": mapping_id, "name": path.name})


# --- dry run and documents ----------------------------------------------------------------


async def _check(request: Request) -> Response:
    answer, _ = await _run(request, "check")
    return JSONResponse(answer)


async def _document(request: Request) -> Response:
    answer, export = await _run(request, "render")
    if answer.get("stage") != "ok":
        return JSONResponse(answer, status_code=422)
    files = answer["files"]
    if len(files) == 1:
        return Response(files[0]["text"].encode("utf-8"), media_type=_media(files[0]["name"]),
                        headers=_attachment(files[0]["name"]))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in files:
            archive.writestr(file["name"], file["text"])
    name = PurePosixPath(export).stem + ".zip"
    return Response(buffer.getvalue(), media_type="application/zip", headers=_attachment(name))


async def _explain(request: Request) -> Response:
    asked = await _json(request)
    document, field = asked.get("document", ""), asked.get("field")
    if not isinstance(document, str) or not isinstance(field, (str, type(None))):
        # i18n: a request the page never sends (for whoever calls the API by hand)
        raise Refused(400, "the request needs 'document' and 'field' as text")
    if not document and asked.get("row") is None:
        raise Refused(400, "the request needs 'document' or 'row'")  # i18n: as above
    extra = {"document": document, "field": field, "row": _number(asked, "row"),
             "item": _number(asked, "item")}
    answer, _ = await _run(request, "why", asked, extra)
    return JSONResponse(answer, status_code=200 if answer.get("stage") == "ok" else 422)


async def _approve(request: Request) -> Response:
    answer, _ = await _run(request, "approve", save=True)
    return JSONResponse(answer, status_code=200 if answer.get("stage") == "ok" else 422)


def _number(asked: dict[str, Any], name: str) -> int | None:
    value = asked.get(name)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise Refused(400, f"{name}: a number from 1")  # i18n: the page never sends it
    return value


async def _run(request: Request, job: str, asked: dict[str, Any] | None = None,
               extra: dict[str, Any] | None = None, save: bool = False
               ) -> tuple[dict[str, Any], str]:
    """The worker's answer to `job` on the request's export and mapping text, with `extra`
    arguments; the export. With `save`, the text is first saved as the mapping and the job
    reads the file (a snapshot case is of the mapping as saved: `yukimap test` reads it)."""
    folders = _folders(request)
    asked = await _json(request) if asked is None else asked
    export, mapping, text = (_text(asked, "file"), _text(asked, "mapping"),
                             _text(asked, "text"))
    file_path = folders.path(export, EXPORTS)
    mapping_path = folders.path(mapping, MAPPINGS)
    if mapping.split("/", 1)[0] != export.split("/", 1)[0]:
        raise Refused(403, tr("the mapping and the export must be in the same folder"))
    root = folders.roots[int(export.split("/", 1)[0])]
    template = template_of(text, mapping_path)
    worker: Worker = request.app.state.worker
    kwargs = {"file": str(file_path.relative_to(root)),
              "mapping": str(mapping_path.relative_to(root)), "text": text,
              "template_ok": template is None or folders.inside(template), **(extra or {})}
    if save:
        if mapping_path.is_dir():
            raise Refused(409, tr("{name} is a folder", name=mapping_path.name))
        write_atomically(mapping_path, text)
        del kwargs["text"]
    answer: dict[str, Any] = await anyio.to_thread.run_sync(
        lambda: worker.run(job, str(root), **kwargs))
    return answer, export


def _media(name: str) -> str:
    return "application/xml" if name.endswith(".xml") else "text/csv; charset=utf-8"


def _attachment(name: str) -> dict[str, str]:
    return {"content-disposition": f'attachment; filename="{name}"'}


async def _source(request: Request) -> Response:
    asked = await _json(request)
    value = asked.get("value")
    if not isinstance(value, (str, int, type(None))) or isinstance(value, bool):
        raise Refused(400, "value: a text, a number or null")  # i18n: the page never sends it
    try:
        text = set_source_option(_text(asked, "text"), _text(asked, "key"), value)
    except NotEditable as exc:
        raise Refused(422, str(exc)) from None
    return JSONResponse({"text": text})


# --- a dropped export ---------------------------------------------------------------------


async def _upload(request: Request) -> Response:
    folders = _folders(request)
    folder, name = _param(request, "folder"), _param(request, "name")
    if "/" in name or "\\" in name:
        raise Refused(400, tr("{name}: a file name, without folders", name=repr(name)))
    file_id = f"{folder}/{name}"
    path = folders.path(file_id, EXPORTS)
    if path.exists():
        raise Refused(409, tr("{name} is already in the folder: rename the file, or open it",
                              name=name))
    body = await _body(request, limits().max_file_mb * MB)
    with open(path, "xb") as out:  # never over a file that appeared meanwhile
        out.write(body)
    return JSONResponse({"file": file_id, "name": name}, status_code=201)


# --- the hot folders -----------------------------------------------------------------------


async def _watch_page(request: Request) -> Response:
    _hot(request)
    return _html("watch.html")


async def _watch(request: Request) -> Response:
    hot = _hot(request)
    answer = await anyio.to_thread.run_sync(hot.status)
    return JSONResponse(answer)


async def _retry(request: Request) -> Response:
    hot = _hot(request)
    asked = await _json(request)
    route, file = _text(asked, "route"), _text(asked, "file")
    try:
        answer = await anyio.to_thread.run_sync(lambda: hot.retry(route, file))
    except NotRetried as exc:
        raise Refused(404, str(exc)) from None
    return JSONResponse(answer)


def _hot(request: Request) -> HotFolders:
    hot: HotFolders | None = request.app.state.hot
    if hot is None:
        raise Refused(404, tr("no hot folders here: start the studio with --watch CONFIG"))
    return hot


# --- requests -----------------------------------------------------------------------------


def _folders(request: Request) -> Folders:
    folders: Folders = request.app.state.folders
    return folders


def _param(request: Request, name: str) -> str:
    value = request.query_params.get(name)
    if not value:
        raise Refused(400, f"the request needs {name}=")  # i18n: the page never sends it
    return value


def _text(asked: dict[str, Any], name: str) -> str:
    value = asked.get(name)
    if not isinstance(value, str):
        raise Refused(400, f"the request needs {name!r} as text")  # i18n: as above
    return value


async def _body(request: Request, bound: int) -> bytes:
    """The request's body, refused as soon as it goes over `bound` bytes."""
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > bound:
            raise Refused(413, tr("the request is over {size} KB", size=f"{bound // 1024:,}"))
        chunks.append(chunk)
    return b"".join(chunks)


async def _json(request: Request) -> dict[str, Any]:
    body = await _body(request, limits().max_mapping_kb * 1024 + JSON_KB * 1024)
    try:
        asked = json.loads(body)
    except ValueError:
        raise Refused(400, "the request is not JSON") from None  # i18n: the page sends JSON
    if not isinstance(asked, dict):
        raise Refused(400, "the request is not a JSON object")  # i18n: as above
    return asked


async def _refused(request: Request, exc: Exception) -> Response:
    status = exc.status if isinstance(exc, Refused) else 400
    return JSONResponse({"error": str(exc)}, status_code=status)


async def _outside(request: Request, exc: Exception) -> Response:
    return JSONResponse({"error": str(exc)}, status_code=403)

