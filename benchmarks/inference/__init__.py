"""Template inference: the labelled corpus and its evaluation against drain3.

    python -m benchmarks.inference [--corpus FILE] [--out benchmarks/inference/results.md]

Grouping accuracy (Zhu et al., "Tools and Benchmarks for Automated Log Parsing",
ICSE-SEIP 2019): a title counts as right when the set of titles grouped with it equals the
set of titles of its true template. Reported per domain (over the one clustering of the
whole corpus) and overall, for template-noise, drain3 with its default settings, and drain3
with the masking instructions of its example configuration (numbers, IPs, hex, sequences),
all in one run, with the time each took (best of three runs), then the overall accuracy of
each on random samples of the corpus (fewer variants of every template: the harder case for
a rule that learns from variation).
"""

from __future__ import annotations

import random
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from template_noise.inference import TitleRecord, infer_templates

Row = dict[str, Any]

# drain3's example configuration (its README's drain3.ini), without the CMD mask that only
# fits its sample logs.
DRAIN_MASKS = (
    (r"((?<=[^A-Za-z0-9])|^)(([0-9a-f]{2,}:){3,}([0-9a-f]{2,}))((?=[^A-Za-z0-9])|$)", "ID"),
    (r"((?<=[^A-Za-z0-9])|^)(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})((?=[^A-Za-z0-9])|$)", "IP"),
    (r"((?<=[^A-Za-z0-9])|^)([0-9a-f]{6,} ?){3,}((?=[^A-Za-z0-9])|$)", "SEQ"),
    (r"((?<=[^A-Za-z0-9])|^)([0-9A-F]{4} ?){4,}((?=[^A-Za-z0-9])|$)", "SEQ"),
    (r"((?<=[^A-Za-z0-9])|^)(0x[a-f0-9A-F]+)((?=[^A-Za-z0-9])|$)", "HEX"),
    (r"((?<=[^A-Za-z0-9])|^)([\-\+]?\d+)((?=[^A-Za-z0-9])|$)", "NUM"),
)
DOMAINS = ("security", "billing", "collaboration", "operations", "commerce")


def grouping_accuracy(predicted: Sequence[object], expected: Sequence[object]) -> list[bool]:
    """Per title: is the set of titles grouped with it the set of its true group?"""
    by_pred: dict[object, set[int]] = defaultdict(set)
    by_true: dict[object, set[int]] = defaultdict(set)
    for i, (p, e) in enumerate(zip(predicted, expected, strict=True)):
        by_pred[p].add(i)
        by_true[e].add(i)
    return [by_pred[p] == by_true[e] for p, e in zip(predicted, expected, strict=True)]


def distinct_records(rows: Sequence[Row]) -> set[TitleRecord]:
    """The distinct (title, body, metadata key set, severity, CTA labels) of the rows."""
    return {
        TitleRecord(
            title=r["title"],
            body=r["body"],
            metadata_keys=frozenset(r["metadata"]),
            severity=r["severity"],
            ctas=tuple(r["ctas"]),
        )
        for r in rows
    }


def tool_groups(rows: Sequence[Row]) -> list[str]:
    """template-noise: each title's inferred template key, from the distinct records."""
    keys = infer_templates(distinct_records(rows))
    return [keys[r["title"]] for r in rows]


def _drain(rows: Sequence[Row], masked: bool) -> list[int]:
    from drain3 import TemplateMiner
    from drain3.masking import MaskingInstruction
    from drain3.template_miner_config import TemplateMinerConfig

    config = TemplateMinerConfig()  # the defaults, whatever drain3.ini lies around
    if masked:
        config.masking_instructions = [MaskingInstruction(p, m) for p, m in DRAIN_MASKS]
    miner = TemplateMiner(config=config)
    # Drain never moves a title to another cluster, so the cluster it joins is its group.
    return [int(miner.add_log_message(r["title"])["cluster_id"]) for r in rows]


def drain_default(rows: Sequence[Row]) -> list[int]:
    return _drain(rows, masked=False)


def drain_masked(rows: Sequence[Row]) -> list[int]:
    return _drain(rows, masked=True)


METHODS: tuple[tuple[str, Callable[[Sequence[Row]], Sequence[object]]], ...] = (
    ("template-noise", tool_groups),
    ("drain3 (default)", drain_default),
    ("drain3 (number masking)", drain_masked),
)


@dataclass(frozen=True)
class Result:
    method: str
    accuracy: dict[str, float]  # domain -> grouping accuracy, and "overall"
    templates: int  # groups found
    exact: float | None  # share of titles whose key is the expected template, verbatim
    seconds: float


def evaluate(rows: Sequence[Row], repeat: int = 1) -> list[Result]:
    """Each method over `rows`; its time is the best of `repeat` runs (the first one pays
    for imports and caches)."""
    expected = [r["expected"] for r in rows]
    out = []
    for name, method in METHODS:
        seconds = float("inf")
        for _ in range(repeat):
            t0 = time.perf_counter()
            groups = method(rows)
            seconds = min(seconds, time.perf_counter() - t0)
        right = grouping_accuracy(groups, expected)
        acc = {
            d: _share([ok for ok, r in zip(right, rows, strict=True) if r["domain"] == d])
            for d in DOMAINS
        }
        acc["overall"] = _share(right)
        exact = _share([g == e for g, e in zip(groups, expected, strict=True)])
        out.append(
            Result(name, acc, len(set(groups)), exact if name == METHODS[0][0] else None, seconds)
        )
    return out


def _share(flags: Sequence[bool]) -> float:
    return sum(flags) / len(flags) if flags else 0.0


def samples_table(rows: Sequence[Row], fractions: Sequence[float], seed: int = 1) -> str:
    """Overall accuracy on random samples of the corpus: fewer variants of every template."""
    head = ["method", *(f"{f:.0%} sample" for f in fractions)]
    cells: dict[str, list[str]] = {name: [name] for name, _ in METHODS}
    for f in fractions:
        sample = random.Random(seed).sample(list(rows), round(len(rows) * f))
        for res in evaluate(sample):
            cells[res.method].append(f"{res.accuracy['overall']:.3f}")
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(c) + " |" for c in cells.values()]
    return "\n".join(lines) + "\n"


def table(results: Sequence[Result], rows: Sequence[Row]) -> str:
    true_templates = len({r["expected"] for r in rows})
    head = ["method", *DOMAINS, "overall", "templates", "exact keys", "time"]
    lines = [
        f"Grouping accuracy on {len(rows):,} titles of {true_templates} templates "
        "(benchmarks/inference/corpus.jsonl)",
        "",
        "| " + " | ".join(head) + " |",
        "|" + "---|" * len(head),
    ]
    for res in results:
        cells = [res.method]
        cells += [f"{res.accuracy[d]:.3f}" for d in (*DOMAINS, "overall")]
        cells += [str(res.templates), "-" if res.exact is None else f"{res.exact:.3f}"]
        cells.append(f"{res.seconds * 1000:.0f} ms")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"
