"""Shared fixtures: one local SparkSession for the whole test session (Spark tests only); a
headless chromium per browser-test module and a fresh tab per test (tests/browsing.py)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    """Local Spark on two cores, small shuffles, no UI: as CI runs it. Skips only when the
    `spark` extra (pyspark) is not installed; `.[test]` installs it, so CI runs these."""
    pytest.importorskip("pyspark")
    from template_noise.spark.engine import session

    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    s = session(
        "local[2]",
        {
            "spark.ui.enabled": "false",
            "spark.sql.shuffle.partitions": "2",
            "spark.default.parallelism": "2",
        },
        app_name="template-noise-tests",
    )
    yield s
    s.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's chromium through Playwright, for one module's tests (imported here, on
    first use, so that modules without a browser test never import Playwright)."""
    from browsing import launch

    with launch() as b:
        yield b


@pytest.fixture
def tab(browser: Any) -> Iterator[Any]:
    """A fresh context and page, 1400 x 1000, dialogs recorded and dismissed."""
    from browsing import new_tab

    with new_tab(browser) as t:
        yield t
