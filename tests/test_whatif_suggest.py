"""`simulate --suggest` on the bundled sample: every template flagged `duplicates` or
`flooding` gets a policy that, replayed, clears that flag; `ignored` and
`dismissed_unread` get what the replay shows, or that no sending policy clears them."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import duckdb
import pytest
from template_noise import db
from template_noise.cli import main
from template_noise.config import load_config
from template_noise.filters import Filters
from template_noise.ingest import ingest
from template_noise.metrics import compute_metrics
from template_noise.whatif import parse_policy, simulate
from template_noise.whatif.suggest import Suggestions, suggest

SAMPLE = Path(__file__).parent.parent / "sample_data" / "notifications.jsonl"


@pytest.fixture(scope="module")
def sample() -> duckdb.DuckDBPyConnection:
    con = db.connect(None)
    ingest(con, [SAMPLE])
    return con


@pytest.fixture(scope="module")
def found(sample: duckdb.DuckDBPyConnection) -> Suggestions:
    return suggest(sample, load_config(None))


def test_every_duplicates_or_flooding_template_gets_a_policy_that_clears_it(
    sample: duckdb.DuckDBPyConnection, found: Suggestions
) -> None:
    config = load_config(None)
    before = compute_metrics(sample, Filters(), config)
    targets = {
        (str(t), f)
        for t, flags in zip(before["template"], before["flags"], strict=True)
        for f in flags
        if f in ("duplicates", "flooding")
    }
    assert targets  # the sample has both
    # Replay the suggested policy file as a team would commit it.
    policy = parse_policy(tomllib.loads(found.policy.to_toml()))
    after = simulate(sample, policy, config).templates.set_index("template")
    for template, flag in targets:
        assert flag not in after.loc[template, "flags_after"], (template, flag)
        item = next(s for s in found.items if s.template == template)
        assert flag in item.cleared
        assert item.suppressed > 0 and item.suppressed <= item.sent


def test_the_mildest_dedup_window_is_chosen(
    sample: duckdb.DuckDBPyConnection, found: Suggestions
) -> None:
    config = load_config(None)
    for item in found.items:
        if "duplicates" not in item.flags or item.rules is None:
            continue
        window = item.rules.dedup_window_minutes
        assert window is not None and window >= 1
        if window > 1:  # one minute less no longer clears it
            shorter = parse_policy(
                {"templates": {item.template: {"dedup_window_minutes": window - 1}}}
            )
            row = simulate(sample, shorter, config).templates.set_index("template")
            assert "duplicates" in row.loc[item.template, "flags_after"]


def test_ignored_and_dismissed_unread_say_what_the_replay_shows(found: Suggestions) -> None:
    engagement = [s for s in found.items if {"ignored", "dismissed_unread"} & set(s.flags)]
    assert engagement  # the sample has both
    for item in engagement:
        for flag in {"ignored", "dismissed_unread"} & set(item.flags):
            note = next(n for n in item.notes if n.startswith(f"{flag}:"))
            assert "no sending policy clears it" in note or "clears it in the replay" in note
            assert "->" in note or " at " in note  # the rate the replay shows


def test_suggest_prints_a_policy_file_with_its_cost(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["simulate", "--suggest", str(SAMPLE)]) == 0
    text = capsys.readouterr().out
    policy = parse_policy(tomllib.loads(text))
    assert policy.templates
    assert "# operations.automation_failed: duplicates" in text
    assert "cost:" in text
    assert main(["simulate", "--suggest", str(SAMPLE), "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert {"policy", "suggestions"} <= set(out)
    first = out["suggestions"][0]
    assert {"template", "flags", "policy", "clears", "suppressed", "suppressed_read",
            "suppressed_clicked", "notes"} <= set(first)  # fmt: skip


def test_a_template_name_cannot_write_keys_into_the_suggested_file() -> None:
    from template_noise.whatif import Policy, Rules
    from template_noise.whatif.report import render_suggestions
    from template_noise.whatif.suggest import Suggestion

    name = 'x\n[default]\nthrottle = { max = 1, per_hours = 1 }\n# "'
    item = Suggestion(name, ("duplicates",), Rules(dedup_window_minutes=5), ("duplicates",),
                      (), 10, 2, 1, 0, (f"note about {name}",))  # fmt: skip
    text = render_suggestions(Suggestions(None, (item,), Policy(templates={name: item.rules})))
    policy = parse_policy(tomllib.loads(text))
    assert policy.default.empty
    assert policy.templates == {name: Rules(dedup_window_minutes=5)}
