"""`metrics --format table|csv`: the ranking for a terminal and for a spreadsheet.

Both only shape what `metrics.compute_metrics` returned; nothing is computed here.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd
from template_noise import catalogue
from template_noise.format import metric, score
from template_noise.metrics import jsonable

TEMPLATE_WIDTH = 48


def _short(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


@dataclass(frozen=True)
class Column:
    header: str
    field: str
    show: Callable[[Any], str]
    right: bool = True


# The metric columns are the catalogue's marked `table`, with its short headers.
TABLE: tuple[Column, ...] = (
    Column("template", "template", lambda v: _short(str(v), TEMPLATE_WIDTH), right=False),
    *(
        Column(m.header or m.name, m.name, metric(m.name))
        for m in catalogue.load().metrics
        if m.table
    ),
    Column("score", "score", score),
    Column("noisy", "noisy", lambda v: "NOISY" if v else "", right=False),
    Column("flags", "flags", lambda v: ", ".join(v) if len(v) else "", right=False),
)


def render_table(df: pd.DataFrame, as_of: str | None) -> str:
    """An aligned table, worst first: rates as percentages, flags in the last column, the
    numbers formatted as the dashboard shows them (template_noise.format)."""
    head = f"{len(df)} templates, as of {as_of or '-'}; rates are percentages of sent"
    if df.empty:
        return f"{head}\nno notifications in the window\n"
    cells = [[c.show(row[c.field]) for c in TABLE] for _, row in df.iterrows()]
    widths = [max(len(c.header), *(len(r[i]) for r in cells)) for i, c in enumerate(TABLE)]

    def line(values: list[str]) -> str:
        parts = [
            v.rjust(w) if c.right else v.ljust(w)
            for v, w, c in zip(values, widths, TABLE, strict=True)
        ]
        return "  ".join(parts).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([head, line([c.header for c in TABLE]), rule, *map(line, cells)]) + "\n"


# A spreadsheet runs a text cell that starts with one of these as a formula (OWASP's list).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """A cell for a CSV meant for spreadsheets: numbers stay numbers (-3 is a number, not a
    formula); any text that a spreadsheet would run as a formula gets a leading quote."""
    v = jsonable(value)
    if isinstance(v, list):
        v = ";".join("" if x is None else str(x) for x in v)
    if isinstance(v, bool):
        return "true" if v else "false"
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    if isinstance(v, int | float):
        return v
    text = str(v)
    return "'" + text if text.startswith(_FORMULA_START) else text


def for_users(ranking: pd.DataFrame) -> pd.DataFrame:
    """The ranking as users download it: `score` and `noisy`, not the ranking key (which
    adds a large offset to every noisy template)."""
    return ranking.drop(columns=["noise_score"], errors="ignore")


def render_csv(df: pd.DataFrame) -> str:
    """Every column, rates as fractions, lists joined with ';', formula-like text quoted."""
    out = io.StringIO()
    # CRLF rows (RFC 4180): the writer then quotes any field holding a CR or an LF, which a
    # spreadsheet would otherwise read as the end of the row.
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([csv_cell(str(c)) for c in df.columns])
    for row in df.itertuples(index=False):
        writer.writerow([csv_cell(v) for v in row])
    return out.getvalue()
