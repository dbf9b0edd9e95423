"""The pandas peer: the per-template metrics of SPEC.md written the way a user would in
pandas (vectorised groupby, no row loops), for the benchmark's typed Parquet logs.

    python -m benchmarks.pandas_peer LOG.parquet [--out metrics.json]

Scope: event logs with the generator's typed columns (benchmarks/generate.py); no snapshot
rows, no rejects, no CTAs, and event_id given. Where SPEC leaves a tie open (the most common
metadata key set), the peer takes the smallest key list; the generated logs have no ties.
It prints the same `templates` objects as `template-noise metrics --format json` (metrics
only, no flags), so benchmarks/run.py can check that both give the same numbers.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ENGAGEMENT = ("read", "archived", "starred", "clicked", "delivered")
WANTED = (
    "event_id", "event_type", "occurred_at", "notification_id", "user_id", "organization_id",
    "workspace_id", "template", "title", "body", "severity", "metadata", "expires_hours",
    "dedup_key", "attempt",
)  # fmt: skip


def _keyset(text: Any) -> tuple[str, ...] | None:
    """Sorted top-level keys of a JSON object; () for no metadata; None for a non-object."""
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return ()
    value = json.loads(text)
    return tuple(sorted(value)) if isinstance(value, dict) else None


def compute(
    path: str | Path,
    dedup_window_minutes: int = 60,
    stale_days: int = 7,
) -> pd.DataFrame:
    """One row per template with the SPEC metric columns, sorted by template."""
    import pyarrow.parquet as pq

    present = set(pq.read_schema(path).names)
    # title and body only matter for sends without a dedup_key: read them only then.
    needs_text = "dedup_key" not in present or bool(
        pd.read_parquet(
            path, columns=["event_type", "dedup_key"], filters=[("event_type", "==", "sent")]
        )["dedup_key"]
        .isna()
        .any()
    )
    wanted = [c for c in WANTED if c in present and (needs_text or c not in ("title", "body"))]
    ev = pd.read_parquet(path, columns=wanted)
    for col in set(WANTED) - set(wanted):
        ev[col] = None
    ev["event_type"] = ev["event_type"].astype("category")
    ev = ev.drop_duplicates("event_id")
    as_of = ev["occurred_at"].max()
    ev = ev[ev["notification_id"].notna()]

    # Payload: the earliest `sent` row, else the earliest `send_failed` (ties by event_id).
    sends = ev[ev["event_type"].isin(["sent", "send_failed"])]
    attempts = sends.groupby("notification_id").agg(
        attempt_events=("event_id", "size"), max_attempt=("attempt", "max")
    )
    first = (
        sends.assign(is_failed=sends["event_type"] != "sent")
        .sort_values(["notification_id", "is_failed", "occurred_at", "event_id"])
        .drop_duplicates("notification_id")
        .set_index("notification_id")
    )
    n = first.join(attempts)
    n["created"] = ~n["is_failed"]
    n["created_at"] = n["occurred_at"].where(n["created"])
    n["attempts"] = np.maximum(n["attempt_events"], n["max_attempt"].fillna(0)).astype(int)
    n["template"] = n["template"].fillna("(unknown)")
    n["recipient"] = n["user_id"].where(
        n["user_id"].notna(),
        ("workspace:" + n["workspace_id"].astype("string")).where(
            n["workspace_id"].notna(), "organization:" + n["organization_id"].astype("string")
        ),
    )
    scope_if_no_user = np.where(n["workspace_id"].notna(), "workspace", "organization")
    n["scope"] = np.where(n["user_id"].notna(), "user", scope_if_no_user)
    n["severity"] = n["severity"].fillna("unset")

    firsts = (
        ev[ev["event_type"].isin(ENGAGEMENT)]
        .groupby(["notification_id", "event_type"])["occurred_at"]
        .min()
        .unstack()
    )
    for kind in ENGAGEMENT:
        n[f"{kind}_at"] = firsts.get(kind, pd.NaT)
        n[f"{kind}_at"] = n[f"{kind}_at"].astype("datetime64[us]")

    c = n[n["created"]].copy()
    # Duplicates: the previous created notification with the same recipient, template and
    # fingerprint (dedup_key, else title + body + metadata) within the window.
    c["fingerprint"] = c["dedup_key"].where(
        c["dedup_key"].notna(),
        c["title"].astype("string") + "\x1f" + c["body"].astype("string") + "\x1f"
        + c["metadata"].astype("string").fillna(""),
    )  # fmt: skip
    c = c.reset_index().sort_values(["created_at", "notification_id"])
    prev = c.groupby(["template", "recipient", "fingerprint"])["created_at"].shift()
    c["is_duplicate"] = (c["created_at"] - prev) <= pd.Timedelta(minutes=dedup_window_minutes)

    expires = c["created_at"] + pd.to_timedelta(c["expires_hours"] * 3600, unit="s")
    c["has_expiry"] = expires.notna()
    c["is_expired"] = expires <= as_of
    c["is_expired_unread"] = c["is_expired"] & ~(c["read_at"] < expires)
    c["is_stale"] = (
        ~c["has_expiry"] & c["read_at"].isna() & c["archived_at"].isna()
        & (c["created_at"] <= as_of - pd.Timedelta(days=stale_days))
    )  # fmt: skip
    c["is_archived_unread"] = c["archived_at"].notna() & ~(c["read_at"] <= c["archived_at"])
    c["delivery_s"] = (c["delivered_at"] - c["created_at"]).dt.total_seconds()

    # Metadata key sets: parse each distinct text once.
    texts = c["metadata"].drop_duplicates()
    keysets = pd.Series(texts.map(_keyset).to_numpy(), index=texts.fillna("\x00").to_numpy())
    c["keyset"] = c["metadata"].fillna("\x00").map(keysets)
    c["metadata_invalid"] = c["keyset"].isna()
    valid = c[~c["metadata_invalid"]]
    counts = valid.groupby(["template", "keyset"]).size().reset_index(name="k")
    common = (
        counts.sort_values(["template", "k", "keyset"], ascending=[True, False, True])
        .drop_duplicates("template")
        .set_index("template")["keyset"]
    )
    c["metadata_drift"] = ~c["metadata_invalid"] & (c["keyset"] != c["template"].map(common))

    day = c["created_at"].dt.floor("D")
    per_day = c.groupby(["template", "recipient", day]).size().groupby(level="template").max()

    g = c.groupby("template")
    out = pd.DataFrame(
        {
            "sent": g.size(),
            "recipients": g["recipient"].nunique(),
            "max_per_user_day": per_day,
            "duplicates": g["is_duplicate"].sum(),
            "n_read": g["read_at"].count(),
            "n_archived": g["archived_at"].count(),
            "n_archived_unread": g["is_archived_unread"].sum(),
            "n_starred": g["starred_at"].count(),
            "n_with_expiry": g["has_expiry"].sum(),
            "n_expired": g["is_expired"].sum(),
            "n_expired_unread": g["is_expired_unread"].sum(),
            "n_stale": g["is_stale"].sum(),
            "n_invalid": g["metadata_invalid"].sum(),
            "n_drift": g["metadata_drift"].sum(),
            "n_delivered": g["delivered_at"].count(),
            "delivery_p50_s": g["delivery_s"].quantile(0.5),
            "delivery_p95_s": g["delivery_s"].quantile(0.95),
            "severities": g["severity"].agg(lambda s: sorted(s.unique())),
            "scopes": g["scope"].agg(lambda s: sorted(s.unique())),
        }
    )
    attempted = n.groupby("template").agg(
        failed=("is_failed", "sum"),
        attempted=("attempts", "size"),
        retried=("attempts", lambda a: (a > 1).sum()),
        max_attempts=("attempts", "max"),
    )
    out = attempted.join(out, how="left")
    sent = out["sent"].fillna(0).astype(int)
    rate = lambda num: out[num] / sent.where(sent > 0)  # noqa: E731
    result = pd.DataFrame(
        {
            "template": out.index.to_numpy(),
            "sent": sent,
            "failed": out["failed"].astype(int),
            "recipients": out["recipients"].fillna(0).astype(int),
            "max_per_user_day": out["max_per_user_day"].fillna(0).astype(int),
            "duplicates": out["duplicates"].fillna(0).astype(int),
            "duplicate_rate": rate("duplicates"),
            "read_rate": rate("n_read"),
            "archive_rate": rate("n_archived"),
            "archived_unread_rate": rate("n_archived_unread"),
            "star_rate": rate("n_starred"),
            "cta_click_rate": None,  # the generated logs carry no CTAs
            "expiry_coverage": rate("n_with_expiry"),
            "expired_unread_rate": out["n_expired_unread"] / out["n_expired"].where(out["n_expired"] > 0),  # noqa: E501
            "stale_unread_rate": rate("n_stale"),
            "failure_rate": out["failed"] / out["attempted"],
            "retry_rate": out["retried"] / out["attempted"],
            "max_attempts": out["max_attempts"].astype(int),
            "severities": out["severities"],
            "scopes": out["scopes"],
            "metadata_invalid_rate": rate("n_invalid"),
            "metadata_drift_rate": rate("n_drift"),
            "delivery_rate": rate("n_delivered"),
            "delivery_p50_s": out["delivery_p50_s"],
            "delivery_p95_s": out["delivery_p95_s"],
        }
    )  # fmt: skip
    if not (ev["event_type"] == "delivered").any():
        result[["delivery_rate", "delivery_p50_s", "delivery_p95_s"]] = None
    return result.reset_index(drop=True).sort_values("template").reset_index(drop=True)


def records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """JSON-ready rows (NaN -> None, numpy -> Python)."""

    def clean(v: Any) -> Any:
        if isinstance(v, list | tuple | np.ndarray):
            return [clean(x) for x in v]
        if isinstance(v, np.generic):
            v = v.item()
        if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA:
            return None
        return v

    return [{k: clean(v) for k, v in row.items()} for row in df.to_dict(orient="records")]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("log", type=Path)
    p.add_argument("--out", type=Path, help="write {'templates': [...]} here (default: stdout)")
    a = p.parse_args()
    text = json.dumps({"templates": records(compute(a.log))}, indent=1)
    if a.out:
        a.out.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text + "\n")


if __name__ == "__main__":
    main()
