"""The release owner's path: waivers typed in a sign-off (validated, applied when approved),
the config fingerprint, one row per submit, `check --require-signoff` and `--max-data-age`,
and what the reports carry (as of, data age, fingerprints, the sign-off, rounded numbers).

Every database is real DuckDB built from the tiny logs of events_fixture; `check` runs as
the command line does, in a subprocess.
"""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import duckdb
import pytest
from events_fixture import (
    config,
    event,
    flooded_log,
    healthy_log,
    load,
    next_day,
    write_jsonl,
)
from template_noise import db, release, signoff
from template_noise.checklist import (
    ITEMS,
    evaluate,
    evaluate_data,
    gather,
    render_junit,
    render_markdown,
)
from template_noise.checklist import waivers as waiver_lines
from template_noise.config import Waiver, load_config
from template_noise.errors import InputError
from template_noise.filters import Filters
from template_noise.ingest import ingest

ITEM_IDS = [i.id for i in ITEMS]
FLAGS = list(load_config().noise_score.weights)


def parse(text: str, templates: tuple[str, ...] = ("Flood", "Alert: disk {n}")) -> object:
    return waiver_lines.parse(text, items=ITEM_IDS, templates=templates, flags=FLAGS)


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "template_noise.cli", *args],
        capture_output=True,
        text=True,
        timeout=300,
    )


# ---- waiver lines ----------------------------------------------------------------------------


def test_waiver_lines_name_items_and_template_flags() -> None:
    w = parse(
        "realtime_reconnection: verified by hand\n\n"
        "Flood: flooding: load test, removed before launch\n"
        "Alert: disk {n}: ignored: read elsewhere, on the pager"
    )
    assert isinstance(w, waiver_lines.SignoffWaivers)
    assert dict(w.items) == {"realtime_reconnection": "verified by hand"}
    # A template may hold colons: the longest template the line starts with wins.
    assert w.templates == (
        Waiver("Flood", "flooding", "load test, removed before launch"),
        Waiver("Alert: disk {n}", "ignored", "read elsewhere, on the pager"),
    )
    stored = w.as_mapping()
    assert waiver_lines.from_mapping(stored, items=ITEM_IDS) == w


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "inbox_flows: ok\nnoisy_templat_monitoring: accepted",
            "waiver line 2: 'noisy_templat_monitoring' is neither a checklist item nor a "
            "template in the data; did you mean 'noisy_template_monitoring'?",
        ),
        ("Flod: flooding: x", "did you mean 'Flood'?"),
        ("Flood: floding: x", "waiver line 1: 'floding' is not a flag"),
        ("Flood: floding: x", "did you mean 'flooding'?"),
        ("Flood: flooding", "waiver line 1: 'Flood: flooding' needs a reason after the flag"),
        ("inbox_flows:", "waiver line 1: 'inbox_flows' needs a reason after the colon"),
        ("just words", "waiver line 1: expected 'ITEM: reason' or 'TEMPLATE: FLAG: reason'"),
        ("Nobody: ignored: x", "'Nobody' is neither a checklist item nor a template"),
    ],
)
def test_a_bad_waiver_line_is_refused_by_number_with_a_suggestion(text: str, message: str) -> None:
    with pytest.raises(InputError) as e:
        parse(text)
    assert message in str(e.value)


def test_template_names_come_from_the_data(tmp_path: Path) -> None:
    con = load(tmp_path, flooded_log())
    data = gather(con, Filters(), config())
    assert release.parse_waivers("Flood: flooding: ok", data, config()).templates
    with pytest.raises(InputError, match="'Flood2' is neither"):
        release.parse_waivers("Flood2: flooding: ok", data, config())


# ---- waivers applied ---------------------------------------------------------------------------


def test_an_approved_template_waiver_waives_as_the_config_does(tmp_path: Path) -> None:
    con = load(tmp_path, flooded_log())
    plain = evaluate(con, config())
    assert plain.items[3].status == "fail" and plain.status == "fail"
    w = parse("Flood: flooding: load test")
    assert isinstance(w, waiver_lines.SignoffWaivers)
    waived = evaluate(con, config(), waivers=w)
    assert waived.items[3].status == "pass" and waived.status == "pass"
    assert waived.items[3].evidence["waived"] == [
        {"template": "Flood", "flag": "flooding", "sent": 11, "reason": "load test"}
    ]


def test_an_item_waiver_turns_fail_and_no_data_into_waived(tmp_path: Path) -> None:
    # No stream events: realtime_reconnection has no data (fails with --strict).
    events = [e for e in flooded_log() if not e["event_type"].startswith("stream_")]
    con = load(tmp_path, events)
    w = parse("noisy_template_monitoring: accepted for launch\nrealtime_reconnection: by hand")
    assert isinstance(w, waiver_lines.SignoffWaivers)
    result = evaluate(con, config(), strict=True, waivers=w)
    by_id = {i.id: i for i in result.items}
    assert by_id["noisy_template_monitoring"].status == "waived"
    assert by_id["noisy_template_monitoring"].evidence["waived"] == {
        "was": "fail",
        "reason": "accepted for launch",
    }
    assert by_id["realtime_reconnection"].summary.startswith("waived (was no_data): by hand")
    assert result.counts()["waived"] == 2 and (result.status, result.exit_code) == ("pass", 0)
    # A waiver on a passing item changes nothing.
    assert by_id["inbox_flows"].status == "pass"
    junit = ET.fromstring(render_junit(result))
    skipped = junit.findall(".//testcase[@name='noisy_template_monitoring']/skipped")
    assert skipped and "accepted for launch" in (skipped[0].get("message") or "")
    assert "| WAIVED | `noisy_template_monitoring`" in render_markdown(result)


# ---- config fingerprint ------------------------------------------------------------------------


def test_config_fingerprint_follows_the_effective_settings(tmp_path: Path) -> None:
    base = load_config().fingerprint()
    assert len(base) == 64 and base == load_config().fingerprint()
    same = tmp_path / "same.toml"
    same.write_text("min_volume = 50\n[flags]\nignored = 0.2\n", encoding="utf-8")
    assert load_config(same).fingerprint() == base  # the defaults, spelled out: same
    other = tmp_path / "other.toml"
    other.write_text("[flags]\nignored = 0.1\n", encoding="utf-8")
    assert load_config(other).fingerprint() != base
    waived = tmp_path / "waived.toml"
    waived.write_text(
        '[[waivers]]\ntemplate = "Flood"\nflag = "flooding"\nreason = "load test"\n',
        encoding="utf-8",
    )
    assert load_config(waived).fingerprint() != base
    conventions = tmp_path / "conventions.toml"
    conventions.write_text('[conventions."Flood"]\nseverity = "info"\n', encoding="utf-8")
    assert load_config(conventions).fingerprint() != base
    age = tmp_path / "age.toml"
    age.write_text("max_data_age_hours = 48\n", encoding="utf-8")
    assert load_config(age).fingerprint() == base  # a freshness gate, not the evaluation


# ---- one row per submit, decision and config in the chain -----------------------------------------


RESULT = {"status": "pass", "items": []}


def test_the_same_submit_token_stores_one_row(tmp_path: Path) -> None:
    con = db.connect(tmp_path / "once.duckdb")
    ingest(con, [write_jsonl(tmp_path / "log.jsonl", healthy_log())])
    first = signoff.record(con, name="Ada", role="owner", result=RESULT, decision="approve",
                           submit_token="tok-1", config_fingerprint="c" * 64)  # fmt: skip
    again = signoff.record(con, name="Ada", role="owner", result=RESULT, decision="approve",
                           submit_token="tok-1", config_fingerprint="c" * 64)  # fmt: skip
    assert (first.signoff_id, again.signoff_id) == (1, 1)
    assert again.row_hash == first.row_hash
    other = signoff.record(con, name="Ada", role="owner", result=RESULT, decision="reject",
                           submit_token="tok-2")  # fmt: skip
    assert other.signoff_id == 2
    assert [s.decision for s in signoff.history(con)] == ["reject", "approve"]
    assert signoff.verify(con).intact


def test_a_changed_data_fingerprint_is_refused(tmp_path: Path) -> None:
    con = db.connect(tmp_path / "moved.duckdb")
    ingest(con, [write_jsonl(tmp_path / "log.jsonl", healthy_log())])
    with pytest.raises(InputError, match="the data changed since it was reviewed"):
        signoff.record(con, name="Ada", role="owner", result=RESULT, decision="approve",
                       expect_data_fingerprint="0" * 32)  # fmt: skip
    assert signoff.history(con) == []


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE signoffs SET decision = 'approve' WHERE signoff_id = 1",
        "UPDATE signoffs SET config_fingerprint = 'other' WHERE signoff_id = 1",
        "UPDATE signoffs SET decision = NULL WHERE signoff_id = 1",
    ],
)
def test_decision_and_config_are_in_the_hash(tmp_path: Path, statement: str) -> None:
    path = tmp_path / "chain.duckdb"
    con = db.connect(path)
    signoff.record(con, name="Ada", role="owner", result=RESULT, decision="reject",
                   config_fingerprint="c" * 64)  # fmt: skip
    con.close()
    raw = duckdb.connect(str(path))
    raw.execute(statement)
    raw.close()
    assert signoff.verify(db.connect(path, read_only=True)).ids == [1]


def test_a_version_2_database_keeps_its_chain_after_the_upgrade(tmp_path: Path) -> None:
    # Sign-offs stored by version 2 (no decision, config or token) verify before and after.
    path = tmp_path / "v2.duckdb"
    con = db.connect(path)
    signoff.record(con, name="Old", role="owner", result=RESULT)
    con.execute("DROP INDEX signoffs_submit_token")
    con.execute("ALTER TABLE signoffs DROP COLUMN decision")
    con.execute("ALTER TABLE signoffs DROP COLUMN submit_token")
    con.execute("ALTER TABLE signoffs DROP COLUMN config_fingerprint")
    con.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
    con.close()
    snapshot = db.connect(path, read_only=True)  # read-only: not migrated
    [old] = signoff.history(snapshot)
    assert (old.decision, old.approves) == ("", False)
    assert signoff.verify(snapshot).intact
    snapshot.close()
    con = db.connect(path)  # a writer: migrated to the latest version
    assert db.schema_version(con) == db.SCHEMA_VERSION
    signoff.record(con, name="New", role="owner", result=RESULT, decision="approve")
    report = signoff.verify(con)
    assert report.intact and report.rows == 2 and not report.legacy


# ---- check --require-signoff and --max-data-age -------------------------------------------------


@pytest.fixture
def served_log(tmp_path: Path) -> Path:
    """A database file whose checklist fails only on noisy_template_monitoring (Flood)."""
    path = tmp_path / "release.duckdb"
    con = db.connect(path)
    ingest(con, [write_jsonl(tmp_path / "day0.jsonl", flooded_log())])
    con.close()
    return path


def _sign(path: Path, decision: str, waivers: str = "Flood: flooding: load test") -> int:
    """Sign off as the dashboard does: waivers parsed against the data, the result with
    them, both fingerprints."""
    cfg = load_config()
    con = db.connect(path)
    try:
        data = gather(con, Filters(), cfg)
        parsed = release.parse_waivers(waivers, data, cfg)
        result = evaluate_data(data, cfg, waivers=parsed)
        return signoff.record(
            con, name="Ada", role="release owner", result=result.as_json(),
            waivers=parsed.as_mapping(), decision=decision,  # type: ignore[arg-type]
            config_fingerprint=cfg.fingerprint(),
        ).signoff_id  # fmt: skip
    finally:
        con.close()


def _check(path: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return _cli("check", "--db", str(path), "--require-signoff", *extra)


def _fingerprint(path: Path) -> str:
    con = db.connect(path, read_only=True)
    try:
        return signoff.data_fingerprint(con)
    finally:
        con.close()


def test_require_signoff_approve_new_day_reject(served_log: Path, tmp_path: Path) -> None:
    before = _fingerprint(served_log)
    done = _check(served_log)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        f"template-noise: no approving sign-off for data fingerprint {before[:12]} "
        "(no sign-off yet)"
    ]
    assert _sign(served_log, "approve") == 1
    done = _check(served_log, "--format", "json")
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert doc["status"] == "pass" and doc["blocked_by"] == []
    assert doc["data_fingerprint"] == before and doc["signoff"]["covers"] is True
    assert doc["signoff"]["signoff_id"] == 1 and doc["signoff"]["decision"] == "approve"
    noisy = next(i for i in doc["items"] if i["id"] == "noisy_template_monitoring")
    assert noisy["status"] == "pass" and noisy["evidence"]["waived"][0]["reason"] == "load test"
    # A new day of events: another fingerprint, which sign-off #1 does not cover.
    loaded = _cli("ingest", str(write_jsonl(tmp_path / "day1.jsonl", next_day(1))),
                  "--db", str(served_log))  # fmt: skip
    assert loaded.returncode == 0, loaded.stderr
    after = _fingerprint(served_log)
    assert after != before
    done = _check(served_log)
    assert done.returncode == 1
    assert (
        f"template-noise: no approving sign-off for data fingerprint {after[:12]} "
        f"(latest sign-off #1 covers {before[:12]})" in done.stderr
    )
    # ... and its waivers no longer apply: the plain check fails on Flood again.
    assert _cli("check", "--db", str(served_log)).returncode == 1
    assert _sign(served_log, "approve") == 2
    assert _check(served_log).returncode == 0
    # A later reject revokes.
    assert _sign(served_log, "reject") == 3
    done = _check(served_log)
    assert done.returncode == 1 and "latest sign-off #3 rejects it" in done.stderr


def test_require_signoff_needs_the_checklist_to_pass(served_log: Path) -> None:
    _sign(served_log, "approve", waivers="")  # approved, but Flood is not waived
    done = _check(served_log)
    assert done.returncode == 1 and done.stderr == ""  # the checklist itself fails
    assert "FAIL     noisy_template_monitoring" in done.stdout


def test_require_signoff_under_another_config(served_log: Path, tmp_path: Path) -> None:
    _sign(served_log, "approve")
    other = tmp_path / "other.toml"
    other.write_text("[flags]\nflooding = 20\n", encoding="utf-8")
    done = _check(served_log, "--config", str(other))
    assert done.returncode == 1
    assert "no approving sign-off for config fingerprint" in done.stderr
    assert f"{load_config(other).fingerprint()[:12]}" in done.stderr


def test_require_signoff_needs_a_database(tmp_path: Path) -> None:
    log = write_jsonl(tmp_path / "log.jsonl", healthy_log())
    done = _cli("check", str(log), "--require-signoff")
    assert done.returncode == 2
    assert done.stderr.strip() == (
        "template-noise: --require-signoff needs --db FILE (sign-offs live in the database)"
    )


def test_max_data_age(tmp_path: Path) -> None:
    # healthy_log's newest event is on 2024-01-01: years old at any wall-clock time now.
    path = tmp_path / "old.duckdb"
    con = db.connect(path)
    ingest(con, [write_jsonl(tmp_path / "log.jsonl", healthy_log())])
    con.close()
    assert _cli("check", "--db", str(path)).returncode == 0  # off by default
    done = _cli("check", "--db", str(path), "--max-data-age", "24")
    assert done.returncode == 1
    [line] = done.stderr.strip().splitlines()
    assert line.startswith("template-noise: data is stale: newest event 2024-01-01 02:02 UTC")
    assert line.endswith("(older than 24 h)")
    assert _cli("check", "--db", str(path), "--max-data-age", "10000000").returncode == 0
    # Without a number: the config's max_data_age_hours.
    lenient = tmp_path / "lenient.toml"
    lenient.write_text("max_data_age_hours = 10000000\n", encoding="utf-8")
    done = _cli("check", "--db", str(path), "--config", str(lenient), "--max-data-age")
    assert done.returncode == 0, done.stderr
    done = _cli("check", "--db", str(path), "--max-data-age", "--format", "json")
    assert done.returncode == 1
    doc = json.loads(done.stdout)
    assert doc["data_age"]["stale"] is True and doc["data_age"]["max_age_hours"] == 24
    assert doc["data_age"]["latest_event"] == "2024-01-01T02:02:00+00:00"
    assert doc["blocked_by"][0].startswith("data is stale")
    bad = _cli("check", "--db", str(path), "--max-data-age", "soon")
    assert bad.returncode == 2 and "not a number of hours" in bad.stderr


# ---- what the reports carry ------------------------------------------------------------------


def test_junit_and_markdown_carry_where_the_result_stands(tmp_path: Path) -> None:
    # 11 sent and 1 failed send: failure rate 1/12 = 8.3%, above 2%: send_failures fails.
    lost = event("send_failed", "lost", 30, template="T", user_id="u1", error="timeout")
    events = [*healthy_log(), lost]
    path = tmp_path / "report.duckdb"
    con = db.connect(path)
    ingest(con, [write_jsonl(tmp_path / "log.jsonl", events)])
    fingerprint = signoff.data_fingerprint(con)
    con.close()
    config_fp = load_config().fingerprint()
    junit = _cli("check", "--db", str(path), "--format", "junit")
    assert junit.returncode == 1
    root = ET.fromstring(junit.stdout)
    props = {p.get("name"): p.get("value") for p in root.iter("property")}
    assert props["as_of"] == "2024-01-01T02:02:00+00:00"
    assert (props["data_fingerprint"], props["config_fingerprint"]) == (fingerprint, config_fp)
    assert (props["data_age"] or "").startswith("newest event 2024-01-01 02:02 UTC, ")
    assert props["signoff"] == (
        f"no approving sign-off for data fingerprint {fingerprint[:12]} (no sign-off yet)"
    )
    failure = root.find(".//testcase[@name='send_failures']/failure")
    assert failure is not None
    body = failure.text or ""
    assert "failure rate: 8.3%" in body and "failed: 1" in body
    assert "0.0833" not in body and "0.083333" not in junit.stdout
    assert f"data fingerprint: {fingerprint}" in body
    md = _cli("check", "--db", str(path), "--format", "markdown").stdout
    assert "- as of: 2024-01-01T02:02:00+00:00" in md
    assert f"- data fingerprint: {fingerprint}" in md
    assert "- data age: newest event 2024-01-01 02:02 UTC" in md
    assert "- sign-off: no approving sign-off" in md
    assert "    failure rate: 8.3%" in md and "0.0833" not in md
    text = _cli("check", "--db", str(path)).stdout
    assert f"data fingerprint: {fingerprint}" in text.splitlines()[2]
