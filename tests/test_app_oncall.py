"""On-call's path through the dashboard under AppTest: how old the data is, windows in
absolute times, the reconnect that lost a notification, re-uploads that add nothing.

The dashboard fixture's events are from January 2024 (stale on any day this runs); the
reconnect log below is five lines a reader can check by hand.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import dashboard_fixture
import pandas as pd
import pytest
from events_fixture import event, sent, write_jsonl
from streamlit.testing.v1 import AppTest
from template_noise import db, freshness
from template_noise.app import charts
from template_noise.app.ui import CONFIG_ENV, DATA_DIR_ENV, DB_ENV
from template_noise.ingest import ingest
from test_app_pages import fresh_caches, metric_values, open_page, table  # noqa: F401

PAGES = ("views/overview.py", "views/template.py", "views/delivery.py",
         "views/checklist.py", "views/data.py")  # fmt: skip
BANNER = "The newest event is from"


def newest_event(path: Path) -> datetime:
    con = db.connect(path, read_only=True)
    try:
        latest = freshness.data_age(con, 24).latest_event
    finally:
        con.close()
    assert latest is not None
    return latest


@pytest.fixture
def db_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = dashboard_fixture.build(tmp_path)
    monkeypatch.setenv(DB_ENV, str(path))
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path))
    return path


def lost_reconnect_log() -> list[dict[str, object]]:
    """u1 drops at minute 10; a notification for u1 is created at 12; u1 is back at 15 and
    nothing delivers it. u2 drops at 5 and gets its minute-6 notification at 7.5."""
    return [
        event("stream_connected", None, 0, user_id="u1", connection_id="c1"),
        event("stream_connected", None, 0, user_id="u2", connection_id="c3"),
        event("stream_disconnected", None, 5, user_id="u2", connection_id="c3"),
        sent("kept-1", 6, template="fine.template", user="u2"),
        event("stream_connected", None, 7, user_id="u2", connection_id="c4"),
        event("delivered", "kept-1", 7.5, user_id="u2", connection_id="c4"),
        event("stream_disconnected", None, 10, user_id="u1", connection_id="c1"),
        sent("lost-1", 12, template="webhook.disabled", user="u1"),
        event("stream_connected", None, 15, user_id="u1", connection_id="c2"),
    ]


@pytest.fixture
def lost_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    log = write_jsonl(tmp_path / "stream.jsonl", lost_reconnect_log())
    path = tmp_path / "stream.duckdb"
    con = db.connect(path)
    try:
        ingest(con, [log])
    finally:
        con.close()
    monkeypatch.setenv(DB_ENV, str(path))
    return path


# ---- data age ------------------------------------------------------------------------------


@pytest.mark.parametrize("page", PAGES)
def test_every_page_says_how_old_the_data_is(db_path: Path, page: str) -> None:
    latest = newest_event(db_path)
    at = open_page(page, template=dashboard_fixture.NOISY)
    banners = [w.value for w in at.warning if BANNER in w.value]
    assert len(banners) == 1
    # 2024-01-0x: at least a year old whenever this runs, shown in days.
    assert banners[0].startswith(f"{BANNER} {freshness.stamp(latest)}, ")
    assert banners[0].endswith(" d ago: windows such as 'last 24 h' end then, not now.")


def test_no_banner_while_the_data_is_fresh_enough(
    db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "lenient.toml"
    config.write_text("max_data_age_hours = 100000000\n", encoding="utf-8")
    monkeypatch.setenv(CONFIG_ENV, str(config))
    at = open_page("views/delivery.py")
    assert not [w for w in at.warning if BANNER in w.value]


def test_windows_are_captioned_in_absolute_times(db_path: Path) -> None:
    latest = newest_event(db_path).replace(tzinfo=None)
    day_before = latest - timedelta(days=1)
    at = open_page("views/delivery.py", window="24h")
    captions = " ".join(c.value for c in at.caption)
    assert (
        f"24 h before the newest event: {day_before:%Y-%m-%d %H:%M} \N{EN DASH} "
        f"{latest:%Y-%m-%d %H:%M} UTC" in captions
    )
    at.segmented_control(key="d_window").set_value("7d").run()
    assert "7 days before the newest event: " in " ".join(c.value for c in at.caption)
    # The shared caption of the other pages: the first notification to the newest event.
    overview = open_page()
    assert (
        f"Window: all data: 2024-01-01 00:00 \N{EN DASH} {latest:%Y-%m-%d %H:%M} UTC"
        in " ".join(c.value for c in overview.caption)
    )
    since = open_page(since="2024-01-02", until="2024-01-03")
    assert "Window: 2024-01-02 00:00 \N{EN DASH} 2024-01-03 00:00 UTC" in " ".join(
        c.value for c in since.caption
    )


def test_the_data_page_shows_the_latest_event_in_full(db_path: Path) -> None:
    latest = newest_event(db_path)
    at = open_page("views/data.py")
    text = " ".join(m.value for m in at.markdown)
    assert f"**Latest event:** {freshness.stamp(latest)}, " in text  # "2024-01-03 ...", whole
    assert metric_values(at)["Data age"].endswith(" d")


# ---- Delivery ------------------------------------------------------------------------------


def test_with_no_match_every_delivery_card_says_so(db_path: Path) -> None:
    at = open_page("views/delivery.py", q="no-such-template", window="all")
    shown = {m.label: (m.value, m.help) for m in at.metric}
    assert shown["Max attempts"][0] == "—"  # not 0
    assert {value for value, _ in shown.values()} == {"—"}
    assert all("No notification" in str(why) for _, why in shown.values())


def test_the_reconnect_that_lost_a_notification_comes_first_and_names_it(lost_db: Path) -> None:
    at = open_page("views/delivery.py", window="all")
    outages = table(at, "user_id", "lost", "lost_notifications")
    assert outages["user_id"].tolist() == ["u1", "u2"]  # u1's is newer, but u1's lost one
    first = outages.iloc[0]
    assert (first["created_while_offline"], first["delivered_after_reconnect"]) == (1, 0)
    assert first["lost"] == 1 and list(first["lost_notifications"]) == ["lost-1 (webhook.disabled)"]
    assert outages.iloc[1]["lost"] == 0
    assert any("1 reconnect(s) lost 1 notification(s)" in w.value for w in at.warning)


def test_the_disconnects_follow_the_template_filter(lost_db: Path) -> None:
    at = open_page("views/delivery.py", window="all", q="fine")
    outages = table(at, "user_id", "lost", "lost_notifications")
    # Only u2's outage saw a "fine" notification; u1's lost webhook is not this filter's.
    assert outages[["user_id", "created_while_offline", "lost"]].values.tolist() == [["u2", 1, 0]]
    assert not any("lost" in w.value for w in at.warning)


def test_stream_counts_tick_at_whole_numbers() -> None:
    buckets = pd.to_datetime(["2026-10-29 14:00", "2026-10-29 15:00"])
    df = pd.DataFrame(
        {"bucket": buckets, "connects": [1, 0], "disconnects": [1, 0], "reconnects": [0, 1]}
    )
    fig = charts.stream(df)
    assert fig.layout.yaxis.dtick == 1 and fig.layout.yaxis.tickformat == ",d"
    # Two buckets are categories, labelled as times people read, not ISO text.
    assert list(fig.layout.xaxis.ticktext) == ["Oct 29 14:00", "Oct 29 15:00"]


# ---- Data: uploads -------------------------------------------------------------------------

GOOD = (
    '{"event_type": "sent", "occurred_at": "2024-01-02T00:00:00Z", "notification_id": "up-1",'
    ' "user_id": "u1", "template": "uploaded.one", "title": "t", "body": "b"}\n'
)
BAD_LINES = "{not json\n" + '{"event_type": "bounced", "occurred_at": "2024-01-02"}\n'


def upload(at: AppTest, *files: tuple[str, str]) -> AppTest:
    at.file_uploader(key="data_upload").set_value(
        [(name, text.encode(), "application/json") for name, text in files]
    )
    at.button(key="data_upload_submit").click().run()
    assert not at.exception
    return at


def test_uploading_the_same_file_again_adds_no_rejects(db_path: Path) -> None:
    at = open_page("views/data.py")
    assert metric_values(at)["Rejected lines"] == "1"  # the fixture's own bad line
    upload(at, ("october.jsonl", GOOD + BAD_LINES))
    assert metric_values(at)["Rejected lines"] == "3"
    upload(at, ("october.jsonl", GOOD + BAD_LINES))
    assert metric_values(at)["Rejected lines"] == "3"  # was 5: each upload added them again
    loads = table(at, "load_id", "files")
    assert loads["files"].tolist()[:2] == ["october.jsonl", "october.jsonl"]
    rejects = table(at, "load_id", "file", "line", "raw")
    assert sorted(rejects.loc[rejects["file"] == "october.jsonl", "line"]) == [2, 3]


def test_a_new_error_replaces_the_last_report(db_path: Path) -> None:
    at = upload(open_page("views/data.py"), ("good.jsonl", GOOD))
    assert table(at, "file", "events_loaded", "rejected")["file"].tolist() == ["good.jsonl"]
    upload(at, ("broken.parquet", "not parquet"))
    assert not [d for d in at.dataframe if {"file", "events_loaded"} <= set(d.value.columns)]
    failed = [w.value for w in at.warning if "The last load failed" in w.value]
    assert len(failed) == 1 and "broken.parquet: cannot read file" in failed[0]
