"""The polars peer: the per-template metrics of SPEC.md written the way a good polars user
would (LazyFrames from pl.scan_parquet, expressions only, no Python per-row work, each
collected by the streaming engine; the one-row-per-notification frames several branches
read are collected once), for the benchmark's typed Parquet logs.

    python -m benchmarks.polars_peer LOG.parquet [--out metrics.json]

Scope: that of benchmarks/pandas_peer.py (the generator's typed columns; no snapshot rows,
no rejects, no CTAs, event_id given; where SPEC leaves a tie open, the smallest key list)
and one more: metadata objects are flat, as the generated logs' are. Polars parses JSON
only into a struct whose fields are named up front (Expr.str.json_decode needs the dtype),
so it cannot list the keys of an object it has not seen; the top-level keys are read with
one regular expression instead, which is exact for flat objects. Metadata counts as a JSON
object when its text starts with "{". As in the pandas peer, a send without a dedup_key
fingerprints its metadata as text (SPEC compares it as a JSON value; the generated logs
always carry a dedup_key). It prints the same `templates` objects as `template-noise
metrics --format json` (metrics only, no flags), so benchmarks/run.py can check that both
give the same numbers.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import polars as pl

ENGAGEMENT = ("read", "archived", "starred", "clicked", "delivered")
WANTED = (
    "event_id", "event_type", "occurred_at", "notification_id", "user_id", "organization_id",
    "workspace_id", "template", "title", "body", "severity", "metadata", "expires_hours",
    "dedup_key", "attempt",
)  # fmt: skip
# A top-level key of a flat JSON object: a JSON string followed by a colon.
KEY = r'"(?:[^"\\]|\\.)*"\s*:'
COLUMNS = (
    "template", "sent", "failed", "recipients", "max_per_user_day", "duplicates",
    "duplicate_rate", "read_rate", "archive_rate", "archived_unread_rate", "star_rate",
    "cta_click_rate", "expiry_coverage", "expired_unread_rate", "stale_unread_rate",
    "failure_rate", "retry_rate", "max_attempts", "severities", "scopes",
    "metadata_invalid_rate", "metadata_drift_rate", "delivery_rate", "delivery_p50_s",
    "delivery_p95_s",
)  # fmt: skip


def _engine(lf: pl.LazyFrame) -> pl.DataFrame:
    return lf.collect(engine="streaming")


def compute(
    path: str | Path,
    dedup_window_minutes: int = 60,
    stale_days: int = 7,
) -> pl.DataFrame:
    """One row per template with the SPEC metric columns, sorted by template."""
    scan = pl.scan_parquet(path)
    present = set(scan.collect_schema().names())
    # title and body only matter for sends without a dedup_key: read them only then.
    needs_text = "dedup_key" not in present or bool(
        _engine(
            scan.filter(pl.col("event_type") == "sent").select(pl.col("dedup_key").is_null().any())
        ).item()
    )
    wanted = [c for c in WANTED if c in present and (needs_text or c not in ("title", "body"))]
    missing = [pl.lit(None, dtype=pl.String).alias(c) for c in WANTED if c not in wanted]
    # as_of and whether any `delivered` exists do not depend on duplicate events: one pass.
    as_of, has_delivered = _engine(
        scan.select(pl.col("occurred_at").max(), (pl.col("event_type") == "delivered").any())
    ).row(0)
    ev = (
        scan.select(wanted)
        .with_columns(missing)
        .unique("event_id", keep="any")
        .filter(pl.col("notification_id").is_not_null())
    )

    # Payload: the earliest `sent` row, else the earliest `send_failed` (ties by event_id);
    # group_by keeps the sorted order within each group, so first() is that row.
    payload = ("template", "user_id", "organization_id", "workspace_id", "title", "body",
               "severity", "metadata", "expires_hours", "dedup_key", "occurred_at")  # fmt: skip
    sends = (
        ev.filter(pl.col("event_type").is_in(["sent", "send_failed"]))
        .with_columns(is_failed=pl.col("event_type") != "sent")
        .sort("notification_id", "is_failed", "occurred_at", "event_id")
        .group_by("notification_id")
        .agg(
            pl.col("is_failed", *payload).first(),
            attempt_events=pl.len(),
            max_attempt=pl.col("attempt").max(),
        )
        .with_columns(
            attempts=pl.max_horizontal("attempt_events", pl.col("max_attempt").fill_null(0)),
            template=pl.col("template").fill_null("(unknown)"),
            recipient=pl.coalesce(
                "user_id",
                pl.lit("workspace:") + pl.col("workspace_id"),
                pl.lit("organization:") + pl.col("organization_id"),
            ),
            scope=pl.when(pl.col("user_id").is_not_null())
            .then(pl.lit("user"))
            .when(pl.col("workspace_id").is_not_null())
            .then(pl.lit("workspace"))
            .otherwise(pl.lit("organization")),
            severity=pl.col("severity").fill_null("unset"),
        )
    )
    firsts = (
        ev.filter(pl.col("event_type").is_in(ENGAGEMENT))
        .group_by("notification_id")
        .agg(
            pl.col("occurred_at").filter(pl.col("event_type") == kind).min().alias(f"{kind}_at")
            for kind in ENGAGEMENT
        )
    )
    # One row per notification, collected once: every later step reads it, and a plan that
    # branches would otherwise compute it again for each branch.
    n = _engine(sends.join(firsts, on="notification_id", how="left")).lazy()
    window = pl.duration(minutes=dedup_window_minutes)
    expires = pl.col("created_at") + pl.duration(hours=pl.col("expires_hours"))
    keys = pl.col("metadata").str.extract_all(KEY).list.eval(pl.element().str.replace(r"\s*:$", ""))
    c = (
        n.filter(~pl.col("is_failed"))
        .rename({"occurred_at": "created_at"})
        # Duplicates: the previous created notification with the same recipient, template
        # and fingerprint (dedup_key, else title + body + metadata) within the window.
        .with_columns(
            fingerprint=pl.coalesce(
                "dedup_key",
                pl.concat_str("title", "body", pl.col("metadata").fill_null(""), separator="\x1f"),
            )
        )
        .with_columns(
            prev=pl.col("created_at")
            .shift()
            .over(
                "template", "recipient", "fingerprint", order_by=["created_at", "notification_id"]
            ),
            expires_at=expires,
        )
        .with_columns(
            is_duplicate=(pl.col("created_at") - pl.col("prev") <= window).fill_null(False),
            has_expiry=pl.col("expires_at").is_not_null(),
            is_expired=(pl.col("expires_at") <= as_of).fill_null(False),
            read_before_expiry=(pl.col("read_at") < pl.col("expires_at")).fill_null(False),
            is_stale=pl.col("expires_at").is_null()
            & pl.col("read_at").is_null()
            & pl.col("archived_at").is_null()
            & (pl.col("created_at") <= pl.lit(as_of) - pl.duration(days=stale_days)),
            is_archived_unread=pl.col("archived_at").is_not_null()
            & ~(pl.col("read_at") <= pl.col("archived_at")).fill_null(False),
            delivery_s=(pl.col("delivered_at") - pl.col("created_at")).dt.total_microseconds()
            / 1e6,
            # Key sets: sorted top-level keys, "" for none; null for metadata that is not
            # an object.
            keyset=pl.when(pl.col("metadata").is_null())
            .then(pl.lit(""))
            .when(pl.col("metadata").str.strip_chars_start().str.starts_with("{"))
            .then(keys.list.sort().list.join("\x1f")),
        )
        .with_columns(
            is_expired_unread=pl.col("is_expired") & ~pl.col("read_before_expiry"),
            metadata_invalid=pl.col("keyset").is_null(),
        )
    )
    c = _engine(c).lazy()  # created notifications with their flags, read by three branches
    common = (
        c.filter(pl.col("keyset").is_not_null())
        .group_by("template", "keyset")
        .agg(k=pl.len())
        .sort("template", "k", "keyset", descending=[False, True, False])
        .group_by("template")
        .agg(common=pl.col("keyset").first())
    )
    c = c.join(common, on="template", how="left").with_columns(
        metadata_drift=~pl.col("metadata_invalid") & (pl.col("keyset") != pl.col("common"))
    )
    per_day = (
        c.group_by("template", "recipient", pl.col("created_at").dt.truncate("1d"))
        .agg(k=pl.len())
        .group_by("template")
        .agg(max_per_user_day=pl.col("k").max())
    )
    out = c.group_by("template").agg(
        sent=pl.len(),
        recipients=pl.col("recipient").n_unique(),
        duplicates=pl.col("is_duplicate").sum(),
        n_read=pl.col("read_at").count(),
        n_archived=pl.col("archived_at").count(),
        n_archived_unread=pl.col("is_archived_unread").sum(),
        n_starred=pl.col("starred_at").count(),
        n_with_expiry=pl.col("has_expiry").sum(),
        n_expired=pl.col("is_expired").sum(),
        n_expired_unread=pl.col("is_expired_unread").sum(),
        n_stale=pl.col("is_stale").sum(),
        n_invalid=pl.col("metadata_invalid").sum(),
        n_drift=pl.col("metadata_drift").sum(),
        n_delivered=pl.col("delivered_at").count(),
        delivery_p50_s=pl.col("delivery_s").quantile(0.5, interpolation="linear"),
        delivery_p95_s=pl.col("delivery_s").quantile(0.95, interpolation="linear"),
        severities=pl.col("severity").unique().sort(),
        scopes=pl.col("scope").unique().sort(),
    )
    attempted = n.group_by("template").agg(
        failed=pl.col("is_failed").sum(),
        attempted=pl.len(),
        retried=(pl.col("attempts") > 1).sum(),
        max_attempts=pl.col("attempts").max(),
    )
    sent = pl.col("sent").fill_null(0)

    def rate(num: str) -> pl.Expr:
        return pl.col(num) / pl.when(sent > 0).then(sent)

    no_delivery = pl.lit(None, dtype=pl.Float64)
    result = (
        attempted.join(out, on="template", how="left")
        .join(per_day, on="template", how="left")
        .select(
            "template",
            sent.alias("sent"),
            "failed",
            pl.col("recipients").fill_null(0),
            pl.col("max_per_user_day").fill_null(0),
            pl.col("duplicates").fill_null(0),
            duplicate_rate=rate("duplicates"),
            read_rate=rate("n_read"),
            archive_rate=rate("n_archived"),
            archived_unread_rate=rate("n_archived_unread"),
            star_rate=rate("n_starred"),
            cta_click_rate=pl.lit(None, dtype=pl.Float64),  # the generated logs carry no CTAs
            expiry_coverage=rate("n_with_expiry"),
            expired_unread_rate=pl.col("n_expired_unread")
            / pl.when(pl.col("n_expired") > 0).then(pl.col("n_expired")),
            stale_unread_rate=rate("n_stale"),
            failure_rate=pl.col("failed") / pl.col("attempted"),
            retry_rate=pl.col("retried") / pl.col("attempted"),
            max_attempts="max_attempts",
            severities="severities",
            scopes="scopes",
            metadata_invalid_rate=rate("n_invalid"),
            metadata_drift_rate=rate("n_drift"),
            delivery_rate=rate("n_delivered") if has_delivered else no_delivery,
            delivery_p50_s="delivery_p50_s" if has_delivered else no_delivery,
            delivery_p95_s="delivery_p95_s" if has_delivered else no_delivery,
        )
        .sort("template")
    )
    return _engine(result)


def records(df: pl.DataFrame) -> list[dict[str, Any]]:
    """JSON-ready rows (Python ints, floats, lists and None), in COLUMNS order."""
    return [{k: row[k] for k in COLUMNS} for row in df.select(COLUMNS).to_dicts()]


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
