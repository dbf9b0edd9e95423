"""Streamlit glue shared by main.py and the pages: the database, the filters, cached frames.

One snapshot per process (st.cache_resource: a store.Reader of the database file, reopened
after each publish; or the bundled sample in memory). Streamlit runs each session in its own
thread and a DuckDB connection refuses a second call while one runs, so every query runs on
a cursor of its own (queries.run and metrics.run_query open one) and nothing runs on the
shared connection itself. Frames are cached with st.cache_data, keyed by the database, the
config, the data version of the snapshot they were computed on, and the filters.
"""

from __future__ import annotations

import importlib.util
import os
import re
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import duckdb
import pandas as pd
import streamlit as st
from template_noise import (
    catalogue,
    checklist,
    db,
    freshness,
    metrics,
    release,
    series,
    signoff,
    store,
)  # fmt: skip
from template_noise.app import urlstate
from template_noise.config import Config, load_config
from template_noise.errors import TemplateNoiseError
from template_noise.filters import Filters
from template_noise.format import metric as format_metric
from template_noise.ingest import ingest
from template_noise.package_data import folder
from template_noise.queries import cursor

T = TypeVar("T")

DB_ENV = "TEMPLATE_NOISE_DB"
CONFIG_ENV = "TEMPLATE_NOISE_CONFIG"
DATA_DIR_ENV = "TEMPLATE_NOISE_DATA_DIR"
ROLLUPS_ENV = "TEMPLATE_NOISE_ROLLUPS"
SAMPLE = folder("sample_data") / "notifications.jsonl"
FILTERS_KEY = "tn_filters"


@dataclass(frozen=True)
class Source:
    """Where the dashboard's data and thresholds come from."""

    db: str | None  # None: the bundled sample in an in-memory database
    config: str | None  # None: the defaults shipped with the package
    data_dir: str | None = None  # None: the Data page loads no server path (uploads only)
    # A directory of Spark roll-ups (`spark-rollups --out DIR`): the dashboard shows what
    # daily totals per template support, from them alone (app/rollups.py), not db.
    rollups: str | None = None


def default_data_dir(cwd: Path) -> str | None:
    """Without --data-dir: the current directory's sample_data/, if there is one."""
    candidate = cwd / "sample_data"
    return str(candidate) if candidate.is_dir() else None


def source_from(
    argv: Sequence[str], env: dict[str, str] | os._Environ[str], cwd: Path | None = None
) -> Source:
    """`--db FILE` / `--config FILE` / `--data-dir DIR` / `--rollups DIR` after `--` on the
    streamlit command line (as `template-noise serve` passes them), else the environment
    (tests), else the defaults."""
    found: dict[str, str] = {}
    args = list(argv)
    for i, arg in enumerate(args):
        for name in ("--db", "--config", "--data-dir", "--rollups"):
            if arg == name and i + 1 < len(args):
                found[name] = args[i + 1]
            elif arg.startswith(name + "="):
                found[name] = arg.split("=", 1)[1]
    data_dir = found.get("--data-dir") or env.get(DATA_DIR_ENV) or None
    return Source(
        db=found.get("--db") or env.get(DB_ENV) or None,
        config=found.get("--config") or env.get(CONFIG_ENV) or None,
        data_dir=data_dir or default_data_dir(cwd or Path.cwd()),
        rollups=found.get("--rollups") or env.get(ROLLUPS_ENV) or None,
    )


def source() -> Source:
    return source_from(sys.argv[1:], os.environ)


def _sample_files() -> list[str]:
    if SAMPLE.is_file():
        return [str(SAMPLE)]
    from template_noise.sample import write_sample  # only when the committed sample is missing

    out = Path(tempfile.mkdtemp(prefix="template-noise-sample-"))
    return [str(p) for p in write_sample(out)]


@st.cache_resource(show_spinner="Opening the database…")
def _connection(db_path: str | None) -> duckdb.DuckDBPyConnection | store.Reader:
    if db_path:
        # Read-only snapshots, reopened after each publish: `template-noise ingest --db`
        # can load into the same file while the dashboard keeps answering.
        if store.identity(db_path) is None:
            with store.writer(db_path):
                pass  # an empty database with the schema
        return store.Reader(db_path)
    con = db.connect(None)
    ingest(con, _sample_files())
    return con


def write(action: Callable[[duckdb.DuckDBPyConnection], T]) -> T:
    """Run a write (a load, a sign-off): on a staging copy published when it succeeds for a
    database file, on a cursor of the in-memory sample otherwise."""
    path = source().db
    if path:
        with store.writer(path) as con:
            return action(con)
    cur = cursor(connection())
    try:
        return action(cur)
    finally:
        cur.close()


@st.cache_resource(show_spinner=False)
def _config(path: str | None) -> Config:
    return load_config(path)


def _snapshot() -> tuple[duckdb.DuckDBPyConnection, str]:
    """The connection to read and the data version of what it shows, taken together, so
    that a frame is cached under the version it was computed from even when a publish
    comes between (two separate calls could pair new data with the old version)."""
    held = _connection(source().db)
    if isinstance(held, store.Reader):
        con, ident = held.snapshot()
        # A snapshot never changes: the identity of the file it was opened from (which
        # changes with every publish) versions it, with no query on every rerun.
        return con, f"file:{ident.inode}:{ident.mtime_ns}:{ident.size}" if ident else "file:-"
    return held, series.data_version(held)  # the sample: a load changes it in place


def connection() -> duckdb.DuckDBPyConnection:
    """The snapshot to read; run queries on it with queries.run / metrics.run_query (each on a
    cursor of its own), never with its own execute: other sessions share it."""
    return _snapshot()[0]


def config() -> Config:
    return _config(source().config)


def db_label() -> str:
    src = source()
    return src.db if src.db else "bundled sample (in memory)"


def data_version() -> str:
    """Changes with every load; read on every call so a load by another session shows at once
    (a stat of the file for a database file, two counts for the sample)."""
    return _snapshot()[1]


def _key(version: str) -> tuple[str, str, str]:
    src = source()
    return (src.db or ":sample:", src.config or ":defaults:", version)


# ---- cached frames -------------------------------------------------------------------


@st.cache_data(show_spinner=False, max_entries=64)
def _metrics(
    _con: duckdb.DuckDBPyConnection,
    key: tuple[str, ...],
    filters: Filters,
    distinct: bool,
    quantiles: bool,
) -> metrics.MetricsWithTotal:
    # The ranking and the overall numbers from one pass: the pages show them together.
    return metrics.metrics_with_total(
        _con, filters, config(), total_distinct=distinct, quantiles=quantiles
    )


def template_metrics(filters: Filters, *, quantiles: bool = True) -> pd.DataFrame:
    """metrics.compute_metrics for the filters: the ranking, exactly as the CLI prints it.
    With quantiles=False, for a page that shows no percentile (the Overview, the Template
    page's rank), the delivery and time-to-read percentiles are None: they cost a third of
    the pass at 10M. With them it is the Delivery page's pass (overall_metrics)."""
    con, version = _snapshot()
    if quantiles:
        return _metrics(con, _key(version), filters, True, True).templates
    return _metrics(con, _key(version), filters, False, False).templates


def overall_metrics(filters: Filters, *, distinct: bool = True) -> dict[str, Any]:
    """metrics.overall_metrics for the filters. With distinct=False, for a page that shows
    neither, the overall recipients and every percentile are None (the costliest part of
    the pass), and the numbers come from the same pass as template_metrics(quantiles=False)."""
    con, version = _snapshot()
    return _metrics(con, _key(version), filters, distinct, distinct).overall


def full_ranking(filters: Filters) -> Callable[[], pd.DataFrame]:
    """The ranking with every column, percentiles included, computed when called: for a
    download on a page whose own pass leaves the percentiles out. It runs outside the
    script (no Streamlit call), on a cursor of the snapshot taken now."""
    con, _ = _snapshot()
    cfg = config()

    def build() -> pd.DataFrame:
        return metrics.metrics_with_total(con, filters, cfg, total_distinct=False).templates

    return build


@st.cache_data(show_spinner=False, max_entries=32)
def _template_page(
    _con: duckdb.DuckDBPyConnection,
    key: tuple[str, ...],
    filters: Filters,
    template: str,
    unit: series.Unit,
) -> series.TemplatePage:
    return series.template_page(_con, filters, config(), template, unit)


def template_page(filters: Filters, template: str, unit: series.Unit) -> series.TemplatePage:
    """series.template_page (the Template page's percentiles, charts and tables), cached."""
    con, version = _snapshot()
    return _template_page(con, _key(version), filters, template, unit)


def template_row(filters: Filters, template: str, unit: series.Unit) -> pd.Series | None:
    """One template's metrics under the filters, percentiles included: its row of the
    Overview's pass (cached) and its percentiles from its own rows (template_page), not
    from a pass over every template."""
    ranking = template_metrics(filters, quantiles=False)
    rows = ranking[ranking["template"] == template]
    if rows.empty:
        return None
    row = rows.iloc[0].copy()
    for name, value in template_page(filters, template, unit).percentiles.items():
        row[name] = value
    return row


@st.cache_data(show_spinner=False, max_entries=8)
def _alerts(_con: duckdb.DuckDBPyConnection, key: tuple[str, ...]) -> pd.DataFrame:
    from template_noise.watch.detect import stored_alerts

    rows = [vars(a) for a in stored_alerts(_con)]
    columns = ["alert_id", "template", "kind", "status", "started_at", "last_hit_at",
               "resolved_at", "detected_at", "observed", "expected", "evidence"]  # fmt: skip
    return pd.DataFrame(rows, columns=columns) if rows else pd.DataFrame(columns=columns)


def alerts() -> pd.DataFrame:
    """The alerts `watch` stored in the database, open first (none before its first run)."""
    con, version = _snapshot()
    return _alerts(con, _key(version))


@st.cache_data(show_spinner=False, max_entries=8)
def _checklist(_con: duckdb.DuckDBPyConnection, key: tuple[str, ...]) -> checklist.ChecklistResult:
    return checklist.evaluate(_con, config())


def checklist_result() -> checklist.ChecklistResult:
    """checklist.evaluate over all data with the config: what `template-noise check` says."""
    con, version = _snapshot()
    return _checklist(con, _key(version))


@st.cache_data(show_spinner=False, max_entries=8)
def _checklist_data(
    _con: duckdb.DuckDBPyConnection, key: tuple[str, ...]
) -> checklist.ChecklistData:
    return checklist.gather(_con, Filters(), config())


def checklist_data() -> checklist.ChecklistData:
    """What the checklist's items read, over all data (cached per data version)."""
    con, version = _snapshot()
    return _checklist_data(con, _key(version))


def release_result() -> checklist.ChecklistResult:
    """release.evaluate over all data: the checklist with the waivers of the sign-off in
    force, and where it stands. Only the gathering is cached: a sign-off changes the result
    without changing the data (the in-memory sample keeps its data version)."""
    con, version = _snapshot()
    key = _key(version)
    return release.evaluate(
        con, config(), data=_checklist_data(con, key), data_fingerprint=_fingerprint(con, key)
    )


@st.cache_data(show_spinner=False, max_entries=8)
def _fingerprint(_con: duckdb.DuckDBPyConnection, key: tuple[str, ...]) -> str:
    return signoff.data_fingerprint(_con)


def data_fingerprint() -> str:
    con, version = _snapshot()
    return _fingerprint(con, _key(version))


_SERIES: dict[str, Callable[..., pd.DataFrame]] = {
    "templates": series.templates,
    "volume_over_time": series.volume_over_time,
    "template_variants": series.template_variants,
    "template_duplicate_pairs": series.template_duplicate_pairs,
    "template_dedup_keys": series.template_dedup_keys,
    "template_read_delay": series.template_read_delay,
    "template_flood_days": series.template_flood_days,
    "delivery_over_time": series.delivery_over_time,
    "delivery_latency": series.delivery_latency,
    "attempts": series.attempts,
    "stream_over_time": series.stream_over_time,
    "stream_outages": series.stream_outages,
}


@st.cache_data(show_spinner=False, max_entries=256)
def _series(
    _con: duckdb.DuckDBPyConnection,
    key: tuple[str, ...],
    name: str,
    filters: Filters,
    extra: tuple[Any, ...],
) -> pd.DataFrame:
    return _SERIES[name](_con, filters, config(), *extra)


def frame(name: str, filters: Filters, *extra: Any) -> pd.DataFrame:
    """A chart series of template_noise.series (allow-listed by name), cached."""
    con, version = _snapshot()
    return _series(con, _key(version), name, filters, extra)


@st.cache_data(show_spinner=False, max_entries=8)
def _filter_options(_con: duckdb.DuckDBPyConnection, key: tuple[str, ...]) -> series.FilterOptions:
    return series.filter_options(_con)


def filter_options() -> series.FilterOptions:
    con, version = _snapshot()
    return _filter_options(con, _key(version))


@st.cache_data(show_spinner=False, max_entries=8)
def _latest_event(_con: duckdb.DuckDBPyConnection, key: tuple[str, ...]) -> datetime | None:
    return freshness.data_age(_con, config().max_data_age_hours).latest_event


def data_age() -> freshness.DataAge:
    """How old the data is now: the newest event (cached with the data version) against the
    wall clock at this run, with the config's max_data_age_hours."""
    con, version = _snapshot()
    return freshness.DataAge(
        latest_event=_latest_event(con, _key(version)),
        now=datetime.now(UTC),
        max_age=timedelta(hours=config().max_data_age_hours),
    )


def data_age_banner() -> None:
    """On every page: a warning when the newest event is older than max_data_age_hours, since
    every window ("last 24 h", "7 days", an open date range) ends at the data, not now."""
    age = data_age()
    if age.stale and age.latest_event is not None:
        st.warning(
            f"The newest event is from {freshness.stamp(age.latest_event)}, "
            f"{freshness.duration(age.age)} ago: windows such as 'last 24 h' end then, not now.",
            icon=":material/schedule:",
        )


def clear_caches() -> None:
    """Drop cached frames (after a load the data version changes anyway; this frees memory)."""
    _latest_event.clear()
    _metrics.clear()
    _series.clear()
    _filter_options.clear()
    _checklist.clear()
    _checklist_data.clear()
    _fingerprint.clear()


@contextmanager
def shown_errors() -> Iterator[None]:
    """Our own errors (bad input, a failing query) as an error box, not a traceback."""
    try:
        yield
    except TemplateNoiseError as e:
        st.error(literal(e))


# ---- optional login (OIDC through st.login; `pip install template-noise[auth]`) --------


@dataclass(frozen=True)
class Signer:
    """Who is logged in, from the identity provider's token."""

    name: str
    email: str


def auth_configured() -> bool:
    """True when .streamlit/secrets.toml has an [auth] section: then every page needs a login."""
    try:
        return "auth" in st.secrets
    except FileNotFoundError:  # no secrets file at all (StreamlitSecretNotFoundError)
        return False


def signer() -> Signer | None:
    """The logged-in user, or None (no login configured, or not logged in)."""
    if not auth_configured() or getattr(st.user, "is_logged_in", False) is not True:
        return None
    email = str(getattr(st.user, "email", None) or "")
    name = str(getattr(st.user, "name", None) or email)
    return Signer(name=name, email=email)


def require_login() -> None:
    """With login configured, stop here (before any data is read) unless logged in."""
    if not auth_configured():
        return
    who = signer()
    if who is None:
        st.title("template-noise")
        st.info("This dashboard needs a login.")
        if importlib.util.find_spec("authlib") is None:  # st.login would raise on click
            st.error("Login is configured but not installed: pip install 'template-noise[auth]'")
        elif st.button("Log in", key="auth_login", type="primary", icon=":material/login:"):
            st.login()
        st.stop()
    with st.sidebar:
        st.caption("Logged in as")
        st.text(f"{who.name} <{who.email}>" if who.email and who.email != who.name else who.name)
        if st.button("Log out", key="auth_logout"):
            st.logout()


# ---- the shared filters ----------------------------------------------------------------

_W = {  # widget keys of the sidebar filters
    "days": "f_days",
    "severity": "f_severity",
    "scope": "f_scope",
    "q": "f_search",
    "dedup": "f_dedup",
}


def _seed_from_url(opts: series.FilterOptions, cfg: Config) -> None:
    """First run of a session: the widgets start from the URL, so a shared link reproduces
    the view. Later runs leave the widgets alone (they are the state, the URL follows).

    Also after st.switch_page (the Overview's row selection): a page switch asks for a
    rerun without the browser's widget states, and Streamlit then drops every widget's
    value as stale, the sidebar's included. Left alone they came back as the widgets'
    defaults (today, a 1-minute dedup window) while `tn_seeded` stayed set; the switch
    carries the filters in the URL, so a widget whose value is gone is seeded from there.
    """
    lost = any(key not in st.session_state for key in _W.values())
    if st.session_state.get("tn_seeded") and not lost:
        return
    parsed = urlstate.filters_from_query(st.query_params.to_dict(), severities=opts.severities)
    f = parsed.filters
    first, last = urlstate.day_range(f)
    data_first = opts.first_at.date() if opts.first_at else date.today()
    data_last = opts.last_at.date() if opts.last_at else date.today()
    st.session_state[_W["days"]] = (first or data_first, last or data_last)
    st.session_state[_W["severity"]] = list(f.severities)
    st.session_state[_W["scope"]] = list(f.scopes)
    st.session_state[_W["q"]] = f.template_search
    st.session_state[_W["dedup"]] = f.dedup_window_minutes or cfg.dedup_window_minutes
    st.session_state["tn_url_problems"] = parsed.problems
    st.session_state["tn_seeded"] = True


def _follow_data_range(opts: series.FilterOptions) -> None:
    """When a load widens the data, a picker still showing the whole old range (that is,
    no restriction) widens with it instead of silently cutting the new data off."""
    if opts.first_at is None or opts.last_at is None:
        return
    full = (opts.first_at.date(), opts.last_at.date())
    before = st.session_state.get("tn_full_range")
    shown = st.session_state.get(_W["days"])
    if before and before != full and isinstance(shown, list | tuple) and tuple(shown) == before:
        st.session_state[_W["days"]] = full
    st.session_state["tn_full_range"] = full


def _reset_filters() -> None:
    for key in (*_W.values(), "tn_seeded", "tn_full_range"):
        st.session_state.pop(key, None)
    for key in urlstate.FILTER_KEYS:
        if key in st.query_params:
            del st.query_params[key]


def _filters_from_widgets(opts: series.FilterOptions, cfg: Config) -> Filters:
    raw = st.session_state.get(_W["days"])
    days: list[date] = list(raw) if isinstance(raw, list | tuple) else [raw] if raw else []
    first: date | None = days[0] if len(days) > 0 else None
    last: date | None = days[1] if len(days) > 1 else None
    # The whole data range means "no restriction": the URL stays short, and new data
    # loaded later is not cut off by a stale bound.
    if first and opts.first_at and first <= opts.first_at.date():
        first = None
    if last and opts.last_at and last >= opts.last_at.date():
        last = None
    since, until = urlstate.window_from_days(first, last)
    dedup = int(st.session_state.get(_W["dedup"]) or cfg.dedup_window_minutes)
    return Filters(
        since=since,
        until=until,
        severities=tuple(st.session_state.get(_W["severity"]) or ()),
        scopes=tuple(st.session_state.get(_W["scope"]) or ()),
        template_search=str(st.session_state.get(_W["q"]) or "").strip()[: urlstate.MAX_SEARCH],
        dedup_window_minutes=None if dedup == cfg.dedup_window_minutes else dedup,
    )


def _sync_url(filters: Filters) -> None:
    want = urlstate.query_from_filters(filters)
    for key in urlstate.FILTER_KEYS:
        if key in want:
            if st.query_params.get(key) != want[key]:
                st.query_params[key] = want[key]
        elif key in st.query_params:
            del st.query_params[key]


def sidebar_filters() -> Filters:
    """The shared filters in the sidebar, kept in the URL; stored for the pages."""
    cfg = config()
    opts = filter_options()
    _seed_from_url(opts, cfg)
    _follow_data_range(opts)
    severities = list(dict.fromkeys((*cfg.allowed_severities, *opts.severities, "unset")))
    with st.sidebar:
        st.subheader("Filters")
        st.date_input(
            "Created between (UTC days)",
            key=_W["days"],
            help="Notifications created on these days, first and last included.",
        )
        st.multiselect("Severity", severities, key=_W["severity"], placeholder="all")
        st.multiselect("Scope", list(urlstate.SCOPES), key=_W["scope"], placeholder="all")
        st.text_input("Template contains", key=_W["q"], max_chars=urlstate.MAX_SEARCH)
        st.number_input(
            "Dedup window (minutes)",
            min_value=1,
            max_value=urlstate.MAX_DEDUP_MINUTES,
            step=5,
            key=_W["dedup"],
            help="A repeat to the same recipient within this window counts as a duplicate.",
        )
        st.button("Reset filters", key="f_reset", on_click=_reset_filters)
        for problem in st.session_state.get("tn_url_problems", []):
            st.caption(f"Link parameter ignored: {literal(problem)}")
        st.caption(f"Data: {db_label()}")
    filters = _filters_from_widgets(opts, cfg)
    _sync_url(filters)
    st.session_state[FILTERS_KEY] = filters
    return filters


def current_filters() -> Filters:
    """The filters main.py set up for this run."""
    value = st.session_state.get(FILTERS_KEY)
    return value if isinstance(value, Filters) else Filters()


def literal(text: Any) -> str:
    """Untrusted text (a URL parameter, an error naming a file) for a Markdown-rendering
    element (st.caption, st.error, a status label): an inline code span, so it shows as the
    characters it is made of. Backslash-escaping is not enough: Streamlit still turns a bare
    https://... into a live link, and the span also stops `:red[...]`, emoji and LaTeX."""
    flat = " ".join(str(text).split())
    if not flat:
        return ""
    fence = "`" * (max((len(run) for run in re.findall(r"`+", flat)), default=0) + 1)
    pad = " " if flat[0] == "`" or flat[-1] == "`" else ""  # CommonMark strips one each side
    return f"{fence}{pad}{flat}{pad}{fence}"


def csv_download(
    frame: pd.DataFrame | Callable[[], pd.DataFrame],
    file_name: str,
    key: str,
    label: str = "CSV",
) -> None:
    """A download of `frame` as CSV with spreadsheet formulas neutralised (the grid's own
    export is off in `serve`: it would copy a cell like `=HYPERLINK(...)` as it is). A
    callable is run only when the user clicks, on a thread of its own."""
    from template_noise.metrics_report import render_csv

    st.download_button(
        label,
        (lambda: render_csv(frame())) if callable(frame) else render_csv(frame),
        file_name=file_name,
        mime="text/csv",
        key=key,
        icon=":material/download:",
    )


def filters_query(filters: Filters) -> dict[str, str]:
    return urlstate.query_from_filters(filters)


def switch_with_filters(page: str, filters: Filters, **params: str) -> None:
    """Open `page` in this tab with `params` and the filters in its URL, the sidebar seeded
    from that URL as a shared link seeds it (see _seed_from_url: after a page switch
    Streamlit drops the sidebar's widget values)."""
    for key in (*_W.values(), "tn_seeded", "tn_full_range"):
        st.session_state.pop(key, None)
    st.switch_page(page, query_params={**params, **filters_query(filters)})


def window_span(filters: Filters) -> tuple[datetime | None, datetime | None]:
    """The window's absolute bounds (naive UTC): an open bound is where the data starts (the
    first notification) or ends (the newest event). (None, None) without data."""
    opts = filter_options()
    latest = data_age().latest_event
    start = filters.since or opts.first_at
    end = filters.until or (latest.replace(tzinfo=None) if latest else opts.last_at)
    if start is None or end is None:
        return None, None
    return start, end


def span_text(start: datetime | None, end: datetime | None) -> str:
    """ "2026-10-29 14:02 \N{EN DASH} 2026-10-30 14:02 UTC" (to the minute)."""
    if start is None or end is None:
        return "no data"
    return f"{start:%Y-%m-%d %H:%M} \N{EN DASH} {end:%Y-%m-%d %H:%M} UTC"


def window_caption(filters: Filters) -> str:
    """The window in absolute UTC times, so nobody reads "the last days" as the days up to
    now when the data is old: "all data: 2026-10-01 08:00 \N{EN DASH} 2026-10-30 14:02 UTC"."""
    text = span_text(*window_span(filters))
    return f"all data: {text}" if filters.since is None and filters.until is None else text


def recent_window(filters: Filters, days: int | None) -> Filters:
    """The filters narrowed to the `days` days before the newest event (None: as is)."""
    if days is None:
        return filters
    latest = data_age().latest_event
    if latest is None:
        return filters
    end = filters.until or (latest.replace(tzinfo=None) + timedelta(microseconds=1))
    start = end - timedelta(days=days)
    since = max(start, filters.since) if filters.since else start
    return Filters(
        since=since,
        until=filters.until,
        as_of=filters.as_of,
        severities=filters.severities,
        scopes=filters.scopes,
        template_search=filters.template_search,
        dedup_window_minutes=filters.dedup_window_minutes,
    )


# ---- metric labels and cells, from the catalogue (queries/catalogue.toml) -------------------

_COLUMN_FORMAT: dict[str, str | None] = {"percent": "percent", "seconds": "%.2f", "count": None}


def metric_row(cards: int) -> list[Any]:
    """Where `cards` st.metric cards go, in place of st.columns(cards): one row that wraps
    onto more lines when the page is narrow, so that no headline number is cut (st.columns
    gives each card a fifth or a seventh of the width, and at 800 px Streamlit cuts the
    values to "66.…"). Each card takes the width its label and value need."""
    row = st.container(horizontal=True, gap="small")
    return [row] * cards


def metric_card(col: Any, name: str, value: Any, **kwargs: Any) -> None:
    """One st.metric of a catalogue metric: its label, its value formatted by its format."""
    col.metric(catalogue.load().metric(name).label, format_metric(name)(value), **kwargs)


def metric_columns(names: Sequence[str]) -> dict[str, Any]:
    """st.dataframe column settings for catalogue metrics: label, and number format."""
    out: dict[str, Any] = {}
    for name in names:
        m = catalogue.load().metric(name)
        if m.format == "list":
            out[name] = st.column_config.ListColumn(m.label, help=m.description)
        else:
            out[name] = st.column_config.NumberColumn(
                m.label, format=_COLUMN_FORMAT[m.format], help=m.description
            )
    return out
