"""The product as users get it: a wheel built from the repository's sdist, installed into a
fresh virtual environment outside the checkout, every command run from another directory.

What works only in a checkout (SQL read from ../queries, the sample beside the source)
fails here. The serve part also checks the process lifecycle a supervisor relies on:
SIGTERM stops the server, the port closes and no process is left.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tarfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from served import processes_mentioning, serve, stop, wait_closed
from template_noise import __version__

ROOT = Path(__file__).resolve().parent.parent


def clean_tree(to: Path) -> Path:
    """The repository's files as a clean clone has them (tracked or not ignored, without
    build leftovers such as *.egg-info, which setuptools would read the file list from)."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():
            (to / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, to / name)
    return to


def _run(cmd: list[str], cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The bin/ of a fresh venv with the wheel (and its extras) installed."""
    base = tmp_path_factory.mktemp("wheel")
    dist = base / "dist"
    # No --wheel: the sdist is built first and the wheel from it, so both are proven.
    tree = clean_tree(base / "tree")
    built = _run([sys.executable, "-m", "build", "--outdir", str(dist), str(tree)], cwd=base)
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    (wheel,) = dist.glob("template_noise-*.whl")
    venv = base / "venv"
    made = _run([sys.executable, "-m", "venv", str(venv)], cwd=base)
    assert made.returncode == 0, made.stderr
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet"]
    done = _run([*pip, "--disable-pip-version-check", f"{wheel}[spark,auth]"], cwd=base)
    assert done.returncode == 0, done.stderr[-3000:]
    yield venv / "bin"


def test_the_releases_carry_the_sql_the_config_the_sample_and_the_docs(tmp_path: Path) -> None:
    tree = clean_tree(tmp_path / "tree")
    built = _run(
        [sys.executable, "-m", "build", "--outdir", str(tmp_path), str(tree)], cwd=tmp_path
    )
    assert built.returncode == 0, built.stderr[-3000:]
    (sdist,) = tmp_path.glob("*.tar.gz")
    with tarfile.open(sdist) as tar:
        in_sdist = {Path(*Path(n).parts[1:]).as_posix() for n in tar.getnames()}
    # The README links the pages of docs/: whoever unpacks the sdist has them too.
    docs = {p.relative_to(ROOT).as_posix() for p in (ROOT / "docs").glob("*.md")}
    assert {"README.md", *docs} <= in_sdist
    (wheel,) = tmp_path.glob("*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    sql = {
        n.removeprefix("template_noise/sql/") for n in names if n.startswith("template_noise/sql/")
    }
    queries = ROOT / "queries"
    assert {str(p.relative_to(queries)) for p in queries.rglob("*.sql")} <= sql
    assert {"catalogue.toml", "README.md"} <= sql
    assert "template_noise/defaults.toml" in names
    assert "template_noise/sample_data/notifications.jsonl" in names
    assert "template_noise/app/main.py" in names
    assert "template_noise/app/views/overview.py" in names
    # Every module of every subpackage (pyproject lists the packages one by one).
    source = ROOT / "dashboard"
    modules = {f"template_noise/{p.relative_to(source).as_posix()}" for p in source.rglob("*.py")}
    assert modules - set(names) == set()
    # One top-level import package: no generic `dashboard` or `queries` in site-packages.
    top = {n.split("/")[0] for n in names if not n.split("/")[0].endswith(".dist-info")}
    assert top == {"template_noise"}


def test_every_command_runs_from_the_installed_wheel(installed: Path, tmp_path: Path) -> None:
    tn = str(installed / "template-noise")
    version = _run([tn, "--version"], cwd=tmp_path)
    assert version.stdout.strip() == f"template-noise {__version__}"

    sample = _run([tn, "sample", "--notifications", "400", "--out", "s"], cwd=tmp_path)
    assert sample.returncode == 0, sample.stderr
    ingest = _run([tn, "ingest", "s", "--db", "noise.duckdb", "--format", "json"], cwd=tmp_path)
    assert ingest.returncode == 0, ingest.stderr
    loaded = json.loads(ingest.stdout)["events_loaded"]
    assert loaded > 400

    from_files = _run([tn, "metrics", "s", "--format", "json"], cwd=tmp_path)
    from_db = _run([tn, "metrics", "--db", "noise.duckdb", "--format", "json"], cwd=tmp_path)
    assert from_files.returncode == 0 == from_db.returncode, from_files.stderr + from_db.stderr
    files_sent = sum(t["sent"] for t in json.loads(from_files.stdout)["templates"])
    assert files_sent == sum(t["sent"] for t in json.loads(from_db.stdout)["templates"])
    assert 0 < files_sent <= 400  # a few of the sample's sends fail

    check = _run([tn, "check", "--db", "noise.duckdb", "--format", "junit"], cwd=tmp_path)
    assert check.returncode == 1, check.stderr  # the sample plants failing items
    assert "<testsuite" in check.stdout
    listed = _run([tn, "signoffs", "list", "--db", "noise.duckdb"], cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr

    # The extras installed from the wheel: Spark's SQL step and the login's library.
    python = str(installed / "python")
    extras = _run([python, "-c", "import pyspark, sqlglot, authlib"], cwd=tmp_path)
    assert extras.returncode == 0, extras.stderr


# `streamlit run` executes main.py and each page as a script, not as a module of the package:
# from a wheel, only absolute imports of the installed template_noise work there.
RUN_THE_DASHBOARD = """
from streamlit.testing.v1 import AppTest
from template_noise import app

assert "site-packages" in app.__file__, app.__file__
at = AppTest.from_file(str(app.MAIN_SCRIPT), default_timeout=120)
at.run()
# views/rollups.py is the Overview of `serve --rollups DIR` only (tests/test_app_rollups.py).
pages = sorted(p.name for p in app.VIEWS_DIR.glob("*.py") if p.name != "rollups.py")
for page in [None, *pages]:
    if page:
        at.switch_page(f"views/{page}")
        at.run()
    assert not at.exception, (page, [e.value for e in at.exception])
    assert not at.error, (page, [e.value for e in at.error])
print(len(pages), "pages")
"""


def test_the_dashboard_runs_from_the_installed_wheel(installed: Path, tmp_path: Path) -> None:
    done = _run([str(installed / "python"), "-c", RUN_THE_DASHBOARD], cwd=tmp_path)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    assert done.stdout.split()[-2:] == ["7", "pages"]


def test_serve_answers_and_stops_on_sigterm(installed: Path, tmp_path: Path) -> None:
    tn = str(installed / "template-noise")
    assert (
        _run([tn, "sample", "--notifications", "200", "--out", "s"], cwd=tmp_path).returncode == 0
    )
    assert _run([tn, "ingest", "s", "--db", "noise.duckdb"], cwd=tmp_path).returncode == 0
    server, port = serve([tn, "serve", "--db", "noise.duckdb"], cwd=tmp_path)
    stop(server, signal.SIGTERM)
    wait_closed(port)
    assert processes_mentioning(str(installed.parent)) == []
