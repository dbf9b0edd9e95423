"""The product team's what-if in a real browser: before changing the sending code, ask for
the mildest fix of each noisy template, read what it costs, and take the policy file.

`template-noise serve` on the bundled sample, Debian's chromium through Playwright. The user
opens the What-if page, presses "Suggest the mildest fix", and must see the suggested policy
(a template table for each duplicates or flooding template), the reads it puts at risk as
the core computes them, and no error box or dialog.

Run: pytest -m browser tests/test_journey_whatif.py
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from browsing import SAMPLE, TIMEOUT_MS, Server, Tab, no_error_box, screenshot, serve, wait_metric
from template_noise import db
from template_noise.config import load_config
from template_noise.format import count
from template_noise.ingest import ingest
from template_noise.whatif import simulate
from template_noise.whatif.suggest import suggest

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    yield from serve(tmp_path_factory.mktemp("journey_whatif"), None)


@pytest.fixture(scope="module")
def expected() -> dict[str, object]:
    con = db.connect(None)
    ingest(con, [SAMPLE])
    found = suggest(con, load_config())
    sim = simulate(con, found.policy, load_config())
    return {"reads": count(sim.total["suppressed_read"]), "templates": found.policy.templates}


def test_the_suggested_fix_and_its_cost(
    server: Server, tab: Tab, expected: dict[str, object]
) -> None:
    page = tab.page
    page.goto(f"{server.url}/whatif")  # type: ignore[attr-defined]
    page.wait_for_selector("text=Before and after, per template", timeout=TIMEOUT_MS)  # type: ignore[attr-defined]
    wait_metric(page, "Reads at risk", "0")  # nothing set yet: nothing suppressed
    page.get_by_role("button", name="Suggest the mildest fix").click()  # type: ignore[attr-defined]
    page.wait_for_selector("text=Suggested for operations.automation_failed", timeout=TIMEOUT_MS)  # type: ignore[attr-defined]
    wait_metric(page, "Reads at risk", str(expected["reads"]))
    code = page.locator('[data-testid="stCode"]').first.inner_text()  # type: ignore[attr-defined]
    for template in expected["templates"]:  # type: ignore[attr-defined]
        assert f'[templates."{template}"]' in code
    assert "dedup_window_minutes" in code and "throttle" in code
    assert page.get_by_role("button", name="Download the policy (TOML)").is_enabled()  # type: ignore[attr-defined]
    no_error_box(page, "whatif")
    assert not tab.dialogs
    screenshot(page, "whatif-suggested")
