"""Generate a synthetic event log of N notifications straight from DuckDB (vectorised).

python -m benchmarks.generate --notifications 1000000 --format parquet --out /tmp/log.parquet
"""

from __future__ import annotations

import argparse
import time
from datetime import datetime
from pathlib import Path

from template_noise import db
from template_noise.queries import execute

FORMATS = ("parquet", "csv", "jsonl")


def generate(
    out: Path,
    notifications: int,
    fmt: str = "parquet",
    seed: int = 1,
    days: int = 30,
    start: datetime = datetime(2026, 10, 1),
    first: int = 0,
    users: int | None = None,
    memory_limit: str | None = None,
) -> int:
    """Write the log to `out`; returns the number of events written."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {FORMATS}")
    con = db.connect(memory_limit=memory_limit)
    users = users or max(100, notifications // 20)
    execute(
        con,
        "bench/generate_events",
        notifications=notifications,
        first=first,
        users=users,
        days=days,
        start=start,
        seed=seed,
    )
    execute(con, f"bench/export_{fmt}", path=str(out))
    row = con.execute("SELECT count(*) FROM bench_events").fetchone()
    con.close()
    return int(row[0]) if row else 0


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--notifications", type=int, default=1_000_000)
    p.add_argument("--format", choices=FORMATS, default="parquet")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--days", type=int, default=30)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--memory-limit", help="cap DuckDB's memory, e.g. 4GB (spills to disk)")
    a = p.parse_args()
    t0 = time.perf_counter()
    n = generate(a.out, a.notifications, a.format, a.seed, a.days, memory_limit=a.memory_limit)
    print(
        f"{a.out}: {n} events from {a.notifications} notifications "
        f"in {time.perf_counter() - t0:.1f}s"
    )


if __name__ == "__main__":
    main()
