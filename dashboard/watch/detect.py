"""`template-noise watch`: judge every completed UTC hour since the previous run, per
template, and keep one alert per incident in the database.

The statistics are all in queries/watch/judge.sql (hourly counts, seasonal baselines,
median and MAD); the merge of hits into incidents is queries/watch/apply.sql. This module
chooses the hours, binds the configuration and shapes the result.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import duckdb
from template_noise.config import Config
from template_noise.errors import InputError
from template_noise.queries import cursor, execute, metric_macros

KINDS = ("spike", "drop", "new_template", "duplicate_surge", "failure_surge", "read_collapse")
HOUR = timedelta(hours=1)


@dataclass(frozen=True)
class Alert:
    """One incident: one template, one kind, for as long as it lasts."""

    alert_id: str
    template: str
    kind: str
    status: str  # open | resolved
    started_at: datetime
    last_hit_at: datetime
    resolved_at: datetime | None
    detected_at: datetime
    observed: float | None
    expected: float | None
    evidence: str
    owner: str | None = None
    opened: bool = False  # opened by this run
    resolved: bool = False  # resolved by this run

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.alert_id,
            "template": self.template,
            "kind": self.kind,
            "status": self.status,
            "started_at": iso(self.started_at),
            "resolved_at": iso(self.resolved_at),
            "observed": _number(self.observed),
            "expected": _number(self.expected),
            "evidence": self.evidence,
            "owner": self.owner,
        }


@dataclass(frozen=True)
class WatchResult:
    as_of: datetime
    since: datetime
    until: datetime
    alerts: list[Alert] = field(default_factory=list)

    @property
    def open_alerts(self) -> list[Alert]:
        return [a for a in self.alerts if a.status == "open"]

    @property
    def exit_code(self) -> int:
        """0 when no alert is open, 1 when one is (cron and CI act on it)."""
        return 1 if self.open_alerts else 0

    def as_json(self) -> dict[str, Any]:
        return {
            "as_of": iso(self.as_of),
            "since": iso(self.since),
            "alerts": [a.as_json() for a in self.alerts],
        }


def iso(t: datetime | None) -> str | None:
    """A naive UTC timestamp (as DuckDB returns it) as ISO-8601 with its offset."""
    return None if t is None else t.replace(tzinfo=UTC).isoformat()


def _number(x: float | None) -> float | None:
    return None if x is None or math.isnan(x) else round(float(x), 6)


def naive(t: datetime) -> datetime:
    """UTC, without tzinfo (how the database stores instants)."""
    return t.astimezone(UTC).replace(tzinfo=None) if t.tzinfo else t


def floor_hour(t: datetime) -> datetime:
    return t.replace(minute=0, second=0, microsecond=0)


def ceil_hour(t: datetime) -> datetime:
    floor = floor_hour(t)
    return floor if floor == t else floor + HOUR


def read_lag_hours(config: Config) -> int:
    """How many hours read_collapse is judged behind the others: its reads need time."""
    return max(1, math.ceil(config.watch["read_horizon_minutes"] / 60))


def watch_params(config: Config) -> dict[str, Any]:
    """The $parameters of queries/watch/ that come from the configuration."""
    params: dict[str, Any] = dict(config.watch)
    params["read_lag_hours"] = read_lag_hours(config)
    params["dedup_window_minutes"] = config.dedup_window_minutes
    params["default_expiry_days"] = config.default_expiry_days
    return params


def span(
    con: duckdb.DuckDBPyConnection,
    config: Config,
    since: datetime | None = None,
    as_of: datetime | None = None,
) -> tuple[datetime, datetime, datetime]:
    """(as_of, since, until): the completed hours [since, until) this run judges."""
    cur = cursor(con)
    try:
        if as_of is None:
            row = execute(cur, "store/latest_event").fetchone()
            if row is None or row[0] is None:
                raise InputError("watch: no events loaded, nothing to watch")
            as_of = row[0]
        assert as_of is not None
        as_of = naive(as_of)
        until = floor_hour(as_of)
        if since is None:
            last = execute(cur, "watch/last_until").fetchone()
            default = until - timedelta(days=float(config.watch["default_days"]))
            since = last[0] if last and last[0] is not None else default
        else:
            since = ceil_hour(naive(since))
    finally:
        cur.close()
    return as_of, min(since, until), until


def run_watch(
    con: duckdb.DuckDBPyConnection,
    config: Config,
    *,
    since: datetime | None = None,
    as_of: datetime | None = None,
    ran_at: datetime | None = None,
    owner_of: Any = None,
) -> WatchResult:
    """Judge the hours since the previous run (or `since`), update the stored alerts and
    return those open after the run or resolved by it. `owner_of(template)` names an
    owner (watch.settings.owner_name) for the output."""
    given_since = since
    as_of, since, until = span(con, config, since, as_of)
    ran_at = naive(ran_at or datetime.now(UTC))
    lag = timedelta(hours=read_lag_hours(config))
    w = config.watch
    hist_from = since - lag - timedelta(hours=w["new_template_hours"], days=w["baseline_days"])
    settings = f"{config.dedup_window_minutes}|{w['read_horizon_minutes']}"
    params = watch_params(config) | {
        "since": since, "until": until, "as_of": as_of, "ran_at": ran_at,
        "hist_from": hist_from, "settings": settings, "complete_until": until - lag,
    }  # fmt: skip
    cur = cursor(con)
    try:
        metric_macros(cur)
        # an explicit --since judges again from scratch: no stored counts are reused
        params["cached_before"] = None if given_since else _cached_before(cur, params, lag)
        execute(cur, "watch/judge", **params)
        rows = execute(cur, "watch/apply", **params).fetchall()
        execute(cur, "watch/cache_store", **params)
        execute(cur, "watch/drop_temp")
    finally:
        cur.close()
    alerts = [_alert(r, owner_of) for r in rows]
    return WatchResult(as_of=as_of, since=since, until=until, alerts=alerts)


def _cached_before(
    cur: duckdb.DuckDBPyConnection, params: dict[str, Any], lag: timedelta
) -> datetime | None:
    """Up to when the hourly counts stored by the previous run can be reused (None: not
    at all): they must have been counted with these settings, as of no later than now,
    from the hours this run reads on; events loaded since then count again from shortly
    before the earliest of them (a read or a retry changes the hour of its notification)."""
    row = execute(cur, "watch/cache_state").fetchone()
    if row is None:
        return None
    settings, as_of, hist_from, complete_until, new_since = row
    if settings != params["settings"] or params["as_of"] < as_of:
        return None
    if hist_from > params["hist_from"]:
        return None
    if new_since is not None:
        complete_until = min(complete_until, floor_hour(new_since) - lag - HOUR)
    return max(complete_until, params["hist_from"])  # type: ignore[no-any-return]


def _alert(row: tuple[Any, ...], owner_of: Any) -> Alert:
    (alert_id, template, kind, status, started_at, last_hit_at, resolved_at, detected_at,
     observed, expected, evidence, *rest) = row  # fmt: skip
    opened, resolved = (bool(rest[0]), bool(rest[1])) if rest else (False, False)
    return Alert(
        alert_id=alert_id,
        template=template,
        kind=kind,
        status=status,
        started_at=started_at,
        last_hit_at=last_hit_at,
        resolved_at=resolved_at,
        detected_at=detected_at,
        observed=observed,
        expected=expected,
        evidence=evidence or "",
        owner=owner_of(template) if owner_of else None,
        opened=opened,
        resolved=resolved,
    )


def stored_alerts(con: duckdb.DuckDBPyConnection, owner_of: Any = None) -> list[Alert]:
    """Every stored alert, open ones first (queries/watch/alerts.sql); none before the
    database has the watch tables (a snapshot of an older schema)."""
    cur = cursor(con)
    try:
        if not execute(cur, "watch/tables_present").fetchone()[0]:  # type: ignore[index]
            return []
        rows = execute(cur, "watch/alerts").fetchall()
    finally:
        cur.close()
    return [_alert(r, owner_of) for r in rows]


def render_text(result: WatchResult) -> str:
    head = (
        f"watched {iso(result.since)} to {iso(result.until)} (as of {iso(result.as_of)}): "
        f"{len(result.open_alerts)} open alert(s)"
    )
    lines = [head]
    for a in result.alerts:
        state = "OPEN" if a.status == "open" else "resolved"
        when = f"{iso(a.started_at)}" + (f" .. {iso(a.resolved_at)}" if a.resolved_at else "")
        owner = f"  -> {a.owner}" if a.owner else ""
        lines.append(f"  {state:<8} {a.kind:<15} {a.template}  {when}{owner}")
        lines.append(f"           {a.evidence}")
    return "\n".join(lines) + "\n"
