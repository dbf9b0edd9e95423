"""The long steps of a load on stderr, as `template-noise ingest` and the commands that take
log files show them (template_noise.ingest.Step).

A step that ends within QUIET_S says nothing: small loads print what they always printed.
A longer one shows how far DuckDB says its statement is and for how long it has run: on a
terminal one line rewritten in place; elsewhere (a log a supervisor keeps) one line every
EVERY_S, so a ten-minute load writes about twenty lines, and a last line when it is done
(or stopped on an error, before the error's own line).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO

QUIET_S = 5.0
EVERY_S = 30.0


def duration(seconds: float) -> str:
    """42s, 3m05s, 1h02m."""
    s = int(seconds)
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m{s % 60:02d}s"
    return f"{s // 3600}h{s % 3600 // 60:02d}m"


class StepLog:
    """An ingest.Step that writes to a stream (stderr unless given)."""

    def __init__(
        self,
        stream: TextIO | None = None,
        clock: Callable[[], float] = time.monotonic,
        tty: bool | None = None,
    ) -> None:
        self._stream = stream
        self._clock = clock
        self._tty = tty
        self._what: str | None = None
        self._started = 0.0
        self._done = 0.0
        self._shown: float | None = None

    @property
    def stream(self) -> TextIO:
        return self._stream if self._stream is not None else sys.stderr

    def _is_tty(self) -> bool:
        if self._tty is not None:
            return self._tty
        isatty = getattr(self.stream, "isatty", None)
        return bool(isatty and isatty())

    def __call__(self, what: str, done: float | None) -> None:
        now = self._clock()
        if what != self._what:
            self._what, self._started, self._done, self._shown = what, now, 0.0, None
        elapsed = now - self._started
        if done is None or done < 0:  # done, or stopped on an error (ingest.STEP_FAILED)
            if self._shown is not None:
                end = "\r\033[K" if self._is_tty() else ""
                state = "done in" if done is None else "stopped after"
                self._write(f"{end}{what}: {state} {duration(elapsed)}\n")
            self._what = None
            return
        # A step can run several statements, and DuckDB's estimate of one can step back:
        # the figure shown never goes down.
        self._done = max(self._done, done)
        if elapsed < QUIET_S:
            return
        text = f"{what}: {self._done:.0f}% after {duration(elapsed)}"
        if self._is_tty():
            self._write(f"\r\033[K{text}")
            self._shown = now
        elif self._shown is None or now - self._shown >= EVERY_S:
            self._write(text + "\n")
            self._shown = now

    def _write(self, text: str) -> None:
        self.stream.write(text)
        self.stream.flush()
