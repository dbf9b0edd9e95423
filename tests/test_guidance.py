"""The Template page's explanations and fix guidance, on tiny logs a reader can check by hand.

Real DuckDB, the real ingest and the dashboard's own queries (template_noise.series), no
mocks: dedup key candidates from duplicate pairs, a suggested expires_hours from the time to
read, the recipient-days behind a flood, the threshold text of every flag, and "—" with a
reason where a value is undefined.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from events_fixture import NO_FILTERS, Event, bulk, config, event, load, sent
from template_noise import explain, series
from template_noise.filters import Filters
from template_noise.metrics import FLAGS, compute_metrics

# ---- duplicates: the pairs and the dedup key candidates ------------------------------------


def _runs() -> list[Event]:
    """Template A: five automation runs; runs 1-3 notify their recipient twice within the
    hour (the same text and metadata: duplicates), runs 4 and 5 once.

    run  recipient  sends (minutes)  automation
    r1   u1         0, 5             a1
    r2   u1         100, 103         a1
    r3   u2         200, 204         a1
    r4   u2         300              a2
    r5   u3         400              a2
    """
    plan = [("r1", "u1", (0, 5), "a1"), ("r2", "u1", (100, 103), "a1"),
            ("r3", "u2", (200, 204), "a1"), ("r4", "u2", (300,), "a2"),
            ("r5", "u3", (400,), "a2")]  # fmt: skip
    log = []
    for run, user, minutes, automation in plan:
        for k, minute in enumerate(minutes, 1):
            metadata = {"run_id": run, "automation_id": automation, "source": "automation"}
            log.append(sent(f"{run}-{k}", minute, template="A", user=user, metadata=metadata))
    # B: a dedup_key per job, the metadata's `at` differs within the pair (a send time)
    log += [
        sent("k1-1", 0, template="B", dedup_key="k1", metadata={"job": "j1", "at": "0"}),
        sent("k1-2", 10, template="B", dedup_key="k1", metadata={"job": "j1", "at": "10"}),
        sent("k2-1", 500, template="B", dedup_key="k2", metadata={"job": "j2", "at": "500"}),
    ]
    return log


def test_duplicate_pairs_side_by_side(tmp_path: Path) -> None:
    con = load(tmp_path, _runs())
    pairs = series.template_duplicate_pairs(con, NO_FILTERS, config(), "A")
    # latest first; each duplicate beside the notification it repeats, minutes apart
    assert pairs[["notification_id", "earlier_id", "minutes_after"]].values.tolist() == [
        ["r3-2", "r3-1", 4.0],
        ["r2-2", "r2-1", 3.0],
        ["r1-2", "r1-1", 5.0],
    ]
    assert pairs["recipient"].tolist() == ["u2", "u1", "u1"]
    assert pairs["dup_metadata"].iloc[0] == pairs["earlier_metadata"].iloc[0]
    assert '"run_id":"r3"' in pairs["dup_metadata"].iloc[0].replace(" ", "")
    # the dedup window of the filters decides what a duplicate is: at 4 minutes r1's
    # repeat (5 minutes later) is none
    narrow = series.template_duplicate_pairs(con, Filters(dedup_window_minutes=4), config(), "A")
    assert narrow["notification_id"].tolist() == ["r3-2", "r2-2"]


def test_dedup_key_candidates_by_hand(tmp_path: Path) -> None:
    con = load(tmp_path, _runs())
    keys = series.template_dedup_keys(con, NO_FILTERS, config(), "A").set_index("key")
    # 3 pairs, 8 sent - 3 duplicates = 5 originals; every key repeats in every pair, but
    # only run_id tells the originals apart: (u1,r1) (u1,r2) (u2,r3) (u2,r4) (u3,r5) = 5
    # recipient-values for 5 originals; automation_id has (u1,a1) (u2,a1) (u2,a2) (u3,a2)
    # = 4 < 0.9 x 5; the constant source has one value, 3 recipient-values.
    assert keys.loc["run_id"].to_dict() == {
        "pairs": 3, "pairs_same": 3, "share_same": 1.0, "distinct_values": 5,
        "recipient_values": 5, "originals": 5, "candidate": True,
    }  # fmt: skip
    assert keys.loc["automation_id", "recipient_values"] == 4
    assert keys.loc["source", "distinct_values"] == 1
    assert keys["candidate"].tolist() == [True, False, False]
    assert keys.index[0] == "run_id"  # candidates first


def test_a_key_that_differs_within_the_pairs_is_no_candidate(tmp_path: Path) -> None:
    # B dedups on dedup_key, so its pair's metadata may differ: `at` does, `job` does not.
    con = load(tmp_path, _runs())
    keys = series.template_dedup_keys(con, NO_FILTERS, config(), "B").set_index("key")
    assert keys.loc["job", ["pairs_same", "candidate"]].tolist() == [1, True]
    assert keys.loc["at", ["pairs_same", "share_same", "candidate"]].tolist() == [0, 0.0, False]


def test_no_duplicates_no_candidates(tmp_path: Path) -> None:
    con = load(tmp_path, bulk("Q", 3, metadata={"id": 1}))
    keys = series.template_dedup_keys(con, NO_FILTERS, config(), "Q")
    assert keys["pairs"].tolist() == [0] and not keys["candidate"].any()
    assert series.template_duplicate_pairs(con, NO_FILTERS, config(), "Q").empty


# ---- expiry: a suggested expires_hours from the time to read --------------------------------


def _reads() -> list[Event]:
    """Template E, no expiry: five sends a minute apart, read 30, 90, 150 and 600 minutes
    after sending, the fifth never."""
    log = []
    for i, wait in enumerate((30, 90, 150, 600, None)):
        log.append(sent(f"e{i}", i, template="E", user=f"u{i}", body=f"b{i}"))
        if wait is not None:
            log.append(event("read", f"e{i}", i + wait))
    log.append(sent("z0", 0, template="Z", user="u9"))  # Z: never read
    return log


def test_suggested_expires_hours_by_hand(tmp_path: Path) -> None:
    con = load(tmp_path, _reads())
    got = series.template_read_delay(con, NO_FILTERS, config(), "E").iloc[0]
    # 4 reads at 30, 90, 150, 600 min; p95 (linear) = 150 + 0.85 x 450 = 532.5 min = 8.875 h,
    # rounded up: 9 h, which keeps the reads within 540 min: 3 of 4.
    # p90 = 150 + 0.7 x 450 = 465 min = 7.75 h.
    assert (got["sent"], got["reads"]) == (5, 4)
    assert got["p95_hours"] == pytest.approx(8.875)
    assert got["p90_hours"] == pytest.approx(7.75)
    assert got["suggested_hours"] == 9
    assert (got["reads_kept"], got["kept_share"]) == (3, 0.75)
    text = explain.expiry_text(got)
    assert text is not None and "expires_hours = 9 keeps 3 of 4 reads (75.0%)" in text


def test_no_read_no_suggestion(tmp_path: Path) -> None:
    con = load(tmp_path, _reads())
    got = series.template_read_delay(con, NO_FILTERS, config(), "Z").iloc[0]
    assert got["reads"] == 0 and pd.isna(got["suggested_hours"])
    assert explain.expiry_text(got) is None


# ---- flooding: the recipient-days behind it ---------------------------------------------------


def test_flooding_recipient_days_by_hand(tmp_path: Path) -> None:
    # u1: 12 on Jan 1 and 3 on Jan 2; u2: 5 on Jan 1
    log = [sent(f"a{i}", i, template="F", user="u1", body=f"a{i}") for i in range(12)]
    log += [sent(f"b{i}", 1440 + i, template="F", user="u1", body=f"b{i}") for i in range(3)]
    log += [sent(f"c{i}", 60 + i, template="F", user="u2", body=f"c{i}") for i in range(5)]
    con = load(tmp_path, log)
    days = series.template_flood_days(con, NO_FILTERS, config(), "F")
    assert days[["recipient", "day", "notifications"]].values.tolist() == [
        ["u1", pd.Timestamp("2024-01-01"), 12],
        ["u2", pd.Timestamp("2024-01-01"), 5],
        ["u1", pd.Timestamp("2024-01-02"), 3],
    ]
    row = compute_metrics(con, NO_FILTERS, config()).iloc[0]
    assert row["max_per_user_day"] == days["notifications"].iloc[0] == 12
    assert "flooding" in row["flags"]
    assert explain.metric_line("max_per_user_day", row, config()) == (
        "Max per user per day 12 — more than 10: flooding"
    )


# ---- every flag explained with its threshold -----------------------------------------------

RULES = {
    "duplicates": "Duplicate rate above 1.0% (with at least 50 sent)",
    "flooding": "Max per user per day more than 10",
    "ignored": "Read rate below 20.0% (with at least 50 sent)",
    "dismissed_unread": "Archived unread rate above 30.0% (with at least 50 sent)",
    "no_expiry": "Expiry coverage below 90.0% (with at least 50 sent)",
    "stale": "Stale unread rate above 5.0% (with at least 50 sent)",
    "metadata_unstable": "Metadata invalid rate above 0.0% or Metadata drift rate above 5.0%",
    "severity_inconsistent": (
        "Severities used more than 1 or Severities outside the allowed set more than 0"
    ),
    "retry_storm": (
        "Max attempts more than 5 or Retry rate above 10.0% (with at least 50 sent + failed)"
    ),
    "send_failures": "Failure rate above 2.0% (with at least 50 sent + failed)",
}


def test_every_flag_is_explained_with_its_threshold() -> None:
    assert {f.name: explain.rule_text(f, config()) for f in FLAGS} == RULES
    # the config's thresholds, not copies of the defaults
    ignored = next(f for f in FLAGS if f.name == "ignored")
    strict = config(min_volume=10, flags={"ignored": 0.15})
    assert explain.rule_text(ignored, strict) == "Read rate below 15.0% (with at least 10 sent)"


def test_a_fired_flag_is_explained_where_its_number_stands(tmp_path: Path) -> None:
    # 55 sends, 5 read: 5 / 55 = 9.1% < 20%, with 55 >= 50 sent
    log = bulk("I", 55) + [event("read", f"I-{i}", 100 + i) for i in range(5)]
    log += bulk("few", 3, start=200)  # 3 sent, none read: too few to judge
    con = load(tmp_path, log)
    by = compute_metrics(con, NO_FILTERS, config()).set_index("template", drop=False)
    cfg = config()
    assert explain.metric_line("read_rate", by.loc["I"], cfg) == (
        "Read rate 9.1% of sent — below 20.0%: ignored"
    )
    assert explain.metric_note("duplicate_rate", by.loc["I"], cfg) == (
        "ok: duplicates fires above 1.0%"
    )
    verdicts = {v.flag: v for v in explain.verdicts(by.loc["I"], cfg)}
    assert list(verdicts) == [f.name for f in FLAGS]  # all ten, judged
    assert verdicts["ignored"].fired and verdicts["ignored"].status == "fires"
    assert verdicts["ignored"].value == "Read rate 9.1%"
    assert verdicts["ignored"].meaning == "recipients rarely read it"
    assert "dedup" not in verdicts["ignored"].fix and verdicts["ignored"].fix
    few = {v.flag: v for v in explain.verdicts(by.loc["few"], cfg)}
    assert few["ignored"].status == "not judged: 3 sent, needs 50"
    assert not few["ignored"].fired
    assert explain.metric_note("read_rate", by.loc["few"], cfg) == (
        "not judged under 50 sent (ignored fires below 20.0%)"
    )
    frame = explain.verdict_frame(by.loc["I"], cfg)
    assert frame["flag"].iloc[0] == "ignored"  # fired first
    assert len(frame) == 10


# ---- "—" with a reason, never None -------------------------------------------------------------


def test_undefined_values_show_a_dash_and_the_reason(tmp_path: Path) -> None:
    con = load(tmp_path, [sent("n1", 0, template="U")])
    row = compute_metrics(con, NO_FILTERS, config()).iloc[0]
    cfg = config()
    assert explain.formatted("time_to_read_p50_s", row["time_to_read_p50_s"]) == "—"
    assert explain.metric_line("time_to_read_p50_s", row, cfg) == (
        "Time to read p50 — (no notification read)"
    )
    assert explain.metric_line("cta_click_rate", row, cfg) == (
        "CTA click rate — (no notification carries a call to action)"
    )
    assert explain.metric_line("expired_unread_rate", row, cfg) == (
        "Expired unread rate — (no notification has expired yet)"
    )
    # a rate over nothing sent
    empty = pd.Series({"sent": 0, "read_rate": None, "failed": 0, "severities": []})
    assert explain.value_text("read_rate", empty["read_rate"]) == "— (nothing sent in this window)"
    assert explain.undefined_reason("read_rate", 0.5) is None
