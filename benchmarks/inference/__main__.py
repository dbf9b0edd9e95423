"""python -m benchmarks.inference: grouping accuracy of template-noise and drain3, one table."""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

from template_noise.inference import infer_templates

from benchmarks.inference import distinct_records, evaluate, samples_table, table
from benchmarks.inference.corpus import CORPUS, SEED, build, load


def speed(scale: float) -> str:
    rows = build(scale=scale, seed=SEED + 1)
    records = distinct_records(rows)
    infer_templates(list(records)[:1])  # pyarrow's compute functions load on first use
    t0, c0 = time.perf_counter(), time.process_time()
    keys = infer_templates(records)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    return (
        f"Speed: {len(records):,} distinct records ({len(keys):,} distinct titles, "
        f"{len(rows):,} notifications) -> {len(set(keys.values())):,} templates "
        f"in {seconds:.1f} s ({cpu:.1f} s of CPU)\n"
    )


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--corpus", type=Path, default=CORPUS)
    p.add_argument("--out", type=Path, help="also write the table here (Markdown)")
    p.add_argument(
        "--speed",
        type=float,
        metavar="SCALE",
        help="also time template-noise alone on the corpus's templates drawn SCALE times as often",
    )
    a = p.parse_args()
    rows = load(a.corpus)
    text = table(evaluate(rows, repeat=3), rows)
    text += "\nOverall grouping accuracy on random samples of the corpus (seed 1):\n\n"
    text += samples_table(rows, (0.1, 0.25, 0.5))
    if a.speed:
        text += "\n" + speed(a.speed)
    print(text, end="")
    if a.out:
        note = (
            "# Template inference: template-noise against drain3\n\n"
            f"Written by `python -m benchmarks.inference {' '.join(sys.argv[1:])}`"
            f" (Python {platform.python_version()}, {platform.machine()}, {os.cpu_count()} cores,"
            f" load average {os.getloadavg()[0]:.1f} at the start).\n\n"
        )
        a.out.write_text(note + text, encoding="utf-8")


if __name__ == "__main__":
    main()
