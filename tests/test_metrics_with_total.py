"""metrics_with_total (the overview's and the checklist's one pass) on tiny event lists.

Times are minutes after T0 = 2024-01-01 00:00 UTC (see events_fixture.py). The ranking and
the overall record must be exactly what compute_metrics and overall_metrics give, whichever
path the filters take through tn_metrics (precomputed sequences, or the groupings used
when a severity filter or a window that is not day-aligned breaks them).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from events_fixture import NO_FILTERS, Event, config, event, load, sent, ts
from template_noise import catalogue, series
from template_noise.filters import Filters
from template_noise.metrics import compute_metrics, metrics_with_total, overall_metrics

DAY = 24 * 60
# The percentiles: each a sort of its values over the window, left out where not read.
PERCENTILES = tuple(m.name for m in catalogue.load().metrics if m.format == "seconds")


def log() -> list[Event]:
    """Two templates; u2 receives both. A: u1 3 on day 1 (2 warning, 1 info), u2 1.
    B: u2 1 and u3 2 on day 2, one of u3's delivered after 2 s, u2's after 4 s."""
    return [
        sent("a1", 0, template="A", user="u1", severity="warning", body="1"),
        sent("a2", 60, template="A", user="u1", severity="warning", body="2"),
        sent("a3", 120, template="A", user="u1", severity="info", body="3"),
        sent("a4", 130, template="A", user="u2", severity="info", body="4"),
        sent("b1", DAY + 10, template="B", user="u2", severity="warning", body="5"),
        sent("b2", DAY + 20, template="B", user="u3", severity="warning", body="6"),
        sent("b3", DAY + 30, template="B", user="u3", severity="warning", body="7"),
        event("delivered", "b2", DAY + 20 + 2 / 60, connection_id="c"),
        event("delivered", "b1", DAY + 10 + 4 / 60, connection_id="c"),
        event("read", "a1", 5),
    ]


FILTERS = {
    "none": NO_FILTERS,
    "warning": Filters(severities=("warning",)),
    "not day-aligned": Filters(since=ts(50), until=ts(DAY + 25)),
    "day-aligned": Filters(since=ts(0), until=ts(DAY)),
    "search": Filters(template_search="b"),
}


@pytest.mark.parametrize("name", FILTERS)
def test_equals_compute_metrics_and_overall_metrics(tmp_path: Path, name: str) -> None:
    con = load(tmp_path, log())
    filters = FILTERS[name]
    both = metrics_with_total(con, filters, config())
    pd.testing.assert_frame_equal(both.templates, compute_metrics(con, filters, config()))
    assert both.overall == overall_metrics(con, filters, config())


def test_counts_by_hand(tmp_path: Path) -> None:
    con = load(tmp_path, log())
    both = metrics_with_total(con, NO_FILTERS, config())
    by = {r["template"]: r for r in both.templates.to_dict(orient="records")}
    assert (by["A"]["recipients"], by["B"]["recipients"]) == (2, 2)
    assert (by["A"]["max_per_user_day"], by["B"]["max_per_user_day"]) == (3, 2)
    o = both.overall
    # u1, u2, u3: u2 counted once although both templates reach it
    assert (o["sent"], o["recipients"], o["max_per_user_day"]) == (7, 3, 3)
    assert o["read_rate"] == 1 / 7
    # delivery seconds 2 and 4 over both templates: p50 3, p95 2 + 0.95 * 2
    assert o["delivery_p50_s"] == pytest.approx(3.0)
    assert o["delivery_p95_s"] == pytest.approx(3.9)


def test_severity_filter_counts_by_hand(tmp_path: Path) -> None:
    con = load(tmp_path, log())
    both = metrics_with_total(con, Filters(severities=("warning",)), config())
    by = {r["template"]: r for r in both.templates.to_dict(orient="records")}
    # A keeps u1's two warnings (one day): 1 recipient, 2 that day; B keeps all three.
    assert (by["A"]["sent"], by["A"]["recipients"], by["A"]["max_per_user_day"]) == (2, 1, 2)
    assert (by["B"]["sent"], by["B"]["recipients"], by["B"]["max_per_user_day"]) == (3, 2, 2)
    assert (both.overall["sent"], both.overall["recipients"]) == (5, 3)


def test_window_not_day_aligned_counts_by_hand(tmp_path: Path) -> None:
    # [00:50, day 2 00:25): a2, a3 (u1), a4 (u2), b1 (u2), b2 (u3)
    con = load(tmp_path, log())
    both = metrics_with_total(con, Filters(since=ts(50), until=ts(DAY + 25)), config())
    by = {r["template"]: r for r in both.templates.to_dict(orient="records")}
    assert (by["A"]["sent"], by["A"]["max_per_user_day"]) == (3, 2)
    assert (by["B"]["sent"], by["B"]["max_per_user_day"]) == (2, 1)
    assert (both.overall["recipients"], both.overall["max_per_user_day"]) == (3, 2)


def test_checklist_variant_leaves_out_the_totals_distinct_parts(tmp_path: Path) -> None:
    con = load(tmp_path, log())
    full = metrics_with_total(con, NO_FILTERS, config())
    light = metrics_with_total(con, NO_FILTERS, config(), total_distinct=False)
    pd.testing.assert_frame_equal(light.templates, full.templates)
    left_out = ("recipients", *PERCENTILES)
    assert all(light.overall[k] is None for k in left_out)
    assert {k: v for k, v in light.overall.items() if k not in left_out} == {
        k: v for k, v in full.overall.items() if k not in left_out
    }


def test_empty_window(tmp_path: Path) -> None:
    con = load(tmp_path, log())
    both = metrics_with_total(con, Filters(template_search="nothing"), config())
    assert both.templates.empty
    assert (both.overall["sent"], both.overall["recipients"]) == (0, 0)


def test_checklist_items_variant_leaves_out_every_delivery_percentile(tmp_path: Path) -> None:
    con = load(tmp_path, log())
    light = metrics_with_total(con, NO_FILTERS, config(), total_distinct=False)
    items = metrics_with_total(con, NO_FILTERS, config(), total_distinct=False, quantiles=False)
    quantiles = list(PERCENTILES)
    assert light.templates[quantiles].notna().any().any()  # the log has deliveries
    assert items.templates[quantiles].isna().all().all()
    pd.testing.assert_frame_equal(
        items.templates.drop(columns=quantiles), light.templates.drop(columns=quantiles)
    )
    assert items.overall == light.overall


@pytest.mark.parametrize("name", FILTERS)
def test_one_templates_percentiles_equal_the_pass(tmp_path: Path, name: str) -> None:
    """series.template_percentiles (the Template page's cards, from the template's rows
    alone) gives what the pass gives that template, under every filter path."""
    log_ = [*log(), event("read", "b1", DAY + 40), event("read", "b3", DAY + 100)]
    con = load(tmp_path, log_)
    filters = FILTERS[name]
    ranked = compute_metrics(con, filters, config())
    assert len(ranked)
    for _, row in ranked.iterrows():
        alone = series.template_percentiles(con, filters, config(), str(row["template"]))
        assert set(alone) == set(PERCENTILES)
        for name_ in PERCENTILES:
            assert (alone[name_] is None and pd.isna(row[name_])) or alone[name_] == row[name_]


def test_one_templates_percentiles_by_hand(tmp_path: Path) -> None:
    # B: delivered after 4 s (b1) and 2 s (b2): p50 3 s, p95 2 + 0.95 x 2 = 3.9 s; read
    # after 30 min (b1) and 70 min (b3): p50 50 min, p90 30 + 0.9 x 40 = 66 min.
    log_ = [*log(), event("read", "b1", DAY + 40), event("read", "b3", DAY + 100)]
    con = load(tmp_path, log_)
    b = series.template_percentiles(con, NO_FILTERS, config(), "B")
    assert b["delivery_p50_s"] == pytest.approx(3.0)
    assert b["delivery_p95_s"] == pytest.approx(3.9)
    assert b["time_to_read_p50_s"] == pytest.approx(50 * 60)
    assert b["time_to_read_p90_s"] == pytest.approx(66 * 60)
    # A: nothing delivered, a1 read after 5 min; an unknown template: all undefined.
    a = series.template_percentiles(con, NO_FILTERS, config(), "A")
    assert a["delivery_p50_s"] is None and a["time_to_read_p50_s"] == pytest.approx(300)
    assert set(series.template_percentiles(con, NO_FILTERS, config(), "Z").values()) == {None}
