"""Filters <-> URL query parameters, so a dashboard view can be shared as a link.

The URL is user input: values that do not parse are dropped (and reported), never raised.
`until` is exclusive in the URL as everywhere else; the sidebar shows it as an inclusive day.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from template_noise.filters import Filters

SEVERITIES = ("info", "success", "warning", "error", "unset")
SCOPES = ("user", "organization", "workspace")
FILTER_KEYS = ("since", "until", "severity", "scope", "q", "dedup")
MAX_SEARCH = 200
MAX_DEDUP_MINUTES = 7 * 24 * 60


@dataclass(frozen=True)
class Parsed:
    filters: Filters
    problems: list[str] = field(default_factory=list)


def _one(value: str | list[str] | None) -> str:
    if isinstance(value, list):
        return value[-1] if value else ""
    return value or ""


def parse_time(text: str) -> datetime | None:
    """A date or ISO datetime as naive UTC (how the events table stores time); None if invalid."""
    text = text.strip()
    if not text:
        return None
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed


def format_time(value: datetime) -> str:
    """The shortest ISO form: a bare date at midnight."""
    if value.time() == datetime.min.time():
        return value.date().isoformat()
    return value.isoformat()


def _listed(text: str, allowed: tuple[str, ...], key: str, problems: list[str]) -> tuple[str, ...]:
    values = [v.strip().lower() for v in text.split(",") if v.strip()]
    unknown = [v for v in values if v not in allowed]
    if unknown:
        problems.append(f"{key}: ignored unknown value(s) {', '.join(unknown)}")
    return tuple(dict.fromkeys(v for v in values if v in allowed))


def filters_from_query(
    query: Mapping[str, str | list[str]], *, severities: tuple[str, ...] = ()
) -> Parsed:
    """The Filters a URL's query parameters describe.

    `severities` widens the accepted severity values with those found in the data (a
    template may use one outside Wacht's set, and the sidebar must be able to select it).
    """
    problems: list[str] = []
    times: dict[str, datetime | None] = {}
    for key in ("since", "until"):
        raw = _one(query.get(key))
        times[key] = parse_time(raw)
        if raw and times[key] is None:
            problems.append(f"{key}: {raw!r} is not a date")
    allowed_sev = tuple(dict.fromkeys((*SEVERITIES, *severities)))
    dedup: int | None = None
    raw_dedup = _one(query.get("dedup"))
    if raw_dedup:
        # isdigit() alone accepts "²" and other digits int() refuses; a link must never raise.
        digits = raw_dedup.isascii() and raw_dedup.isdigit()
        if digits and 0 < int(raw_dedup) <= MAX_DEDUP_MINUTES:
            dedup = int(raw_dedup)
        else:
            problems.append(f"dedup: {raw_dedup!r} is not a number of minutes")
    filters = Filters(
        since=times["since"],
        until=times["until"],
        severities=_listed(_one(query.get("severity")), allowed_sev, "severity", problems),
        scopes=_listed(_one(query.get("scope")), SCOPES, "scope", problems),
        template_search=_one(query.get("q")).strip()[:MAX_SEARCH],
        dedup_window_minutes=dedup,
    )
    return Parsed(filters, problems)


def query_from_filters(filters: Filters) -> dict[str, str]:
    """The query parameters for Filters; unrestricted filters are left out of the URL."""
    query: dict[str, str] = {}
    if filters.since is not None:
        query["since"] = format_time(filters.since)
    if filters.until is not None:
        query["until"] = format_time(filters.until)
    if filters.severities:
        query["severity"] = ",".join(filters.severities)
    if filters.scopes:
        query["scope"] = ",".join(filters.scopes)
    if filters.template_search:
        query["q"] = filters.template_search
    if filters.dedup_window_minutes is not None:
        query["dedup"] = str(filters.dedup_window_minutes)
    return query


def day_range(filters: Filters) -> tuple[date | None, date | None]:
    """The inclusive first and last day a [since, until) window covers, for a date picker."""
    first = filters.since.date() if filters.since else None
    last = (filters.until - timedelta(microseconds=1)).date() if filters.until else None
    return first, last


def window_from_days(
    first: date | None, last: date | None
) -> tuple[datetime | None, datetime | None]:
    """[since, until) from an inclusive day range (None: open on that side)."""
    since = datetime.combine(first, datetime.min.time()) if first else None
    until = datetime.combine(last + timedelta(days=1), datetime.min.time()) if last else None
    return since, until
