"""A load into memory that answers `metrics` once keeps only what the metrics read
(ingest's `lean`): titles, bodies and CTAs only where the template is inferred from the
title, no dedup_key, error or connection_id; the same metrics as a full load."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb
import pytest
from events_fixture import Event, config, event, rich_log, sent, write_jsonl
from template_noise import cli, db
from template_noise.filters import Filters
from template_noise.ingest import ingest
from template_noise.metrics import metrics_json

SAMPLE = Path(__file__).parent.parent / "sample_data" / "notifications.jsonl"
CTA = [{"label": "Pay", "payload": "https://app.example.com/pay"}]


def mixed_log() -> list[Event]:
    """rich_log() (templates given) plus two invoices whose template comes from the title,
    one of them with a dedup_key, and a failed send of one with an error."""
    return [
        *rich_log(),
        sent("i1", 60, template=None, user="u1", title="Invoice 1041 paid",
             body="Invoice 1041 was paid.", ctas=CTA, dedup_key="inv-1041"),
        sent("i2", 61, template=None, user="u2", title="Invoice 2203 paid",
             body="Invoice 2203 was paid.", ctas=CTA),
        event("send_failed", "i3", 62, title="Invoice 3310 paid", user_id="u3",
              error="smtp 451"),
        event("read", "i1", 70),
    ]  # fmt: skip


def _load(tmp_path: Path, events: list[Event] | Path, lean: bool) -> duckdb.DuckDBPyConnection:
    path = events if isinstance(events, Path) else write_jsonl(tmp_path / "log.jsonl", events)
    con = db.connect(None)
    ingest(con, [path], lean=lean)
    return con


def _events(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    cur = con.execute(
        "SELECT event_id, event_type, notification_id, template, template_source, title, body,"
        " CAST(ctas AS VARCHAR) AS ctas, dedup_key, error, connection_id, fingerprint"
        " FROM events ORDER BY event_id"
    )
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def test_a_lean_load_keeps_text_only_where_the_template_is_inferred(tmp_path: Path) -> None:
    full = _events(_load(tmp_path, mixed_log(), lean=False))
    lean = _events(_load(tmp_path, mixed_log(), lean=True))
    # The same events, ids, templates and fingerprints (taken before anything is left out).
    keys = ("event_id", "event_type", "notification_id", "template", "template_source",
            "fingerprint")  # fmt: skip
    assert [{k: e[k] for k in keys} for e in lean] == [{k: e[k] for k in keys} for e in full]
    inferred = [(f, e) for f, e in zip(full, lean, strict=True) if f["template_source"] == "title"]
    given = [(f, e) for f, e in zip(full, lean, strict=True) if f["template_source"] == "column"]
    # i1, i2, i3; n0-n5, o1, w1, gap and the failed sends of n4 and lost
    assert len(inferred) == 3 and len(given) == 11
    for f, e in inferred:
        assert (e["title"], e["body"], e["ctas"]) == (f["title"], f["body"], f["ctas"])
    assert {f["body"] for f, _ in inferred} == {"Invoice 1041 was paid.",
                                                "Invoice 2203 was paid.", None}  # fmt: skip
    assert sum(f["body"] is not None for f, _ in given) == 9  # the sent ones
    assert sum(f["ctas"] is not None for f, _ in given) == 6  # n0-n5
    for _, e in given:
        assert (e["title"], e["body"], e["ctas"]) == (None, None, None)
    # The full load has each of these; the lean one none.
    for column in ("dedup_key", "error", "connection_id"):
        assert any(f[column] is not None for f in full), column
        assert all(e[column] is None for e in lean), column


@pytest.mark.parametrize("which", ["mixed", "sample"])
def test_metrics_of_a_lean_load_are_those_of_a_full_one(tmp_path: Path, which: str) -> None:
    # The sample log: templates given and inferred, rejected lines, a week of traffic.
    events = mixed_log() if which == "mixed" else SAMPLE
    full, lean = _load(tmp_path, events, lean=False), _load(tmp_path, events, lean=True)
    cfg = config(min_volume=1)
    for filters in (Filters(), Filters(dedup_window_minutes=5), Filters(severities=("warning",))):
        got = metrics_json(lean, filters, cfg)
        assert got == metrics_json(full, filters, cfg)
        assert got["templates"]


def test_only_the_metrics_command_loads_lean(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`metrics PATH` loads lean; `check PATH`, which reads the payloads, loads all."""
    seen: list[bool] = []

    def recording_ingest(*args: Any, **kwargs: Any) -> Any:
        seen.append(bool(kwargs.get("lean", False)))
        return ingest(*args, **kwargs)

    monkeypatch.setattr(cli, "ingest", recording_ingest)
    path = write_jsonl(tmp_path / "log.jsonl", mixed_log())
    assert cli.main(["metrics", str(path), "--format", "json"]) == 0
    templates = {t["template"] for t in json.loads(capsys.readouterr().out)["templates"]}
    assert {"T", "Org", "Ws"} <= templates and len(templates) == 4  # and the invoices'
    cli.main(["check", str(path), "--format", "json"])
    assert seen == [True, False]
