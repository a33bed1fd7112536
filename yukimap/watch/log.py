"""The daemon's log: one line per event, as text or JSON, to stderr."""

from __future__ import annotations

import json
import sys
import threading
from datetime import UTC, datetime
from typing import Any, TextIO


class Log:
    """One line per event, as text or JSON, to stderr. Never given a secret: only names,
    states and messages that the client already redacted."""

    def __init__(self, fmt: str, stream: TextIO | None = None) -> None:
        self.fmt = fmt
        self.stream = stream or sys.stderr
        self._lock = threading.Lock()

    def __call__(self, event: str, **fields: Any) -> None:
        stamp = datetime.now(UTC).isoformat(timespec="milliseconds")
        shown = {k: v for k, v in fields.items() if v is not None}
        if self.fmt == "json":
            line = json.dumps({"time": stamp, "event": event, **shown}, default=str,
                              ensure_ascii=False)
        else:
            parts = " ".join(f"{k}={_quoted(v)}" for k, v in shown.items())
            line = f"{stamp} {event} {parts}".rstrip()
        with self._lock:
            self.stream.write(line + "\n")
            self.stream.flush()


def _quoted(value: Any) -> str:
    text = str(value)
    return json.dumps(text, ensure_ascii=False) if (not text or " " in text or "=" in text
                                                    or '"' in text) else text
