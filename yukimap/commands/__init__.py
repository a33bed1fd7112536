"""One module per CLI command; each has `run(**options) -> int` (an exit code)."""
