"""`template-noise report`: the weekly noise report, in Markdown (a team channel) or HTML
(an e-mail): top noisy templates, biggest movers against the previous period, the alerts
of the period and the go-live checklist status.

Template names, titles and evidence come from the logs: untrusted. The HTML escapes every
one of them; the Markdown escapes the characters that would make them markup.
"""

from __future__ import annotations

import html
import math
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import duckdb
from template_noise.config import Config
from template_noise.filters import Filters
from template_noise.watch.detect import Alert, naive, stored_alerts

TOP = 10
MOVERS = 5


@dataclass(frozen=True)
class Noisy:
    template: str
    sent: int
    flags: list[str]
    read_rate: float | None
    duplicate_rate: float | None
    noise_score: float


@dataclass(frozen=True)
class Mover:
    template: str
    before: int
    now: int

    @property
    def change(self) -> str:
        if self.before == 0:
            return "new"
        return f"{(self.now - self.before) / self.before:+.0%}"


@dataclass(frozen=True)
class WeeklyReport:
    since: datetime
    until: datetime
    sent: int
    noisy: list[Noisy]
    movers: list[Mover]
    alerts: list[Alert]
    checklist_status: str
    checklist: list[tuple[str, str, str]]  # id, status, summary


def _rate(x: Any) -> float | None:
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else float(x)


def build(
    con: duckdb.DuckDBPyConnection, config: Config, since: datetime | None = None
) -> WeeklyReport:
    """The report over [since, the latest event], since defaulting to 7 days before it."""
    from template_noise import checklist, metrics

    as_of = metrics.resolve_as_of(con, Filters(), config)
    if as_of is None:
        from template_noise.errors import InputError

        raise InputError("report: no events loaded")
    until = naive(as_of)
    since = naive(since) if since else until - timedelta(days=7)
    previous = since - (until - since)
    now = metrics.compute_metrics(con, Filters(since=since), config)
    before = metrics.compute_metrics(con, Filters(since=previous, until=since), config)
    rows: list[dict[Any, Any]] = now.to_dict("records")
    noisy = [
        Noisy(str(r["template"]), int(r["sent"]), [str(f) for f in r["flags"]],
              _rate(r["read_rate"]), _rate(r["duplicate_rate"]), float(r["noise_score"]))
        for r in rows
        if r["noisy"]
    ][:TOP]  # fmt: skip
    counts_before = {
        str(t): int(s) for t, s in zip(before["template"], before["sent"], strict=True)
    }
    counts_now = {str(t): int(s) for t, s in zip(now["template"], now["sent"], strict=True)}
    movers = sorted(
        (Mover(t, counts_before.get(t, 0), counts_now.get(t, 0))
         for t in counts_before.keys() | counts_now.keys()),
        key=lambda m: (-abs(m.now - m.before), m.template),
    )[:MOVERS]  # fmt: skip
    alerts = [
        a for a in stored_alerts(con)
        if a.started_at < until and (a.resolved_at is None or a.resolved_at >= since)
    ]  # fmt: skip
    result = checklist.evaluate(con, config)
    return WeeklyReport(
        since=since,
        until=until,
        sent=sum(counts_now.values()),
        noisy=noisy,
        movers=[m for m in movers if m.now != m.before],
        alerts=alerts,
        checklist_status=result.status,
        checklist=[(i.id, i.status, i.summary) for i in result.items],
    )


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{x:.1%}"


def _day(t: datetime | None) -> str:
    return "-" if t is None else t.strftime("%Y-%m-%d %H:%M")


# Inside a table cell (never at a line start) only these make markup: emphasis, code,
# links, strike-through and the cell separator; < > & become entities (no raw HTML).
_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~])")


def md(text: str) -> str:
    """Untrusted text as literal Markdown: markup characters escaped, no HTML, one line."""
    text = " ".join(str(text).split())
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", text)


def _sections(r: WeeklyReport) -> list[tuple[str, list[str], list[list[str]], str]]:
    """(title, header, rows, text when empty) of every table: both renderers read this."""
    open_alerts = [a for a in r.alerts if a.status == "open"]
    return [
        ("Top noisy templates", ["template", "sent", "flags", "read rate", "duplicate rate"],
         [[n.template, str(n.sent), ", ".join(n.flags), _pct(n.read_rate),
           _pct(n.duplicate_rate)] for n in r.noisy],
         "No template is noisy."),
        ("Biggest movers against the previous period", ["template", "before", "now", "change"],
         [[m.template, str(m.before), str(m.now), m.change] for m in r.movers],
         "No change in volume."),
        (f"Alerts ({len(open_alerts)} open)",
         ["kind", "template", "status", "started", "resolved", "evidence"],
         [[a.kind, a.template, a.status, _day(a.started_at), _day(a.resolved_at), a.evidence]
          for a in r.alerts],
         "No alert in the period."),
        (f"Go-live checklist: {r.checklist_status}", ["item", "status", "evidence"],
         [list(item) for item in r.checklist], "No checklist item."),
    ]  # fmt: skip


def _title(r: WeeklyReport) -> str:
    return f"Noise report, {_day(r.since)} to {_day(r.until)} UTC"


def render_markdown(r: WeeklyReport) -> str:
    out = [f"# {_title(r)}", "", f"{r.sent} notifications sent; "
           f"{len(r.noisy)} noisy template(s) shown.", ""]  # fmt: skip
    for title, header, rows, empty in _sections(r):
        out += [f"## {title}", ""]  # our own words; the cells below are escaped
        if not rows:
            out += [empty, ""]
            continue
        out.append("| " + " | ".join(header) + " |")
        out.append("|" + "---|" * len(header))
        out += ["| " + " | ".join(md(c) for c in row) + " |" for row in rows]
        out.append("")
    return "\n".join(out)


def render_html(r: WeeklyReport) -> str:
    e = html.escape
    out = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{e(_title(r))}</title>",
        "<style>body{font-family:sans-serif;max-width:60em;margin:auto}"
        "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2em .5em;"
        "text-align:left}</style></head><body>",
        f"<h1>{e(_title(r))}</h1>",
        f"<p>{r.sent} notifications sent; {len(r.noisy)} noisy template(s) shown.</p>",
    ]
    for title, header, rows, empty in _sections(r):
        out.append(f"<h2>{e(title)}</h2>")
        if not rows:
            out.append(f"<p>{e(empty)}</p>")
            continue
        out.append("<table><thead><tr>" + "".join(f"<th>{e(h)}</th>" for h in header))
        out.append("</tr></thead><tbody>")
        out += ["<tr>" + "".join(f"<td>{e(c)}</td>" for c in row) + "</tr>" for row in rows]
        out.append("</tbody></table>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"
