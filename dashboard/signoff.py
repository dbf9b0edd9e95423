"""Release owners' sign-offs of the go-live checklist: stored append-only, exported as Markdown.

A sign-off keeps who signed (a typed name, or the identity of the OIDC login), when, the
decision (approve or reject), their notes and waivers, the checklist result they saw (the
`check --format json` object), a fingerprint of the data it was computed on and one of the
config in force, so a later reader (and `check --require-signoff`) can tell whether the data
or the thresholds changed since. A submit token from the dashboard's form makes a repeated
submit (a double click, a rerun) return the row already stored instead of adding one.

Sign-offs form a hash chain: each row stores `row_hash = sha256(prev_hash + "\n" +
canonical JSON of the row)` and the previous row's hash, so `verify` names any row edited
or deleted after the fact. Someone able to rewrite the whole file can rebuild the chain:
keep the head hash (`signoffs verify` prints it; the Markdown export carries every hash)
somewhere else and check it with `signoffs verify --head`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

import duckdb
import pandas as pd
from template_noise.errors import InputError, QueryError
from template_noise.queries import run

MAX_FIELD = 200
MAX_NOTES = 5000
_INSERT_ATTEMPTS = 10
GENESIS = "0" * 64  # prev_hash of the first sign-off
Identity = Literal["typed", "oidc"]
Decision = Literal["approve", "reject"]
DECISIONS: tuple[Decision, ...] = ("approve", "reject")
# Columns added after the chain (schema version 3): in a row's hash only when set, so rows
# stored before them still verify.
_OPTIONAL_HASHED = ("decision", "config_fingerprint", "submit_token")


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
    email: str = ""
    identity: str = "typed"
    prev_hash: str = ""
    row_hash: str = ""
    decision: str = ""  # approve, reject, or "" (stored before decisions: approves nothing)
    config_fingerprint: str = ""
    submit_token: str = ""

    @property
    def approves(self) -> bool:
        return self.decision == "approve"


def data_fingerprint(con: duckdb.DuckDBPyConnection) -> str:
    """md5 over the event count, the latest event time and a hash aggregate of event ids."""
    return str(run(con, "store/data_fingerprint").iloc[0]["data_fingerprint"])


def parse_waivers(text: str) -> dict[str, str]:
    """`item or template: reason`, one per line, into a mapping; a reason is required.
    Checks only the shape: the dashboard's sign-off validates its waivers against the items,
    the templates and the flags with template_noise.checklist.waivers.parse."""
    waivers: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        key, sep, reason = line.partition(":")
        if not sep or not key.strip() or not reason.strip():
            raise InputError(f"waiver line {number}: expected 'item or template: reason'")
        waivers[key.strip()[:MAX_FIELD]] = reason.strip()[:MAX_NOTES]
    return waivers


def canonical_json(row: Mapping[str, Any]) -> str:
    """The text a sign-off's hash covers: every stored column but the hashes, with JSON
    columns parsed, keys sorted, no whitespace, so the same row always gives the same text."""

    def parsed(value: Any) -> Any:
        return json.loads(value) if isinstance(value, str) else (value or {})

    signed_at = pd.Timestamp(row["signed_at"]).to_pydatetime()
    body = {
        "signoff_id": int(row["signoff_id"]),
        "signed_at": signed_at.strftime("%Y-%m-%dT%H:%M:%S.%f"),
        "name": str(row["name"]),
        "role": str(row["role"]),
        "signer_email": _text(row.get("signer_email")),
        "identity": _text(row.get("identity")),
        "notes": _text(row.get("notes")),
        "waivers": parsed(row.get("waivers")),
        "status": str(row["status"]),
        "result": parsed(row.get("result")),
        "data_fingerprint": str(row["data_fingerprint"]),
    }
    for key in _OPTIONAL_HASHED:
        if _text(row.get(key)):
            body[key] = str(row[key])
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def chain_hash(prev_hash: str, row: Mapping[str, Any]) -> str:
    return hashlib.sha256(f"{prev_hash}\n{canonical_json(row)}".encode()).hexdigest()


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def record(
    con: duckdb.DuckDBPyConnection,
    *,
    name: str,
    role: str,
    result: Mapping[str, Any],
    notes: str = "",
    waivers: Mapping[str, str] | None = None,
    signed_at: datetime | None = None,
    email: str = "",
    identity: Identity = "typed",
    decision: Decision | None = None,
    config_fingerprint: str | None = None,
    submit_token: str | None = None,
    expect_data_fingerprint: str | None = None,
) -> SignOff:
    """Append a sign-off of `result` (a `check --format json` object) for the current data,
    chained to the newest stored sign-off.

    `submit_token`: a sign-off already stored with this token is returned as it is (one row
    per submit). `expect_data_fingerprint`: the data the signer reviewed; when the data
    changed since (a load in between), nothing is stored and InputError says so."""
    name, role, email = name.strip(), role.strip(), email.strip()
    if not name or not role:
        raise InputError("a sign-off needs a name and a role")
    if decision is not None and decision not in DECISIONS:
        raise InputError(f"a sign-off's decision is approve or reject, not {decision!r}")
    if (stored := _by_token(con, submit_token)) is not None:
        return stored
    if len(name) > MAX_FIELD or len(role) > MAX_FIELD or len(email) > MAX_FIELD:
        raise InputError(f"name, role and e-mail are limited to {MAX_FIELD} characters")
    status = str(result.get("status", ""))
    if not status:
        raise InputError("the checklist result has no status")
    when = (signed_at or datetime.now(UTC)).astimezone(UTC).replace(tzinfo=None)
    notes_text = notes.strip()[:MAX_NOTES]
    fingerprint = data_fingerprint(con)
    if expect_data_fingerprint is not None and fingerprint != expect_data_fingerprint:
        raise InputError(
            f"the data changed since it was reviewed (fingerprint {expect_data_fingerprint[:12]} "
            f"is now {fingerprint[:12]}): review the checklist again"
        )
    row: dict[str, Any] = {
        "signed_at": when,
        "name": name,
        "role": role,
        "signer_email": email or None,
        "identity": identity,
        "notes": notes_text or None,
        "waivers": json.dumps(dict(waivers or {}), sort_keys=True),
        "status": status,
        "result": json.dumps(result, sort_keys=True, default=str),
        "data_fingerprint": fingerprint,
        "decision": decision,
        "config_fingerprint": config_fingerprint or None,
        "submit_token": submit_token or None,
    }
    # The id and the previous hash come from the newest row; two sessions signing at once
    # collide on the primary key and the loser chains to the winner on its next attempt.
    for attempt in range(_INSERT_ATTEMPTS):
        if attempt and (stored := _by_token(con, submit_token)) is not None:
            return stored  # the same submit, stored by a concurrent run meanwhile
        last = run(con, "signoff/last")
        prev = GENESIS
        row["signoff_id"] = 1
        if not last.empty:
            prev = _text(last.iloc[0]["row_hash"]) or GENESIS
            row["signoff_id"] = int(last.iloc[0]["signoff_id"]) + 1
        row_hash = chain_hash(prev, row)
        try:
            run(
                con,
                "signoff/insert",
                signer_name=name,
                signer_role=role,
                prev_hash=prev,
                row_hash=row_hash,
                **{k: v for k, v in row.items() if k not in ("name", "role")},
            )
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
        email=email,
        identity=identity,
        prev_hash=prev,
        row_hash=row_hash,
        decision=decision or "",
        config_fingerprint=config_fingerprint or "",
        submit_token=submit_token or "",
    )


def _by_token(con: duckdb.DuckDBPyConnection, submit_token: str | None) -> SignOff | None:
    """The sign-off stored with this submit token, if any."""
    if not submit_token:
        return None
    done = run(con, "signoff/by_token", submit_token=submit_token)
    if done.empty:
        return None
    return next(s for s in history(con) if s.signoff_id == int(done.iloc[0]["signoff_id"]))


def _schema_version(con: duckdb.DuckDBPyConnection) -> int:
    """The schema version (1 before the first migration)."""
    from template_noise.db import schema_version  # db imports queries only; no cycle

    return schema_version(con) or 1


def history_frame(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every sign-off, newest first, as stored (JSON columns as text)."""
    from template_noise.queries import columns

    frame = run(con, "signoff/history")
    # A read-only snapshot of a file written before the chain (version 1) or before
    # decisions (version 2): nothing migrates it, so the later columns read as NULL.
    declared = columns("signoff/history")
    missing = {c: None for c in declared if c not in frame.columns}
    return frame.assign(**missing)[declared] if missing else frame


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
                notes=_text(row["notes"]),
                waivers=json.loads(row["waivers"]) if isinstance(row["waivers"], str) else {},
                status=str(row["status"]),
                result=result,
                data_fingerprint=str(row["data_fingerprint"]),
                items=list(result.get("items", [])),
                email=_text(row["signer_email"]),
                identity=_text(row["identity"]),
                prev_hash=_text(row["prev_hash"]),
                row_hash=_text(row["row_hash"]),
                decision=_text(row["decision"]),
                config_fingerprint=_text(row["config_fingerprint"]),
                submit_token=_text(row["submit_token"]),
            )
        )
    return out


@dataclass(frozen=True)
class ChainProblem:
    signoff_id: int
    kind: Literal["edited", "deleted", "unsealed", "relinked", "head_missing"]
    detail: str


@dataclass(frozen=True)
class ChainReport:
    rows: int
    head: str | None  # row_hash of the newest sign-off
    problems: list[ChainProblem]
    legacy: list[int] = field(default_factory=list)  # signed before the chain: unverifiable

    @property
    def intact(self) -> bool:
        return not self.problems

    @property
    def ids(self) -> list[int]:
        return sorted({p.signoff_id for p in self.problems})


def verify(con: duckdb.DuckDBPyConnection, *, head: str | None = None) -> ChainReport:
    """Recompute the chain oldest first; name every row that was edited (its content no
    longer matches its hash), deleted (a gap in the ids, or the next row's prev_hash points
    at a hash no stored row has), inserted or relinked, or stored without a hash.

    `head`: a row_hash kept elsewhere (from an earlier verify or a Markdown export); the
    chain must still contain it, which catches rows cut off the end.
    """
    frame = history_frame(con).iloc[::-1]
    chain_from = _chain_from(con)
    problems: list[ChainProblem] = []
    legacy: list[int] = []
    expected_id, expected_prev = 1, GENESIS
    hashes: set[str] = set()
    records: list[dict[str, Any]] = frame.to_dict("records")  # type: ignore[assignment]
    for row in records:
        sid = int(row["signoff_id"])
        stored, prev = _text(row["row_hash"]), _text(row["prev_hash"])
        if sid > expected_id:
            missing = f"#{expected_id}" if sid == expected_id + 1 else f"#{expected_id}-#{sid - 1}"
            for gone in range(expected_id, sid):
                problems.append(ChainProblem(gone, "deleted", f"{missing} missing before #{sid}"))
        if sid < chain_from:
            legacy.append(sid)
            expected_id = sid + 1
            continue
        if not stored:
            problems.append(ChainProblem(sid, "unsealed", f"#{sid} has no hash"))
        else:
            if prev != expected_prev and sid == expected_id:
                problems.append(
                    ChainProblem(
                        sid,
                        "relinked",
                        f"#{sid} does not chain to #{sid - 1} (#{sid - 1} was replaced)",
                    )
                )
            if chain_hash(prev, row) != stored:
                problems.append(
                    ChainProblem(sid, "edited", f"#{sid} was changed after it was signed")
                )
        hashes.add(stored)
        expected_id, expected_prev = sid + 1, stored
    tip = _text(frame.iloc[-1]["row_hash"]) if len(frame) else None
    if head and head not in hashes:
        problems.append(
            ChainProblem(expected_id, "head_missing", f"no sign-off has the hash {head[:16]}…")
        )
    return ChainReport(rows=len(frame), head=tip or None, problems=problems, legacy=legacy)


def _chain_from(con: duckdb.DuckDBPyConnection) -> int:
    if _schema_version(con) < 2:
        return 1 << 62  # a snapshot of a version 1 file: no row is chained yet
    return int(run(con, "signoff/chain_from").iloc[0]["chain_from"])


_MD_PUNCT = "`*_[]()!#~$"


def _cell(value: Any) -> str:
    """Text safe inside a Markdown table cell: no pipes, no line breaks, no HTML, and no
    link, image or emphasis (a name like `![x](https://...)` must not fetch anything)."""
    text = " ".join(str(value if value is not None else "").split())
    text = text.replace("\\", "\\\\").replace("|", "\\|")
    text = text.replace("<", "&lt;").replace(">", "&gt;")
    return "".join("\\" + ch if ch in _MD_PUNCT else ch for ch in text)


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
            "| # | signed at (UTC) | decision | name | role | status | data | notes | waivers "
            "| hash |",
            "|---|---|---|---|---|---|---|---|---|---|",
        ]
        for s in signoffs:
            waivers = "; ".join(f"{k}: {v}" for k, v in sorted(s.waivers.items()))
            data = "current" if s.data_fingerprint == data_fingerprint else "older data"
            who = f"{s.name} <{s.email}> (login)" if s.identity == "oidc" else s.name
            lines.append(
                f"| {s.signoff_id} | {s.signed_at:%Y-%m-%d %H:%M:%S} | {_cell(s.decision or '-')} "
                f"| {_cell(who)} "
                f"| {_cell(s.role)} | {_cell(s.status)} | {data} (`{_cell(s.data_fingerprint)}`) "
                f"| {_cell(s.notes)} | {_cell(waivers)} | `{_cell(s.row_hash)}` |"
            )
        lines += [
            "",
            "Each hash chains to the row before it; keep this file to check the record later "
            "with `template-noise signoffs verify --head HASH`.",
        ]
    return "\n".join(lines) + "\n"
