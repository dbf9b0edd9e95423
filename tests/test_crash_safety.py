"""An ingest killed with SIGKILL at any point leaves the database as it was before that load;
running the load again completes it with no event counted twice. Real processes, real kills.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dashboard import db
from dashboard.store import CRASH_ENV

KILL_POINTS = [
    "after_copy",  # staging copy made, nothing read yet
    "after_read",  # every file read and normalised, before the transaction
    "before_commit",  # events inserted in the transaction, not committed
    "before_checkpoint",  # committed to the staging file's WAL
    "before_replace",  # staging file complete, not yet swapped in
]


def write_log(path: Path, notifications: range) -> int:
    lines = []
    for i in notifications:
        lines.append(
            {
                "event_type": "sent",
                "occurred_at": f"2026-03-01T{i % 24:02d}:00:00Z",
                "notification_id": f"n{i}",
                "user_id": f"u{i % 50}",
                "title": f"Invite accepted {i % 7}",
                "body": "b",
                "metadata": {"i": i},
            }
        )
        lines.append(
            {
                "event_type": "read",
                "occurred_at": f"2026-03-01T{i % 24:02d}:30:00Z",
                "notification_id": f"n{i}",
                "user_id": f"u{i % 50}",
            }
        )
    path.write_text("".join(json.dumps(r) + "\n" for r in lines))
    return len(lines)


def ingest_cmd(dbfile: Path, *paths: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "dashboard.cli",
        "ingest",
        *map(str, paths),
        "--db",
        str(dbfile),
        "--format",
        "json",
    ]


def snapshot(dbfile: Path) -> tuple[int, str]:
    con = db.connect(dbfile, read_only=True)
    row = con.execute(
        "SELECT count(*), md5(string_agg(event_id, ',' ORDER BY event_id)) FROM events"
    ).fetchone()
    con.close()
    assert row is not None
    return int(row[0]), str(row[1])


@pytest.fixture
def base(tmp_path: Path) -> tuple[Path, Path, int, int]:
    first, second = tmp_path / "day1.jsonl", tmp_path / "day2.jsonl"
    n1 = write_log(first, range(0, 3000))
    n2 = write_log(second, range(3000, 6000))
    dbfile = tmp_path / "tn.duckdb"
    subprocess.run(ingest_cmd(dbfile, first), check=True, capture_output=True)
    return dbfile, second, n1, n2


@pytest.mark.parametrize("point", KILL_POINTS)
def test_sigkill_at_each_point_leaves_the_database_as_before(
    base: tuple[Path, Path, int, int], point: str
) -> None:
    dbfile, second, n1, n2 = base
    before = snapshot(dbfile)
    assert before[0] == n1
    crashed = subprocess.run(
        ingest_cmd(dbfile, second), capture_output=True, env={**os.environ, CRASH_ENV: point}
    )
    assert crashed.returncode == -signal.SIGKILL
    assert snapshot(dbfile) == before, f"killed {point}: the database changed"

    again = subprocess.run(ingest_cmd(dbfile, second), capture_output=True, text=True, check=True)
    report = json.loads(again.stdout)
    assert (report["events_loaded"], report["events_already_present"]) == (n2, 0)
    assert snapshot(dbfile)[0] == n1 + n2
    assert not list(dbfile.parent.glob(".tn.duckdb.staging-*")), "stale staging file left behind"


def test_sigkill_at_random_moments(base: tuple[Path, Path, int, int]) -> None:
    dbfile, _, n1, _ = base
    second = dbfile.parent / "month.jsonl"
    n2 = write_log(second, range(10_000, 310_000))  # a load that takes a few seconds
    before = snapshot(dbfile)
    rng = random.Random(5)
    outcomes = {"killed": 0, "finished": 0}
    # Growing delays: the early kills land while the load runs, a late one may find it done.
    for delay in sorted(rng.uniform(0.2, 5.0) for _ in range(8)):
        proc = subprocess.Popen(
            ingest_cmd(dbfile, second), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
        )
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        after = snapshot(dbfile)
        if proc.returncode == -signal.SIGKILL and after == before:
            outcomes["killed"] += 1
        else:
            # It finished before the kill: the load is complete, never half done.
            assert after[0] == n1 + n2
            outcomes["finished"] += 1
            break
    subprocess.run(ingest_cmd(dbfile, second), check=True, capture_output=True)
    assert snapshot(dbfile)[0] == n1 + n2
    assert outcomes["killed"] >= 1, outcomes
    artifacts = Path(__file__).resolve().parent.parent / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    (artifacts / "crash_random_kills.json").write_text(json.dumps(outcomes))
    print(f"random SIGKILLs: {outcomes}")
