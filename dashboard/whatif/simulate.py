"""`simulate`: replay a policy on the logged notifications and report what would change.

1. whatif/notifications.sql: the created notifications of the window, in replay order
   (Arrow: ids, templates and recipients never become Python objects);
2. template_noise.whatif.replay: each one's fate under its template's rules, by array
   operations;
3. the fates are registered on the cursor as `whatif_fate` (whatif/summary.sql counts
   them) and what they change in the state as `whatif_change`;
4. whatif/replay.sql points the metric macros at the kept notifications, and the same
   queries as `metrics` and `check` give the metrics, flags and checklist after.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from template_noise import checklist
from template_noise.config import Config
from template_noise.filters import Filters
from template_noise.metrics import jsonable, query_params
from template_noise.queries import arrow, cursor, execute, metric_macros
from template_noise.whatif.policy import Policy, Rules
from template_noise.whatif.replay import Sequences, fates, partitions

COUNTS = (
    "sent", "kept", "suppressed_dedup", "suppressed_digest", "suppressed_throttle",
    "suppressed_read", "suppressed_clicked", "recipients_affected",
)  # fmt: skip
AFTER = ("max_per_user_day_after", "duplicate_rate_after", "stale_unread_rate_after")
# The metrics after a replay that the report shows, and where they come from.
AFTER_METRICS = {
    "max_per_user_day_after": "max_per_user_day",
    "duplicate_rate_after": "duplicate_rate",
    "stale_unread_rate_after": "stale_unread_rate",
}


@dataclass(frozen=True)
class Simulation:
    policy: Policy
    templates: pd.DataFrame  # one row per template: COUNTS, AFTER, flags_after, noisy_after
    total: dict[str, Any]  # COUNTS over every template
    after: pd.DataFrame  # compute_metrics over the kept notifications (every metric, ranked)
    checklist_after: checklist.ChecklistResult

    def as_json(self) -> dict[str, Any]:
        """The `simulate --format json` object (SPEC.md "What-if")."""
        cols = ["template", *COUNTS, *AFTER, "flags_after", "noisy_after"]
        rows = [{c: jsonable(row[c]) for c in cols} for _, row in self.templates.iterrows()]
        return {
            "policy": self.policy.as_dict(),
            "templates": rows,
            "total": {c: jsonable(self.total[c]) for c in COUNTS},
            "checklist_after": [
                {"id": item.id, "status": item.status} for item in self.checklist_after.items
            ],
        }


class _Replayed:
    """The metric queries on the replay's cursor (template_noise.metrics.QueryEngine): the
    cursor's macros already read the kept notifications, so they are not set up again."""

    def __init__(self, cur: duckdb.DuckDBPyConnection) -> None:
        self.cur = cur

    def run_query(self, name: str, params: dict[str, Any]) -> pd.DataFrame:
        return execute(self.cur, name, **params).df()


def _replayed_templates(policy: Policy) -> list[str] | None:
    """The templates to replay: None = all (the default sets a rule), else those with one."""
    if not policy.default.empty:
        return None
    return sorted(t for t, r in policy.templates.items() if not r.empty)


def _timestamps(us: np.ndarray, valid: np.ndarray) -> pa.Array:
    return pa.array(us, type=pa.timestamp("us"), mask=~valid)


def _logged_us(table: pa.Table, name: str) -> tuple[np.ndarray, np.ndarray]:
    col = table[name].combine_chunks()
    valid = ~col.is_null().to_numpy(zero_copy_only=False)
    return col.fill_null(0).to_numpy(zero_copy_only=False).astype(np.int64), valid


def replay_fates(table: pa.Table, policy: Policy) -> tuple[pa.Array, pa.Table]:
    """The replay of the rows of whatif/notifications.sql: each row's fate (int8,
    replay.KEPT...), and the changes to the state the metrics read (`whatif_change`, one
    row per notification the replay changes: suppressed, given an expiry, or kept with
    other partition columns than logged, since a rule suppressed others of its template)."""
    n = table.num_rows
    fate = np.zeros(n, dtype=np.int8)
    expires = np.full(n, np.nan)
    recomputed = np.zeros(n, dtype=bool)
    prev = np.zeros(n, dtype=np.int64)
    has_prev = np.zeros(n, dtype=bool)
    prev_tr = np.zeros(n, dtype=np.int64)
    has_prev_tr = np.zeros(n, dtype=bool)
    day_count = np.zeros(n, dtype=np.int64)
    if n:
        seq = Sequences(
            tr_key=table["tr_key"].to_numpy(),
            dup_key=table["dup_key"].to_numpy(),
            created_us=table["created_us"].to_numpy().astype(np.int64),
        )
        encoded = pc.dictionary_encode(table["template"]).combine_chunks()
        codes = encoded.indices.to_numpy(zero_copy_only=False)
        by_rules: dict[Rules, list[int]] = {}
        for code, name in enumerate(encoded.dictionary.to_pylist()):
            by_rules.setdefault(policy.rules_for(str(name)), []).append(code)
        has_expiry = table["has_expiry"].to_numpy(zero_copy_only=False)
        for rules, rule_codes in by_rules.items():
            if rules.empty:
                continue
            rows = np.flatnonzero(np.isin(codes, rule_codes))  # still in replay order
            if rules.suppresses:
                part = Sequences(seq.tr_key[rows], seq.dup_key[rows], seq.created_us[rows])
                fate[rows] = part_fate = fates(part, rules)
                after = partitions(part, part_fate)
                recomputed[rows] = True
                prev[rows], has_prev[rows] = after.prev_created_us, after.has_prev_created
                prev_tr[rows] = after.prev_tr_created_us
                has_prev_tr[rows] = after.has_prev_tr_created
                day_count[rows] = after.user_day_count
            if rules.expires_hours is not None:
                expires[rows[~has_expiry[rows]]] = rules.expires_hours
        # Kept ones whose partition columns the replay left as logged need no change.
        was_prev, had_prev = _logged_us(table, "prev_created_us")
        was_tr, had_tr = _logged_us(table, "prev_tr_created_us")
        was_count = table["user_day_count"].to_numpy(zero_copy_only=False)
        recomputed &= (
            (has_prev != had_prev)
            | (has_prev & (prev != was_prev))
            | (has_prev_tr != had_tr)
            | (has_prev_tr & (prev_tr != was_tr))
            | (day_count != was_count)
        )
    changed = (fate != 0) | ~np.isnan(expires) | recomputed
    change = pa.table(
        {
            "notification_id": table["notification_id"].filter(pa.array(changed)),
            "fate": pa.array(fate[changed]),
            "expires_hours": pa.array(expires[changed], mask=np.isnan(expires[changed])),
            "recomputed": pa.array(recomputed[changed]),
            "prev_created_at": _timestamps(prev[changed], has_prev[changed]),
            "prev_tr_created_at": _timestamps(prev_tr[changed], has_prev_tr[changed]),
            "user_day_count": pa.array(day_count[changed]),
        }
    )
    return pa.array(fate), change


def simulate(
    con: duckdb.DuckDBPyConnection,
    policy: Policy,
    config: Config,
    as_of: datetime | None = None,
) -> Simulation:
    """Replay `policy` over every created notification as of `as_of` (default: the latest
    event) and report per template and in total what it suppresses, and the metrics, flags
    and checklist after (over the whole log, as `metrics` and `check` without a window)."""
    filters = Filters(as_of=as_of)
    params = query_params(filters, config)
    cur = cursor(con)
    try:
        metric_macros(cur)
        logged = arrow(cur, "whatif/notifications", **params, templates=_replayed_templates(policy))
        fate, whatif_change = replay_fates(logged, policy)
        whatif_fate = pa.table(
            {
                "template": logged["template"],
                "recipient": logged["recipient"],
                "is_read": logged["is_read"],
                "is_clicked": logged["is_clicked"],
                "fate": fate,
            }
        )
        cur.register("whatif_fate", whatif_fate)
        cur.register("whatif_change", whatif_change)
        summary = execute(cur, "whatif/summary").df()
        execute(cur, "whatif/replay")
        data = checklist.gather(_Replayed(cur), filters, config)
    finally:
        cur.close()
    return _report(policy, summary, data, config)


def _report(
    policy: Policy, summary: pd.DataFrame, data: checklist.ChecklistData, config: Config
) -> Simulation:
    after = data.templates
    is_total = summary["is_total"].astype(bool)
    counted = summary.loc[~is_total].drop(columns="is_total").set_index("template")
    rows = after[["template", "sent", "flags", "noisy", *AFTER_METRICS.values()]].copy()
    rows = rows.rename(columns={"sent": "sent_after", "flags": "flags_after",
                                "noisy": "noisy_after"})  # fmt: skip
    rows = rows.rename(columns={v: k for k, v in AFTER_METRICS.items()})
    rows = rows.join(counted, on="template")
    # A template the replay did not go through (no rule, or only failed sends) kept all.
    not_replayed = rows["sent"].isna()
    rows.loc[not_replayed, "sent"] = rows.loc[not_replayed, "sent_after"]
    rows.loc[not_replayed, "kept"] = rows.loc[not_replayed, "sent_after"]
    for col in COUNTS:
        rows[col] = rows[col].fillna(0).astype("int64")
    rows = rows.drop(columns="sent_after")
    rows = rows.sort_values(["noisy_after", "sent", "template"], ascending=[False, False, True])
    rows = rows.reset_index(drop=True)
    total = {c: int(rows[c].sum()) for c in COUNTS}
    replayed_total = summary.loc[is_total]
    total["recipients_affected"] = (
        int(replayed_total["recipients_affected"].iloc[0]) if len(replayed_total) else 0
    )
    result = checklist.evaluate_data(data, config)
    return Simulation(policy, rows, total, after, result)
