"""Helpers for tests that run real server processes: ports, health, what is left after."""

from __future__ import annotations

import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_healthy(
    port: int,
    process: subprocess.Popen[str] | subprocess.Popen[bytes],
    timeout: float = 90,
    output: Callable[[], str] | None = None,
) -> None:
    """Until Streamlit's /_stcore/health answers 200; fails early if the process died,
    showing the end of `output()` (default: its stderr)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        if process.poll() is not None:
            err = output() if output else str(process.stderr.read() if process.stderr else "")
            raise AssertionError(f"the server exited with {process.returncode}: {err[-3000:]}")
        if time.monotonic() > deadline:
            raise AssertionError(f"no answer on port {port} after {timeout} s")
        time.sleep(0.3)


def serve(command: list[str], cwd: Path) -> tuple[subprocess.Popen[str], int]:
    """`command` (a `template-noise serve` line) on a free port, once it answers."""
    port = free_port()
    server = subprocess.Popen(
        [*command, "--port", str(port)],
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_healthy(port, server)
    except BaseException:
        server.kill()
        server.wait()
        raise
    return server, port


def stop(server: subprocess.Popen[str], signum: signal.Signals, timeout: float = 20) -> float:
    """Send `signum` and wait for the process to end; the seconds it took (killed and
    failing after `timeout`)."""
    server.send_signal(signum)
    started = time.monotonic()
    try:
        server.wait(timeout=timeout)
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
    return time.monotonic() - started


def port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) == 0


def wait_closed(port: int, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while port_open(port):
        assert time.monotonic() < deadline, f"port {port} still open {timeout} s after the stop"
        time.sleep(0.2)


def processes_mentioning(text: str) -> list[str]:
    """Command lines of live processes that contain `text` (e.g. a venv's path)."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            raw = (proc / "cmdline").read_bytes()
            zombie = (proc / "stat").read_text().split()[2] == "Z"
        except OSError:  # ended meanwhile
            continue
        cmdline = raw.replace(b"\0", b" ").decode(errors="replace").strip()
        if text in cmdline and not zombie:
            found.append(f"{proc.name}: {cmdline}")
    return found
