"""`template-noise metrics` and `template-noise check` through the installed command."""

from __future__ import annotations

import csv
import io
import json
import math
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from events_fixture import Event, bulk, event, healthy_log, write_jsonl
from template_noise.metrics import FLAG_NAMES, METRICS

COMMAND = shutil.which("template-noise", path=str(Path(sys.executable).parent)) or shutil.which(
    "template-noise"
)
pytestmark = pytest.mark.skipif(COMMAND is None, reason="template-noise is not installed")


def run(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    assert COMMAND is not None
    return subprocess.run(
        [COMMAND, *map(str, args)], capture_output=True, text=True, timeout=120, cwd=cwd
    )


def log(tmp_path: Path, events: list[Event], name: str = "log.jsonl") -> Path:
    return write_jsonl(tmp_path / name, events)


def noisy_log() -> list[Event]:
    """The healthy log plus a flooding template (11 to u1 in a day) named like a formula."""
    flood = bulk("=HYPERLINK(1)", 11, start=200, user="u1", expires_hours=24, metadata={"k": 1})
    return healthy_log() + flood + [event("read", e["notification_id"], 300) for e in flood]


def one_line_error(result: subprocess.CompletedProcess[str], needle: str) -> None:
    assert result.returncode == 2, result.stderr
    # Progress lines ("[1/1] loading ...") may come first; the error is one last line.
    lines = [ln for ln in result.stderr.splitlines() if not ln.startswith("[")]
    assert len(lines) == 1 and lines[0].startswith("template-noise: "), result.stderr
    assert needle in lines[0]
    assert "Traceback" not in result.stderr


# --- metrics ---------------------------------------------------------------------------------


def test_metrics_json_is_the_spec_object(tmp_path: Path) -> None:
    result = run("metrics", log(tmp_path, noisy_log()), "--format", "json")
    assert result.returncode == 0, result.stderr
    assert "loading" in result.stderr  # progress goes to stderr, never into the JSON
    doc = json.loads(result.stdout)
    assert doc["as_of"].startswith("2024-01-01T")
    assert (doc["since"], doc["until"]) == (None, None)
    templates = doc["templates"]
    assert [t["template"] for t in templates] == ["=HYPERLINK(1)", "T"]
    for t in templates:
        assert {"template", *METRICS, "flags", "noisy", "noise_score"} <= set(t)
        assert set(t["flags"]) <= set(FLAG_NAMES)
        for key in METRICS:
            if key.endswith(("_rate", "_coverage")) and t[key] is not None:
                assert 0 <= t[key] <= 1
    scores = [t["noise_score"] for t in templates]
    assert scores == sorted(scores, reverse=True)
    assert templates[0]["flags"] == ["flooding"] and templates[0]["noisy"] is True


def test_metrics_window_and_as_of(tmp_path: Path) -> None:
    path = log(tmp_path, noisy_log())
    result = run(
        "metrics", path, "--since", "2024-01-01T00:05:00Z", "--until", "1704070800000",
        "--as-of", "2024-01-02", "--format", "json",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["since"] == "2024-01-01T00:05:00+00:00"
    assert doc["until"] == "2024-01-01T01:00:00+00:00"  # epoch milliseconds
    assert doc["as_of"] == "2024-01-02T00:00:00+00:00"
    assert [t["sent"] for t in doc["templates"]] == [5]  # n5..n9


def test_metrics_table_is_aligned_with_percentages_and_flags(tmp_path: Path) -> None:
    result = run("metrics", log(tmp_path, noisy_log()))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    header, rule, first, second = lines[1], lines[2], lines[3], lines[4]
    assert header.split()[:2] == ["template", "sent"]
    assert len({len(header), len(rule)}) == 1 or len(rule) >= len(header.rstrip())
    assert first.startswith("=HYPERLINK(1)") and "NOISY" in first and "flooding" in first
    assert f" {math.log2(12) * 1.3:.1f}  NOISY" in first  # the score, not 1000004.7
    assert "%" in second and "NOISY" not in second
    # Columns line up: every "sent" value ends where its header does.
    end = header.index("sent") + len("sent")
    assert first[end - 2 : end] == "11" and second[end - 2 : end] == "11"


def test_metrics_csv_neutralises_formulas(tmp_path: Path) -> None:
    result = run("metrics", log(tmp_path, noisy_log()), "--format", "csv")
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows[0]["template"] == "'=HYPERLINK(1)"
    assert rows[0]["flags"] == "flooding" and rows[0]["noisy"] == "true"
    assert float(rows[1]["read_rate"]) == 1.0  # fractions, for spreadsheets
    # The score users read, without the ranking key's offset for noisy templates:
    # 11 sends, flooding at 11/day: excess (11 - 10) / 10 = 0.1, weight 3 -> log2(12) * 1.3.
    assert "noise_score" not in rows[0]
    assert float(rows[0]["score"]) == round(math.log2(12) * 1.3, 1) == 4.7


def test_metrics_from_a_database_file(tmp_path: Path) -> None:
    dbfile = tmp_path / "logs.duckdb"
    assert run("ingest", log(tmp_path, noisy_log()), "--db", dbfile).returncode == 0
    from_db = run("metrics", "--db", dbfile, "--format", "json")
    from_file = run("metrics", tmp_path / "log.jsonl", "--format", "json")
    assert from_db.returncode == 0, from_db.stderr
    assert json.loads(from_db.stdout) == json.loads(from_file.stdout)


def test_metrics_config_overrides_a_threshold(tmp_path: Path) -> None:
    cfg = tmp_path / "noise.toml"
    cfg.write_text("[flags]\nflooding = 20\n", encoding="utf-8")
    result = run("metrics", log(tmp_path, noisy_log()), "--config", cfg, "--format", "json")
    assert result.returncode == 0, result.stderr
    assert all(not t["noisy"] for t in json.loads(result.stdout)["templates"])


# --- check ---------------------------------------------------------------------------------------


def test_check_passes_on_a_healthy_log(tmp_path: Path) -> None:
    result = run("check", log(tmp_path, healthy_log()))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("Go-live checklist: PASS")


def test_check_fails_with_exit_1(tmp_path: Path) -> None:
    result = run("check", log(tmp_path, noisy_log()), "--format", "json")
    assert result.returncode == 1, result.stderr
    doc = json.loads(result.stdout)
    assert doc["status"] == "fail"
    noisy = next(i for i in doc["items"] if i["id"] == "noisy_template_monitoring")
    assert noisy["status"] == "fail"
    assert noisy["evidence"]["unwaived"][0]["template"] == "=HYPERLINK(1)"


def test_check_waiver_in_config_passes(tmp_path: Path) -> None:
    cfg = tmp_path / "noise.toml"
    cfg.write_text(
        '[[waivers]]\ntemplate = "=HYPERLINK(1)"\nflag = "flooding"\nreason = "digest soon"\n',
        encoding="utf-8",
    )
    assert run("check", log(tmp_path, noisy_log()), "--config", cfg).returncode == 0


def test_check_strict_fails_on_no_data(tmp_path: Path) -> None:
    events = [e for e in healthy_log() if not e["event_type"].startswith("stream_")]
    path = log(tmp_path, events)
    lenient = run("check", path)
    assert lenient.returncode == 0, lenient.stdout
    assert "NO DATA" in lenient.stdout
    strict = run("check", path, "--strict", "--format", "junit")
    assert strict.returncode == 1
    root = ET.fromstring(strict.stdout)
    assert [f.get("type") for f in root.iter("failure")] == ["no_data"]


def test_check_markdown(tmp_path: Path) -> None:
    result = run("check", log(tmp_path, noisy_log()), "--format", "markdown")
    assert result.returncode == 1
    assert result.stdout.startswith("# Go-live checklist")
    assert "| FAIL | `noisy_template_monitoring`" in result.stdout


# --- bad usage and unreadable input: exit 2, one line, no traceback ------------------------------


@pytest.mark.parametrize("command", ["metrics", "check"])
def test_no_input_is_bad_usage(command: str) -> None:
    one_line_error(run(command), "give log files")


@pytest.mark.parametrize("command", ["metrics", "check"])
def test_missing_file(tmp_path: Path, command: str) -> None:
    one_line_error(run(command, tmp_path / "nope.jsonl"), "nope.jsonl")


def test_missing_database(tmp_path: Path) -> None:
    one_line_error(run("metrics", "--db", tmp_path / "nope.duckdb"), "no such database")


def test_unreadable_file(tmp_path: Path) -> None:
    bad = tmp_path / "broken.parquet"
    bad.write_bytes(b"this is not parquet")
    one_line_error(run("check", bad), "broken.parquet")


def test_bad_timestamp(tmp_path: Path) -> None:
    one_line_error(run("metrics", log(tmp_path, healthy_log()), "--since", "yesterday"), "--since")


def test_bad_config(tmp_path: Path) -> None:
    cfg = tmp_path / "noise.toml"
    cfg.write_text("[flags]\nloud = 1\n", encoding="utf-8")
    one_line_error(run("check", log(tmp_path, healthy_log()), "--config", cfg), "flags.loud")


def test_a_closed_pipe_ends_the_command_quietly(tmp_path: Path) -> None:
    # `metrics ... | head -1`: the reader goes away after one line; no traceback.
    events = [e for t in range(300) for e in bulk(f"T{t}", 3, start=10 * t)]
    path = log(tmp_path, events)
    assert COMMAND is not None
    producer = subprocess.Popen(
        [COMMAND, "metrics", str(path), "--format", "json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert producer.stdout is not None
    producer.stdout.readline()
    producer.stdout.close()  # as `head -1` exits
    _, err = producer.communicate(timeout=120)
    assert [line for line in err.decode().splitlines() if "loading" not in line] == []
    assert producer.returncode == 0
