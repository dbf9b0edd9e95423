"""What template inference costs inside a real ingest: a log loaded into a fresh database file,
then one more day appended, each with the inference step (infer_in_store) timed on its own.

    python -m benchmarks.inference.ingest_step LOG DAY --db FILE

On a shared machine the whole load drifts by 15% or more between runs; the step's own time
is the steadier figure, and its share of the load is what to compare with a 10% budget.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

from template_noise import db
from template_noise import ingest as ingest_module
from template_noise.inference.store import TemplateChanges


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("log", type=Path)
    parser.add_argument("day", type=Path)
    parser.add_argument("--db", type=Path, required=True, help="a new database file")
    args = parser.parse_args()
    if args.db.exists():
        parser.error(f"{args.db}: exists; give a new file")

    spent: list[float] = []
    infer = ingest_module.infer_in_store

    def timed(*a: Any, **k: Any) -> TemplateChanges:
        start = time.perf_counter()
        try:
            return infer(*a, **k)
        finally:
            spent.append(time.perf_counter() - start)

    ingest_module.infer_in_store = timed  # type: ignore[assignment]
    for label, path in (("ingest", args.log), ("append", args.day)):
        con = db.connect(args.db)
        start = time.perf_counter()
        report = ingest_module.ingest(con, [path])
        total = time.perf_counter() - start
        con.close()
        print(
            f"{label} {path.name}: {total:.2f} s, inference step {spent[-1]:.2f} s "
            f"({100 * spent[-1] / total:.1f}%), {report.events_loaded} events, "
            f"{len(report.merges)} merges"
        )


if __name__ == "__main__":
    main()
