"""The templates in a database, for a person to confirm: `template-noise templates` and the
dashboard's variants view read these (queries/dashboard/template_list.sql and
template_variants.sql)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from template_noise.queries import execute

if TYPE_CHECKING:
    import duckdb

EXAMPLES_WIDTH = 60  # characters of examples per table row


@dataclass(frozen=True)
class TemplateInfo:
    template: str
    source: str  # column, metadata, inferred, override
    sent: int
    variants: int  # distinct titles
    examples: tuple[str, ...]  # up to five titles, most sent first


def template_list(con: duckdb.DuckDBPyConnection) -> list[TemplateInfo]:
    """Every template, busiest first."""
    return [
        TemplateInfo(str(t), str(s), int(n), int(v), tuple(str(x) for x in (ex or [])))
        for t, s, n, v, ex in execute(con, "dashboard/template_list").fetchall()
    ]


def as_json(items: list[TemplateInfo]) -> dict[str, Any]:
    """The `templates --format json` object: {"templates": [{template, source, sent,
    variants, examples}...]}."""
    return {"templates": [asdict(i) | {"examples": list(i.examples)} for i in items]}


def _shown(text: str) -> str:
    """A title on one line of the terminal: control characters become spaces."""
    return "".join(c if c.isprintable() else " " for c in text)


def render_table(items: list[TemplateInfo]) -> str:
    if not items:
        return "0 templates\n"
    head = ["template", "source", "sent", "variants", "examples"]
    rows = []
    for i in items:
        examples = " | ".join(_shown(e) for e in i.examples)
        if len(examples) > EXAMPLES_WIDTH:
            examples = examples[: EXAMPLES_WIDTH - 3] + "..."
        rows.append([_shown(i.template), i.source, str(i.sent), str(i.variants), examples])
    widths = [max(len(h), *(len(r[k]) for r in rows)) for k, h in enumerate(head)]
    right = {2, 3}

    def line(values: list[str]) -> str:
        cells = [
            v.rjust(w) if k in right else v.ljust(w)
            for k, (v, w) in enumerate(zip(values, widths, strict=True))
        ]
        return "  ".join(cells).rstrip()

    rule = "  ".join("-" * w for w in widths)
    count = f"{len(items)} template" + ("" if len(items) == 1 else "s")
    return "\n".join([count, line(head), rule, *map(line, rows)]) + "\n"
