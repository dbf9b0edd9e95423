"""The release owner's task, end to end, in a real browser against `template-noise serve`:
review the checklist, sign off with approve through the form and its confirmation, then let
CI decide with `template-noise check --require-signoff` (a subprocess, as CI runs it): 0 on
the signed data, 1 after a new day is appended. Along the way: a mistyped waiver is refused
(no row written), and a double click on the confirmation writes exactly one row.

The log: healthy_log() plus a template "Flood" that floods u1 (11 in a day), so only
noisy_template_monitoring fails, and the sign-off's waiver `Flood: flooding: ...` makes the
checklist pass. Screenshots of the Checklist page at 1400 px (before signing, and the review step) and
at 800 px (after new data) go to test-artifacts/.

Run: pytest -m browser tests/test_journey_release.py
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from browsing import (
    TIMEOUT_MS,
    PageSpec,
    Server,
    command,
    cut_metrics,
    new_tab,
    no_error_box,
    rendered,
    screenshot,
    serve,
)  # fmt: skip
from events_fixture import flooded_log, next_day, write_jsonl
from template_noise import db, signoff

pytestmark = pytest.mark.browser

CHECKLIST = PageSpec("checklist", "/checklist", "text=Sign-off history")
WAIVER = "Flood: flooding: load test template, removed before launch"


@pytest.fixture(scope="module")
def release_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("release")
    db_path = tmp / "release.duckdb"
    done = _cli("ingest", str(write_jsonl(tmp / "day0.jsonl", flooded_log())), "--db", str(db_path))
    assert done.returncode == 0, done.stderr
    yield from serve(tmp, db_path)


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*command(), *args], capture_output=True, text=True, timeout=300)


def _db(server: Server) -> Path:
    return server.log.parent / "release.duckdb"


def _signoffs(server: Server) -> list[dict[str, object]]:
    done = _cli("signoffs", "list", "--db", str(_db(server)), "--format", "json")
    assert done.returncode == 0, done.stderr
    rows: list[dict[str, object]] = json.loads(done.stdout)
    return rows


def _fingerprint(server: Server) -> str:
    con = db.connect(_db(server), read_only=True)
    try:
        return signoff.data_fingerprint(con)
    finally:
        con.close()


def _fill(page: object, waivers: str) -> None:
    p = page
    p.get_by_label("Name").fill("Grace Hopper")  # type: ignore[attr-defined]
    p.get_by_label("Role").fill("release owner")  # type: ignore[attr-defined]
    p.locator('[data-testid="stRadio"] label', has_text="Approve the release").click()  # type: ignore[attr-defined]
    p.get_by_label("Notes").fill("checked on staging")  # type: ignore[attr-defined]
    p.locator("textarea[aria-label^='Waivers']").fill(waivers)  # type: ignore[attr-defined]
    p.get_by_role("button", name="Review sign-off").click()  # type: ignore[attr-defined]


def _no_cut_metric(page: object, where: str) -> None:
    """Every headline number shows whole: no st.metric value wider than its box."""
    cut = cut_metrics(page)
    assert cut == [], f"{where}: cut headline numbers {cut}"


def test_sign_off_then_ci_trusts_it_until_new_data(release_server: Server, browser: object) -> None:
    signed_fp = _fingerprint(release_server)
    before = _cli("check", "--db", str(_db(release_server)), "--require-signoff")
    assert before.returncode == 1
    assert "no approving sign-off for data fingerprint" in before.stderr

    with new_tab(browser, 1400, 1000) as tab:
        p = tab.page
        p.goto(release_server.url + CHECKLIST.path)  # type: ignore[attr-defined]
        rendered(p, CHECKLIST)
        p.wait_for_selector("text=do not apply on this page", timeout=TIMEOUT_MS)  # type: ignore[attr-defined]
        p.wait_for_selector("text=noisy without a waiver", state="attached", timeout=TIMEOUT_MS)  # type: ignore[attr-defined]
        no_error_box(p, "checklist")
        _no_cut_metric(p, "checklist at 1400 px")
        screenshot(p, "checklist-1400")

        # A mistyped waiver is refused, naming the line and the item meant; nothing written.
        _fill(p, "noisy_templat_monitoring: accepted for launch")
        p.wait_for_selector(  # type: ignore[attr-defined]
            "text=did you mean 'noisy_template_monitoring'", timeout=TIMEOUT_MS
        )
        warning = p.locator(
            '[data-testid="stAlertContentWarning"]', has_text="Not signed"
        ).inner_text()  # type: ignore[attr-defined]
        assert "waiver line 1" in warning and "noisy_templat_monitoring" in warning
        assert p.get_by_role("button", name="Confirm: approve").count() == 0  # type: ignore[attr-defined]
        assert _signoffs(release_server) == []

        # Review, then confirm with a double click: exactly one row.
        _fill(p, WAIVER)
        p.wait_for_selector(  # type: ignore[attr-defined]
            f"text=Confirm: approve sign-off of data fingerprint {signed_fp[:12]}",
            timeout=TIMEOUT_MS,
        )
        assert _signoffs(release_server) == []  # reviewed, not yet written
        confirm = p.get_by_role("button", name="Confirm: approve")  # type: ignore[attr-defined]
        confirm.scroll_into_view_if_needed()
        screenshot(p, "checklist-review-1400")
        confirm.dblclick()
        p.wait_for_selector("text=Signed off as #1 (approve)", timeout=TIMEOUT_MS)  # type: ignore[attr-defined]
        rendered(p, CHECKLIST)
        p.wait_for_timeout(1500)  # type: ignore[attr-defined]  # a late second click's rerun
        rows = _signoffs(release_server)
        assert len(rows) == 1, rows
        assert rows[0]["decision"] == "approve" and rows[0]["data_fingerprint"] == signed_fp
        assert rows[0]["waivers"] == {
            "Flood: flooding": "load test template, removed before launch"
        }
        # The form is cleared, and the page now reads the waiver as applied.
        assert p.get_by_label("Name").input_value() == ""  # type: ignore[attr-defined]
        p.wait_for_selector("text=approved by sign-off #1", timeout=TIMEOUT_MS)  # type: ignore[attr-defined]
        no_error_box(p, "checklist after the sign-off")

    # CI: the approved data passes.
    done = _cli("check", "--db", str(_db(release_server)), "--require-signoff")
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"data fingerprint: {signed_fp}" in done.stdout

    # A new day is appended while the dashboard serves the file: a new fingerprint, which the
    # sign-off does not cover.
    day1 = write_jsonl(_db(release_server).parent / "day1.jsonl", next_day(1))
    loaded = _cli("ingest", str(day1), "--db", str(_db(release_server)))
    assert loaded.returncode == 0, loaded.stderr
    new_fp = _fingerprint(release_server)
    assert new_fp != signed_fp
    done = _cli("check", "--db", str(_db(release_server)), "--require-signoff")
    assert done.returncode == 1
    assert done.stderr.strip() == (
        f"template-noise: no approving sign-off for data fingerprint {new_fp[:12]} "
        f"(latest sign-off #1 covers {signed_fp[:12]})"
    )

    # At 800 px the page says the same, with no headline number cut.
    with new_tab(browser, 800, 1000) as tab:
        p = tab.page
        p.goto(release_server.url + CHECKLIST.path)  # type: ignore[attr-defined]
        rendered(p, CHECKLIST)
        p.wait_for_selector(  # type: ignore[attr-defined]
            f"text=latest sign-off #1 covers {signed_fp[:12]}", timeout=TIMEOUT_MS
        )
        no_error_box(p, "checklist at 800 px")
        _no_cut_metric(p, "checklist at 800 px")
        screenshot(p, "checklist-800")
