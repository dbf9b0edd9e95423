"""Every dashboard page under streamlit.testing.v1.AppTest, on a small log in tmp_path.

The pages must run without an exception, show their key widgets, and show the numbers the
core functions (metrics.compute_metrics, overall_metrics, checklist.evaluate) give for the
same filters: the dashboard and the CLI never disagree.
"""

from __future__ import annotations

import tempfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

import dashboard_fixture
import pandas as pd
import pytest
from apptest_fixture import APP, fresh_caches  # noqa: F401  (autouse)
from streamlit.testing.v1 import AppTest
from template_noise import checklist, db, metrics, signoff
from template_noise.app.ui import DATA_DIR_ENV, DB_ENV
from template_noise.config import load_config
from template_noise.filters import Filters
from template_noise.format import seconds

TIMEOUT = 60


@pytest.fixture
def db_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = dashboard_fixture.build(tmp_path)
    monkeypatch.setenv(DB_ENV, str(path))
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path))  # the Data page loads paths under it
    return path


def core(db_path: Path, fn: Any, *args: Any) -> Any:
    """Run a core function on its own connection to the test database."""
    con = db.connect(db_path, read_only=True)  # a snapshot, as the served app reads it
    try:
        return fn(con, *args)
    finally:
        con.close()


def expected_metrics(db_path: Path, filters: Filters) -> pd.DataFrame:
    return core(db_path, metrics.compute_metrics, filters, load_config())


def open_page(page: str | None = None, **query: str) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.query_params.update(query)
    at.run()
    if page:
        at.switch_page(page)
        at.query_params.update(query)
        at.run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    return at


def table(at: AppTest, *columns: str, exact: bool = False) -> pd.DataFrame:
    """The one dataframe on the page holding these columns (display-only dataframes carry
    no key in the element tree, so they are found by what they show)."""
    found = [
        d.value
        for d in at.dataframe
        if (
            list(d.value.columns) == list(columns)
            if exact
            else set(columns) <= set(d.value.columns)
        )
    ]
    assert len(found) == 1, (columns, [list(d.value.columns) for d in at.dataframe])
    return found[0]


def metric_values(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def sidebar_keys(at: AppTest) -> None:
    assert at.date_input(key="f_days")
    assert at.multiselect(key="f_severity")
    assert at.multiselect(key="f_scope")
    assert at.text_input(key="f_search")
    assert at.number_input(key="f_dedup")
    assert at.button(key="f_reset")


def ranking_matches(shown: pd.DataFrame, expected: pd.DataFrame) -> None:
    # The grid shows a few columns (the CSV has them all): those it shows are the core's.
    assert shown["template"].tolist() == expected["template"].tolist()
    for col in ("sent", "max_per_user_day", "noisy"):
        assert shown[col].tolist() == expected[col].tolist(), col
    for col in ("read_rate", "duplicate_rate", "archived_unread_rate"):
        pd.testing.assert_series_equal(
            shown[col].reset_index(drop=True), expected[col].reset_index(drop=True),
            check_names=False,
        )  # fmt: skip
    assert [list(f) for f in shown["flags"]] == [list(f) for f in expected["flags"]]


def test_no_pages_folder_beside_the_entry_script() -> None:
    # Streamlit runs a pages/ folder beside the entry script as a legacy multipage app: the
    # first request to a fresh server then runs the page alone, without main.py's login
    # guard and filters. The page scripts live in views/ for that reason.
    assert not (APP.parent / "pages").exists()
    assert sorted(p.name for p in (APP.parent / "views").glob("*.py")) == [
        "alerts.py", "checklist.py", "data.py", "delivery.py", "overview.py", "rollups.py",
        "template.py", "whatif.py",
    ]  # fmt: skip


# ---- Overview ---------------------------------------------------------------------------


def test_overview_shows_the_core_ranking(db_path: Path) -> None:
    at = open_page()
    sidebar_keys(at)
    expected = expected_metrics(db_path, Filters())
    ranking_matches(at.dataframe[0].value, expected)
    overall = core(db_path, metrics.overall_metrics, Filters(), load_config())
    shown = metric_values(at)
    assert shown["Templates"] == str(len(expected))
    assert shown["Noisy templates"] == str(int(expected["noisy"].sum()))
    assert shown["Notifications sent"] == f"{overall['sent']:,}"
    assert shown["Read rate"] == f"{overall['read_rate']:.1%}"
    assert len(at.get("plotly_chart")) == 2
    # Row selection opens a template in the same tab; no link column opening a new tab.
    assert "open" not in at.dataframe[0].value.columns


def test_overview_noisy_templates_rank_first(db_path: Path) -> None:
    shown = open_page().dataframe[0].value
    noisy = shown["noisy"].tolist()
    assert noisy == sorted(noisy, reverse=True)
    assert shown.iloc[0]["template"] == dashboard_fixture.NOISY or bool(shown.iloc[0]["noisy"])


def test_changing_a_filter_updates_url_and_numbers(db_path: Path) -> None:
    at = open_page()
    at.multiselect(key="f_severity").set_value(["warning"]).run()
    assert not at.exception
    assert at.query_params["severity"] == "warning"
    ranking_matches(
        at.dataframe[0].value, expected_metrics(db_path, Filters(severities=("warning",)))
    )
    at.text_input(key="f_search").input("password").run()
    assert at.query_params["q"] == "password"
    # warning + "password": nothing left, said in words
    assert any("No notifications match" in i.value for i in at.info)
    assert metric_values(at)["Templates"] == "0"
    # a rate over nothing: a dash and the reason, not None or n/a
    assert metric_values(at)["Read rate"] == "—"
    assert "nothing sent in this window" in [c.value for c in at.caption]


def test_filters_come_from_the_url(db_path: Path) -> None:
    at = open_page(q="api", scope="organization", dedup="5")
    assert at.text_input(key="f_search").value == "api"
    assert at.multiselect(key="f_scope").value == ["organization"]
    assert at.number_input(key="f_dedup").value == 5
    want = Filters(scopes=("organization",), template_search="api", dedup_window_minutes=5)
    ranking_matches(at.dataframe[0].value, expected_metrics(db_path, want))


def test_time_range_filter(db_path: Path) -> None:
    # The log spans 2024-01-01 to 01-03; the URL's until is exclusive, the picker inclusive.
    at = open_page(since="2024-01-02", until="2024-01-03")
    assert at.date_input(key="f_days").value == (date(2024, 1, 2), date(2024, 1, 2))
    want = Filters(since=datetime(2024, 1, 2), until=datetime(2024, 1, 3))
    ranking_matches(at.dataframe[0].value, expected_metrics(db_path, want))
    assert (at.query_params["since"], at.query_params["until"]) == ("2024-01-02", "2024-01-03")
    # The whole range of the data is no restriction at all: it leaves the URL.
    at.date_input(key="f_days").set_value((date(2024, 1, 1), date(2024, 1, 3))).run()
    assert "since" not in at.query_params and "until" not in at.query_params
    ranking_matches(at.dataframe[0].value, expected_metrics(db_path, Filters()))


def test_a_bad_url_parameter_is_ignored_not_fatal(db_path: Path) -> None:
    at = open_page(since="yesterday", scope="galaxy", dedup="-3")
    ranking_matches(at.dataframe[0].value, expected_metrics(db_path, Filters()))
    captions = " ".join(c.value for c in at.caption)
    assert "since" in captions and "scope" in captions


# ---- Template ----------------------------------------------------------------------------


def test_template_page_shows_the_core_row(db_path: Path) -> None:
    at = open_page("views/template.py", template=dashboard_fixture.NOISY)
    assert at.selectbox(key="t_template").value == dashboard_fixture.NOISY
    row = expected_metrics(db_path, Filters()).set_index("template").loc[dashboard_fixture.NOISY]
    shown = metric_values(at)
    assert shown["Sent"] == f"{row['sent']:,}"
    assert shown["Duplicate rate"] == f"{row['duplicate_rate']:.1%}"
    assert shown["Read rate"] == f"{row['read_rate']:.1%}"
    assert shown["Max per user per day"] == str(row["max_per_user_day"])
    # labelled and formatted as the catalogue says; nobody read this template, so its time
    # to read is undefined: "—" with the catalogue's reason, not None or n/a
    assert pd.isna(row["time_to_read_p50_s"])
    assert shown["Time to read p50"] == "—"
    assert "no notification read" in [c.value for c in at.caption]
    charts = at.get("plotly_chart")
    assert len(charts) == 2
    table(at, "severity", "scope", "notifications")
    table(at, "key_set", "share")
    table(at, "title", "body", "metadata")
    table(at, "recipient", "archived_unread")


def test_selecting_a_ranking_row_keeps_the_filters_on_the_template_page(db_path: Path) -> None:
    # Non-default filters, then a row selected as a user does: the Template page shows that
    # template under the same filters (st.switch_page used to drop the sidebar's values:
    # since became today and the dedup window 1 minute, "no notifications").
    at = open_page(severity="warning", dedup="5")
    assert at.dataframe[0].value["template"].tolist() == [dashboard_fixture.NOISY]
    at.session_state["ov_ranking"] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at.run()
    assert not at.exception, at.exception
    assert at.selectbox(key="t_template").value == dashboard_fixture.NOISY
    assert at.number_input(key="f_dedup").value == 5
    assert at.multiselect(key="f_severity").value == ["warning"]
    assert at.date_input(key="f_days").value == (date(2024, 1, 1), date(2024, 1, 3))
    assert dict(at.query_params) == {
        "template": dashboard_fixture.NOISY, "severity": "warning", "dedup": "5"
    }  # fmt: skip
    assert not any("no notifications" in w.value for w in at.warning)
    want = Filters(severities=("warning",), dedup_window_minutes=5)
    row = expected_metrics(db_path, want).set_index("template").loc[dashboard_fixture.NOISY]
    shown = metric_values(at)
    assert shown["Sent"] == f"{row['sent']:,}"
    # 10 minutes between the repeats: none is a duplicate within 5 minutes
    assert shown["Duplicate rate"] == f"{row['duplicate_rate']:.1%}" == "0.0%"


def test_template_page_explains_every_flag_and_what_to_change(db_path: Path) -> None:
    at = open_page("views/template.py", template=dashboard_fixture.NOISY)
    row = expected_metrics(db_path, Filters()).set_index("template").loc[dashboard_fixture.NOISY]
    assert list(row["flags"]) == ["duplicates", "ignored", "no_expiry"]
    verdicts = table(at, "flag", "status", "fires when")
    assert len(verdicts) == 10  # every flag, fired or not, with its rule
    fired = verdicts[verdicts["status"] == "fires"]
    assert fired["flag"].tolist() == ["duplicates", "ignored", "no_expiry"]
    rules = dict(zip(verdicts["flag"], verdicts["fires when"], strict=True))
    assert rules["ignored"] == "Read rate below 20.0% (with at least 50 sent)"
    assert rules["send_failures"] == "Failure rate above 2.0% (with at least 50 sent + failed)"
    captions = [c.value for c in at.caption]
    assert "of sent · below 20.0%: ignored" in captions  # beside the read rate card
    assert "of sent · above 1.0%: duplicates" in captions
    assert any(h.value == "What to change" for h in at.subheader)
    # duplicates: 30 pairs, the same endpoint_id in each but one value for every original:
    # no candidate, said so
    keys = table(at, "key", "pairs_same", "candidate")
    assert keys[["key", "pairs", "pairs_same", "candidate"]].values.tolist() == [
        ["endpoint_id", 30, 30, False]
    ]
    assert any("No metadata key repeats" in t.value for t in at.text)
    pairs = table(at, "notification_id", "earlier_id", "minutes_after")
    assert len(pairs) == 20 and set(pairs["minutes_after"]) == {10.0}
    # no_expiry, and nobody read it: no time to read to base an expires_hours on
    assert any("no time to read" in c for c in captions)
    assert any(
        c.startswith("Expiry coverage 0.0% of sent — below 90.0%: no_expiry") for c in captions
    )


def test_template_page_guidance_on_the_bundled_sample(monkeypatch: pytest.MonkeyPatch) -> None:
    # The sample in memory (no --db), as `template-noise serve` starts without arguments.
    monkeypatch.delenv(DB_ENV, raising=False)
    at = open_page("views/template.py", template="operations.api_key_rotated")
    assert any(h.value == "What to change" for h in at.subheader)
    # ignored, no_expiry and stale fire; one expiry suggestion for both expiry flags: 29 of
    # 320 read, the 95th percentile of their time to read is 2.96 h, so 3 h, keeping 27
    suggested = [m for m in at.metric if m.label == "Suggested expires_hours"]
    assert [m.value for m in suggested] == ["3"]
    assert any("expires_hours = 3 keeps 27 of 29 reads (93.1%)" in c.value for c in at.caption)
    at = open_page("views/template.py", template="operations.webhook_endpoint_disabled")
    days = table(at, "recipient", "day", "notifications")
    assert days["notifications"].iloc[0] == 15  # the max_per_user_day of the ranking
    assert metric_values(at)["Max per user per day"] == "15"
    assert "more than 10: flooding" in [c.value for c in at.caption]


def test_template_series_add_up_to_the_metrics(db_path: Path) -> None:
    from template_noise import series

    cfg = load_config()
    want = expected_metrics(db_path, Filters()).set_index("template")
    frame = core(db_path, series.template_over_time, Filters(), cfg, dashboard_fixture.NOISY, "day")
    assert frame["sent"].sum() == want.loc[dashboard_fixture.NOISY, "sent"]
    assert frame["duplicates"].sum() == want.loc[dashboard_fixture.NOISY, "duplicates"]
    volume = core(db_path, series.volume_over_time, Filters(), cfg, "day")
    assert volume.groupby("template")["sent"].sum().to_dict() == want["sent"].to_dict()


def test_picking_another_template_updates_the_url(db_path: Path) -> None:
    at = open_page("views/template.py", template=dashboard_fixture.NOISY)
    at.selectbox(key="t_template").set_value("password.changed").run()
    assert not at.exception
    assert at.query_params["template"] == "password.changed"
    assert metric_values(at)["Sent"] == "56"
    # a duration as the catalogue formats it, in the largest whole unit
    row = expected_metrics(db_path, Filters()).set_index("template").loc["password.changed"]
    assert metric_values(at)["Time to read p50"] == seconds(row["time_to_read_p50_s"])


def test_untrusted_text_is_shown_as_text(db_path: Path) -> None:
    xss_template = next(
        t for t in expected_metrics(db_path, Filters())["template"] if "<script>" in t
    )
    at = open_page("views/template.py", template=xss_template)
    codes = [c.value for c in at.code]
    assert xss_template in codes
    assert dashboard_fixture.XSS_TITLE in codes  # the inspected example's title
    for md in at.markdown:
        assert "<script>" not in md.value and "onerror" not in md.value
    assert not at.get("html")
    examples = table(at, "title", "body", "metadata")
    assert examples["title"].tolist() == [dashboard_fixture.XSS_TITLE]


# ---- Delivery health -----------------------------------------------------------------------


def test_delivery_page_over_all_data_equals_overall_metrics(db_path: Path) -> None:
    at = open_page("views/delivery.py")
    assert at.query_params["window"] == "7d"
    at.segmented_control(key="d_window").set_value("all").run()
    assert not at.exception
    assert at.query_params["window"] == "all"
    overall = core(db_path, metrics.overall_metrics, Filters(), load_config())
    shown = metric_values(at)
    assert shown["Failure rate"] == f"{overall['failure_rate']:.1%}"
    assert shown["Retry rate"] == f"{overall['retry_rate']:.1%}"
    assert shown["Max attempts"] == str(overall["max_attempts"])
    assert shown["Latency p95"] == f"{overall['delivery_p95_s']:.2f} s"
    assert len(at.get("plotly_chart")) == 4
    per_template = table(at, "template", "failure_rate", "delivery_p95_s")
    want = expected_metrics(db_path, Filters()).set_index("template")
    for _, row in per_template.iterrows():
        assert row["failed"] == want.loc[row["template"], "failed"]
    outages = table(at, "user_id", "created_while_offline")
    assert outages[
        ["user_id", "created_while_offline", "delivered_after_reconnect"]
    ].values.tolist() == [["u1", 1, 1]]


def test_delivery_window_from_the_url(db_path: Path) -> None:
    at = open_page("views/delivery.py", window="24h")
    assert at.segmented_control(key="d_window").value == "24h"


# ---- Go-live checklist ---------------------------------------------------------------------


def test_checklist_page_shows_every_item_as_evaluated(db_path: Path) -> None:
    at = open_page("views/checklist.py")
    result = core(db_path, lambda con: checklist.evaluate(con, load_config()))
    items = table(at, "item", "status", "evidence", "threshold")
    assert items["item"].tolist() == [i.id for i in result.items]
    assert items["status"].tolist() == [i.status.replace("_", " ").upper() for i in result.items]
    assert items["evidence"].tolist() == [i.summary for i in result.items]
    counts = result.counts()
    shown = metric_values(at)
    assert (shown["Passed"], shown["Failed"], shown["No data"]) == tuple(
        str(counts[k]) for k in ("pass", "fail", "no_data")
    )
    fingerprint = core(db_path, signoff.data_fingerprint)
    assert shown["Data fingerprint"] == fingerprint[:12]
    assert at.download_button(key="cl_download")
    assert at.text_input(key="so_name") and at.text_input(key="so_role")


def test_checklist_page_reads_like_the_cli(db_path: Path) -> None:
    # One renderer for both: the page's status labels and threshold text are the lines of
    # `template-noise check`.
    at = open_page("views/checklist.py")
    result = core(db_path, lambda con: checklist.evaluate(con, load_config()))
    items = table(at, "item", "status", "evidence", "threshold")
    text = checklist.render_text(result)
    for row in items.itertuples():
        assert f"{row.status:<7}  {row.item}" in text
        assert f"threshold: {row.threshold}\n" in text


def _review(
    at: AppTest, decision: str | None = "approve", waivers: str = "", **fields: str
) -> None:
    """Fill the sign-off form and press "Review sign-off" (nothing is written yet)."""
    at.text_input(key="so_name").input(fields.get("name", "Ada Lovelace"))
    at.text_input(key="so_role").input(fields.get("role", "release owner"))
    at.text_area(key="so_notes").input(fields.get("notes", ""))
    at.text_area(key="so_waivers").input(waivers)
    if decision is not None:
        at.radio(key="so_decision").set_value(decision)
    at.button(key="so_submit").click().run()
    assert not at.exception, at.exception


def test_sign_off_is_stored_and_listed(db_path: Path) -> None:
    # Since issue 16: a decision is required and the write waits for a confirmation.
    at = open_page("views/checklist.py")
    _review(at, notes="<b>checked</b> on staging",
            waivers="realtime_reconnection: verified by hand")  # fmt: skip
    assert core(db_path, signoff.history) == []  # reviewed, not written
    fingerprint = core(db_path, signoff.data_fingerprint)
    assert any(f"Confirm: approve sign-off of data fingerprint {fingerprint[:12]}" in m.value
               for m in at.markdown)  # fmt: skip
    at.button(key="so_confirm").click().run()
    assert not at.exception
    assert any("Signed off as #1 (approve)" in s.value for s in at.success)
    history = table(at, "name", "role", "data")
    assert history[["name", "role", "data", "decision"]].values.tolist() == [
        ["Ada Lovelace", "release owner", "current", "approve"]
    ]
    stored = core(db_path, signoff.history)
    assert [(s.name, s.decision, s.waivers) for s in stored] == [
        ("Ada Lovelace", "approve", {"realtime_reconnection": "verified by hand"})
    ]
    assert stored[0].config_fingerprint == load_config().fingerprint()
    result = core(db_path, lambda con: checklist.evaluate(con, load_config()))
    assert stored[0].status == result.status
    assert [i["id"] for i in stored[0].items] == [i.id for i in result.items]
    # The form is cleared, and a rerun (or the confirmation pressed again) adds nothing.
    assert at.text_input(key="so_name").value == "" and at.radio(key="so_decision").value is None
    assert not [b for b in at.button if b.key == "so_confirm"]
    at.run()
    assert len(core(db_path, signoff.history)) == 1


def test_sign_off_needs_name_and_role(db_path: Path) -> None:
    at = open_page("views/checklist.py")
    at.text_input(key="so_name").input("Ada")
    at.radio(key="so_decision").set_value("approve")
    at.button(key="so_submit").click().run()
    assert not at.exception
    assert any("Not signed" in w.value for w in at.warning)
    assert core(db_path, signoff.history) == []


def test_sign_off_needs_a_decision(db_path: Path) -> None:
    at = open_page("views/checklist.py")
    assert at.radio(key="so_decision").value is None  # no default
    _review(at, decision=None)
    assert any("choose a decision: approve or reject" in w.value for w in at.warning)
    assert not [b for b in at.button if b.key == "so_confirm"]
    assert core(db_path, signoff.history) == []


def test_a_mistyped_waiver_is_refused_with_the_closest_item(db_path: Path) -> None:
    at = open_page("views/checklist.py")
    _review(at, waivers="inbox_flows: fine\nnoisy_templat_monitoring: accepted for launch")
    warning = " ".join(w.value for w in at.warning)
    assert "waiver line 2" in warning and "'noisy_template_monitoring'" in warning
    assert not [b for b in at.button if b.key == "so_confirm"]
    assert at.text_area(key="so_waivers").value.startswith("inbox_flows")  # kept to fix
    assert core(db_path, signoff.history) == []


def test_cancel_writes_nothing(db_path: Path) -> None:
    at = open_page("views/checklist.py")
    _review(at, decision="reject")
    at.button(key="so_cancel").click().run()
    assert not [b for b in at.button if b.key == "so_confirm"]
    assert core(db_path, signoff.history) == []


def test_checklist_evidence_is_text_not_a_json_tree(db_path: Path) -> None:
    at = open_page("views/checklist.py")
    assert not at.json
    result = core(db_path, lambda con: checklist.evaluate(con, load_config()))
    first = result.items[0]
    code = at.code[0].value
    assert code.splitlines()[-1].startswith("threshold: ")
    assert all(f"{k.replace('_', ' ')}" in code or k in code for k in first.evidence)


def test_checklist_sidebar_says_the_filters_do_not_apply(db_path: Path) -> None:
    at = open_page("views/checklist.py")
    assert any("do not apply on this page" in i.value for i in at.sidebar.info)
    at = open_page()
    assert not any("do not apply" in i.value for i in at.sidebar.info)


# ---- Data --------------------------------------------------------------------------------


def test_data_page_freshness_and_rejects(db_path: Path) -> None:
    at = open_page("views/data.py")
    shown = metric_values(at)
    assert shown["Rejected lines"] == "1"
    assert shown["Templates"] == "4"
    for key in ("data_upload", "data_path"):
        assert at.get("file_uploader") if key == "data_upload" else at.text_input(key=key)
    reasons = table(at, "reason", "rejects", "files")
    assert reasons["reason"].tolist() == ["invalid JSON"]


def test_loading_by_path_reports_and_refreshes(db_path: Path, tmp_path: Path) -> None:
    extra = tmp_path / "more.jsonl"
    extra.write_text(
        '{"event_type": "sent", "occurred_at": "2024-01-05T00:00:00Z", "notification_id": "n-new",'
        ' "user_id": "u1", "template": "brand.new", "title": "t", "body": "b"}\n'
        '{"event_type": "sent", "occurred_at": "not a time", "notification_id": "n-bad"}\n',
        encoding="utf-8",
    )
    at = open_page("views/data.py")
    at.text_input(key="data_path").input(str(extra))
    at.button(key="data_path_submit").click().run()
    assert not at.exception
    files = table(at, "file", "events_loaded", "rejected")
    assert files[["events_loaded", "rejected"]].values.tolist() == [[1, 1]]
    rejects = table(at, "file", "line", "column", "reason", exact=True)
    assert rejects["line"].tolist() == [2]
    assert metric_values(at)["Templates"] == "5"
    # The other pages see the new data at once (the cache key follows the data).
    at.switch_page("views/overview.py").run()
    assert "brand.new" in at.dataframe[0].value["template"].tolist()


def test_a_missing_path_is_an_error_not_a_crash(db_path: Path) -> None:
    at = open_page("views/data.py")
    at.text_input(key="data_path").input("nonexistent/logs/*.jsonl")
    at.button(key="data_path_submit").click().run()
    assert not at.exception
    assert any("Not loaded" in e.value and "match" in e.value for e in at.error)


def test_uploading_files_loads_them(
    db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(uploads))  # where the copies go
    at = open_page("views/data.py")
    log = (
        '{"event_type": "sent", "occurred_at": "2024-01-02T00:00:00Z", "notification_id": "up-1",'
        ' "user_id": "u1", "template": "uploaded.one", "title": "t", "body": "b"}\n'
        "event_type,occurred_at,notification_id,user_id,template,title,body\n"
    )
    csv = (
        "event_type,occurred_at,notification_id,user_id,template,title,body\n"
        "sent,2024-01-02T01:00:00Z,up-2,u2,uploaded.two,t,b\n"
        "bounced,2024-01-02T01:00:00Z,up-3,u2,uploaded.two,t,b\n"
    )
    at.file_uploader(key="data_upload").set_value(
        [("../../etc/evil name.jsonl", log.encode(), "application/json"),
         ("more.csv", csv.encode(), "text/csv")]
    )  # fmt: skip
    at.button(key="data_upload_submit").click().run()
    assert not at.exception
    files = table(at, "file", "events_loaded", "rejected")
    assert files["events_loaded"].tolist() == [1, 1]
    assert files["rejected"].tolist() == [1, 1]  # a stray CSV header line; an unknown event
    # Listed under the names given (a name, never a path), not the temporary copies'.
    assert files["file"].tolist() == ["evil name.jsonl", "more.csv"]
    assert list(uploads.iterdir()) == []  # the copies are gone
    assert metric_values(at)["Templates"] == "6"


def test_the_database_comes_from_argv_then_the_environment() -> None:
    from template_noise.app.ui import source_from

    assert source_from(["--db", "a.duckdb"], {DB_ENV: "b.duckdb"}).db == "a.duckdb"
    assert source_from(["--db=a.duckdb", "--config", "t.toml"], {}).config == "t.toml"
    assert source_from([], {DB_ENV: "b.duckdb"}).db == "b.duckdb"
    assert source_from([], {}).db is None  # the bundled sample, in memory
