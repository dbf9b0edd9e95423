"""The dashboard in a real browser: `template-noise serve` in a subprocess, Playwright
driving Debian's chromium (Playwright cannot download its own browser here).

What AppTest cannot see: pages render in a browser without an error box, a filter change
reaches the URL, a sign-off survives a reload, untrusted markup stays text and runs nothing.
Screenshots and render timings go to test-artifacts/ (gitignored).

Run: pytest -m browser -s tests/test_browser.py   (the timings are printed with -s)
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import hostile
import pytest
from browsing import (
    ARTIFACTS,
    PAGES,
    SAMPLE,
    TIMEOUT_MS,
    XSS_TITLE,
    PageSpec,
    Server,
    Tab,
    metric_value,
    no_error_box,
    rendered,
    serve,
    timed_visit,
    wait_metric,
)  # fmt: skip
from events_fixture import write_jsonl
from template_noise import db
from template_noise.config import load_config
from template_noise.filters import Filters
from template_noise.ingest import ingest
from template_noise.metrics import compute_metrics

pytestmark = pytest.mark.browser


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
    for served in serve(tmp, db_path):
        served.xss_template = xss_template
        yield served


@pytest.fixture(scope="module")
def sample_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """`template-noise serve` alone: the bundled sample in memory, as the README starts it."""
    yield from serve(tmp_path_factory.mktemp("sample"), None)


def test_every_page_renders_on_the_bundled_sample(sample_server: Server, tab: Tab) -> None:
    """First load (cold caches, fresh server) and warm (a new session after it) per page."""
    ARTIFACTS.mkdir(exist_ok=True)
    timings: dict[str, dict[str, float]] = {}
    for spec in PAGES:
        url = sample_server.url + spec.path
        first = timed_visit(tab.page, url, spec)
        no_error_box(tab.page, spec.name)
        warm = timed_visit(tab.page, url, spec)
        no_error_box(tab.page, spec.name)
        timings[spec.name] = {"first_load_s": round(first, 3), "warm_s": round(warm, 3)}
        tab.page.screenshot(path=str(ARTIFACTS / f"{spec.name}.png"), full_page=True)  # type: ignore[attr-defined]
    assert tab.dialogs == []
    (ARTIFACTS / "timings.json").write_text(json.dumps(timings, indent=2) + "\n")
    print("\npage render times on the bundled sample (seconds):")
    for name, t in timings.items():
        print(f"  {name:<10} first load {t['first_load_s']:6.2f}   warm {t['warm_s']:6.2f}")


def test_navigation_reaches_every_page(server: Server, tab: Tab) -> None:
    tab.page.goto(server.url + "/")  # type: ignore[attr-defined]
    rendered(tab.page, PAGES[0])
    links = tab.page.locator('[data-testid="stSidebarNav"] a')  # type: ignore[attr-defined]
    assert links.count() == len(PAGES)
    for spec in PAGES[1:]:
        target = tab.page.locator(f'[data-testid="stSidebarNav"] a[href$="/{spec.name}"]')  # type: ignore[attr-defined]
        target.click()
        rendered(tab.page, PageSpec(spec.name, spec.path, spec.marker))
        no_error_box(tab.page, spec.name)


def test_a_filter_change_reaches_the_url_and_the_numbers(server: Server, tab: Tab) -> None:
    p = tab.page
    p.goto(server.url + "/")  # type: ignore[attr-defined]
    rendered(p, PAGES[0])
    assert metric_value(p, "Templates") == "12"
    box = p.get_by_label("Template contains")  # type: ignore[attr-defined]
    box.fill("webhook")
    box.press("Enter")
    p.wait_for_url("**q=webhook**", timeout=TIMEOUT_MS)  # type: ignore[attr-defined]
    wait_metric(p, "Templates", "1")
    no_error_box(p, "overview with a filter")
    # The URL alone reproduces the view, on another page too.
    p.goto(server.url + "/delivery?q=webhook&window=all")  # type: ignore[attr-defined]
    rendered(p, PAGES[2])
    assert p.get_by_label("Template contains").input_value() == "webhook"  # type: ignore[attr-defined]
    no_error_box(p, "delivery with a filter")


def _decide_and_confirm(page: object, decision: str) -> None:
    """Since issue 16 a sign-off needs a decision and a confirmation before it is written."""
    p = page
    label = {"approve": "Approve the release", "reject": "Reject it"}[decision]
    p.locator('[data-testid="stRadio"] label', has_text=label).click()  # type: ignore[attr-defined]
    p.get_by_role("button", name="Review sign-off").click()  # type: ignore[attr-defined]
    p.get_by_role("button", name=f"Confirm: {decision}").click(timeout=TIMEOUT_MS)  # type: ignore[attr-defined]
    p.wait_for_selector("text=Signed off as #", timeout=TIMEOUT_MS)  # type: ignore[attr-defined]


def test_sign_off_is_in_the_history_after_a_reload(server: Server, tab: Tab) -> None:
    p = tab.page
    checklist = PAGES[3]
    p.goto(server.url + checklist.path)  # type: ignore[attr-defined]
    rendered(p, checklist)
    name = f"Grace Hopper {time.time_ns() % 100000}"
    p.get_by_label("Name").fill(name)  # type: ignore[attr-defined]
    p.get_by_label("Role").fill("release owner")  # type: ignore[attr-defined]
    p.get_by_label("Notes").fill("checked on staging")  # type: ignore[attr-defined]
    _decide_and_confirm(p, "reject")
    p.reload()  # type: ignore[attr-defined]
    rendered(p, checklist)
    # The grid draws on a canvas; its cells are mirrored in an (invisible) accessible table.
    p.wait_for_selector(  # type: ignore[attr-defined]
        f'table[role="grid"] >> text="{name}"', state="attached", timeout=TIMEOUT_MS
    )
    no_error_box(p, "checklist after sign-off")


def test_markup_in_a_title_is_literal_text_and_runs_nothing(server: Server, tab: Tab) -> None:
    p = tab.page
    # The probe has no template, so its inferred template name is markup as well: it shows
    # in the picker, the ranking, the chart labels and as the page's heading.
    p.goto(server.url + "/template?template=" + quote(server.xss_template))  # type: ignore[attr-defined]
    rendered(p, PageSpec("template", "", "text=Top recipients", charts=2))
    # The heading names the template; under load the page may still be drawing it when the
    # charts are up, so wait for it (a page that never shows it fails here).
    p.locator('[data-testid="stCode"]', has_text=server.xss_template).first.wait_for(  # type: ignore[attr-defined]
        timeout=TIMEOUT_MS
    )
    codes = p.locator('[data-testid="stCode"]').all_inner_texts()  # type: ignore[attr-defined]
    assert server.xss_template in [c.strip() for c in codes]
    assert XSS_TITLE in [c.strip() for c in codes]  # the inspected example's title and body
    assert p.locator('img[src="x"]').count() == 0  # type: ignore[attr-defined]
    assert p.locator("script", has_text="alert(2)").count() == 0  # type: ignore[attr-defined]
    p.screenshot(path=str(ARTIFACTS / "xss_template.png"), full_page=True)  # type: ignore[attr-defined]
    p.wait_for_timeout(500)  # type: ignore[attr-defined]
    assert tab.dialogs == []
    no_error_box(p, "template page of the probe")


# ---- hostile text in every field, on every page ------------------------------------------

INJECTED = r"""() => {
    const all = [...document.querySelectorAll('*')];
    return {
        handlers: all.filter(e => [...e.attributes].some(
            a => a.name.startsWith('on') && /alert|tn-probe/.test(a.value))).length,
        probe_urls: all.filter(e => [...e.attributes].some(
            a => /^(src|href|data|action|formaction)$/.test(a.name)
                 && /^\s*(https?:)?\/\/tn-probe|^\s*javascript:/i.test(a.value)))
            .map(e => e.outerHTML.slice(0, 200)),
        scripts: [...document.scripts].filter(s => /alert\(/.test(s.textContent)).length,
        img_x: document.querySelectorAll('img[src="x"]').length,
        svg_onload: document.querySelectorAll('svg[onload]').length,
        iframes: document.querySelectorAll('iframe[src*="tn-probe"]').length,
    };
}"""
GRID_TEXT = """() => [...document.querySelectorAll('table[role="grid"] td, table[role="grid"] th')]
    .map(c => c.textContent)"""
# Shown as text in the pages below: the markup probes and one SQL probe.
TEXT_PROBES = (*hostile.MARKUP, hostile.SQL[0])


def _no_injection(page: object, where: str) -> None:
    found = page.evaluate(INJECTED)  # type: ignore[attr-defined]
    assert not any(found.values()), (where, found)


def _wait_cell(page: object, text: str) -> None:
    """Until a cell of a dataframe (its accessible mirror of the canvas) holds `text`."""
    page.wait_for_function(  # type: ignore[attr-defined]
        "t => [...document.querySelectorAll('table[role=\"grid\"] td')]"
        ".some(c => c.textContent.replace(/\\s+/g, ' ').trim() === t)",
        arg=" ".join(text.split()), timeout=TIMEOUT_MS,
    )  # fmt: skip


def _grid_cells(page: object) -> list[str]:
    return [" ".join(str(c).split()) for c in page.evaluate(GRID_TEXT)]  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The sample plus every hostile string in every field (template, title, body, severity,
    user, metadata keys and values, error, connection id), and a rejected line of markup."""
    tmp = tmp_path_factory.mktemp("hostile_served")
    log = write_jsonl(tmp / "hostile.jsonl", hostile.hostile_log())
    with log.open("a", encoding="utf-8") as f:
        f.write(json.dumps({"event_type": hostile.XSS, "occurred_at": "2024-01-01T00:00:00Z"}))
        f.write("\n")
    db_path = tmp / "hostile.duckdb"
    con = db.connect(db_path)
    try:
        ingest(con, [SAMPLE, log])
    finally:
        con.close()
    yield from serve(tmp, db_path)


def _events(db_path: Path) -> int:
    con = db.connect(db_path, read_only=True)
    try:
        row = con.execute("SELECT count(*) FROM events").fetchone()
    finally:
        con.close()
    return int(row[0]) if row else -1


def _served_db(server: Server) -> Path:
    return server.log.parent / "hostile.duckdb"


def test_hostile_text_stays_text_on_every_page(hostile_server: Server, tab: Tab) -> None:
    p, base = tab.page, hostile_server.url
    before = _events(_served_db(hostile_server))
    visits = 0
    for probe in TEXT_PROBES:
        q = quote(probe, safe="")
        # Overview, narrowed to the probe's template: the ranking shows its name as text.
        p.goto(f"{base}/?q={q}")  # type: ignore[attr-defined]
        rendered(p, PageSpec("overview", "", "text=Noise ranking", charts=2))
        _no_injection(p, f"overview {probe!r}")
        _wait_cell(p, probe)
        # Its template page: heading, picker, examples, the inspected title and body.
        p.goto(f"{base}/template?template={q}")  # type: ignore[attr-defined]
        rendered(p, PageSpec("template", "", "text=Top recipients", charts=2))
        _no_injection(p, f"template {probe!r}")
        # The examples render after the page's first tables: wait for them (under load they
        # came later than "Top recipients" and the check below saw none).
        p.wait_for_function(  # type: ignore[attr-defined]
            "t => [...document.querySelectorAll('[data-testid=\"stCode\"]')]"
            ".filter(e => e.innerText.trim() === t).length >= 3",
            arg=probe, timeout=TIMEOUT_MS,
        )  # fmt: skip
        codes = [c.strip() for c in p.locator('[data-testid="stCode"]').all_inner_texts()]  # type: ignore[attr-defined]
        assert codes.count(probe) >= 3, (probe, codes)  # heading, title, body
        # Delivery health, per-template table.
        p.goto(f"{base}/delivery?q={q}&window=all")  # type: ignore[attr-defined]
        rendered(p, PAGES[2])
        _no_injection(p, f"delivery {probe!r}")
        _wait_cell(p, probe)
        visits += 3
    for spec in (PAGES[3], PAGES[4]):
        p.goto(base + spec.path)  # type: ignore[attr-defined]
        rendered(p, spec)
        _no_injection(p, spec.name)
        no_error_box(p, spec.name)
        visits += 1
    # The rejected markup line is listed on the Data page as the text it was.
    p.locator('[data-testid="stDataFrame"]').last.scroll_into_view_if_needed()  # type: ignore[attr-defined]
    p.wait_for_function(  # type: ignore[attr-defined]
        "t => [...document.querySelectorAll('table[role=\"grid\"] td')]"
        ".some(c => c.textContent.includes(t))",
        arg="onerror=alert(1)", timeout=TIMEOUT_MS,
    )  # fmt: skip
    _no_injection(p, "data page, rejects shown")
    p.wait_for_timeout(500)  # type: ignore[attr-defined]
    assert tab.dialogs == []
    assert _events(_served_db(hostile_server)) == before
    hostile.record("browser_pages", page_visits=visits, text_probes=len(TEXT_PROBES),
                   dialogs=len(tab.dialogs), injected_elements=0)  # fmt: skip


def test_hostile_link_parameters_stay_text(hostile_server: Server, tab: Tab) -> None:
    p, base = tab.page, hostile_server.url
    before = _events(_served_db(hostile_server))
    visits = 0
    for probe in (*hostile.SQL[:6], *hostile.MARKUP):
        q = quote(probe, safe="")
        params = "&".join(f"{k}={q}" for k in ("since", "until", "severity", "scope", "dedup"))
        for path, spec in (("/", PAGES[0]), ("/delivery", PAGES[2]), ("/checklist", PAGES[3])):
            p.goto(f"{base}{path}?{params}&window={q}&template={q}")  # type: ignore[attr-defined]
            p.wait_for_selector("text=Link parameter ignored", timeout=TIMEOUT_MS)  # type: ignore[attr-defined]
            rendered(p, PageSpec(spec.name, "", spec.marker))
            _no_injection(p, f"{path} {probe!r}")
            no_error_box(p, f"{path} {probe!r}")
            visits += 1
        # The ignored values are reported as the characters they are.
        captions = " ".join(p.locator('[data-testid="stCaptionContainer"]').all_inner_texts())  # type: ignore[attr-defined]
        assert "Link parameter ignored" in captions
    assert tab.dialogs == []
    assert _events(_served_db(hostile_server)) == before
    hostile.record("browser_url", page_visits=visits, hostile_values=len(hostile.SQL[:6]) + len(hostile.MARKUP), parameters_per_visit=7)  # fmt: skip


def test_a_hostile_sign_off_is_stored_and_shown_as_text(hostile_server: Server, tab: Tab) -> None:
    p = tab.page
    spec = PAGES[3]
    p.goto(hostile_server.url + spec.path)  # type: ignore[attr-defined]
    rendered(p, spec)
    name = f"{hostile.XSS} {time.time_ns() % 1000}"
    p.get_by_label("Name").fill(name)  # type: ignore[attr-defined]
    p.get_by_label("Role").fill(hostile.FORMULA[0])  # type: ignore[attr-defined]
    p.get_by_label("Notes").fill(
        "x'; DROP TABLE signoffs; -- ![pixel](https://tn-probe.invalid/p.png)"
    )  # type: ignore[attr-defined]
    _decide_and_confirm(p, "reject")
    p.reload()  # type: ignore[attr-defined]
    rendered(p, spec)
    p.wait_for_function(  # type: ignore[attr-defined]
        "t => [...document.querySelectorAll('table[role=\"grid\"] td')].some(c => c.textContent === t)",
        arg=name, timeout=TIMEOUT_MS,
    )  # fmt: skip
    _no_injection(p, "checklist after a hostile sign-off")
    p.wait_for_selector("text=Hash chain intact", timeout=TIMEOUT_MS)  # type: ignore[attr-defined]
    assert tab.dialogs == []


# ---- access ---------------------------------------------------------------------------------


def _listening(port: int) -> list[str]:
    """Local addresses with a socket listening on `port`, from /proc/net/tcp{,6}."""
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.rsplit(":", 1)
            if state == "0A" and int(hex_port, 16) == port:  # 0A = LISTEN
                found.append(address)
    return found


def test_the_server_listens_on_loopback_only(sample_server: Server) -> None:
    port = int(sample_server.url.rsplit(":", 1)[1])
    with socket.socket() as s:
        assert s.connect_ex(("127.0.0.1", port)) == 0
    others = ["127.0.0.2"]
    with contextlib.suppress(OSError):  # no resolvable host name: loopback aliases only
        host = socket.gethostbyname_ex(socket.gethostname())[2]
        others += [a for a in host if not a.startswith("127.")]
    for address in others:
        with socket.socket() as s:
            s.settimeout(2)
            assert s.connect_ex((address, port)) != 0, f"reachable on {address}:{port}"
    listening = _listening(port)
    if listening:  # /proc is there: the one listener is 127.0.0.1 (0100007F), not 0.0.0.0
        assert listening == ["0100007F"], listening
    hostile.record("access", other_addresses_refused=len(others), listeners=listening)


def test_csv_downloads_neutralise_formulas(hostile_server: Server, tab: Tab) -> None:
    """The grid's own export is off (`serve` sets client.disableDataExport); the pages'
    downloads go through render_csv, which quotes any text a spreadsheet would run."""
    p = tab.page
    p.goto(hostile_server.url + "/")  # type: ignore[attr-defined]
    rendered(p, PAGES[0])
    with p.expect_download(timeout=TIMEOUT_MS) as info:  # type: ignore[attr-defined]
        p.get_by_text("Download the ranking (CSV)").click()  # type: ignore[attr-defined]
    raw = Path(info.value.path()).read_bytes().decode()
    rows = list(csv.DictReader(io.StringIO(raw, newline="")))
    templates = [r["template"] for r in rows]
    # The page's own pass leaves percentiles out; its download computes them on the click.
    assert any(r["delivery_p50_s"] for r in rows) and any(r["time_to_read_p50_s"] for r in rows)
    cells = 0
    for formula in hostile.FORMULA:
        assert "'" + formula in templates, formula
        assert formula not in templates, formula
    for row in rows:
        for value in row.values():
            cells += 1
            if value[:1] in ("=", "+", "-", "@", "\t", "\r"):
                float(value)  # only numbers may start so
    # The grid offers no export of its own.
    p.locator('[data-testid="stDataFrame"]').first.hover()  # type: ignore[attr-defined]
    assert p.locator('[data-testid="stElementToolbar"] button[aria-label*="ownload"]').count() == 0  # type: ignore[attr-defined]
    hostile.record("browser_csv_download", csv_cells_checked=cells)
