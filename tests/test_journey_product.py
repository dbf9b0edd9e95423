"""The product team's task in a real browser: find the worst template, learn why, learn what
to change (issue 16).

`template-noise serve` on the bundled sample, Debian's chromium through Playwright. The user
arrives on a shared link with a severity filter, sets a dedup window in the sidebar, clicks
the worst row of the ranking, and must land on that template's page with the same filters
(sidebar, URL and numbers), the flag explained with its threshold, and what to change in the
sending code (the dedup key candidate `run_id`). Screenshots of the Overview and Template
pages at 1400 and 800 px wide go to test-artifacts/.

Run: pytest -m browser tests/test_journey_product.py
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from browsing import (
    PAGES,
    SAMPLE,
    TIMEOUT_MS,
    PageSpec,
    Server,
    cut_metrics,
    new_tab,
    no_error_box,
    rendered,
    screenshot,
    serve,
    wait_metric,
)  # fmt: skip
from template_noise import db
from template_noise.config import load_config
from template_noise.filters import Filters
from template_noise.format import count, pct
from template_noise.ingest import ingest
from template_noise.metrics import compute_metrics

pytestmark = pytest.mark.browser

OVERVIEW = PAGES[0]
TEMPLATE = PageSpec("template", "", "text=What to change", charts=2)
FILTERS = Filters(severities=("error", "warning"), dedup_window_minutes=30)
TALL = 2600  # the page scrolls inside Streamlit's container: a tall viewport shows it all

GRID_OVERFLOW = """() => [...document.querySelectorAll('[data-testid="stDataFrame"] .dvn-scroller')]
    .map(s => s.scrollWidth - s.clientWidth)"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """`template-noise serve` alone: the bundled sample in memory, as the README starts it."""
    yield from serve(tmp_path_factory.mktemp("journey_product"), None)


@pytest.fixture(scope="module")
def expected() -> dict[str, object]:
    """The core's ranking of the sample under the journey's filters (what the CLI prints)."""
    con = db.connect(None)
    try:
        ingest(con, [SAMPLE])
        ranking = compute_metrics(con, FILTERS, load_config())
    finally:
        con.close()
    worst = ranking.iloc[0]
    return {
        "template": str(worst["template"]),
        "sent": count(worst["sent"]),
        "duplicate_rate": pct(worst["duplicate_rate"]),
        "flags": list(worst["flags"]),
    }


def _dedup_box(page: object) -> object:
    p = page
    return p.get_by_label("Dedup window (minutes)", exact=True).and_(p.locator("input"))  # type: ignore[attr-defined]


def test_worst_template_why_and_what_to_change(
    server: Server, browser: object, expected: dict[str, object]
) -> None:
    assert expected["template"] == "operations.automation_failed"
    assert expected["flags"] == ["duplicates"]
    with new_tab(browser, 1400, TALL) as tab:
        p = tab.page
        # A shared link with a severity filter, then a dedup window typed in the sidebar.
        p.goto(server.url + "/?severity=error,warning")  # type: ignore[attr-defined]
        rendered(p, OVERVIEW)
        box = _dedup_box(p)
        box.fill("30")  # type: ignore[attr-defined]
        box.press("Enter")  # type: ignore[attr-defined]
        p.wait_for_url("**dedup=30**", timeout=TIMEOUT_MS)  # type: ignore[attr-defined]
        rendered(p, OVERVIEW)
        no_error_box(p, "overview with filters")
        # The ranking fits: no sideways scroll at 1400 px.
        assert max(p.evaluate(GRID_OVERFLOW)) <= 1  # type: ignore[attr-defined]
        screenshot(p, "overview-1400")

        # Select the worst row, as a user does: the row's selection box in the grid.
        grid = p.locator('[data-testid="stDataFrame"]').first  # type: ignore[attr-defined]
        bounds = grid.bounding_box()
        p.mouse.click(bounds["x"] + 12, bounds["y"] + 35 + 17)  # type: ignore[attr-defined]
        p.wait_for_url("**/template?**", timeout=TIMEOUT_MS)  # type: ignore[attr-defined]
        rendered(p, TEMPLATE)
        no_error_box(p, "template page after the switch")
        assert len(p.context.pages) == 1  # type: ignore[attr-defined]  # the same tab

        # The user's filters, intact: URL, sidebar and the numbers under them.
        url = p.url  # type: ignore[attr-defined]
        assert "severity=error%2Cwarning" in url and "dedup=30" in url, url
        assert "since=" not in url, url
        assert _dedup_box(p).input_value() == "30"  # type: ignore[attr-defined]
        chosen = p.locator('[data-testid="stMultiSelect"]').first.inner_text()  # type: ignore[attr-defined]
        assert "error" in chosen and "warning" in chosen, chosen
        codes = [c.strip() for c in p.locator('[data-testid="stCode"]').all_inner_texts()]  # type: ignore[attr-defined]
        assert expected["template"] in codes
        wait_metric(p, "Sent", str(expected["sent"]))
        wait_metric(p, "Duplicate rate", str(expected["duplicate_rate"]))
        assert p.get_by_text("no notifications in the current filters").count() == 0  # type: ignore[attr-defined]

        # Why: the number beside its threshold, and the flag explained.
        assert p.get_by_text("of sent · above 1.0%: duplicates").is_visible()  # type: ignore[attr-defined]
        alert = p.locator('[data-testid="stAlert"]', has_text="fires when").first.inner_text()  # type: ignore[attr-defined]
        assert "fires when Duplicate rate above 1.0% (with at least 50 sent)" in alert, alert

        # What to change: the fix, the dedup key candidate, the pairs side by side.
        assert p.get_by_text("Send with a stable dedup key per business event").is_visible()  # type: ignore[attr-defined]
        assert p.get_by_text("Dedup key candidates").is_visible()  # type: ignore[attr-defined]
        assert "run_id" in codes
        assert p.get_by_text("each beside the notification it repeats").is_visible()  # type: ignore[attr-defined]
        screenshot(p, "template-1400")
        template_url = url

        # Back to the ranking for the next template: it stays there (the selection does
        # not switch again) and the filters are still set.
        p.locator('[data-testid="stSidebarNav"] a', has_text="Overview").click()  # type: ignore[attr-defined]
        rendered(p, OVERVIEW)
        p.wait_for_timeout(1500)  # type: ignore[attr-defined]
        rendered(p, OVERVIEW)
        assert "/template" not in p.url, p.url  # type: ignore[attr-defined]
        assert _dedup_box(p).input_value() == "30"  # type: ignore[attr-defined]
        overview_url = server.url + "/?severity=error%2Cwarning&dedup=30"
        assert tab.dialogs == []

    # 800 px wide: the same pages, no number cut on the Template page.
    with new_tab(browser, 800, TALL) as tab:
        p = tab.page
        p.goto(overview_url)  # type: ignore[attr-defined]
        rendered(p, OVERVIEW)
        no_error_box(p, "overview at 800 px")
        screenshot(p, "overview-800")
        p.goto(template_url)  # type: ignore[attr-defined]
        rendered(p, TEMPLATE)
        no_error_box(p, "template at 800 px")
        wait_metric(p, "Duplicate rate", str(expected["duplicate_rate"]))
        assert cut_metrics(p) == []
        assert screenshot(p, "template-800").is_file()
