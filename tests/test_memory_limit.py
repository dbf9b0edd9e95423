"""The memory cap: --memory-limit, else TEMPLATE_NOISE_MEMORY_LIMIT, reaches DuckDB; under a
cap far below what the work takes, ingest and metrics spill to disk and answer the same."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from template_noise import db

from benchmarks.generate import generate


def setting(con: object) -> str:
    return str(con.execute("SELECT current_setting('memory_limit')").fetchone()[0])  # type: ignore[attr-defined]


def test_memory_limit_from_option_else_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("TEMPLATE_NOISE_MEMORY_LIMIT", raising=False)
    assert setting(db.connect(memory_limit="300MB")) == "286.1 MiB"  # 300e6 bytes
    monkeypatch.setenv("TEMPLATE_NOISE_MEMORY_LIMIT", "200MB")
    assert setting(db.connect()) == "190.7 MiB"
    assert setting(db.connect(memory_limit="300MB")) == "286.1 MiB"  # the option wins
    path = tmp_path / "x.duckdb"
    db.connect(path).close()
    assert setting(db.connect(path, read_only=True)) == "190.7 MiB"  # the dashboard's reader


def test_without_a_cap_each_process_takes_two_fifths_of_the_memory(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Not DuckDB's 80%: an ingest and a dashboard side by side leave a fifth to the OS."""
    monkeypatch.delenv("TEMPLATE_NOISE_MEMORY_LIMIT", raising=False)
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    mib = int(total * 0.4) // 2**20
    con = db.connect()
    limit = con.execute("SELECT value FROM duckdb_settings() WHERE name = 'memory_limit'")
    shown = str(limit.fetchone()[0])  # type: ignore[index]
    number, unit = shown.split()
    as_mib = float(number) * {"MiB": 1, "GiB": 1024}[unit]
    assert abs(as_mib - mib) <= 0.06 * 1024  # DuckDB shows one decimal of GiB


def cli(*args: str | Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "TEMPLATE_NOISE_MEMORY_LIMIT"}
    return subprocess.run(
        [sys.executable, "-m", "template_noise.cli", *map(str, args)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )


def test_a_tight_cap_spills_and_gives_the_same_metrics(tmp_path: Path) -> None:
    log = tmp_path / "log.parquet"
    events = generate(log, 100_000)
    capped, free = tmp_path / "capped.duckdb", tmp_path / "free.duckdb"
    # Unlimited, this ingest peaks near 300 MB of RSS; 200MB makes DuckDB spill.
    done = cli("ingest", log, "--db", capped, "--memory-limit", "200MB", "--format", "json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["events_loaded"] == events == 284_801
    assert cli("ingest", log, "--db", free, "--format", "json").returncode == 0
    out = [
        cli("metrics", "--db", d, "--format", "json", "--memory-limit", "200MB")
        for d in (capped, free)
    ]
    assert out[0].returncode == out[1].returncode == 0
    assert json.loads(out[0].stdout) == json.loads(out[1].stdout)


def test_a_cap_too_small_fails_with_one_clear_line(tmp_path: Path) -> None:
    log = tmp_path / "log.parquet"
    generate(log, 20_000)
    done = cli("ingest", log, "--db", tmp_path / "x.duckdb", "--memory-limit", "20MB")
    assert done.returncode == 2
    last = done.stderr.strip().splitlines()[-1]  # after the progress lines
    assert last.startswith("template-noise: ") and "Out of Memory" in last
    assert last.endswith("(raise --memory-limit, or free memory on this machine)")
    assert not (tmp_path / "x.duckdb").exists()  # nothing half-written


def test_spill_directories_of_dead_processes_are_removed(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    finished = subprocess.Popen([sys.executable, "-c", "pass"])
    finished.wait()  # its pid now names no process
    dead = tmp_path / f"template-noise-{finished.pid}"
    (dead / "sub").mkdir(parents=True)
    (dead / "sub" / "duckdb_temp_block.tmp").write_bytes(b"x" * 1000)
    mine = db.spill_dir()
    mine.mkdir()
    upload = tmp_path / "template-noise-upload-abc"  # not a spill directory
    upload.mkdir()
    assert db.remove_stale_spill_dirs() == [dead]
    assert not dead.exists() and mine.exists() and upload.exists()
