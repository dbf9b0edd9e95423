"""Each go-live checklist item on a passing and a failing event list, and the renderers.

`healthy_log()` passes all nine items; each failing case changes one thing about it.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import pytest
from events_fixture import Event, config, event, healthy_log, load, sent
from template_noise.checklist import (
    ITEMS,
    ChecklistResult,
    evaluate,
    render_junit,
    render_markdown,
    render_text,
)
from template_noise.checklist.render import STATUS_LABEL, evidence_json, threshold_text
from template_noise.config import Config, Convention, Waiver


def check(
    tmp_path: Path, events: list[Event], cfg: Config | None = None, strict: bool = False
) -> ChecklistResult:
    return evaluate(load(tmp_path, events), cfg or config(), strict=strict)


def status(tmp_path: Path, events: list[Event], item: str, cfg: Config | None = None) -> str:
    result = check(tmp_path, events, cfg)
    return next(i.status for i in result.items if i.id == item)


def without(events: list[Event], kind: str, nid: str | None = None) -> list[Event]:
    return [
        e
        for e in events
        if not (e["event_type"] == kind and nid in (None, e.get("notification_id")))
    ]


def test_nine_items_in_spec_order() -> None:
    assert [i.id for i in ITEMS] == [
        "scope_severity_conventions", "inbox_flows", "realtime_reconnection",
        "noisy_template_monitoring", "expiry_strategy", "bounded_retries", "metadata_stable",
        "no_duplicate_sends", "send_failures",
    ]  # fmt: skip


def test_healthy_log_passes_every_item(tmp_path: Path) -> None:
    result = check(tmp_path, healthy_log())
    assert {i.id: i.status for i in result.items} == {i.id: "pass" for i in ITEMS}
    assert (result.status, result.exit_code) == ("pass", 0)


def test_empty_data_is_no_data_and_strict_fails(tmp_path: Path) -> None:
    result = check(tmp_path, [])
    assert {i.status for i in result.items} == {"no_data"}
    assert (result.status, result.exit_code) == ("pass", 0)
    strict = check(tmp_path, [], strict=True)
    assert (strict.status, strict.exit_code) == ("fail", 1)


# --- scope_severity_conventions -------------------------------------------------------------


def test_scope_severity_two_severities_fail(tmp_path: Path) -> None:
    events = [
        *healthy_log(),
        sent("w", 30, user="u1", body="w", severity="warning", expires_hours=24, metadata={"k": 1}),
    ]
    result = check(tmp_path, events)
    item = result.items[0]
    assert item.status == "fail"
    assert item.evidence["several_severities"] == [
        {"template": "T", "severities": ["info", "warning"]}
    ]


@pytest.mark.parametrize("severity", ["critical", None])
def test_scope_severity_outside_the_allowed_set_fails(tmp_path: Path, severity: str | None) -> None:
    events = []
    for e in healthy_log():
        e = {k: v for k, v in e.items() if k != "severity"}  # None: no severity given
        if severity is not None and e["event_type"] == "sent":
            e["severity"] = severity
        events.append(e)
    assert status(tmp_path, events, "scope_severity_conventions") == "fail"


def test_scope_severity_two_scopes_fail(tmp_path: Path) -> None:
    org = sent("o", 30, user=None, organization_id="acme", expires_hours=24, metadata={"k": 1})
    assert status(tmp_path, [*healthy_log(), org], "scope_severity_conventions") == "fail"


def test_scope_severity_against_the_conventions_file(tmp_path: Path) -> None:
    ok = replace(config(), conventions={"T": Convention("info", "user")})
    assert status(tmp_path, healthy_log(), "scope_severity_conventions", ok) == "pass"
    wrong = replace(config(), conventions={"T": Convention("warning", "user")})
    assert status(tmp_path, healthy_log(), "scope_severity_conventions", wrong) == "fail"
    undocumented = replace(config(), conventions={"Other": Convention("info", "user")})
    result = check(tmp_path, healthy_log(), undocumented)
    assert result.items[0].status == "fail"
    assert result.items[0].evidence["undocumented_templates"] == ["T"]


# --- inbox_flows -----------------------------------------------------------------------------


def test_inbox_flows_fail_without_starred(tmp_path: Path) -> None:
    result = check(tmp_path, without(healthy_log(), "starred"))
    item = result.items[1]
    assert item.status == "fail"
    assert "starred" in item.summary
    assert item.evidence["unread_events"] == 1  # the reverses are reported


# --- realtime_reconnection ---------------------------------------------------------------------


def test_realtime_fails_when_not_redelivered_after_reconnect(tmp_path: Path) -> None:
    # Delivered while the stream was down (before the reconnect) is not enough.
    events = [*without(healthy_log(), "delivered", "gap"), event("delivered", "gap", 115)]
    result = check(tmp_path, events)
    item = result.items[2]
    assert item.status == "fail"
    assert item.evidence["not_redelivered"] == 1
    assert item.evidence["undelivered_examples"] == ["gap (T)"]


def test_realtime_fails_without_a_reconnect(tmp_path: Path) -> None:
    events = [
        e
        for e in healthy_log()
        if not (e["event_type"] == "stream_connected" and e["occurred_at"] > "2024-01-01T01")
    ]
    assert status(tmp_path, events, "realtime_reconnection") == "fail"


def test_realtime_no_data_without_stream_events(tmp_path: Path) -> None:
    events = without(without(healthy_log(), "stream_connected"), "stream_disconnected")
    assert status(tmp_path, events, "realtime_reconnection") == "no_data"


# --- noisy_template_monitoring -----------------------------------------------------------------


def flooded() -> list[Event]:
    # 11 more to u1 on the same day: flooding (any volume), a noisy flag.
    return (
        healthy_log()
        + [
            sent(
                f"f{i}",
                200 + i,
                template="Flood",
                user="u1",
                body=str(i),
                expires_hours=24,
                metadata={"k": 1},
            )
            for i in range(11)
        ]
        + [event("read", f"f{i}", 300) for i in range(11)]
    )


def test_noisy_template_fails_unless_waived(tmp_path: Path) -> None:
    result = check(tmp_path, flooded())
    item = result.items[3]
    assert item.status == "fail"
    assert item.evidence["unwaived"] == [{"template": "Flood", "flag": "flooding", "sent": 11}]
    waived = replace(config(), waivers=(Waiver("Flood", "flooding", "digest planned for Q3"),))
    result = check(tmp_path, flooded(), waived)
    assert result.items[3].status == "pass"
    assert result.items[3].evidence["waived"][0]["reason"] == "digest planned for Q3"


# --- expiry_strategy ---------------------------------------------------------------------------


def test_expiry_strategy_fails_without_expiry(tmp_path: Path) -> None:
    events = [{k: v for k, v in e.items() if k != "expires_hours"} for e in healthy_log()]
    result = check(tmp_path, events)
    item = result.items[4]
    assert item.status == "fail"
    assert item.evidence["expiry_coverage"] == 0.0


def test_expiry_strategy_fails_on_stale_unread(tmp_path: Path) -> None:
    events = [{k: v for k, v in e.items() if k != "expires_hours"} for e in healthy_log()]
    events = [*without(events, "read", "n3"), event("read", "n1", 10 * 24 * 60)]  # 10 days on
    strict_coverage = config(checklist={"min_expiry_coverage": 0.0})
    result = check(tmp_path, events, strict_coverage)
    assert result.items[4].status == "fail"  # 1 of 11 stale > 5%
    assert result.items[4].evidence["stale_unread_rate"] == pytest.approx(1 / 11)


# --- bounded_retries -----------------------------------------------------------------------------


def test_bounded_retries_fail_above_five_attempts(tmp_path: Path) -> None:
    retries = [event("send_failed", "n0", -10 + i, template="T", user_id="u0") for i in range(5)]
    assert status(tmp_path, healthy_log() + retries, "bounded_retries") == "fail"  # 6 attempts
    assert status(tmp_path, healthy_log() + retries[:4], "bounded_retries") == "pass"  # 5


# --- metadata_stable -------------------------------------------------------------------------------


def test_metadata_stable_fails_on_non_object_metadata(tmp_path: Path) -> None:
    events = [*healthy_log(), sent("m", 30, user="u3", body="m", expires_hours=24, metadata="oops")]
    result = check(tmp_path, events)
    assert result.items[6].status == "fail"
    assert result.items[6].evidence["templates"][0]["template"] == "T"


# --- no_duplicate_sends ------------------------------------------------------------------------------


def test_no_duplicate_sends_fails_on_a_duplicate(tmp_path: Path) -> None:
    first = healthy_log()[0]
    events = [
        *healthy_log(),
        {**first, "notification_id": "again", "occurred_at": first["occurred_at"]},
    ]
    result = check(tmp_path, events)
    assert result.items[7].status == "fail"  # 1 of 12 > 1%
    assert result.items[7].evidence["duplicates"] == 1


# --- send_failures --------------------------------------------------------------------------------------


def test_send_failures_fail_above_two_percent(tmp_path: Path) -> None:
    failed = event("send_failed", "lost", 30, template="T", user_id="u1", error="timeout")
    result = check(tmp_path, [*healthy_log(), failed])
    assert result.items[8].status == "fail"  # 1 of 12
    assert result.items[8].evidence["failure_rate"] == pytest.approx(1 / 12)


# --- renderers ---------------------------------------------------------------------------------------


def test_text_and_markdown_name_every_item(tmp_path: Path) -> None:
    result = check(tmp_path, flooded())
    text = render_text(result)
    assert text.startswith("Go-live checklist: FAIL")
    assert all(i.id in text for i in ITEMS)
    md = render_markdown(result)
    assert md.count("\n| ") == 1 + len(ITEMS)


def test_the_words_the_cli_and_the_dashboard_share(tmp_path: Path) -> None:
    assert STATUS_LABEL == {
        "pass": "PASS", "fail": "FAIL", "no_data": "NO DATA", "waived": "WAIVED",
    }  # fmt: skip
    threshold = {
        "max_failure_rate": 0.02,
        "required_events": ["read", "starred"],
        "max_attempts": 5,
    }
    assert threshold_text(threshold) == (
        "max_failure_rate=0.02; required_events=read, starred; max_attempts=5"
    )
    item = check(tmp_path, healthy_log()).items[-1]
    assert json.loads(evidence_json(item)) == {
        "evidence": json.loads(json.dumps(item.as_json()["evidence"])),
        "threshold": {"max_failure_rate": 0.02},
    }


def test_markdown_escapes_pipes(tmp_path: Path) -> None:
    events = [
        *healthy_log(),
        *(sent(f"p{i}", 200 + i, template="a|b", user="u1", body=str(i)) for i in range(11)),
    ]
    md = render_markdown(check(tmp_path, events))
    assert "a\\|b" in md
    rows = [line for line in md.splitlines() if line.startswith("| ")]
    assert {line.replace("\\|", "").count("|") for line in rows} == {5}


def test_junit_is_valid_xml_with_escaped_names(tmp_path: Path) -> None:
    nasty = 'Alert <b> & "quoted"'
    events = [
        *healthy_log(),
        *(sent(f"x{i}", 200 + i, template=nasty, user="u1", body=str(i)) for i in range(11)),
    ]
    root = ET.fromstring(render_junit(check(tmp_path, events)))
    cases = root.findall(".//testcase")
    assert [c.get("name") for c in cases] == [i.id for i in ITEMS]
    failures = root.findall(".//failure")
    assert root.get("failures") == str(len(failures)) and failures
    noisy = next(c for c in cases if c.get("name") == "noisy_template_monitoring")
    failure = noisy.find("failure")
    assert failure is not None and nasty in (failure.get("message") or "")


def test_junit_no_data_is_skipped_or_failed_with_strict(tmp_path: Path) -> None:
    root = ET.fromstring(render_junit(check(tmp_path, [])))
    assert len(root.findall(".//skipped")) == len(ITEMS)
    root = ET.fromstring(render_junit(check(tmp_path, [], strict=True)))
    assert len(root.findall(".//failure")) == len(ITEMS)


def test_json_shape(tmp_path: Path) -> None:
    doc = json.loads(json.dumps(check(tmp_path, healthy_log()).as_json()))
    assert doc["status"] == "pass"
    for item in doc["items"]:
        assert {"id", "status", "evidence", "threshold"} <= set(item)
        assert item["status"] in ("pass", "fail", "no_data")
