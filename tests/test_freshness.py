"""Data age: the newest event against the wall clock (template_noise.freshness)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from events_fixture import T0, config, event, load, sent
from template_noise import db
from template_noise.freshness import data_age, duration


def test_age_is_now_minus_the_newest_event(tmp_path: Path) -> None:
    # Newest event: the read at minute 90 (01:30). Measured at 03:30: two hours old.
    con = load(tmp_path, [sent("n1", 0), event("read", "n1", 90)])
    age = data_age(con, 24, now=T0 + timedelta(hours=3, minutes=30))
    assert age.latest_event == T0 + timedelta(minutes=90)
    assert age.age == timedelta(hours=2)
    assert not age.stale
    assert age.describe() == "newest event 2024-01-01 01:30 UTC, 2 h ago"


def test_older_than_the_limit_is_stale(tmp_path: Path) -> None:
    con = load(tmp_path, [sent("n1", 0)])
    at_limit = data_age(con, 24, now=T0 + timedelta(hours=24))
    assert at_limit.age == timedelta(hours=24) and not at_limit.stale  # at the limit: fresh
    past = data_age(con, 24, now=T0 + timedelta(days=3, hours=12))
    assert past.stale
    assert past.describe() == "newest event 2024-01-01 00:00 UTC, 3.5 d ago (older than 24 h)"


def test_no_events_is_not_stale(tmp_path: Path) -> None:
    con = db.connect(str(tmp_path / "empty.duckdb"))
    age = data_age(con, 24, now=T0)
    assert age.latest_event is None and age.age is None and not age.stale
    assert age.describe() == "no events loaded"


def test_the_limit_comes_from_the_config(tmp_path: Path) -> None:
    cfg = config(max_data_age_hours=1.5)
    assert cfg.max_data_age_hours == 1.5
    con = load(tmp_path, [sent("n1", 0)])
    assert data_age(con, cfg.max_data_age_hours, now=T0 + timedelta(minutes=100)).stale
    assert not data_age(con, cfg.max_data_age_hours, now=T0 + timedelta(minutes=80)).stale


def test_durations_read_in_their_unit() -> None:
    assert duration(timedelta(minutes=45)) == "45 min"
    assert duration(timedelta(hours=5, minutes=30)) == "5.5 h"
    assert duration(timedelta(days=33, hours=4, minutes=48)) == "33.2 d"
