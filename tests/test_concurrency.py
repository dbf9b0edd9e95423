"""The dashboard keeps answering while `template-noise ingest` writes to the same database:
a served dashboard, every page loaded in a loop in chromium, an ingest running beside it;
no page errors, and the new data appears once the load has finished."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from browsing import (
    CHROMIUM,
    CHROMIUM_ARGS,
    PAGES,
    no_error_box,
    rendered,
    serve,
    wait_metric,
)
from template_noise import db

from benchmarks.generate import generate

pytestmark = pytest.mark.browser
sync_api = pytest.importorskip("playwright.sync_api")

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data" / "notifications.jsonl"


def events(dbfile: Path) -> int:
    con = db.connect(dbfile, read_only=True)
    row = con.execute("SELECT count(*) FROM events").fetchone()
    con.close()
    return int(row[0]) if row else 0


def test_pages_keep_answering_while_ingest_writes(tmp_path: Path) -> None:
    dbfile = tmp_path / "shared.duckdb"
    ingest = [
        sys.executable,
        "-m",
        "template_noise.cli",
        "ingest",
        "--db",
        str(dbfile),
        "--format",
        "json",
    ]
    subprocess.run([*ingest, str(SAMPLE)], check=True, capture_output=True)
    before = events(dbfile)
    month = tmp_path / "month.jsonl"
    added = generate(month, 150_000, "jsonl")  # a load of several seconds

    loads, failures = 0, []
    for server in serve(tmp_path, dbfile):
        with sync_api.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            # The served dashboard holds the database (registered as a reader), so the
            # load goes to a staging copy that is swapped in: the file's inode changes.
            page.goto(server.url + PAGES[0].path)
            rendered(page, PAGES[0])
            inode = dbfile.stat().st_ino
            writer = subprocess.Popen([*ingest, str(month)], stdout=subprocess.PIPE, text=True)
            deadline = time.monotonic() + 600
            while (writer.poll() is None or loads < len(PAGES)) and time.monotonic() < deadline:
                spec = PAGES[loads % len(PAGES)]
                try:
                    page.goto(server.url + spec.path)
                    rendered(page, spec)
                    no_error_box(page, spec.name)
                except Exception as e:  # counted, reported below
                    failures.append(f"{spec.name}: {e}")
                loads += 1
            out, _ = writer.communicate(timeout=600)
            assert writer.returncode == 0
            assert json.loads(out)["events_loaded"] == added
            assert dbfile.stat().st_ino != inode

            # The new data shows once the load is published.
            page.goto(server.url + "/data")
            wait_metric(page, "Events", f"{before + added:,}")
            no_error_box(page, "data after the load")
            browser.close()

    artifacts = ROOT / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    counts = {"page_loads_during_ingest": loads, "failed": len(failures)}
    (artifacts / "concurrency.json").write_text(json.dumps(counts) + "\n")
    print(f"\nconcurrent page loads served during ingest: {counts}")
    assert failures == []
    assert loads >= len(PAGES)
    assert events(dbfile) == before + added
