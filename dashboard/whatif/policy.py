"""A sending policy to replay on past logs: the policy file of docs/whatif.md.

```toml
[default]
dedup_window_minutes = 60
digest_minutes = 30
throttle = { max = 3, per_hours = 24 }
expires_hours = 72

[templates."operations.webhook_endpoint_disabled"]
throttle = { max = 1, per_hours = 24 }
```

A template's table overrides the default key by key; within `throttle`, `max` and
`per_hours` merge one by one too (`throttle = { max = 1 }` keeps the default's period).
Unknown keys are an error: a typo must not replay a policy nobody wrote.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from template_noise.errors import InputError


class PolicyError(InputError):
    """The policy cannot be used; the message names the file and the key."""


@dataclass(frozen=True)
class Rules:
    """The rules one template is replayed under; None = that rule is not set."""

    dedup_window_minutes: float | None = None
    digest_minutes: float | None = None
    throttle_max: int | None = None
    throttle_per_hours: float | None = None
    expires_hours: float | None = None

    def over(self, base: Rules) -> Rules:
        """These rules laid over `base`, key by key (a key not set here keeps base's)."""
        set_here = {f.name: getattr(self, f.name) for f in fields(self)}
        return replace(base, **{k: v for k, v in set_here.items() if v is not None})

    @property
    def throttle(self) -> bool:
        return self.throttle_max is not None and self.throttle_per_hours is not None

    @property
    def suppresses(self) -> bool:
        """Whether any rule that suppresses notifications is set (expiry suppresses none)."""
        return (
            self.dedup_window_minutes is not None
            or self.digest_minutes is not None
            or self.throttle
        )

    @property
    def empty(self) -> bool:
        return not self.suppresses and self.expires_hours is None

    def as_dict(self) -> dict[str, Any]:
        """The TOML/JSON table of these rules (only the keys that are set)."""
        out: dict[str, Any] = {}
        if self.dedup_window_minutes is not None:
            out["dedup_window_minutes"] = _number(self.dedup_window_minutes)
        if self.digest_minutes is not None:
            out["digest_minutes"] = _number(self.digest_minutes)
        throttle: dict[str, Any] = {}
        if self.throttle_max is not None:
            throttle["max"] = self.throttle_max
        if self.throttle_per_hours is not None:
            throttle["per_hours"] = _number(self.throttle_per_hours)
        if throttle:
            out["throttle"] = throttle
        if self.expires_hours is not None:
            out["expires_hours"] = _number(self.expires_hours)
        return out

    def describe(self) -> str:
        """One line a person reads: `dedup 60 min, throttle 3 per 24 h`."""
        parts = []
        if self.dedup_window_minutes is not None:
            parts.append(f"dedup {_number(self.dedup_window_minutes)} min")
        if self.digest_minutes is not None:
            parts.append(f"digest {_number(self.digest_minutes)} min")
        if self.throttle:
            parts.append(f"throttle {self.throttle_max} per {_number(self.throttle_per_hours)} h")
        if self.expires_hours is not None:
            parts.append(f"expires {_number(self.expires_hours)} h")
        return ", ".join(parts) or "no rule"


@dataclass(frozen=True)
class Policy:
    default: Rules = Rules()
    templates: Mapping[str, Rules] = field(default_factory=dict)
    source: str = "policy"

    def rules_for(self, template: str) -> Rules:
        """The rules `template` is replayed under: its table over the default."""
        own = self.templates.get(template)
        return self.default if own is None else own.over(self.default)

    @property
    def empty(self) -> bool:
        return self.default.empty and all(r.empty for r in self.templates.values())

    def as_dict(self) -> dict[str, Any]:
        """The policy as the file holds it (the `policy` of `simulate --format json`)."""
        out: dict[str, Any] = {}
        if not self.default.empty:
            out["default"] = self.default.as_dict()
        if self.templates:
            out["templates"] = {t: r.as_dict() for t, r in sorted(self.templates.items())}
        return out

    def to_toml(self) -> str:
        """The policy as a TOML file (what `simulate --suggest` prints)."""
        lines: list[str] = []
        if not self.default.empty:
            lines += ["[default]", *_toml_table(self.default.as_dict()), ""]
        for template, rules in sorted(self.templates.items()):
            lines += [f"[templates.{_toml_string(template)}]", *_toml_table(rules.as_dict()), ""]
        return "\n".join(lines)


def _number(value: float | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else float(value)


def _toml_string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    escaped = "".join(c if c >= " " and c != "\x7f" else f"\\u{ord(c):04x}" for c in escaped)
    return f'"{escaped}"'


def _toml_value(value: Any) -> str:
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items()) + " }"
    return str(value)


def _toml_table(table: dict[str, Any]) -> list[str]:
    return [f"{key} = {_toml_value(value)}" for key, value in table.items()]


RULE_KEYS = ("dedup_window_minutes", "digest_minutes", "throttle", "expires_hours")


def _positive(where: str, value: Any, *, zero_ok: bool, integer: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PolicyError(f"{where}: expected a number, got {value!r}")
    if integer and not float(value).is_integer():
        raise PolicyError(f"{where}: expected a whole number, got {value!r}")
    if not math.isfinite(value) or value < 0 or (value == 0 and not zero_ok):
        bound = "0 or more" if zero_ok else "more than 0"
        raise PolicyError(f"{where}: expected {bound}, got {value!r}")
    return float(value)


def parse_rules(table: Any, where: str) -> Rules:
    """One table of a policy file ([default] or [templates."..."]) as Rules."""
    if not isinstance(table, dict):
        raise PolicyError(f"{where}: expected a table of rules")
    unknown = sorted(set(table) - set(RULE_KEYS))
    if unknown:
        raise PolicyError(f"{where}: unknown key {unknown[0]!r} (known: {', '.join(RULE_KEYS)})")
    rules = Rules()
    if "dedup_window_minutes" in table:
        w = _positive(f"{where}.dedup_window_minutes", table["dedup_window_minutes"], zero_ok=True)
        rules = replace(rules, dedup_window_minutes=w)
    if "digest_minutes" in table:
        d = _positive(f"{where}.digest_minutes", table["digest_minutes"], zero_ok=True)
        rules = replace(rules, digest_minutes=d)
    if "expires_hours" in table:
        e = _positive(f"{where}.expires_hours", table["expires_hours"], zero_ok=False)
        rules = replace(rules, expires_hours=e)
    if "throttle" in table:
        throttle = table["throttle"]
        if not isinstance(throttle, dict):
            raise PolicyError(f"{where}.throttle: expected {{ max = N, per_hours = H }}")
        extra = sorted(set(throttle) - {"max", "per_hours"})
        if extra:
            raise PolicyError(f"{where}.throttle: unknown key {extra[0]!r} (known: max, per_hours)")
        if "max" in throttle:
            m = _positive(f"{where}.throttle.max", throttle["max"], zero_ok=False, integer=True)
            rules = replace(rules, throttle_max=int(m))
        if "per_hours" in throttle:
            h = _positive(f"{where}.throttle.per_hours", throttle["per_hours"], zero_ok=False)
            rules = replace(rules, throttle_per_hours=h)
    return rules


def parse_policy(data: Mapping[str, Any], source: str = "policy") -> Policy:
    """A policy from its TOML tables; every template's rules must name a whole throttle."""
    unknown = sorted(set(data) - {"default", "templates"})
    if unknown:
        raise PolicyError(f"{source}: unknown table {unknown[0]!r} (known: default, templates)")
    default = parse_rules(data.get("default", {}), f"{source}: default")
    raw_templates = data.get("templates", {})
    if not isinstance(raw_templates, dict):
        raise PolicyError(f'{source}: templates: expected tables [templates."<name>"]')
    templates = {
        str(name): parse_rules(table, f"{source}: templates.{name}")
        for name, table in raw_templates.items()
    }
    policy = Policy(default, templates, source)
    for name, rules in [("default", default), *((f"templates.{t}", policy.rules_for(t))
                                                for t in templates)]:  # fmt: skip
        if (rules.throttle_max is None) != (rules.throttle_per_hours is None):
            raise PolicyError(f"{source}: {name}: throttle needs both max and per_hours")
    return policy


def load_policy(path: str | Path) -> Policy:
    """The policy file at `path` (TOML)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as e:
        raise PolicyError(f"{path}: cannot read the policy file ({e.strerror or e})") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise PolicyError(f"{path}: not a TOML file: {e}") from None
    return parse_policy(data, str(path))
