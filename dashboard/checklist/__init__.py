"""The go-live checklist: nine items declared as data, evaluated, and rendered.

items.py gathers the evidence (the same queries as the metrics) and holds the items and
their rules; render.py is how a result reads, for `template-noise check --format` and the
dashboard's checklist page alike. The names callers use are re-exported here.
"""

from template_noise.checklist.items import (
    CONTEXT_KEYS,
    ITEMS,
    ChecklistData,
    ChecklistResult,
    Item,
    ItemResult,
    Outcome,
    Status,
    evaluate,
    evaluate_data,
    gather,
    jsonable_tree,
)
from template_noise.checklist.render import (
    RENDERERS,
    render_json,
    render_junit,
    render_markdown,
    render_text,
)

__all__ = [
    "CONTEXT_KEYS",
    "ITEMS",
    "RENDERERS",
    "ChecklistData",
    "ChecklistResult",
    "Item",
    "ItemResult",
    "Outcome",
    "Status",
    "evaluate",
    "evaluate_data",
    "gather",
    "jsonable_tree",
    "render_json",
    "render_junit",
    "render_markdown",
    "render_text",
]
