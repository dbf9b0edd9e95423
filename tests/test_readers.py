"""Every command that reads `--db` answers while `ingest --db` writes the same file in place:
it waits for the load (one line on stderr) instead of failing on DuckDB's file lock, then
reads what the load published. Real processes side by side, as cron runs them."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

from template_noise import store
from template_noise.ingest import ingest

from benchmarks.generate import generate
from benchmarks.readers import CLI, COMMANDS, sent

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data" / "notifications.jsonl"


def sample_db(tmp_path: Path) -> Path:
    """A database file holding the bundled sample."""
    dbfile = tmp_path / "noise.duckdb"
    subprocess.run(
        [*CLI, "ingest", str(SAMPLE), "--db", str(dbfile)], check=True, capture_output=True
    )
    return dbfile


def test_readers_wait_for_an_in_place_load_and_never_fail(tmp_path: Path) -> None:
    dbfile = sample_db(tmp_path)
    before = sent(dbfile)
    big = tmp_path / "big.jsonl"
    generate(big, 150_000, "jsonl", first=10_000_000)  # a load of several seconds
    inode = dbfile.stat().st_ino

    writer = subprocess.Popen(
        [*CLI, "ingest", str(big), "--db", str(dbfile), "--format", "text"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    # The progress line comes from inside the writer: it has chosen to write in place.
    assert writer.stderr is not None
    assert "loading" in writer.stderr.readline()
    runs: dict[str, int] = dict.fromkeys(COMMANDS, 0)
    failures: list[str] = []
    waited = 0
    while writer.poll() is None or min(runs.values()) == 0:
        for name, (args, ok) in COMMANDS.items():
            done = subprocess.run(
                [*CLI, *args, "--db", str(dbfile)], capture_output=True, text=True, timeout=600
            )
            runs[name] += 1
            if done.returncode not in ok:
                failures.append(f"{name}: exit {done.returncode}: {done.stderr.strip()}")
            waited += "waiting for the load of" in done.stderr
    assert writer.wait(timeout=600) == 0, writer.stderr.read()

    print(f"\nreaders beside an in-place ingest: {runs}, waited {waited}, failed {len(failures)}")
    assert failures == []
    assert waited >= 1  # at least one reader overlapped the load (and waited for it)
    assert dbfile.stat().st_ino == inode  # the load was written in place, not copied
    after = sent(dbfile)
    assert after > before  # the new data is visible once the load is done


def test_a_reader_gives_up_after_wait_seconds_with_one_line(tmp_path: Path) -> None:
    dbfile = sample_db(tmp_path)
    with store.writer(dbfile, in_place=True):  # a load writing the file in place
        started = time.monotonic()
        done = subprocess.run(
            [*CLI, "metrics", "--db", str(dbfile), "--wait", "1"],
            capture_output=True,
            text=True,
            timeout=120,
        )
        elapsed = time.monotonic() - started
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert lines == [
        f"template-noise: waiting for the load of {dbfile} (up to 1 s)",
        f"template-noise: {dbfile}: the load still runs after 1 s (wait longer with --wait SECONDS)",
    ]
    assert 1 <= elapsed < 60
    # Once the writer is done, the same command answers.
    assert (
        subprocess.run([*CLI, "metrics", "--db", str(dbfile)], capture_output=True).returncode == 0
    )


def test_a_reader_that_waits_reads_what_the_load_published(tmp_path: Path) -> None:
    dbfile = sample_db(tmp_path)
    before = sent(dbfile)
    more = tmp_path / "more.jsonl"
    generate(more, 500, "jsonl", first=20_000_000)
    with store.writer(dbfile, in_place=True) as con:
        reader = subprocess.Popen(
            [*CLI, "metrics", "--db", str(dbfile), "--format", "json"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert reader.stderr is not None
        assert "waiting for the load of" in reader.stderr.readline()
        ingest(con, [str(more)])
    out, _ = reader.communicate(timeout=120)
    assert reader.returncode == 0
    answered = sum(t["sent"] for t in json.loads(out)["templates"])
    assert answered == sent(dbfile) > before
