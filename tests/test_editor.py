"""The editor's side, with the real yaml-language-server (the language server of VS Code's
YAML extension): a mapping whose first line names ./mapping.schema.json gets, offline, the
marks and completions the schema promises. Runs where the server is installed
(`npm install yaml-language-server`; YUKIMAP_YAML_LANGUAGE_SERVER names its executable, else
it is looked up on the PATH); skipped elsewhere."""

from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
import threading
import time
from pathlib import Path
from typing import IO, Any

import pytest

from tests.conftest import build_files
from yukimap.authoring import SCHEMA_URL
from yukimap.schema.json_schema import schema_text

SERVER = os.environ.get("YUKIMAP_YAML_LANGUAGE_SERVER") or shutil.which("yaml-language-server")
pytestmark = pytest.mark.skipif(SERVER is None, reason="yaml-language-server is not installed")
SETTINGS = {"yaml": {"validate": True, "completion": True, "schemaStore": {"enable": False}}}


class _Server:
    """yaml-language-server over stdio: requests out, messages in, its own requests
    answered with the settings."""

    def __init__(self, root: Path) -> None:
        assert SERVER is not None
        self.process = subprocess.Popen([SERVER, "--stdio"], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.inbox: queue.Queue[dict[str, Any]] = queue.Queue()
        assert self.process.stdout is not None
        threading.Thread(target=self._read, args=(self.process.stdout,), daemon=True).start()
        self.send("initialize", {"processId": None, "rootUri": root.as_uri(),
                                 "capabilities": {"workspace": {"configuration": True}}}, 1)
        self.send("initialized", {})
        self.send("workspace/didChangeConfiguration", {"settings": SETTINGS})

    def _read(self, stream: IO[bytes]) -> None:
        while True:
            length = 0
            while (line := stream.readline().decode()) not in ("\r\n", ""):
                if line.lower().startswith("content-length:"):
                    length = int(line.split(":")[1])
            if not line:
                return
            self.inbox.put(json.loads(stream.read(length)))

    def send(self, method: str, params: dict[str, Any], id_: int | None = None) -> None:
        message: dict[str, Any] = {"jsonrpc": "2.0", "method": method, "params": params}
        if id_ is not None:
            message["id"] = id_
        self.write(message)

    def write(self, message: dict[str, Any]) -> None:
        data = json.dumps(message).encode()
        assert self.process.stdin is not None
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(data) + data)
        self.process.stdin.flush()

    def wait(self, wanted: Any, seconds: float = 30) -> dict[str, Any]:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            try:
                message = self.inbox.get(timeout=0.5)
            except queue.Empty:
                continue
            if "id" in message and "method" in message:  # the server asks for its settings
                items = message["params"].get("items", [])
                self.write({"jsonrpc": "2.0", "id": message["id"],
                            "result": [SETTINGS["yaml"] for _ in items] or None})
            elif wanted(message):
                return message
        raise AssertionError("yaml-language-server did not answer in time")

    def close(self) -> None:
        self.process.kill()
        self.process.wait()


def _diagnostics_and_completion(tmp_path: Path, text: str, line: int, column: int,
                                ) -> tuple[list[tuple[int, str]], list[str]]:
    files = build_files(tmp_path, {"mapping.schema.json": schema_text(), "m.yaml": text})
    uri = files["m.yaml"].as_uri()
    server = _Server(tmp_path)
    try:
        server.send("textDocument/didOpen", {"textDocument": {
            "uri": uri, "languageId": "yaml", "version": 1, "text": text}})
        said = server.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics"
                           and m["params"]["diagnostics"])
        server.send("textDocument/completion", {"textDocument": {"uri": uri},
                                                "position": {"line": line, "character": column}},
                    99)
        answer = server.wait(lambda m: m.get("id") == 99)["result"]
    finally:
        server.close()
    marks = sorted((d["range"]["start"]["line"] + 1, d["message"])
                   for d in said["params"]["diagnostics"])
    items = answer["items"] if isinstance(answer, dict) else answer
    return marks, [item["label"] for item in items]


def test_the_editor_marks_mistakes_and_completes_fields_offline(tmp_path: Path) -> None:
    text = (f"# yaml-language-server: $schema={SCHEMA_URL}\n"
            "version: 1\n"
            "target: journal\n"
            "grop_by: Datum\n"
            "journal:\n"
            "  JournalType: General\n"
            "  \n"
            "entries:\n"
            "  EntryDate: {colum: Datum}\n")
    marks, completion = _diagnostics_and_completion(tmp_path, text, 6, 2)
    assert marks == [
        (4, "Property grop_by is not allowed."),
        (6, 'Value is not accepted. Valid values: "GeneralJournal", "EndOfYearCorrection",'
            ' "FiscalCorrection".'),
        (8, 'Missing property "Amount".'),
        (8, 'Missing property "GLAccount".'),
        (9, "Property colum is not allowed."),
    ]
    assert {"AdministrationID", "DocumentSubject", "ProjectCode"} <= set(completion)
