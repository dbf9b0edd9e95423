"""The Spark engine on a real standalone cluster, not only in local mode (issue 20).

A master and a worker are started as processes of their own from the pyspark distribution
(`bin/spark-class`), on loopback addresses and free ports, with their logs in a temporary
directory. The application (tests/cluster_driver.py, a process of its own: the test session
already holds a local SparkContext) connects to `spark://127.0.0.1:PORT` in client mode and
runs `metrics --engine spark --master URL` on the bundled sample; DuckDB computes the same
metrics here, and the two JSON documents must agree as in tests/test_spark_parity.py
(counts equal, rates within 1e-9, same order). The worker's executor ran the tasks: its log
says so. (Every query's parity is tested in local mode there; on one core of a shared
machine each costs seconds on a cluster.)
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from template_noise import db
from template_noise.config import load_config
from template_noise.filters import Filters
from template_noise.ingest import ingest
from template_noise.metrics import metrics_json
from test_spark_parity import SAMPLE, _same_json

pytestmark = pytest.mark.spark

HERE = Path(__file__).parent
LOOPBACK = "127.0.0.1"
START_TIMEOUT_S = 90  # a JVM start on two busy cores
# The application's settings: loopback only, no UI (its port would clash with other runs),
# one core and a small executor, as few shuffle partitions as the data needs.
APP_CONF = {
    "spark.driver.host": LOOPBACK,
    "spark.driver.bindAddress": LOOPBACK,
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.cores.max": "1",
    "spark.executor.cores": "1",
    "spark.executor.memory": "512m",
    "spark.sql.shuffle.partitions": "2",
    # Compiling whole stages costs more than it saves on a few thousand rows.
    "spark.sql.codegen.wholeStage": "false",
    "spark.executor.extraJavaOptions": "-XX:TieredStopAtLevel=1",
    "spark.driver.extraJavaOptions": "-XX:TieredStopAtLevel=1",
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((LOOPBACK, 0))
        return int(s.getsockname()[1])


@dataclass
class Cluster:
    url: str  # spark://127.0.0.1:PORT
    ui: str  # the master's web UI (its /json/ is the cluster's state)
    logs: Path
    work_dir: Path  # the worker's: one directory per application, its executors' logs
    env: dict[str, str]

    def state(self) -> dict[str, Any]:
        with urllib.request.urlopen(f"{self.ui}/json/", timeout=5) as r:
            doc: dict[str, Any] = json.load(r)
        return doc


def _spark_home() -> Path:
    import pyspark

    return Path(pyspark.__file__).parent


def _start(cmd: list[str], log: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    # A session of its own: teardown signals the whole group, so an executor the worker
    # launched goes too (and nothing this test did not start).
    with open(log, "wb") as out:
        return subprocess.Popen(
            cmd, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True
        )


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is not None:
        return
    for sig, wait_s in ((signal.SIGTERM, 20), (signal.SIGKILL, 10)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(wait_s)
            return
        except subprocess.TimeoutExpired:
            continue


def _tail(log: Path, lines: int = 30) -> str:
    text = log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""
    return "\n".join(text.splitlines()[-lines:])


def _wait(what: str, ready: Any, procs: dict[Path, subprocess.Popen[bytes]]) -> Any:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        for log, proc in procs.items():
            if proc.poll() is not None:
                pytest.fail(f"{log.stem} exited ({proc.returncode}) before {what}:\n{_tail(log)}")
        try:
            found = ready()
        except OSError:
            found = None
        if found:
            return found
        time.sleep(0.5)
    logs = "\n".join(f"--- {log.name}\n{_tail(log)}" for log in procs)
    pytest.fail(f"no {what} after {START_TIMEOUT_S} s:\n{logs}")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """A standalone master and one worker (1 core, 1 GiB), torn down even when a test fails."""
    pytest.importorskip("pyspark")
    home = _spark_home()
    root = tmp_path_factory.mktemp("cluster")
    logs, work = root / "logs", root / "work"
    logs.mkdir()
    work.mkdir()
    port, ui_port = _free_port(), _free_port()
    env = {
        **os.environ,
        "SPARK_HOME": str(home),
        "SPARK_LOCAL_IP": LOOPBACK,
        "SPARK_LOCAL_HOSTNAME": LOOPBACK,
        "SPARK_LOG_DIR": str(logs),
        "SPARK_WORKER_DIR": str(work),
        # Executors and the driver run the same interpreter (no Python UDFs run today,
        # but a Python worker must never pick another one).
        "PYSPARK_PYTHON": sys.executable,
        "PYSPARK_DRIVER_PYTHON": sys.executable,
    }
    env.pop("PYSPARK_GATEWAY_PORT", None)
    env.pop("SPARK_MASTER", None)
    spark_class = str(home / "bin" / "spark-class")
    cluster = Cluster(f"spark://{LOOPBACK}:{port}", f"http://{LOOPBACK}:{ui_port}", logs, work, env)
    procs: dict[Path, subprocess.Popen[bytes]] = {}
    try:
        master_log = logs / "master.log"
        procs[master_log] = _start(
            [spark_class, "org.apache.spark.deploy.master.Master",
             "--host", LOOPBACK, "--port", str(port), "--webui-port", str(ui_port)],
            master_log, env,
        )  # fmt: skip
        _wait("master web UI", lambda: cluster.state().get("status") == "ALIVE", procs)
        worker_log = logs / "worker.log"
        procs[worker_log] = _start(
            [spark_class, "org.apache.spark.deploy.worker.Worker", cluster.url,
             "--host", LOOPBACK, "--port", str(_free_port()),
             "--webui-port", str(_free_port()), "--cores", "1", "--memory", "1g",
             "--work-dir", str(work)],
            worker_log, env,
        )  # fmt: skip
        _wait(
            "worker registered with the master",
            lambda: [w for w in cluster.state().get("workers", []) if w.get("state") == "ALIVE"],
            procs,
        )
        yield cluster
    finally:
        for proc in reversed(procs.values()):  # the worker first, then the master
            _stop(proc)


def test_metrics_on_the_cluster_are_the_metrics_of_duckdb(cluster: Cluster, tmp_path: Path) -> None:
    [worker] = cluster.state()["workers"]
    assert worker["host"] == LOOPBACK and worker["cores"] == 1 and worker["state"] == "ALIVE"
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps({
        "master": cluster.url, "paths": [str(SAMPLE)], "conf": APP_CONF, "out": str(tmp_path),
    }), encoding="utf-8")  # fmt: skip
    driver = subprocess.run(
        [sys.executable, str(HERE / "cluster_driver.py"), str(spec)],
        env=cluster.env, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert driver.returncode == 0, driver.stderr[-4000:]
    where = json.loads((tmp_path / "where.json").read_text(encoding="utf-8"))
    assert where["master"] == cluster.url
    assert where["executors"] == 1, where

    # The same events on DuckDB (the sample's 3 bad lines rejected by the same ingest).
    config = load_config(None)
    con = db.connect()
    assert ingest(con, [SAMPLE]).rejected == 3
    duck = json.loads(json.dumps(metrics_json(con, Filters(), config)))
    on_cluster = json.loads((tmp_path / "metrics.json").read_text(encoding="utf-8"))
    _same_json(duck, on_cluster)
    sent = {t["template"]: t["sent"] for t in on_cluster["templates"]}
    top = on_cluster["templates"][0]
    print(
        f"\n{cluster.url}: worker {worker['id']} ({worker['cores']} core, {worker['memory']} MiB); "
        f"application {where['app_id']}, {where['executors']} executor, "
        f"`metrics --engine spark` in {where['seconds']:.1f} s; same JSON as DuckDB: "
        f"{len(sent)} templates, {sum(sent.values())} sent, first {top['template']} "
        f"(sent {top['sent']}, duplicate_rate {top['duplicate_rate']:.4f}, "
        f"noise_score {top['noise_score']:.4f})"
    )

    # The tasks ran in the worker's executor, not in the driver: the master lists the
    # application as finished, and the executor's own log (in the worker's work directory)
    # shows it running tasks.
    apps = {a["id"]: a for a in cluster.state()["completedapps"]}
    assert where["app_id"] in apps, cluster.state()
    executor_logs = list((cluster.work_dir / where["app_id"]).glob("*/stderr"))
    assert executor_logs, f"no executor directory under {cluster.work_dir}"
    assert any("Running task" in p.read_text(errors="replace") for p in executor_logs)
