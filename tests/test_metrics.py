"""Each SPEC metric on a tiny event list whose expected value can be checked by hand.

Times are minutes after T0 = 2024-01-01 00:00 UTC (see events_fixture.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from events_fixture import NO_FILTERS, T0, Event, at, config, event, load, sent, ts
from template_noise.config import Config
from template_noise.filters import Filters
from template_noise.metrics import (
    compute_metrics,
    overall_metrics,
    records,
    resolve_as_of,
    run_query,
)

DAY = 24 * 60


def metrics(
    tmp_path: Path, events: list[Event], filters: Filters = NO_FILTERS, cfg: Config | None = None
) -> dict[str, dict[str, Any]]:
    """template -> its metrics row."""
    con = load(tmp_path, events)
    df = compute_metrics(con, filters, cfg or config())
    return {row["template"]: row for row in records(df)}


def one(
    tmp_path: Path, events: list[Event], filters: Filters = NO_FILTERS, **cfg: Any
) -> dict[str, Any]:
    """The metrics of template "T"."""
    return metrics(tmp_path, events, filters, config(**cfg))["T"]


def notifications(tmp_path: Path, events: list[Event]) -> dict[str, dict[str, Any]]:
    con = load(tmp_path, events)
    df = run_query(con, "metrics/notifications", NO_FILTERS, config())
    return {row["notification_id"]: row for row in records(df)}


# --- volume and recipients ---------------------------------------------------------------


def test_sent_and_recipients(tmp_path: Path) -> None:
    m = one(tmp_path, [sent("a", 0, user="u1"), sent("b", 1, user="u2"), sent("c", 2, user="u1")])
    assert (m["sent"], m["recipients"]) == (3, 2)


def test_organization_and_workspace_recipients(tmp_path: Path) -> None:
    events = [
        sent("o1", 0, template="Org", user=None, organization_id="acme", body="1"),
        sent("o2", 1, template="Org", user=None, organization_id="acme", body="2"),
        sent("o3", 2, template="Org", user=None, organization_id="globex", body="3"),
        sent("w1", 3, template="Ws", user=None, workspace_id="w9", organization_id="acme"),
        sent("u1", 4, template="User", user="acme", organization_id="acme"),
    ]
    rows = notifications(tmp_path, events)
    assert rows["o1"]["recipient"] == "organization:acme"
    assert rows["o1"]["scope"] == "organization"
    # A workspace-scoped notification names its org too; the workspace is the audience.
    assert (rows["w1"]["recipient"], rows["w1"]["scope"]) == ("workspace:w9", "workspace")
    # A user id wins, and is never confused with the org of the same name.
    assert (rows["u1"]["recipient"], rows["u1"]["scope"]) == ("acme", "user")
    m = metrics(tmp_path, events)
    assert (m["Org"]["sent"], m["Org"]["recipients"], m["Org"]["max_per_user_day"]) == (3, 2, 2)
    assert m["Org"]["scopes"] == ["organization"]
    assert m["Ws"]["scopes"] == ["workspace"]


def test_max_per_user_day_counts_utc_days(tmp_path: Path) -> None:
    events = [
        # u1: 3 on Jan 1 (the last at 23:59), 2 on Jan 2 (the first at 00:00)
        sent("a", 0, body="1"), sent("b", 600, body="2"), sent("c", DAY - 1, body="3"),
        sent("d", DAY, body="4"), sent("e", DAY + 5, body="5"),
        sent("f", 1, user="u2", body="6"),
    ]  # fmt: skip
    assert one(tmp_path, events)["max_per_user_day"] == 3


def test_recipients_since_mid_day_follow_time_not_id_order(tmp_path: Path) -> None:
    # u1's four on 1 January, ids in another order than times: n1 11:00, n2 13:00,
    # n3 10:00, n4 14:00. Since 12:00, n2 and n4 are in the window: one recipient. In
    # id order, n2 (after n1, 11:00) and n4 (after n3, 10:00) would each look like the
    # first of u1's sequence in the window, and u1 would be counted twice.
    events = [
        sent("n1", 11 * 60, body="1"), sent("n2", 13 * 60, body="2"),
        sent("n3", 10 * 60, body="3"), sent("n4", 14 * 60, body="4"),
    ]  # fmt: skip
    m = one(tmp_path, events, Filters(since=ts(12 * 60)))
    assert (m["sent"], m["recipients"], m["max_per_user_day"]) == (2, 1, 2)


# --- duplicates -------------------------------------------------------------------------


def test_duplicate_window_is_inclusive(tmp_path: Path) -> None:
    # b is exactly 60 minutes after a: a duplicate. c is 61 minutes after b: not.
    m = one(tmp_path, [sent("a", 0), sent("b", 60), sent("c", 121)])
    assert (m["duplicates"], m["duplicate_rate"]) == (1, pytest.approx(1 / 3))


def test_duplicates_chain_compare_with_the_previous_one(tmp_path: Path) -> None:
    # 0, 50, 100, 150: each within 60 minutes of the previous, so 3 duplicates of 4.
    m = one(tmp_path, [sent(n, t) for n, t in [("a", 0), ("b", 50), ("c", 100), ("d", 150)]])
    assert m["duplicates"] == 3


def test_duplicates_need_same_recipient_and_content(tmp_path: Path) -> None:
    events = [
        sent("a", 0, user="u1"),
        sent("b", 1, user="u2"),  # other recipient
        sent("c", 2, user="u1", body="other body"),  # other content
        sent("d", 3, user="u1", title="other title"),
    ]
    assert one(tmp_path, events)["duplicates"] == 0


def test_duplicates_ignore_metadata_key_order(tmp_path: Path) -> None:
    events = [
        sent("a", 0, metadata={"endpoint_id": "ep_1", "n": 1}),
        sent("b", 5, metadata={"n": 1, "endpoint_id": "ep_1"}),  # same object: duplicate
        sent("c", 10, metadata={"n": 2, "endpoint_id": "ep_1"}),  # other value: not
    ]
    assert one(tmp_path, events)["duplicates"] == 1


def test_dedup_key_wins_over_content(tmp_path: Path) -> None:
    events = [
        sent("a", 0, dedup_key="evt-1", body="first wording"),
        sent("b", 5, dedup_key="evt-1", body="second wording"),  # same business event
        sent("c", 10, dedup_key="evt-2", body="second wording"),  # same text, new event
    ]
    assert one(tmp_path, events)["duplicates"] == 1


def test_dedup_window_comes_from_filters_or_config(tmp_path: Path) -> None:
    events = [sent("a", 0), sent("b", 45)]
    assert one(tmp_path, events)["duplicates"] == 1
    assert one(tmp_path, events, Filters(dedup_window_minutes=30))["duplicates"] == 0
    assert one(tmp_path, events, dedup_window_minutes=30)["duplicates"] == 0


def test_duplicate_of_a_notification_before_the_window(tmp_path: Path) -> None:
    # Duplicate status belongs to the notification, wherever the window starts.
    m = one(tmp_path, [sent("a", 0), sent("b", 30)], Filters(since=ts(10)))
    assert (m["sent"], m["duplicates"]) == (1, 1)


# --- engagement ----------------------------------------------------------------------------


def test_read_rate_has_ever_semantics(tmp_path: Path) -> None:
    events = [
        sent("a", 0, body="1"), sent("b", 1, body="2"), sent("c", 2, body="3"), sent("d", 3, body="4"),
        event("read", "a", 10),
        event("read", "b", 10), event("unread", "b", 20),  # read once: still read
        event("read", "a", 30),  # read twice: one notification
    ]  # fmt: skip
    assert one(tmp_path, events)["read_rate"] == 0.5


def test_archive_and_archived_unread(tmp_path: Path) -> None:
    events = [
        sent("a", 0, body="1"), sent("b", 1, body="2"), sent("c", 2, body="3"),
        sent("d", 3, body="4"), sent("e", 4, body="5"),
        event("archived", "a", 10),  # never read: archived unread
        event("read", "b", 5), event("archived", "b", 10),  # read first
        event("read", "c", 10), event("archived", "c", 10),  # read at the archive: read
        event("archived", "d", 10), event("read", "d", 20),  # read after: archived unread
        event("unarchived", "a", 30),  # ever archived
    ]  # fmt: skip
    m = one(tmp_path, events)
    assert m["archive_rate"] == 4 / 5
    assert m["archived_unread_rate"] == 2 / 5


def test_star_rate(tmp_path: Path) -> None:
    events = [sent(n, i, body=n) for i, n in enumerate("abcd")]
    events += [event("starred", "a", 10), event("unstarred", "a", 11)]
    assert one(tmp_path, events)["star_rate"] == 0.25


def test_cta_click_rate_over_notifications_with_a_cta(tmp_path: Path) -> None:
    cta = [{"label": "Open", "payload": "https://app.example.com/x"}]
    events = [
        sent("a", 0, body="1", ctas=cta),
        sent("b", 1, body="2", action_url="https://app.example.com/y", action_label="Go"),
        sent("c", 2, body="3"),
        sent("d", 3, body="4"),
        event("clicked", "a", 5),
        event("clicked", "c", 5),  # no CTA: not in the rate
        sent("n", 0, template="NoCta"),
    ]
    m = metrics(tmp_path, events)
    assert m["T"]["cta_click_rate"] == 0.5
    assert m["NoCta"]["cta_click_rate"] is None


# --- expiry -------------------------------------------------------------------------------


def test_expiry_coverage_and_wacht_default(tmp_path: Path) -> None:
    def exp(minutes: float) -> str:
        return at(minutes)

    d90 = 90 * DAY
    events = [
        sent("a", 0, body="1", expires_hours=24),  # chosen
        sent("b", 0, body="2", expires_at=exp(d90)),  # exactly the server default: none
        sent("c", 0, body="3", expires_at=exp(d90 + 0.5)),  # within a minute: none
        sent("d", 0, body="4", expires_at=exp(d90 + 2)),  # 2 minutes off: chosen
        sent("e", 0, body="5", expires_at=exp(DAY)),  # chosen
        sent("f", 0, body="6"),  # none
    ]
    assert one(tmp_path, events)["expiry_coverage"] == 3 / 6
    # With a 30-day server default, b and c are real 90-day choices; nothing sits at 30.
    assert one(tmp_path, events, default_expiry_days=30)["expiry_coverage"] == 5 / 6


def test_expires_in_hours_alias_counts_as_expiry(tmp_path: Path) -> None:
    m = one(tmp_path, [sent("a", 0, expires_in_hours=12), sent("b", 1, body="x")])
    assert m["expiry_coverage"] == 0.5


def test_expired_unread_rate(tmp_path: Path) -> None:
    events = [
        sent("a", 0, body="1", expires_hours=1),  # expires at 60, never read: unread
        sent("b", 0, body="2", expires_hours=1), event("read", "b", 30),  # read in time
        sent("c", 0, body="3", expires_hours=1), event("read", "c", 90),  # read too late
        sent("d", 0, body="4", expires_hours=240),  # not expired at as_of
        sent("e", 0, body="5"),  # no expiry
        event("read", "e", DAY),  # the latest event: as_of = one day
    ]  # fmt: skip
    assert one(tmp_path, events)["expired_unread_rate"] == pytest.approx(2 / 3)


def test_expired_unread_rate_is_null_without_expired(tmp_path: Path) -> None:
    assert one(tmp_path, [sent("a", 0, expires_hours=24)])["expired_unread_rate"] is None


def test_stale_unread_rate(tmp_path: Path) -> None:
    events = [
        sent("a", 0, body="1"),  # stale
        sent("b", 0, body="2"), event("read", "b", 5),
        sent("c", 0, body="3"), event("archived", "c", 5),
        sent("d", 0, body="4", expires_hours=1),
        sent("e", 3 * DAY, body="5"),  # exactly as_of - 7 days: stale
        sent("f", 3 * DAY + 1, body="6"),  # a minute younger: not yet
    ]  # fmt: skip
    m = one(tmp_path, events, Filters(as_of=ts(10 * DAY)))
    assert m["stale_unread_rate"] == 2 / 6
    assert one(tmp_path, events, Filters(as_of=ts(10 * DAY)), stale_days=1)[
        "stale_unread_rate"
    ] == pytest.approx(3 / 6)


# --- sending -------------------------------------------------------------------------------


def test_failures_retries_and_attempts(tmp_path: Path) -> None:
    events = [
        sent("a", 0, body="1"),
        event("send_failed", "b", 0, template="T", user_id="u1"), sent("b", 1, body="2"),
        event("send_failed", "c", 0, template="T", user_id="u1"),
        event("send_failed", "c", 1, template="T", user_id="u1"),  # never sent: failed
        sent("d", 2, body="4"),
    ]  # fmt: skip
    m = one(tmp_path, events)
    assert (m["sent"], m["failed"]) == (3, 1)
    assert m["failure_rate"] == 1 / 4  # failed / (created + failed)
    assert m["retry_rate"] == 2 / 4  # b and c took 2 attempts
    assert m["max_attempts"] == 2


def test_attempt_number_counts_when_earlier_attempts_are_not_logged(tmp_path: Path) -> None:
    m = one(tmp_path, [sent("a", 0, attempt=7)])
    assert m["max_attempts"] == 7


def test_failed_notification_without_template_is_unknown(tmp_path: Path) -> None:
    m = metrics(tmp_path, [sent("a", 0), event("send_failed", "x", 1, user_id="u1")])
    assert (m["(unknown)"]["sent"], m["(unknown)"]["failure_rate"]) == (0, 1.0)
    assert m["(unknown)"]["read_rate"] is None


# --- payload ----------------------------------------------------------------------------------


def test_severities_and_scopes(tmp_path: Path) -> None:
    events = [
        sent("a", 0, body="1", severity="Warning"),
        sent("b", 1, body="2", severity="info"),
        sent("c", 2, body="3", severity=None),
    ]
    m = one(tmp_path, [{k: v for k, v in e.items() if v is not None} for e in events])
    assert m["severities"] == ["info", "unset", "warning"]
    assert m["scopes"] == ["user"]


def test_metadata_invalid_and_drift(tmp_path: Path) -> None:
    events = [sent(f"n{i}", i, body=str(i), metadata={"a": i, "b": 1}) for i in range(6)]
    events += [
        sent("n6", 6, body="6", metadata={"b": 1, "a": 6}),  # same key set, other order
        sent("n7", 7, body="7", metadata={"a": 7}),  # drift
        sent("n8", 8, body="8"),  # no metadata: the empty key set, drift
        sent("n9", 9, body="9", metadata="not an object"),  # invalid only
    ]
    m = one(tmp_path, events)
    assert m["metadata_invalid_rate"] == 1 / 10
    assert m["metadata_drift_rate"] == 2 / 10


def test_delivery_null_without_delivered_events(tmp_path: Path) -> None:
    m = one(tmp_path, [sent("a", 0)])
    assert m["delivery_rate"] is None and m["delivery_p50_s"] is None


def test_delivery_rate_and_latency(tmp_path: Path) -> None:
    events = [sent(n, 0, body=n) for n in "abcd"]
    events += [
        event("delivered", "a", 10 / 60),  # 10 s
        event("delivered", "b", 30 / 60),  # 30 s
        event("delivered", "b", 5),  # a later delivery does not count
        sent("x", 0, template="Other"),
    ]
    m = metrics(tmp_path, events)
    assert m["T"]["delivery_rate"] == 0.5
    assert m["T"]["delivery_p50_s"] == pytest.approx(20.0)
    assert m["T"]["delivery_p95_s"] == pytest.approx(29.0)  # 10 + 0.95 * 20
    # The data has deliveries, so a template without any has rate 0, latency unknown.
    assert (m["Other"]["delivery_rate"], m["Other"]["delivery_p50_s"]) == (0.0, None)


# --- window, filters, as_of -----------------------------------------------------------------


def test_window_is_half_open_on_created_at(tmp_path: Path) -> None:
    events = [sent(n, t, body=n) for n, t in [("a", 0), ("b", 10), ("c", 20)]]
    m = one(tmp_path, events, Filters(since=ts(10), until=ts(20)))
    assert m["sent"] == 1


def test_aware_datetimes_bind_as_utc(tmp_path: Path) -> None:
    from datetime import timedelta, timezone

    plus2 = timezone(timedelta(hours=2))
    events = [sent(n, t, body=n) for n, t in [("a", 0), ("b", 120)]]
    m = one(tmp_path, events, Filters(since=(T0 + timedelta(minutes=60)).astimezone(plus2)))
    assert m["sent"] == 1


def test_as_of_defaults_to_the_latest_event_and_ignores_later_events(tmp_path: Path) -> None:
    events = [sent("a", 0), event("read", "a", 100)]
    con = load(tmp_path, events)
    assert resolve_as_of(con, NO_FILTERS, config()) == ts(100)
    early = compute_metrics(con, Filters(as_of=ts(50)), config()).iloc[0]
    assert early["read_rate"] == 0.0  # the read had not happened yet
    assert compute_metrics(con, NO_FILTERS, config()).iloc[0]["read_rate"] == 1.0


def test_filters_severity_scope_and_template_search(tmp_path: Path) -> None:
    events = [
        sent("a", 0, template="Webhook endpoint disabled", severity="warning"),
        sent("b", 1, template="Password changed", severity="info"),
        sent("c", 2, template="Org notice", user=None, organization_id="o1"),
    ]
    con = load(tmp_path, events)

    def names(f: Filters) -> list[str]:
        return sorted(compute_metrics(con, f, config())["template"])

    assert names(Filters(severities=("warning",))) == ["Webhook endpoint disabled"]
    assert names(Filters(scopes=("organization",))) == ["Org notice"]
    assert names(Filters(template_search="WEBHOOK")) == ["Webhook endpoint disabled"]
    assert names(Filters(template_search="%")) == []  # literal text, not a pattern
    assert len(names(NO_FILTERS)) == 3


def test_overall_metrics_pool_every_template(tmp_path: Path) -> None:
    events = [sent("a", 0), sent("b", 1, template="U"), event("read", "a", 5)]
    o = overall_metrics(load(tmp_path, events), NO_FILTERS, config())
    assert (o["sent"], o["read_rate"], o["recipients"]) == (2, 0.5, 1)


def test_empty_database(tmp_path: Path) -> None:
    con = load(tmp_path, [])
    assert compute_metrics(con, NO_FILTERS, config()).empty
    assert overall_metrics(con, NO_FILTERS, config())["sent"] == 0
    assert resolve_as_of(con, NO_FILTERS, config()) is None
