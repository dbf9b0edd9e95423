"""Hostile text for the security tests, a log that carries it in every field, and the record
of how many inputs each suite tried (test-artifacts/security_counts.json).

The strings are what someone who can trigger a notification, or send a link, would try: SQL
that would run if it were formatted into a query, markup and script, Markdown that would
draw a link or an image, and spreadsheet formulas.
"""

from __future__ import annotations

import fcntl
import json
from pathlib import Path
from typing import Any

from events_fixture import Event, event, sent

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
COUNTS = ARTIFACTS / "security_counts.json"

SQL = (
    "x'; DROP TABLE events; --",
    "%' OR 1=1 --",
    "' OR '1'='1",
    '"; DELETE FROM signoffs; --',
    "1); DROP TABLE loads; --",
    "' UNION SELECT name, role FROM signoffs --",
    "'); ATTACH '/tmp/tn-evil.duckdb' AS evil; --",
    "'||(SELECT count(*) FROM events)||'",
    "COPY events TO '/tmp/tn-leak.csv'",
    "$since",
    "?",
    "%",
    "_",
    "\\",
    "x\x00y",
)
MARKUP = (
    "<img src=x onerror=alert(1)>",
    "<script>alert(2)</script>",
    '"><svg onload=alert(3)>',
    "javascript:alert(4)",
    "[click me](javascript:alert(5))",
    "![pixel](https://tn-probe.invalid/pixel.png)",
    ":red[spoofed] **bold** # heading",
    "$\\LaTeX$ `code`",
    "<iframe src=https://tn-probe.invalid></iframe>",
)
FORMULA = (
    '=HYPERLINK("https://tn-probe.invalid","click")',
    "+1+1",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
)
ALL = SQL + MARKUP + FORMULA

# One probe that is every kind at once: the browser tests look for its img and its dialog.
XSS = "<img src=x onerror=alert(1)><script>alert(2)</script>"


def hostile_log(strings: tuple[str, ...] = ALL) -> list[Event]:
    """Per string: a notification whose template, title, body, severity, recipient, metadata
    keys and values, error and connection id are that string, with its delivery, read and a
    failed retry; plus realtime events of that user on that connection."""
    events: list[Event] = []
    for i, s in enumerate(strings):
        nid = f"hostile-{i}"
        events += [
            event("send_failed", nid, i * 10, template=s, user_id=s, title=s, body=s,
                  severity=s, attempt=1, error=s),
            sent(nid, i * 10 + 1, template=s, user=s, title=s, body=s, severity=s,
                 metadata={s: s, "template": s}, attempt=2, dedup_key=s),
            event("delivered", nid, i * 10 + 2, user_id=s, connection_id=s),
            event("read", nid, i * 10 + 3, user_id=s),
            event("stream_connected", None, i * 10, user_id=s, connection_id=s),
            event("stream_disconnected", None, i * 10 + 4, user_id=s, connection_id=s),
        ]  # fmt: skip
    return events


def record(suite: str, **figures: Any) -> None:
    """Set `figures` under `suite` in test-artifacts/security_counts.json (merged, so every
    test and process writes to one file; a rerun replaces its own figures)."""
    ARTIFACTS.mkdir(exist_ok=True)
    with open(COUNTS.with_suffix(".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        data: dict[str, dict[str, Any]] = {}
        if COUNTS.exists():
            try:
                data = json.loads(COUNTS.read_text(encoding="utf-8"))
            except ValueError:
                data = {}
        data.setdefault(suite, {}).update(figures)
        COUNTS.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")
