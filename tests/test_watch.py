"""`watch`: hand-checkable hourly series (tests/watch_fixture.py), one incident one alert,
the JSON shape and the exit codes, and the schema migration that holds the alert state."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from events_fixture import config, load, sent
from template_noise import cli, db
from template_noise.queries import execute
from template_noise.watch.detect import run_watch, stored_alerts
from watch_fixture import DAY9, hourly_log, write_log


@pytest.fixture(scope="module")
def hourly_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hourly log ingested into a database file, copied per test."""
    tmp = tmp_path_factory.mktemp("watch")
    path = tmp / "hourly.duckdb"
    con = db.connect(path)
    from template_noise.ingest import ingest

    ingest(con, [write_log(tmp)])
    con.close()
    return path


def fresh_copy(hourly_db: Path, tmp_path: Path) -> Path:
    target = tmp_path / "w.duckdb"
    target.write_bytes(hourly_db.read_bytes())
    return target


def test_the_spike_and_the_drop_by_hand(hourly_db: Path, tmp_path: Path) -> None:
    con = db.connect(fresh_copy(hourly_db, tmp_path))
    result = run_watch(con, config(), as_of=DAY9 + timedelta(days=1))
    got = {(a.template, a.kind): a for a in result.alerts}
    assert set(got) == {("A", "spike"), ("B", "drop")}
    spike, drop = got["A", "spike"], got["B", "drop"]
    # A: 100 against a median of 10 at 10:00 and 11:00; resolved at the end of 11:00
    assert (spike.started_at, spike.last_hit_at) == (DAY9.replace(hour=10), DAY9.replace(hour=11))
    assert spike.resolved_at == DAY9.replace(hour=12) and spike.status == "resolved"
    assert (spike.observed, spike.expected) == (100, 10)
    assert spike.detected_at == DAY9.replace(hour=11)  # the end of its first hour
    # B: silent 14:00-17:00 against 40 (z = 40 / (sqrt(40) * sqrt(1 + pi / 12)) = 5.6)
    assert (drop.started_at, drop.resolved_at) == (DAY9.replace(hour=14), DAY9.replace(hour=17))
    assert (drop.observed, drop.expected) == (0, 40)
    assert "z 5.6" in drop.evidence
    assert result.exit_code == 0  # both resolved by midnight


def test_one_incident_is_one_alert_across_hourly_runs(hourly_db: Path, tmp_path: Path) -> None:
    con = db.connect(fresh_copy(hourly_db, tmp_path))
    start = DAY9.replace(hour=9)
    run_watch(con, config(), since=start, as_of=start)
    seen: dict[int, list[tuple[str, str, str]]] = {}
    for hour in range(10, 24):
        result = run_watch(con, config(), as_of=DAY9.replace(hour=hour))
        assert result.since == DAY9.replace(hour=hour - 1)  # the hour after the previous run
        seen[hour] = [(a.template, a.kind, a.status) for a in result.alerts]
    assert seen[10] == []  # 09:00-10:00 was normal
    assert seen[11] == [("A", "spike", "open")]  # 10:00 judged at 11:00
    assert seen[12] == [("A", "spike", "open")]  # the same alert, not a second one
    assert seen[13] == [("A", "spike", "open")]  # one quiet hour: not yet resolved
    assert seen[14] == [("A", "spike", "resolved")]  # two quiet hours: resolved
    assert seen[15] == [("B", "drop", "open")]
    assert seen[18] == [("B", "drop", "open")]
    assert seen[19] == [("B", "drop", "resolved")]
    assert seen[20] == []
    alerts = stored_alerts(con)
    assert [(a.template, a.kind) for a in alerts] == [("B", "drop"), ("A", "spike")]
    # hourly runs store what one run over the whole day stores
    whole = db.connect(_copy(hourly_db, tmp_path / "whole.duckdb"))
    run_watch(whole, config(), since=start, as_of=DAY9.replace(hour=23))
    assert [(a.alert_id, a.started_at, a.resolved_at) for a in stored_alerts(whole)] == [
        (a.alert_id, a.started_at, a.resolved_at) for a in alerts
    ]


def _copy(source: Path, target: Path) -> Path:
    target.write_bytes(source.read_bytes())
    return target


def test_a_rerun_over_the_same_hours_adds_nothing(hourly_db: Path, tmp_path: Path) -> None:
    con = db.connect(fresh_copy(hourly_db, tmp_path))
    first = run_watch(con, config(), since=DAY9, as_of=DAY9 + timedelta(days=1))
    again = run_watch(con, config(), since=DAY9, as_of=DAY9 + timedelta(days=1))
    assert len(first.alerts) == 2 and again.alerts == []
    assert len(stored_alerts(con)) == 2


def test_a_quiet_template_below_the_minimum_volume_pages_nobody(tmp_path: Path) -> None:
    # D sends 1 an hour, then 15 in one hour: 15 times its level, but under min_volume 20
    log = [sent(f"d{h}", h * 60 + 5, template="D", body=f"{h}") for h in range(8 * 24)]
    log += [sent(f"x{i}", 8 * 24 * 60 + 600 + i, template="D", body=f"x{i}") for i in range(15)]
    con = load(tmp_path, log)
    assert run_watch(con, config(), as_of=DAY9 + timedelta(days=1)).alerts == []


def test_a_new_template_needs_a_history_before_it_and_volume(tmp_path: Path) -> None:
    # E sends 1 an hour for 30 days; N appears on day 30 with 5 an hour: new from the hour
    # its count reaches 20 (the 4th hour), for 24 hours after its first send
    log = [sent(f"e{h}", h * 60 + 1, template="E", body=f"{h}") for h in range(31 * 24)]
    first = 30 * 24 * 60 + 9 * 60
    log += [sent(f"n{i}", first + i * 12, template="N", body=f"n{i}") for i in range(5 * 10)]
    con = load(tmp_path, log)
    result = run_watch(con, config(), as_of=datetime(2024, 2, 1, 12))
    assert [(a.template, a.kind, a.status) for a in result.alerts] == [
        ("N", "new_template", "resolved")
    ]
    alert = result.alerts[0]
    assert alert.started_at == datetime(2024, 1, 31, 12)  # 5 + 5 + 5 + 5 = 20 at 12:00
    assert alert.resolved_at == datetime(2024, 2, 1, 9)  # 24 hours after 09:00


def test_json_shape_and_exit_codes(
    hourly_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = fresh_copy(hourly_db, tmp_path)
    code = cli.main(["watch", "--db", str(path), "--as-of", "2024-01-09T15:10", "--format", "json"])
    doc = json.loads(capsys.readouterr().out)
    assert code == 1  # B's drop is open
    assert set(doc) == {"as_of", "since", "alerts"}
    assert doc["as_of"] == "2024-01-09T15:10:00+00:00"
    assert doc["since"] == "2024-01-02T15:00:00+00:00"  # the last 7 days on a first run
    keys = {"id", "template", "kind", "status", "started_at", "resolved_at", "observed",
            "expected", "evidence", "owner"}  # fmt: skip
    assert all(set(a) == keys for a in doc["alerts"])
    assert [(a["template"], a["kind"], a["status"]) for a in doc["alerts"]] == [
        ("A", "spike", "resolved"), ("B", "drop", "open"),
    ]  # fmt: skip
    assert doc["alerts"][1]["resolved_at"] is None
    code = cli.main(["watch", "--db", str(path), "--as-of", "2024-01-10", "--format", "json"])
    doc = json.loads(capsys.readouterr().out)
    assert code == 0 and [a["status"] for a in doc["alerts"]] == ["resolved"]
    code = cli.main(["watch", "--db", str(tmp_path / "missing.duckdb")])
    assert code == 2
    assert capsys.readouterr().err.strip() == (
        f"template-noise: {tmp_path / 'missing.duckdb'}: no such database file"
    )


def test_owner_is_named_in_the_output(
    hourly_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = tmp_path / "watch.toml"
    cfg.write_text('[owners.payments]\ntemplates = ["A*"]\nusers = ["1"]\n'
                   '[owners.default]\nusers = ["2"]\n', encoding="utf-8")  # fmt: skip
    path = fresh_copy(hourly_db, tmp_path)
    cli.main(["watch", "--db", str(path), "--as-of", "2024-01-10", "--format", "json",
              "--config", str(cfg)])  # fmt: skip
    doc = json.loads(capsys.readouterr().out)
    assert {a["template"]: a["owner"] for a in doc["alerts"]} == {"A": "payments", "B": "default"}


def test_a_secret_in_the_config_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = tmp_path / "watch.toml"
    cfg.write_text('[owners.default]\nwebhook_url = "https://hooks.example/T0/secret"\n',
                   encoding="utf-8")  # fmt: skip
    log = write_log(tmp_path)
    assert cli.main(["watch", str(log), "--config", str(cfg)]) == 2
    assert "secrets come from the environment" in capsys.readouterr().err


def test_a_schema_4_database_is_migrated_to_hold_alerts(tmp_path: Path) -> None:
    path = tmp_path / "v4.duckdb"
    con = db.connect(path)
    from template_noise.ingest import ingest

    ingest(con, [write_log(tmp_path)])
    for table in ("watch_alerts", "watch_runs", "watch_deliveries", "watch_hourly",
                  "watch_hourly_stamp"):  # fmt: skip
        con.execute(f"DROP TABLE {table}")
    execute(con, "store/schema_version_set", version="4")
    con.close()
    snapshot = db.connect(path, read_only=True)  # a reader does not migrate: no alerts yet
    assert db.schema_version(snapshot) == 4 and stored_alerts(snapshot) == []
    snapshot.close()
    con = db.connect(path)
    assert db.schema_version(con) == db.SCHEMA_VERSION >= 5
    assert len(run_watch(con, config(), as_of=DAY9 + timedelta(days=1)).alerts) == 2
    assert len(stored_alerts(con)) == 2


def test_hourly_log_is_what_the_fixture_says() -> None:
    log = hourly_log()
    assert len(log) == 9 * 24 * 70 + 2 * 90 - 3 * 40


def test_stored_hourly_counts_match_a_fresh_count_after_a_late_load(tmp_path: Path) -> None:
    from events_fixture import write_jsonl
    from template_noise.ingest import ingest

    log = hourly_log()
    late = [
        sent(f"late{i}", 8 * 24 * 60 + 7 * 60 + i, template="C", body=f"l{i}") for i in range(30)
    ]
    early = [e for e in log if e["occurred_at"] < "2024-01-09T09"]
    rest = [e for e in log if e["occurred_at"] >= "2024-01-09T09"]
    con = db.connect(tmp_path / "inc.duckdb")
    ingest(con, [write_jsonl(tmp_path / "early.jsonl", early)])
    run_watch(con, config(), since=DAY9, as_of=DAY9.replace(hour=9))
    # a late file: 30 more C sends at 07:00, an hour already counted and stored
    ingest(con, [write_jsonl(tmp_path / "late.jsonl", late + rest)])
    run_watch(con, config(), as_of=DAY9 + timedelta(days=1))
    whole = load(tmp_path, log + late)
    run_watch(whole, config(), since=DAY9, as_of=DAY9 + timedelta(days=1))
    query = "SELECT * FROM watch_hourly WHERE hour >= '2024-01-02' ORDER BY ALL"
    stored, fresh = con.execute(query).fetchall(), whole.execute(query).fetchall()
    assert stored == fresh
    assert ("C", datetime(2024, 1, 9, 7), 50, 0, 0, 0) in stored
