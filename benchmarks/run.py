"""The scale benchmark of issue 5: wall time and peak memory of every step, with the floors
and the pandas and polars peers measured in the same run, as a Markdown table.

    python -m benchmarks.run --sizes 1000000,10000000 [--memory-limit 4GB] [--workdir DIR]

At each size N it generates a 30-day log of N notifications (benchmarks/generate.py,
Parquet) and one more day (N/30 notifications), then runs each step in its own child
process and reads that child's peak RSS from wait4():

- ingest: `template-noise ingest LOG --db FILE` into a fresh database file;
- metrics, end to end: `template-noise metrics LOG --format json` (in memory);
- metrics, on the database: `template-noise metrics --db FILE --format json`;
- check: `template-noise check --db FILE --format json`;
- warm queries: one process opens the database, loads once, then times `compute_metrics`
  and every dashboard page's queries under several filters (the slowest is reported);
- append one day: `template-noise ingest DAY --db COPY` on a copy of the 30-day database,
  once as it runs unattended (written in place) and once while this process holds a reader
  on the file, as a served dashboard does (the append then writes a staging copy);
- floors: a DuckDB pass that only reads the columns the metrics need, one that only
  groups the events by notification, and one that only orders them by (template,
  recipient, time), the order duplicate detection walks;
- bound: benchmarks/bound.py, the product's own state and metrics over a view straight on
  the log (nothing validated, normalised or stored): what the metric definitions alone cost,
  the least `metrics` end to end could take;
- pandas peer: benchmarks/pandas_peer.py on the same file; polars peer:
  benchmarks/polars_peer.py (LazyFrame, streaming engine) on the same file; the numbers of
  each are asserted equal to `metrics` end to end (rates within 1e-9) before the table is
  printed.

The table goes to stdout and to benchmarks/results.md (overwritten with this run).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
from template_noise import store

from benchmarks.generate import generate

RESULTS = Path(__file__).parent / "results.md"
PY = sys.executable
CLI = [PY, "-m", "template_noise.cli"]
# The peers' address-space cap: 3/4 of the machine's memory.
PEER_CAP = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") * 3 // 4


@dataclass
class Step:
    name: str
    seconds: float
    rss_mib: float
    note: str = ""


def measure(cmd: list[str], stdout: Path | None = None) -> tuple[float, float]:
    """(wall seconds, peak RSS MiB) of one child process; raises if it fails.

    Peak RSS comes from /usr/bin/time, whose own child starts from a small process: the
    rusage of a child forked straight from this (large) process would count our memory
    too, since Linux carries the high-water mark of the forked copy across exec.
    """
    out = open(stdout, "wb") if stdout else subprocess.DEVNULL  # noqa: SIM115
    with tempfile.TemporaryDirectory() as tmp:
        rss_file = Path(tmp) / "rss"
        err = Path(tmp) / "err"
        try:
            t0 = time.perf_counter()
            with open(err, "wb") as errf:
                code = subprocess.call(
                    ["/usr/bin/time", "-f", "%M", "-o", str(rss_file), *cmd],
                    stdout=out,
                    stderr=errf,
                )
            seconds = time.perf_counter() - t0
        finally:
            if stdout:
                out.close()  # type: ignore[union-attr]
        if code not in (0, 1):  # check exits 1 when an item fails
            raise RuntimeError(f"{' '.join(cmd)} failed ({code}): {err.read_text()[-2000:]}")
        kib = int(rss_file.read_text().split()[-1])
    return seconds, kib / 1024


def floor_cmd(log: Path, kind: str) -> list[str]:
    src = f"read_parquet('{log}')"
    if kind == "read":
        # Aggregates that need every value (a max could come from the Parquet statistics).
        text = ("event_id", "event_type", "notification_id", "user_id", "template", "severity",
                "metadata", "dedup_key")  # fmt: skip
        cols = [f"sum(length({c}))" for c in text]
        cols += ["sum(epoch_us(occurred_at))", "sum(expires_hours)", "sum(attempt)"]
        sql = f"SELECT {', '.join(cols)} FROM {src}"
    elif kind == "sort":
        # Materialised in that order, so the sort cannot be optimised away (an ORDER BY under
        # a count is dropped). The generated logs name the recipient in user_id.
        sql = (
            f"CREATE TEMP TABLE ordered AS SELECT template, user_id, occurred_at FROM {src} "
            "ORDER BY template, user_id, occurred_at"
        )
    else:
        sql = (
            f"SELECT count(*) FROM (SELECT notification_id, count(*), min(occurred_at) "
            f"FROM {src} GROUP BY notification_id)"
        )
    code = f"import duckdb; duckdb.connect().execute({sql!r}).fetchall()"
    return [PY, "-c", code]


WARM = r"""
import json, sys, time
from datetime import timedelta
from template_noise import db, checklist, series
from template_noise.config import load_config
from template_noise.filters import Filters
from template_noise.metrics import compute_metrics, metrics_with_total, resolve_as_of

con = db.connect(sys.argv[1], read_only=True, memory_limit=sys.argv[2] or None)
config = load_config(None)
t0 = time.perf_counter(); compute_metrics(con, Filters(), config)
first = time.perf_counter() - t0
opts = series.filter_options(con)
last = opts.last_at
filters = {
    "none": Filters(),
    "last 7 days": Filters(since=last - timedelta(days=7), until=last),
    "severity warning": Filters(severities=("warning",)),
    "template search": Filters(template_search="api_key"),
    "dedup 10 min": Filters(dedup_window_minutes=10),
}
def pages(f):
    t = str(compute_metrics(con, f, config)["template"].iloc[0])
    return {
        # as the page asks (template_noise.app.ui): the ranking and the overall numbers in one call
        # (the Overview shows no percentile; the Template page reads its template's alone,
        # its rank and counts come from the Overview's pass)
        "overview": lambda: (metrics_with_total(con, f, config, total_distinct=False,
                                                quantiles=False),
                             series.volume_over_time(con, f, config, "day")),
        "template": lambda: series.template_page(con, f, config, t, "day"),
        "delivery": lambda: (series.delivery_over_time(con, f, config, "day"),
                             series.delivery_latency(con, f, config),
                             series.attempts(con, f, config),
                             series.stream_over_time(con, f, config, "day"),
                             series.stream_outages(con, f, config)),
        "checklist": lambda: checklist.evaluate(con, config),
        "data": lambda: (series.freshness(con), series.loads(con), series.rejects(con),
                         series.reject_reasons(con)),
    }
times = {}
for fname, f in filters.items():
    t0 = time.perf_counter(); compute_metrics(con, f, config)
    times[f"metrics [{fname}]"] = time.perf_counter() - t0
    for page, fn in pages(f).items():
        t0 = time.perf_counter(); fn()
        times[f"{page} [{fname}]"] = time.perf_counter() - t0
print(json.dumps({"first": first, "times": times}))
"""


def compare(sql: list[dict[str, Any]], peer: list[dict[str, Any]], who: str = "pandas") -> int:
    """Assert the optimised path and a peer (pandas, polars) agree on every metric the peer
    computes (counts and lists exactly, rates and seconds within 1e-9); returns how many
    compared."""
    by_template = {t["template"]: t for t in sql}
    assert sorted(by_template) == sorted(t["template"] for t in peer), "different templates"
    compared = 0
    for row in peer:
        mine = by_template[row["template"]]
        for key, theirs in row.items():
            ours = mine[key]
            if isinstance(theirs, float) or isinstance(ours, float):
                ok = (theirs is None and ours is None) or (
                    theirs is not None and ours is not None
                    and abs(float(theirs) - float(ours)) <= 1e-9 * max(1.0, abs(float(theirs)))
                )  # fmt: skip
            else:
                ok = theirs == ours
            assert ok, f"{row['template']}.{key}: {who} {theirs!r} != sql {ours!r}"
            compared += 1
    return compared


def _templates(path: Path) -> list[dict[str, Any]]:
    return list(json.loads(path.read_text())["templates"])


def machine() -> str:
    model = "?"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    mem = 0
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal"):
            mem = int(line.split()[1]) // 2**20
    import duckdb
    import pandas
    import polars

    return (
        f"{model}, {os.cpu_count()} cores, {mem} GiB RAM, {platform.system()} "
        f"{platform.release()}; Python {platform.python_version()}, DuckDB {duckdb.__version__}, "
        f"pandas {pandas.__version__}, polars {polars.__version__}"
    )


def load() -> str:
    return " / ".join(f"{x:.1f}" for x in os.getloadavg())


def bench_size(
    n: int,
    work: Path,
    memory_limit: str | None,
    given_log: Path | None = None,
    given_db: Path | None = None,
    with_peer: bool = True,
    with_polars: bool = True,
) -> tuple[list[Step], dict[str, Any]]:
    """Every step at one size. With given_log and given_db (a log of n notifications made by
    benchmarks/generate.py and a database already holding it), the steps that build a
    database (ingest, end to end, append) are skipped and the others run on those."""
    mem = ["--memory-limit", memory_limit] if memory_limit else []
    log, day = given_log or work / f"log-{n}.parquet", work / f"day-{n}.parquet"
    if given_log is None:
        generate(log, n, days=30)
    events = int(duckdb.connect().execute(f"SELECT count(*) FROM '{log}'").fetchone()[0])  # type: ignore[index]
    day_events = generate(
        day, max(1, n // 30), days=1, start=datetime(2026, 10, 31), first=n, users=max(100, n // 20)
    )
    dbfile, appended = given_db or work / f"db-{n}.duckdb", work / f"db-{n}-append.duckdb"
    build = given_db is None
    sql_json, db_json, peer_json, polars_json, bound_json = (
        work / f"{k}-{n}.json" for k in ("sql", "db", "peer", "polars", "bound")
    )
    steps: list[Step] = []

    def step(name: str, cmd: list[str], stdout: Path | None = None, note: str = "") -> Step:
        seconds, rss = measure(cmd, stdout)
        s = Step(name, seconds, rss, note)
        steps.append(s)
        print(f"  {name}: {seconds:.1f}s, {rss:,.0f} MiB (load {load()})", file=sys.stderr)
        return s

    step("floor: read the needed columns (DuckDB)", floor_cmd(log, "read"))
    step("floor: group events by notification (DuckDB)", floor_cmd(log, "group"))
    step("floor: order events by template, recipient, time (DuckDB)", floor_cmd(log, "sort"))
    step("bound: the metrics alone, over the unvalidated file", [PY, "-m", "benchmarks.bound",
         str(log), memory_limit or ""], stdout=bound_json)  # fmt: skip

    def peer(name: str, module: str, out: Path, run: bool, flag: str, capped: bool) -> None:
        try:
            if not run:
                raise RuntimeError(f"not run ({flag})")
            # pandas is capped so that running out of memory is a MemoryError in the peer,
            # not the kernel's OOM killer picking some process of the machine. polars is not:
            # its allocator reserves far more address space than it uses, and a cap on the
            # address space stops it at 10M with 7 GB resident.
            cap = ["prlimit", f"--as={PEER_CAP}"] if capped else []
            step(name, [*cap, PY, "-m", module, str(log), "--out", str(out)])
        except RuntimeError as e:
            print(f"  {name} failed: {str(e)[-300:]}", file=sys.stderr)
            # Out of memory under the cap shows as a MemoryError (polars: an allocation
            # failure), or as a crash of native code that does not check its allocations
            # (exit 139, SIGSEGV; 134, SIGABRT).
            oom = ("MemoryError", "memory allocation", "failed (139)", "failed (134)")
            why = ("out of memory" if any(o in str(e) for o in oom)
                   else str(e).split(":")[0][-80:])  # fmt: skip
            capped_at = f" (address space capped at {PEER_CAP // 2**30} GiB)" if capped else ""
            note = str(e) if not run else f"did not finish: {why}{capped_at}"
            steps.append(Step(name, math.nan, math.nan, note))

    peer("pandas peer: metrics from the Parquet file", "benchmarks.pandas_peer", peer_json,
         with_peer, "--no-peer", capped=True)  # fmt: skip
    peer("polars peer: metrics from the Parquet file (streaming)", "benchmarks.polars_peer",
         polars_json, with_polars, "--no-polars", capped=False)  # fmt: skip
    if build:
        step("metrics end to end from the Parquet file", [*CLI, "metrics", str(log), "--format",
             "json", *mem], stdout=sql_json)  # fmt: skip
        step("ingest into a database file (30 days)", [*CLI, "ingest", str(log), "--db",
             str(dbfile), "--format", "json", *mem])  # fmt: skip
    step("metrics on the ingested database (new process)", [*CLI, "metrics", "--db", str(dbfile),
         "--format", "json", *mem], stdout=db_json)  # fmt: skip
    step("check on the ingested database (new process)", [*CLI, "check", "--db", str(dbfile),
         "--format", "json", *mem])  # fmt: skip
    from benchmarks.whatif import POLICY, STEP, simulate_cmd  # it reads this module's helpers

    policy = work / "policy.toml"
    policy.write_text(POLICY, encoding="utf-8")
    step(STEP, simulate_cmd(dbfile, policy, memory_limit))
    step("templates: the inferred templates (new process)", [*CLI, "templates", "--db",
         str(dbfile), "--format", "json", *mem])  # fmt: skip
    if build:
        # Each append starts from a copy already on disk, as a database that has been
        # sitting there is: the copy's own write-back is not billed to the append. Once as
        # it runs unattended (in place), once beside a reader as a served dashboard holds
        # one (the append then writes a copy).
        for name, beside_reader in (
            ("append one more day to the 30-day database", False),
            ("append one more day while a reader holds the database (copy-on-write)", True),
        ):
            shutil.copyfile(dbfile, appended)
            os.sync()
            reader = store.Reader(appended) if beside_reader else None
            if reader is not None:
                reader.connection()
            watch = [*CLI, "watch", "--db", str(appended), "--format", "json", *mem]
            if not beside_reader:
                # The 30 days are watched once, as a deployment's first run does.
                step("watch: first run, judging the 30 days (new process)", watch)
            inode = appended.stat().st_ino
            step(name, [*CLI, "ingest", str(day), "--db", str(appended), "--format", "json",
                        *mem])  # fmt: skip
            if (appended.stat().st_ino != inode) != beside_reader:
                raise RuntimeError(f"{name}: not written the way it should be")
            del reader
            if not beside_reader:
                step("watch after the day's append: judging the new hours (new process)", watch)
    warm_out = work / f"warm-{n}.json"
    step("warm: open, first load, then every page x 5 filters", [PY, "-c", WARM, str(dbfile),
         memory_limit or ""], stdout=warm_out)  # fmt: skip
    warm = json.loads(warm_out.read_text())
    compared = {"pandas": 0, "polars": 0}
    for who, out in (("pandas", peer_json), ("polars", polars_json)):
        if out.exists():
            compared[who] = compare(_templates(db_json), _templates(out), who)
            compare(_templates(bound_json), _templates(out), who)
            if build:
                compare(_templates(sql_json), _templates(out), who)
    # The bound computes what `metrics` computes, value for value (with or without the peer).
    bound_same = compare(_templates(bound_json), _templates(db_json), "bound")
    info = {"events": events, "day_events": day_events, "compared": compared, "warm": warm,
            "bound_same": bound_same,
            "given_db": str(given_db) if given_db else None}  # fmt: skip
    for f in (appended, day) if given_db else (dbfile, appended, log, day):
        f.unlink(missing_ok=True)
    return steps, info


def _ratio(num: float, den: float, digits: int) -> str:
    return "-" if math.isnan(num) or math.isnan(den) else f"{num / den:.{digits}f}"


def table(n: int, steps: list[Step], info: dict[str, Any]) -> str:
    group = next(s for s in steps if s.name.startswith("floor: group"))
    sort = next(s for s in steps if s.name.startswith("floor: order"))
    peer = next(s for s in steps if s.name.startswith("pandas"))
    polars = next(s for s in steps if s.name.startswith("polars"))
    rows = [
        f"### {n:,} notifications ({info['events']:,} events; one more day: "
        f"{info['day_events']:,} events)",
        "",
        "| step | wall s | peak RSS MiB | x group-by floor | x sort floor | pandas time / this "
        "| RSS / pandas | polars time / this | RSS / polars |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for s in steps:
        if math.isnan(s.seconds):
            rows.append(f"| {s.name} | {s.note} | | | | | | | |")
            continue
        rows.append(
            f"| {s.name} | {s.seconds:.2f} | {s.rss_mib:,.0f} | {s.seconds / group.seconds:.1f} | "
            f"{s.seconds / sort.seconds:.1f} | {_ratio(peer.seconds, s.seconds, 1)} | "
            f"{_ratio(s.rss_mib, peer.rss_mib, 2)} | {_ratio(polars.seconds, s.seconds, 1)} | "
            f"{_ratio(s.rss_mib, polars.rss_mib, 2)} |"
        )
    ingest = next((s for s in steps if s.name.startswith("ingest")), None)
    append = next((s for s in steps if s.name.startswith("append one more day to")), None)
    copying = next((s for s in steps if s.name.startswith("append one more day while")), None)
    e2e = next((s for s in steps if s.name.startswith("metrics end to end")), None)
    bound = next(s for s in steps if s.name.startswith("bound"))
    warm = info["warm"]
    slowest = max(warm["times"].items(), key=lambda kv: kv[1])
    rows.append("")
    if e2e and ingest and append:
        bound_rss = (
            ""
            if math.isnan(peer.rss_mib)
            else f" at {bound.rss_mib / peer.rss_mib:.2f} of pandas' peak RSS"
        )
        rows += [
            f"- metrics end to end = {e2e.seconds / group.seconds:.1f}x the group-by floor "
            f"(target <= 3x); "
            + (
                f"{peer.seconds / e2e.seconds:.1f}x faster than pandas (target >= 5x) "
                f"at {e2e.rss_mib / peer.rss_mib:.2f} of its peak RSS (target <= 0.33)."
                if not math.isnan(peer.seconds)
                else "pandas did not finish, so no ratio to it at this size."
            ),
            f"- metrics end to end = {e2e.seconds / sort.seconds:.1f}x the sort floor; "
            + (
                f"the polars peer takes {polars.seconds / e2e.seconds:.2f}x its time (issue 20: "
                f"faster than a polars script means > 1) at {polars.rss_mib / e2e.rss_mib:.2f}x "
                "its peak RSS."
                if not math.isnan(polars.seconds)
                else "polars did not finish, so no ratio to it at this size."
            ),
            f"- bound (the metrics alone, over the unvalidated file) = "
            f"{bound.seconds / group.seconds:.1f}x the group-by floor{bound_rss}: no end-to-end "
            f"run can take less; end to end = {e2e.seconds / bound.seconds:.1f}x the bound. The "
            f"bound gives the same {info['bound_same']} template x metric values as `metrics` on "
            "the database.",
            f"- append one day = {append.seconds / ingest.seconds:.3f} of ingesting 30 days "
            f"(target <= 0.1), written in place"
            + (
                f"; {copying.seconds / ingest.seconds:.3f} while a reader holds the database "
                "(copy-on-write)."
                if copying
                else "."
            ),
        ]
    else:
        rows.append(
            f"- database given ({info['given_db']}), not built in this run: ingest, end to end "
            f"and append not measured at this size."
        )
    by_name = {s.name: s for s in steps if not math.isnan(s.seconds)}
    targets = [
        ("templates:", "templates", 1),
        ("watch after", "watch after a day's append", 2),
        ("simulate:", "simulate with all four rules", 30),
    ]
    timed = [
        f"{label} {s.seconds:.2f} s (target < {limit} s)"
        for prefix, label, limit in targets
        for s in [next((v for k, v in by_name.items() if k.startswith(prefix)), None)]
        if s is not None
    ]
    if timed:
        rows.append("- the newer commands: " + "; ".join(timed) + ".")
    rows += [
        f"- warm database: first load {warm['first']:.2f}s; slowest page or query after it: "
        f"{slowest[0]} {slowest[1]:.2f}s (target < 1 s); all {len(warm['times'])} timed: "
        + ", ".join(f"{k} {v:.2f}" for k, v in sorted(warm["times"].items())),
        *(
            (
                f"- {who} peer and `metrics` agree on all {info['compared'][who]} template x "
                "metric values (rates within 1e-9)"
                + (", end to end, from the database and in the bound." if e2e else ".")
                if info["compared"][who]
                else f"- {who} peer did not finish: no agreement check at this size."
            )
            for who in ("pandas", "polars")
        ),
        "",
    ]
    return "\n".join(rows)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--sizes", default="1000000", help="notifications per run, comma-separated")
    p.add_argument("--memory-limit", help="passed to every template-noise step, e.g. 4GB")
    p.add_argument("--workdir", type=Path, help="where logs and databases go (default: a temp dir)")
    p.add_argument("--out", type=Path, default=RESULTS)
    p.add_argument("--log", type=Path, help="with --db and one size: an existing generated log")
    p.add_argument("--db", type=Path, help="with --log: a database already holding that log")
    p.add_argument("--no-peer", action="store_true", help="skip the pandas peer")
    p.add_argument("--no-polars", action="store_true", help="skip the polars peer")
    a = p.parse_args()
    work = Path(tempfile.mkdtemp(prefix="tn-bench-", dir=a.workdir))
    head = [
        "# Benchmark results",
        "",
        f"`python -m benchmarks.run --sizes {a.sizes}"
        + (f" --memory-limit {a.memory_limit}" if a.memory_limit else "")
        + f"`, {datetime.now().strftime('%Y-%m-%d %H:%M')}",
        "",
        f"Machine: {machine()}. Load average at start: {load()}.",
        "",
    ]
    parts = []
    try:
        for n in (int(x) for x in a.sizes.split(",")):
            print(f"{n:,} notifications", file=sys.stderr)
            steps, info = bench_size(
                n, work, a.memory_limit, a.log, a.db, not a.no_peer, not a.no_polars
            )
            parts.append(table(n, steps, info))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    text = "\n".join([*head, *parts, f"Load average at end: {load()}.", ""])
    a.out.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
