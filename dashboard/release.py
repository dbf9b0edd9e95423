"""Where a release stands: the checklist with the approved waivers, bound to a sign-off.

One function for `template-noise check` and the dashboard's checklist page alike:

- the sign-off in force is the newest one, when it approves and covers both the current
  data fingerprint and the current config fingerprint (a later reject revokes; new data or
  other thresholds need a new sign-off);
- its waivers are applied in the evaluation (checklist/waivers.py);
- the result carries its Context: fingerprints, data age, that sign-off (or why none
  covers the data), and the reasons a gate blocks the release (`--require-signoff`,
  `--max-data-age`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import duckdb
from template_noise import freshness, signoff
from template_noise.checklist import waivers as waiver_lines
from template_noise.checklist.items import (
    ITEMS,
    ChecklistData,
    ChecklistResult,
    Context,
    evaluate_data,
    gather,
)
from template_noise.config import Config
from template_noise.filters import Filters
from template_noise.metrics import jsonable


@dataclass(frozen=True)
class Standing:
    """The newest sign-off and whether it approves the current data under the current config."""

    latest: signoff.SignOff | None
    data_fingerprint: str
    config_fingerprint: str

    @property
    def in_force(self) -> signoff.SignOff | None:
        """The newest sign-off, if it approves this data under this config."""
        s = self.latest
        if s is None or not s.approves:
            return None
        if s.data_fingerprint != self.data_fingerprint:
            return None
        if s.config_fingerprint != self.config_fingerprint:
            return None
        return s

    def problem(self) -> str | None:
        """Why no sign-off covers this release (one line), or None when one does."""
        s, data = self.latest, self.data_fingerprint[:12]
        if s is None:
            return f"no approving sign-off for data fingerprint {data} (no sign-off yet)"
        if not s.approves:
            what = f"rejects it (#{s.signoff_id})" if s.decision == "reject" else "has no decision"
            return (
                f"no approving sign-off for data fingerprint {data} (latest sign-off "
                f"#{s.signoff_id} {what})"
            )
        if s.data_fingerprint != self.data_fingerprint:
            return (
                f"no approving sign-off for data fingerprint {data} (latest sign-off "
                f"#{s.signoff_id} covers {s.data_fingerprint[:12]})"
            )
        if s.config_fingerprint != self.config_fingerprint:
            made = s.config_fingerprint[:12] or "no recorded config"
            return (
                f"no approving sign-off for config fingerprint {self.config_fingerprint[:12]} "
                f"(latest sign-off #{s.signoff_id} was made under {made})"
            )
        return None

    def describe(self) -> str:
        s = self.in_force
        if s is not None:
            return (
                f"approved by sign-off #{s.signoff_id} ({s.name}, {s.role}, "
                f"{s.signed_at:%Y-%m-%d %H:%M} UTC)"
            )
        return str(self.problem())

    def as_json(self) -> dict[str, Any] | None:
        s = self.latest
        if s is None:
            return None
        return {
            "signoff_id": s.signoff_id,
            "decision": s.decision or None,
            "signed_at": jsonable(s.signed_at),
            "name": s.name,
            "role": s.role,
            "data_fingerprint": s.data_fingerprint,
            "config_fingerprint": s.config_fingerprint or None,
            "covers": self.in_force is not None,
            "waivers": s.waivers,
            "row_hash": s.row_hash or None,
        }


def standing(
    con: duckdb.DuckDBPyConnection, config: Config, data_fingerprint: str | None = None
) -> Standing:
    """The newest sign-off against this data (`data_fingerprint` if already known: it costs
    a pass over every event) and this config."""
    stored = signoff.history(con)
    return Standing(
        latest=stored[0] if stored else None,
        data_fingerprint=data_fingerprint or signoff.data_fingerprint(con),
        config_fingerprint=config.fingerprint(),
    )


def waivers_in_force(state: Standing) -> waiver_lines.SignoffWaivers:
    s = state.in_force
    if s is None:
        return waiver_lines.NONE
    return waiver_lines.from_mapping(s.waivers, items=[i.id for i in ITEMS])


def parse_waivers(text: str, data: ChecklistData, config: Config) -> waiver_lines.SignoffWaivers:
    """Waivers typed in a sign-off, checked against the items, the templates in the data
    and the flags."""
    return waiver_lines.parse(
        text,
        items=[i.id for i in ITEMS],
        templates=data.templates["template"].astype(str).tolist(),
        flags=list(config.noise_score.weights),
    )


def context(
    con: duckdb.DuckDBPyConnection,
    config: Config,
    state: Standing,
    *,
    now: datetime | None = None,
    max_age_hours: float | None = None,
) -> Context:
    age = freshness.data_age(
        con, config.max_data_age_hours if max_age_hours is None else max_age_hours, now
    )
    hours = None if age.age is None else age.age.total_seconds() / 3600
    return Context(
        data_fingerprint=state.data_fingerprint,
        config_fingerprint=state.config_fingerprint,
        latest_event=age.latest_event,
        measured_at=age.now,
        age_hours=hours,
        max_age_hours=age.max_age.total_seconds() / 3600,
        stale=age.stale,
        age_text=age.describe(),
        signoff=state.as_json(),
        signoff_text=state.describe(),
    )


def evaluate(
    con: duckdb.DuckDBPyConnection,
    config: Config,
    *,
    strict: bool = False,
    data: ChecklistData | None = None,
    data_fingerprint: str | None = None,
    require_signoff: bool = False,
    max_data_age_hours: float | None = None,
    now: datetime | None = None,
) -> ChecklistResult:
    """The checklist over all data in `con` with the waivers of the sign-off in force, and
    its Context. `require_signoff`: blocked unless an approving sign-off covers this data
    and config; `max_data_age_hours`: blocked when the newest event is older. `data` and
    `data_fingerprint`, when given, must be of the data in `con` (the dashboard caches both
    per data version)."""
    data = data if data is not None else gather(con, Filters(), config)
    state = standing(con, config, data_fingerprint)
    result = evaluate_data(data, config, strict, waivers_in_force(state))
    ctx = context(con, config, state, now=now, max_age_hours=max_data_age_hours)
    blocked: list[str] = []
    if require_signoff and (problem := state.problem()) is not None:
        blocked.append(problem)
    if max_data_age_hours is not None:
        if ctx.latest_event is None:
            blocked.append("no events loaded: the data's age cannot be judged")
        elif ctx.stale:
            blocked.append(f"data is stale: {ctx.age_text}")
    return replace(result, context=replace(ctx, blocked_by=tuple(blocked)))
