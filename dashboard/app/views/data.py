"""Data: load log files (upload or server path) with progress, the ingest report with its
rejects and reasons, and data freshness (latest event, loads history, rejects table)."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st
from template_noise import series
from template_noise.app import ui
from template_noise.app.datadir import resolve_under
from template_noise.errors import TemplateNoiseError
from template_noise.format import count
from template_noise.freshness import duration, stamp
from template_noise.ingest import IngestReport, ingest

# `template-noise serve --max-upload-mb` sets the server's limit; the widget shows the same.
MAX_UPLOAD_MB = int(st.get_option("server.maxUploadSize"))
NOTHING = "—"
FILE_TYPES = ["csv", "jsonl", "ndjson", "json", "parquet", "gz"]


def _safe_name(name: str) -> str:
    # Keep the extension (it picks the reader); drop anything path-like from the browser.
    base = Path(name).name
    return re.sub(r"[^A-Za-z0-9._-]", "_", base) or "upload.jsonl"


def _unique_names(names: list[str]) -> list[str]:
    """Upload names as recorded: the browser's names, a repeat given " (2)", " (3)"..."""
    seen: dict[str, int] = {}
    out = []
    for given in names:
        name = Path(given).name or "upload"  # a name, never a path (the browser's is a name)
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return out


def _load(paths: list[str], label: str, names: dict[str, str] | None = None) -> None:
    # A new attempt replaces the last one's report, whatever it was: no success report is
    # left under a new error, nor an old error under a new success.
    st.session_state["data_report"] = None
    st.session_state["data_failure"] = None
    with st.status(f"Loading {ui.literal(label)}…", expanded=True) as status:
        bar = st.progress(0.0, text="starting")

        def progress(i: int, n: int, path: str) -> None:
            done = i / n if n else 1.0
            shown = (names or {}).get(path, Path(path).name) if path else ""
            bar.progress(done, text=f"{i}/{n} files" + (f": {shown}" if shown else ""))

        try:
            report = ui.write(
                lambda con: ingest(con, paths, progress=progress, names=names, config=ui.config())
            )
        except TemplateNoiseError as e:
            status.update(label=f"Nothing loaded: {ui.literal(e)}", state="error", expanded=True)
            st.session_state["data_failure"] = str(e)
            return
        bar.progress(1.0, text="done")
        status.update(
            label=f"Loaded {count(report.events_loaded)} new events "
            f"({count(report.events_already_present)} already present, "
            f"{count(report.rejected)} rejected)",
            state="complete",
            expanded=False,
        )
    st.session_state["data_report"] = report
    ui.clear_caches()


st.title("Data")
st.caption(f"Database: {ui.db_label()}")

upload_tab, path_tab = st.tabs(["Upload files", "Load from a path"])
with upload_tab:
    with st.form("data_upload_form", clear_on_submit=True):
        files = st.file_uploader(
            "Notification logs (CSV, JSON Lines, Parquet; optionally .gz)",
            type=FILE_TYPES,
            accept_multiple_files=True,
            max_upload_size=MAX_UPLOAD_MB,
            key="data_upload",
        )
        upload = st.form_submit_button("Load uploaded files", key="data_upload_submit")
    if upload and files:
        # The copies live as long as the load: nothing is left behind in the temp directory.
        with tempfile.TemporaryDirectory(prefix="template-noise-upload-") as tmp:
            paths, names = [], {}
            for i, (f, name) in enumerate(
                zip(files, _unique_names([f.name for f in files]), strict=True)
            ):
                # One folder per file: two uploads of the same name do not overwrite each other.
                target = Path(tmp) / str(i) / _safe_name(f.name)
                target.parent.mkdir()
                target.write_bytes(f.getvalue())
                paths.append(str(target))
                names[str(target)] = name  # recorded and reported under the user's name
            _load(paths, f"{len(paths)} uploaded file(s)", names)
    elif upload:
        st.info("Choose at least one file first.")
with path_tab:
    data_dir = ui.source().data_dir
    if data_dir is None:
        st.info(
            "Loading files from the server is off. Start the dashboard with "
            "`template-noise serve --data-dir DIR` to load logs from under DIR."
        )
    else:
        st.caption(f"Paths are read under the data directory `{data_dir}` only.")
    with st.form("data_path_form"):
        path = st.text_input(
            "File, directory or glob under the data directory", key="data_path",
            placeholder="notifications/*.jsonl.gz", disabled=data_dir is None,
        )  # fmt: skip
        by_path = st.form_submit_button("Load", key="data_path_submit", disabled=data_dir is None)
    if by_path and path.strip():
        try:
            chosen = resolve_under(data_dir, path)
        except TemplateNoiseError as e:
            st.error(f"Not loaded: {ui.literal(e)}")
            st.session_state["data_report"] = None  # the last report is not this attempt's
            st.session_state["data_failure"] = None
        else:
            _load(chosen, path.strip())

failure = st.session_state.get("data_failure")
if failure:
    st.warning(f"The last load failed and changed nothing: {ui.literal(failure)}")
report = st.session_state.get("data_report")
if isinstance(report, IngestReport):
    st.subheader("Ingest report")
    st.dataframe(
        pd.DataFrame([vars(f) for f in report.files]), hide_index=True, key="data_report_files"
    )
    if report.rejects:
        st.caption(f"{count(len(report.rejects))} rejected line(s), kept in the rejects table:")
        st.dataframe(
            pd.DataFrame([vars(r) for r in report.rejects]), hide_index=True,
            key="data_report_rejects",
        )  # fmt: skip

st.subheader("Freshness")
con = ui.connection()
fresh = series.freshness(con).iloc[0]
age = ui.data_age()
# In full, as a line of text: an st.metric value this long is cut ("2026-10-…").
if age.latest_event is None:
    st.markdown("**Latest event:** none loaded")
else:
    st.markdown(
        f"**Latest event:** {stamp(age.latest_event)}, {duration(age.age)} ago"
        + (f" (older than {duration(age.max_age)})" if age.stale else "")
    )
row = ui.metric_row(1)[0]
row.metric(
    "Data age",
    NOTHING if age.age is None else duration(age.age),
    help="now minus the newest event",
)
row.metric("Events", count(fresh["events"]))
row.metric("Notifications", count(fresh["notifications"]))
row.metric("Templates", count(fresh["templates"]))
row.metric("Rejected lines", count(fresh["rejects"]))
first, latest = fresh["first_event"], fresh["latest_event"]
if not pd.isna(first):
    st.caption(f"Events from {stamp(first)} to {stamp(latest)}.")

st.subheader("Loads")
st.dataframe(series.loads(con), hide_index=True, key="data_loads")

st.subheader("Rejects")
reasons = series.reject_reasons(con)
if reasons.empty:
    st.caption("No line was rejected.")
else:
    st.dataframe(reasons, hide_index=True, key="data_reject_reasons")
    st.dataframe(
        series.rejects(con),
        hide_index=True,
        column_config={"raw": st.column_config.TextColumn("raw line", width="large")},
        key="data_rejects",
    )
