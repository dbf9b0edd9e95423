"""Ingest speed per input format: wall time and peak RSS of `template-noise ingest` into a
fresh database file, each in its own process.

    python -m benchmarks.ingest_speed --notifications 400000   # about 1.1M events
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.generate import FORMATS, generate


def run_ingest(path: Path, dbfile: Path) -> tuple[float, float, dict[str, object]]:
    """(seconds, peak RSS in MiB, report) of one ingest in a child process."""
    cmd = [
        sys.executable,
        "-m",
        "template_noise.cli",
        "ingest",
        str(path),
        "--db",
        str(dbfile),
        "--format",
        "json",
    ]
    t0 = time.perf_counter()
    out = subprocess.run(cmd, capture_output=True, text=True, check=True)
    seconds = time.perf_counter() - t0
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return seconds, rss, json.loads(out.stdout)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--notifications", type=int, default=400_000)
    a = p.parse_args()
    print(
        f"machine: {platform.machine()}, {platform.python_version()}, "
        f"{subprocess.run(['nproc'], capture_output=True, text=True).stdout.strip()} cores"
    )
    print("| format | events | file MiB | ingest s | events/s | peak RSS MiB |")
    print("|---|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        for fmt in FORMATS:
            log = Path(tmp) / f"log.{fmt}"
            events = generate(log, a.notifications, fmt)
            seconds, rss, report = run_ingest(log, Path(tmp) / f"{fmt}.duckdb")
            assert report["events_loaded"] == events, report
            print(
                f"| {fmt} | {events:,} | {log.stat().st_size / 2**20:,.0f} | {seconds:.1f} | "
                f"{events / seconds:,.0f} | {rss:,.0f} |",
                flush=True,
            )
            log.unlink()


if __name__ == "__main__":
    main()
