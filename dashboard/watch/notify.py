"""`watch --notify`: each alert is delivered once when it opens and once when it resolves,
to its owner, through Wacht's POST /notifications and/or a JSON webhook.

Following the sending rules the product checks others for: severity `warning` or `error`,
`expires_hours` set, stable metadata (alert_id, template, kind), a CTA to the template's
dashboard page, bounded retries with backoff and a timeout, and a dedup key (the alert id
and the event, as the Idempotency-Key header and as the key of the delivery row, so a
rerun sends nothing twice). A failed delivery stays recorded as failed and is tried again
by the next run; it never stops the others.
"""

from __future__ import annotations

import json
import os
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import duckdb
from template_noise.queries import cursor, execute
from template_noise.watch.detect import Alert, iso, naive
from template_noise.watch.settings import NotifySettings, Owner, owner_for

KIND_TITLES = {
    "spike": "Send spike",
    "drop": "Sends dropped",
    "new_template": "New template",
    "duplicate_surge": "Duplicate surge",
    "failure_surge": "Send failure surge",
    "read_collapse": "Read rate collapsed",
}
# A send loop, a silence or failing sends lose or flood notifications now: error.
ERROR_KINDS = {"spike", "drop", "failure_surge"}
USER_AGENT = "template-noise-watch"


@dataclass(frozen=True)
class Delivery:
    alert_id: str
    event: str  # opened | resolved
    channel: str  # wacht | webhook
    target: str
    status: str  # sent | failed
    attempts: int
    error: str | None


def queue(con: duckdb.DuckDBPyConnection, alerts: list[Alert], found: list[Owner]) -> None:
    """Record the deliveries this run's openings and resolutions call for (once each)."""
    now = naive(datetime.now(UTC))
    cur = cursor(con)
    try:
        for alert in alerts:
            owner = owner_for(found, alert.template)
            if owner is None:
                continue
            events = [
                e for e, hit in (("opened", alert.opened), ("resolved", alert.resolved)) if hit
            ]
            for event in events:
                for channel, target in _targets(owner):
                    execute(
                        cur, "watch/queue_delivery",
                        alert_id=alert.alert_id, event=event, channel=channel, target=target,
                        now=now,
                    )  # fmt: skip
    finally:
        cur.close()


def _targets(owner: Owner) -> list[tuple[str, str]]:
    out = [("wacht", u) for u in owner.users]
    if owner.webhook_env:
        out.append(("webhook", owner.webhook_env))
    return out


def template_link(settings: NotifySettings, template: str) -> str:
    return f"{settings.dashboard_url}/template?template={quote(template, safe='')}"


def _title(row: Mapping[str, Any]) -> str:
    prefix = "Resolved: " if row["event"] == "resolved" else ""
    return f"{prefix}{KIND_TITLES.get(row['kind'], row['kind'])}: {row['template']}"


def _body(row: Mapping[str, Any]) -> str:
    since = iso(row["started_at"])
    if row["event"] == "resolved":
        return f"Back to normal at {iso(row['resolved_at'])} (since {since}). {row['evidence']}"
    return f"Since {since}: {row['evidence']}"


def wacht_payload(row: Mapping[str, Any], settings: NotifySettings) -> dict[str, Any]:
    """The body of Wacht's POST /notifications for one alert event and one user."""
    severity = "error" if row["kind"] in ERROR_KINDS and row["event"] == "opened" else "warning"
    return {
        "user_id": row["target"],
        "title": _title(row),
        "body": _body(row),
        "severity": severity,
        "ctas": [{"label": "Open template", "payload": template_link(settings, row["template"])}],
        "metadata": {"alert_id": row["alert_id"], "template": row["template"], "kind": row["kind"]},
        "expires_hours": settings.expires_hours,
    }


def _slack_escape(text: str) -> str:
    # Slack reads <...> as links and mentions; a template name must stay plain text.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def webhook_payload(row: Mapping[str, Any], settings: NotifySettings) -> dict[str, Any]:
    """A JSON webhook body: Slack-compatible `text`, and the alert as data."""
    link = template_link(settings, row["template"])
    return {
        "text": "\n".join(
            [_slack_escape(_title(row)), _slack_escape(_body(row)), f"<{link}|Open template>"]
        ),
        "event": row["event"],
        "alert": {
            "id": row["alert_id"],
            "template": row["template"],
            "kind": row["kind"],
            "status": row["status"],
            "started_at": iso(row["started_at"]),
            "resolved_at": iso(row["resolved_at"]),
            "observed": row["observed"],
            "expected": row["expected"],
            "evidence": row["evidence"],
            "url": link,
        },
    }


class _Retryable(Exception):
    pass


def post_json(
    url: str,
    body: Mapping[str, Any],
    headers: Mapping[str, str],
    settings: NotifySettings,
    sleep: Callable[[float], None] = time.sleep,
) -> tuple[int, str | None]:
    """POST with bounded retries: (attempts made, None when accepted else the last error).
    Retried: timeouts, connection errors, 429 and 5xx; other answers are final."""
    data = json.dumps(body).encode()
    error: str | None = None
    for attempt in range(1, settings.attempts + 1):
        request = urllib.request.Request(url, data=data, method="POST")
        request.add_header("Content-Type", "application/json")
        request.add_header("User-Agent", USER_AGENT)
        for key, value in headers.items():
            request.add_header(key, value)
        try:
            with urllib.request.urlopen(request, timeout=settings.timeout_seconds) as answer:
                answer.read()
            return attempt, None
        except urllib.error.HTTPError as e:
            error = f"HTTP {e.code}"
            if e.code != 429 and e.code < 500:
                return attempt, error
        except (urllib.error.URLError, TimeoutError, OSError) as e:
            reason = getattr(e, "reason", e)
            error = f"{type(reason).__name__}: {reason}" if str(reason) else type(reason).__name__
        if attempt < settings.attempts:
            sleep(min(settings.backoff_seconds * 2 ** (attempt - 1), settings.max_backoff_seconds))
    return settings.attempts, error


def deliver_pending(
    con: duckdb.DuckDBPyConnection,
    settings: NotifySettings,
    environ: Mapping[str, str] | None = None,
) -> list[Delivery]:
    """Try every delivery not yet made (this run's and earlier failures); record each."""
    env = os.environ if environ is None else environ
    cur = cursor(con)
    try:
        result = execute(cur, "watch/pending_deliveries")
        names = [d[0] for d in result.description or []]
        rows = [dict(zip(names, r, strict=True)) for r in result.fetchall()]
        done = []
        for row in rows:
            attempts, error = _deliver(row, settings, env)
            status = "sent" if error is None else "failed"
            execute(
                cur, "watch/delivery_done",
                alert_id=row["alert_id"], event=row["event"], channel=row["channel"],
                target=row["target"], status=status, attempts=attempts, error=error,
                now=naive(datetime.now(UTC)),
            )  # fmt: skip
            done.append(
                Delivery(row["alert_id"], row["event"], row["channel"], row["target"],
                         status, attempts, error)
            )  # fmt: skip
    finally:
        cur.close()
    return done


def _deliver(
    row: Mapping[str, Any], settings: NotifySettings, env: Mapping[str, str]
) -> tuple[int, str | None]:
    dedup = f"{row['alert_id']}:{row['event']}"
    if row["channel"] == "wacht":
        key = env.get(settings.api_key_env)
        if not key:
            return 0, f"environment variable {settings.api_key_env} is not set"
        headers = {"Authorization": f"Bearer {key}", "Idempotency-Key": f"{dedup}:{row['target']}"}
        return post_json(
            f"{settings.wacht_url}/notifications", wacht_payload(row, settings), headers, settings
        )
    url = env.get(row["target"])
    if not url:
        return 0, f"environment variable {row['target']} is not set"
    return post_json(url, webhook_payload(row, settings), {"Idempotency-Key": dedup}, settings)
