"""How old the data is: the newest event against the wall clock.

A month-old log answers "the last 24 hours" about a day a month ago. Everything that shows
a window (the dashboard, `check`) says how old the data is, and the data is *stale* when its
newest event is more than `max_data_age_hours` (config, default 24) before now.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import duckdb
from template_noise.queries import cursor, execute


@dataclass(frozen=True)
class DataAge:
    """The newest event (UTC, None for an empty database), the instant it was measured at
    and the age past which the data counts as stale."""

    latest_event: datetime | None
    now: datetime
    max_age: timedelta

    @property
    def age(self) -> timedelta | None:
        """now - latest_event (None without data); never negative (clock skew reads as 0)."""
        if self.latest_event is None:
            return None
        return max(self.now - self.latest_event, timedelta(0))

    @property
    def stale(self) -> bool:
        """The newest event is older than max_age (no data is not stale: there is none)."""
        age = self.age
        return age is not None and age > self.max_age

    def describe(self) -> str:
        """One line: "newest event 2026-10-30 14:02 UTC, 33.2 d ago (older than 24 h)"."""
        if self.latest_event is None:
            return "no events loaded"
        line = f"newest event {stamp(self.latest_event)}, {duration(self.age)} ago"
        if self.stale:
            line += f" (older than {duration(self.max_age)})"
        return line


def utc(value: datetime) -> datetime:
    """An aware UTC datetime (the database stores naive UTC)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def stamp(value: datetime) -> str:
    """An instant as people read it, to the minute, in UTC: "2026-10-30 14:02 UTC"."""
    return utc(value).strftime("%Y-%m-%d %H:%M UTC")


def duration(value: timedelta | None) -> str:
    """A span in its largest whole-ish unit: "45 min", "5.5 h", "33.2 d"."""
    if value is None:
        return "n/a"
    seconds = value.total_seconds()
    if seconds >= 86400 * 2:
        return f"{seconds / 86400:.1f} d"
    if seconds >= 3600:
        return f"{seconds / 3600:g} h" if seconds % 3600 == 0 else f"{seconds / 3600:.1f} h"
    return f"{seconds / 60:.0f} min"


def data_age(
    con: duckdb.DuckDBPyConnection, max_age_hours: float, now: datetime | None = None
) -> DataAge:
    """The age of the data in `con` (queries/store/latest_event.sql) at `now` (default: the
    wall clock)."""
    cur = cursor(con)
    try:
        row = execute(cur, "store/latest_event").fetchone()
    finally:
        cur.close()
    latest = row[0] if row else None
    return DataAge(
        latest_event=utc(latest) if latest is not None else None,
        now=utc(now) if now is not None else datetime.now(UTC),
        max_age=timedelta(hours=max_age_hours),
    )
