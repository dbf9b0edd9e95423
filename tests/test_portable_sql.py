"""The portable rewrites of queries/ (for Spark, docs/spark.md) keep DuckDB's answers, and
every tie the metrics break is broken the same way on any engine."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from events_fixture import NO_FILTERS, config, event, load, sent
from template_noise.metrics import compute_metrics, run_query


def test_two_sends_at_one_instant_the_greater_id_is_the_duplicate(tmp_path: Path) -> None:
    con = load(tmp_path, [sent("b", 0), sent("a", 0)])
    df = run_query(con, "metrics/notifications", NO_FILTERS, config()).set_index("notification_id")
    assert df.loc["b", "is_duplicate"] and not df.loc["a", "is_duplicate"]


def test_key_set_tie_goes_to_the_key_set_sent_first(tmp_path: Path) -> None:
    # {a} twice and {b} twice: {b} was sent first, so it is the common key set and the two
    # {a} sends drift (a hash order would pick either, depending on the engine).
    events = [
        sent("n1", 1, body="1", metadata={"b": 1}), sent("n2", 2, body="2", metadata={"b": 2}),
        sent("n3", 5, body="3", metadata={"a": 1}), sent("n4", 6, body="4", metadata={"a": 2}),
    ]  # fmt: skip
    con = load(tmp_path, events)
    df = run_query(con, "metrics/notifications", NO_FILTERS, config()).set_index("notification_id")
    assert list(df.loc[["n1", "n2", "n3", "n4"], "is_metadata_drift"]) == [False, False, True, True]


def test_delivery_seconds_are_exact_microseconds(tmp_path: Path) -> None:
    # date_diff('microsecond', ...) / 1e6: 1.2 s and 0.000001 s, exactly.
    events = [
        sent("n1", 0, body="1"), event("delivered", "n1", 0.02, user_id="u1", connection_id="c"),
        sent("n2", 10, body="2"),
        {**event("delivered", "n2", 10, user_id="u1", connection_id="c"),
         "occurred_at": "2024-01-01T00:10:00.000001+00:00"},
    ]  # fmt: skip
    m = compute_metrics(load(tmp_path, events), NO_FILTERS, config()).iloc[0]
    assert m["delivery_p50_s"] == (1.2 + 0.000001) / 2
    assert m["delivery_p95_s"] == 0.000001 + 0.95 * (1.2 - 0.000001)


def test_wacht_default_expiry_within_a_minute_is_no_expiry(tmp_path: Path) -> None:
    # expires_at 90 days + 59 s after created_at: the server default, no expiry chosen;
    # 90 days + 61 s: a chosen expiry.
    events = [
        sent("n1", 0, body="1", expires_at="2024-03-31T00:00:59Z"),
        sent("n2", 1, body="2", expires_at="2024-03-31T00:02:01Z"),
    ]
    df = run_query(load(tmp_path, events), "metrics/notifications", NO_FILTERS, config())
    expiry = df.set_index("notification_id")["expires_at"]
    assert pd.isna(expiry.loc["n1"])
    assert str(expiry.loc["n2"]) == "2024-03-31 00:02:01"
