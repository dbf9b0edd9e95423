"""The one set of number formatters: the CLI table, the checklist and the dashboard agree."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from template_noise.format import MISSING, count, pct, score, seconds
from template_noise.metrics_report import render_table

UNDEFINED = [None, float("nan"), np.nan, pd.NA, pd.NaT]


def test_each_formatter_by_hand() -> None:
    assert pct(0.15) == "15.0%"
    assert pct(1) == "100.0%"
    assert pct(np.float64(1 / 3)) == "33.3%"
    assert count(4000) == "4,000"
    assert count(np.int64(7)) == "7"
    assert seconds(0.7712) == "0.77 s"
    assert score(1234.56) == "1,234.6"


def test_long_durations_read_in_the_largest_whole_unit() -> None:
    # time to read runs to hours: 11452 s is easier read as 3.2 h
    assert seconds(59.994) == "59.99 s"
    assert seconds(60) == "1.0 min"
    assert seconds(1608) == "26.8 min"
    assert seconds(11452) == "3.2 h"
    assert seconds(3 * 86400) == "3.0 d"


def test_every_catalogue_format_has_a_formatter() -> None:
    from template_noise import catalogue
    from template_noise.format import metric

    assert metric("read_rate")(0.25) == "25.0%"
    assert metric("time_to_read_p90_s")(5400) == "1.5 h"
    assert metric("severities")(["info", "warning"]) == "info, warning"
    for m in catalogue.load().metrics:
        assert metric(m.name)(None) == MISSING


@pytest.mark.parametrize("value", UNDEFINED, ids=repr)
def test_an_undefined_value_shows_as_missing(value: object) -> None:
    assert MISSING == "n/a"
    assert {pct(value), count(value), seconds(value), score(value)} == {MISSING}


def test_the_percentages_are_those_the_dashboard_tests_expect() -> None:
    # The pages show f"{x:.1%}"; the CLI table and the checklist used f"{100 * x:.1f}%".
    for x in (0.0005, 0.0015, 0.12345, 0.99995, 1 / 3, 2 / 3, 1e-9):
        assert pct(x) == f"{x:.1%}" == f"{100 * x:.1f}%"


def test_the_metrics_table_uses_them() -> None:
    row = {
        "template": "t", "sent": 12345, "recipients": None, "max_per_user_day": 3,
        "duplicate_rate": 0.25, "read_rate": math.nan, "archived_unread_rate": 0.0,
        "expiry_coverage": 1.0, "stale_unread_rate": 0.5, "failure_rate": 0.0,
        "retry_rate": 0.0, "max_attempts": 1, "score": 2048.25, "noisy": True,
        "flags": ["flooding"],
    }  # fmt: skip
    text = render_table(pd.DataFrame([row]), "2024-01-01T00:00:00+00:00")
    cells = text.splitlines()[3].split()
    assert cells[:6] == ["t", "12,345", "n/a", "3", "25.0%", "n/a"]
    assert "2,048.2" in cells
