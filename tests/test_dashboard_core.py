"""The dashboard's core pieces without Streamlit: URL state, sign-offs, chart series, and the
header contract of every queries/dash_*.sql and sign-off query."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import dashboard_fixture
import pytest
from events_fixture import event, load, sent
from template_noise import checklist, db, metrics, queries, series, signoff
from template_noise.app import urlstate
from template_noise.config import load_config
from template_noise.errors import InputError
from template_noise.filters import Filters

QUERIES = Path(queries.QUERIES_DIR)
DASH_QUERIES = sorted(
    name
    for name in queries.names()
    if name.startswith(("dashboard/", "signoff/")) or name == "store/data_fingerprint"
)


# ---- URL state ------------------------------------------------------------------------------


def test_filters_round_trip_through_the_url() -> None:
    f = Filters(
        since=datetime(2026, 10, 1),
        until=datetime(2026, 10, 8, 12, 30),
        severities=("warning", "unset"),
        scopes=("organization",),
        template_search="webhook",
        dedup_window_minutes=15,
    )
    query = urlstate.query_from_filters(f)
    assert query == {
        "since": "2026-10-01",
        "until": "2026-10-08T12:30:00",
        "severity": "warning,unset",
        "scope": "organization",
        "q": "webhook",
        "dedup": "15",
    }
    parsed = urlstate.filters_from_query(query)
    assert parsed.filters == f and parsed.problems == []


def test_no_filters_means_an_empty_query() -> None:
    assert urlstate.query_from_filters(Filters()) == {}
    assert urlstate.filters_from_query({}).filters == Filters()


def test_bad_url_values_are_dropped_and_reported() -> None:
    parsed = urlstate.filters_from_query(
        {"since": "last tuesday", "severity": "warning,loud", "scope": "planet", "dedup": "0"}
    )
    assert parsed.filters == Filters(severities=("warning",))
    assert len(parsed.problems) == 4


def test_an_offset_in_the_url_is_converted_to_utc() -> None:
    parsed = urlstate.filters_from_query({"since": "2026-10-01T02:00:00+02:00"})
    assert parsed.filters.since == datetime(2026, 10, 1, 0, 0)


def test_severities_seen_in_the_data_are_accepted() -> None:
    parsed = urlstate.filters_from_query({"severity": "critical"}, severities=("critical",))
    assert parsed.filters.severities == ("critical",)


def test_day_range_and_window_are_inverse() -> None:
    since, until = urlstate.window_from_days(date(2026, 10, 1), date(2026, 10, 7))
    assert (since, until) == (datetime(2026, 10, 1), datetime(2026, 10, 8))
    assert urlstate.day_range(Filters(since=since, until=until)) == (
        date(2026, 10, 1),
        date(2026, 10, 7),
    )


# ---- sign-offs ------------------------------------------------------------------------------


@pytest.fixture
def con(tmp_path: Path):  # type: ignore[no-untyped-def]
    path = dashboard_fixture.build(tmp_path)
    c = db.connect(path)
    yield c
    c.close()


def test_sign_off_is_appended_with_result_and_fingerprint(con) -> None:  # type: ignore[no-untyped-def]
    result = checklist.evaluate(con, load_config()).as_json()
    first = signoff.record(con, name=" Ada ", role="release owner", result=result,
                           waivers={"inbox_flows": "tested by QA"},
                           signed_at=datetime(2026, 11, 1, 9, 0, tzinfo=UTC))  # fmt: skip
    second = signoff.record(con, name="Ben", role="on-call", result=result, notes="ok")
    assert (first.signoff_id, second.signoff_id) == (1, 2)
    history = signoff.history(con)
    assert [s.signoff_id for s in history] == [2, 1]  # newest first
    old = history[1]
    assert (old.name, old.role, old.waivers) == (
        "Ada",
        "release owner",
        {"inbox_flows": "tested by QA"},
    )
    assert old.signed_at == datetime(2026, 11, 1, 9, 0)
    assert old.status == result["status"]
    assert old.result == json.loads(json.dumps(result))
    assert old.data_fingerprint == signoff.data_fingerprint(con)


def test_fingerprint_changes_with_the_data(con, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from template_noise.ingest import ingest

    before = signoff.data_fingerprint(con)
    assert before == signoff.data_fingerprint(con)  # deterministic
    extra = tmp_path / "one_more.jsonl"
    extra.write_text(json.dumps(sent("late-1", 9000, template="late")) + "\n", encoding="utf-8")
    ingest(con, [extra])
    assert signoff.data_fingerprint(con) != before


def test_fingerprint_does_not_depend_on_load_order(tmp_path: Path) -> None:
    events = [sent(f"n{i}", i) for i in range(5)]
    a = load(tmp_path, events, "a.jsonl")
    b = load(tmp_path, list(reversed(events)), "b.jsonl")
    assert signoff.data_fingerprint(a) == signoff.data_fingerprint(b)


@pytest.mark.parametrize(("name", "role"), [("", "owner"), ("Ada", "  "), ("x" * 201, "owner")])
def test_sign_off_needs_a_name_and_a_role(con, name: str, role: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError):
        signoff.record(con, name=name, role=role, result={"status": "pass", "items": []})
    assert signoff.history(con) == []


def test_waivers_parse_one_per_line() -> None:
    text = "noisy_template_monitoring: accepted for launch\n\n webhook.disabled : fix in 2.1 "
    assert signoff.parse_waivers(text) == {
        "noisy_template_monitoring": "accepted for launch",
        "webhook.disabled": "fix in 2.1",
    }
    with pytest.raises(InputError, match="line 1"):
        signoff.parse_waivers("no reason given")


def test_markdown_report_escapes_what_people_typed(con) -> None:  # type: ignore[no-untyped-def]
    result = checklist.evaluate(con, load_config())
    signoff.record(con, name="Eve | <script>", role="owner\nnew row", result=result.as_json())
    md = signoff.markdown_report(
        checklist.render_markdown(result), signoff.history(con),
        data_fingerprint=signoff.data_fingerprint(con),
    )  # fmt: skip
    assert md.startswith("# Go-live checklist")
    assert "## Sign-offs" in md
    row = next(line for line in md.splitlines() if "Eve" in line)
    assert "Eve \\| &lt;script&gt;" in row and "owner new row" in row
    assert "current" in row
    for item in result.items:
        assert f"`{item.id}`" in md


# ---- series ---------------------------------------------------------------------------------


def test_series_add_up_to_the_metrics(con) -> None:  # type: ignore[no-untyped-def]
    cfg = load_config()
    for f in (Filters(), Filters(severities=("warning",)), Filters(dedup_window_minutes=5)):
        want = metrics.compute_metrics(con, f, cfg).set_index("template")
        volume = series.volume_over_time(con, f, cfg, "day")
        assert volume.groupby("template")["sent"].sum().to_dict() == want["sent"].to_dict()
        assert volume.groupby("template")["failed"].sum().to_dict() == want["failed"].to_dict()
        for template in want.index:
            over = series.template_over_time(con, f, cfg, template, "hour")
            assert over["duplicates"].sum() == want.loc[template, "duplicates"]
        attempts = series.attempts(con, f, cfg)
        assert attempts["created"].sum() == want["sent"].sum()
        if len(want):
            assert attempts["attempts"].max() == want["max_attempts"].max()


def test_template_detail_series(con) -> None:  # type: ignore[no-untyped-def]
    cfg, f = load_config(), Filters()
    t = dashboard_fixture.NOISY
    assert series.template_breakdown(con, f, cfg, t).values.tolist() == [["warning", "user", 60]]
    keysets = series.template_keysets(con, f, cfg, t)
    assert keysets[["key_set", "notifications"]].values.tolist() == [["endpoint_id", 60]]
    examples = series.template_examples(con, f, cfg, t, limit=3)
    assert len(examples) == 3 and examples["created_at"].is_monotonic_decreasing
    top = series.template_recipients(con, f, cfg, t, limit=2)
    assert top["sent"].tolist() == [2, 2] and top["duplicates"].tolist() == [1, 1]


def test_stream_series(con) -> None:  # type: ignore[no-untyped-def]
    cfg, f = load_config(), Filters()
    stream = series.stream_over_time(con, f, cfg, "day")
    assert stream[["connects", "disconnects", "reconnects"]].sum().tolist() == [2, 1, 1]
    outages = series.stream_outages(con, f, cfg)
    assert outages[
        ["user_id", "created_while_offline", "delivered_after_reconnect"]
    ].values.tolist() == [["u1", 1, 1]]


def test_pick_unit() -> None:
    assert series.pick_unit(None, None) == "day"
    assert series.pick_unit(datetime(2026, 1, 1), datetime(2026, 1, 2)) == "hour"
    assert series.pick_unit(datetime(2026, 1, 1), datetime(2026, 3, 1)) == "day"
    assert series.pick_unit(datetime(2025, 1, 1), datetime(2026, 3, 1)) == "week"


# ---- the SQL header contract -------------------------------------------------------------------


def _declared_columns(name: str) -> list[str]:
    declared = queries.columns(name)
    assert declared, f"{name}.sql: no '-- columns:' line"
    return declared


@pytest.mark.parametrize("name", DASH_QUERIES)
def test_dashboard_query_returns_its_declared_columns(name: str, con) -> None:  # type: ignore[no-untyped-def]
    params = {
        "unit": "day", "template": dashboard_fixture.NOISY, "limit": 5, "since": None, "until": None,
        "signed_at": datetime(2026, 1, 1), "signer_name": "n", "signer_role": "r", "notes": None,
        "waivers": "{}", "status": "pass", "result": "{}", "data_fingerprint": "x",
        "signoff_id": 1, "signer_email": None, "identity": "typed", "prev_hash": "0" * 64,
        "row_hash": "h", "decision": "approve", "config_fingerprint": "c", "submit_token": "t",
    }  # fmt: skip
    text = queries.load_sql(name)
    assert text.startswith(f"-- {name}:"), "the header names the query"
    if "tn_" in text:  # calls a metric macro (metrics/macros.sql): set up on its cursor
        frame = metrics.run_query(con, name, Filters(), load_config(), **params)
    else:
        frame = queries.run(
            con, name, **{k: v for k, v in params.items() if k in queries.parameters(name)}
        )
    assert list(frame.columns) == _declared_columns(name)


# ---- charts ---------------------------------------------------------------------------------


def test_chart_labels_keep_markup_literal(con) -> None:  # type: ignore[no-untyped-def]
    from template_noise.app import charts

    ranking = metrics.compute_metrics(con, Filters(), load_config())
    fig = charts.volume_vs_read_rate(ranking)
    names = [
        n for trace in fig.data for n in (trace.hovertext if trace.hovertext is not None else [])
    ]
    assert any("&lt;script&gt;" in n for n in names)
    assert not any("<script>" in n for n in names)
    assert charts.label("a & <b>") == "a &amp; &lt;b&gt;"


def test_charts_draw_empty_frames(con) -> None:  # type: ignore[no-untyped-def]
    from template_noise.app import charts

    cfg, nothing = load_config(), Filters(template_search="no such template")
    assert charts.volume_over_time(
        series.volume_over_time(con, nothing, cfg, "day"), []
    ).layout.annotations
    assert charts.latency(series.delivery_latency(con, nothing, cfg), None, None).layout.annotations
    assert charts.attempts(series.attempts(con, nothing, cfg)).layout.annotations
    latency = series.delivery_latency(con, Filters(), cfg)
    fig = charts.latency(latency, 0.5, 2.0)
    assert len(fig.layout.shapes) == 2  # the p50 and p95 marks


def test_key_sets_count_every_kind_of_metadata(tmp_path: Path) -> None:
    # Key sets are counted from the state's hash and named from one notification each;
    # non-object metadata is named by its JSON type, missing and {} are both "(none)".
    metadatas: list[object] = [{"a": 1, "b": 2}, {"b": 3, "a": 4}, {"a": 5}, {}, None,
                               [1, 2], "text", 7, {"c": {"d": 1}}]  # fmt: skip
    events = []
    for i, md in enumerate(metadatas):
        fields = {} if md is None else {"metadata": md}
        events.append(sent(f"n{i}", i, template="K", user=f"u{i}", body=f"b{i}", **fields))
    events.append(sent("late", 30, template="K", user="u9", body="late", metadata={"a": 0, "b": 0}))
    con = load(tmp_path, events)
    got = series.template_keysets(con, Filters(), load_config(), "K")
    assert got[["key_set", "is_object", "notifications"]].values.tolist() == [
        ["a, b", True, 3],
        ["(none)", True, 2],
        ["(not an object: array)", False, 1],
        ["(not an object: ubigint)", False, 1],
        ["(not an object: varchar)", False, 1],
        ["a", True, 1],
        ["c", True, 1],
    ]
    assert got["share"].sum() == pytest.approx(1.0)
    examples = series.template_examples(con, Filters(), load_config(), "K", limit=2)
    assert examples["notification_id"].tolist() == ["late", "n8"]
    assert examples["body"].tolist() == ["late", "b8"]


def test_delivery_latency_keeps_the_first_rows_by_creation(tmp_path: Path) -> None:
    # Several per minute, ties on created_at broken by notification_id; the cutoff minute
    # (where the limit-th row lies) must not lose or add rows.
    events = []
    for i in range(12):
        minute = i // 3 + (i % 3) / 10 if i % 4 else i // 3
        events += [sent(f"n{i:02d}", minute, user=f"u{i}", body=f"b{i}"),
                   event("delivered", f"n{i:02d}", minute + 0.5 + i / 100)]  # fmt: skip
    events.append(sent("tie", 0, user="ux", body="tie"))
    events.append(event("delivered", "tie", 0.25))
    con = load(tmp_path, events)
    cfg = load_config()
    every = series.delivery_latency(con, Filters(), cfg, limit=100)
    assert len(every) == 13
    for limit in (1, 2, 4, 5, 7, 13):
        assert series.delivery_latency(con, Filters(), cfg, limit=limit).equals(every.head(limit))
