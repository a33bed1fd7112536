"""`make demo`: the main job end to end, on the examples, into the Yuki sandbox.

1. Start the sandbox (a local stand-in for Yuki; its data persists in .demo/).
2. For every example in examples/ with a mapping of the same name in mappings/: show what
   the conversion amounts to (a dry run), then send it, and show the receipt.
3. Show what the sandbox received, and yukimap's status (calls, sends).
4. The hot-folder daemon: start `yukimap watch` on a demo folder, drop an export into it,
   and show it arrive in the sandbox and in archive/.
5. Say how to open `yukimap studio` on copies of the examples (in .demo/studio/).

Run it twice: the second run sends nothing, because every document is already in "Yuki".
Everything stays in .demo/ (`make clean` removes it); nothing touches a real Yuki.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / ".demo"
ADMINISTRATION = "Bakkerij De Korenaar B.V."  # in the sandbox's default configuration
DOMAIN_KEY = "5a4db0c5-0000-4e00-8000-00000000d001"  # the sandbox's (fake) domain key


def yukimap(*args: str, env: dict[str, str], check: bool = True) -> int:
    print("$ yukimap " + " ".join(args), flush=True)
    code = subprocess.run([sys.executable, "-m", "yukimap", *args], cwd=ROOT, env=env).returncode
    print(flush=True)
    if check and code not in (0, 1):
        raise SystemExit(f"yukimap {args[0]} failed with exit code {code}")
    return code


def start_sandbox(env: dict[str, str]) -> tuple[subprocess.Popen[str], str]:
    """The sandbox on its usual port (the same URL on every run: the session and the
    administration are remembered), or on any free port if that one is taken."""
    for port in ("8765", "0"):
        process = subprocess.Popen(
            [sys.executable, "-m", "yukimap", "sandbox", "--port", port, "--db",
             str(DEMO / "sandbox.sqlite")], cwd=ROOT, env=env, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True)
        assert process.stdout is not None
        for line in process.stdout:
            found = re.search(r"URL:\s+(\S+)", line)
            if found:
                return process, found.group(1)
        process.wait()
    raise SystemExit("the sandbox did not start")


def examples() -> list[tuple[Path, str]]:
    found = []
    for example in sorted((ROOT / "examples").iterdir()):
        mapping = ROOT / "mappings" / f"{example.stem}.yaml"
        if example.suffix in (".csv", ".xlsx", ".xls", ".ods") and mapping.exists():
            found.append((example, example.stem))
    return found


def hot_folder(env: dict[str, str]) -> None:
    """Start the daemon on .demo/hotfolder/, drop a new export in, watch it arrive."""
    import shutil
    import time

    folder = DEMO / "hotfolder"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    config = DEMO / "watch.yaml"
    config.write_text("version: 1\n"
                      "defaults: {stable_seconds: 1, rescan_seconds: 10}\n"
                      "routes:\n"
                      "  - name: webshop\n"
                      "    folder: hotfolder\n"
                      "    patterns: ['*.csv']\n"
                      "    mapping: webshop-orders\n"
                      f"    administration: {ADMINISTRATION}\n")
    print("$ yukimap watch .demo/watch.yaml   (the hot-folder daemon, in the background)",
          flush=True)
    daemon = subprocess.Popen([sys.executable, "-m", "yukimap", "watch", str(config)],
                              cwd=ROOT, env=env)
    try:
        # A new export each run (its own order numbers), written elsewhere, then moved in.
        stamp = time.strftime("%H%M%S")
        text = (ROOT / "examples" / "webshop-orders.csv").read_text(encoding="utf-8-sig")
        export = text.replace("2024-10", f"D{stamp}-")
        staging = DEMO / f"orders-{stamp}.csv"
        staging.write_text(export, encoding="utf-8")
        target = folder / staging.name
        print(f"\ndropping {staging.name} into .demo/hotfolder/ ...", flush=True)
        staging.replace(target)
        deadline = time.monotonic() + 60
        archived: list[Path] = []
        while time.monotonic() < deadline and not archived:
            time.sleep(0.2)
            archived = sorted((folder / "archive").rglob("*.csv"))
        if not archived:
            raise SystemExit("the daemon did not archive the file in time")
        print(f"\narchived: {archived[0].relative_to(ROOT)}\n", flush=True)
        yukimap("sandbox", "--list", "--db", str(DEMO / "sandbox.sqlite"), env=env)
        yukimap("status", env=env)
    finally:
        daemon.terminate()
        daemon.wait(timeout=40)


def main() -> int:
    DEMO.mkdir(exist_ok=True)
    (DEMO / "config.yaml").write_text("{}\n")  # not the user's own settings
    env = {**os.environ, "YUKIMAP_STATE": str(DEMO / "state"),
           "YUKIMAP_CONFIG": str(DEMO / "config.yaml"), "PYTHONUNBUFFERED": "1"}
    env.pop("YUKI_ADMINISTRATION", None)
    env.pop("YUKI_DOMAIN", None)
    sandbox, url = start_sandbox(env)
    env |= {"YUKI_BASE_URL": url, "YUKI_ACCESS_KEY": DOMAIN_KEY}
    print(f"The Yuki sandbox runs at {url} (fake keys; data in .demo/).\n", flush=True)
    try:
        for example, mapping in examples():
            rel = str(example.relative_to(ROOT))
            yukimap("send", rel, "--mapping", mapping, "--administration", ADMINISTRATION,
                    "--dry-run", env=env)
            yukimap("send", rel, "--mapping", mapping, "--administration", ADMINISTRATION,
                    env=env)
        yukimap("sandbox", "--list", "--db", str(DEMO / "sandbox.sqlite"), env=env)
        yukimap("status", env=env)
        hot_folder(env)
    finally:
        sandbox.terminate()
        sandbox.wait(timeout=10)
    print("Run `make demo` again: it sends nothing, as everything is already in the sandbox"
          " (only the hot-folder demo drops a new export each time).")
    print_studio()
    return 0


def print_studio() -> None:
    """How to open the studio on the examples: copies in .demo/studio/, so that what is
    saved there (a mapping beside its export) leaves the shipped examples as they are."""
    folder = DEMO / "studio"
    folder.mkdir(exist_ok=True)
    for example, _ in examples():
        if not (folder / example.name).exists():
            shutil.copy(example, folder / example.name)
    print("\nTo build or change a mapping on these examples in your browser (each opens with"
          "\nits shipped mapping; an export of another name starts from yukimap init's"
          "\nstarter; Save keeps yours beside the export, Approve as test keeps a test case):\n"
          f"    .venv/bin/yukimap studio {folder.relative_to(ROOT)}\n"
          "and with the hot folders of the daemon above (its page /watch: the file it"
          " archived;\nthe daemon has stopped, as the page says):\n"
          f"    .venv/bin/yukimap studio {folder.relative_to(ROOT)} --watch"
          f" {(DEMO / 'watch.yaml').relative_to(ROOT)} --state {(DEMO / 'state').relative_to(ROOT)}")


if __name__ == "__main__":
    sys.exit(main())
