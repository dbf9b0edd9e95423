"""A lower bound for `metrics` end to end: the product's own state and metrics over a view
straight on a generated Parquet log (queries/bench/raw_events_view.sql), with nothing
validated, normalised or stored. Not a product path: it measures what the metric
definitions alone cost on this machine.

    python -m benchmarks.bound LOG.parquet [MEMORY_LIMIT] > metrics.json
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from template_noise import db, metrics
from template_noise.config import load_config
from template_noise.filters import Filters
from template_noise.queries import execute


def compute(log: Path, memory_limit: str | None = None) -> dict[str, Any]:
    """`metrics --format json` of a log written by benchmarks/generate.py, the state built
    straight from the file. memory_limit as db.connect takes it (empty: none)."""
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "log.parquet").symlink_to(log.resolve())
        con = db.connect(memory_limit=memory_limit)
        try:
            execute(con, "bench/raw_events_view", dir=tmp)
            execute(con, "metrics/macros")
            execute(con, "state/full")
            return metrics.metrics_json(con, Filters(), load_config(None))
        finally:
            con.close()


def main() -> None:
    out = compute(Path(sys.argv[1]), sys.argv[2] if len(sys.argv) > 2 else None)
    print(json.dumps(out, indent=2, allow_nan=False))


if __name__ == "__main__":
    main()
