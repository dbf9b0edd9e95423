"""An ingest killed with SIGKILL at any point leaves the database as it was before that load
(or, written in place and killed after its commit, with the load complete); running the load
again completes it with no event counted twice. Real processes, real kills, both ways of
writing: in place (nobody reads the file) and copy-on-write (a reader holds it).
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
from template_noise import db, store
from template_noise.store import CRASH_ENV

KILL_POINTS = {
    "copy": [
        "after_copy",  # staging copy made, nothing read yet
        "after_read",  # every file read and normalised, before the transaction
        "before_commit",  # events inserted in the transaction, not committed
        "before_checkpoint",  # committed to the staging file's WAL
        "before_replace",  # staging file complete, not yet swapped in
    ],
    "in place": [
        "after_read",
        "before_commit",
        "before_checkpoint",  # committed to the published file's WAL: the load is complete
    ],
}
CASES = [(mode, point) for mode, points in KILL_POINTS.items() for point in points]


class Held:
    """A reader holding the database, as a served dashboard does: writers then copy."""

    def __init__(self, dbfile: Path, mode: str) -> None:
        self.reader = store.Reader(dbfile) if mode == "copy" else None

    def refresh(self) -> None:
        if self.reader is not None:
            self.reader.connection()


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
        "template_noise.cli",
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


@pytest.mark.parametrize(("mode", "point"), CASES)
def test_sigkill_at_each_point_leaves_the_database_as_before(
    base: tuple[Path, Path, int, int], mode: str, point: str
) -> None:
    dbfile, second, n1, n2 = base
    before = snapshot(dbfile)
    assert before[0] == n1
    held = Held(dbfile, mode)
    held.refresh()
    inode = dbfile.stat().st_ino
    crashed = subprocess.run(
        ingest_cmd(dbfile, second), capture_output=True, env={**os.environ, CRASH_ENV: point}
    )
    assert crashed.returncode == -signal.SIGKILL
    committed = (mode, point) == ("in place", "before_checkpoint")
    after = snapshot(dbfile)
    if committed:
        assert after[0] == n1 + n2, "killed after the commit: the load is complete"
    else:
        assert after == before, f"killed {point}: the database changed"

    held.refresh()
    again = subprocess.run(ingest_cmd(dbfile, second), capture_output=True, text=True, check=True)
    report = json.loads(again.stdout)
    expected = (0, n2) if committed else (n2, 0)
    assert (report["events_loaded"], report["events_already_present"]) == expected
    assert snapshot(dbfile)[0] == n1 + n2
    assert not list(dbfile.parent.glob(".tn.duckdb.staging-*")), "stale staging file left behind"
    assert not dbfile.with_name("tn.duckdb.wal").exists(), "log left beside the database"
    assert (dbfile.stat().st_ino == inode) == (mode == "in place")


def test_log_of_a_load_killed_in_place_is_kept_by_a_copying_writer(
    base: tuple[Path, Path, int, int],
) -> None:
    dbfile, second, n1, n2 = base
    third = dbfile.parent / "day3.jsonl"
    n3 = write_log(third, range(6000, 7000))
    killed = subprocess.run(
        ingest_cmd(dbfile, second),
        capture_output=True,
        env={**os.environ, CRASH_ENV: "before_checkpoint"},
    )
    assert killed.returncode == -signal.SIGKILL
    assert dbfile.with_name("tn.duckdb.wal").exists()  # the committed load is in the log

    held = Held(dbfile, "copy")
    held.refresh()  # a reader replays the log in memory
    subprocess.run(ingest_cmd(dbfile, third), capture_output=True, check=True)
    assert not dbfile.with_name("tn.duckdb.wal").exists()
    assert snapshot(dbfile)[0] == n1 + n2 + n3


@pytest.mark.parametrize("mode", ["in place", "copy"])
def test_sigkill_at_random_moments(base: tuple[Path, Path, int, int], mode: str) -> None:
    dbfile, _, n1, _ = base
    second = dbfile.parent / "month.jsonl"
    n2 = write_log(second, range(10_000, 310_000))  # a load that takes a few seconds
    before = snapshot(dbfile)
    rng = random.Random(5)
    outcomes = {"killed": 0, "finished": 0}
    # Growing delays: the early kills land while the load runs, a late one may find it done.
    held = Held(dbfile, mode)
    for delay in sorted(rng.uniform(0.2, 5.0) for _ in range(8)):
        held.refresh()
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
    slug = mode.replace(" ", "_")
    (artifacts / f"crash_random_kills_{slug}.json").write_text(json.dumps(outcomes))
    print(f"random SIGKILLs ({mode}): {outcomes}")
