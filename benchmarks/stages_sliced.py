"""Where a big file's time goes when it is converted a slice at a time (yukimap/sliced.py),
measured inside one fresh process: the reading of the slices (by a third thread, a slice
ahead) and their mapping (by a second thread, beside the rendering), the rendering (the
wall time but for the waits for the next slice, while the validators check the text as it
comes), those waits, and the CPU of the validators beside it (threads of this process, or
processes where libxml2's own validator cannot be reached). The whole process is timed from
outside by bench_targets.py, with its peak memory (a process started by another carries
its parent's high-water mark in its own, so this one does not report one); this says what
the figure is made of.

Run: `.venv/bin/python benchmarks/stages_sliced.py FILE MAPPING` (prints one line of JSON).
"""

from __future__ import annotations

import json
import resource
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


def stages(path: Path, mapping_path: Path) -> dict[str, float]:
    import yukimap.sliced as sliced
    from yukimap.render.bounds import Deadline
    from yukimap.schema import load_mapping

    spent = {"read": 0.0, "map": 0.0, "slices": 0.0, "waited": 0.0, "validators": 0.0}
    tables = sliced._whole_documents
    mapped = sliced._Run._mapped

    def timed_tables(*args: Any) -> Iterator[Any]:
        found = tables(*args)
        while True:
            started = time.perf_counter()
            table = next(found, None)
            spent["read"] += time.perf_counter() - started
            if table is None:
                return
            spent["slices"] += 1
            yield table

    def timed_mapped(run: Any, table: Any) -> Any:
        started = time.perf_counter()
        try:
            return mapped(run, table)
        finally:
            spent["map"] += time.perf_counter() - started

    paused = Deadline.paused

    @contextmanager
    def timed_wait(deadline: Deadline) -> Iterator[None]:
        started = time.perf_counter()
        with paused(deadline):
            yield
        spent["waited"] += time.perf_counter() - started

    # The validators: threads of this process (libxml2's own validator), or processes.
    from yukimap.validate.streaming import Pushed

    feed, close = Pushed.feed, Pushed.close

    def timed_feed(check: Pushed, data: bytes, start: int = 0, end: int | None = None) -> None:
        started = time.thread_time()
        feed(check, data, start, end)
        spent["validators"] += time.thread_time() - started

    def timed_close(check: Pushed) -> bool:
        started = time.thread_time()
        try:
            return close(check)
        finally:
            spent["validators"] += time.thread_time() - started

    Pushed.feed, Pushed.close = timed_feed, timed_close  # type: ignore[method-assign]
    sliced._whole_documents = timed_tables
    sliced._Run._mapped = timed_mapped  # type: ignore[method-assign]
    Deadline.paused = timed_wait  # type: ignore[method-assign,assignment]
    mapping = load_mapping(mapping_path)
    with tempfile.TemporaryDirectory() as folder:
        started, cpu = time.perf_counter(), time.process_time()
        summary = sliced.convert_in_slices(path, mapping, Path(folder) / "out.xml")
        wall = time.perf_counter() - started
    assert summary is not None, "the file was not converted in slices"
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"wall": wall, "cpu": time.process_time() - cpu, "slices": spent["slices"],
            "read": spent["read"], "map": spent["map"], "render": wall - spent["waited"],
            "waited": spent["waited"],
            "validators_cpu": spent["validators"] + children.ru_utime + children.ru_stime}


if __name__ == "__main__":
    print(json.dumps(stages(Path(sys.argv[1]), Path(sys.argv[2]))))
