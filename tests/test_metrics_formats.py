"""The metrics do not depend on the file format the log came in.

The JSON Lines log is converted with DuckDB COPY to CSV and Parquet (every value kept as
text, metadata and ctas as JSON) and, from the loaded events, to a snapshot export (one
row per notification, engagement as timestamps and booleans).
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from events_fixture import config, rich_log, write_jsonl
from template_noise import db
from template_noise.filters import Filters
from template_noise.ingest import ingest
from template_noise.metrics import compute_metrics, resolve_as_of

SAMPLE = Path(__file__).parent.parent / "sample_data" / "notifications.jsonl"
JSON_FIELDS = ("metadata", "ctas")
# What a snapshot can carry: no send failures, retries, deliveries or unread events.
SNAPSHOT_METRICS = [
    "template", "sent", "recipients", "max_per_user_day", "duplicates", "duplicate_rate",
    "read_rate", "archive_rate", "archived_unread_rate", "star_rate", "cta_click_rate",
    "expiry_coverage", "expired_unread_rate", "stale_unread_rate", "severities", "scopes",
    "metadata_invalid_rate", "metadata_drift_rate",
]  # fmt: skip


@pytest.fixture(params=["small", "sample"])
def log(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    if request.param == "small":
        return write_jsonl(tmp_path / "log.jsonl", rich_log())
    if not SAMPLE.is_file():
        pytest.skip("no bundled sample")
    return SAMPLE


def objects(src: Path) -> list[dict[str, object]]:
    """The lines of src that are JSON objects (a broken line is a reject in every format)."""
    out = []
    for line in src.read_text(encoding="utf-8").splitlines():
        try:
            doc = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(doc, dict):
            out.append(doc)
    return out


def convert(src: Path, dest: Path, options: str) -> Path:
    """src (JSON Lines) -> dest via COPY; every field text, metadata/ctas as JSON."""
    docs = objects(src)
    clean = write_jsonl(dest.with_suffix(".clean.jsonl"), docs)
    columns = {k: "JSON" if k in JSON_FIELDS else "VARCHAR" for k in sorted(set().union(*docs))}
    con = duckdb.connect()
    # Test-only SQL; the column map must be a literal for read_json.
    con.execute(
        f"COPY (SELECT * FROM read_json(?, format = 'newline_delimited', columns = {columns!r})) "
        f"TO '{dest}' ({options})",
        [str(clean)],
    )
    return dest


def metrics_of(paths: list[Path], filters: Filters) -> pd.DataFrame:
    con = db.connect(None)
    ingest(con, paths)
    return compute_metrics(con, filters, config())


def test_csv_and_parquet_give_the_same_metrics(log: Path, tmp_path: Path) -> None:
    expected = metrics_of([log], Filters())
    assert len(expected) >= 3
    csv = convert(log, tmp_path / "log.csv", "HEADER, DELIMITER ','")
    parquet = convert(log, tmp_path / "log.parquet", "FORMAT PARQUET")
    for path in (csv, parquet):
        got = metrics_of([path], Filters())
        pd.testing.assert_frame_equal(got, expected, check_exact=False, obj=path.name)


def snapshot(log: Path, dest: Path) -> Path:
    """The notifications table an app would export: one row per notification."""
    con = db.connect(None)
    ingest(con, [log])
    con.execute(
        f"""
        COPY (
            WITH first_sent AS (
                SELECT * FROM events WHERE event_type = 'sent'
                QUALIFY row_number() OVER (PARTITION BY notification_id
                                           ORDER BY occurred_at, event_id) = 1
            ),
            engagement AS (
                SELECT notification_id,
                       min(occurred_at) FILTER (event_type = 'read') AS read_at,
                       min(occurred_at) FILTER (event_type = 'archived') AS archived_at,
                       min(occurred_at) FILTER (event_type = 'starred') AS starred_at,
                       min(occurred_at) FILTER (event_type = 'clicked') AS clicked_at
                FROM events GROUP BY notification_id
            )
            SELECT s.notification_id AS id, s.user_id, s.organization_id, s.workspace_id,
                   s.template, s.title, s.body, s.severity, s.ctas, s.metadata,
                   s.expires_hours, s.expires_at, s.dedup_key, s.occurred_at AS created_at,
                   e.read_at, e.archived_at, e.starred_at, e.clicked_at,
                   e.read_at IS NOT NULL AS is_read, e.archived_at IS NOT NULL AS is_archived,
                   e.starred_at IS NOT NULL AS is_starred,
                   'dep_1' AS deployment_id, s.occurred_at AS updated_at
            FROM first_sent s LEFT JOIN engagement e USING (notification_id)
        ) TO '{dest}' (FORMAT JSON)
        """
    )
    return dest


def test_snapshot_export_gives_the_same_metrics(log: Path, tmp_path: Path) -> None:
    con = db.connect(None)
    ingest(con, [log])
    as_of = resolve_as_of(con, Filters(), config())
    filters = Filters(as_of=as_of)  # a snapshot has no later events to set as_of by
    expected = metrics_of([log], filters)
    got = metrics_of([snapshot(log, tmp_path / "snapshot.jsonl")], filters)
    expected = expected[expected["sent"] > 0][SNAPSHOT_METRICS].sort_values("template")
    got = got[SNAPSHOT_METRICS].sort_values("template")
    pd.testing.assert_frame_equal(
        got.reset_index(drop=True), expected.reset_index(drop=True), check_exact=False
    )
