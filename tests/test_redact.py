"""`ingest --redact`: user ids become keyed hashes, bodies are dropped, and every metric and
checklist result stays the same."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data" / "notifications.jsonl"
CLI = [sys.executable, "-m", "template_noise.cli"]


def run(*args: str, key: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "TEMPLATE_NOISE_REDACT_KEY"}
    if key:
        env["TEMPLATE_NOISE_REDACT_KEY"] = key
    return subprocess.run([*CLI, *args], capture_output=True, text=True, env=env)


def test_redacted_database_gives_the_same_metrics_and_checklist(tmp_path: Path) -> None:
    plain, redacted = tmp_path / "plain.duckdb", tmp_path / "redacted.duckdb"
    assert run("ingest", str(SAMPLE), "--db", str(plain)).returncode == 0
    assert run("ingest", str(SAMPLE), "--db", str(redacted), "--redact", key="k1").returncode == 0
    for command in (["metrics", "--format", "json"], ["check", "--format", "json"]):
        a = run(*command, "--db", str(plain))
        b = run(*command, "--db", str(redacted))
        assert a.returncode == b.returncode
        plain_doc, redacted_doc = json.loads(a.stdout), json.loads(b.stdout)
        if command[0] == "check":
            # The data differs (that is the point) and so does its fingerprint; the config
            # and the data's newest event do not. The age is the wall clock, read twice.
            assert plain_doc.pop("data_fingerprint") != redacted_doc.pop("data_fingerprint")
            for doc in (plain_doc, redacted_doc):
                doc["data_age"].pop("measured_at")
                doc["data_age"].pop("age_hours")
        assert plain_doc == redacted_doc

    con = duckdb.connect(str(redacted), read_only=True)
    users = {
        r[0]
        for r in con.execute(
            "SELECT DISTINCT user_id FROM events WHERE user_id IS NOT NULL"
        ).fetchall()
    }
    bodies = con.execute("SELECT count(*) FROM events WHERE body IS NOT NULL").fetchone()
    con.close()
    assert bodies == (0,)
    assert users and all(u.startswith("user:") and len(u) == 37 for u in users)
    originals = {
        json.loads(line).get("user_id")
        for line in SAMPLE.read_text().splitlines()[:200]
        if line.startswith("{") and line.endswith("}")
    }
    assert not (originals - {None}) & users


def test_the_key_changes_the_pseudonyms_and_is_required(tmp_path: Path) -> None:
    log = tmp_path / "a.jsonl"
    log.write_text(
        json.dumps(
            {
                "event_type": "read",
                "occurred_at": "2026-03-01T10:00:00Z",
                "notification_id": "n1",
                "user_id": "alice",
            }
        )
        + "\n"
    )
    ids = []
    for key in ("k1", "k2"):
        db = tmp_path / f"{key}.duckdb"
        assert run("ingest", str(log), "--db", str(db), "--redact", key=key).returncode == 0
        con = duckdb.connect(str(db), read_only=True)
        ids.append(con.execute("SELECT user_id FROM events").fetchone())
        con.close()
    assert ids[0] != ids[1]
    missing = run("ingest", str(log), "--redact")
    assert missing.returncode == 2
    assert (
        missing.stderr.strip()
        == "template-noise: --redact needs a secret key in the environment: TEMPLATE_NOISE_REDACT_KEY"
    )
