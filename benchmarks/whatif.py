"""`simulate` on an ingested database: a policy with all four rules, replayed in a new process.

    python -m benchmarks.whatif --db FILE [--db FILE ...] [--memory-limit 8GB]

Prints one row per database (wall seconds, peak RSS, notifications replayed, and how many
each rule suppressed), in the form of benchmarks/results.md's what-if table. The same step
runs in `benchmarks.run` on the database each size builds.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from benchmarks.run import CLI, load, measure

# SPEC's example: every rule set for every template, one template throttled harder.
POLICY = """\
[default]
dedup_window_minutes = 60
digest_minutes = 30
throttle = { max = 3, per_hours = 24 }
expires_hours = 72

[templates."operations.webhook_endpoint_disabled"]
throttle = { max = 1, per_hours = 24 }
"""

STEP = "simulate: dedup, digest, throttle and expiry replayed (new process)"


def simulate_cmd(db: Path, policy: Path, memory_limit: str | None) -> list[str]:
    mem = ["--memory-limit", memory_limit] if memory_limit else []
    return [*CLI, "simulate", "--policy", str(policy), "--db", str(db), "--format", "json", *mem]


def row(db: Path, memory_limit: str | None) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        policy = Path(tmp) / "policy.toml"
        policy.write_text(POLICY, encoding="utf-8")
        out = Path(tmp) / "out.json"
        seconds, rss = measure(simulate_cmd(db, policy, memory_limit), stdout=out)
        total = json.loads(out.read_text())["total"]
    return (
        f"| {total['sent']:,} | {seconds:.2f} | {rss:,.0f} | {total['suppressed_dedup']:,} | "
        f"{total['suppressed_digest']:,} | {total['suppressed_throttle']:,} | {load()} |"
    )


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--db", type=Path, action="append", required=True, help="an ingested database")
    p.add_argument("--memory-limit", help="passed to simulate, e.g. 8GB")
    a = p.parse_args()
    print("| notifications replayed | wall s | peak RSS MiB | dedup | digest | throttle | load |")
    print("|---:|---:|---:|---:|---:|---:|---|")
    for db in a.db:
        print(row(db, a.memory_limit), flush=True)


if __name__ == "__main__":
    main()
