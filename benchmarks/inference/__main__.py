"""python -m benchmarks.inference: grouping accuracy of template-noise and drain3, one table."""

from __future__ import annotations

import argparse
import platform
from pathlib import Path

from benchmarks.inference import evaluate, samples_table, table
from benchmarks.inference.corpus import CORPUS, load


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--corpus", type=Path, default=CORPUS)
    p.add_argument("--out", type=Path, help="also write the table here (Markdown)")
    a = p.parse_args()
    rows = load(a.corpus)
    text = table(evaluate(rows, repeat=3), rows)
    text += "\nOverall grouping accuracy on random samples of the corpus (seed 1):\n\n"
    text += samples_table(rows, (0.1, 0.25, 0.5))
    print(text, end="")
    if a.out:
        note = (
            "# Template inference: template-noise against drain3\n\n"
            "Written by `python -m benchmarks.inference --out benchmarks/inference/results.md`"
            f" (Python {platform.python_version()}, {platform.machine()}).\n\n"
        )
        a.out.write_text(note + text, encoding="utf-8")


if __name__ == "__main__":
    main()
