"""Publishing a database file so that readers never wait for, or see, a half-done write.

DuckDB lets one process hold a `.duckdb` file for writing and then no other process can
open it. So nobody writes the published file in place: a writer takes the lock file,
copies the published file to a staging file, writes there, checkpoints, and swaps it in
with `os.replace` (atomic on POSIX). Readers open read-only snapshots (`db.connect(path,
read_only=True)`) and reopen when the file's identity changes.

A writer killed at any point (even SIGKILL) leaves the published file as it was; its
staging file is removed by the next writer, which holds the lock.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb

from dashboard import db
from dashboard.queries import execute

STAGING_PREFIX = ".staging-"
CRASH_ENV = "TEMPLATE_NOISE_CRASH_AT"


def crash_point(name: str) -> None:
    """Die here, as a power cut or `kill -9` would, when the crash tests ask for it."""
    if os.environ.get(CRASH_ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)


def _lock_path(path: Path) -> Path:
    return path.with_name(path.name + ".lock")


def _staging_files(path: Path) -> list[Path]:
    return sorted(path.parent.glob(f".{path.name}{STAGING_PREFIX}*"))


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def writer(
    path: str | Path, *, memory_limit: str | None = None
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection to a staging copy of `path`; published over `path` when the block ends
    without an exception, discarded otherwise. One writer at a time (the others wait)."""
    path = Path(path).absolute()
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(_lock_path(path), "a+b") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        for stale in _staging_files(path):  # left by a writer that was killed
            stale.unlink(missing_ok=True)
        staging = path.with_name(f".{path.name}{STAGING_PREFIX}{os.getpid()}")
        if path.exists():
            shutil.copyfile(path, staging)
        crash_point("after_copy")
        con = db.connect(staging, memory_limit=memory_limit)
        try:
            yield con
            crash_point("before_checkpoint")
            execute(con, "checkpoint")
            con.close()
            with open(staging, "rb+") as f:
                os.fsync(f.fileno())
            crash_point("before_replace")
            os.replace(staging, path)
            crash_point("after_replace")
            _fsync_dir(path.parent)
        except BaseException:
            con.close()
            staging.unlink(missing_ok=True)
            Path(str(staging) + ".wal").unlink(missing_ok=True)
            raise


@dataclass(frozen=True)
class Identity:
    """What changes when a writer publishes: the file is a new inode."""

    inode: int
    mtime_ns: int
    size: int


def identity(path: str | Path) -> Identity | None:
    """The published file's identity, or None when there is no file yet."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return Identity(st.st_ino, st.st_mtime_ns, st.st_size)


class Reader:
    """Read-only snapshots of a published file, reopened after each publish."""

    def __init__(self, path: str | Path, *, memory_limit: str | None = None) -> None:
        self.path = Path(path)
        self.memory_limit = memory_limit
        self._identity: Identity | None = None
        self._con: duckdb.DuckDBPyConnection | None = None

    def connection(self) -> duckdb.DuckDBPyConnection:
        """The current snapshot; a new one if the file was replaced since the last call.

        The old connection is left open for queries still running on its cursors; it is
        closed when garbage collected.
        """
        now = identity(self.path)
        if self._con is None or now != self._identity:
            self._con = db.connect(self.path, read_only=True, memory_limit=self.memory_limit)
            self._identity = now
        return self._con

    @property
    def identity(self) -> Identity | None:
        return self._identity
