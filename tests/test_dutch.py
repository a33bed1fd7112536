"""Dutch as a user asks for it: --lang, YUKIMAP_LANG, the locale; English stays the default."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import build_files, run_cli


def test_lang_nl_speaks_dutch_and_english_is_the_default(tmp_path: Path) -> None:
    files = build_files(tmp_path, {"m.yaml": "target: nonsense\n"})
    english = run_cli("check", files["m.yaml"])
    dutch = run_cli("--lang", "nl", "check", files["m.yaml"])
    assert english.code == dutch.code == 1
    assert "1 problem in the mapping" in english.stderr
    assert "1 probleem in de mapping" in dutch.stderr
    again = run_cli("check", files["m.yaml"])
    assert again.stderr == english.stderr


def test_the_environment_chooses_when_no_option_does(tmp_path: Path) -> None:
    files = build_files(tmp_path, {"m.yaml": "target: nonsense\n"})
    env = {**os.environ, "YUKIMAP_LANG": "", "LC_ALL": "", "LC_MESSAGES": "", "LANG": "nl_NL.UTF-8"}
    by_locale = subprocess.run([sys.executable, "-m", "yukimap", "check", str(files["m.yaml"])],
                               capture_output=True, text=True, env=env, check=False)
    assert "1 probleem in de mapping" in by_locale.stderr, by_locale.stderr
    env["YUKIMAP_LANG"] = "en"
    by_setting = subprocess.run([sys.executable, "-m", "yukimap", "check", str(files["m.yaml"])],
                                capture_output=True, text=True, env=env, check=False)
    assert "1 problem in the mapping" in by_setting.stderr, by_setting.stderr
