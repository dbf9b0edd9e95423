"""Thresholds, waivers and conventions: a TOML file over the defaults shipped in the package.

`load_config(path)` reads `dashboard/defaults.toml` (documented there), then lays the
user's file over it: any subset of keys may be given, unknown keys are an error (a typo must
not leave a default silently in force). `[[waivers]]`, `[conventions]` and `[[templates]]`
come only from the user's file.
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from template_noise.errors import InputError

SCOPES = ("user", "organization", "workspace")


class ConfigError(InputError):
    """The configuration file cannot be used; the message names the file and the key."""


@dataclass(frozen=True)
class Waiver:
    """A release owner's acceptance of one flag on one template."""

    template: str
    flag: str
    reason: str


@dataclass(frozen=True)
class Convention:
    """The severity and scope a template is expected to use (None: not checked)."""

    severity: str | None = None
    scope: str | None = None


@dataclass(frozen=True)
class TemplateOverride:
    """A title the regular expression `match` finds belongs to the template `name`."""

    match: str
    name: str


@dataclass(frozen=True)
class NoiseScore:
    """Parameters of the noise_score formula (see defaults.toml and metrics.py)."""

    noisy_offset: float
    max_excess: float
    weights: Mapping[str, float]


@dataclass(frozen=True)
class Config:
    min_volume: int
    dedup_window_minutes: int
    stale_days: int
    default_expiry_days: int
    allowed_severities: tuple[str, ...]
    max_data_age_hours: float
    flags: Mapping[str, float]
    checklist: Mapping[str, float]
    noise_score: NoiseScore
    watch: Mapping[str, float] = field(default_factory=dict)
    notify: Mapping[str, Any] = field(default_factory=dict)
    owners: Mapping[str, Any] = field(default_factory=dict)  # read by watch/settings.py
    waivers: tuple[Waiver, ...] = ()
    conventions: Mapping[str, Convention] = field(default_factory=dict)
    templates: tuple[TemplateOverride, ...] = ()
    source: str = "defaults"

    def query_params(self) -> dict[str, Any]:
        """The $parameters of queries/ that come from the configuration."""
        return {
            "dedup_window_minutes": self.dedup_window_minutes,
            "stale_days": self.stale_days,
            "default_expiry_days": self.default_expiry_days,
            "allowed_severities": list(self.allowed_severities),
        }

    def waiver(self, template: str, flag: str) -> Waiver | None:
        """The waiver of `flag` on `template`, if the configuration holds one."""
        return next((w for w in self.waivers if w.template == template and w.flag == flag), None)

    def fingerprint(self) -> str:
        """sha256 of everything that decides a checklist result: thresholds, flags, the noise
        score, waivers and conventions (as canonical JSON). Not the file's path, nor
        max_data_age_hours (a freshness gate, not part of the evaluation): the same effective
        settings give the same fingerprint wherever they were read from."""
        body = {
            "min_volume": self.min_volume,
            "dedup_window_minutes": self.dedup_window_minutes,
            "stale_days": self.stale_days,
            "default_expiry_days": self.default_expiry_days,
            "allowed_severities": sorted(self.allowed_severities),
            "flags": dict(self.flags),
            "checklist": dict(self.checklist),
            "noise_score": asdict(self.noise_score) | {"weights": dict(self.noise_score.weights)},
            "waivers": sorted([w.template, w.flag, w.reason] for w in self.waivers),
            "conventions": {k: asdict(v) for k, v in self.conventions.items()},
        }
        text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(text.encode()).hexdigest()


def _defaults() -> dict[str, Any]:
    text = resources.files("template_noise").joinpath("defaults.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def _merge(base: dict[str, Any], over: Mapping[str, Any], where: str, src: str) -> dict[str, Any]:
    """`over` laid on `base`; every key of `over` must exist in `base` (tables recurse)."""
    out = dict(base)
    for key, value in over.items():
        name = f"{where}{key}"
        if key not in base:
            known = ", ".join(sorted(base))
            raise ConfigError(f"{src}: unknown key '{name}' (known here: {known})")
        if isinstance(base[key], dict):
            if not isinstance(value, Mapping):
                raise ConfigError(f"{src}: '{name}' must be a table")
            out[key] = _merge(base[key], value, f"{name}.", src)
        else:
            out[key] = value
    return out


def _number(raw: dict[str, Any], key: str, src: str, *, integer: bool = False) -> Any:
    value = raw[key]
    ok = isinstance(value, int) if integer else isinstance(value, int | float)
    if isinstance(value, bool) or not ok or value < 0:
        kind = "a non-negative integer" if integer else "a non-negative number"
        raise ConfigError(f"{src}: '{key}' must be {kind}, got {value!r}")
    return value


def _numbers(table: dict[str, Any], where: str, src: str) -> dict[str, float]:
    return {k: float(_number(table, k, f"{src}: [{where}]")) for k in table}


def _text(entry: Mapping[str, Any], key: str, where: str, *, required: bool = True) -> str | None:
    value = entry.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{where}: '{key}' must be a non-empty string")
    return value.strip()


def _waivers(raw: Any, flags: Mapping[str, float], src: str) -> tuple[Waiver, ...]:
    if not isinstance(raw, list):
        raise ConfigError(f"{src}: 'waivers' must be an array of tables ([[waivers]])")
    out = []
    for i, entry in enumerate(raw, 1):
        where = f"{src}: waiver {i}"
        if not isinstance(entry, Mapping):
            raise ConfigError(f"{where}: must be a table with template, flag and reason")
        unknown = set(entry) - {"template", "flag", "reason"}
        if unknown:
            raise ConfigError(f"{where}: unknown keys {sorted(unknown)}")
        flag = str(_text(entry, "flag", where))
        if flag not in flags:
            raise ConfigError(f"{where}: unknown flag '{flag}' (one of {', '.join(flags)})")
        out.append(
            Waiver(str(_text(entry, "template", where)), flag, str(_text(entry, "reason", where)))
        )
    return tuple(out)


def _conventions(raw: Any, src: str) -> dict[str, Convention]:
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{src}: 'conventions' must be a table of templates")
    out = {}
    for template, entry in raw.items():
        where = f"{src}: conventions.{template!r}"
        if not isinstance(entry, Mapping) or set(entry) - {"severity", "scope"}:
            raise ConfigError(f"{where}: must be a table with severity and/or scope")
        severity = _text(entry, "severity", where, required=False)
        scope = _text(entry, "scope", where, required=False)
        if scope is not None and scope not in SCOPES:
            raise ConfigError(f"{where}: scope must be one of {', '.join(SCOPES)}")
        out[str(template)] = Convention(severity.lower() if severity else None, scope)
    return out


def _templates(raw: Any, src: str) -> tuple[TemplateOverride, ...]:
    if not isinstance(raw, list):
        raise ConfigError(f"{src}: 'templates' must be an array of tables ([[templates]])")
    out = []
    for i, entry in enumerate(raw, 1):
        where = f"{src}: templates {i}"
        if not isinstance(entry, Mapping) or set(entry) - {"match", "name"}:
            raise ConfigError(f"{where}: must be a table with match and name")
        match = str(_text(entry, "match", where))
        try:
            re.compile(match)
        except re.error as e:
            raise ConfigError(f"{where}: 'match' is not a regular expression: {e}") from e
        out.append(TemplateOverride(match, str(_text(entry, "name", where))))
    return tuple(out)


def _read(path: str | Path) -> dict[str, Any]:
    try:
        with open(path, "rb") as f:
            return tomllib.load(f)
    except FileNotFoundError as e:
        raise ConfigError(f"{path}: no such config file") from e
    except OSError as e:
        raise ConfigError(f"{path}: cannot read config file: {e.strerror}") from e
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{path}: not valid TOML: {e}") from e


def load_config(
    path: str | Path | None = None, overrides: Mapping[str, Any] | None = None
) -> Config:
    """The defaults, overlaid with the TOML file at `path` and then with `overrides`."""
    raw = _defaults()
    user: dict[str, Any] = _read(path) if path is not None else {}
    src = str(path) if path is not None else "defaults"
    waivers_raw = user.pop("waivers", [])
    conventions_raw = user.pop("conventions", {})
    owners_raw = user.pop("owners", {})
    if not isinstance(owners_raw, Mapping):
        raise ConfigError(f"{src}: 'owners' must be a table of owners ([owners.NAME])")
    templates_raw = user.pop("templates", [])
    raw = _merge(raw, user, "", src)
    if overrides:
        raw = _merge(raw, overrides, "", "overrides")

    severities = raw["allowed_severities"]
    if not isinstance(severities, list) or not all(isinstance(s, str) for s in severities):
        raise ConfigError(f"{src}: 'allowed_severities' must be an array of strings")
    score = raw["noise_score"]
    flags = _numbers(raw["flags"], "flags", src)
    weights = _numbers(score["weights"], "noise_score.weights", src)
    return Config(
        min_volume=_number(raw, "min_volume", src, integer=True),
        dedup_window_minutes=_number(raw, "dedup_window_minutes", src, integer=True),
        stale_days=_number(raw, "stale_days", src, integer=True),
        default_expiry_days=_number(raw, "default_expiry_days", src, integer=True),
        allowed_severities=tuple(s.lower() for s in severities),
        max_data_age_hours=float(_number(raw, "max_data_age_hours", src)),
        flags=flags,
        checklist=_numbers(raw["checklist"], "checklist", src),
        noise_score=NoiseScore(
            noisy_offset=float(_number(score, "noisy_offset", src)),
            max_excess=float(_number(score, "max_excess", src)),
            weights=weights,
        ),
        watch=_numbers(raw["watch"], "watch", src),
        notify=dict(raw["notify"]),
        owners=dict(owners_raw),
        waivers=_waivers(waivers_raw, weights, src),
        conventions=_conventions(conventions_raw, src),
        templates=_templates(templates_raw, src),
        source=src,
    )
