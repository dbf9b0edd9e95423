"""Ingest: every input shape, alias, compression and timestamp form, on tiny files whose
expected rows are written out here."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest
from template_noise import db
from template_noise.errors import InputError, SchemaError
from template_noise.ingest import ingest

T = datetime.fromisoformat


def write_jsonl(path: Path, rows: list[Any]) -> Path:
    lines = [r if isinstance(r, str) else json.dumps(r) for r in rows]
    data = ("\n".join(lines) + "\n").encode()
    path.write_bytes(gzip.compress(data, mtime=0) if path.suffix == ".gz" else data)
    return path


def rows(con: duckdb.DuckDBPyConnection, cols: str, where: str = "true") -> list[tuple[Any, ...]]:
    return con.execute(
        f"SELECT {cols} FROM events WHERE {where} ORDER BY occurred_at, event_type, notification_id"
    ).fetchall()


SENT = {
    "event_type": "sent",
    "occurred_at": "2026-03-01T10:00:00Z",
    "notification_id": "n1",
    "user_id": "u1",
    "template": "password_changed",
    "title": "Password changed",
    "body": "Your password was changed.",
    "severity": "info",
    "metadata": {"ip": "203.0.113.7", "device": "mac"},
    "expires_hours": 24,
}
READ = {
    "event_type": "read",
    "occurred_at": "2026-03-01T10:05:00Z",
    "notification_id": "n1",
    "user_id": "u1",
}


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    return db.connect()


def test_jsonl_event_log(tmp_path: Path, con: duckdb.DuckDBPyConnection) -> None:
    report = ingest(con, [write_jsonl(tmp_path / "log.jsonl", [SENT, READ])])
    assert (report.events_loaded, report.events_already_present, report.rejected) == (2, 0, 0)
    assert rows(
        con,
        "event_type, occurred_at, notification_id, user_id, template, severity, "
        "expires_hours, metadata->>'$.ip', source_line",
    ) == [
        (
            "sent",
            T("2026-03-01 10:00:00"),
            "n1",
            "u1",
            "password_changed",
            "info",
            24.0,
            "203.0.113.7",
            1,
        ),
        ("read", T("2026-03-01 10:05:00"), "n1", "u1", None, None, None, None, 2),
    ]


@pytest.mark.parametrize("name", ["log.jsonl", "log.ndjson", "log.jsonl.gz", "log.ndjson.gz"])
def test_json_lines_extensions_and_gzip(
    tmp_path: Path, con: duckdb.DuckDBPyConnection, name: str
) -> None:
    report = ingest(con, [write_jsonl(tmp_path / name, [SENT, READ])])
    assert report.events_loaded == 2
    assert rows(con, "event_type, notification_id") == [("sent", "n1"), ("read", "n1")]


CSV = (
    "event_type,occurred_at,notification_id,user_id,title,body,severity,metadata,ctas\n"
    'sent,2026-03-01 10:00:00,n1,u1,"Invite accepted, welcome","Ann joined ""Ops""",SUCCESS,'
    '"{""workspace"": ""ops"", ""by"": ""ann""}","[{""label"": ""Open"", ""payload"": ""/ws""}]"\n'
    "read,2026-03-01 10:01:00,n1,u1,,,,,\n"
)


@pytest.mark.parametrize("gz", [False, True])
def test_csv_event_log_with_json_text_fields(
    tmp_path: Path, con: duckdb.DuckDBPyConnection, gz: bool
) -> None:
    path = tmp_path / ("log.csv.gz" if gz else "log.csv")
    path.write_bytes(gzip.compress(CSV.encode()) if gz else CSV.encode())
    report = ingest(con, [path])
    assert (report.events_loaded, report.rejected) == (2, 0)
    assert rows(
        con,
        "event_type, title, body, severity, metadata->>'$.workspace', "
        "json_extract_string(ctas, '$[0].payload'), cta_count, template, source_line",
    ) == [
        (
            "sent",
            "Invite accepted, welcome",
            'Ann joined "Ops"',
            "success",
            "ops",
            "/ws",
            1,
            "Invite accepted, welcome",
            2,
        ),
        ("read", None, None, None, None, None, 0, None, 3),
    ]


def test_parquet_with_nested_values_and_typed_timestamps(
    tmp_path: Path, con: duckdb.DuckDBPyConnection
) -> None:
    path = tmp_path / "log.parquet"
    duckdb.sql(
        "COPY (SELECT * FROM (VALUES "
        "('sent', TIMESTAMP '2026-03-01 10:00:00', 'n1', 'u1', 'API key revoked', 'Key k1 revoked',"
        " {'key_id': 'k1'}, [{'label': 'Review', 'payload': '/keys'}]),"
        "('read', TIMESTAMP '2026-03-01 11:00:00', 'n1', 'u1', NULL, NULL, NULL, NULL)"
        ") v(event_type, occurred_at, notification_id, user_id, title, body, metadata, ctas))"
        f" TO '{path}' (FORMAT parquet)"
    )
    report = ingest(con, [path])
    assert report.events_loaded == 2
    assert rows(
        con,
        "event_type, occurred_at, metadata->>'$.key_id', "
        "json_extract_string(ctas, '$[0].label'), template, source_line",
    ) == [
        ("sent", T("2026-03-01 10:00:00"), "k1", "Review", "API key revoked", 1),
        ("read", T("2026-03-01 11:00:00"), None, None, None, 2),
    ]


def test_parquet_gz_and_epoch_ms_column(tmp_path: Path, con: duckdb.DuckDBPyConnection) -> None:
    path = tmp_path / "log.parquet"
    duckdb.sql(
        "COPY (SELECT 'sent' AS event_type, 1772359200000 AS occurred_at, 'n1' AS notification_id,"
        f" 'u1' AS user_id, 'MFA enabled' AS title) TO '{path}' (FORMAT parquet)"
    )
    gz = tmp_path / "log.parquet.gz"
    gz.write_bytes(gzip.compress(path.read_bytes()))
    with pytest.raises(InputError, match=r"log\.parquet\.gz"):
        # DuckDB reads Parquet by seeking, which gzip does not allow: say so clearly.
        ingest(con, [gz])
    ingest(con, [path])
    assert rows(con, "occurred_at") == [(T("2026-03-01 10:00:00"),)]


@pytest.mark.parametrize(
    ("text", "utc"),
    [
        ("2026-03-01T10:00:00Z", "2026-03-01 10:00:00"),
        ("2026-03-01T10:00:00+02:00", "2026-03-01 08:00:00"),
        ("2026-03-01T10:00:00.250-05:30", "2026-03-01 15:30:00.250"),
        ("2026-03-01T10:00:00", "2026-03-01 10:00:00"),
        ("2026-03-01 10:00:00", "2026-03-01 10:00:00"),
        ("2026-03-01 10:00:00+00", "2026-03-01 10:00:00"),
        (1772359200000, "2026-03-01 10:00:00"),
        ("1772359200000", "2026-03-01 10:00:00"),
    ],
)
def test_timestamp_forms_are_stored_in_utc(
    tmp_path: Path, con: duckdb.DuckDBPyConnection, text: object, utc: str
) -> None:
    ingest(con, [write_jsonl(tmp_path / "t.jsonl", [{**SENT, "occurred_at": text}])])
    assert rows(con, "occurred_at") == [(T(utc),)]


def test_aliases(tmp_path: Path, con: duckdb.DuckDBPyConnection) -> None:
    base = {k: v for k, v in SENT.items() if k not in ("expires_hours", "template")}
    log = [
        {**base, "notification_id": "a", "expires_in_hours": 48},
        {**base, "notification_id": "b", "expires_at": "2026-03-02T10:00:00+01:00"},
        {**base, "notification_id": "c", "action_url": "/hooks", "action_label": "Review"},
        {
            **base,
            "notification_id": "d",
            "ctas": [{"label": "Open", "url": "/x"}],
            "action_url": "/ignored",
        },
        {**base, "notification_id": "e", "metadata": json.dumps({"template": "pw", "a": 1})},
    ]
    ingest(con, [write_jsonl(tmp_path / "a.jsonl", log)])
    got = con.execute(
        "SELECT notification_id, expires_hours, expires_at, used_expires_in_hours,"
        " ctas::VARCHAR, cta_url_alias, action_url_with_ctas, template, template_source"
        " FROM events ORDER BY notification_id"
    ).fetchall()
    title_template = "Password changed"
    assert got == [
        ("a", 48.0, None, True, None, None, False, title_template, "title"),
        ("b", None, T("2026-03-02 09:00:00"), False, None, None, False, title_template, "title"),
        (
            "c",
            None,
            None,
            False,
            '[{"label":"Review","payload":"/hooks"}]',
            None,
            False,
            title_template,
            "title",
        ),
        (
            "d",
            None,
            None,
            False,
            '[{"label":"Open","payload":"/x"}]',
            True,
            True,
            title_template,
            "title",
        ),
        ("e", None, None, False, None, None, False, "pw", "metadata"),
    ]


def test_template_inferred_from_title(tmp_path: Path, con: duckdb.DuckDBPyConnection) -> None:
    titles = {
        "1": "Unknown sign-in from 203.0.113.7",
        "2": "Unknown sign-in from 198.51.100.2",
        "3": "Invite accepted by ann@example.com",
        "4": "Webhook https://example.com/hooks disabled after 12 failures",
        "5": "Automation 'Nightly sync' failed (run 550e8400-e29b-41d4-a716-446655440000)",
        "6": "API key key_9f8a7b revoked",
    }
    log = [{**SENT, "template": None, "notification_id": k, "title": t} for k, t in titles.items()]
    ingest(con, [write_jsonl(tmp_path / "t.jsonl", log)])
    got = dict(con.execute("SELECT notification_id, template FROM events").fetchall())
    assert got == {
        "1": "Unknown sign-in from {ip}",
        "2": "Unknown sign-in from {ip}",
        "3": "Invite accepted by {email}",
        "4": "Webhook {url} disabled after {n} failures",
        "5": "Automation {q} failed (run {uuid})",
        "6": "API key {id} revoked",
    }


def test_fingerprint_ignores_metadata_key_order_but_not_values(
    tmp_path: Path, con: duckdb.DuckDBPyConnection
) -> None:
    log = [
        {**SENT, "notification_id": "a", "metadata": {"x": 1, "y": {"p": 1, "q": [1, 2]}}},
        {**SENT, "notification_id": "b", "metadata": '{"y": {"q": [1, 2], "p": 1}, "x": 1}'},
        {**SENT, "notification_id": "c", "metadata": {"x": 1, "y": {"p": 1, "q": [2, 1]}}},
        {**SENT, "notification_id": "d", "metadata": {"x": 1}, "dedup_key": "evt-1"},
        {**SENT, "notification_id": "e", "metadata": {"x": 2}, "dedup_key": "evt-1"},
    ]
    ingest(con, [write_jsonl(tmp_path / "f.jsonl", log)])
    fp = dict(con.execute("SELECT notification_id, fingerprint FROM events").fetchall())
    assert fp["a"] == fp["b"]
    assert fp["a"] != fp["c"]
    assert fp["d"] == fp["e"] != fp["a"]


def test_snapshot_rows_become_events(tmp_path: Path, con: duckdb.DuckDBPyConnection) -> None:
    log = [
        {
            "id": "n1",
            "user_id": "u1",
            "title": "Role changed",
            "body": "You are admin",
            "created_at": "2026-03-01T10:00:00Z",
            "read_at": "2026-03-01T11:00:00Z",
            "archived_at": "2026-03-02T09:00:00Z",
            "starred_at": None,
            "clicked_at": None,
        },
        # Wacht's own rows: booleans without times, plus columns the tool does not use.
        {
            "id": "n2",
            "deployment_id": "d1",
            "organization_id": "o1",
            "title": "Role changed",
            "body": "x",
            "severity": "info",
            "created_at": "2026-03-01T12:00:00Z",
            "updated_at": "2026-03-01T12:30:00Z",
            "expires_at": "2026-05-30T12:00:00Z",
            "is_read": False,
            "is_archived": True,
            "is_starred": "true",
        },
    ]
    report = ingest(con, [write_jsonl(tmp_path / "snap.jsonl", log)])
    assert report.rejected == 0
    assert rows(
        con, "event_type, occurred_at, notification_id, user_id, organization_id, expires_at"
    ) == [
        ("sent", T("2026-03-01 10:00:00"), "n1", "u1", None, None),
        ("read", T("2026-03-01 11:00:00"), "n1", "u1", None, None),
        ("archived", T("2026-03-01 12:00:00"), "n2", None, "o1", None),
        ("sent", T("2026-03-01 12:00:00"), "n2", None, "o1", T("2026-05-30 12:00:00")),
        ("starred", T("2026-03-01 12:00:00"), "n2", None, "o1", None),
        ("archived", T("2026-03-02 09:00:00"), "n1", "u1", None, None),
    ]


def test_snapshot_equals_the_event_log_it_was_made_from(
    tmp_path: Path, con: duckdb.DuckDBPyConnection
) -> None:
    log = [
        SENT,
        READ,
        {**READ, "event_type": "unread", "occurred_at": "2026-03-01T10:06:00Z"},
        {**READ, "event_type": "read", "occurred_at": "2026-03-01T10:07:00Z"},
        {**READ, "event_type": "archived", "occurred_at": "2026-03-01T12:00:00Z"},
        {**SENT, "notification_id": "n2", "occurred_at": "2026-03-01T11:00:00Z"},
        {
            **READ,
            "notification_id": "n2",
            "event_type": "starred",
            "occurred_at": "2026-03-01T11:30:00Z",
        },
        {
            **READ,
            "notification_id": "n2",
            "event_type": "clicked",
            "occurred_at": "2026-03-01T11:31:00Z",
        },
    ]
    ingest(con, [write_jsonl(tmp_path / "log.jsonl", log)])
    # The export Wacht would hold for that log: one row per notification, earliest times.
    snap = tmp_path / "snapshot.csv"
    con.execute(f"""
        COPY (
            SELECT s.notification_id AS id, s.user_id, s.template, s.title, s.body, s.severity,
                   s.metadata, s.expires_hours,
                   strftime(s.occurred_at, '%Y-%m-%dT%H:%M:%SZ') AS created_at,
                   strftime(min(e.occurred_at) FILTER (e.event_type = 'read'), '%Y-%m-%dT%H:%M:%SZ') AS read_at,
                   strftime(min(e.occurred_at) FILTER (e.event_type = 'archived'), '%Y-%m-%dT%H:%M:%SZ') AS archived_at,
                   strftime(min(e.occurred_at) FILTER (e.event_type = 'starred'), '%Y-%m-%dT%H:%M:%SZ') AS starred_at,
                   strftime(min(e.occurred_at) FILTER (e.event_type = 'clicked'), '%Y-%m-%dT%H:%M:%SZ') AS clicked_at
            FROM events s JOIN events e USING (notification_id)
            WHERE s.event_type = 'sent'
            GROUP BY ALL
        ) TO '{snap}' (HEADER)""")
    wanted = (
        "event_type IN ('sent', 'read', 'archived', 'starred', 'clicked') AND NOT EXISTS ("
        "SELECT 1 FROM events f WHERE f.notification_id = events.notification_id "
        "AND f.event_type = events.event_type AND f.occurred_at < events.occurred_at)"
    )
    cols = "event_type, occurred_at, notification_id, user_id, template, title, body, metadata::VARCHAR, fingerprint"
    from_log = rows(con, cols, wanted)
    con2 = db.connect()
    ingest(con2, [snap])
    assert rows(con2, cols) == from_log
    assert len(from_log) == 6


def test_directory_glob_and_mixed_shapes(tmp_path: Path, con: duckdb.DuckDBPyConnection) -> None:
    d = tmp_path / "logs"
    (d / "sub").mkdir(parents=True)
    write_jsonl(d / "a.jsonl", [SENT])
    (d / "sub" / "b.csv").write_text(
        "event_type,occurred_at,notification_id,user_id\nread,2026-03-01T10:05:00Z,n1,u1\n"
    )
    write_jsonl(
        d / "c.jsonl.gz",
        [
            {
                "id": "n9",
                "user_id": "u2",
                "title": "MFA disabled",
                "created_at": "2026-03-01T09:00:00Z",
            }
        ],
    )
    (d / "notes.txt").write_text("not a log")
    report = ingest(con, [d])
    assert [Path(f.file).name for f in report.files] == ["a.jsonl", "c.jsonl.gz", "b.csv"]
    assert report.events_loaded == 3
    con2 = db.connect()
    assert ingest(con2, [str(d / "**" / "*.csv")]).events_loaded == 1


def test_loading_twice_adds_nothing_and_order_does_not_matter(tmp_path: Path) -> None:
    a = write_jsonl(tmp_path / "a.jsonl", [SENT, READ, {**READ, "event_id": "e-read"}])
    b = write_jsonl(tmp_path / "b.jsonl", [READ, {**SENT, "notification_id": "n2"}])
    con1 = db.connect()
    first = ingest(con1, [a, b])
    assert (first.events_loaded, first.events_already_present) == (4, 1)
    again = ingest(con1, [a, b])
    assert (again.events_loaded, again.events_already_present, again.rejected) == (0, 5, 0)
    con2 = db.connect()
    ingest(con2, [b])
    ingest(con2, [a])
    content = "event_id, event_type, occurred_at, notification_id, user_id, template, fingerprint"
    q = f"SELECT {content} FROM events ORDER BY event_id"
    assert con1.execute(q).fetchall() == con2.execute(q).fetchall()
    assert con1.execute("SELECT count(*) FROM events").fetchone() == (4,)


def test_repeats_keep_the_first_file_and_line_whichever_side_is_smaller(tmp_path: Path) -> None:
    # load 1 stores e1, e2. Load 2 (6 events, more than the 2 stored) repeats e2 and holds
    # e3 twice: x.jsonl line 2 keeps it over y.jsonl line 1. Load 3 (2 events, fewer than
    # the 6 stored) repeats e1. Each load hashes the smaller side's ids.
    def ev(event_id: str, n: str, title: str = "Password changed") -> dict[str, Any]:
        return {**SENT, "event_id": event_id, "notification_id": n, "title": title}

    con = db.connect()
    ingest(con, [write_jsonl(tmp_path / "s.jsonl", [ev("e1", "n1"), {**READ, "event_id": "e2"}])])
    x = write_jsonl(tmp_path / "x.jsonl", [{**READ, "event_id": "e2"}, ev("e3", "n3", "first")])
    y = write_jsonl(
        tmp_path / "y.jsonl",
        [ev("e3", "n3", "second"), ev("e4", "n4"), ev("e5", "n5"), ev("e6", "n6")],
    )
    second = ingest(con, [x, y])
    got = [(f.events_loaded, f.events_already_present) for f in second.files]
    assert got == [(1, 1), (3, 1)]
    assert rows(con, "title, source_line", "event_id = 'e3'") == [("first", 2)]
    third = ingest(con, [write_jsonl(tmp_path / "z.jsonl", [ev("e1", "n1"), ev("e7", "n7")])])
    assert (third.events_loaded, third.events_already_present) == (1, 1)
    assert con.execute("SELECT count(*), count(DISTINCT event_id) FROM events").fetchone() == (7, 7)
    assert con.execute("SELECT count(*) FROM notification_state").fetchone() == (6,)


def test_identical_rows_without_event_id_are_one_event(
    tmp_path: Path, con: duckdb.DuckDBPyConnection
) -> None:
    report = ingest(con, [write_jsonl(tmp_path / "d.jsonl", [READ, READ, SENT])])
    assert (report.events_loaded, report.events_already_present) == (2, 1)


def test_bad_lines_are_rejected_and_good_lines_around_them_load(
    tmp_path: Path, con: duckdb.DuckDBPyConnection
) -> None:
    log = [
        SENT,
        '{"event_type": "read", "occurred_at": ',
        {**READ, "event_type": "bounced"},
        {**READ, "occurred_at": "yesterday"},
        {k: v for k, v in READ.items() if k != "occurred_at"},
        {**SENT, "notification_id": None},
        {**SENT, "user_id": None},
        {**SENT, "expires_hours": "soon"},
        {**SENT, "attempt": 0},
        {**READ, "occurred_at": "0000-01-01T00:00:00Z"},
        "[1, 2]",
        {"title": "no type, no time"},
        READ,
    ]
    report = ingest(con, [write_jsonl(tmp_path / "bad.jsonl", log)])
    assert [(r.line, r.column, r.reason) for r in report.rejects] == [
        (2, None, "invalid JSON"),
        (3, "event_type", "unknown event_type 'bounced'"),
        (4, "occurred_at", "bad timestamp 'yesterday'"),
        (5, "occurred_at", "missing required column"),
        (6, "notification_id", "missing required column"),
        (7, "user_id", "missing recipient (user_id, organization_id or workspace_id)"),
        (8, "expires_hours", "not a number of hours in [0, 876000] 'soon'"),
        (9, "attempt", "not a positive integer '0'"),
        (10, "occurred_at", "timestamp out of range '0000-01-01T00:00:00Z'"),
        (11, None, "not a JSON object"),
        (12, "event_type", "missing required column"),
    ]
    assert rows(con, "source_line") == [(1,), (13,)]
    stored = con.execute(
        'SELECT file, line, "column", reason FROM rejects ORDER BY line'
    ).fetchall()
    assert len(stored) == 11 and stored[0] == (str(tmp_path / "bad.jsonl"), 2, None, "invalid JSON")
    assert ingest(con, [tmp_path / "bad.jsonl"]).rejected == 11
    assert con.execute("SELECT count(*) FROM rejects").fetchone() == (11,), "rejects are idempotent"


def test_csv_structural_rejects_keep_line_numbers(
    tmp_path: Path, con: duckdb.DuckDBPyConnection
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(
        "event_type,occurred_at,notification_id,user_id\n"
        "read,2026-03-01T10:00:00Z,n1,u1\n"
        "read,2026-03-01T10:01:00Z,n2\n"
        "read,2026-03-01T10:02:00Z,n3,u3,extra\n"
        "read,2026-03-01T10:03:00Z,n4,u4\n"
    )
    report = ingest(con, [path])
    assert [(r.line, r.reason) for r in report.rejects] == [
        (3, "fewer fields than the header"),
        (4, "more fields than the header"),
    ]
    assert rows(con, "notification_id, source_line") == [("n1", 2), ("n4", 5)]


def test_csv_without_event_type_column_rejects_every_row(
    tmp_path: Path, con: duckdb.DuckDBPyConnection
) -> None:
    path = tmp_path / "nocol.csv"
    path.write_text(
        "occurred_at,notification_id\n2026-03-01T10:00:00Z,n1\n2026-03-01T10:00:00Z,n2\n"
    )
    report = ingest(con, [path])
    assert [(r.line, r.column, r.reason) for r in report.rejects] == [
        (2, "event_type", "missing required column"),
        (3, "event_type", "missing required column"),
    ]


def test_unreadable_file_is_one_clear_error_and_loads_nothing(
    tmp_path: Path, con: duckdb.DuckDBPyConnection
) -> None:
    good = write_jsonl(tmp_path / "good.jsonl", [SENT])
    broken = tmp_path / "broken.parquet"
    broken.write_bytes(b"PAR1 this is not parquet")
    with pytest.raises(InputError, match=r"broken\.parquet: cannot read file"):
        ingest(con, [good, broken])
    assert con.execute("SELECT count(*) FROM events").fetchone() == (0,)
    with pytest.raises(InputError, match=r"missing\.jsonl: no such file"):
        ingest(con, [tmp_path / "missing.jsonl"])
    with pytest.raises(InputError, match=r"notes\.txt: unknown file type"):
        (tmp_path / "notes.txt").write_text("x")
        ingest(con, [tmp_path / "notes.txt"])


def test_database_file_carries_schema_version(tmp_path: Path) -> None:
    path = tmp_path / "tn.duckdb"
    con = db.connect(path)
    ingest(con, [write_jsonl(tmp_path / "a.jsonl", [SENT])])
    con.close()
    con = db.connect(path)
    assert db.schema_version(con) == db.SCHEMA_VERSION
    assert con.execute("SELECT count(*) FROM events").fetchone() == (1,)
    con.execute("UPDATE meta SET value = '999' WHERE key = 'schema_version'")
    con.close()
    with pytest.raises(SchemaError, match="999"):
        db.connect(path)


def test_cli_ingest_json_report_and_exit_codes(tmp_path: Path) -> None:
    exe = [sys.executable, "-m", "template_noise.cli"]
    log = write_jsonl(tmp_path / "a.jsonl", [SENT, READ, "{oops"])
    dbfile = tmp_path / "tn.duckdb"
    out = subprocess.run(
        [*exe, "ingest", str(log), "--db", str(dbfile), "--format", "json"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(out.stdout) | {"per_file": None} == {
        "files": [str(log)],
        "events_loaded": 2,
        "events_already_present": 0,
        "rejected": 1,
        "rejects": [{"file": str(log), "line": 3, "column": None, "reason": "invalid JSON"}],
        "per_file": None,
        "template_merges": [],  # inferred templates this load merged: none here
        "config_names_merged": [],
    }
    again = subprocess.run(
        [*exe, "ingest", str(log), "--db", str(dbfile)], capture_output=True, text=True, check=True
    )
    assert "total: 0 events loaded, 2 already present, 1 rejected" in again.stdout
    bad = subprocess.run(
        [*exe, "ingest", str(tmp_path / "nope.csv")], capture_output=True, text=True
    )
    assert bad.returncode == 2
    assert bad.stderr.strip().splitlines() == [
        f"template-noise: {tmp_path / 'nope.csv'}: no such file or directory"
    ]
