"""Files -> DuckDB: notification logs of every shape into one `events` table, bad lines into
`rejects`. Idempotent (events are keyed by event_id) and all-or-nothing per call."""

from __future__ import annotations

import glob
import hashlib
import os
import tempfile
import threading
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
from template_noise.errors import InputError, QueryError
from template_noise.inference.store import Merge, config_naming, infer_in_store
from template_noise.queries import execute
from template_noise.store import crash_point

if TYPE_CHECKING:
    from template_noise.config import Config

# extension (after an optional .gz) -> (staging query, first data line)
FORMATS: dict[str, tuple[str, int]] = {
    ".jsonl": ("ingest/stage_lines", 1),
    ".ndjson": ("ingest/stage_lines", 1),
    ".json": ("ingest/stage_lines", 1),
    ".csv": ("ingest/stage_csv", 2),
    ".parquet": ("ingest/stage_parquet", 1),
}

Progress = Callable[[int, int, str], None]

# A long step of a load (reading a file, finding repeats, building the state): what it is
# and how far DuckDB says its statement is, in percent: 0.0 when it starts, then about once
# a second while DuckDB reports progress, None when it is done, STEP_FAILED when it stopped
# on an error (the load is then rolled back and the error raised).
Step = Callable[[str, float | None], None]
STEP_FAILED = -1.0

# How often a step's progress is read while its statement runs.
STEP_POLL_S = 1.0


@contextmanager
def _step(con: duckdb.DuckDBPyConnection, step: Step | None, what: str) -> Iterator[None]:
    """Report `what` to `step` while the statements inside run: their progress is read
    from another thread (DuckDB answers it for the statement running on `con`)."""
    if step is None:
        yield
        return
    stop = threading.Event()

    def poll() -> None:
        while not stop.wait(STEP_POLL_S):
            done = con.query_progress()
            if done >= 0:  # -1: between statements, or one too short to measure
                step(what, min(float(done), 100.0))

    step(what, 0.0)
    watcher = threading.Thread(target=poll, name="template-noise-progress", daemon=True)
    watcher.start()
    failed = True
    try:
        yield
        failed = False
    finally:
        stop.set()
        watcher.join()
        step(what, STEP_FAILED if failed else None)


@dataclass
class Reject:
    file: str
    line: int
    column: str | None
    reason: str


@dataclass
class FileReport:
    file: str
    events_loaded: int = 0
    events_already_present: int = 0
    rejected: int = 0


@dataclass
class IngestReport:
    files: list[FileReport] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    load_id: int = 0
    merges: list[Merge] = field(default_factory=list)  # inferred templates this load joined
    config_names_old: list[str] = field(default_factory=list)  # config entries naming them

    @property
    def events_loaded(self) -> int:
        return sum(f.events_loaded for f in self.files)

    @property
    def events_already_present(self) -> int:
        return sum(f.events_already_present for f in self.files)

    @property
    def rejected(self) -> int:
        return sum(f.rejected for f in self.files)

    def as_json(self) -> dict[str, Any]:
        """The `ingest --format json` object of SPEC.md."""
        return {
            "files": [f.file for f in self.files],
            "events_loaded": self.events_loaded,
            "events_already_present": self.events_already_present,
            "rejected": self.rejected,
            "rejects": [asdict(r) for r in self.rejects],
            "per_file": [asdict(f) for f in self.files],
            "template_merges": [{"old": list(m.was), "new": m.template} for m in self.merges],
            "config_names_merged": self.config_names_old,
        }


def file_format(path: str) -> tuple[str, int]:
    """The staging query and first data line for a file, from its extension."""
    name = path.lower()
    if name.endswith(".gz"):
        name = name[:-3]
    for ext, fmt in FORMATS.items():
        if name.endswith(ext):
            return fmt
    raise InputError(
        f"{path}: unknown file type (expected .csv, .jsonl, .ndjson, .parquet, optionally .gz)"
    )


def _is_log(path: str) -> bool:
    try:
        file_format(path)
    except InputError:
        return False
    return True


def expand(paths: Iterable[str | Path]) -> list[str]:
    """Files named by paths, directories (recursively, known extensions) and globs, in order."""
    files: list[str] = []
    for raw in paths:
        p = str(raw)
        if os.path.isdir(p):
            found = sorted(str(q) for q in Path(p).rglob("*") if q.is_file() and _is_log(str(q)))
            if not found:
                raise InputError(f"{p}: directory holds no .csv, .jsonl, .ndjson or .parquet files")
            files.extend(found)
        elif any(ch in p for ch in "*?["):
            found = sorted(
                q for q in glob.glob(p, recursive=True) if os.path.isfile(q) and _is_log(q)
            )
            if not found:
                raise InputError(f"{p}: no log files match")
            files.extend(found)
        elif os.path.isfile(p):
            file_format(p)
            files.append(p)
        else:
            raise InputError(f"{p}: no such file or directory")
    return list(dict.fromkeys(files))


def _salvage_gzip(path: str, workdir: str) -> str | None:
    """Decompress what a gzip file that ends early still holds; None if nothing is usable."""
    name = Path(path).name[: -len(".gz")]
    out_path = os.path.join(workdir, name)
    written = 0
    # zlib rather than the gzip module: it hands over what it decoded before the stream broke.
    inflate = zlib.decompressobj(wbits=31)
    with open(path, "rb") as src, open(out_path, "wb") as out:
        while chunk := src.read(1 << 20):
            while chunk:
                try:
                    data = inflate.decompress(chunk)
                except zlib.error:
                    chunk = b""
                    break
                out.write(data)
                written += len(data)
                chunk = inflate.unused_data if inflate.eof else b""
                if inflate.eof:  # another gzip member follows
                    inflate = zlib.decompressobj(wbits=31)
    return out_path if written else None


def _typed_parquet(con: duckdb.DuckDBPyConnection, path: str) -> bool:
    """Whether a Parquet file's known columns all have the canonical types, so that it can
    be read as it is (ingest/stage_parquet_typed.sql) instead of through JSON text."""
    execute(con, "ingest/parquet_canonical")
    return not execute(con, "ingest/stage_parquet_check", path=path).fetchall()


class _Truncated(Exception):
    """A gzip file could not be read to its end. The error aborted the load's transaction,
    so the load starts again, reading what the file holds before the break."""

    def __init__(self, path: str, error: InputError) -> None:
        super().__init__(str(error))
        self.path = path
        self.error = error


def _stage(con: duckdb.DuckDBPyConnection, path: str, salvage: InputError | None) -> bool:
    """Stage one file as the view `stage_fields`; True when it was read typed (Parquet).

    salvage: the error a gzip file gave in an earlier attempt; its good lines are read from
    what still decompresses, and a reject marks where the file stops.
    """
    query, first_line = file_format(path)
    execute(con, "ingest/stage_reader_reset")
    if salvage is None:
        try:
            if query == "ingest/stage_parquet" and _typed_parquet(con, path):
                execute(con, "ingest/stage_parquet_typed", path=path)
                return True
            execute(con, query, path=path)
            if query != "ingest/stage_parquet":
                execute(con, "ingest/stage_map", first_line=first_line)
            execute(con, "ingest/stage_fields_json")
            return False
        except QueryError as e:
            error = InputError(f"{path}: cannot read file: {str(e.__cause__ or e).splitlines()[0]}")
            error.__cause__ = e
        if query == "ingest/stage_parquet" or not path.lower().endswith(".gz"):
            raise error
        # A gzip that ends early (an interrupted copy) still holds good lines.
        raise _Truncated(path, error)
    with tempfile.TemporaryDirectory() as tmp:
        salvaged = _salvage_gzip(path, tmp)
        if salvaged is None:
            raise salvage
        execute(con, query, path=salvaged)
        execute(con, "ingest/stage_map", first_line=first_line)
        execute(con, "ingest/stage_fields_json")
    execute(
        con,
        "ingest/stage_truncated",
        first_line=first_line,
        reason="gzip stream ends early: the rest of the file is missing",
    )
    return False


def ingest(
    con: duckdb.DuckDBPyConnection,
    paths: Sequence[str | Path],
    progress: Progress | None = None,
    redact_key: str | None = None,
    names: Mapping[str, str] | None = None,
    config: Config | None = None,
    step: Step | None = None,
    lean: bool = False,
) -> IngestReport:
    """Load every file into `con`: all files load or none does.

    names: the name to record and report for a file instead of its path (path as given ->
    name), e.g. the original name of an upload copied to a temporary path. Events, rejects,
    the loads history and error messages then say that name.

    With redact_key, user ids are stored as keyed hashes (sha256 of key and id) and bodies
    are dropped; every metric stays the same (the duplicate fingerprint is taken first).

    config: its [[templates]] overrides name the titles they match; its waivers and
    conventions that name a template this load merged into another are reported.

    step: told of the load's long steps and their progress (Step), e.g. for a log line.

    lean: store only what the metrics read, for a throwaway database that answers them
    (`metrics PATH`): titles, bodies and CTAs only where the template is inferred from the
    title, and no dedup_key, error or connection_id. Every metric is the same as after a
    full load; the dashboard's examples, the checklist's payload conventions and the
    delivery errors need a full one.

    One transaction reads, normalises and adds every file's events and rejects, streaming
    (nothing the size of a file is held in memory); an unreadable file or a crash rolls
    it back, so the database is as it was.
    """
    files = expand(paths)
    labels = {f: (names or {}).get(f, f) for f in files}
    salvage: dict[str, InputError] = {}
    while True:
        try:
            return _load(con, files, labels, salvage, progress, redact_key, config, step, lean)
        except _Truncated as t:
            salvage[t.path] = t.error
        except InputError as e:
            raise _renamed(e, labels) from e.__cause__


def _renamed(error: InputError, labels: Mapping[str, str]) -> InputError:
    """The error naming the file as the user knows it (an upload's name, not its copy)."""
    text = str(error)
    for path, label in labels.items():
        if path != label:
            text = text.replace(path, label)
    return error if text == str(error) else InputError(text)


def content_hash(path: str) -> str:
    """sha256 of a file's bytes: what keys its rejects (the same content is the same lines)."""
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def _load(
    con: duckdb.DuckDBPyConnection,
    files: list[str],
    labels: Mapping[str, str],
    salvage: dict[str, InputError],
    progress: Progress | None,
    redact_key: str | None,
    config: Config | None,
    step: Step | None = None,
    lean: bool = False,
) -> IngestReport:
    execute(con, "ingest/load_reset")
    if step is not None:
        execute(con, "ingest/progress_on")
    report = IngestReport()
    con.begin()
    try:
        row = execute(con, "ingest/load_begin", files=[labels[f] for f in files]).fetchone()
        assert row is not None
        report.load_id = load_id = int(row[0])
        for i, path in enumerate(files):
            if progress:
                progress(i, len(files), path)
            typed = _stage(con, path, salvage.get(path))
            label = labels[path]
            with _step(con, step, f"reading {label}"):
                added = execute(
                    con,
                    "ingest/normalize",
                    file=label,
                    load_id=load_id,
                    redact_key=redact_key,
                    lean=lean,
                ).fetchone()
            assert added is not None
            given = int(added[0])
            if _count(con, "ingest/fingerprints_pending", load_id=load_id, file=label)[0]:
                # Only a file with metadata that is not a flat object is read a second time.
                execute(con, "ingest/fingerprint_nested", load_id=load_id, file=label)
            execute(con, "ingest/load_add_file", file=label, file_index=i, events_given=given)
            if not typed or _rows_rejected(con, given):
                execute(con, "ingest/load_norm_rejects", file=label, file_index=i)
            if typed:
                execute(con, "ingest/stage_parquet_raw", file_index=i)
            if _count(con, "ingest/load_file_rejected", file_index=i)[0]:
                # Only a file with rejects is read a second time, to hash it.
                execute(con, "ingest/load_file_hash", file_index=i, content_hash=content_hash(path))
            execute(con, "ingest/stage_drop")
        crash_point("after_read")
        with _step(con, step, "finding repeated events"):
            _drop_repeats(con, load_id)
        for file, loaded, present, rejected in execute(
            con, "ingest/load_commit", load_id=load_id
        ).fetchall():
            report.files.append(FileReport(str(file), int(loaded), int(present), int(rejected)))
        execute(con, "ingest/load_release")
        changes = infer_in_store(con, load_id, config.templates if config else ())
        report.merges = changes.merges
        if config is not None:
            report.config_names_old = config_naming(config, changes.merges)
        with _step(con, step, "building the per-notification state"):
            _derive(con, load_id, rebuild=changes.earlier_events_changed)
        report.rejects = [
            Reject(str(f), int(n), c, str(r))
            for f, n, c, r in execute(con, "ingest/load_rejects").fetchall()
        ]
        execute(
            con,
            "ingest/load_finish",
            load_id=load_id,
            events_loaded=report.events_loaded,
            events_already_present=report.events_already_present,
            rejected=report.rejected,
        )
        crash_point("before_commit")
        con.commit()
    except BaseException:
        con.rollback()
        raise
    execute(con, "ingest/load_reset")
    if progress:
        progress(len(files), len(files), "")
    return report


def _rows_rejected(con: duckdb.DuckDBPyConnection, events_given: int) -> bool:
    """Whether a typed Parquet file may have rows to reject. Each row with an event type
    becomes one event or one reject; a snapshot row (none) can become several events."""
    lines, without_event_type = _count(con, "ingest/stage_parquet_lines")
    return without_event_type > 0 or lines != events_given


def _count(con: duckdb.DuckDBPyConnection, name: str, **params: Any) -> tuple[int, ...]:
    row = execute(con, name, **params).fetchone()
    assert row is not None
    return tuple(int(v) for v in row)


def _drop_repeats(con: duckdb.DuckDBPyConnection, load_id: int) -> None:
    """Remove the load's events already stored or repeated within it (usually none)."""
    (repeats,) = _count(con, "ingest/load_repeats", load_id=load_id)
    added, stored = _count(con, "ingest/load_sizes", load_id=load_id)
    present = 0
    if stored:
        # The hash table goes on the smaller side.
        query = "ingest/load_present" if added <= stored else "ingest/load_present_stored"
        (present,) = _count(con, query, load_id=load_id)
    if repeats or present:
        execute(con, "ingest/load_drop", load_id=load_id)


def _derive(con: duckdb.DuckDBPyConnection, load_id: int, rebuild: bool = False) -> None:
    """Bring notification_state up to date with the load: incrementally, or rebuilt (also
    when the templates of earlier events changed: the state keys its rows by template)."""
    execute(con, "metrics/macros")  # all three read its state macros
    (incremental,) = _count(con, "state/mode", load_id=load_id)
    incremental = incremental and not rebuild
    if incremental:
        execute(con, "state/refresh", load_id=load_id)
    else:
        execute(con, "state/full")
