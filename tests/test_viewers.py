"""A team opens the dashboard at once: eight people, each in a chromium of their own, load
Overview, Template, Delivery and Checklist together on a database of a million
notifications; cold (a fresh server, empty caches), warm (again), and while an ingest
publishes more data (the served dashboard reopens its snapshot under the running pages).
No page may show an error box.

The render times (goto until the page shows its marker and charts and the script stopped),
per round and page, go to test-artifacts/viewers.json and are printed (pytest -s).

Run: pytest -m browser -s tests/test_viewers.py
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import shutil
import statistics
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from browsing import (
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    PAGES,
    TIMEOUT_MS,
    PageSpec,
    command,
    no_error_box,
    rendered,
    serve,
    sync_api,
    wait_metric,
)
from template_noise import store

from benchmarks.generate import generate

pytestmark = pytest.mark.browser

SESSIONS = 8
NOTIFICATIONS = 1_000_000
MORE = 200_000  # the load published while the sessions read
TEMPLATE = "automation_failed"  # a template of benchmarks/generate.py
_by_name = {spec.name: spec for spec in PAGES}
VIEWED = (
    _by_name["overview"],
    replace(_by_name["template"], path=f"/template?template={TEMPLATE}"),
    _by_name["delivery"],
    _by_name["checklist"],
)
DATA = _by_name["data"]
ROUND_TIMEOUT_S = 600
RESULTS: dict[str, Any] = {}  # what viewers.json holds, filled by the tests of this module


@dataclass(frozen=True)
class Million:
    db: Path
    notifications: int
    events: int
    more: Path  # a later day's log, for the load published under the readers
    more_events: int


def _ingest(log: Path, dbfile: Path) -> dict[str, Any]:
    cmd = [*command(), "ingest", str(log), "--db", str(dbfile), "--format", "json"]
    done = subprocess.run(cmd, check=True, capture_output=True, text=True)
    report: dict[str, Any] = json.loads(done.stdout)
    return report


@pytest.fixture(scope="session")
def million(tmp_path_factory: pytest.TempPathFactory) -> Million:
    """A generated log of a million notifications, ingested as a user would; made once per
    test session."""
    tmp = tmp_path_factory.mktemp("million")
    log, more = tmp / "month.parquet", tmp / "next-day.parquet"
    events = generate(log, NOTIFICATIONS, "parquet")
    more_events = generate(
        more, MORE, "parquet", seed=2, days=1, start=datetime(2026, 10, 31), first=NOTIFICATIONS
    )
    dbfile = tmp / "noise.duckdb"
    report = _ingest(log, dbfile)
    assert report["events_loaded"] == events and report["rejected"] == 0
    return Million(dbfile, NOTIFICATIONS, events, more, more_events)


@dataclass(frozen=True)
class Load:
    session: int
    page: str
    start: float  # time.monotonic()
    end: float
    error: str | None

    @property
    def seconds(self) -> float:
        return self.end - self.start


Job = Callable[[int, Any], list[Load]]  # (session number, playwright Browser) -> its loads


class Viewers:
    """SESSIONS people, each with a chromium of their own driven from a thread of its own
    (Playwright's sync API wants one instance per thread). Launched once for the module;
    every round gives each a new browser context, so a new Streamlit session."""

    def __init__(self, n: int) -> None:
        self.jobs: list[queue.Queue[Job | None]] = [queue.Queue() for _ in range(n)]
        self.done: queue.Queue[tuple[int, list[Load] | BaseException]] = queue.Queue()
        self.threads = [
            threading.Thread(target=self._work, args=(i,), daemon=True) for i in range(n)
        ]
        for t in self.threads:
            t.start()
        for _ in range(n):  # every browser up (or the reason it is not)
            _, launched = self.done.get(timeout=120)
            if isinstance(launched, BaseException):
                self.close()
                raise launched

    def _work(self, i: int) -> None:
        try:
            with sync_api.sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                self.done.put((i, []))
                while (job := self.jobs[i].get()) is not None:
                    try:
                        self.done.put((i, job(i, browser)))
                    except BaseException as e:  # handed to the test's thread
                        self.done.put((i, e))
                browser.close()
        except BaseException as e:
            self.done.put((i, e))

    def run(self, job: Job) -> list[Load]:
        """job in every session at once; all their loads."""
        for q in self.jobs:
            q.put(job)
        outs = [self.done.get(timeout=ROUND_TIMEOUT_S)[1] for _ in self.jobs]  # all, then raise
        for out in outs:
            if isinstance(out, BaseException):
                raise out
        return [load for out in outs if not isinstance(out, BaseException) for load in out]

    def close(self) -> None:
        for q in self.jobs:
            q.put(None)
        for t in self.threads:
            t.join(timeout=30)


@pytest.fixture(scope="module")
def viewers() -> Iterator[Viewers]:
    people = Viewers(SESSIONS)
    try:
        yield people
    finally:
        people.close()


ERROR_BOX = '[data-testid="stException"], [data-testid="stAlertContentError"]'


def _load(page: Any, url: str, spec: PageSpec, session: int) -> Load:
    """Open one page and wait until it has rendered; an error box or a page that never
    renders is the load's error (with the text of the boxes shown)."""
    start, error = time.monotonic(), None
    try:
        page.goto(url + spec.path)
        # An error box may stand where the marker would be: stop waiting when either shows.
        page.locator(spec.marker).or_(page.locator(ERROR_BOX)).first.wait_for(timeout=TIMEOUT_MS)
        no_error_box(page, spec.name)
        rendered(page, spec)
        no_error_box(page, spec.name)
    except Exception as e:  # counted and asserted by the test
        error = f"{type(e).__name__}: {str(e)[:800]}"
        with contextlib.suppress(Exception):
            error += f" | boxes: {page.locator(ERROR_BOX).all_inner_texts()}"
    return Load(session, spec.name, start, time.monotonic(), error)


def _in_turn(session: int) -> list[PageSpec]:
    """The four pages, each session starting at another one: all four are asked for at
    once (two sessions each), as a team's links would be."""
    k = session % len(VIEWED)
    return [*VIEWED[k:], *VIEWED[:k]]


def _session(url: str, start: threading.Barrier, body: Callable[[Any, int], list[Load]]) -> Job:
    def job(session: int, browser: Any) -> list[Load]:
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        try:
            page = context.new_page()
            start.wait(timeout=120)
            return body(page, session)
        finally:
            context.close()

    return job


def _stats(seconds: list[float]) -> dict[str, float | int]:
    return {
        "n": len(seconds),
        "min_s": round(min(seconds), 3),
        "median_s": round(statistics.median(seconds), 3),
        "max_s": round(max(seconds), 3),
    }


def _summary(loads: list[Load], began: float) -> dict[str, Any]:
    pages: dict[str, list[float]] = {}
    for load in loads:
        pages.setdefault(load.page, []).append(load.seconds)
    return {
        # The browsers render on the same cores as the server: the load tells how busy.
        "load_average_1min_after": round(os.getloadavg()[0], 2),
        "page_loads": len(loads),
        "error_boxes": sum(load.error is not None for load in loads),
        "errors": _errors(loads)[:20],
        "round_s": round(max(load.end for load in loads) - began, 3),
        "all_pages": _stats([load.seconds for load in loads]),
        "pages": {name: _stats(s) for name, s in pages.items()},
    }


def _record(name: str, million: Million, summary: dict[str, Any]) -> None:
    RESULTS.setdefault("sessions", SESSIONS)
    RESULTS.setdefault("notifications", million.notifications)
    RESULTS.setdefault("events", million.events)
    RESULTS.setdefault("db_bytes", million.db.stat().st_size)
    RESULTS.setdefault("cpus", os.cpu_count())
    RESULTS.setdefault("rounds", {})[name] = summary
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "viewers.json").write_text(json.dumps(RESULTS, indent=2) + "\n")
    print(f"\n{SESSIONS} sessions, {million.notifications:,} notifications: round {name!r}, "
          f"{summary['page_loads']} page loads, {summary['error_boxes']} error boxes, "
          f"{summary['round_s']:.1f} s")  # fmt: skip
    print(f"  {'page':<10} {'n':>3} {'min s':>7} {'median s':>9} {'max s':>7}")
    for page, s in [*summary["pages"].items(), ("all", summary["all_pages"])]:
        print(
            f"  {page:<10} {s['n']:>3} {s['min_s']:>7.2f} {s['median_s']:>9.2f} {s['max_s']:>7.2f}"
        )


def _errors(loads: list[Load]) -> list[str]:
    return [f"session {x.session} {x.page}: {x.error}" for x in loads if x.error]


class Start:
    """Releases every session at once (each in its new context), and tells when."""

    def __init__(self) -> None:
        self.at: float | None = None
        self.released = threading.Event()
        self.barrier = threading.Barrier(SESSIONS, action=self._go)

    def _go(self) -> None:
        self.at = time.monotonic()
        self.released.set()


def _round(viewers: Viewers, url: str) -> tuple[list[Load], float]:
    """Every session loads the four pages, all sessions at once."""
    start = Start()

    def body(page: Any, session: int) -> list[Load]:
        return [_load(page, url, spec, session) for spec in _in_turn(session)]

    loads = viewers.run(_session(url, start.barrier, body))
    assert start.at is not None
    return loads, start.at


def test_eight_sessions_cold_and_warm(million: Million, viewers: Viewers, tmp_path: Path) -> None:
    """Cold: the first requests of a fresh server. Warm: new sessions on the same server."""
    for server in serve(tmp_path, million.db):
        for name in ("cold", "warm"):
            loads, began = _round(viewers, server.url)
            summary = _summary(loads, began)
            _record(name, million, summary)
            assert _errors(loads) == [], server.log.read_text()[-3000:]
            assert summary["page_loads"] == SESSIONS * len(VIEWED)
            assert {p: s["n"] for p, s in summary["pages"].items()} == {
                spec.name: SESSIONS for spec in VIEWED
            }


class Publish:
    """`template-noise ingest --db` of a day more, started once the sessions read; notes
    when the staging copy is swapped in (the file's inode changes)."""

    def __init__(self, log: Path, dbfile: Path, start: Start) -> None:
        self.log, self.dbfile, self.start = log, dbfile, start
        self.inode = dbfile.stat().st_ino
        self.swapped_at: float | None = None
        self.report: dict[str, Any] = {}
        self.published = threading.Event()
        self.thread = threading.Thread(target=self._run)
        self.thread.start()

    def _swapped(self) -> bool:
        if self.swapped_at is None and self.dbfile.stat().st_ino != self.inode:
            self.swapped_at = time.monotonic()
        return self.swapped_at is not None

    def _run(self) -> None:
        try:
            if not self.start.released.wait(timeout=120):
                return
            # The first page of a fresh server opens the database: from then on the pages
            # read it, and the load goes to a copy swapped in under them.
            deadline = time.monotonic() + 120
            while not store.readers_registered(self.dbfile) and time.monotonic() < deadline:
                time.sleep(0.05)
            cmd = [*command(), "ingest", str(self.log), "--db", str(self.dbfile),
                   "--format", "json"]  # fmt: skip
            proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            while proc.poll() is None and not self._swapped():
                time.sleep(0.01)
            out, err = proc.communicate(timeout=ROUND_TIMEOUT_S)
            self._swapped()
            self.report = json.loads(out) if proc.returncode == 0 else {"failed": err}
        finally:
            self.published.set()

    def join(self) -> None:
        self.published.set()  # the sessions stop reading on if the round failed early
        self.thread.join(timeout=ROUND_TIMEOUT_S)


def _publish_round(
    viewers: Viewers, url: str, million: Million, dbfile: Path
) -> tuple[list[Load], float, Publish]:
    """The sessions load the pages over and over until the publish is done, then each page
    once more and the Data page, which must count the new events."""
    total = million.events + million.more_events
    start = Start()
    publish = Publish(million.more, dbfile, start)

    def body(page: Any, session: int) -> list[Load]:
        loads: list[Load] = []
        turn = _in_turn(session)
        while not publish.published.is_set():
            loads.append(_load(page, url, turn[len(loads) % len(turn)], session))
        loads += [_load(page, url, spec, session) for spec in turn]  # all after the swap
        data = _load(page, url, DATA, session)
        if data.error is None:
            try:
                wait_metric(page, "Events", f"{total:,}")
            except Exception as e:
                data = replace(data, error=f"the new data did not show: {e}")
        return [*loads, data]

    try:
        loads = viewers.run(_session(url, start.barrier, body))
    finally:
        publish.join()
    assert start.at is not None
    return loads, start.at, publish


def test_eight_sessions_while_an_ingest_publishes(
    million: Million, viewers: Viewers, tmp_path: Path
) -> None:
    """The sessions load the pages over and over while `ingest --db` publishes a day more
    (a staging copy swapped in: the served dashboard is a registered reader, so it reopens
    its snapshot under the running pages). No page errors, pages were rendering when the
    file was swapped, and once it is, every session shows the new data."""
    dbfile = tmp_path / "noise.duckdb"
    shutil.copyfile(million.db, dbfile)  # the session's database stays as generated
    for server in serve(tmp_path, dbfile):
        loads, began, publish = _publish_round(viewers, server.url, million, dbfile)
        summary = _summary(loads, began)
        at = publish.swapped_at if publish.swapped_at is not None else float("inf")
        summary["publish"] = {
            "events_loaded": publish.report.get("events_loaded"),
            "swapped_after_s": round(at - began, 3),
            "loads_rendering_at_the_swap": sum(x.start < at < x.end for x in loads),
            "loads_after_the_swap": sum(x.start > at for x in loads),
        }
        _record("during_publish", million, summary)
        assert publish.report.get("events_loaded") == million.more_events, publish.report
        assert publish.swapped_at is not None, "written in place although the dashboard reads"
        assert _errors(loads) == [], server.log.read_text()[-3000:]
        assert summary["publish"]["loads_rendering_at_the_swap"] >= 1
        assert summary["publish"]["loads_after_the_swap"] >= SESSIONS * (len(VIEWED) + 1)
