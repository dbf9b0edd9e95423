"""`template-noise report`: the weekly noise report in Markdown and HTML, with the alerts
that `watch` stored; untrusted template names stay text in both."""

from __future__ import annotations

from pathlib import Path

import pytest
from events_fixture import sent, write_jsonl
from template_noise import cli
from template_noise.watch.report import md
from watch_fixture import hourly_log

HOSTILE = "<img src=x onerror=alert(1)>|**bold**"


@pytest.fixture
def db_with_alerts(tmp_path: Path) -> Path:
    log = hourly_log()
    # a noisy template with a hostile name: sent 60 times to one user on the last day
    log += [sent(f"h{i}", 8 * 24 * 60 + 600 + i, template=HOSTILE, user="victim", body="same")
            for i in range(60)]  # fmt: skip
    path = tmp_path / "r.duckdb"
    assert (
        cli.main(["ingest", str(write_jsonl(tmp_path / "log.jsonl", log)), "--db", str(path)]) == 0
    )
    assert cli.main(["watch", "--db", str(path), "--as-of", "2024-01-09T15:10"]) == 1
    return path


def test_markdown_report(db_with_alerts: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert cli.main(["report", "--db", str(db_with_alerts)]) == 0
    out = capsys.readouterr().out
    # the latest event: B's last send at 23:57:31 on the 9th
    assert out.startswith("# Noise report, 2024-01-02 23:57 to 2024-01-09 23:57 UTC")
    assert "## Top noisy templates" in out and "## Biggest movers" in out
    assert "## Alerts (1 open)" in out
    assert "| spike | A | resolved | 2024-01-09 10:00 | 2024-01-09 12:00 |" in out
    assert "| drop | B | open | 2024-01-09 14:00 | - |" in out
    assert "## Go-live checklist: " in out
    assert HOSTILE not in out and "<img" not in out
    assert md(HOSTILE) in out  # the name, escaped, in the noisy templates


def test_html_report_escapes_untrusted_names(
    db_with_alerts: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert cli.main(["report", "--db", str(db_with_alerts), "--format", "html"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("<!doctype html>")
    assert "<img" not in out
    assert "&lt;img src=x onerror=alert(1)&gt;|**bold**" in out
    assert "<h2>Alerts (1 open)</h2>" in out


def test_movers_compare_with_the_previous_period(
    db_with_alerts: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    cli.main(["report", "--db", str(db_with_alerts), "--since", "2024-01-09"])
    out = capsys.readouterr().out
    # up to the latest event (23:57:31) against as long a period before it (from 00:02:29
    # on the 8th, so A's 00:00 send falls out): A sent 22 x 10 + 2 x 100 = 420 against 239
    assert "| A | 239 | 420 | +76% |" in out


def test_markdown_escaping() -> None:
    assert md("a|b") == "a\\|b"
    assert md("<script>") == "&lt;script&gt;"
    assert md("x\ny") == "x y"
