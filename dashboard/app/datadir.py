"""Server paths the dashboard may read: only under one configured data directory.

The Data page lets a browser name a file, directory or glob on the server. Anyone who can
reach the page could otherwise read any file the server can (and see its lines echoed as
rejects), so a path is accepted only when it, and every file it expands to, lies under the
data directory after resolving symlinks and `..`.
"""

from __future__ import annotations

import os
from pathlib import Path

from template_noise.errors import InputError
from template_noise.ingest import expand

_GLOB = "*?["


def _within(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def _static_prefix(pattern: str) -> str:
    """The directory part of a glob before its first wildcard ("/a/b*/c" -> "/a")."""
    cut = min(pattern.index(ch) for ch in _GLOB if ch in pattern)
    return os.path.dirname(pattern[:cut]) or "."


def resolve_under(data_dir: str | Path | None, text: str) -> list[str]:
    """The log files `text` names (file, directory or glob; relative to the data directory),
    every one resolved and inside `data_dir`; InputError otherwise.

    Nothing outside the directory is looked at: the path (or a glob's fixed prefix) is
    checked before anything is listed, and each file found is checked again after symlinks
    are resolved, so a link inside the directory cannot lead out of it.
    """
    if data_dir is None:
        raise InputError(
            "loading server paths is off: start the dashboard with "
            "`template-noise serve --data-dir DIR`"
        )
    root = os.path.realpath(data_dir)
    if not os.path.isdir(root):
        raise InputError(f"the data directory {data_dir} does not exist")
    raw = text.strip()
    if not raw:
        raise InputError("give a file, directory or glob under the data directory")
    if "\x00" in raw:
        raise InputError("a path cannot contain a NUL byte")
    joined = os.path.join(root, os.path.expanduser(raw))  # an absolute path stays as it is
    fixed = _static_prefix(joined) if any(ch in joined for ch in _GLOB) else joined
    if not _within(os.path.realpath(fixed), root):
        raise InputError(f"{raw}: outside the data directory {root}")
    files = []
    for found in expand([joined]):
        real = os.path.realpath(found)
        if not _within(real, root):
            raise InputError(f"{raw}: {found} leads outside the data directory {root}")
        files.append(real)
    return list(dict.fromkeys(files))
