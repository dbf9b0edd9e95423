"""Template inference at ingest (template_noise.inference.store): the templates stored are a
pure function of the events (at once, day by day, in any order), merges are reported with
the config entries naming an old key, and [[templates]] overrides win."""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
from template_noise import db
from template_noise.cli import main
from template_noise.config import load_config
from template_noise.filters import Filters
from template_noise.inference import TitleRecord, infer_templates
from template_noise.ingest import ingest
from template_noise.metrics import compute_metrics

from benchmarks.inference.corpus import load

Event = dict[str, Any]


def sent(n: int, title: str, day: int = 0, **payload: Any) -> Event:
    """A `sent` event of notification n on day `day` of January 2024."""
    return {
        "event_id": f"e{n}",
        "event_type": "sent",
        "occurred_at": f"2024-01-{day + 1:02d}T{n % 24:02d}:{n % 60:02d}:00Z",
        "notification_id": f"n{n}",
        "user_id": f"u{n % 7}",
        "title": title,
        **payload,
    }


def write(path: Path, events: Sequence[Event]) -> Path:
    path.write_text("".join(json.dumps(e) + "\n" for e in events), encoding="utf-8")
    return path


def templates(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """title -> template of every event with a title."""
    rows = con.execute("SELECT DISTINCT title, template FROM events WHERE title IS NOT NULL")
    return dict(rows.fetchall())


def corpus_events() -> list[Event]:
    """The labelled corpus as `sent` events, one per title, spread over ten days."""
    out = []
    for i, row in enumerate(load()):
        out.append(
            sent(
                i,
                row["title"],
                day=i % 10,
                body=row["body"],
                severity=row["severity"],
                metadata=row["metadata"],
                ctas=[{"label": c, "payload": "/go"} for c in row["ctas"]],
            )
        )
    return out


def role_events() -> list[Event]:
    return [
        sent(1, "Role changed to admin #41", body="Your role is now admin."),
        sent(2, "Role changed to owner #7", body="Your role is now owner."),
        sent(3, "Role changed to billing #12", body="Your role is now billing."),
        sent(4, "API key revoked", body="The key was revoked by an admin."),
        sent(5, "API key rotated", body="The key was rotated by an admin."),
    ]


def test_the_role_example_is_one_template_and_near_misses_stay_apart(tmp_path: Path) -> None:
    con = db.connect()
    ingest(con, [write(tmp_path / "a.jsonl", role_events())])
    got = templates(con)
    assert {got[f"Role changed to {r}"] for r in ("admin #41", "owner #7", "billing #12")} == {
        "Role changed to {*} #{n}"
    }
    assert got["API key revoked"] == "API key revoked"
    assert got["API key rotated"] == "API key rotated"
    m = compute_metrics(con, Filters(), load_config()).set_index("template")
    assert m.loc["Role changed to {*} #{n}", "sent"] == 3


def test_a_pattern_with_one_constant_word_needs_three_values() -> None:
    def rec(title: str) -> TitleRecord:
        return TitleRecord(title, f"{title} for u1.", frozenset({"user"}), "info")

    two = infer_templates([rec("Password changed"), rec("Role changed")])
    assert two == {"Password changed": "Password changed", "Role changed": "Role changed"}
    three = infer_templates([rec("Password changed"), rec("Role changed"), rec("Plan changed")])
    assert set(three.values()) == {"{*} changed"}


def _load_days(paths: Sequence[Path]) -> duckdb.DuckDBPyConnection:
    con = db.connect()
    for p in paths:
        ingest(con, [p])
    return con


def test_at_once_day_by_day_and_shuffled_give_the_same_templates_and_metrics(
    tmp_path: Path,
) -> None:
    events = corpus_events()
    days = [
        write(
            tmp_path / f"day{d}.jsonl",
            [e for e in events if e["occurred_at"][8:10] == f"{d + 1:02d}"],
        )
        for d in range(10)
    ]
    at_once = db.connect()
    ingest(at_once, [write(tmp_path / "all.jsonl", events)])
    by_day = _load_days(days)
    shuffled = list(days)
    random.Random(7).shuffle(shuffled)
    backwards = _load_days(shuffled)
    expected = templates(at_once)
    assert len(set(expected.values())) < len(expected)  # inference merged titles
    assert templates(by_day) == expected
    assert templates(backwards) == expected
    config = load_config()
    want = (
        compute_metrics(at_once, Filters(), config).sort_values("template").reset_index(drop=True)
    )
    for con in (by_day, backwards):
        got = compute_metrics(con, Filters(), config).sort_values("template").reset_index(drop=True)
        pd.testing.assert_frame_equal(got, want)


def test_a_new_variant_merges_templates_and_the_report_names_them(tmp_path: Path) -> None:
    day1 = [
        sent(1, "Role changed to admin #41", body="Your role is now admin."),
        sent(2, "Role changed to admin #7", body="Your role is now admin."),
    ]
    day2 = [
        sent(3, "Role changed to owner #12", day=1, body="Your role is now owner."),
        sent(4, "Role changed to billing #3", day=1, body="Your role is now billing."),
    ]
    config_file = tmp_path / "tn.toml"
    config_file.write_text(
        '[[waivers]]\ntemplate = "Role changed to admin #{n}"\nflag = "ignored"\n'
        'reason = "kept"\n\n[conventions."Role changed to admin #{n}"]\nseverity = "info"\n'
        # an owner whose glob takes the old key but not the new one; another that takes both
        '\n[owners.admins]\ntemplates = ["Role changed to admin*"]\nusers = ["1"]\n'
        '\n[owners.roles]\ntemplates = ["Role changed*"]\nusers = ["2"]\n',
        encoding="utf-8",
    )
    config = load_config(config_file)
    con = db.connect()
    first = ingest(con, [write(tmp_path / "d1.jsonl", day1)], config=config)
    assert first.merges == [] and set(templates(con).values()) == {"Role changed to admin #{n}"}
    second = ingest(con, [write(tmp_path / "d2.jsonl", day2)], config=config)
    assert second.as_json()["template_merges"] == [
        {"old": ["Role changed to admin #{n}"], "new": "Role changed to {*} #{n}"}
    ]
    named = second.as_json()["config_names_merged"]
    assert len(named) == 3 and all("Role changed to {*} #{n}" in line for line in named)
    assert "owner 'admins' ('Role changed to admin*')" in named[2]
    # the first day's events were re-keyed, and the state follows them
    assert set(templates(con).values()) == {"Role changed to {*} #{n}"}
    m = compute_metrics(con, Filters(), config)
    assert m["template"].tolist() == ["Role changed to {*} #{n}"] and m["sent"].tolist() == [4]


def test_overrides_in_the_config_win_over_inference(tmp_path: Path) -> None:
    config_file = tmp_path / "tn.toml"
    config_file.write_text(
        '[[templates]]\nmatch = "^API key "\nname = "API key event"\n', encoding="utf-8"
    )
    log = write(tmp_path / "a.jsonl", [*role_events(), sent(9, "Hi", template="explicit")])
    con = db.connect()
    ingest(con, [log], config=load_config(config_file))
    got = templates(con)
    assert got["API key revoked"] == got["API key rotated"] == "API key event"
    assert got["Role changed to admin #41"] == "Role changed to {*} #{n}"
    assert got["Hi"] == "explicit"  # an explicit template is never overridden
    sources = dict(con.execute("SELECT DISTINCT template, template_source FROM events").fetchall())
    assert sources["API key event"] == "override"
    # Without the override, the next load rebuilds: the titles are inferred again.
    ingest(con, [write(tmp_path / "b.jsonl", [sent(10, "API key revoked", day=1)])])
    assert templates(con)["API key rotated"] == "API key rotated"


def test_templates_command_json(tmp_path: Path, capsys: Any) -> None:
    log = write(tmp_path / "a.jsonl", [*role_events(), sent(9, "Hi", template="explicit")])
    assert main(["templates", str(log), "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    by_name = {t["template"]: t for t in doc["templates"]}
    role = by_name["Role changed to {*} #{n}"]
    assert role["source"] == "inferred" and role["sent"] == 3 and role["variants"] == 3
    assert sorted(role["examples"]) == [
        "Role changed to admin #41",
        "Role changed to billing #12",
        "Role changed to owner #7",
    ]
    assert by_name["explicit"]["source"] == "column"
    assert main(["templates", str(log)]) == 0
    table = capsys.readouterr().out
    assert "Role changed to {*} #{n}" in table and "inferred" in table


def test_a_version_4_database_is_migrated_and_its_next_load_infers_every_title(
    tmp_path: Path,
) -> None:
    from template_noise.queries import execute

    path = tmp_path / "v4.duckdb"
    con = db.connect(path)
    ingest(con, [write(tmp_path / "a.jsonl", role_events())])
    # As version 4 left it: templates by typed masking alone, no pooled evidence.
    con.execute("UPDATE events SET template = tn_infer_template(title) WHERE title IS NOT NULL")
    con.execute("DROP TABLE template_titles")
    con.execute("DELETE FROM meta WHERE key = 'template_inference'")
    execute(con, "store/schema_version_set", version="4")
    con.close()
    con = db.connect(path)
    assert db.schema_version(con) == db.SCHEMA_VERSION
    assert templates(con)["Role changed to admin #41"] == "Role changed to admin #{n}"
    ingest(con, [write(tmp_path / "b.jsonl", [sent(20, "Hello", day=2)])])
    got = templates(con)
    assert got["Role changed to admin #41"] == got["Role changed to owner #7"]
    assert got["Role changed to owner #7"] == "Role changed to {*} #{n}"
    m = compute_metrics(con, Filters(), load_config()).set_index("template")
    assert m.loc["Role changed to {*} #{n}", "sent"] == 3


def test_the_ingest_keys_the_corpus_as_infer_templates_does(tmp_path: Path) -> None:
    """The evidence pooled in SQL (ingest/templates_pool.sql) is the evidence pooled in
    Python: on the labelled corpus both give every title the same key."""
    rows = load()
    records = [
        TitleRecord(
            str(r["title"]),
            str(r["body"]),
            frozenset(r["metadata"]),  # type: ignore[arg-type]
            str(r["severity"]),
            tuple(r["ctas"]),  # type: ignore[arg-type]
        )
        for r in rows
    ]
    con = db.connect()
    ingest(con, [write(tmp_path / "c.jsonl", corpus_events())])
    assert templates(con) == infer_templates(records)


def test_the_body_frame_is_the_words_every_body_holds_split_on_any_white_space(
    tmp_path: Path,
) -> None:
    """The frame pooled in SQL, checked by hand: the body words every body of a masked title
    holds. A tab or a double space separates words as a space does; a word inside another
    word ('changed' in 'unchanged') is not that word; day by day gives the same frame."""
    events = [
        sent(1, "Role updated", body="The role was changed to billing."),
        sent(2, "Role updated", day=1, body="Your role\tchanged to  owner."),
        sent(3, "Role updated", day=2, body="Your role changed\nto admin."),
        sent(4, "Plan updated", body="Your plan changed today."),
        sent(5, "Plan updated", day=1, body="Your plan is unchanged today."),
        sent(6, "Seat added", body="A seat was added."),
        sent(7, "Seat added", day=1),  # no body: no frame
    ]
    expected = {
        "Role updated": ["changed", "role", "to"],
        "Plan updated": ["plan", "today."],
        "Seat added": [],
    }

    def frames(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
        return dict(con.execute("SELECT masked, frame FROM template_titles").fetchall())

    at_once = db.connect()
    ingest(at_once, [write(tmp_path / "all.jsonl", events)])
    assert frames(at_once) == expected
    by_day = db.connect()
    for day in (2, 0, 1):
        day_events = [e for e in events if e["occurred_at"].startswith(f"2024-01-0{day + 1}")]
        ingest(by_day, [write(tmp_path / f"d{day}.jsonl", day_events)])
    assert frames(by_day) == expected
