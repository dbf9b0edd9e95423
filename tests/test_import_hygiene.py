"""Core modules never import streamlit: the CLI and the tests must not need the UI stack.

Each module is imported in a fresh interpreter (a module already imported by another test
would hide the import), then sys.modules is checked. New modules are covered the moment
they exist; only the Streamlit layer (app.py, ui.py, app_pages/) is exempt.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "dashboard"
UI_MODULES = {"app", "ui"}
CORE = sorted(f"template_noise.{p.stem}" for p in PACKAGE.glob("*.py") if p.stem not in UI_MODULES)

CHECK = """
import importlib, sys
importlib.import_module({module!r})
loaded = sorted(m for m in sys.modules if m == "streamlit" or m.startswith("streamlit."))
assert not loaded, f"{module} imports streamlit: {{loaded[:3]}}"
"""


def test_the_core_modules_are_found() -> None:
    for name in (
        "template_noise.metrics",
        "template_noise.checklist",
        "template_noise.signoff",
        "template_noise.series",
        "template_noise.charts",
        "template_noise.ingest",
        "template_noise.cli",
    ):
        assert name in CORE  # fmt: skip


@pytest.mark.parametrize("module", CORE)
def test_core_module_does_not_import_streamlit(module: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", CHECK.format(module=module)],
        capture_output=True,
        text=True,
        cwd=PACKAGE.parent,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]


def test_no_code_imports_the_source_folder_names() -> None:
    # The wheel installs only template_noise: an import of `dashboard` or `queries` works
    # in a checkout and fails for every user.
    root = PACKAGE.parent
    offenders = [
        f"{path.relative_to(root)}:{n}"
        for folder in ("dashboard", "tests", "benchmarks")
        for path in sorted((root / folder).rglob("*.py"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.match(r"\s*(from|import) (dashboard|queries)\b", line)
    ]
    assert offenders == []


def test_the_command_line_starts_without_pandas() -> None:
    # pandas is most of a command's start-up (0.8 of 0.9 s); `ingest` never needs it.
    code = "import sys, template_noise.cli; assert 'pandas' not in sys.modules, 'pandas imported'"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
