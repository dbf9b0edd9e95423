"""Each flag just past and exactly at its threshold, the volume rule, and the ranking.

Most cases use 10 notifications and min_volume = 10, so each rate is a tenth.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from events_fixture import Event, bulk, config, event, load, sent
from template_noise.config import load_config
from template_noise.filters import Filters
from template_noise.metrics import FLAGS, NOISY_FLAGS, apply_flags, compute_metrics


def flags(tmp_path: Path, events: list[Event], **cfg: Any) -> dict[str, list[str]]:
    df = compute_metrics(load(tmp_path, events), Filters(), config(**{"min_volume": 10, **cfg}))
    return {row.template: list(row.flags) for row in df.itertuples()}


def ten(**fields: Any) -> list[Event]:
    """10 notifications of template T to 10 users, all read (so not `ignored`)."""
    events = bulk("T", 10, **fields)
    return events + [event("read", e["notification_id"], 100) for e in events]


def test_flags_are_declared_for_every_spec_flag() -> None:
    assert [f.name for f in FLAGS] == [
        "duplicates", "flooding", "ignored", "dismissed_unread", "no_expiry", "stale",
        "metadata_unstable", "severity_inconsistent", "retry_storm", "send_failures",
    ]  # fmt: skip
    assert NOISY_FLAGS == ("duplicates", "flooding", "ignored", "dismissed_unread")
    # Every flag has a noise weight, and waivers are validated against the same names.
    assert set(load_config().noise_score.weights) == {f.name for f in FLAGS}


def test_healthy_template_has_no_flag(tmp_path: Path) -> None:
    assert flags(tmp_path, ten(expires_hours=24)) == {"T": []}


def test_duplicates(tmp_path: Path) -> None:
    base = ten(expires_hours=24)
    dup = {**base[0], "notification_id": "dup", "occurred_at": base[0]["occurred_at"]}
    assert "duplicates" in flags(tmp_path, [*base, dup])["T"]  # 1 of 11 > 1%
    # The same rate below min_volume does not fire.
    assert "duplicates" not in flags(tmp_path, [*base, dup], min_volume=50)["T"]


def test_flooding_above_ten_a_day_at_any_volume(tmp_path: Path) -> None:
    eleven = bulk("T", 11, user="u1", expires_hours=24)
    assert "flooding" in flags(tmp_path, eleven, min_volume=50)["T"]
    assert "flooding" not in flags(tmp_path, eleven[:10], min_volume=50)["T"]


@pytest.mark.parametrize(("reads", "fires"), [(1, True), (2, False)])
def test_ignored_below_20_percent_read(tmp_path: Path, reads: int, fires: bool) -> None:
    events = bulk("T", 10, expires_hours=24)
    events += [event("read", e["notification_id"], 100) for e in events[:reads]]
    assert ("ignored" in flags(tmp_path, events)["T"]) is fires


@pytest.mark.parametrize(("archived", "fires"), [(4, True), (3, False)])
def test_dismissed_unread_above_30_percent(tmp_path: Path, archived: int, fires: bool) -> None:
    events = bulk("T", 10, expires_hours=24)
    events += [event("archived", e["notification_id"], 50) for e in events[:archived]]
    events += [event("read", e["notification_id"], 100) for e in events[:10]]  # read after
    assert ("dismissed_unread" in flags(tmp_path, events)["T"]) is fires


@pytest.mark.parametrize(("with_expiry", "fires"), [(8, True), (9, False)])
def test_no_expiry_below_90_percent(tmp_path: Path, with_expiry: int, fires: bool) -> None:
    events = ten()
    for e in events[:with_expiry]:
        e["expires_hours"] = 24
    assert ("no_expiry" in flags(tmp_path, events)["T"]) is fires


def test_stale_above_5_percent(tmp_path: Path) -> None:
    events = bulk("T", 10)  # no expiry, so also no_expiry
    events += [event("read", e["notification_id"], 100) for e in events[1:]]
    events.append(event("read", "T-1", 8 * 24 * 60))  # as_of 8 days later
    assert flags(tmp_path, events)["T"] == ["no_expiry", "stale"]  # 1 of 10 stale


def test_metadata_unstable_at_any_volume(tmp_path: Path) -> None:
    invalid = [sent("a", 0, metadata={"k": 1}), sent("b", 1, body="2", metadata=[1, 2])]
    assert "metadata_unstable" in flags(tmp_path, invalid, min_volume=50)["T"]
    common = bulk("T", 19, metadata={"k": 1})
    drift = bulk("T", 2, start=19, metadata={"other": 1})
    # Drift at 1 of 20 is exactly 5%: not above. At 2 of 21 it is.
    assert "metadata_unstable" not in flags(tmp_path, common + drift[:1], min_volume=50)["T"]
    assert "metadata_unstable" in flags(tmp_path, common + drift, min_volume=50)["T"]


@pytest.mark.parametrize(
    ("severities", "fires"),
    [(["info"], False), (["info", "warning"], True), (["critical"], True), ([None], True)],
)
def test_severity_inconsistent(tmp_path: Path, severities: list[str | None], fires: bool) -> None:
    events = []
    for i, sev in enumerate(severities):
        e = sent(f"n{i}", i, body=str(i), severity=sev)
        events.append({k: v for k, v in e.items() if v is not None})
    assert ("severity_inconsistent" in flags(tmp_path, events, min_volume=50)["T"]) is fires


def test_unset_severity_can_be_allowed(tmp_path: Path) -> None:
    events = [{k: v for k, v in sent("a", 0).items() if k != "severity"}]
    allowed = ["info", "success", "warning", "error", "unset"]
    assert flags(tmp_path, events, allowed_severities=allowed) == {"T": []}


def retries(n_failed: int) -> list[Event]:
    return [event("send_failed", "r", i, template="T", user_id="u1") for i in range(n_failed)] + [
        sent("r", n_failed)
    ]


@pytest.mark.parametrize(("failed_attempts", "fires"), [(5, True), (4, False)])
def test_retry_storm_above_five_attempts(tmp_path: Path, failed_attempts: int, fires: bool) -> None:
    # failed_attempts + 1 attempts in all; any volume.
    got = flags(tmp_path, retries(failed_attempts), min_volume=50)["T"]
    assert ("retry_storm" in got) is fires


def test_retry_storm_on_retry_rate(tmp_path: Path) -> None:
    events = ten(expires_hours=24)
    events += [event("send_failed", e["notification_id"], 0, template="T", user_id="u")
               for e in events[:2]]  # fmt: skip
    assert flags(tmp_path, events)["T"] == ["retry_storm"]  # 2 of 10 retried > 10%


def test_send_failures_counts_failed_toward_volume(tmp_path: Path) -> None:
    failed = [event("send_failed", f"f{i}", i, template="T", user_id="u1") for i in range(10)]
    assert flags(tmp_path, failed)["T"] == ["send_failures"]  # 10 of 10, volume 10
    events = ten(expires_hours=24) + failed[:1]
    assert flags(tmp_path, events)["T"] == ["send_failures"]  # 1 of 11 > 2%


# --- noisy and the ranking ---------------------------------------------------------------


def frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """A metrics frame with neutral values, overridden per row."""
    neutral = {
        "sent": 100, "failed": 0, "max_per_user_day": 1, "duplicate_rate": 0.0,
        "read_rate": 0.9, "archived_unread_rate": 0.0, "expiry_coverage": 1.0,
        "stale_unread_rate": 0.0, "metadata_invalid_rate": 0.0, "metadata_drift_rate": 0.0,
        "max_attempts": 1, "retry_rate": 0.0, "failure_rate": 0.0,
        "severities": ["info"], "scopes": ["user"],
    }  # fmt: skip
    return pd.DataFrame([{**neutral, **r} for r in rows])


def test_noise_score_formula_by_hand() -> None:
    df = apply_flags(
        frame(
            [
                {"template": "quiet", "sent": 3},
                {"template": "ignored", "sent": 15, "read_rate": 0.0},
            ]
        ),
        config(min_volume=1),
    )
    scores = dict(zip(df["template"], df["noise_score"], strict=True))
    assert scores["quiet"] == pytest.approx(math.log2(4))  # 2.0, no signal
    # ignored: excess (0.20 - 0) / 0.20 = 1, weight 2: log2(16) * (1 + 2 * 1) = 12
    assert scores["ignored"] == pytest.approx(1_000_000 + 12)
    # What users read: the same number without the offset that puts noisy ones first.
    shown = dict(zip(df["template"], df["score"], strict=True))
    assert shown == {"quiet": 2.0, "ignored": 12.0}


def test_every_noisy_template_ranks_above_every_quiet_one() -> None:
    df = apply_flags(
        frame([
            {"template": "huge quiet but failing", "sent": 10**9, "failure_rate": 1.0,
             "max_attempts": 99, "metadata_invalid_rate": 1.0, "expiry_coverage": 0.0},
            {"template": "small noisy", "sent": 1, "max_per_user_day": 11},
            {"template": "big noisy", "sent": 10**6, "max_per_user_day": 11},
        ]),
        config(min_volume=1),
    )  # fmt: skip
    assert list(df["template"]) == ["big noisy", "small noisy", "huge quiet but failing"]
    assert list(df["noisy"]) == [True, True, False]


def test_more_and_farther_signals_rank_higher() -> None:
    df = apply_flags(
        frame([
            {"template": "one signal", "read_rate": 0.1},
            {"template": "two signals", "read_rate": 0.1, "duplicate_rate": 0.05},
            {"template": "far", "read_rate": 0.0},
        ]),
        config(min_volume=1),
    )  # fmt: skip
    assert list(df["template"]) == ["two signals", "far", "one signal"]
