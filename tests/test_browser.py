"""The dashboard in a real browser: `template-noise serve` in a subprocess, Playwright
driving Debian's chromium (Playwright cannot download its own browser here).

What AppTest cannot see: pages render in a browser without an error box, a filter change
reaches the URL, a sign-off survives a reload, untrusted markup stays text and runs nothing.
Screenshots and render timings go to test-artifacts/ (gitignored).

Run: pytest -m browser -s tests/test_browser.py   (the timings are printed with -s)
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import pytest

from dashboard import db
from dashboard.config import load_config
from dashboard.filters import Filters
from dashboard.ingest import ingest
from dashboard.metrics import compute_metrics

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
SAMPLE = ROOT / "sample_data" / "notifications.jsonl"
CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip
XSS_TITLE = "<img src=x onerror=alert(1)><script>alert(2)</script>"
TIMEOUT_MS = 90_000

sync_api = pytest.importorskip("playwright.sync_api")
if not Path(CHROMIUM).exists():
    pytest.skip(f"no chromium at {CHROMIUM}", allow_module_level=True)


@dataclass(frozen=True)
class PageSpec:
    name: str
    path: str
    marker: str  # visible once the page has rendered
    charts: int = 0  # Plotly charts the page draws


PAGES = (
    PageSpec("overview", "/", "text=Noise ranking", charts=2),
    PageSpec("template", "/template?template=operations.automation_failed",
             "text=Top recipients", charts=2),
    PageSpec("delivery", "/delivery", "text=Realtime disconnects", charts=4),
    PageSpec("checklist", "/checklist", "text=Sign-off history"),
    PageSpec("data", "/data", "text=Freshness"),
)  # fmt: skip


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]
    log: Path
    xss_template: str = ""
    timings: dict[str, dict[str, float]] = field(default_factory=dict)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _command() -> list[str]:
    exe = Path(sys.executable).parent / "template-noise"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "dashboard.cli"]


def _serve(tmp: Path, db_path: Path | None) -> Iterator[Server]:
    port = _free_port()
    log = tmp / "serve.log"
    args = [*_command(), "serve", "--port", str(port)]
    if db_path is not None:
        args += ["--db", str(db_path)]
    with log.open("wb") as out:
        # Own process group: `serve` runs streamlit as a child, and both must go at the end.
        proc = subprocess.Popen(args, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"serve did not come up:\n{log.read_text()[-3000:]}")
            time.sleep(0.3)
        yield Server(url, proc, log)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The bundled sample plus one notification whose title is an XSS probe, in a DuckDB
    file served by `template-noise serve --db`."""
    tmp = tmp_path_factory.mktemp("served")
    probe = tmp / "xss.jsonl"
    probe.write_text(
        json.dumps({
            "event_type": "sent", "occurred_at": "2026-10-30T10:00:00Z",
            "notification_id": "xss-1", "user_id": "u_0001", "title": XSS_TITLE,
            "body": XSS_TITLE, "severity": "info", "metadata": {"html": XSS_TITLE},
        }) + "\n",
        encoding="utf-8",
    )  # fmt: skip
    db_path = tmp / "served.duckdb"
    con = db.connect(db_path)
    try:
        ingest(con, [SAMPLE, probe])
        names = compute_metrics(con, Filters(), load_config())["template"]
    finally:
        con.close()
    xss_template = next(t for t in names if "onerror" in t)
    for served in _serve(tmp, db_path):
        served.xss_template = xss_template
        yield served


@pytest.fixture(scope="module")
def sample_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """`template-noise serve` alone: the bundled sample in memory, as the README starts it."""
    yield from _serve(tmp_path_factory.mktemp("sample"), None)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@dataclass
class Tab:
    page: object
    dialogs: list[str]


@pytest.fixture
def tab(browser: object) -> Iterator[Tab]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})  # type: ignore[attr-defined]
    page = context.new_page()
    dialogs: list[str] = []

    def on_dialog(d: object) -> None:
        dialogs.append(d.message)  # type: ignore[attr-defined]
        d.dismiss()  # type: ignore[attr-defined]

    page.on("dialog", on_dialog)
    yield Tab(page, dialogs)
    context.close()


def _rendered(page: object, spec: PageSpec) -> None:
    """Wait until the page shows its marker and charts and the script has stopped running."""
    p = page  # playwright Page
    p.wait_for_selector(spec.marker, state="visible", timeout=TIMEOUT_MS)  # type: ignore[attr-defined]
    if spec.charts:
        p.wait_for_function(  # type: ignore[attr-defined]
            "n => document.querySelectorAll('[data-testid=\"stPlotlyChart\"] .main-svg').length >= n",
            arg=spec.charts, timeout=TIMEOUT_MS,
        )  # fmt: skip
    p.wait_for_function(  # type: ignore[attr-defined]
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=TIMEOUT_MS
    )


def _no_error_box(page: object, where: str) -> None:
    p = page
    exceptions = p.locator('[data-testid="stException"]')  # type: ignore[attr-defined]
    errors = p.locator('[data-testid="stAlertContentError"]')  # type: ignore[attr-defined]
    assert exceptions.count() == 0, f"{where}: {exceptions.all_inner_texts()}"
    assert errors.count() == 0, f"{where}: {errors.all_inner_texts()}"


def _timed_visit(page: object, url: str, spec: PageSpec) -> float:
    start = time.perf_counter()
    page.goto(url)  # type: ignore[attr-defined]
    _rendered(page, spec)
    return time.perf_counter() - start


def test_every_page_renders_on_the_bundled_sample(sample_server: Server, tab: Tab) -> None:
    """First load (cold caches, fresh server) and warm (a new session after it) per page."""
    ARTIFACTS.mkdir(exist_ok=True)
    timings: dict[str, dict[str, float]] = {}
    for spec in PAGES:
        url = sample_server.url + spec.path
        first = _timed_visit(tab.page, url, spec)
        _no_error_box(tab.page, spec.name)
        warm = _timed_visit(tab.page, url, spec)
        _no_error_box(tab.page, spec.name)
        timings[spec.name] = {"first_load_s": round(first, 3), "warm_s": round(warm, 3)}
        tab.page.screenshot(path=str(ARTIFACTS / f"{spec.name}.png"), full_page=True)  # type: ignore[attr-defined]
    assert tab.dialogs == []
    (ARTIFACTS / "timings.json").write_text(json.dumps(timings, indent=2) + "\n")
    print("\npage render times on the bundled sample (seconds):")
    for name, t in timings.items():
        print(f"  {name:<10} first load {t['first_load_s']:6.2f}   warm {t['warm_s']:6.2f}")


def test_navigation_reaches_every_page(server: Server, tab: Tab) -> None:
    tab.page.goto(server.url + "/")  # type: ignore[attr-defined]
    _rendered(tab.page, PAGES[0])
    links = tab.page.locator('[data-testid="stSidebarNav"] a')  # type: ignore[attr-defined]
    assert links.count() == len(PAGES)
    for spec in PAGES[1:]:
        target = tab.page.locator(f'[data-testid="stSidebarNav"] a[href$="/{spec.name}"]')  # type: ignore[attr-defined]
        target.click()
        _rendered(tab.page, PageSpec(spec.name, spec.path, spec.marker))
        _no_error_box(tab.page, spec.name)


def _metric(page: object, label: str) -> str:
    box = page.locator('[data-testid="stMetric"]', has_text=label).first  # type: ignore[attr-defined]
    return str(box.locator('[data-testid="stMetricValue"]').inner_text())


WAIT_METRIC = """([label, value]) => [...document.querySelectorAll('[data-testid="stMetric"]')]
    .some(m => m.querySelector('[data-testid="stMetricLabel"]')?.innerText.trim() === label
            && m.querySelector('[data-testid="stMetricValue"]')?.innerText.trim() === value)"""


def _wait_metric(page: object, label: str, value: str) -> None:
    page.wait_for_function(WAIT_METRIC, arg=[label, value], timeout=TIMEOUT_MS)  # type: ignore[attr-defined]


def test_a_filter_change_reaches_the_url_and_the_numbers(server: Server, tab: Tab) -> None:
    p = tab.page
    p.goto(server.url + "/")  # type: ignore[attr-defined]
    _rendered(p, PAGES[0])
    assert _metric(p, "Templates") == "12"
    box = p.get_by_label("Template contains")  # type: ignore[attr-defined]
    box.fill("webhook")
    box.press("Enter")
    p.wait_for_url("**q=webhook**", timeout=TIMEOUT_MS)  # type: ignore[attr-defined]
    _wait_metric(p, "Templates", "1")
    _no_error_box(p, "overview with a filter")
    # The URL alone reproduces the view, on another page too.
    p.goto(server.url + "/delivery?q=webhook&window=all")  # type: ignore[attr-defined]
    _rendered(p, PAGES[2])
    assert p.get_by_label("Template contains").input_value() == "webhook"  # type: ignore[attr-defined]
    _no_error_box(p, "delivery with a filter")


def test_sign_off_is_in_the_history_after_a_reload(server: Server, tab: Tab) -> None:
    p = tab.page
    checklist = PAGES[3]
    p.goto(server.url + checklist.path)  # type: ignore[attr-defined]
    _rendered(p, checklist)
    name = f"Grace Hopper {time.time_ns() % 100000}"
    p.get_by_label("Name").fill(name)  # type: ignore[attr-defined]
    p.get_by_label("Role").fill("release owner")  # type: ignore[attr-defined]
    p.get_by_label("Notes").fill("checked on staging")  # type: ignore[attr-defined]
    p.locator("button", has_text="Sign off").click()  # type: ignore[attr-defined]
    p.wait_for_selector("text=Signed off as #", timeout=TIMEOUT_MS)  # type: ignore[attr-defined]
    p.reload()  # type: ignore[attr-defined]
    _rendered(p, checklist)
    # The grid draws on a canvas; its cells are mirrored in an (invisible) accessible table.
    p.wait_for_selector(  # type: ignore[attr-defined]
        f'table[role="grid"] >> text="{name}"', state="attached", timeout=TIMEOUT_MS
    )
    _no_error_box(p, "checklist after sign-off")


def test_markup_in_a_title_is_literal_text_and_runs_nothing(server: Server, tab: Tab) -> None:
    p = tab.page
    # The probe has no template, so its inferred template name is markup as well: it shows
    # in the picker, the ranking, the chart labels and as the page's heading.
    p.goto(server.url + "/template?template=" + quote(server.xss_template))  # type: ignore[attr-defined]
    _rendered(p, PageSpec("template", "", "text=Top recipients", charts=2))
    codes = p.locator('[data-testid="stCode"]').all_inner_texts()  # type: ignore[attr-defined]
    assert server.xss_template in [c.strip() for c in codes]
    assert XSS_TITLE in [c.strip() for c in codes]  # the inspected example's title and body
    assert p.locator('img[src="x"]').count() == 0  # type: ignore[attr-defined]
    assert p.locator("script", has_text="alert(2)").count() == 0  # type: ignore[attr-defined]
    p.screenshot(path=str(ARTIFACTS / "xss_template.png"), full_page=True)  # type: ignore[attr-defined]
    p.wait_for_timeout(500)  # type: ignore[attr-defined]
    assert tab.dialogs == []
    _no_error_box(p, "template page of the probe")
