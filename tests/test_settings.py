"""Settings from environment and config file; the Secret type never shows its value."""

from __future__ import annotations

import logging
import pickle
from pathlib import Path

import pytest

from yukimap.errors import SettingsError
from yukimap.settings import BASE_URL_NL, Secret, load_settings

KEY = "SECRET-ACCESS-KEY-0123456789"


def test_secret_never_shows_its_value() -> None:
    secret = Secret(KEY)
    shown = [str(secret), repr(secret), f"{secret}", f"{secret!r}", f"{secret:>40}",
             "%s" % secret, str([secret]), str({"k": secret})]  # noqa: UP031
    assert all(KEY not in text for text in shown)
    assert secret.reveal() == KEY and secret == Secret(KEY) and secret != Secret("other")
    assert KEY not in secret.fingerprint() and len(secret.fingerprint()) == 12
    with pytest.raises(TypeError):
        pickle.dumps(secret)
    with pytest.raises(ValueError):
        Secret("  ")


def test_environment_wins_over_config_file(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(f"yuki_access_key: from-file\nyuki_administration: Bakkerij\n"
                      f"yukimap_daily_budget: 800\nyukimap_state: {tmp_path / 's'}\n")
    config.chmod(0o600)
    env = {"YUKI_ACCESS_KEY": KEY, "YUKI_BASE_URL": "https://api.yukiworks.be/ws"}
    settings = load_settings(env=env, config_path=config)
    assert settings.access_key == Secret(KEY)
    assert settings.base_url == "https://api.yukiworks.be/ws/"
    assert settings.administration == "Bakkerij" and settings.daily_budget == 800
    assert settings.state_dir == tmp_path / "s"
    assert settings.sources["access_key"] == "YUKI_ACCESS_KEY"
    assert settings.sources["administration"] == str(config)
    assert KEY not in repr(settings) and KEY not in str(settings)


def test_defaults_and_config_from_env_var(tmp_path: Path) -> None:
    config = tmp_path / "c.yaml"
    config.write_text("yuki_domain: Bakkerij De Korenaar\n")
    settings = load_settings(env={"YUKIMAP_CONFIG": str(config)})
    assert settings.base_url == BASE_URL_NL and settings.daily_budget == 1000
    assert settings.domain == "Bakkerij De Korenaar" and settings.access_key is None
    with pytest.raises(SettingsError, match="no Yuki access key"):
        settings.require_access_key()


@pytest.mark.parametrize("text, message", [
    ("yuki_acces_key: typo\n", "unknown key"),
    ("- a list\n", "must be a mapping"),
    ("yukimap_daily_budget: 20000\n", "between 1 and 10000"),
    ("yukimap_daily_budget: many\n", "whole number"),
    ("yuki_base_url: api.yukiworks.nl\n", "not a Yuki base URL"),
    ("yuki_base_url: https://api.yukiworks.nl/ws/Sales.asmx\n", "not a Yuki base URL"),
])
def test_bad_config_files(tmp_path: Path, text: str, message: str) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(text)
    with pytest.raises(SettingsError, match=message):
        load_settings(env={}, config_path=config)


def test_readable_config_with_a_key_warns(tmp_path: Path,
                                          caplog: pytest.LogCaptureFixture) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(f"yuki_access_key: {KEY}\n")
    config.chmod(0o644)
    with caplog.at_level(logging.WARNING):
        load_settings(env={}, config_path=config)
    assert "chmod 600" in caplog.text and KEY not in caplog.text
