"""The long steps of a load: ingest reports them with DuckDB's progress, and the command line
shows them on stderr, quiet for short steps, a line every 30 s in a log, in place on a
terminal."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest
from template_noise import db
from template_noise import ingest as ingest_module
from template_noise.errors import TemplateNoiseError
from template_noise.ingest import STEP_FAILED, ingest
from template_noise.steps import StepLog, duration

from benchmarks.generate import generate


def replay(events: Sequence[tuple[float, str, float | None]], tty: bool = False) -> str:
    """What a StepLog writes for (seconds since the first call, step, figure) calls."""
    out, now = io.StringIO(), [0.0]
    log = StepLog(stream=out, clock=lambda: now[0], tty=tty)
    for t, what, done in events:
        now[0] = t
        log(what, done)
    return out.getvalue()


READ = "reading a.jsonl"
STATE = "building the per-notification state"


def test_duration_reads_as_seconds_minutes_hours() -> None:
    assert [duration(s) for s in (0, 42, 59.9, 60, 185, 3599, 3720)] == [
        "0s", "42s", "59s", "1m00s", "3m05s", "59m59s", "1h02m",
    ]  # fmt: skip


def test_a_step_shorter_than_five_seconds_says_nothing() -> None:
    assert replay([(0, READ, 0.0), (4.9, READ, 80.0), (4.9, READ, None)]) == ""


def test_in_a_log_one_line_every_30_seconds_and_one_at_the_end() -> None:
    figures = ((6, 10.0), (20, 20.0), (35.9, 30.0), (37, 25.0), (60, 50.0), (125, 90.0))
    calls = [(0, STATE, 0.0), *((t, STATE, d) for t, d in figures), (125, STATE, None)]
    # 6 s: the first line; 20 and 35.9 s: within 30 s of it; 37 s: 31 s later, the highest
    # figure so far (30%, not the 25% reported then); 60 s: 23 s after; 125 s: 88 s after.
    assert replay(calls).splitlines() == [
        f"{STATE}: 10% after 6s",
        f"{STATE}: 30% after 37s",
        f"{STATE}: 90% after 2m05s",
        f"{STATE}: done in 2m05s",
    ]


def test_a_new_step_starts_its_own_clock_and_figure() -> None:
    repeats = "finding repeated events"
    calls = [(0, READ, 0.0), (10, READ, 70.0), (10, READ, None),
             (10, repeats, 0.0), (16, repeats, 5.0)]  # fmt: skip
    assert replay(calls).splitlines() == [
        f"{READ}: 70% after 10s",
        f"{READ}: done in 10s",
        f"{repeats}: 5% after 6s",
    ]


def test_on_a_terminal_one_line_is_rewritten_in_place() -> None:
    calls = [(0, READ, 0.0), (5, READ, 40.0), (6, READ, 60.0), (7, READ, None)]
    clear = "\r\033[K"
    assert replay(calls, tty=True) == (
        f"{clear}{READ}: 40% after 5s{clear}{READ}: 60% after 6s{clear}{READ}: done in 7s\n"
    )


def test_a_step_stopped_by_an_error_says_so_before_the_error() -> None:
    calls = [(0, READ, 0.0), (6, READ, 50.0), (9, READ, STEP_FAILED)]
    assert replay(calls) == f"{READ}: 50% after 6s\n{READ}: stopped after 9s\n"
    clear = "\r\033[K"
    assert replay(calls, tty=True) == (
        f"{clear}{READ}: 50% after 6s{clear}{READ}: stopped after 9s\n"
    )
    # Quiet until then: the error alone says it.
    assert replay([(0, READ, 0.0), (0, READ, STEP_FAILED)]) == ""


def test_ingest_reports_its_steps_with_duckdbs_progress(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = tmp_path / "log.parquet"
    generate(log, 100_000)
    monkeypatch.setattr(ingest_module, "STEP_POLL_S", 0.02)
    calls: list[tuple[str, float | None]] = []
    con = db.connect(tmp_path / "db.duckdb")
    ingest(con, [log], step=lambda what, done: calls.append((what, done)))
    after = len(calls)
    steps = list(dict.fromkeys(what for what, _ in calls))  # in the order they began
    assert steps == [f"reading {log}", "finding repeated events",
                     "building the per-notification state"]  # fmt: skip
    for what in steps:
        mine = [done for w, done in calls if w == what]
        first = calls.index((what, 0.0))
        assert all(w == what for w, _ in calls[first : first + len(mine)]), what  # one at a time
        assert mine[0] == 0.0 and mine[-1] is None and None not in mine[:-1], what
        assert all(d is not None and 0.0 <= d <= 100.0 for d in mine[:-1]), what
    # The 284,801 events are normalised by one statement DuckDB reports on while it runs.
    reading = [done for w, done in calls if w == f"reading {log}"][1:-1]
    assert any(d is not None and 0.0 < d <= 100.0 for d in reading), reading
    # The watcher stopped with its step: nothing is reported once the load returned.
    con.execute("SELECT count(*) FROM range(50000000) WHERE hash(range) % 7 = 0").fetchall()
    assert len(calls) == after


def test_the_command_shows_a_long_load_on_stderr(tmp_path: Path) -> None:
    """A load of 3M notifications (8.5M events) reads its file for longer than 5 s."""
    log = tmp_path / "log.parquet"
    generate(log, 3_000_000)
    env = {k: v for k, v in os.environ.items() if k != "TEMPLATE_NOISE_MEMORY_LIMIT"}
    done = subprocess.run(
        [sys.executable, "-m", "template_noise.cli", "ingest", str(log), "--db",
         str(tmp_path / "db.duckdb")],
        capture_output=True, text=True, env=env, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    lines = done.stderr.splitlines()
    assert lines[0] == f"[1/1] loading {log}"
    progress = [ln for ln in lines if ln.startswith(f"reading {log}: ") and "% after " in ln]
    assert progress, done.stderr
    assert any(ln.startswith(f"reading {log}: done in ") for ln in lines), done.stderr
    assert "\r" not in done.stderr  # not a terminal: whole lines, for a log
    assert done.stdout.splitlines()[0].endswith("events loaded, 0 already present, 0 rejected")


def test_a_load_that_fails_reports_its_step_as_stopped(tmp_path: Path) -> None:
    log = tmp_path / "log.parquet"
    generate(log, 20_000)
    calls: list[tuple[str, float | None]] = []
    con = db.connect(tmp_path / "db.duckdb", memory_limit="20MB")
    with pytest.raises(TemplateNoiseError, match="Out of Memory"):
        ingest(con, [log], step=lambda what, done: calls.append((what, done)))
    what, done = calls[-1]
    assert done == STEP_FAILED and calls.index((what, 0.0)) < len(calls) - 1, calls
    assert [d for w, d in calls if w == what].count(None) == 0  # never reported as done
