"""`simulate --format table` and `simulate --suggest`: shaping only, nothing is computed here."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from template_noise.format import metric

if TYPE_CHECKING:
    from template_noise.whatif.simulate import Simulation
    from template_noise.whatif.suggest import Suggestions

TEMPLATE_WIDTH = 44


def _short(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


# (header, field, right-aligned)
COLUMNS = (
    ("template", "template", False),
    ("sent", "sent", True),
    ("kept", "kept", True),
    ("dedup", "suppressed_dedup", True),
    ("digest", "suppressed_digest", True),
    ("throttle", "suppressed_throttle", True),
    ("read lost", "suppressed_read", True),
    ("clicks lost", "suppressed_clicked", True),
    ("recips hit", "recipients_affected", True),
    ("max/user/day", "max_per_user_day_after", True),
    ("dup", "duplicate_rate_after", True),
    ("stale", "stale_unread_rate_after", True),
    ("noisy", "noisy_after", False),
    ("flags after", "flags_after", False),
)


def _cell(field: str, value: Any) -> str:
    if field == "template":
        return _short(str(value), TEMPLATE_WIDTH)
    if field == "noisy_after":
        return "NOISY" if value else ""
    if field == "flags_after":
        return ", ".join(value) if len(value) else ""
    if field.endswith("_after"):
        return metric(field.removesuffix("_after"))(value)
    return f"{int(value):,}"


def _aligned(rows: list[list[str]]) -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(COLUMNS))]
    out = []
    for r in rows:
        parts = [
            v.rjust(w) if right else v.ljust(w)
            for v, w, (_, _, right) in zip(r, widths, COLUMNS, strict=True)
        ]
        out.append("  ".join(parts).rstrip())
    return out


def render_table(sim: Simulation) -> str:
    """Per template what the policy suppresses and the metrics after, then the total and
    the checklist after; rates are percentages of the notifications kept."""
    head = [h for h, _, _ in COLUMNS]
    rows = [head, ["-" * len(h) for h in head]]
    rows += [[_cell(f, row[f]) for _, f, _ in COLUMNS] for _, row in sim.templates.iterrows()]
    total = sim.total
    rows.append(
        ["total", *(f"{total[f]:,}" for _, f, _ in COLUMNS[1:9]), *([""] * (len(COLUMNS) - 9))]
    )
    lines = [f"policy: {sim.policy.source}; rates after are percentages of the kept", ""]
    lines += _aligned(rows)
    lines += ["", "checklist after: " + ", ".join(
        f"{item.id} {item.status}" for item in sim.checklist_after.items
    )]  # fmt: skip
    return "\n".join(lines) + "\n"


def render_suggestions(found: Suggestions) -> str:
    """The suggested policy as a file to commit, each template's cost in a comment."""
    lines = [
        "# Suggested by `template-noise simulate --suggest`: per noisy template, the mildest",
        "# policy that, replayed on these logs, clears its noisy flags.",
        "",
    ]
    base = found.base
    if base is not None and not base.default.empty:
        lines += ["[default]", *_table(base.default.as_dict()), ""]
    for s in found.items:
        lines += [
            f"# {_comment(s.template)}: {', '.join(s.flags)}",
            f"#   clears {', '.join(s.cleared) or 'none'}"
            + (f"; still {', '.join(s.still)}" if s.still else ""),
            f"#   cost: {s.suppressed:,} of {s.sent:,} suppressed, of them "
            f"{s.suppressed_read:,} read and {s.suppressed_clicked:,} clicked",
            *(f"#   {_comment(n)}" for n in s.notes),
        ]
        if s.rules is not None and not s.rules.empty:
            lines += [f"[templates.{_quoted(s.template)}]", *_table(s.rules.as_dict())]
        lines.append("")
    if not found.items:
        lines.append("# No noisy template: nothing to suggest.")
    return "\n".join(lines).rstrip() + "\n"


def _comment(text: str) -> str:
    """Text for one TOML comment line: a template name or note is data, so a line break or
    other control character in it must not end the comment (and start a key of its own)."""
    return "".join(c if c >= " " and c != "\x7f" else " " for c in text)


def _quoted(text: str) -> str:
    from template_noise.whatif.policy import _toml_string

    return _toml_string(text)


def _table(table: dict[str, Any]) -> list[str]:
    from template_noise.whatif.policy import _toml_table

    return _toml_table(table)
