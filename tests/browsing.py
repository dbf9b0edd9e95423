"""Helpers for the browser tests: `template-noise serve` in a subprocess, Debian's chromium
driven by Playwright (it cannot download its own browser here), waits that know when a
Streamlit page has rendered. Test modules build their fixtures from these.

Importing this module skips the importing test module when playwright or chromium is
missing, except in CI, where that is a failure: a browser test skipped in CI does not exist.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from served import free_port, wait_healthy

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

# In CI a missing browser is a failure, not a silent skip: these tests are the only proof
# that untrusted markup stays text in a real browser.
IN_CI = bool(os.environ.get("CI"))
try:
    from playwright import sync_api
except ImportError:
    if IN_CI:
        raise
    pytest.skip("playwright is not installed", allow_module_level=True)
if not Path(CHROMIUM).exists():
    if IN_CI:
        raise RuntimeError(f"CI: no chromium at {CHROMIUM}; the browser tests cannot run")
    pytest.skip(f"no chromium at {CHROMIUM}", allow_module_level=True)


@dataclass(frozen=True)
class PageSpec:
    name: str
    path: str
    marker: str  # visible once the page has rendered
    charts: int = 0  # Plotly charts the page draws
    metrics: int = 4  # headline numbers (st.metric) at least


PAGES = (
    PageSpec("overview", "/", "text=Noise ranking", charts=2),
    PageSpec("template", "/template?template=operations.automation_failed",
             "text=Top recipients", charts=2),
    PageSpec("delivery", "/delivery", "text=Realtime disconnects", charts=4),
    PageSpec("checklist", "/checklist", "text=Sign-off history"),
    PageSpec("data", "/data", "text=Freshness"),
    PageSpec("alerts", "/alerts", "text=Resolved alerts", metrics=3),
    PageSpec("whatif", "/whatif", "text=Go-live checklist after"),
)  # fmt: skip


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]
    log: Path
    xss_template: str = ""
    timings: dict[str, dict[str, float]] = field(default_factory=dict)


def command() -> list[str]:
    exe = Path(sys.executable).parent / "template-noise"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "template_noise.cli"]


def serve(tmp: Path, db_path: Path | None) -> Iterator[Server]:
    port = free_port()
    log = tmp / "serve.log"
    args = [*command(), "serve", "--port", str(port)]
    if db_path is not None:
        args += ["--db", str(db_path)]
    with log.open("wb") as out:
        # Own process group: `serve` runs streamlit as a child, and both must go at the end.
        proc = subprocess.Popen(args, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(port, proc, timeout=60, output=log.read_text)
        yield Server(url, proc, log)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


@contextlib.contextmanager
def launch() -> Iterator[object]:
    """A headless chromium (a Playwright Browser)."""
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@dataclass
class Tab:
    page: object
    dialogs: list[str]


@contextlib.contextmanager
def new_tab(browser: object, width: int = 1400, height: int = 1000) -> Iterator[Tab]:
    """A fresh browser context and page at this viewport; dialogs are recorded, dismissed."""
    context = browser.new_context(viewport={"width": width, "height": height})  # type: ignore[attr-defined]
    page = context.new_page()
    dialogs: list[str] = []

    def on_dialog(d: object) -> None:
        dialogs.append(d.message)  # type: ignore[attr-defined]
        d.dismiss()  # type: ignore[attr-defined]

    page.on("dialog", on_dialog)
    try:
        yield Tab(page, dialogs)
    finally:
        context.close()


def rendered(page: object, spec: PageSpec) -> None:
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


def no_error_box(page: object, where: str) -> None:
    p = page
    exceptions = p.locator('[data-testid="stException"]')  # type: ignore[attr-defined]
    errors = p.locator('[data-testid="stAlertContentError"]')  # type: ignore[attr-defined]
    assert exceptions.count() == 0, f"{where}: {exceptions.all_inner_texts()}"
    assert errors.count() == 0, f"{where}: {errors.all_inner_texts()}"


def timed_visit(page: object, url: str, spec: PageSpec) -> float:
    start = time.perf_counter()
    page.goto(url)  # type: ignore[attr-defined]
    rendered(page, spec)
    return time.perf_counter() - start


def screenshot(page: object, name: str) -> Path:
    """A full-page screenshot in test-artifacts/ (kept by CI as the test's artifact)."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)  # type: ignore[attr-defined]
    return path


def metric_value(page: object, label: str) -> str:
    """The value an st.metric with this label shows."""
    box = page.locator('[data-testid="stMetric"]', has_text=label).first  # type: ignore[attr-defined]
    return str(box.locator('[data-testid="stMetricValue"]').inner_text())


WAIT_METRIC = """([label, value]) => [...document.querySelectorAll('[data-testid="stMetric"]')]
    .some(m => m.querySelector('[data-testid="stMetricLabel"]')?.innerText.trim() === label
            && m.querySelector('[data-testid="stMetricValue"]')?.innerText.trim() === value)"""


def wait_metric(page: object, label: str, value: str) -> None:
    """Until an st.metric with this label shows this value."""
    page.wait_for_function(WAIT_METRIC, arg=[label, value], timeout=TIMEOUT_MS)  # type: ignore[attr-defined]


# Every st.metric value whose text does not fit: Streamlit cuts it with an ellipsis in an
# inner element ("66.…"), so the value element and everything in it are measured.
CUT_METRICS = """() => [...document.querySelectorAll('[data-testid="stMetricValue"]')]
    .filter(v => [v, ...v.querySelectorAll('*')].some(e => e.scrollWidth > e.clientWidth + 1))
    .map(v => v.innerText)"""


def cut_metrics(page: object) -> list[str]:
    """The headline numbers (st.metric values) the page shows cut, as their text."""
    return list(page.evaluate(CUT_METRICS))  # type: ignore[attr-defined]
