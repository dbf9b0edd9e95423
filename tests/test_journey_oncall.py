"""On-call's task in a real browser, on the bundled sample (`template-noise serve` with no
database: the sample in memory; its events end on 2026-10-30, weeks before any run).

Delivery health with the user's filters -> a row of the per-template table -> that
template's page, in the same tab, with the filters intact. On the way: the stale-data
banner on every page, `/overview` opening its page, and no headline number cut at 800 px
wide (screenshots at 1400 and 800 px in test-artifacts/).

Run: pytest -m browser tests/test_journey_oncall.py
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from browsing import (
    PAGES,
    TIMEOUT_MS,
    PageSpec,
    Server,
    Tab,
    cut_metrics,
    new_tab,
    no_error_box,
    rendered,
    screenshot,
    serve,
)  # fmt: skip

pytestmark = pytest.mark.browser

BY_NAME = {spec.name: spec for spec in PAGES}
BANNER = "The newest event is from"
METRIC_COUNT = """() => document.querySelectorAll('[data-testid="stMetricValue"]').length"""
# The first data row of a dataframe's accessible mirror of its canvas.
FIRST_ROW = """key => [...document.querySelectorAll(
    `.st-key-${key} table[role="grid"] tr`)][1]?.children[0]?.textContent.trim()"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    yield from serve(tmp_path_factory.mktemp("oncall"), None)


def test_from_delivery_to_the_template_with_the_filters_kept(server: Server, tab: Tab) -> None:
    p = tab.page
    filters = {"since": ["2026-10-05"], "severity": ["warning"], "dedup": ["30"]}
    p.goto(server.url + "/delivery?window=all&since=2026-10-05&severity=warning&dedup=30")  # type: ignore[attr-defined]
    rendered(p, BY_NAME["delivery"])
    no_error_box(p, "delivery with filters")
    grid = p.locator(".st-key-d_templates")  # type: ignore[attr-defined]
    grid.scroll_into_view_if_needed()
    p.wait_for_function(FIRST_ROW, arg="d_templates", timeout=TIMEOUT_MS)  # type: ignore[attr-defined]
    first = p.evaluate(FIRST_ROW, "d_templates")  # type: ignore[attr-defined]
    assert first, "the per-template table has a row"
    # The grid draws on a canvas: its first column holds the row's selection box, 35 px rows.
    box = grid.bounding_box()
    p.mouse.click(box["x"] + 18, box["y"] + 35 + 17)  # type: ignore[attr-defined]
    p.wait_for_url("**/template?**", timeout=TIMEOUT_MS)  # type: ignore[attr-defined]
    rendered(p, PageSpec("template", "", "text=Top recipients", charts=2))
    no_error_box(p, "template page from delivery")
    # The same tab, at that template, with the filters in the URL and in the sidebar.
    assert len(p.context.pages) == 1  # type: ignore[attr-defined]
    query = parse_qs(urlparse(p.url).query)  # type: ignore[attr-defined]
    assert query == {"template": [first], **filters}
    sidebar = p.locator('[data-testid="stSidebar"] input').evaluate_all(  # type: ignore[attr-defined]
        "els => els.map(e => e.value)"
    )
    assert sidebar[:2] == ["2026-10-05", "2026-10-30"] and sidebar[-1] == "30"
    assert p.locator('[data-testid="stSidebar"]').get_by_text("warning").count() == 1  # type: ignore[attr-defined]
    # The page shows the template's data in these filters, from 5 October.
    assert p.get_by_text("has no notifications in the current filters").count() == 0  # type: ignore[attr-defined]
    assert p.get_by_text("Window: 2026-10-05 00:00").count() == 1  # type: ignore[attr-defined]
    assert p.evaluate(METRIC_COUNT) > 0  # type: ignore[attr-defined]
    screenshot(p, "journey-oncall-template")
    # Back to Delivery from the menu: it stays there (the selection does not fire again).
    p.get_by_role("link", name="Delivery health").click()  # type: ignore[attr-defined]
    rendered(p, BY_NAME["delivery"])
    p.wait_for_timeout(1500)  # type: ignore[attr-defined]
    assert urlparse(p.url).path == "/delivery"  # type: ignore[attr-defined]


def test_every_page_says_the_sample_is_old(server: Server, tab: Tab) -> None:
    p = tab.page
    for spec in PAGES:
        p.goto(server.url + spec.path)  # type: ignore[attr-defined]
        rendered(p, spec)
        banner = p.get_by_text(BANNER)  # type: ignore[attr-defined]
        assert banner.count() == 1, spec.name
        text = banner.inner_text()
        assert text.startswith(f"{BANNER} 2026-10-30 "), text
        assert "ago: windows such as 'last 24 h' end then, not now." in text


def test_each_page_opens_at_its_own_path(server: Server, tab: Tab) -> None:
    p = tab.page
    for path, spec in [("/overview", BY_NAME["overview"]), *((s.path, s) for s in PAGES)]:
        p.goto(server.url + path)  # type: ignore[attr-defined]
        rendered(p, spec)
        p.wait_for_timeout(500)  # type: ignore[attr-defined]
        assert p.get_by_text("Page not found").count() == 0, path  # type: ignore[attr-defined]
        assert urlparse(p.url).path == urlparse(path).path  # type: ignore[attr-defined]
        no_error_box(p, path)


@pytest.mark.parametrize("width", [1400, 800])
def test_no_headline_number_is_cut(server: Server, browser: object, width: int) -> None:
    shots: list[Path] = []
    with new_tab(browser, width=width, height=1000) as t:
        p = t.page
        for spec in PAGES:
            p.goto(server.url + spec.path)  # type: ignore[attr-defined]
            rendered(p, spec)
            p.wait_for_timeout(500)  # type: ignore[attr-defined]  (layout settles)
            assert p.evaluate(METRIC_COUNT) >= spec.metrics, spec.name  # type: ignore[attr-defined]
            assert cut_metrics(p) == [], f"{spec.name} at {width} px"
            if spec.name in ("overview", "delivery", "data"):
                shots.append(screenshot(p, f"{spec.name}-{width}"))
    assert all(s.stat().st_size > 0 for s in shots)
