"""A local stand-in for Yuki's SOAP webservices, for tests, demos and trying yukimap.

`yukimap sandbox` runs it; tests start a `SandboxServer` on a free port. It speaks the
same SOAP 1.1 as Yuki for the operations yukimap uses, judges documents like Yuki is
documented to, and stores what it accepted. Where Yuki's behaviour is undocumented, the
module docstrings of service.py and documents.py list what the sandbox assumes.
"""

from __future__ import annotations

from yukimap.sandbox.config import SandboxConfig, load_config
from yukimap.sandbox.server import SandboxServer
from yukimap.sandbox.store import SandboxStore

__all__ = ["SandboxConfig", "SandboxServer", "SandboxStore", "load_config"]
