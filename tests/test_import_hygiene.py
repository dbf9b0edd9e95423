"""Only the dashboard imports the UI stack: the CLI, the core and the tests must not need it.

streamlit and plotly may be loaded only by template_noise.app (the dashboard: its frame, its
pages, ui.py, charts.py). Every other module of the package, found by walking the source
folder recursively, is imported in a fresh interpreter (a module already imported by another
test would hide the import), then sys.modules is checked. New modules and subpackages are
covered the moment they exist.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "dashboard"  # the source folder of the import package template_noise
APP = "template_noise.app"
UI_LIBRARIES = ("streamlit", "plotly")


def _is_module(path: Path) -> bool:
    """A .py file inside packages all the way up; a file in a folder without __init__.py is a
    script (the page scripts of app/views/, which Streamlit runs), not a module to import."""
    return all(
        (folder / "__init__.py").is_file()
        for folder in path.parents
        if folder.is_relative_to(PACKAGE)
    )


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    return ".".join(("template_noise", *(parts[:-1] if parts[-1] == "__init__" else parts)))


def _in_app(module: str) -> bool:
    return module == APP or module.startswith(APP + ".")


MODULES = sorted(_module_name(p) for p in PACKAGE.rglob("*.py") if _is_module(p))
CORE = [m for m in MODULES if not _in_app(m)]

PROBE = """
import importlib, json, sys
importlib.import_module(sys.argv[1])
print(json.dumps(sorted({m.split(".")[0] for m in sys.modules} & set(sys.argv[2:]))))
"""


def ui_libraries_loaded(module: str) -> list[str]:
    """The UI libraries that importing `module` loads, in a fresh interpreter."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE, module, *UI_LIBRARIES],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    loaded: list[str] = json.loads(done.stdout)
    return loaded


def test_the_walk_finds_every_module() -> None:
    for name in (
        "template_noise",
        "template_noise.metrics",
        "template_noise.signoff",
        "template_noise.series",
        "template_noise.ingest",
        "template_noise.cli",
        "template_noise.format",
        "template_noise.checklist",
        "template_noise.checklist.items",
        "template_noise.checklist.render",
        "template_noise.spark",
        "template_noise.spark.engine",
        "template_noise.spark.sql",
        "template_noise.spark.rollups",
    ):
        assert name in CORE
    for name in (APP, "template_noise.app.ui", "template_noise.app.charts"):
        assert name in MODULES and name not in CORE
    # The page scripts are run by Streamlit, never imported.
    assert not [m for m in MODULES if m.startswith(f"{APP}.views")]


def test_the_probe_sees_the_ui_libraries() -> None:
    # A test of the test: the dashboard's own modules do load them.
    assert "streamlit" in ui_libraries_loaded("template_noise.app.ui")
    assert "plotly" in ui_libraries_loaded("template_noise.app.charts")


@pytest.mark.parametrize("module", CORE)
def test_only_the_dashboard_imports_streamlit_or_plotly(module: str) -> None:
    assert ui_libraries_loaded(module) == [], f"{module} loads the dashboard's UI libraries"


def test_no_code_imports_the_source_folder_names() -> None:
    # The wheel installs only template_noise: an import of `dashboard` or `queries` works
    # in a checkout and fails for every user.
    offenders = [
        f"{path.relative_to(ROOT)}:{n}"
        for folder in ("dashboard", "tests", "benchmarks")
        for path in sorted((ROOT / folder).rglob("*.py"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.match(r"\s*(from|import) (dashboard|queries)\b", line)
    ]
    assert offenders == []


def test_the_command_line_starts_without_pandas() -> None:
    # pandas is most of a command's start-up (0.8 of 0.9 s); `ingest` never needs it.
    code = "import sys, template_noise.cli; assert 'pandas' not in sys.modules, 'pandas imported'"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
