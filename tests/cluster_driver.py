"""The driver side of tests/test_spark_cluster.py, run as its own process.

One process holds one SparkContext, and the test session's is local (tests/conftest.py), so
the application that runs on the standalone cluster is this script:
`python tests/cluster_driver.py SPEC.json`. SPEC names the master, the log files, the Spark
settings and an output directory; this runs `template-noise metrics PATH... --engine spark
--master URL --format json`, as a user runs it, and writes what it printed (metrics.json)
and what the SparkContext says about where it ran (where.json: master, application id,
executors, seconds).
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
import time
from pathlib import Path
from typing import Any


def main(spec_path: str) -> int:
    from pyspark.sql import SparkSession
    from template_noise.cli import main as cli

    spec = json.loads(Path(spec_path).read_text(encoding="utf-8"))
    out = Path(spec["out"])
    args = ["metrics", *spec["paths"], "--engine", "spark", "--master", spec["master"]]
    for key, value in spec["conf"].items():
        args += ["--spark-conf", f"{key}={value}"]
    printed = io.StringIO()
    started = time.monotonic()
    with contextlib.redirect_stdout(printed):
        code = cli([*args, "--format", "json"])
    seconds = time.monotonic() - started
    (out / "metrics.json").write_text(printed.getvalue(), encoding="utf-8")
    spark = SparkSession.getActiveSession()
    if spark is None:
        return code or 1
    sc = spark.sparkContext
    # Executors registered with this driver (the driver itself is not one of them).
    executors = sc._jsc.sc().getExecutorMemoryStatus().size() - 1
    where: dict[str, Any] = {
        "master": sc.master, "app_id": sc.applicationId, "executors": executors,
        "seconds": seconds,
    }  # fmt: skip
    (out / "where.json").write_text(json.dumps(where), encoding="utf-8")
    spark.stop()
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
