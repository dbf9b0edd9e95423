"""Tiny, readable event logs for the metric and checklist tests.

Events are written as JSON Lines in a temporary directory and loaded with the real
`ingest`, so every test exercises the same path as the command line. Times are minutes
after T0 (2024-01-01 00:00 UTC), so a reader can check each expected number by hand.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
from template_noise import db
from template_noise.config import Config, load_config
from template_noise.filters import Filters
from template_noise.ingest import ingest

T0 = datetime(2024, 1, 1, tzinfo=UTC)
Event = dict[str, Any]


def at(minutes: float) -> str:
    """ISO-8601 time `minutes` after T0."""
    return (T0 + timedelta(minutes=minutes)).isoformat()


def ts(minutes: float) -> datetime:
    """The same instant as `at(minutes)`, as a naive UTC datetime (how DuckDB returns it)."""
    return (T0 + timedelta(minutes=minutes)).replace(tzinfo=None)


def sent(
    nid: str,
    minute: float,
    template: str | None = "T",
    user: str | None = "u1",
    **fields: Any,
) -> Event:
    """A `sent` event; title/body default to the template so content is comparable."""
    ev: Event = {"event_type": "sent", "occurred_at": at(minute), "notification_id": nid}
    if template is not None:
        ev["template"] = template
    if user is not None:
        ev["user_id"] = user
    ev.setdefault("title", fields.pop("title", template or "Untitled"))
    ev.setdefault("body", fields.pop("body", "body"))
    ev["severity"] = fields.pop("severity", "info")
    ev.update(fields)
    return ev


def event(kind: str, nid: str | None, minute: float, **fields: Any) -> Event:
    """Any other event (read, archived, delivered, send_failed, stream_connected...)."""
    ev: Event = {"event_type": kind, "occurred_at": at(minute)}
    if nid is not None:
        ev["notification_id"] = nid
    ev.update(fields)
    return ev


def bulk(
    template: str, n: int, start: int = 0, user: str | None = None, **fields: Any
) -> list[Event]:
    """n distinct notifications of one template, one per user and minute, all different."""
    return [
        sent(
            f"{template}-{start + i}",
            start + i,
            template=template,
            user=user or f"user{start + i}",
            body=f"body {start + i}",
            **fields,
        )
        for i in range(n)
    ]


def write_jsonl(path: Path, events: Iterable[Event]) -> Path:
    path.write_text("".join(json.dumps(e) + "\n" for e in events), encoding="utf-8")
    return path


def load(
    tmp_path: Path, events: Iterable[Event], name: str = "events.jsonl"
) -> duckdb.DuckDBPyConnection:
    """A fresh in-memory database with `events` ingested from a JSON Lines file."""
    con = db.connect(None)
    ingest(con, [write_jsonl(tmp_path / name, events)])
    return con


def config(**overrides: Any) -> Config:
    """The shipped defaults with top-level values replaced (e.g. min_volume=1)."""
    return load_config(None, overrides=overrides)


NO_FILTERS = Filters()


def rich_log() -> list[Event]:
    """A little of everything: every event type, all scopes, retries, a failure, a reconnect."""
    cta = [{"label": "Open", "payload": "https://app.example.com/x"}]
    events: list[Event] = []
    for i in range(6):
        nid = f"n{i}"
        events += [
            sent(
                nid, i, user=f"u{i % 3}", body=f"b{i}", metadata={"k": i}, ctas=cta, expires_hours=1
            ),
            event("delivered", nid, i + 0.02, user_id=f"u{i % 3}", connection_id="c"),
        ]
    events += [
        event("read", "n0", 10), event("unread", "n0", 11), event("archived", "n1", 12),
        event("unarchived", "n1", 13), event("starred", "n2", 14), event("unstarred", "n2", 15),
        event("clicked", "n3", 16),
        event("send_failed", "n4", -1, template="T", user_id="u1", attempt=1, error="503"),
        event("send_failed", "lost", 20, template="T", user_id="u1", error="timeout"),
        sent("o1", 30, template="Org", user=None, organization_id="acme", severity="warning"),
        sent("w1", 31, template="Ws", user=None, workspace_id="w1", metadata="not an object"),
        event("stream_connected", None, 0, user_id="u0", connection_id="c1"),
        event("stream_disconnected", None, 40, user_id="u0", connection_id="c1"),
        sent("gap", 45, user="u0", body="gap"),
        event("stream_connected", None, 50, user_id="u0", connection_id="c2"),
        event("delivered", "gap", 51, user_id="u0", connection_id="c2"),
    ]  # fmt: skip
    return events


def healthy_log() -> list[Event]:
    """Passes every go-live checklist item with the default thresholds."""
    events: list[Event] = []
    for i in range(10):
        nid = f"n{i}"
        events += [
            sent(nid, i, user=f"u{i}", body=f"b{i}", expires_hours=24, metadata={"k": i}),
            event("delivered", nid, i + 0.01),
            event("read", nid, i + 5),
        ]
    events += [event("archived", "n0", 20), event("starred", "n1", 20), event("unread", "n2", 21)]
    # u9 loses its stream; a notification created meanwhile arrives after the reconnect.
    events += [
        event("stream_connected", None, 0, user_id="u9", connection_id="c1"),
        event("stream_disconnected", None, 100, user_id="u9", connection_id="c1"),
        sent("gap", 110, user="u9", body="gap", expires_hours=24, metadata={"k": 0}),
        event("stream_connected", None, 120, user_id="u9", connection_id="c2"),
        event("delivered", "gap", 121),
        event("read", "gap", 122),
    ]
    return events


def flooded_log(day: int = 0) -> list[Event]:
    """healthy_log() plus 11 notifications of template "Flood" to u1 on one day: flooding
    (more than 10 to one user in a day, any volume) makes Flood noisy, so only
    noisy_template_monitoring fails; `Flood: flooding: reason` waives it."""
    start = 200 + day * 1440
    return healthy_log() + [
        ev
        for i in range(11)
        for ev in (
            sent(f"f{day}-{i}", start + i, template="Flood", user="u1", body=str(i),
                 expires_hours=24, metadata={"k": 1}),
            event("read", f"f{day}-{i}", start + 100),
        )
    ]  # fmt: skip


def next_day(day: int = 1) -> list[Event]:
    """One more notification, `day` days after T0, delivered and read: new data that
    changes nothing in the checklist but the data fingerprint."""
    nid = f"day{day}"
    minute = day * 1440
    return [
        sent(nid, minute, user="u1", body=f"day {day}", expires_hours=24, metadata={"k": 2}),
        event("delivered", nid, minute + 1),
        event("read", nid, minute + 2),
    ]
