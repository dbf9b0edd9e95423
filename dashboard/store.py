"""Publishing a database file so that readers never see a half-done write.

DuckDB lets one process hold a `.duckdb` file for writing and then no other process can
open it. A writer takes the lock file (one writer at a time) and then writes in one of two
ways:

- Copy-on-write, when a reader is registered (or the caller asks for it): the writer
  copies the published file to a staging file, writes there, checkpoints, and swaps it in
  with `os.replace` (atomic on POSIX). Readers keep answering from the file they hold and
  reopen when its identity changes.
- In place, when asked (`in_place=True`, as `ingest --db` does) and no reader is
  registered: nothing is copied. DuckDB's write-ahead log makes the load all-or-nothing. A
  reader that starts meanwhile waits for the writer to finish.

Readers register with a shared `flock` on `FILE.readers` for as long as they live; an
in-place writer holds it exclusively. (DuckDB's own file lock cannot tell: it is a POSIX
record lock, which a process drops when it closes any other handle on the same file.)

A writer killed at any point (even SIGKILL) leaves the published file as it was, or, in
place after its commit, with the load complete (DuckDB replays the log). A dead staging
file is removed by the next writer, which holds the lock.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import duckdb
from template_noise import db
from template_noise.errors import InputError
from template_noise.queries import execute

STAGING_PREFIX = ".staging-"
CRASH_ENV = "TEMPLATE_NOISE_CRASH_AT"
DEFAULT_WAIT_S = 600.0  # how long a reader or a writer waits for a writer by default

# Called once with a line to show when a reader or writer has to wait (the CLI prints it).
Notice = Callable[[str], None]


def _flock(
    handle: BinaryIO,
    mode: int,
    *,
    path: Path,
    wait: float | None,
    notice: Notice | None,
    waiting_for: str,
) -> None:
    """Take `mode` on `handle`; when another process holds it, call `notice` once and
    wait up to `wait` seconds (None: as long as it takes), then fail with a clear message."""
    try:
        fcntl.flock(handle, mode | fcntl.LOCK_NB)
        return
    except BlockingIOError:
        pass
    limit = "" if wait is None else f" (up to {wait:g} s)"
    if notice is not None:
        notice(f"waiting for {waiting_for} of {path}{limit}")
    if wait is None:
        fcntl.flock(handle, mode)
        return
    deadline = time.monotonic() + wait
    pause = 0.02
    while True:
        try:
            fcntl.flock(handle, mode | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise InputError(
                    f"{path}: {waiting_for} still runs after {wait:g} s "
                    "(wait longer with --wait SECONDS)"
                ) from None
            time.sleep(min(pause, max(deadline - time.monotonic(), 0.0)))
            pause = min(pause * 2, 0.25)


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
    path: str | Path,
    *,
    memory_limit: str | None = None,
    in_place: bool = False,
    wait: float | None = None,
    notice: Notice | None = None,
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection to write `path` through; the writes are published when the block ends
    without an exception, discarded otherwise. One writer at a time: the others wait, up to
    `wait` seconds (None: as long as it takes), calling `notice` once when they have to.

    in_place: write the published file itself when no reader is registered and no other
    process has it open (nothing is copied); otherwise, and by default, write a staging copy
    and swap it in.
    """
    path = Path(path).absolute()
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(_lock_path(path), "a+b") as lock:
        _flock(lock, fcntl.LOCK_EX, path=path, wait=wait, notice=notice, waiting_for="another load")
        for stale in _staging_files(path):  # left by a writer that was killed
            stale.unlink(missing_ok=True)
        with open(_readers_path(path), "a+b") as readers:
            con = _open_in_place(path, memory_limit, readers) if in_place else None
            if con is not None:
                try:
                    yield con
                    crash_point("before_checkpoint")
                    execute(con, "store/checkpoint")
                finally:
                    con.close()  # rolls back a transaction left open by an exception
                return
        yield from _copy_on_write(path, memory_limit)


def _open_in_place(
    path: Path, memory_limit: str | None, readers: BinaryIO
) -> duckdb.DuckDBPyConnection | None:
    """A writing connection to the published file, holding `readers` exclusively; None when
    a reader is registered, another process holds the file, or there is no file yet (a first
    load publishes by rename, so no reader ever finds half a database)."""
    if not path.is_file():
        return None
    try:
        fcntl.flock(readers, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return None
    try:
        return db.connect(path, memory_limit=memory_limit)
    except InputError:
        fcntl.flock(readers, fcntl.LOCK_UN)
        return None


def _copy_on_write(path: Path, memory_limit: str | None) -> Iterator[duckdb.DuckDBPyConnection]:
    staging = path.with_name(f".{path.name}{STAGING_PREFIX}{os.getpid()}")
    wal, staging_wal = _wal(path), _wal(staging)
    if path.exists():
        shutil.copyfile(path, staging)
        if wal.exists():  # left by an in-place writer killed after its commit
            shutil.copyfile(wal, staging_wal)
    # The copy goes to disk while the load runs, not all at the end.
    flush = threading.Thread(target=_fsync, args=(staging,), daemon=True)
    flush.start()
    crash_point("after_copy")
    con = db.connect(staging, memory_limit=memory_limit)
    try:
        yield con
        crash_point("before_checkpoint")
        execute(con, "store/checkpoint")
        con.close()
        flush.join()
        _fsync(staging)
        crash_point("before_replace")
        # The published file's log is folded into the staging file. Removed first: DuckDB
        # refuses to open a file beside a log written for an older version of it.
        if wal.exists():
            wal.unlink()
            _fsync_dir(path.parent)
        os.replace(staging, path)
        crash_point("after_replace")
        _fsync_dir(path.parent)
    except BaseException:
        con.close()
        staging.unlink(missing_ok=True)
        staging_wal.unlink(missing_ok=True)
        raise


def _fsync(path: Path) -> None:
    with suppress(FileNotFoundError), open(path, "rb+") as f:
        os.fsync(f.fileno())


def _wal(path: Path) -> Path:
    return path.with_name(path.name + ".wal")


def _readers_path(path: Path) -> Path:
    return path.with_name(path.name + ".readers")


def _held(path: str | Path, mode: int) -> bool:
    with open(_readers_path(Path(path).absolute()), "a+b") as readers:
        try:
            fcntl.flock(readers, mode | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        return False  # closing the file drops the lock just taken


def writing_in_place(path: str | Path) -> bool:
    """Whether a writer holds `path` in place now (it locks FILE.readers exclusively)."""
    return _held(path, fcntl.LOCK_SH)


def readers_registered(path: str | Path) -> bool:
    """Whether a reader is registered on `path` now (or a writer holds it in place)."""
    return _held(path, fcntl.LOCK_EX)


# Held by a Reader to check the file and, after a publish, to open the new snapshot: the
# sessions that notice the same publish at once open it once, and none sees a snapshot
# paired with another file's identity. (One for the process, which has one Reader.)
_REOPENING = threading.Lock()


@dataclass(frozen=True)
class Identity:
    """What changes when a writer publishes: a new inode (a copy swapped in), or the
    modification time and size (written in place)."""

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
    """Read-only snapshots of a published file, reopened after each publish.

    Registered as a reader from creation until closed or garbage collected, so writers copy
    rather than write in place. Created while a writer works in place, it waits for that
    writer (up to `wait` seconds, calling `notice` once), then reads what it published.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        memory_limit: str | None = None,
        wait: float | None = DEFAULT_WAIT_S,
        notice: Notice | None = None,
    ) -> None:
        self.path = Path(path)
        self.memory_limit = memory_limit
        self._identity: Identity | None = None
        self._con: duckdb.DuckDBPyConnection | None = None
        readers = _readers_path(self.path.absolute())
        readers.parent.mkdir(parents=True, exist_ok=True)
        self._registration = open(readers, "a+b")  # noqa: SIM115 (held for the Reader's life)
        try:
            _flock(
                self._registration,
                fcntl.LOCK_SH,
                path=self.path,
                wait=wait,
                notice=notice,
                waiting_for="the load",
            )
        except BaseException:
            self._registration.close()
            raise

    def close(self) -> None:
        """Drop the snapshot and the registration (writers may then write in place)."""
        if self._con is not None:
            self._con.close()
            self._con = None
        self._registration.close()

    def connection(self) -> duckdb.DuckDBPyConnection:
        """The current snapshot; a new one if the file was replaced since the last call."""
        return self.snapshot()[0]

    def snapshot(self) -> tuple[duckdb.DuckDBPyConnection, Identity | None]:
        """The current snapshot and the identity of the published file it shows, taken
        together (a snapshot never changes, so the identity versions what it answers).

        Safe from many threads. A publish since the last call opens a new snapshot; the old
        one is never closed here, since queries of other sessions may still run on it (a
        cursor keeps its snapshot alive): it goes when the last of them lets go of it.
        """
        with _REOPENING:
            now = identity(self.path)
            if self._con is None or now != self._identity:
                # Identity taken before the open: a publish in between reopens once more.
                self._con = db.connect(self.path, read_only=True, memory_limit=self.memory_limit)
                self._identity = now
            return self._con, self._identity

    @property
    def identity(self) -> Identity | None:
        """The identity of the published file the current snapshot shows."""
        with _REOPENING:
            return self._identity
