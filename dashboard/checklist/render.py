"""The go-live checklist as people and tools read it: text, JSON, Markdown, JUnit XML.

`template-noise check --format` and the dashboard's checklist page take their words from
here: the status labels, the threshold text, one row per item, the evidence as labelled
lines with numbers as the dashboard shows them (template_noise.format), and where the result
stands (as of, data age, fingerprints, the sign-off). Nothing is decided here; every status
and summary comes from template_noise.checklist.items and template_noise.release.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from template_noise import catalogue
from template_noise.checklist.items import (
    ChecklistResult,
    Context,
    ItemResult,
    Status,
    jsonable_tree,
)
from template_noise.format import MISSING, count, metric, pct
from template_noise.metrics import jsonable

STATUS_LABEL: dict[Status, str] = {
    "pass": "PASS", "fail": "FAIL", "no_data": "NO DATA", "waived": "WAIVED",
}  # fmt: skip


def _threshold_value(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(map(str, value))
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def threshold_text(threshold: dict[str, Any]) -> str:
    """`max_attempts=5; max_failure_rate=0.02`: lists joined with commas, floats shortest."""
    return "; ".join(f"{k}={_threshold_value(v)}" for k, v in threshold.items())


def evidence_json(item: ItemResult) -> str:
    """An item's evidence and threshold as indented JSON: the numbers and templates behind
    its status (a JUnit test case's detail, the dashboard's evidence panel)."""
    detail = {"evidence": jsonable_tree(item.evidence), "threshold": jsonable_tree(item.threshold)}
    return json.dumps(detail, indent=2)


def _label(key: str) -> str:
    try:
        return catalogue.load().metric(key).label.lower()
    except KeyError:
        return key.replace("_", " ")


def value_text(key: str, value: Any) -> str:
    """One evidence value as the dashboard shows it: a catalogue metric by its format, other
    rates as percentages, whole numbers with separators, never a 16-digit float."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(value_text(key, v) for v in value) if value else "none"
    if value is None or isinstance(value, str):
        return MISSING if value is None else value
    try:
        return metric(key)(value)
    except KeyError:
        pass
    if key.endswith(("_rate", "coverage")):
        return pct(value)
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer()):
        return count(value)
    if isinstance(value, float):
        return f"{value:,.4g}"
    return str(value)


def _record_text(record: dict[str, Any]) -> str:
    """A template's record in the evidence: `name: sent 12, read rate 9.1%`."""
    name = record.get("template")
    rest = ", ".join(
        f"{_label(k)} {value_text(k, v)}" for k, v in record.items() if k != "template"
    )
    return f"{name}: {rest}" if name is not None else rest


def evidence_lines(item: ItemResult) -> list[str]:
    """An item's evidence and threshold as labelled lines for people (a JUnit failure's
    body, the dashboard's evidence detail): nested records one per line, indented."""
    lines: list[str] = []
    for key, value in item.evidence.items():
        if isinstance(value, dict):
            lines.append(f"{_label(key)}:")
            lines += [f"  {_label(k)}: {value_text(k, v)}" for k, v in value.items()]
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            lines.append(f"{_label(key)}:")
            lines += [f"  - {_record_text(r)}" for r in value]
        else:
            lines.append(f"{_label(key)}: {value_text(key, value)}")
    lines.append(f"threshold: {threshold_text(item.threshold)}")
    return lines


def context_lines(ctx: Context | None, as_of: Any) -> list[str]:
    """Where a result stands, one fact a line: as of, data age, fingerprints, sign-off,
    and what blocks the release."""
    lines = [f"as of: {jsonable(as_of) or 'empty data'}"]
    if ctx is None:
        return lines
    lines += [
        f"data age: {ctx.age_text} (measured {jsonable(ctx.measured_at)})",
        f"data fingerprint: {ctx.data_fingerprint}",
        f"config fingerprint: {ctx.config_fingerprint}",
        f"sign-off: {ctx.signoff_text}",
    ]
    lines += [f"blocked: {reason}" for reason in ctx.blocked_by]
    return lines


@dataclass(frozen=True)
class Row:
    """One item as a table shows it (the Markdown report, the dashboard's table)."""

    item: str
    label: str
    status: str  # PASS, FAIL or NO DATA
    evidence: str  # the item's one-line summary
    threshold: str
    rule: str  # passes when


def rows(result: ChecklistResult) -> list[Row]:
    return [
        Row(
            item=i.id,
            label=i.label,
            status=STATUS_LABEL[i.status],
            evidence=i.summary,
            threshold=threshold_text(i.threshold),
            rule=i.rule,
        )
        for i in result.items
    ]


def headline(result: ChecklistResult) -> str:
    n = result.counts()
    as_of = jsonable(result.as_of) or "empty data"
    strict = ", strict: no_data fails" if result.strict else ""
    waived = f", {n['waived']} waived" if n["waived"] else ""
    return (
        f"Go-live checklist: {result.status.upper()} (as of {as_of}; {n['fail']} failed, "
        f"{n['no_data']} no data, {n['pass']} passed{waived}{strict})"
    )


def render_text(result: ChecklistResult) -> str:
    width = max(len(i.id) for i in result.items)
    pad = " " * (9 + width + 2)
    lines = [headline(result)]
    if result.context is not None:
        lines += context_lines(result.context, result.as_of)[1:]
    lines.append("")
    for row in rows(result):
        lines.append(f"{row.status:<7}  {row.item:<{width}}  {row.label}")
        lines.append(f"{pad}{row.evidence}")
        lines.append(f"{pad}threshold: {row.threshold}")
    if any(i.status == "no_data" for i in result.items) and not result.strict:
        lines += ["", "Items with no data need a person's sign-off (--strict makes them fail)."]
    return "\n".join(lines) + "\n"


def render_json(result: ChecklistResult) -> str:
    return json.dumps(result.as_json(), indent=2) + "\n"


def _md(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


_MD_PUNCT = "`*_[]()!#~$"


def md_text(value: Any) -> str:
    """Untrusted text (a template name, a reason) safe in Markdown: no pipes, line breaks,
    HTML, links, images or emphasis; the characters it is made of."""
    text = " ".join(str(value).split())
    text = text.replace("\\", "\\\\").replace("|", "\\|")
    text = text.replace("<", "&lt;").replace(">", "&gt;")
    return "".join("\\" + ch if ch in _MD_PUNCT else ch for ch in text)


def render_markdown(result: ChecklistResult) -> str:
    lines = [
        "# Go-live checklist",
        "",
        f"**{_md(headline(result))}**",
        "",
        *(f"- {md_text(line)}" for line in context_lines(result.context, result.as_of)),
        "",
        "| Status | Item | Evidence | Threshold |",
        "|---|---|---|---|",
    ]
    for row in rows(result):
        lines.append(
            f"| {row.status} | `{row.item}`: {_md(row.label)} | {_md(row.evidence)} | "
            f"{_md(row.threshold)} |"
        )
    shown = [i for i in result.items if i.status != "pass"]
    if shown:
        lines += ["", "## Evidence of the items that did not pass"]
    for i in shown:
        lines += ["", f"### {STATUS_LABEL[i.status]}: {i.id}", ""]
        # An indented code block: names and reasons show as the characters they are.
        lines += ["    " + " ".join(line.splitlines()) for line in evidence_lines(i)]
    return "\n".join(lines) + "\n"


def render_junit(result: ChecklistResult) -> str:
    """JUnit XML, one test case per item (no_data is skipped, or a failure with --strict)."""
    n = result.counts()
    failures = n["fail"] + (n["no_data"] if result.strict else 0)
    skipped = (0 if result.strict else n["no_data"]) + n["waived"]
    suite = ET.Element(
        "testsuite",
        name="template-noise go-live checklist",
        tests=str(len(result.items)),
        failures=str(failures),
        errors="0",
        skipped=str(skipped),
    )
    properties = ET.SubElement(suite, "properties")
    for line in context_lines(result.context, result.as_of):
        key, _, value = line.partition(": ")  # "data age" -> data_age, "sign-off" -> signoff
        name = key.replace(" ", "_").replace("-", "")
        ET.SubElement(properties, "property", name=name, value=value)
    provenance = "\n".join(context_lines(result.context, result.as_of))
    for i in result.items:
        case = ET.SubElement(suite, "testcase", classname="template_noise.checklist", name=i.id)
        detail = "\n".join(evidence_lines(i)) + "\n\n" + provenance
        if i.status == "fail" or (i.status == "no_data" and result.strict):
            el = ET.SubElement(case, "failure", message=i.summary, type=i.status)
            el.text = detail
        elif i.status == "no_data":
            ET.SubElement(case, "skipped", message=f"no data: {i.summary}")
        elif i.status == "waived":
            ET.SubElement(case, "skipped", message=i.summary)
        out = ET.SubElement(case, "system-out")
        # A failure carries the evidence already; a passing case keeps it in its output.
        failed = case.find("failure") is not None
        out.text = f"{i.label}: {i.summary}" + ("" if failed else f"\n{detail}")
    root = ET.Element("testsuites", name="template-noise", tests=suite.get("tests", "0"),
                      failures=str(failures), errors="0", skipped=str(skipped))  # fmt: skip
    root.append(suite)
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


RENDERERS: dict[str, Callable[[ChecklistResult], str]] = {
    "text": render_text,
    "json": render_json,
    "markdown": render_markdown,
    "junit": render_junit,
}
