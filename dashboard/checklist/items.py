"""The go-live checklist's nine items, declared as data, evaluated to pass / fail / no_data.

Each item's evidence comes from the same queries as the metrics (gathered once by
`gather`); an item's rule only compares those numbers with its thresholds from the
configuration. Overall status is `fail` when any item fails, and, with `strict`, when
any item has no data (otherwise a no_data item needs a person's sign-off). An approved
sign-off's waivers (waivers.py) turn an item's fail or no_data into `waived`, which blocks
nothing. How a result reads (text, Markdown, JUnit, the dashboard's table) is render.py's
business; where it stands (data, config, age, sign-off) is a `Context` from release.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

import pandas as pd
from template_noise.checklist.waivers import NONE, SignoffWaivers
from template_noise.config import Config
from template_noise.filters import Filters
from template_noise.format import pct
from template_noise.metrics import (
    NOISY_FLAGS,
    WITH_TOTAL,
    Connection,
    as_of_value,
    jsonable,
    records,
    run_queries,
    split_total,
    with_total_options,
)

Status = Literal["pass", "fail", "no_data", "waived"]
STATUSES: tuple[Status, ...] = ("pass", "fail", "no_data", "waived")
MAX_LISTED = 10  # templates named in one item's evidence


@dataclass(frozen=True)
class ChecklistData:
    """Everything the items read, from queries/ (one gathering per evaluation)."""

    templates: pd.DataFrame  # compute_metrics: one row per template, with flags
    overall: dict[str, Any]  # overall_metrics (recipients and delivery percentiles None)
    inbox: dict[str, Any]  # checklist/inbox_flows.sql
    realtime: dict[str, Any]  # checklist/realtime_reconnection.sql
    conventions: pd.DataFrame  # checklist/payload_conventions.sql
    as_of: datetime | None = None


@dataclass(frozen=True)
class Outcome:
    status: Status
    summary: str  # one line for people
    evidence: dict[str, Any] = field(default_factory=dict)  # the numbers and templates


@dataclass(frozen=True)
class Item:
    id: str
    label: str
    rule: str
    threshold: Callable[[Config], dict[str, Any]]
    evaluate: Callable[[ChecklistData, Config], Outcome]


@dataclass(frozen=True)
class ItemResult:
    id: str
    label: str
    rule: str
    status: Status
    summary: str
    evidence: dict[str, Any]
    threshold: dict[str, Any]

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "label": self.label,
            "status": self.status,
            "summary": self.summary,
            "evidence": jsonable_tree(self.evidence),
            "threshold": jsonable_tree(self.threshold),
        }


# The keys Context adds to `check --format json` (beside SPEC's status and items).
CONTEXT_KEYS = ("data_fingerprint", "config_fingerprint", "data_age", "signoff", "blocked_by")


@dataclass(frozen=True)
class Context:
    """Where a result stands: the data and config it was computed on, how old the data is,
    the sign-off that covers it, and any gate (`check --require-signoff`, `--max-data-age`)
    that blocks the release. Built by template_noise.release."""

    data_fingerprint: str
    config_fingerprint: str
    latest_event: datetime | None
    measured_at: datetime
    age_hours: float | None
    max_age_hours: float
    stale: bool
    age_text: str  # freshness.DataAge.describe()
    signoff: dict[str, Any] | None  # the newest sign-off (id, decision, covers...), or None
    signoff_text: str  # one line: which sign-off covers this data, or why none does
    blocked_by: tuple[str, ...] = ()

    def as_json(self) -> dict[str, Any]:
        return {
            "data_fingerprint": self.data_fingerprint,
            "config_fingerprint": self.config_fingerprint,
            "data_age": {
                "latest_event": jsonable(self.latest_event),
                "measured_at": jsonable(self.measured_at),
                "age_hours": None if self.age_hours is None else round(self.age_hours, 3),
                "max_age_hours": self.max_age_hours,
                "stale": self.stale,
            },
            "signoff": self.signoff,
            "blocked_by": list(self.blocked_by),
        }


@dataclass(frozen=True)
class ChecklistResult:
    items: tuple[ItemResult, ...]
    strict: bool = False
    as_of: datetime | None = None
    context: Context | None = None

    @property
    def status(self) -> Literal["pass", "fail"]:
        blocking = {"fail", "no_data"} if self.strict else {"fail"}
        return "fail" if any(i.status in blocking for i in self.items) else "pass"

    @property
    def exit_code(self) -> int:
        """0 when the checklist passes and no gate blocks the release, else 1."""
        blocked = self.context is not None and bool(self.context.blocked_by)
        return 0 if self.status == "pass" and not blocked else 1

    def counts(self) -> dict[str, int]:
        return {s: sum(i.status == s for i in self.items) for s in STATUSES}

    def as_json(self) -> dict[str, Any]:
        """The `check --format json` object of SPEC.md (status and items), with where it
        stands (fingerprints, data age, sign-off, blocking gates) when known."""
        out = {
            "status": self.status,
            "strict": self.strict,
            "as_of": jsonable(self.as_of),
            "items": [i.as_json() for i in self.items],
        }
        if self.context is not None:
            out |= self.context.as_json()
        return out


def jsonable_tree(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): jsonable_tree(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable_tree(v) for v in value]
    return jsonable(value)


def _names(rows: list[dict[str, Any]]) -> str:
    shown = ", ".join(str(r["template"]) for r in rows[:3])
    return shown + (f" and {len(rows) - 3} more" if len(rows) > 3 else "")


def _top(df: pd.DataFrame, mask: pd.Series, cols: list[str], by: str) -> list[dict[str, Any]]:
    """The templates behind a failure, worst first, as records of the given columns."""
    picked = df.loc[mask, ["template", *cols]].sort_values(
        [by, "template"], ascending=[False, True]
    )
    return records(picked.head(MAX_LISTED))


def _no_templates(d: ChecklistData) -> bool:
    return d.templates.empty or int(d.overall.get("sent") or 0) == 0


# --- the nine items' rules -------------------------------------------------------------


def _scope_severity(d: ChecklistData, c: Config) -> Outcome:
    if _no_templates(d):
        return Outcome("no_data", "no notifications in the data")
    allowed = set(c.allowed_severities)
    conv = d.conventions
    unset_counts = "unset" not in allowed  # "unset" in allowed_severities permits no severity
    bad = conv[
        ((conv["severity_unset"] > 0) & unset_counts) | (conv["severity_outside_allowed"] > 0)
    ]
    outside = records(
        bad[["template", "severity_unset", "severity_outside_allowed", "outside_allowed_values"]]
    )
    t = d.templates[d.templates["sent"] > 0]
    several_sev = records(t.loc[t["severities"].map(len) > 1, ["template", "severities"]])
    several_scope = records(t.loc[t["scopes"].map(len) > 1, ["template", "scopes"]])
    mismatched: list[dict[str, Any]] = []
    undocumented: list[str] = []
    if c.conventions:
        for row in records(t[["template", "severities", "scopes"]]):
            expected = c.conventions.get(row["template"])
            if expected is None:
                undocumented.append(row["template"])
                continue
            sev_ok = expected.severity is None or row["severities"] == [expected.severity]
            scope_ok = expected.scope is None or row["scopes"] == [expected.scope]
            if not (sev_ok and scope_ok):
                mismatched.append(
                    {
                        **row,
                        "expected_severity": expected.severity,
                        "expected_scope": expected.scope,
                    }
                )
    evidence = {
        "templates": len(t),
        "severity_outside_allowed": outside,
        "several_severities": several_sev,
        "several_scopes": several_scope,
        "conventions_given": bool(c.conventions),
        "conventions_mismatched": mismatched,
        "undocumented_templates": undocumented[:MAX_LISTED],
    }
    problems = []
    if outside:
        problems.append(f"severity outside the allowed set or unset: {_names(outside)}")
    if several_sev:
        problems.append(f"more than one severity: {_names(several_sev)}")
    if several_scope:
        problems.append(f"more than one scope: {_names(several_scope)}")
    if mismatched:
        problems.append(f"differs from the conventions: {_names(mismatched)}")
    if undocumented:
        problems.append(f"{len(undocumented)} templates missing from the conventions")
    if problems:
        return Outcome("fail", "; ".join(problems), evidence)
    return Outcome(
        "pass", f"{len(t)} templates, each with one allowed severity and one scope", evidence
    )


def _inbox_flows(d: ChecklistData, c: Config) -> Outcome:
    inbox = d.inbox
    if int(inbox.get("notifications") or 0) == 0:
        return Outcome("no_data", "no notifications in the data")
    missing = [k for k in ("read", "archived", "starred") if int(inbox[f"{k}_events"]) == 0]
    counts = ", ".join(
        f"{k} {inbox[f'{k}_events']}"
        for k in ("read", "unread", "archived", "unarchived", "starred", "unstarred")
    )
    if missing:
        return Outcome("fail", f"no {', '.join(missing)} events ({counts})", dict(inbox))
    return Outcome("pass", f"events: {counts}", dict(inbox))


def _realtime(d: ChecklistData, c: Config) -> Outcome:
    r = d.realtime
    if int(r.get("stream_events") or 0) == 0:
        return Outcome("no_data", "no stream_connected / stream_disconnected events", dict(r))
    if int(r["reconnects"]) == 0:
        return Outcome("fail", f"{r['stream_events']} stream events but no reconnect", dict(r))
    if int(r["not_redelivered"]) > 0:
        examples = ", ".join(r["undelivered_examples"][:3])
        return Outcome(
            "fail",
            f"{r['not_redelivered']} of {r['notifications_while_disconnected']} notifications "
            f"created while disconnected had no delivery after the reconnect ({examples})",
            dict(r),
        )
    return Outcome(
        "pass",
        f"{r['reconnects']} reconnects by {r['users_reconnected']} users; all "
        f"{r['notifications_while_disconnected']} notifications created while disconnected "
        "were delivered after the reconnect",
        dict(r),
    )


def _noisy(d: ChecklistData, c: Config) -> Outcome:
    if _no_templates(d):
        return Outcome("no_data", "no notifications in the data")
    noisy = d.templates[d.templates["noisy"]]
    unwaived: list[dict[str, Any]] = []
    waived: list[dict[str, Any]] = []
    for row in records(noisy[["template", "flags", "score", "sent"]]):
        for flag in (f for f in row["flags"] if f in NOISY_FLAGS):
            w = c.waiver(row["template"], flag)
            entry = {"template": row["template"], "flag": flag, "sent": row["sent"]}
            if w is None:
                unwaived.append(entry)
            else:
                waived.append({**entry, "reason": w.reason})
    evidence = {
        "templates": len(d.templates),
        "noisy_templates": len(noisy),
        "unwaived": unwaived,
        "waived": waived,
    }
    if unwaived:
        shown = ", ".join(f"{u['template']} ({u['flag']})" for u in unwaived[:4])
        more = f" and {len(unwaived) - 4} more" if len(unwaived) > 4 else ""
        return Outcome("fail", f"noisy without a waiver: {shown}{more}", evidence)
    if waived:
        return Outcome("pass", f"{len(noisy)} noisy templates, each waived with a reason", evidence)
    return Outcome("pass", f"none of {len(d.templates)} templates is noisy", evidence)


def _expiry(d: ChecklistData, c: Config) -> Outcome:
    o = d.overall
    if _no_templates(d):
        return Outcome("no_data", "no notifications in the data")
    lo, hi = c.checklist["min_expiry_coverage"], c.checklist["max_stale_unread_rate"]
    t = d.templates
    behind = _top(
        t,
        (t["expiry_coverage"] < lo) | (t["stale_unread_rate"] > hi),
        ["sent", "expiry_coverage", "stale_unread_rate"],
        "sent",
    )
    evidence = {
        "expiry_coverage": o["expiry_coverage"],
        "stale_unread_rate": o["stale_unread_rate"],
        "expired_unread_rate": o["expired_unread_rate"],
        "templates": behind,
    }
    ok = o["expiry_coverage"] >= lo and o["stale_unread_rate"] <= hi
    summary = (
        f"expiry coverage {pct(o['expiry_coverage'])}, stale unread {pct(o['stale_unread_rate'])}"
    )
    if not ok:
        return Outcome("fail", f"{summary}; worst: {_names(behind)}", evidence)
    return Outcome("pass", summary, evidence)


def _bounded_retries(d: ChecklistData, c: Config) -> Outcome:
    o = d.overall
    if int(o.get("sent") or 0) + int(o.get("failed") or 0) == 0:
        return Outcome("no_data", "no sends in the data")
    limit = c.checklist["max_attempts"]
    t = d.templates
    behind = _top(t, t["max_attempts"] > limit, ["max_attempts", "retry_rate"], "max_attempts")
    evidence = {
        "max_attempts": o["max_attempts"],
        "retry_rate": o["retry_rate"],
        "templates": behind,
    }
    summary = f"max attempts {o['max_attempts']}, retry rate {pct(o['retry_rate'])}"
    if o["max_attempts"] > limit:
        return Outcome("fail", f"{summary}; over the bound: {_names(behind)}", evidence)
    return Outcome("pass", summary, evidence)


def _metadata(d: ChecklistData, c: Config) -> Outcome:
    if _no_templates(d):
        return Outcome("no_data", "no notifications in the data")
    t = d.templates
    unstable = t["flags"].map(lambda f: "metadata_unstable" in f)
    behind = _top(
        t, unstable, ["metadata_invalid_rate", "metadata_drift_rate"], "metadata_drift_rate"
    )
    evidence = {
        "metadata_invalid_rate": d.overall["metadata_invalid_rate"],
        "metadata_drift_rate": d.overall["metadata_drift_rate"],
        "templates": behind,
    }
    if behind:
        return Outcome("fail", f"unstable metadata: {_names(behind)}", evidence)
    return Outcome("pass", f"all {len(t)} templates keep one metadata key set", evidence)


def _duplicates(d: ChecklistData, c: Config) -> Outcome:
    o = d.overall
    if _no_templates(d):
        return Outcome("no_data", "no notifications in the data")
    t = d.templates
    behind = _top(t, t["duplicates"] > 0, ["duplicates", "duplicate_rate"], "duplicates")
    evidence = {
        "duplicates": o["duplicates"],
        "duplicate_rate": o["duplicate_rate"],
        "templates": behind,
    }
    summary = f"{o['duplicates']} duplicates of {o['sent']} sent ({pct(o['duplicate_rate'])})"
    if o["duplicate_rate"] > c.checklist["max_duplicate_rate"]:
        return Outcome("fail", f"{summary}; most: {_names(behind)}", evidence)
    return Outcome("pass", summary, evidence)


def _send_failures(d: ChecklistData, c: Config) -> Outcome:
    o = d.overall
    if int(o.get("sent") or 0) + int(o.get("failed") or 0) == 0:
        return Outcome("no_data", "no sends in the data")
    t = d.templates
    behind = _top(t, t["failed"] > 0, ["failed", "failure_rate"], "failed")
    evidence = {"failed": o["failed"], "failure_rate": o["failure_rate"], "templates": behind}
    summary = f"{o['failed']} failed of {o['sent'] + o['failed']} ({pct(o['failure_rate'])})"
    if o["failure_rate"] > c.checklist["max_failure_rate"]:
        return Outcome("fail", f"{summary}; most: {_names(behind)}", evidence)
    return Outcome("pass", summary, evidence)


ITEMS: tuple[Item, ...] = (
    Item(
        "scope_severity_conventions",
        "Scope and severity conventions are documented",
        "every notification has an allowed severity; each template uses one severity and one "
        "scope (and matches [conventions], when given)",
        lambda c: {"allowed_severities": list(c.allowed_severities), "severities_per_template": 1,
                   "scopes_per_template": 1},
        _scope_severity,
    ),
    Item(
        "inbox_flows",
        "Inbox read/archive/star flows are tested",
        "read, archived and starred events are all present (their reverses are reported)",
        lambda c: {"required_events": ["read", "archived", "starred"]},
        _inbox_flows,
    ),
    Item(
        "realtime_reconnection",
        "Realtime reconnection behavior is verified",
        "at least one reconnect, and every notification created for a user while disconnected "
        "is delivered after the reconnect",
        lambda c: {"min_reconnects": 1, "max_not_redelivered": 0},
        _realtime,
    ),
    Item(
        "noisy_template_monitoring",
        "Noisy template monitoring is in place",
        "no template is noisy, or each noisy flag is waived in the config with a reason",
        lambda c: {"noisy_flags": list(NOISY_FLAGS), "min_volume": c.min_volume,
                   **{k: c.flags[k] for k in NOISY_FLAGS}},
        _noisy,
    ),
    Item(
        "expiry_strategy",
        "Expiry strategy is applied for stale notifications",
        "overall expiry_coverage >= min_expiry_coverage and stale_unread_rate <= "
        "max_stale_unread_rate",
        lambda c: {"min_expiry_coverage": c.checklist["min_expiry_coverage"],
                   "max_stale_unread_rate": c.checklist["max_stale_unread_rate"],
                   "stale_days": c.stale_days, "default_expiry_days": c.default_expiry_days},
        _expiry,
    ),
    Item(
        "bounded_retries",
        "Publish retries are bounded",
        "max_attempts <= max_attempts everywhere",
        lambda c: {"max_attempts": c.checklist["max_attempts"]},
        _bounded_retries,
    ),
    Item(
        "metadata_stable",
        "Metadata is stable and parsable",
        "no template flags metadata_unstable",
        lambda c: {"metadata_invalid": c.flags["metadata_invalid"],
                   "metadata_drift": c.flags["metadata_drift"]},
        _metadata,
    ),
    Item(
        "no_duplicate_sends",
        "No duplicate notifications for the same event window",
        "overall duplicate_rate <= max_duplicate_rate",
        lambda c: {"max_duplicate_rate": c.checklist["max_duplicate_rate"],
                   "dedup_window_minutes": c.dedup_window_minutes},
        _duplicates,
    ),
    Item(
        "send_failures",
        "Send failures do not block and stay rare",
        "overall failure_rate <= max_failure_rate",
        lambda c: {"max_failure_rate": c.checklist["max_failure_rate"]},
        _send_failures,
    ),
)  # fmt: skip


def _one_row(df: pd.DataFrame) -> dict[str, Any]:
    return {str(k): jsonable(v) for k, v in df.iloc[0].to_dict().items()}


def gather(con: Connection, filters: Filters, config: Config) -> ChecklistData:
    """Run every query the items read."""
    # One pass for the templates and the overall numbers; the items read neither the
    # overall recipients nor the delivery percentiles, the costliest part of the total.
    # Every query on one cursor: the metric macros are set up once.
    frames = run_queries(
        con,
        [
            WITH_TOTAL,
            "checklist/inbox_flows",
            "checklist/realtime_reconnection",
            "checklist/payload_conventions",
            "metrics/as_of",
        ],
        filters,
        config,
        **with_total_options(total_distinct=False, quantiles=False),
    )
    both = split_total(frames[0], config, total_distinct=False)
    inbox, realtime, conventions, as_of = frames[1:]
    return ChecklistData(
        templates=both.templates,
        overall=both.overall,
        inbox=_one_row(inbox),
        realtime=_one_row(realtime),
        conventions=conventions,
        as_of=as_of_value(as_of),
    )


def _waived(out: Outcome, reason: str | None) -> Outcome:
    """An item a sign-off waives: fail or no_data reads `waived`, saying what it was."""
    if reason is None or out.status not in ("fail", "no_data"):
        return out
    evidence = {**out.evidence, "waived": {"was": out.status, "reason": reason}}
    return Outcome("waived", f"waived (was {out.status}): {reason}; {out.summary}", evidence)


def evaluate_data(
    data: ChecklistData,
    config: Config,
    strict: bool = False,
    waivers: SignoffWaivers = NONE,
) -> ChecklistResult:
    """Apply every item's rule to gathered data; `waivers` (an approved sign-off's) waive
    items and, as the config's own [[waivers]] do, noisy flags of templates."""
    effective = waivers.apply_to(config)
    results = []
    for item in ITEMS:
        out = _waived(item.evaluate(data, effective), waivers.items.get(item.id))
        results.append(
            ItemResult(item.id, item.label, item.rule, out.status, out.summary, out.evidence,
                       item.threshold(config))
        )  # fmt: skip
    return ChecklistResult(tuple(results), strict=strict, as_of=data.as_of)


def evaluate(
    con: Connection,
    config: Config,
    filters: Filters | None = None,
    strict: bool = False,
    waivers: SignoffWaivers = NONE,
) -> ChecklistResult:
    """The go-live checklist over the data in `con` (all of it unless filters narrow it)."""
    return evaluate_data(gather(con, filters or Filters(), config), config, strict, waivers)
