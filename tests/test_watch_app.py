"""The dashboard's Alerts page, the open alerts on the Overview and the incident window on
the Template page (streamlit AppTest), over a database `watch` has written. One alerted
template's name is markup: it must show as text."""

from __future__ import annotations

import json
from pathlib import Path

import dashboard_fixture
import pytest
from apptest_fixture import APP, fresh_caches  # noqa: F401  (autouse)
from events_fixture import write_jsonl
from streamlit.testing.v1 import AppTest
from template_noise import cli
from template_noise.app.ui import DB_ENV
from watch_fixture import hourly_log

HOSTILE = "<img src=x onerror=alert(1)>**A**"


@pytest.fixture
def watched(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A's spike (resolved) under a hostile name, B's drop (open)."""
    log = [e | {"template": HOSTILE} if e["template"] == "A" else e for e in hourly_log()]
    path = tmp_path / "w.duckdb"
    assert (
        cli.main(["ingest", str(write_jsonl(tmp_path / "log.jsonl", log)), "--db", str(path)]) == 0
    )
    assert cli.main(["watch", "--db", str(path), "--as-of", "2024-01-09T15:10"]) == 1
    monkeypatch.setenv(DB_ENV, str(path))
    return path


def open_page(page: str | None = None, **query: str) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params.update(query)
    at.run()
    if page:
        at.switch_page(page)
        at.query_params.update(query)
        at.run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    return at


def no_markup(at: AppTest) -> None:
    """The hostile name never reaches an element that renders Markdown or HTML."""
    for kind in ("markdown", "caption", "warning", "info", "title", "subheader"):
        for el in at.get(kind):
            assert "<img" not in str(getattr(el, "value", "")), (kind, el)


def test_the_alerts_page_lists_open_and_resolved_alerts(watched: Path) -> None:
    at = open_page("views/alerts.py")
    shown = {m.label: m.value for m in at.metric}
    assert shown["Open alerts"] == "1" and shown["Resolved alerts"] == "1"
    frame = at.dataframe[0].value
    assert list(zip(frame["status"], frame["kind"], frame["template"], strict=True)) == [
        ("open", "drop", "B"), ("resolved", "spike", HOSTILE),
    ]  # fmt: skip
    assert len(at.get("plotly_chart")) == 1  # the timeline
    no_markup(at)


def test_the_overview_shows_the_open_alerts(watched: Path) -> None:
    at = open_page()
    assert any("1 open alert(s) from `watch`: 1 drop" in w.value for w in at.warning)
    # display-only dataframes carry no key in the element tree: found by their columns
    frames = [d.value for d in at.dataframe if "evidence" in d.value.columns]
    assert len(frames) == 1 and frames[0]["template"].tolist() == ["B"]
    no_markup(at)


def test_the_template_page_marks_the_incident_window(watched: Path) -> None:
    # what a selected row on the Alerts page opens: the template, the alert, a window
    at = open_page("views/template.py", template="B", alert=_drop_id(watched),
                   since="2024-01-08", until="2024-01-10")  # fmt: skip
    chart = at.get("plotly_chart")[0]
    spec = json.loads(chart.proto.spec)
    shapes = spec["layout"].get("shapes", [])
    assert len(shapes) == 1 and shapes[0]["x0"].startswith("2024-01-09T14:00")
    no_markup(at)


def _drop_id(path: Path) -> str:
    from template_noise import db
    from template_noise.watch.detect import stored_alerts

    con = db.connect(path, read_only=True)
    try:
        return next(a.alert_id for a in stored_alerts(con) if a.kind == "drop")
    finally:
        con.close()


def test_no_alert_yet(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(DB_ENV, str(dashboard_fixture.build(tmp_path)))
    at = open_page("views/alerts.py")
    assert any("No alert stored yet" in i.value for i in at.info)
    assert not open_page().warning or all("open alert" not in w.value for w in open_page().warning)
