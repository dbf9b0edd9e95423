"""Rejects are keyed by the content of their file, and loads keep the names users gave.

The same line of the same file content is one reject, whatever path brought it (an upload
lands at a new temporary path each time); a changed file adds its own. Every count here can
be checked by reading the three-line files below.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from template_noise import db
from template_noise.errors import InputError
from template_noise.ingest import ingest
from template_noise.queries import execute

GOOD = (
    '{"event_type": "sent", "occurred_at": "2024-01-01T00:00:00Z", "notification_id": "n1",'
    ' "user_id": "u1", "template": "t", "title": "t", "body": "b"}\n'
)
BAD = GOOD + "{this is not json\n" + '{"event_type": "bounced", "occurred_at": "2024-01-01"}\n'


def rejects(con: duckdb.DuckDBPyConnection) -> list[tuple[str, int]]:
    return con.execute("SELECT file, line FROM rejects ORDER BY file, line, load_id").fetchall()


def copy(tmp_path: Path, folder: str, text: str, name: str = "log.jsonl") -> Path:
    """The file as an upload leaves it: the same name under a new temporary folder."""
    path = tmp_path / folder / name
    path.parent.mkdir()
    path.write_text(text, encoding="utf-8")
    return path


def test_the_same_file_twice_keeps_its_rejects_once(tmp_path: Path) -> None:
    con = db.connect(None)
    path = copy(tmp_path, "a", BAD)
    assert ingest(con, [path]).rejected == 2  # lines 2 and 3
    assert ingest(con, [path]).rejected == 2  # the report still says what the file holds
    assert rejects(con) == [(str(path), 2), (str(path), 3)]


def test_the_same_content_under_another_path_adds_no_reject(tmp_path: Path) -> None:
    con = db.connect(None)
    first, second = copy(tmp_path, "upload-1", BAD), copy(tmp_path, "upload-2", BAD)
    ingest(con, [first], names={str(first): "log.jsonl"})
    ingest(con, [second], names={str(second): "log.jsonl"})
    assert rejects(con) == [("log.jsonl", 2), ("log.jsonl", 3)]  # 2, not 4
    # Both at once (one upload holding the same file twice): still one each.
    con = db.connect(None)
    ingest(con, [first, second])
    assert len(rejects(con)) == 2


def test_a_changed_file_adds_its_own_rejects(tmp_path: Path) -> None:
    con = db.connect(None)
    path = copy(tmp_path, "a", BAD)
    ingest(con, [path])
    # The same path, one more bad line: its three bad lines are a new content's rejects.
    path.write_text(BAD + "not json either\n", encoding="utf-8")
    assert ingest(con, [path]).rejected == 3
    assert [line for _, line in rejects(con)] == [2, 2, 3, 3, 4]


def test_uploads_are_recorded_under_their_names(tmp_path: Path) -> None:
    con = db.connect(None)
    path = copy(tmp_path, "tmp-xyz", BAD, name="upload.jsonl")
    report = ingest(con, [path], names={str(path): "october.jsonl"})
    assert [f.file for f in report.files] == ["october.jsonl"]
    assert {r.file for r in report.rejects} == {"october.jsonl"}
    assert con.execute("SELECT files FROM loads").fetchall() == [(["october.jsonl"],)]
    assert con.execute("SELECT DISTINCT source_file FROM events").fetchall() == [("october.jsonl",)]
    assert {f for f, _ in rejects(con)} == {"october.jsonl"}


def test_an_unreadable_upload_is_named_by_its_name(tmp_path: Path) -> None:
    path = tmp_path / "tmp-xyz" / "broken.parquet"
    path.parent.mkdir()
    path.write_bytes(b"not parquet at all")
    with pytest.raises(InputError) as e:
        ingest(db.connect(None), [path], names={str(path): "broken.parquet"})
    assert str(e.value).startswith("broken.parquet: cannot read file")
    assert "tmp-xyz" not in str(e.value)


def test_a_version_2_database_keeps_its_rejects_and_stays_idempotent(tmp_path: Path) -> None:
    # A database written before rejects had a content hash: its rejects stay, and loading
    # the same file again adds none (they still match by file, line and reason).
    log = copy(tmp_path, "a", BAD)
    path = tmp_path / "v2.duckdb"
    con = db.connect(path)
    ingest(con, [log])
    con.execute("ALTER TABLE rejects DROP COLUMN content_hash")
    execute(con, "store/schema_version_set", version="2")
    con.close()
    con = db.connect(path)
    assert db.schema_version(con) == db.SCHEMA_VERSION
    assert con.execute("SELECT count(*) FROM rejects WHERE content_hash IS NULL").fetchone() == (2,)
    ingest(con, [log])
    assert rejects(con) == [(str(log), 2), (str(log), 3)]
