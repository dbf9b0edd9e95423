"""Tamper-evident sign-offs: a hash chain over the rows, `template-noise signoffs verify`
names every row edited or deleted behind the tool's back, and `signoffs list` shows them.

The tampering is done the way an insider would: plain SQL on the database file.
"""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest
from events_fixture import sent, write_jsonl
from template_noise import db, signoff
from template_noise.ingest import ingest

RESULT = {"status": "pass", "items": [{"id": "inbox_flows", "status": "pass", "rate": 0.25}]}


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "template_noise.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def signed(tmp_path: Path) -> Path:
    """A database file with a small log and five sign-offs, #1 to #5."""
    path = tmp_path / "signed.duckdb"
    con = db.connect(path)
    ingest(con, [write_jsonl(tmp_path / "log.jsonl", [sent(f"n{i}", i) for i in range(3)])])
    for i in range(5):
        signoff.record(
            con,
            name=f"Signer {i}",
            role="release owner",
            result=RESULT,
            notes=f"note {i} = fine",
            waivers={"realtime_reconnection": "checked by hand"} if i == 2 else None,
            signed_at=datetime(2026, 11, 1, 9, i, 30, 123456, tzinfo=UTC),
        )
    con.close()
    return path


def _sql(path: Path, statement: str) -> None:
    con = duckdb.connect(str(path))
    try:
        con.execute(statement)
    finally:
        con.close()


def _verify(path: Path, *extra: str) -> tuple[int, str]:
    done = _cli("signoffs", "verify", "--db", str(path), *extra)
    assert not done.stderr.strip() or done.returncode == 2, done.stderr
    return done.returncode, done.stdout


def test_each_row_chains_to_the_one_before(signed: Path) -> None:
    con = db.connect(signed, read_only=True)
    rows = sorted(signoff.history(con), key=lambda s: s.signoff_id)
    assert [s.signoff_id for s in rows] == [1, 2, 3, 4, 5]
    assert rows[0].prev_hash == signoff.GENESIS
    for before, after in itertools.pairwise(rows):
        assert after.prev_hash == before.row_hash
    assert len({s.row_hash for s in rows}) == 5
    report = signoff.verify(con)
    assert report.intact and report.rows == 5 and report.head == rows[-1].row_hash


def test_intact_chain_exits_0(signed: Path) -> None:
    code, out = _verify(signed)
    assert code == 0, out
    assert out.startswith("intact: 5 sign-off(s)")


def test_edited_notes_are_named(signed: Path) -> None:
    _sql(signed, "UPDATE signoffs SET notes = 'all good, trust me' WHERE signoff_id = 3")
    code, out = _verify(signed)
    assert code == 1
    assert "TAMPERED: sign-off(s) #3" in out and "edited: #3" in out
    assert "#2" not in out.splitlines()[0] and "#4" not in out.splitlines()[0]


@pytest.mark.parametrize(
    "statement",
    [
        'UPDATE signoffs SET status = \'pass\' , result = \'{"status": "pass", "items": []}\' WHERE signoff_id = 2',
        "UPDATE signoffs SET name = 'Someone Else' WHERE signoff_id = 2",
        "UPDATE signoffs SET signed_at = signed_at - INTERVAL 1 DAY WHERE signoff_id = 2",
        'UPDATE signoffs SET waivers = \'{"noisy_template_monitoring": "x"}\' WHERE signoff_id = 2',
        "UPDATE signoffs SET data_fingerprint = 'other' WHERE signoff_id = 2",
        "UPDATE signoffs SET identity = 'oidc', signer_email = 'ceo@example.com' WHERE signoff_id = 2",
    ],
)
def test_any_edited_column_is_named(signed: Path, statement: str) -> None:
    _sql(signed, statement)
    con = db.connect(signed, read_only=True)
    report = signoff.verify(con)
    assert report.ids == [2], report.problems


def test_a_deleted_middle_row_is_named_as_the_gap(signed: Path) -> None:
    _sql(signed, "DELETE FROM signoffs WHERE signoff_id = 3")
    code, out = _verify(signed)
    assert code == 1
    assert "TAMPERED: sign-off(s) #3" in out
    assert "deleted: #3 missing before #4" in out


def test_a_deleted_first_row_is_named(signed: Path) -> None:
    _sql(signed, "DELETE FROM signoffs WHERE signoff_id = 1")
    report = signoff.verify(db.connect(signed, read_only=True))
    assert report.ids == [1] and report.problems[0].kind == "deleted"


def test_renumbering_after_a_delete_is_still_caught(signed: Path) -> None:
    # Hide the gap: delete #3 and shift #4 and #5 down.
    _sql(signed, "DELETE FROM signoffs WHERE signoff_id = 3")
    _sql(signed, "UPDATE signoffs SET signoff_id = signoff_id - 1 WHERE signoff_id > 3")
    report = signoff.verify(db.connect(signed, read_only=True))
    assert not report.intact
    assert 3 in report.ids  # the row now numbered 3 chains to the old #3, and its id changed


def test_a_rehashed_edit_breaks_the_next_link(signed: Path) -> None:
    # An insider who also recomputes the edited row's hash: the next row no longer chains.
    con = duckdb.connect(str(signed))
    row = con.execute(
        "SELECT signoff_id, signed_at, name, role, status, notes, CAST(waivers AS VARCHAR) AS waivers,"
        " CAST(result AS VARCHAR) AS result, data_fingerprint, signer_email, identity, prev_hash"
        " FROM signoffs WHERE signoff_id = 2"
    ).fetchone()
    assert row is not None
    cols = ["signoff_id", "signed_at", "name", "role", "status", "notes", "waivers", "result",
            "data_fingerprint", "signer_email", "identity", "prev_hash"]  # fmt: skip
    forged = dict(zip(cols, row, strict=True)) | {"notes": "forged"}
    new_hash = signoff.chain_hash(forged["prev_hash"], forged)
    con.execute(
        "UPDATE signoffs SET notes = 'forged', row_hash = ? WHERE signoff_id = 2", [new_hash]
    )
    con.close()
    report = signoff.verify(db.connect(signed, read_only=True))
    assert report.ids == [3] and report.problems[0].kind == "relinked"


def test_a_cut_off_tail_is_caught_with_the_kept_head(signed: Path) -> None:
    head = signoff.verify(db.connect(signed, read_only=True)).head
    assert head
    _sql(signed, "DELETE FROM signoffs WHERE signoff_id = 5")
    code, _ = _verify(signed)
    assert code == 0  # without a kept head a cut-off tail is indistinguishable from no sign-off
    code, out = _verify(signed, "--head", head)
    assert code == 1 and "head_missing" in out


def test_a_row_inserted_without_the_tool_is_named(signed: Path) -> None:
    _sql(
        signed,
        "INSERT INTO signoffs (signoff_id, signed_at, name, role, status, result, data_fingerprint)"
        " VALUES (6, TIMESTAMP '2026-11-02 00:00:00', 'Mallory', 'owner', 'pass', '{}', 'x')",
    )
    code, out = _verify(signed)
    assert code == 1 and "unsealed: #6 has no hash" in out


def test_verify_json(signed: Path) -> None:
    _sql(signed, "DELETE FROM signoffs WHERE signoff_id = 2")
    _sql(signed, "UPDATE signoffs SET role = 'intern' WHERE signoff_id = 4")
    code, out = _verify(signed, "--format", "json")
    doc = json.loads(out)
    assert code == 1 and doc["intact"] is False and doc["signoffs"] == 4
    assert sorted({p["signoff_id"] for p in doc["problems"]}) == [2, 4]


def test_list_shows_every_sign_off_newest_first(signed: Path) -> None:
    done = _cli("signoffs", "list", "--db", str(signed))
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert [line.split()[0] for line in lines] == ["#5", "#4", "#3", "#2", "#1"]
    assert "Signer 4 (release owner, typed)" in lines[0]
    rows = json.loads(_cli("signoffs", "list", "--db", str(signed), "--format", "json").stdout)
    assert rows[2]["waivers"] == {"realtime_reconnection": "checked by hand"}
    assert rows[0]["row_hash"] == signoff.verify(db.connect(signed, read_only=True)).head


def test_verify_usage_errors_exit_2(tmp_path: Path) -> None:
    done = _cli("signoffs", "verify", "--db", str(tmp_path / "missing.duckdb"))
    assert done.returncode == 2 and "no such database file" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_login_identity_is_part_of_the_hash(tmp_path: Path) -> None:
    con = db.connect(tmp_path / "oidc.duckdb")
    stored = signoff.record(
        con, name="Ada Lovelace", role="release owner", result=RESULT,
        email="ada@example.com", identity="oidc",
    )  # fmt: skip
    [back] = signoff.history(con)
    assert (back.email, back.identity, back.row_hash) == (
        "ada@example.com",
        "oidc",
        stored.row_hash,
    )
    assert signoff.verify(con).intact


def test_concurrent_sign_offs_stay_one_chain(tmp_path: Path) -> None:
    # Sessions share one connection in the dashboard; each signs on its own cursor.
    from concurrent.futures import ThreadPoolExecutor

    con = db.connect(tmp_path / "race.duckdb")

    def sign(i: int) -> int:
        cur = con.cursor()
        try:
            return signoff.record(cur, name=f"S{i}", role="r", result=RESULT).signoff_id
        finally:
            cur.close()

    with ThreadPoolExecutor(4) as pool:
        ids = sorted(pool.map(sign, range(8)))
    assert ids == list(range(1, 9))
    assert signoff.verify(con).intact


def test_a_version_1_database_is_migrated_and_chains_from_then_on(tmp_path: Path) -> None:
    from template_noise.queries import execute

    path = tmp_path / "v1.duckdb"
    con = duckdb.connect(str(path))
    execute(con, "store/schema")
    execute(con, "store/schema_version_set", version="1")
    for i in (1, 2):  # sign-offs as version 1 stored them: no hash
        con.execute(
            "INSERT INTO signoffs VALUES (?, TIMESTAMP '2026-10-01 09:00:00', 'Old', 'owner',"
            " NULL, '{}', 'pass', '{}', 'fp')",
            [i],
        )
    con.close()
    con = db.connect(path)
    assert db.schema_version(con) == db.SCHEMA_VERSION  # version 1 -> 2 -> ... -> the latest
    signoff.record(con, name="Ada", role="owner", result=RESULT)
    report = signoff.verify(con)
    assert report.intact and report.legacy == [1, 2] and report.rows == 3
    con.close()
    code, out = _verify(path)
    assert code == 0 and "2 sign-off(s) stored before the chain" in out
    # The chained row is still guarded; a deleted old row still leaves a gap.
    _sql(path, "UPDATE signoffs SET notes = 'x' WHERE signoff_id = 3")
    _sql(path, "DELETE FROM signoffs WHERE signoff_id = 1")
    report = signoff.verify(db.connect(path, read_only=True))
    assert report.ids == [1, 3]


def test_a_version_1_snapshot_that_cannot_be_migrated_still_lists_its_signoffs(
    tmp_path: Path,
) -> None:
    from template_noise.queries import columns, execute

    path = tmp_path / "v1.duckdb"
    con = duckdb.connect(str(path))
    execute(con, "store/schema")
    execute(con, "store/schema_version_set", version="1")
    for i in (1, 2):
        con.execute(
            "INSERT INTO signoffs VALUES (?, TIMESTAMP '2026-10-01 09:00:00', 'Old', 'owner',"
            " NULL, '{}', 'pass', '{}', 'fp')",
            [i],
        )
    con.close()
    frame = signoff.history_frame(db.connect(path, read_only=True))
    assert list(frame.columns) == columns("signoff/history")
    assert frame["signoff_id"].tolist() == [2, 1]
    assert frame["row_hash"].isna().all() and (frame["data_fingerprint"] == "fp").all()


def test_markdown_export_lists_the_hashes_and_draws_no_link(tmp_path: Path) -> None:
    con = db.connect(tmp_path / "md.duckdb")
    name = "![pixel](https://tn-probe.invalid/p.png) [click](https://tn-probe.invalid) *x*"
    stored = signoff.record(con, name=name, role="`owner`", result=RESULT, notes="<b>hi</b>")
    md = signoff.markdown_report("# Go-live checklist", signoff.history(con), data_fingerprint="f")
    row = next(line for line in md.splitlines() if "pixel" in line)
    assert f"`{stored.row_hash}`" in row
    assert "![" not in row and "](" not in row and "<b>" not in row
    assert "\\!\\[pixel\\]\\(https://tn-probe.invalid/p.png\\)" in row
    assert "signoffs verify --head" in md
