"""One DuckDB connection per database, with the schema applied and its version checked."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

import duckdb
from template_noise.errors import InputError, QueryError, SchemaError
from template_noise.queries import cursor, execute, share_metric_macros

SCHEMA_VERSION = 6
# version -> the queries/ file that brings a database of the version before up to it
# (store/schema.sql is version 1).
MIGRATIONS = {
    2: "store/migrate_signoff_chain",
    3: "store/migrate_signoff_decision",
    4: "store/migrate_reject_keys",
    5: "store/migrate_watch",
    6: "store/migrate_template_inference",
}


# Each process's DuckDB may take this share of the machine's memory unless told otherwise
# (DuckDB's own default is 80%): an ingest and a dashboard side by side then leave a fifth
# of the memory to the operating system and everything else.
DEFAULT_MEMORY_SHARE = 0.4


def default_memory_limit() -> str:
    """DEFAULT_MEMORY_SHARE of the machine's physical memory, as a DuckDB memory_limit."""
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return f"{int(total * DEFAULT_MEMORY_SHARE) // 2**20}MiB"


_SPILL_DIR = re.compile(r"template-noise-([0-9]+)")
_swept = False


def spill_dir() -> Path:
    """Where this process's DuckDB spills when work exceeds the memory limit."""
    return Path(tempfile.gettempdir()) / f"template-noise-{os.getpid()}"


def remove_stale_spill_dirs() -> list[Path]:
    """Delete the spill directories of processes that no longer run (a load killed or out
    of memory leaves gigabytes there); returns what was removed."""
    removed = []
    for entry in Path(tempfile.gettempdir()).glob("template-noise-*"):
        match = _SPILL_DIR.fullmatch(entry.name)
        if not match or not entry.is_dir():
            continue
        try:
            os.kill(int(match.group(1)), 0)
        except ProcessLookupError:
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry)
        except PermissionError:  # alive, another user's
            continue
    return removed


def connect(
    path: str | Path | None = None,
    *,
    read_only: bool = False,
    memory_limit: str | None = None,
) -> duckdb.DuckDBPyConnection:
    """Open (creating if needed) the database at `path`, or an in-memory one when None.

    memory_limit (e.g. "4GB") caps DuckDB's memory; beyond it, work spills to a temporary
    directory instead of failing. Without it, the environment's TEMPLATE_NOISE_MEMORY_LIMIT
    applies (so the dashboard and every command can be capped alike), else
    default_memory_limit(): 40% of the machine's memory.
    """
    memory_limit = (
        memory_limit or os.environ.get("TEMPLATE_NOISE_MEMORY_LIMIT") or default_memory_limit()
    )
    global _swept
    if not _swept:
        _swept = True
        remove_stale_spill_dirs()
    # json, parquet and icu are built into the wheel; never reach for the network.
    config: dict[str, str | bool | int | float | list[str]] = {
        "autoinstall_known_extensions": False,
        "autoload_known_extensions": True,
        "temp_directory": str(spill_dir()),
    }
    config["memory_limit"] = memory_limit
    if read_only and path is not None:
        return _snapshot(Path(path), config)
    target = ":memory:" if path is None else str(path)
    try:
        con = duckdb.connect(target, config=config)
    except duckdb.Error as e:
        raise InputError(f"{target}: cannot open database: {e}") from e
    execute(con, "store/session")
    execute(con, "ingest/writer_settings")
    migrate(con)
    return con


def _snapshot(
    path: Path, config: dict[str, str | bool | int | float | list[str]]
) -> duckdb.DuckDBPyConnection:
    """A read-only view of the file as it is now, in an in-memory instance of its own."""
    if not path.is_file():
        raise InputError(f"{path}: no such database file")
    con = duckdb.connect(":memory:", config=config)
    try:
        execute(con, "store/attach_snapshot", path=str(path))
    except QueryError as e:
        con.close()
        raise InputError(f"{path}: cannot open database: {e.__cause__ or e}") from e
    execute(con, "store/session")
    version = schema_version(con)
    if version is not None and version > SCHEMA_VERSION:
        raise SchemaError(
            f"database schema version {version} is newer than this tool ({SCHEMA_VERSION})"
        )
    execute(con, "store/use_snapshot")
    share_metric_macros(con)
    return con


def schema_version(con: duckdb.DuckDBPyConnection) -> int | None:
    """The schema version stored in the database, or None before the first migration.

    Read on a cursor of its own: a dashboard's sessions share `con`, and DuckDB refuses a
    call on a connection while another thread's runs there."""
    cur = cursor(con)
    try:
        row = execute(cur, "store/schema_version").fetchone()
    finally:
        cur.close()
    return int(row[0]) if row and row[0] is not None else None


def migrate(con: duckdb.DuckDBPyConnection) -> None:
    """Bring the schema to SCHEMA_VERSION; later versions add their steps here."""
    execute(con, "store/schema")
    version = schema_version(con)
    if version is not None and version > SCHEMA_VERSION:
        raise SchemaError(
            f"database schema version {version} is newer than this tool ({SCHEMA_VERSION})"
        )
    for step in range((version or 1) + 1, SCHEMA_VERSION + 1):
        execute(con, MIGRATIONS[step])
    if version != SCHEMA_VERSION:
        execute(con, "store/schema_version_set", version=str(SCHEMA_VERSION))
    execute(con, "state/schema")
