"""The evaluation of benchmarks/watch_eval.py as a test (fixed seed): every planted incident
found within two hours of its start, at most one false alert a week across a dozen
templates, and none on a quiet month (a holiday included)."""

from __future__ import annotations

from pathlib import Path

from benchmarks.watch_eval import KINDS, evaluate, render


def test_every_planted_incident_is_found_within_two_hours(tmp_path: Path) -> None:
    rows, _, incidents = evaluate(tmp_path, weeks=6, seed=7)
    print(render(rows, 5))
    assert {i.kind for i in incidents} == set(KINDS)
    for row in rows:
        assert row.planted >= 1 and row.missed == 0, row
        assert row.max_delay_h is not None and row.max_delay_h <= 2, row
    assert sum(r.false for r in rows) <= 5  # five weeks judged


def test_a_quiet_month_raises_no_alert(tmp_path: Path) -> None:
    rows, alerts, incidents = evaluate(tmp_path, weeks=5, seed=7, quiet=True)
    assert incidents == []
    assert alerts == [], render(rows, 4)
