"""How a writer publishes: in place when nobody reads the file, copy-on-write when a reader
is registered; a reader that starts during an in-place write waits for it. Real processes."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import duckdb
from template_noise import store
from test_crash_safety import ingest_cmd, snapshot, write_log


def events(con: duckdb.DuckDBPyConnection) -> int:
    row = con.execute("SELECT count(*) FROM events").fetchone()
    assert row is not None
    return int(row[0])


def base(tmp_path: Path) -> tuple[Path, int]:
    dbfile, first = tmp_path / "tn.duckdb", tmp_path / "day1.jsonl"
    n1 = write_log(first, range(0, 2000))
    subprocess.run(ingest_cmd(dbfile, first), check=True, capture_output=True)
    return dbfile, n1


def test_without_readers_the_load_is_written_in_place(tmp_path: Path) -> None:
    dbfile, n1 = base(tmp_path)
    second = tmp_path / "day2.jsonl"
    n2 = write_log(second, range(2000, 3000))
    inode = dbfile.stat().st_ino
    out = subprocess.run(ingest_cmd(dbfile, second), check=True, capture_output=True, text=True)
    assert json.loads(out.stdout)["events_loaded"] == n2
    assert dbfile.stat().st_ino == inode  # the same file, not a copy swapped in
    assert snapshot(dbfile)[0] == n1 + n2
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []
    assert not dbfile.with_name("tn.duckdb.wal").exists()


def test_a_registered_reader_makes_writers_copy_and_keeps_its_snapshot(tmp_path: Path) -> None:
    dbfile, n1 = base(tmp_path)
    second = tmp_path / "day2.jsonl"
    n2 = write_log(second, range(2000, 3000))
    reader = store.Reader(dbfile)
    old = reader.connection()
    inode = dbfile.stat().st_ino
    subprocess.run(ingest_cmd(dbfile, second), check=True, capture_output=True)
    assert dbfile.stat().st_ino != inode  # a staging copy was swapped in
    assert events(old) == n1  # the snapshot it had still answers, unchanged
    assert events(reader.connection()) == n1 + n2  # reopened on the published file


def test_a_writer_in_the_readers_process_copies(tmp_path: Path) -> None:
    dbfile, n1 = base(tmp_path)
    reader = store.Reader(dbfile)
    before = reader.connection()
    inode = dbfile.stat().st_ino
    with store.writer(dbfile, in_place=True) as con:
        con.execute("DELETE FROM events WHERE notification_id = 'n1'")
    assert dbfile.stat().st_ino != inode
    assert events(before) == n1
    assert events(reader.connection()) == n1 - 2  # n1's sent and read events


def test_a_reader_that_starts_during_an_in_place_write_waits_for_it(tmp_path: Path) -> None:
    dbfile, n1 = base(tmp_path)
    month = tmp_path / "month.jsonl"
    n2 = write_log(month, range(10_000, 160_000))  # a load of a few seconds
    writer = subprocess.Popen(ingest_cmd(dbfile, month), stdout=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not store.writing_in_place(dbfile):
        assert writer.poll() is None, "the load ended before it was seen writing in place"
        assert time.monotonic() < deadline
        time.sleep(0.02)
    started = time.monotonic()
    reader = store.Reader(dbfile)  # waits for the writer
    waited = time.monotonic() - started
    seen = events(reader.connection())
    out, _ = writer.communicate(timeout=120)
    assert writer.returncode == 0
    assert json.loads(out)["events_loaded"] == n2
    assert seen == n1 + n2, f"the reader saw {seen} events after waiting {waited:.2f} s"
    assert waited > 0.05


def test_metrics_with_paths_and_db_loads_in_place_too(tmp_path: Path) -> None:
    dbfile, n1 = base(tmp_path)
    second = tmp_path / "day2.jsonl"
    n2 = write_log(second, range(2000, 2500))
    inode = dbfile.stat().st_ino
    cmd = ingest_cmd(dbfile, second)
    cmd[cmd.index("ingest")] = "metrics"
    out = subprocess.run(cmd, check=True, capture_output=True, text=True)
    assert sum(t["sent"] for t in json.loads(out.stdout)["templates"]) == (n1 + n2) // 2
    assert dbfile.stat().st_ino == inode
    assert snapshot(dbfile)[0] == n1 + n2
