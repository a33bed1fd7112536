"""Credentials and settings for talking to Yuki: environment variables, then a config file.

Never from a mapping file: a mapping is shared and committed, an access key is not.

    YUKI_ACCESS_KEY        the webservice access key (Yuki: Settings > Webservices)
    YUKI_BASE_URL          default https://api.yukiworks.nl/ws/ (Belgium: BASE_URL_BE)
    YUKI_ADMINISTRATION    administration name or ID used when a command names none
    YUKI_DOMAIN            domain ID (or name) for keys that span several domains
    YUKIMAP_DAILY_BUDGET   how many calls a day yukimap may make per domain (default 1000)
    YUKIMAP_STATE          folder for the call counter, session cache and caches
    YUKIMAP_DEADLINE_SCALE multiplies the time limit of every call (transport.TIME_LIMITS)
    YUKIMAP_CONFIG         another config file than the default one

The config file (platformdirs user_config_dir("yukimap")/config.yaml) takes the same keys
in lower case, e.g. `yuki_access_key: ...`. The environment wins over the file.
The key is held in a `Secret`, whose str, repr and format never show it.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import math
import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, NoReturn

from yukimap.errors import MappingError, SettingsError
from yukimap.i18n import tr

log = logging.getLogger(__name__)

BASE_URL_NL = "https://api.yukiworks.nl/ws/"
BASE_URL_BE = "https://api.yukiworks.be/ws/"
DEFAULT_DAILY_BUDGET = 1000  # Yuki's free limit per domain per day
MAX_DAILY_BUDGET = 10000  # the "Yuki Webservice Extended" add-on

ENV_NAMES = {
    "access_key": "YUKI_ACCESS_KEY",
    "base_url": "YUKI_BASE_URL",
    "administration": "YUKI_ADMINISTRATION",
    "domain": "YUKI_DOMAIN",
    "daily_budget": "YUKIMAP_DAILY_BUDGET",
    "state_dir": "YUKIMAP_STATE",
    "deadline_scale": "YUKIMAP_DEADLINE_SCALE",
}
CONFIG_ENV = "YUKIMAP_CONFIG"


class Secret:
    """A credential. Only `reveal()` gives the value; nothing else prints it."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        if not value or not value.strip():
            # i18n: a guard; an empty key from the settings is told by _convert
            raise ValueError("a secret cannot be empty")
        self._value = value.strip()

    def reveal(self) -> str:
        return self._value

    def fingerprint(self) -> str:
        """A short one-way hash: tells keys apart in state files without storing them."""
        return hashlib.sha256(self._value.encode()).hexdigest()[:12]

    def __repr__(self) -> str:
        return "Secret('***')"

    def __str__(self) -> str:
        return "***"

    def __format__(self, spec: str) -> str:
        return "***"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and hmac.compare_digest(self._value, other._value)

    def __hash__(self) -> int:
        return hash(self._value)

    def __reduce__(self) -> NoReturn:
        raise TypeError("a Secret cannot be pickled")  # i18n: a programming error


def default_config_path() -> Path:
    from platformdirs import user_config_dir

    return Path(user_config_dir("yukimap")) / "config.yaml"


def default_state_dir() -> Path:
    from platformdirs import user_state_dir

    return Path(user_state_dir("yukimap"))


@dataclass(frozen=True)
class Settings:
    """Everything the client needs; `sources` says where each value came from."""

    access_key: Secret | None = None
    base_url: str = BASE_URL_NL
    administration: str | None = None
    domain: str | None = None
    daily_budget: int = DEFAULT_DAILY_BUDGET
    state_dir: Path = field(default_factory=default_state_dir)
    connect_timeout: float = 15.0  # at most; a call's own time limit may leave less
    # Multiplies each call's time limit (transport.TIME_LIMITS): a lookup 30 s, a journal
    # 120 s, sales invoices 60 s + 1.5 s each (at most 900 s).
    deadline_scale: float = 1.0
    sources: Mapping[str, str] = field(default_factory=dict, compare=False)

    def require_access_key(self) -> Secret:
        if self.access_key is None:
            raise SettingsError(
                tr("no Yuki access key is configured"),
                hint=tr("set {variable}, or put yuki_access_key in {path} (readable only by"
                        " you). Create a key in Yuki under Settings > Webservices; to try"
                        " yukimap without one, run `yukimap sandbox`.",
                        variable=ENV_NAMES["access_key"], path=default_config_path()),
            )
        return self.access_key

    def with_changes(self, **changes: Any) -> Settings:
        return replace(self, **changes)


def load_settings(
    env: Mapping[str, str] | None = None,
    config_path: Path | None = None,
    **overrides: Any,
) -> Settings:
    """Settings from `overrides` > environment > config file > defaults."""
    env = os.environ if env is None else env
    path = config_path or (Path(env[CONFIG_ENV]) if env.get(CONFIG_ENV) else None)
    raw: dict[str, tuple[Any, str]] = {}
    file_values = _read_config(path or default_config_path(), required=path is not None)
    for key, (value, source) in file_values.items():
        raw[key] = (value, source)
    for key, name in ENV_NAMES.items():
        if env.get(name, "").strip():
            raw[key] = (env[name], name)
    for key, value in overrides.items():
        if value is not None:
            raw[key] = (value, "option")
    return _build(raw)


def _read_config(path: Path, *, required: bool) -> dict[str, tuple[Any, str]]:
    if not (path.exists() if required else path.is_file()):
        if required:
            raise SettingsError(tr("config file not found: {path}", path=path))
        return {}
    data = read_config_file(path) or {}
    if not isinstance(data, dict):
        raise SettingsError(tr("the config file {path} must be a mapping of keys to values",
                               path=path))
    by_file_key = {name.lower(): key for key, name in ENV_NAMES.items()}
    unknown = sorted(str(k) for k in data if str(k) not in by_file_key)
    if unknown:
        raise SettingsError(
            tr("unknown key(s) in {path}: {keys}", path=path, keys=", ".join(unknown)),
            hint=tr("known keys: {keys}", keys=", ".join(sorted(by_file_key))),
        )
    if "yuki_access_key" in data and path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        log.warning(tr("{path} holds an access key and is readable by others; chmod 600 it",
                       path=path))
    return {by_file_key[k]: (v, str(path)) for k, v in data.items() if v is not None}


def read_config_file(path: Path) -> object:
    """A config file's plain data, read within the bounds of every YAML file yukimap reads
    (size, nesting, aliases), with YAML 1.1's types as before."""
    from yukimap.yamlsrc import load_yaml_file

    try:
        return load_yaml_file(path, what="config file", typed=True).data
    except MappingError as exc:
        raise SettingsError(exc.message, hint=exc.hint, problems=exc.problems) from None


def _build(raw: Mapping[str, tuple[Any, str]]) -> Settings:
    values: dict[str, Any] = {}
    sources = {key: source for key, (_, source) in raw.items()}
    for key, (value, source) in raw.items():
        values[key] = _convert(key, value, source)
    return Settings(**values, sources=sources)


def _convert(key: str, value: Any, source: str) -> Any:
    if key == "access_key":
        if isinstance(value, Secret):
            return value
        try:
            return Secret(str(value))
        except ValueError:
            raise SettingsError(tr("the access key from {source} is empty",
                                   source=_shown(source))) from None
    if key == "base_url":
        return normalize_base_url(str(value), source)
    if key == "daily_budget":
        return _budget(value, source)
    if key == "state_dir":
        return Path(str(value)).expanduser()
    if key == "deadline_scale":
        return _scale(value, source)
    text = str(value).strip()
    return text or None


def _shown(source: str) -> str:
    """Where a value came from, for a message: "option" (as status --json says it) is the
    command line's option, in the language of the run."""
    return tr("option") if source == "option" else source


def normalize_base_url(url: str, source: str | None = None) -> str:
    url = url.strip()
    if not url.startswith(("https://", "http://")) or url.lower().endswith(".asmx"):
        raise SettingsError(
            tr("not a Yuki base URL ({source}): {url}",
               source=tr("the base URL") if source is None else _shown(source), url=repr(url)),
            hint=tr("give the folder of the services, e.g. {nl} or {be}", nl=BASE_URL_NL,
                    be=BASE_URL_BE),
        )
    return url if url.endswith("/") else url + "/"


def _budget(value: Any, source: str) -> int:
    try:
        budget = int(str(value).strip())
    except ValueError:
        raise SettingsError(tr("the daily budget from {source} is not a whole number",
                               source=_shown(source))) from None
    if not 1 <= budget <= MAX_DAILY_BUDGET:
        raise SettingsError(
            tr("the daily budget from {source} must be between 1 and {most}",
               source=_shown(source), most=MAX_DAILY_BUDGET),
            hint=tr("Yuki allows 1000 calls a day per domain, 5000 or 10000 with a paid"
                    " add-on"),
        )
    return budget


def _scale(value: Any, source: str) -> float:
    text = str(value).strip()
    try:
        scale = float(text)
    except ValueError:
        scale = math.nan
    if not (math.isfinite(scale) and scale > 0):
        raise SettingsError(
            tr("the deadline scale from {source} is not a number above 0: {value}",
               source=_shown(source), value=repr(text)),
            hint=tr("it multiplies every time limit of a call to Yuki: 2 waits twice as long,"
                    " 0.5 half (README: Sending to Yuki)"),
        )
    return scale


def ensure_state_dir(path: Path) -> Path:
    """Create the state folder, readable only by the user (it holds session IDs)."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path
