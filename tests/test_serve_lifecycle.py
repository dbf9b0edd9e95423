"""`template-noise serve` under a supervisor: SIGTERM (systemd, a container runtime) or SIGINT
(Ctrl-C) to the process it started stops the dashboard within seconds: the port closes, no
process is left, and its registration as a reader of the database is released, so the next
ingest writes in place again instead of copying the whole file."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest
from browsing import CHROMIUM, CHROMIUM_ARGS, PAGES, no_error_box, rendered
from served import port_open, processes_mentioning, serve, stop, wait_closed
from template_noise import store

pytestmark = pytest.mark.browser
sync_api = pytest.importorskip("playwright.sync_api")

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data" / "notifications.jsonl"
CLI = [sys.executable, "-m", "template_noise.cli"]


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_to_serve_stops_the_server_and_releases_the_database(
    tmp_path: Path, signum: signal.Signals
) -> None:
    dbfile = tmp_path / "noise.duckdb"
    subprocess.run(
        [*CLI, "ingest", str(SAMPLE), "--db", str(dbfile)], check=True, capture_output=True
    )
    server, port = serve([*CLI, "serve", "--db", str(dbfile)], cwd=tmp_path)
    try:
        with sync_api.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page()
            page.goto(f"http://127.0.0.1:{port}/")
            rendered(page, PAGES[0])
            no_error_box(page, "overview")
            browser.close()
        assert store.readers_registered(dbfile)  # the served dashboard reads the file
    finally:
        stopped_in = stop(server, signum)
    wait_closed(port)
    print(f"\n{signum.name}: stopped in {stopped_in:.1f} s, exit {server.returncode}")
    assert not port_open(port)
    assert processes_mentioning(f"--port {port}") == []
    assert not store.readers_registered(dbfile)
    assert stopped_in < 10
