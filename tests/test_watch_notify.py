"""`watch --notify` against a real HTTP server on loopback standing in for Wacht's
POST /notifications and for a webhook: the payloads the sending rules ask for, retries on
500 and on timeouts, no duplicate on a rerun, a failure recorded and delivered next run."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from template_noise import cli, db
from watch_fixture import write_log

API_KEY = "test-key-123"  # a stand-in secret, given through the environment only
HOOK_ENV = "TN_TEST_WEBHOOK_URL"


@dataclass
class Server:
    """Records every request; answers from `plan` (one action per request, then 'ok')."""

    url: str = ""
    received: list[dict[str, Any]] = field(default_factory=list)
    plan: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def accepted(self, path: str | None = None) -> list[dict[str, Any]]:
        return [r for r in self.received if r["answer"] == 200 and path in (None, r["path"])]


@pytest.fixture
def server() -> Iterator[Server]:
    state = Server()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            with state.lock:
                action = state.plan.pop(0) if state.plan else "ok"
            answer = 500 if action == "500" else 200
            if action == "slow":
                time.sleep(0.6)  # longer than the client's timeout
                answer = 0  # the client gave up: not delivered
            state.received.append(
                {"path": self.path, "headers": dict(self.headers), "body": body, "answer": answer}
            )
            self.send_response(500 if action == "500" else 200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            with contextlib.suppress(OSError):
                self.wfile.write(b"{}")

        def log_message(self, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield state
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def setup(tmp_path: Path, server: Server, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """A database of the hourly log and a config sending A's alerts to Wacht users u-1 and
    u-2, everything else to the webhook; tiny timeout and backoff."""
    path = tmp_path / "w.duckdb"
    assert cli.main(["ingest", str(write_log(tmp_path)), "--db", str(path)]) == 0
    cfg = tmp_path / "watch.toml"
    cfg.write_text(
        f"""
[notify]
wacht_url = "{server.url}"
dashboard_url = "https://noise.example.com"
api_key_env = "TN_TEST_WACHT_KEY"
timeout_seconds = 0.3
attempts = 3
backoff_seconds = 0.01
max_backoff_seconds = 0.02

[owners.payments]
templates = ["A"]
users = ["u-1", "u-2"]

[owners.default]
webhook_env = "{HOOK_ENV}"
""",
        encoding="utf-8",
    )
    monkeypatch.setenv("TN_TEST_WACHT_KEY", API_KEY)
    monkeypatch.setenv(HOOK_ENV, f"{server.url}/hook")
    return path, cfg


def watch(path: Path, cfg: Path, as_of: str) -> int:
    return cli.main(["watch", "--db", str(path), "--config", str(cfg), "--notify",
                     "--as-of", as_of, "--format", "json"])  # fmt: skip


def deliveries(path: Path) -> list[tuple[Any, ...]]:
    con = db.connect(path)
    try:
        return con.execute(
            "SELECT a.template, d.event, d.channel, d.target, d.status, d.attempts "
            "FROM watch_deliveries d JOIN watch_alerts a USING (alert_id) ORDER BY ALL"
        ).fetchall()
    finally:
        con.close()


def test_payloads_follow_the_sending_rules(setup: tuple[Path, Path], server: Server) -> None:
    path, cfg = setup
    assert watch(path, cfg, "2024-01-09T15:10") == 1  # A's spike resolved, B's drop open
    wacht = server.accepted("/notifications")
    hooks = server.accepted("/hook")
    # A: opened and resolved, to two users; B: opened, to the webhook
    assert sorted((r["body"]["user_id"], r["body"]["title"]) for r in wacht) == [
        ("u-1", "Resolved: Send spike: A"), ("u-1", "Send spike: A"),
        ("u-2", "Resolved: Send spike: A"), ("u-2", "Send spike: A"),
    ]  # fmt: skip
    for r in wacht:
        body = r["body"]
        assert r["headers"]["Authorization"] == f"Bearer {API_KEY}"
        assert body["severity"] in ("warning", "error")
        assert body["expires_hours"] == 72
        assert set(body["metadata"]) == {"alert_id", "template", "kind"}
        assert body["metadata"]["template"] == "A" and body["metadata"]["kind"] == "spike"
        assert body["ctas"] == [
            {"label": "Open template", "payload": "https://noise.example.com/template?template=A"}
        ]
        assert r["headers"]["Idempotency-Key"].startswith(body["metadata"]["alert_id"])
    opened = [r["body"] for r in wacht if not r["body"]["title"].startswith("Resolved")]
    assert {b["severity"] for b in opened} == {"error"}
    assert len({r["headers"]["Idempotency-Key"] for r in wacht}) == 4
    assert len(hooks) == 1
    hook = hooks[0]["body"]
    assert hook["text"].startswith("Sends dropped: B\n")
    assert hook["alert"]["kind"] == "drop" and hook["alert"]["status"] == "open"
    assert hook["event"] == "opened"
    assert "Authorization" not in hooks[0]["headers"]  # the Wacht key goes to Wacht only


def test_no_duplicate_on_a_rerun(setup: tuple[Path, Path], server: Server) -> None:
    path, cfg = setup
    watch(path, cfg, "2024-01-09T15:10")
    before = len(server.received)
    watch(path, cfg, "2024-01-09T15:10")  # the same hours again: nothing new
    watch(path, cfg, "2024-01-09T16:10")  # B's drop still open: nothing new
    assert len(server.received) == before
    watch(path, cfg, "2024-01-10")  # B's drop resolves: one more, to the webhook
    assert [r["body"]["event"] for r in server.received[before:]] == ["resolved"]


def test_retries_on_500_and_on_a_timeout(setup: tuple[Path, Path], server: Server) -> None:
    path, cfg = setup
    # the first delivery (A opened, to u-1) meets two 500s, the next one a timeout
    server.plan = ["500", "500", "ok", "slow", "ok"]
    watch(path, cfg, "2024-01-09T15:10")
    rows = deliveries(path)
    assert all(r[4] == "sent" for r in rows)
    attempts = {(r[0], r[1], r[3]): r[5] for r in rows}
    assert attempts["A", "opened", "u-1"] == 3
    assert attempts["A", "opened", "u-2"] == 2
    assert sorted(attempts.values()) == [1, 1, 1, 2, 3]
    assert len(server.accepted()) == 5


def test_a_failed_delivery_is_recorded_and_sent_next_run(
    setup: tuple[Path, Path], server: Server, capsys: pytest.CaptureFixture[str]
) -> None:
    path, cfg = setup
    server.plan = ["500"] * 3  # A opened to u-1: three attempts, all 500
    t0 = time.monotonic()
    assert watch(path, cfg, "2024-01-09T15:10") == 1
    assert time.monotonic() - t0 < 10  # bounded: retries do not hold the run
    err = capsys.readouterr().err
    assert "delivery of" in err and "HTTP 500" in err and "retried on the next run" in err
    rows = deliveries(path)
    failed = [r for r in rows if r[4] == "failed"]
    assert failed == [("A", "opened", "wacht", "u-1", "failed", 3)]
    # the others were not blocked by it
    assert len(server.accepted()) == 4
    watch(path, cfg, "2024-01-09T15:10")  # the next run: delivered, and nothing else again
    assert deliveries(path)[0:1] == [("A", "opened", "wacht", "u-1", "sent", 4)]
    assert all(r[4] == "sent" for r in deliveries(path))
    assert len(server.accepted()) == 5
    assert len([r for r in server.accepted() if r["body"].get("user_id") == "u-1"]) == 2


def test_a_missing_secret_is_a_recorded_failure_not_a_crash(
    setup: tuple[Path, Path], server: Server, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    path, cfg = setup
    monkeypatch.delenv("TN_TEST_WACHT_KEY")
    assert watch(path, cfg, "2024-01-09T15:10") == 1
    assert "TN_TEST_WACHT_KEY is not set" in capsys.readouterr().err
    assert [r["path"] for r in server.received] == ["/hook"]  # the webhook still went out
    monkeypatch.setenv("TN_TEST_WACHT_KEY", API_KEY)
    watch(path, cfg, "2024-01-09T15:10")
    assert len(server.accepted("/notifications")) == 4
