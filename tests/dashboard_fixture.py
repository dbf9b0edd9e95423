"""A small notification log for the dashboard tests, written as a DuckDB file.

Three ordinary templates, one noisy one, failures and retries, deliveries, a realtime
disconnect and reconnect, a rejected line, and a notification whose title is an XSS probe.
"""

from __future__ import annotations

from pathlib import Path

from events_fixture import Event, event, sent, write_jsonl
from template_noise import db
from template_noise.ingest import ingest

XSS_TITLE = "<img src=x onerror=alert(1)><script>alert(2)</script>"
NOISY = "webhook.disabled"


def events() -> list[Event]:
    evs: list[Event] = []
    # Noisy: 60 sends, each user gets the same notification twice within 10 minutes
    # (30 duplicates), nobody reads it.
    for i in range(30):
        for k in range(2):
            nid = f"wh-{i}-{k}"
            evs.append(sent(nid, i * 100 + k * 10, template=NOISY, user=f"u{i}",
                            title="Webhook endpoint disabled", body="Endpoint failing",
                            severity="warning", metadata={"endpoint_id": "ep_1"}))  # fmt: skip
            evs.append(event("delivered", nid, i * 100 + k * 10 + 0.1, user_id=f"u{i}"))
    # Quiet: read by everyone, with expiry.
    for i in range(55):
        nid = f"pw-{i}"
        evs.append(sent(nid, i * 50, template="password.changed", user=f"u{i}",
                        body=f"changed {i}", expires_hours=24))  # fmt: skip
        evs.append(event("delivered", nid, i * 50 + 0.05, user_id=f"u{i}"))
        evs.append(event("read", nid, i * 50 + 5, user_id=f"u{i}"))
        if i % 5 == 0:
            evs.append(event("archived", nid, i * 50 + 6, user_id=f"u{i}"))
        if i % 11 == 0:
            evs.append(event("starred", nid, i * 50 + 7, user_id=f"u{i}"))
    # Organization-scoped, with retries and one send that never went out.
    for i in range(12):
        nid = f"key-{i}"
        evs.append(event("send_failed", nid, 3000 + i * 60, template="api_key.rotated",
                         organization_id="org_1", title="API key rotated", body="b",
                         severity="error", attempt=1, error="503"))  # fmt: skip
        if i != 0:
            evs.append(sent(nid, 3001 + i * 60, template="api_key.rotated", user=None,
                            organization_id="org_1", title="API key rotated", body="b",
                            severity="error", attempt=2))  # fmt: skip
    # Realtime: u1 drops and comes back; what was created meanwhile is delivered after.
    evs += [
        event("stream_connected", None, 0, user_id="u1", connection_id="c1"),
        event("stream_disconnected", None, 2000, user_id="u1", connection_id="c1"),
        sent("gap-1", 2010, template="password.changed", user="u1", body="gap"),
        event("stream_connected", None, 2030, user_id="u1", connection_id="c2"),
        event("delivered", "gap-1", 2030.5, user_id="u1", connection_id="c2"),
    ]
    # The XSS probe: no template, so its (inferred) template name carries the markup too.
    evs.append(sent("xss-1", 2500, template=None, user="u7", title=XSS_TITLE,
                    body=XSS_TITLE, metadata={"note": XSS_TITLE}))  # fmt: skip
    return evs


def build(tmp_path: Path) -> Path:
    """The log written to tmp_path (plus one malformed line) and ingested into a DuckDB file."""
    log = write_jsonl(tmp_path / "log.jsonl", events())
    with log.open("a", encoding="utf-8") as f:
        f.write("{this is not json\n")
    path = tmp_path / "dash.duckdb"
    con = db.connect(path)
    try:
        ingest(con, [log])
    finally:
        con.close()
    return path
