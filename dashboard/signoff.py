"""Release owners' sign-offs of the go-live checklist: stored append-only, exported as Markdown.

A sign-off keeps who signed, when, their notes and waivers, the checklist result they saw
(the `check --format json` object) and a fingerprint of the data it was computed on, so a
later reader can tell whether the data changed since.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import duckdb
import pandas as pd

from dashboard.errors import InputError, QueryError
from dashboard.queries import run

MAX_FIELD = 200
MAX_NOTES = 5000
_INSERT_ATTEMPTS = 3


@dataclass(frozen=True)
class SignOff:
    signoff_id: int
    signed_at: datetime
    name: str
    role: str
    notes: str
    waivers: dict[str, str]
    status: str
    result: dict[str, Any]
    data_fingerprint: str
    items: list[dict[str, Any]] = field(default_factory=list)


def data_fingerprint(con: duckdb.DuckDBPyConnection) -> str:
    """md5 over the event count, the latest event time and a hash aggregate of event ids."""
    return str(run(con, "data_fingerprint").iloc[0]["data_fingerprint"])


def parse_waivers(text: str) -> dict[str, str]:
    """`item or template: reason`, one per line, into a mapping; a reason is required."""
    waivers: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        key, sep, reason = line.partition(":")
        if not sep or not key.strip() or not reason.strip():
            raise InputError(f"waiver line {number}: expected 'item or template: reason'")
        waivers[key.strip()[:MAX_FIELD]] = reason.strip()[:MAX_NOTES]
    return waivers


def record(
    con: duckdb.DuckDBPyConnection,
    *,
    name: str,
    role: str,
    result: Mapping[str, Any],
    notes: str = "",
    waivers: Mapping[str, str] | None = None,
    signed_at: datetime | None = None,
) -> SignOff:
    """Append a sign-off of `result` (a `check --format json` object) for the current data."""
    name, role = name.strip(), role.strip()
    if not name or not role:
        raise InputError("a sign-off needs a name and a role")
    if len(name) > MAX_FIELD or len(role) > MAX_FIELD:
        raise InputError(f"name and role are limited to {MAX_FIELD} characters")
    status = str(result.get("status", ""))
    if not status:
        raise InputError("the checklist result has no status")
    when = (signed_at or datetime.now(UTC)).astimezone(UTC).replace(tzinfo=None)
    notes_text = notes.strip()[:MAX_NOTES]
    fingerprint = data_fingerprint(con)
    params: dict[str, Any] = {
        "signed_at": when,
        "signer_name": name,
        "signer_role": role,
        "notes": notes_text or None,
        "waivers": json.dumps(dict(waivers or {}), sort_keys=True),
        "status": status,
        "result": json.dumps(result, sort_keys=True, default=str),
        "data_fingerprint": fingerprint,
    }
    # Ids are max + 1: two sessions signing at the same instant conflict; the loser retries.
    for attempt in range(_INSERT_ATTEMPTS):
        try:
            row = run(con, "signoff_insert", **params).iloc[0]
            break
        except QueryError:
            if attempt == _INSERT_ATTEMPTS - 1:
                raise
    return SignOff(
        signoff_id=int(row["signoff_id"]),
        signed_at=when,
        name=name,
        role=role,
        notes=notes_text,
        waivers=dict(waivers or {}),
        status=status,
        result=dict(result),
        data_fingerprint=fingerprint,
        items=list(result.get("items", [])),
    )


def history_frame(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every sign-off, newest first, as stored (JSON columns as text)."""
    return run(con, "signoff_history")


def history(con: duckdb.DuckDBPyConnection) -> list[SignOff]:
    """Every sign-off, newest first."""
    out: list[SignOff] = []
    for row in history_frame(con).to_dict("records"):
        result = json.loads(row["result"]) if row["result"] else {}
        out.append(
            SignOff(
                signoff_id=int(row["signoff_id"]),
                signed_at=pd.Timestamp(row["signed_at"]).to_pydatetime(),
                name=str(row["name"]),
                role=str(row["role"]),
                notes=str(row["notes"]) if isinstance(row["notes"], str) else "",
                waivers=json.loads(row["waivers"]) if isinstance(row["waivers"], str) else {},
                status=str(row["status"]),
                result=result,
                data_fingerprint=str(row["data_fingerprint"]),
                items=list(result.get("items", [])),
            )
        )
    return out


def _cell(value: Any) -> str:
    """Text safe inside a Markdown table cell (no pipes, no line breaks, no HTML)."""
    text = " ".join(str(value if value is not None else "").split())
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


def markdown_report(
    checklist_markdown: str,
    signoffs: list[SignOff],
    *,
    data_fingerprint: str,
    generated_at: datetime | None = None,
) -> str:
    """The checklist (as `check --format markdown` renders it) followed by its sign-offs."""
    when = (generated_at or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        checklist_markdown.rstrip("\n"),
        "",
        f"Generated {when} over data fingerprint `{_cell(data_fingerprint)}`.",
        "",
        "## Sign-offs",
        "",
    ]
    if not signoffs:
        lines.append("No sign-off yet.")
    else:
        lines += [
            "| # | signed at (UTC) | name | role | status | data | notes | waivers |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for s in signoffs:
            waivers = "; ".join(f"{k}: {v}" for k, v in sorted(s.waivers.items()))
            data = "current" if s.data_fingerprint == data_fingerprint else "older data"
            lines.append(
                f"| {s.signoff_id} | {s.signed_at:%Y-%m-%d %H:%M:%S} | {_cell(s.name)} "
                f"| {_cell(s.role)} | {_cell(s.status)} | {data} (`{_cell(s.data_fingerprint)}`) "
                f"| {_cell(s.notes)} | {_cell(waivers)} |"
            )
    return "\n".join(lines) + "\n"
