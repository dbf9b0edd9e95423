"""`template-noise serve` under a supervisor: SIGTERM (systemd, a container runtime) or SIGINT
(Ctrl-C) to the process it started stops the dashboard within seconds: the port closes, no
process is left, and its registration as a reader of the database is released, so the next
ingest writes in place again instead of copying the whole file."""

from __future__ import annotations

import fcntl
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from served import free_port, port_open, processes_mentioning, wait_closed, wait_healthy
from test_browser import CHROMIUM, CHROMIUM_ARGS, PAGES, _no_error_box, _rendered

pytestmark = pytest.mark.browser
sync_api = pytest.importorskip("playwright.sync_api")

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data" / "notifications.jsonl"
CLI = [sys.executable, "-m", "template_noise.cli"]


def registered_reader(dbfile: Path) -> bool:
    """Whether some process holds FILE.readers shared (a reader is registered)."""
    with open(dbfile.with_name(dbfile.name + ".readers"), "a+b") as readers:
        try:
            fcntl.flock(readers, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(readers, fcntl.LOCK_UN)
        return False


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_to_serve_stops_the_server_and_releases_the_database(
    tmp_path: Path, signum: signal.Signals
) -> None:
    dbfile = tmp_path / "noise.duckdb"
    subprocess.run(
        [*CLI, "ingest", str(SAMPLE), "--db", str(dbfile)], check=True, capture_output=True
    )
    port = free_port()
    server = subprocess.Popen(
        [*CLI, "serve", "--db", str(dbfile), "--port", str(port)],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_healthy(port, server)
        with sync_api.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page()
            page.goto(f"http://127.0.0.1:{port}/")
            _rendered(page, PAGES[0])
            _no_error_box(page, "overview")
            browser.close()
        assert registered_reader(dbfile)  # the served dashboard reads the file

        server.send_signal(signum)
        started = time.monotonic()
        server.wait(timeout=20)
        stopped_in = time.monotonic() - started
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
    wait_closed(port)
    print(f"\n{signum.name}: stopped in {stopped_in:.1f} s, exit {server.returncode}")
    assert not port_open(port)
    assert processes_mentioning(f"--port {port}") == []
    assert not registered_reader(dbfile)
    assert stopped_in < 10
