"""What-if replays on tiny event lists: every rule and every boundary, checked by hand.

Times are minutes after T0 (events_fixture). Unless a test says otherwise, each
notification has its own body, so only the rule under test can suppress it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from events_fixture import NO_FILTERS, config, event, load, sent
from template_noise import db
from template_noise.cli import main
from template_noise.metrics import compute_metrics
from template_noise.queries import columns, names
from template_noise.whatif import Policy, PolicyError, Rules, parse_policy, simulate
from template_noise.whatif.simulate import COUNTS, Simulation

CFG = config(min_volume=1)


def run(tmp_path: Path, events: list[dict[str, Any]], policy: dict[str, Any]) -> Simulation:
    return simulate(load(tmp_path, events), parse_policy(policy), CFG)


def row(sim: Simulation, template: str = "T") -> dict[str, Any]:
    return dict(sim.templates.set_index("template").loc[template])


def same(nid: str, minute: float, **fields: Any) -> dict[str, Any]:
    """A repeat: template T to u1 with the same title and body (one fingerprint)."""
    return sent(nid, minute, body="same", **fields)


def other(nid: str, minute: float, **fields: Any) -> dict[str, Any]:
    """A notification of T to u1 with a body of its own (a fingerprint of its own)."""
    return sent(nid, minute, body=f"body {nid}", **fields)


DEDUP_60 = {"default": {"dedup_window_minutes": 60}}


# dedup -------------------------------------------------------------------------------


def test_dedup_a_repeat_exactly_at_the_window_edge_is_suppressed(tmp_path: Path) -> None:
    # a at 0 kept; b exactly 60 min after the kept a (inclusive): suppressed; c at 121 is
    # 121 min after a, the last kept one: kept.
    sim = run(tmp_path, [same("a", 0), same("b", 60), same("c", 121)], DEDUP_60)
    r = row(sim)
    assert (r["sent"], r["kept"], r["suppressed_dedup"]) == (3, 2, 1)


def test_dedup_just_past_the_edge_is_kept(tmp_path: Path) -> None:
    sim = run(tmp_path, [same("a", 0), same("b", 60 + 1 / 60)], DEDUP_60)  # 60 min 1 s
    assert row(sim)["suppressed_dedup"] == 0


def test_dedup_chain_the_third_is_outside_the_window_of_the_first_kept(tmp_path: Path) -> None:
    # 0 kept; 40 suppressed (40 <= 60 after 0); 70: the last *kept* is at 0, 70 > 60: kept,
    # although 70 is only 30 min after the suppressed one at 40. Then 100: 30 after 70: gone.
    events = [same("a", 0), same("b", 40), same("c", 70), same("d", 100)]
    sim = run(tmp_path, events, DEDUP_60)
    assert (row(sim)["kept"], row(sim)["suppressed_dedup"]) == (2, 2)


def test_dedup_two_at_the_same_instant_the_smaller_id_is_kept(tmp_path: Path) -> None:
    events = [same("n2", 0), same("n1", 0), event("read", "n2", 5)]
    sim = run(tmp_path, events, DEDUP_60)
    r = row(sim)
    # n1 sorts first at the same instant: kept; n2 (the read one) is suppressed.
    assert (r["kept"], r["suppressed_dedup"], r["suppressed_read"]) == (1, 1, 1)


def test_dedup_only_within_one_fingerprint_and_recipient(tmp_path: Path) -> None:
    events = [same("a", 0), other("b", 1), same("c", 2, user="u2"), same("d", 3)]
    sim = run(tmp_path, events, DEDUP_60)
    assert row(sim)["suppressed_dedup"] == 1  # only d repeats a (same body, same user)
    assert row(sim)["recipients_affected"] == 1


# digest ------------------------------------------------------------------------------


def test_digest_batches_open_with_the_first_after_the_previous_batch_closed(
    tmp_path: Path,
) -> None:
    # digest 30: 0 opens a batch; 10 and 30 (inclusive edge) join it; 31 opens the next;
    # 50 joins it (19 after 31); 62 opens a third (31 after 31).
    minutes = [0, 10, 30, 31, 50, 62]
    events = [other(f"n{i}", m) for i, m in enumerate(minutes)]
    sim = run(tmp_path, events, {"default": {"digest_minutes": 30}})
    r = row(sim)
    assert (r["kept"], r["suppressed_digest"]) == (3, 3)


def test_digest_reads_only_what_dedup_kept(tmp_path: Path) -> None:
    # dedup 60 removes b (repeat of a at 20); digest 30 then sees a at 0 and c at 40: c opens
    # a batch of its own (40 > 30). Without dedup b would not matter either: the batch is
    # opened by a kept one. Counts: 1 dedup, 0 digest.
    events = [same("a", 0), same("b", 20), other("c", 40)]
    policy = {"default": {"dedup_window_minutes": 60, "digest_minutes": 30}}
    r = row(run(tmp_path, events, policy))
    assert (r["kept"], r["suppressed_dedup"], r["suppressed_digest"]) == (2, 1, 0)


# throttle ----------------------------------------------------------------------------


def test_throttle_counts_only_kept_notifications(tmp_path: Path) -> None:
    # max 2 per hour: 0 and 10 kept; 20 and 30 throttled (2 kept in the hour before);
    # 61: kept ones in [1, 61] are only 10: kept. 65: kept in [5, 65] are 10 and 61:
    # throttled. 71: kept in [11, 71] is 61 alone (the throttled 20 and 30 do not count): kept.
    minutes = [0, 10, 20, 30, 61, 65, 71]
    events = [other(f"n{i}", m) for i, m in enumerate(minutes)]
    policy = {"default": {"throttle": {"max": 2, "per_hours": 1}}}
    r = row(run(tmp_path, events, policy))
    assert (r["kept"], r["suppressed_throttle"]) == (4, 3)


def test_throttle_window_is_inclusive_and_counts_the_same_instant(tmp_path: Path) -> None:
    # max 1 per hour: 0 kept; 0 (same instant, id b after a) throttled; 60 exactly an hour
    # after the kept one: throttled; 60 min 1 s: kept.
    events = [other("a", 0), other("b", 0), other("c", 60), other("d", 60 + 1 / 60)]
    policy = {"default": {"throttle": {"max": 1, "per_hours": 1}}}
    r = row(run(tmp_path, events, policy))
    assert (r["kept"], r["suppressed_throttle"]) == (2, 2)


def test_throttle_is_per_template_and_recipient(tmp_path: Path) -> None:
    events = [other("a", 0), other("b", 1, user="u2"), other("c", 2, template="U"), other("d", 3)]
    policy = {"default": {"throttle": {"max": 1, "per_hours": 24}}}
    sim = run(tmp_path, events, policy)
    assert row(sim)["suppressed_throttle"] == 1  # d: a second T to u1
    assert row(sim, "U")["suppressed_throttle"] == 0


# expiry and the metrics after ---------------------------------------------------------


def test_expires_hours_goes_only_to_notifications_without_expiry(tmp_path: Path) -> None:
    events = [other("a", 0), other("b", 1, expires_hours=2), other("c", 2)]
    sim = run(tmp_path, events, {"default": {"expires_hours": 72}})
    after = sim.after.set_index("template").loc["T"]
    assert after["expiry_coverage"] == 1.0
    assert row(sim)["kept"] == 3


def test_metrics_after_are_over_the_kept_notifications(tmp_path: Path) -> None:
    # 12 repeats to u1 at minutes 0, 5, ..., 55: max_per_user_day 12 (flooding) and 11
    # duplicates. They span 55 min, so dedup 60 keeps the first alone: after, 1 sent, no
    # duplicate, 1 a day. Nothing was read nor given an expiry: `ignored` and `no_expiry` stay.
    events = [same(f"n{i:02}", i * 5) for i in range(12)]
    sim = run(tmp_path, events, DEDUP_60)
    r = row(sim)
    assert (r["kept"], r["max_per_user_day_after"], r["duplicate_rate_after"]) == (1, 1, 0.0)
    before = compute_metrics(load(tmp_path, events, "again.jsonl"), NO_FILTERS, CFG)
    assert {"duplicates", "flooding"} <= set(before.set_index("template").loc["T", "flags"])
    assert r["flags_after"] == ["ignored", "no_expiry"]


def test_engagement_at_risk_counts_suppressed_reads_and_clicks(tmp_path: Path) -> None:
    events = [
        same("a", 0), same("b", 10), same("c", 20),
        event("read", "b", 30), event("clicked", "c", 31), event("read", "a", 32),
    ]  # fmt: skip
    r = row(run(tmp_path, events, DEDUP_60))
    assert (r["suppressed_dedup"], r["suppressed_read"], r["suppressed_clicked"]) == (2, 1, 1)


def test_total_adds_up_and_counts_recipients_once(tmp_path: Path) -> None:
    events = [
        same("a", 0), same("b", 1),
        sent("c", 0, template="U", body="x"), sent("d", 1, template="U", body="x"),
        sent("e", 2, template="U", user="u2", body="y"),
    ]  # fmt: skip
    sim = run(tmp_path, events, DEDUP_60)
    assert sim.total["sent"] == 5 and sim.total["kept"] == 3
    assert sim.total["suppressed_dedup"] == 2
    assert sim.total["recipients_affected"] == 1  # u1, in both templates


# policy files ------------------------------------------------------------------------


def test_a_template_table_overrides_the_default_key_by_key() -> None:
    policy = parse_policy(
        {
            "default": {"dedup_window_minutes": 60, "throttle": {"max": 3, "per_hours": 24}},
            "templates": {"W": {"throttle": {"max": 1}}, "X": {"dedup_window_minutes": 5}},
        }
    )
    assert policy.rules_for("W") == Rules(60, None, 1, 24, None)
    assert policy.rules_for("X") == Rules(5, None, 3, 24, None)
    assert policy.rules_for("other") == Rules(60, None, 3, 24, None)


def test_per_template_overrides_apply_in_the_replay(tmp_path: Path) -> None:
    events = [other("a", 0), other("b", 10), other("c", 20)]
    events += [sent(f"u{i}", i * 10, template="U", body=f"u{i}") for i in range(3)]
    policy = {
        "default": {"throttle": {"max": 2, "per_hours": 24}},
        "templates": {"U": {"throttle": {"max": 1}}},
    }
    sim = run(tmp_path, events, policy)
    assert row(sim)["suppressed_throttle"] == 1  # T: max 2 a day
    assert row(sim, "U")["suppressed_throttle"] == 2  # U: max 1, the period from the default


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"default": {"dedup_window": 60}}, "unknown key 'dedup_window'"),
        ({"default": {"throttle": {"max": 2}}}, "throttle needs both max and per_hours"),
        ({"default": {"throttle": {"max": 1.5, "per_hours": 1}}}, "whole number"),
        ({"default": {"digest_minutes": -1}}, "0 or more"),
        ({"default": {"expires_hours": 0}}, "more than 0"),
        ({"defaults": {}}, "unknown table 'defaults'"),
    ],
)
def test_a_bad_policy_is_an_error_naming_the_key(data: dict[str, Any], message: str) -> None:
    with pytest.raises(PolicyError, match=message):
        parse_policy(data)


def test_a_policy_round_trips_through_its_toml() -> None:
    import tomllib

    policy = parse_policy(
        {
            "default": {"dedup_window_minutes": 60, "expires_hours": 72},
            "templates": {'Role "x"': {"throttle": {"max": 1, "per_hours": 24}}},
        }
    )
    assert parse_policy(tomllib.loads(policy.to_toml())).as_dict() == policy.as_dict()


# the command -------------------------------------------------------------------------


def test_simulate_json_has_the_documented_shape(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = tmp_path / "log.jsonl"
    log.write_text("".join(json.dumps(e) + "\n" for e in [same("a", 0), same("b", 5)]))
    policy = tmp_path / "policy.toml"
    policy.write_text("[default]\ndedup_window_minutes = 60\n")
    assert main(["simulate", "--policy", str(policy), str(log), "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["policy"] == {"default": {"dedup_window_minutes": 60}}
    assert set(out["total"]) == set(COUNTS)
    (t,) = out["templates"]
    assert (t["template"], t["sent"], t["kept"], t["suppressed_dedup"]) == ("T", 2, 1, 1)
    assert {"max_per_user_day_after", "duplicate_rate_after", "stale_unread_rate_after",
            "flags_after", "noisy_after"} <= set(t)  # fmt: skip
    assert {i["id"] for i in out["checklist_after"]} >= {"no_duplicate_sends"}
    assert main(["simulate", "--policy", str(policy), str(log)]) == 0
    table = capsys.readouterr().out
    assert "total" in table and "checklist after:" in table


def test_simulate_with_a_bad_policy_exits_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = tmp_path / "log.jsonl"
    log.write_text(json.dumps(same("a", 0)) + "\n")
    policy = tmp_path / "policy.toml"
    policy.write_text("[default]\nthrottle = { max = 0, per_hours = 1 }\n")
    assert main(["simulate", "--policy", str(policy), str(log)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "throttle.max" in err[0]


def test_whatif_queries_return_their_declared_columns(tmp_path: Path) -> None:
    from template_noise.queries import cursor, execute

    con = load(tmp_path, [same("a", 0), same("b", 5)])
    sim = simulate(con, parse_policy(DEDUP_60), CFG)
    assert sim.total["suppressed_dedup"] == 1
    cur = cursor(con)
    execute(cur, "metrics/macros")
    params: dict[str, Any] = {"as_of": None,
                              "default_expiry_days": 90, "dedup_window_minutes": 60,
                              "templates": None}  # fmt: skip
    for name in ("whatif/notifications", "whatif/repeat_gaps"):
        df = execute(cur, name, **params).df()
        assert list(df.columns) == columns(name), name
    assert {n for n in names() if n.startswith("whatif/")} == {
        "whatif/notifications",
        "whatif/repeat_gaps",
        "whatif/replay",
        "whatif/summary",
    }


def test_an_empty_log_replays_to_nothing(tmp_path: Path) -> None:
    con = db.connect(None)
    sim = simulate(con, parse_policy(DEDUP_60), CFG)
    assert sim.templates.empty and sim.total["sent"] == 0


def test_policy_dataclass_defaults_are_empty() -> None:
    assert Policy().empty and Rules().empty
