"""The owners and delivery settings of `watch --notify`, read from the config's [owners]
and [notify] tables (dashboard/defaults.toml documents both). Secrets never come from the
file: the Wacht API key and webhook URLs are read from environment variables it names."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

from template_noise.config import Config, ConfigError

_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
DEFAULT_OWNER = "default"


@dataclass(frozen=True)
class Owner:
    """Who receives a template's alerts: Wacht user ids and/or a webhook."""

    name: str
    templates: tuple[str, ...]  # globs over template keys; the default owner has none
    users: tuple[str, ...]
    webhook_env: str | None  # the environment variable holding the webhook URL


@dataclass(frozen=True)
class NotifySettings:
    wacht_url: str
    api_key_env: str
    dashboard_url: str
    expires_hours: float
    timeout_seconds: float
    attempts: int
    backoff_seconds: float
    max_backoff_seconds: float


def _strings(entry: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = entry.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ConfigError(f"{where}: '{key}' must be an array of non-empty strings")
    return tuple(v.strip() for v in value)


def _env_name(value: Any, where: str) -> str:
    if not isinstance(value, str) or not _ENV_NAME.fullmatch(value):
        raise ConfigError(f"{where}: must name an environment variable, got {value!r}")
    return value


def owners(config: Config) -> list[Owner]:
    """The configured owners in file order, the default one last."""
    out = []
    for name, entry in config.owners.items():
        where = f"{config.source}: owners.{name}"
        if not isinstance(entry, Mapping):
            raise ConfigError(f"{where}: must be a table with users and/or webhook_env")
        unknown = set(entry) - {"templates", "users", "webhook_env"}
        if unknown:  # a webhook_url or api_key here would be a secret in a file: refused
            raise ConfigError(
                f"{where}: unknown keys {sorted(unknown)} (secrets come from the environment)"
            )
        templates = _strings(entry, "templates", where)
        if name != DEFAULT_OWNER and not templates:
            raise ConfigError(f"{where}: 'templates' (globs) is required but for the default")
        webhook = entry.get("webhook_env")
        owner = Owner(
            name=str(name),
            templates=templates,
            users=_strings(entry, "users", where),
            webhook_env=_env_name(webhook, f"{where}.webhook_env") if webhook else None,
        )
        if not owner.users and owner.webhook_env is None:
            raise ConfigError(f"{where}: give users and/or webhook_env")
        out.append(owner)
    return sorted(out, key=lambda o: o.name == DEFAULT_OWNER)


def owner_for(found: list[Owner], template: str) -> Owner | None:
    """The first owner whose globs match the template, else the default owner, else None."""
    for owner in found:
        if owner.name == DEFAULT_OWNER or any(fnmatchcase(template, g) for g in owner.templates):
            return owner
    return None


def notify_settings(config: Config) -> NotifySettings:
    raw = config.notify
    where = f"{config.source}: [notify]"

    def number(key: str, minimum: float = 0) -> float:
        value = raw[key]
        if isinstance(value, bool) or not isinstance(value, int | float) or value < minimum:
            raise ConfigError(f"{where}: '{key}' must be a number >= {minimum:g}")
        return float(value)

    for key in ("wacht_url", "dashboard_url"):
        if not isinstance(raw[key], str) or not re.match(r"https?://", raw[key]):
            raise ConfigError(f"{where}: '{key}' must be an http(s) URL")
    return NotifySettings(
        wacht_url=raw["wacht_url"].rstrip("/"),
        api_key_env=_env_name(raw["api_key_env"], f"{where} api_key_env"),
        dashboard_url=raw["dashboard_url"].rstrip("/"),
        expires_hours=number("expires_hours", 1),
        timeout_seconds=number("timeout_seconds", 0.001),
        attempts=int(number("attempts", 1)),
        backoff_seconds=number("backoff_seconds"),
        max_backoff_seconds=number("max_backoff_seconds"),
    )
