"""The studio's worker: a process of its own that runs the page's dry runs, each within a
time bound, so that a slow or huge file never hangs the page.

One process is started when the studio starts (importing polars and the stages once, not
per request) and runs one job at a time. A job that runs out of time is not waited for: the
process is ended, its answer says so, and the next job starts a fresh process. A worker that
dies (memory, a crash) is replaced the same way.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import threading
import traceback
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

from yukimap.i18n import Language, tr
from yukimap.limits import MB, limits

SECONDS = 30.0  # a dry run of a real export takes well under a second
Json = dict[str, Any]

# "spawn": a fresh interpreter, never a fork of the server with its threads (polars' pool).
_CONTEXT = multiprocessing.get_context("spawn")


class Worker:
    """Runs the page's jobs (a dry run, a rendering, a trace, an approval) in a process of
    its own, each within `seconds`."""

    def __init__(self, seconds: float = SECONDS) -> None:
        from yukimap.i18n import language

        self.language = language()  # the studio's: its workers speak it too
        self.seconds = seconds
        self._lock = threading.Lock()
        self._process: Any = None
        self._conn: Connection | None = None

    def start(self) -> None:
        """Start the process now, so the first dry run does not wait for its imports."""
        with self._lock:
            self._ensure()

    def run(self, job: str, cwd: str, **kwargs: Any) -> Json:
        """The answer of `job` run in the folder `cwd`, or one that says why there is none."""
        with self._lock:
            conn = self._ensure()
            try:
                conn.send((job, cwd, kwargs))
                if conn.poll(self.seconds):
                    answer: Json = conn.recv()
                    return answer
            except (EOFError, OSError):
                self._end()
                return _out_of_memory()
            self._end()
            return _stopped(tr("the dry run took longer than {seconds} seconds and was stopped",
                               seconds=f"{self.seconds:g}"),
                            tr("check a smaller part of the file first, or run yukimap check"
                               " MAPPING --sample FILE, which has no time limit"))

    def stop(self) -> None:
        with self._lock:
            if self._conn is not None:
                with contextlib.suppress(OSError):
                    self._conn.send(None)
            self._end()

    def _ensure(self) -> Connection:
        if self._process is None or not self._process.is_alive():
            self._end()
            mine, theirs = _CONTEXT.Pipe()
            self._process = _CONTEXT.Process(target=_serve, args=(theirs, self.language),
                                             daemon=True,
                                             name="yukimap-studio-worker")
            self._process.start()
            theirs.close()
            self._conn = mine
        assert self._conn is not None
        return self._conn

    def _end(self) -> None:
        if self._process is not None:
            self._process.kill()
            self._process.join(5)
        if self._conn is not None:
            self._conn.close()
        self._process, self._conn = None, None


def _out_of_memory() -> Json:
    return _stopped(tr("the dry run stopped unexpectedly (out of memory?)"),
                    tr("a dry run here may use {mb} MB (YUKIMAP_MAX_DRY_RUN_MB); check a big"
                       " file with yukimap check MAPPING --sample FILE, which reads it a slice"
                       " at a time", mb=f"{limits().max_dry_run_mb:,}"))


def _bound_memory() -> None:
    """The worker's memory, bounded (YUKIMAP_MAX_DRY_RUN_MB): a file too big to read whole
    ends this process, which the studio replaces, instead of filling the machine. Where
    the system has no such bound (Windows), the time bound is the only one."""
    try:
        import resource
    except ImportError:
        return
    wanted = limits().max_dry_run_mb * MB
    _, hard = resource.getrlimit(resource.RLIMIT_DATA)
    resource.setrlimit(resource.RLIMIT_DATA, (
        wanted if hard == resource.RLIM_INFINITY else min(wanted, hard), hard))


def _stopped(message: str, hint: str) -> Json:
    return {"stage": "stopped", "message": message, "hint": hint, "problems": [],
            "grid": None}


def _serve(conn: Connection, lang: Language = "en") -> None:
    """The worker's loop: a job in, its answer out, until None or the pipe closes; in the
    studio's language `lang`."""
    from yukimap.i18n import set_language
    from yukimap.studio import dryrun, keep, starters, why

    set_language(lang)
    _bound_memory()
    jobs: dict[str, Callable[..., Json]] = {
        "check": dryrun.check, "render": dryrun.render, "why": why.why,
        "approve": keep.approve_case, "starter": starters.init_starter}
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        job, cwd, kwargs = message
        try:
            os.chdir(cwd)
            answer = jobs[job](**kwargs)
        except MemoryError:  # what polars could not have is a crash; Python's, an answer
            answer = _out_of_memory()
        except Exception:  # a bug in yukimap: the page says so, the worker goes on
            answer = {"stage": "bug", "problems": [], "grid": None,
                      "message": tr("yukimap hit an internal error. This is a bug in yukimap,"
                                    " not in your data; please report it with the text below."),
                      "hint": traceback.format_exc()}
        conn.send(answer)
