"""Numbers as people read them, the same in the CLI table, the checklist and the dashboard.

A value that is undefined (None, NaN, pandas' NA: a rate over nothing sent, a percentile
without deliveries, recipients a roll-up cannot count) shows as MISSING. Fractions stay
fractions in JSON and CSV; these are for text meant to be read.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from template_noise import catalogue

MISSING = "n/a"


def _number(value: Any) -> float | None:
    """The value as a float, or None when it is undefined."""
    if value is None:
        return None
    try:
        number = float(value)
    except TypeError:  # pandas' NA refuses float(); other non-numbers still raise
        return None
    return None if math.isnan(number) else number


def undefined(value: Any) -> bool:
    """True for a value that shows as MISSING: None, NaN, pandas' NA."""
    return _number(value) is None


def pct(value: Any) -> str:
    """A rate (a fraction) as a percentage with one decimal: 0.15 -> "15.0%"."""
    number = _number(value)
    return MISSING if number is None else f"{number:.1%}"


def count(value: Any) -> str:
    """A whole number with thousands separators: 4000 -> "4,000"."""
    number = _number(value)
    return MISSING if number is None else f"{int(number):,}"


def seconds(value: Any) -> str:
    """A duration: under a minute in seconds with two decimals (0.7712 -> "0.77 s"), longer
    ones in the largest unit that is at least one (1608 -> "26.8 min", 11452 -> "3.2 h")."""
    number = _number(value)
    if number is None:
        return MISSING
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if abs(number) >= size:
            return f"{number / size:.1f} {unit}"
    return f"{number:.2f} s"


def score(value: Any) -> str:
    """A noise score with one decimal: 1234.56 -> "1,234.6"."""
    number = _number(value)
    return MISSING if number is None else f"{number:,.1f}"


def items(value: Any) -> str:
    """A list (severities, scopes) as comma-separated text."""
    return MISSING if value is None else ", ".join(str(v) for v in value)


BY_FORMAT: dict[str, Callable[[Any], str]] = {
    "count": count, "percent": pct, "seconds": seconds, "list": items,
}  # fmt: skip


def metric(name: str) -> Callable[[Any], str]:
    """The formatter of a catalogue metric (queries/catalogue.toml says its format)."""
    return BY_FORMAT[catalogue.load().metric(name).format]
