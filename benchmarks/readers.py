"""Readers beside a load: `metrics --db`, `check --db` and `signoffs list --db`, each in a
loop of its own, all three at once, while `ingest --db` writes a generated log into the same
file, as on-call's cron runs next to the hourly ingest. Twice:

- in place: nobody else reads the file, so the load writes it in place and the readers
  wait for it (one line on stderr) and then read what it published;
- through a copy: a reader is registered (as a served dashboard is), so the load writes a
  staging copy and swaps it in; the readers answer from the last published state meanwhile.

    python -m benchmarks.readers [--notifications 1000000] [--workdir DIR]

Prints, per phase and command, the runs, failures, waits and the longest run, and whether
the loaded data is visible after. Exit 1 on any failed run.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from template_noise import store

from benchmarks.generate import generate

CLI = [sys.executable, "-m", "template_noise.cli"]
COMMANDS = {
    "metrics --db": (["metrics", "--format", "json"], {0}),
    "check --db": (["check", "--format", "json"], {0, 1}),
    "signoffs list --db": (["signoffs", "list"], {0}),
}


def sent(dbfile: Path) -> int:
    out = subprocess.run(
        [*CLI, "metrics", "--db", str(dbfile), "--format", "json"],
        capture_output=True,
        text=True,
        check=True,
    )
    return sum(t["sent"] for t in json.loads(out.stdout)["templates"])


def phase(name: str, dbfile: Path, log: Path, in_place: bool) -> bool:
    before = sent(dbfile)
    inode = dbfile.stat().st_ino
    reader = None if in_place else store.Reader(dbfile)
    started = time.monotonic()
    writer = subprocess.Popen(
        [*CLI, "ingest", str(log), "--db", str(dbfile), "--format", "json"],
        stdout=subprocess.PIPE,
        text=True,
    )
    if in_place:  # readers start once the writer holds the file in place
        while not store.writing_in_place(dbfile) and writer.poll() is None:
            time.sleep(0.05)
    else:
        time.sleep(1.0)  # the writer has started copying
    stats = {cmd: {"runs": 0, "failed": 0, "waited": 0, "longest_s": 0.0} for cmd in COMMANDS}
    errors: list[str] = []

    def loop(cmd: str) -> None:
        args, ok = COMMANDS[cmd]
        s = stats[cmd]
        while writer.poll() is None:
            t0 = time.monotonic()
            done = subprocess.run(
                [*CLI, *args, "--db", str(dbfile)], capture_output=True, text=True
            )
            s["runs"] += 1
            s["longest_s"] = max(s["longest_s"], round(time.monotonic() - t0, 1))
            s["waited"] += "waiting for the load of" in done.stderr
            if done.returncode not in ok:
                s["failed"] += 1
                errors.append(f"{cmd}: exit {done.returncode}: {done.stderr.strip()[:300]}")

    threads = [threading.Thread(target=loop, args=(cmd,)) for cmd in COMMANDS]
    for t in threads:
        t.start()
    out, _ = writer.communicate()
    for t in threads:
        t.join()
    load_s = time.monotonic() - started
    if reader is not None:
        reader.close()
    loaded = json.loads(out)["events_loaded"] if writer.returncode == 0 else 0
    after = sent(dbfile)
    how = "in place" if dbfile.stat().st_ino == inode else "through a copy"
    print(f"\n{name}: ingest of {log.name} ({loaded:,} events) took {load_s:.1f} s, written {how}")
    for cmd, s in stats.items():
        print(
            f"  {cmd:<20} runs {s['runs']:>3}  failed {s['failed']}  waited {s['waited']}  "
            f"longest {s['longest_s']} s"
        )
    print(f"  sent before {before:,}, after {after:,}")
    for e in errors:
        print(f"  {e}")
    return not errors and after > before


def main() -> int:
    p = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    p.add_argument("--notifications", type=int, default=1_000_000)
    p.add_argument("--workdir", type=Path)
    args = p.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="tn-readers-"))
    work.mkdir(parents=True, exist_ok=True)
    first, big, more = work / "first.parquet", work / "load.parquet", work / "more.parquet"
    generate(first, 2_000, "parquet")
    generate(big, args.notifications, "parquet", first=1_000_000_000)
    generate(more, args.notifications, "parquet", first=2_000_000_000)
    dbfile = work / "noise.duckdb"
    dbfile.unlink(missing_ok=True)
    subprocess.run([*CLI, "ingest", str(first), "--db", str(dbfile)], check=True)
    ok = phase("in place", dbfile, big, in_place=True)
    ok &= phase("through a copy", dbfile, more, in_place=False)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
