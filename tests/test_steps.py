"""The long steps of a load: ingest reports them with DuckDB's progress, and the command line
shows them on stderr, quiet for short steps, a line every 30 s in a log, in place on a
terminal."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from template_noise import db
from template_noise import ingest as ingest_module
from template_noise.errors import TemplateNoiseError
from template_noise.ingest import STEP_FAILED, ingest
from template_noise.steps import StepLog, duration

from benchmarks.generate import generate


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def log_at(clock: Clock, tty: bool) -> tuple[StepLog, io.StringIO]:
    out = io.StringIO()
    return StepLog(stream=out, clock=clock, tty=tty), out


def test_duration_reads_as_seconds_minutes_hours() -> None:
    assert [duration(s) for s in (0, 42, 59.9, 60, 185, 3599, 3720)] == [
        "0s", "42s", "59s", "1m00s", "3m05s", "59m59s", "1h02m",
    ]  # fmt: skip


def test_a_step_shorter_than_five_seconds_says_nothing() -> None:
    clock = Clock()
    log, out = log_at(clock, tty=False)
    log("reading a.jsonl", 0.0)
    clock.now = 4.9
    log("reading a.jsonl", 80.0)
    log("reading a.jsonl", None)
    assert out.getvalue() == ""


def test_in_a_log_one_line_every_30_seconds_and_one_at_the_end() -> None:
    clock = Clock()
    log, out = log_at(clock, tty=False)
    log("building the per-notification state", 0.0)
    for t, done in ((6, 10.0), (20, 20.0), (35.9, 30.0), (37, 25.0), (60, 50.0), (125, 90.0)):
        clock.now = t
        log("building the per-notification state", done)
    log("building the per-notification state", None)
    # 6 s: the first line; 20 and 35.9 s: within 30 s of it; 37 s: 31 s later, the highest
    # figure so far (30%, not the 25% reported then); 60 s: 23 s after; 125 s: 88 s after.
    assert out.getvalue().splitlines() == [
        "building the per-notification state: 10% after 6s",
        "building the per-notification state: 30% after 37s",
        "building the per-notification state: 90% after 2m05s",
        "building the per-notification state: done in 2m05s",
    ]


def test_a_new_step_starts_its_own_clock_and_figure() -> None:
    clock = Clock()
    log, out = log_at(clock, tty=False)
    log("reading a.jsonl", 0.0)
    clock.now = 10
    log("reading a.jsonl", 70.0)
    log("reading a.jsonl", None)
    log("finding repeated events", 0.0)
    clock.now = 16
    log("finding repeated events", 5.0)
    assert out.getvalue().splitlines() == [
        "reading a.jsonl: 70% after 10s",
        "reading a.jsonl: done in 10s",
        "finding repeated events: 5% after 6s",
    ]


def test_on_a_terminal_one_line_is_rewritten_in_place() -> None:
    clock = Clock()
    log, out = log_at(clock, tty=True)
    log("reading a.jsonl", 0.0)
    for t, done in ((5, 40.0), (6, 60.0)):
        clock.now = t
        log("reading a.jsonl", done)
    clock.now = 7
    log("reading a.jsonl", None)
    clear = "\r\033[K"
    assert out.getvalue() == (
        f"{clear}reading a.jsonl: 40% after 5s"
        f"{clear}reading a.jsonl: 60% after 6s"
        f"{clear}reading a.jsonl: done in 7s\n"
    )


def test_a_step_stopped_by_an_error_says_so_before_the_error() -> None:
    clock = Clock()
    for tty, expected in (
        (False, "reading a.jsonl: 50% after 6s\nreading a.jsonl: stopped after 9s\n"),
        (True, "\r\033[Kreading a.jsonl: 50% after 6s\r\033[Kreading a.jsonl: stopped after 9s\n"),
    ):
        log, out = log_at(clock, tty=tty)
        clock.now = 0
        log("reading a.jsonl", 0.0)
        clock.now = 6
        log("reading a.jsonl", 50.0)
        clock.now = 9
        log("reading a.jsonl", STEP_FAILED)
        assert out.getvalue() == expected, tty
    log, out = log_at(clock, tty=False)
    log("reading a.jsonl", 0.0)
    log("reading a.jsonl", STEP_FAILED)  # quiet until then: the error alone says it
    assert out.getvalue() == ""


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
