"""Load the SQL in queries/ and run it with bound parameters: the only place SQL is executed."""

from __future__ import annotations

import os
import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
from template_noise import catalogue
from template_noise.errors import QueryError

if TYPE_CHECKING:  # pandas costs most of a command's start-up; `ingest` never needs it
    import pandas as pd
    import pyarrow as pa

from template_noise.package_data import folder

# TEMPLATE_NOISE_QUERIES points at another copy of queries/ (a test of edited SQL).
QUERIES_DIR = Path(os.environ.get("TEMPLATE_NOISE_QUERIES") or folder("sql"))

_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_COMMENT = re.compile(r"--[^\n]*")


# The stages queries/ is grouped by; a query's name is "<stage>/<file stem>".
STAGES = (
    "ingest", "state", "metrics", "checklist", "dashboard", "store", "signoff", "watch",
    "whatif",
)  # fmt: skip


@cache
def load_sql(name: str) -> str:
    """The text of queries/<name>.sql, with the metrics catalogue's columns written out
    where it asks for them (template_noise.catalogue)."""
    path = QUERIES_DIR / f"{name}.sql"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as e:
        raise QueryError(f"{name}.sql: no such query in {QUERIES_DIR}") from e
    return catalogue.expand(text, f"{name}.sql")


def names() -> list[str]:
    """Every query of the product ("metrics/per_template", ...), sorted."""
    return sorted(
        f"{stage}/{p.stem}" for stage in STAGES for p in (QUERIES_DIR / stage).glob("*.sql")
    )


_HEADER_KEYS = re.compile(r"^--\s*(grain|parameters|metric parameters|columns|reads):")


def purpose(name: str) -> str:
    """What queries/<name>.sql is for: its header's first sentence."""
    lines = []
    for line in load_sql(name).splitlines():
        if not line.startswith("--") or _HEADER_KEYS.match(line) or line.strip() == "--":
            break
        lines.append(line.removeprefix("--").strip())
    text = " ".join(lines).removeprefix(f"{name}:").strip()
    end = text.find(". ")
    return text if end < 0 else text[: end + 1]


def columns(name: str) -> list[str]:
    """The columns queries/<name>.sql declares in its `-- columns:` header (none: [])."""
    found = re.search(r"^-- columns: (.+)$", load_sql(name), re.MULTILINE)
    return [c.strip() for c in found.group(1).split(",")] if found else []


INDEX_HEAD = """# queries/

Every SQL statement template-noise runs, grouped by the stage it serves. Python runs a query
by its name (`metrics/per_template` is `metrics/per_template.sql`) through
`template_noise.queries`, with every value bound as a `$name` parameter ("the metric
window": the nine of catalogue.toml's [[window]], from the filters). A query's header
says what it is for, its grain, its parameters and its columns; this index is written from
those headers (`python -m template_noise.catalogue --docs`; a test fails when it is stale).

`catalogue.toml` defines every counter and metric once; the metric queries ask for its
columns with `{{ counters }}`, `{{ merged counters }}`, `{{ metrics }}` and pass the metric
window to the state macros with `{{ window }}` (see `template_noise/catalogue.py`).
"""

STAGE_TITLES = {
    "ingest": "ingest: read files, validate and normalise lines, add a load",
    "state": "state: the per-notification state kept beside the events",
    "metrics": "metrics: the state macros and the metric queries",
    "checklist": "checklist: the evidence of the go-live checklist",
    "dashboard": "dashboard: what the pages show",
    "store": "store: the database file, its schema, snapshots and exports",
    "signoff": "signoff: the append-only sign-off history",
    "watch": "watch: hourly detectors, alert state and deliveries",
    "whatif": "whatif: replaying a sending policy on past logs",
}


TABLE_HEAD = "| query | what it is for | parameters | columns |"


def _parameters_text(params: set[str]) -> str:
    window = {w.name for w in catalogue.load().window}
    words = ["the metric window"] if window <= params else []
    rest = sorted(params - window) if window <= params else sorted(params)
    return ", ".join([*words, *(f"`${p}`" for p in rest)]) or "-"


def index_markdown() -> str:
    """queries/README.md: each query's purpose, parameters and columns, by stage."""
    out = [INDEX_HEAD]
    for stage in STAGES:
        out += [f"## {STAGE_TITLES[stage]}", "", TABLE_HEAD, "|---|---|---|---|"]
        for name in (n for n in names() if n.startswith(f"{stage}/")):
            params = _parameters_text(parameters(name))
            cols = ", ".join(columns(name)) or "-"
            cell = purpose(name).replace("|", "\\|")
            out.append(f"| `{name.split('/', 1)[1]}` | {cell} | {params} | {cols} |")
        out.append("")
    return "\n".join(out)


def parameters(name: str) -> set[str]:
    """The $parameters a query uses (comments excluded)."""
    return set(_PARAM.findall(_COMMENT.sub("", load_sql(name))))


def _bind(name: str, params: dict[str, Any]) -> dict[str, Any]:
    # DuckDB refuses named parameters a statement does not use, so bind exactly those.
    wanted = parameters(name)
    missing = wanted - params.keys()
    if missing:
        raise QueryError(f"{name}.sql: missing parameters {sorted(missing)}")
    return {k: v for k, v in params.items() if k in wanted}


@cache
def statements(name: str) -> tuple[duckdb.Statement, ...]:
    """The parsed statements of queries/<name>.sql."""
    try:
        return tuple(duckdb.extract_statements(load_sql(name)))
    except duckdb.Error as e:
        raise QueryError(f"{name}.sql: {e}") from e


def execute(con: duckdb.DuckDBPyConnection, name: str, **params: Any) -> duckdb.DuckDBPyConnection:
    """Run every statement of queries/<name>.sql; returns the cursor of the last one."""
    bound = _bind(name, params)
    try:
        for stmt in statements(name):
            # DuckDB binds parameters per statement, and only those the statement names.
            con.execute(stmt, {k: bound[k] for k in stmt.named_parameters} or None)
    except duckdb.Error as e:
        raise QueryError(f"{name}.sql: {e}") from e
    return con


def arrow(con: duckdb.DuckDBPyConnection, name: str, **params: Any) -> pa.Table:
    """The result of queries/<name>.sql (one statement) as an Arrow table, without the
    extra copy a DB-API result's Arrow output makes (millions of rows for a replay)."""
    stmts = statements(name)
    if len(stmts) != 1:
        raise QueryError(f"{name}.sql: Arrow output needs exactly one statement")
    bound = _bind(name, params)
    try:
        return con.sql(load_sql(name), params={k: bound[k] for k in stmts[0].named_parameters}
                       or None).to_arrow_table()  # fmt: skip
    except duckdb.Error as e:
        raise QueryError(f"{name}.sql: {e}") from e


def cursor(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """A cursor of `con` set up like it: session settings and macros, the same catalog.

    A DuckDB connection is not thread-safe (a second call while one runs is refused as
    "busy"), so every query of a multi-threaded caller (the dashboard) runs on a cursor of
    its own, and this runs nothing on `con` itself: only `con.cursor()`, which is safe
    while another thread's query runs there. A cursor inherits neither settings, temp
    macros nor the catalog chosen with USE, so all three are set up on the cursor.
    """
    cur = con.cursor()
    try:
        execute(cur, "store/session")
        row = execute(cur, "store/snapshot_attached").fetchone()
        if row and row[0]:  # a read-only snapshot (db.connect(path, read_only=True))
            execute(cur, "store/use_snapshot")
    except BaseException:
        cur.close()
        raise
    return cur


# The macros every metric query reads (queries/metrics/macros.sql). Defining them takes
# about 40 ms (16 macros parsed and checked), as long as a small page's query: a read-only
# snapshot defines them once, in its instance's in-memory catalog, for all of its cursors.
METRIC_MACROS = "metrics/macros"
_SHARED_CATALOG = "memory.main"  # on every snapshot cursor's search path (store/use_snapshot)
_TEMP_MACRO = re.compile(r"^((?:\s*--[^\n]*\n)*\s*)CREATE OR REPLACE TEMP MACRO ")


def share_metric_macros(con: duckdb.DuckDBPyConnection) -> None:
    """Define the metric macros once for every cursor of a snapshot's instance (`con` is
    the connection db.connect(path, read_only=True) returns, before any thread shares it).

    Each of METRIC_MACROS' temp macros is created in the instance's in-memory catalog
    instead. A macro's names (tables, other macros) resolve where it is called, so the
    macros read the cursor's snapshot, and a cursor's own temp macro still wins over a
    shared one (a what-if replay's tn_state_replayed, whatif/replay.sql).

    A database this tool has yet to upgrade (its tables older than the macros) gets no
    shared macros: its cursors define their own, and fail as they did before.
    """
    try:
        for stmt in statements(METRIC_MACROS):
            shared, n = _TEMP_MACRO.subn(
                rf"\1CREATE OR REPLACE MACRO {_SHARED_CATALOG}.", stmt.query
            )
            if n != 1:
                raise QueryError(f"{METRIC_MACROS}.sql: a statement that is not a temp macro")
            con.execute(shared)
    except duckdb.Error:
        return
    execute(con, "store/macros_shared_mark")


def metric_macros(cur: duckdb.DuckDBPyConnection) -> None:
    """Make the metric macros callable on a cursor of cursor(): already there on a
    snapshot's cursor (share_metric_macros), else defined on the cursor."""
    # fetchall, not fetchone: no result is left open on the cursor (an Arrow query next
    # would be refused)
    [(shared,)] = execute(cur, "store/macros_shared").fetchall()
    if not shared:
        execute(cur, METRIC_MACROS)


def run(con: duckdb.DuckDBPyConnection, name: str, **params: Any) -> pd.DataFrame:
    """Run queries/<name>.sql on a cursor of `con` and return its result as a DataFrame."""
    cur = cursor(con)
    try:
        return execute(cur, name, **params).df()
    finally:
        cur.close()
