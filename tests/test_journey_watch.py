"""On-call after a night of `watch`, in a real browser: the Overview says an alert is open,
the Alerts page lists it (a template whose name is markup shows as text: no element made of
it, no dialog), and selecting it opens its template page with the incident window shaded
on the volume chart.

Run: pytest -m browser tests/test_journey_watch.py
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, urlparse

import pytest
from browsing import TIMEOUT_MS, PageSpec, Server, Tab, no_error_box, rendered, screenshot, serve
from events_fixture import write_jsonl
from template_noise import cli
from watch_fixture import hourly_log

pytestmark = pytest.mark.browser

HOSTILE = "<img src=x onerror=alert(1)>"
ALERTS = PageSpec("alerts", "/alerts", "text=Open and resolved", charts=1)
FIRST_ROW = """key => [...document.querySelectorAll(
    `.st-key-${key} table[role="grid"] tr`)][1]?.children[1]?.textContent.trim()"""
SHAPES = """() => [...document.querySelectorAll('.js-plotly-plot')]
    .map(d => ((d.layout || {}).shapes || []).length)"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("watch-journey")
    log = [e | {"template": HOSTILE} if e["template"] == "A" else e for e in hourly_log()]
    path = tmp / "w.duckdb"
    assert cli.main(["ingest", str(write_jsonl(tmp / "log.jsonl", log)), "--db", str(path)]) == 0
    assert cli.main(["watch", "--db", str(path), "--as-of", "2024-01-09T15:10"]) == 1
    yield from serve(tmp, path)


def test_from_the_open_alert_to_its_window_on_the_template_page(server: Server, tab: Tab) -> None:
    p = tab.page
    p.goto(server.url + "/")  # type: ignore[attr-defined]
    rendered(p, PageSpec("overview", "/", "text=Noise ranking", charts=2))
    assert p.get_by_text("1 open alert(s) from").count() == 1  # type: ignore[attr-defined]
    p.get_by_role("link", name="Open the Alerts page").click()  # type: ignore[attr-defined]
    rendered(p, ALERTS)
    no_error_box(p, "alerts")
    assert p.locator("img[src='x']").count() == 0  # type: ignore[attr-defined]
    screenshot(p, "journey-watch-alerts")
    grid = p.locator(".st-key-al_table")  # type: ignore[attr-defined]
    grid.scroll_into_view_if_needed()
    p.wait_for_function(FIRST_ROW, arg="al_table", timeout=TIMEOUT_MS)  # type: ignore[attr-defined]
    box = grid.bounding_box()
    p.mouse.click(box["x"] + 18, box["y"] + 35 + 17)  # type: ignore[attr-defined]  (row 1: B's drop)
    p.wait_for_url("**/template?**", timeout=TIMEOUT_MS)  # type: ignore[attr-defined]
    rendered(p, PageSpec("template", "", "text=Top recipients", charts=2))
    no_error_box(p, "template from alerts")
    query = parse_qs(urlparse(p.url).query)  # type: ignore[attr-defined]
    assert query["template"] == ["B"] and len(query["alert"][0]) == 16
    assert query["since"][0].startswith("2024-01-08")  # a day before the incident
    assert max(p.evaluate(SHAPES)) == 1  # type: ignore[attr-defined]
    screenshot(p, "journey-watch-template")
    assert tab.dialogs == []
