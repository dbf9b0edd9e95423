"""The go-live checklist as people and tools read it: text, JSON, Markdown, JUnit XML.

`template-noise check --format` and the dashboard's checklist page take their words from
here: the status labels, the threshold text, one row per item, the evidence as JSON. Nothing
is decided here; every status and summary comes from template_noise.checklist.items.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from template_noise.checklist.items import ChecklistResult, ItemResult, Status, jsonable_tree
from template_noise.metrics import jsonable

STATUS_LABEL: dict[Status, str] = {"pass": "PASS", "fail": "FAIL", "no_data": "NO DATA"}


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
    return (
        f"Go-live checklist: {result.status.upper()} (as of {as_of}; {n['fail']} failed, "
        f"{n['no_data']} no data, {n['pass']} passed{strict})"
    )


def render_text(result: ChecklistResult) -> str:
    width = max(len(i.id) for i in result.items)
    pad = " " * (9 + width + 2)
    lines = [headline(result), ""]
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


def render_markdown(result: ChecklistResult) -> str:
    lines = [
        "# Go-live checklist",
        "",
        f"**{_md(headline(result))}**",
        "",
        "| Status | Item | Evidence | Threshold |",
        "|---|---|---|---|",
    ]
    for row in rows(result):
        lines.append(
            f"| {row.status} | `{row.item}`: {_md(row.label)} | {_md(row.evidence)} | "
            f"{_md(row.threshold)} |"
        )
    return "\n".join(lines) + "\n"


def render_junit(result: ChecklistResult) -> str:
    """JUnit XML, one test case per item (no_data is skipped, or a failure with --strict)."""
    n = result.counts()
    failures = n["fail"] + (n["no_data"] if result.strict else 0)
    skipped = 0 if result.strict else n["no_data"]
    suite = ET.Element(
        "testsuite",
        name="template-noise go-live checklist",
        tests=str(len(result.items)),
        failures=str(failures),
        errors="0",
        skipped=str(skipped),
    )
    for i in result.items:
        case = ET.SubElement(suite, "testcase", classname="template_noise.checklist", name=i.id)
        detail = evidence_json(i)
        if i.status == "fail" or (i.status == "no_data" and result.strict):
            el = ET.SubElement(case, "failure", message=i.summary, type=i.status)
            el.text = detail
        elif i.status == "no_data":
            ET.SubElement(case, "skipped", message=f"no data: {i.summary}")
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
