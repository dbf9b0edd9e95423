"""The metrics catalogue (queries/catalogue.toml) is the one definition of every metric.

The SQL is parsed with sqlglot and compared with the catalogue: a rate or a counter written
any other way in any query, on DuckDB or as the Spark SQL the Spark engine runs, fails here.
The docs and the index of queries/ are written from their sources and must be current.
Then the metric the catalogue added, time to read, is checked by hand on a tiny log.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlglot
from events_fixture import NO_FILTERS, Event, config, event, load, sent
from sqlglot import exp
from template_noise import catalogue, queries
from template_noise.metrics import FLAGS, METRICS, compute_metrics, overall_metrics, query_params

ROOT = Path(__file__).resolve().parent.parent
CAT = catalogue.load()
RATES = {m.name: m for m in CAT.metrics if m.is_rate}
COUNTERS = {c.name: c for c in CAT.counters}
MACROS = "metrics/macros"


def _unqualified(node: exp.Expr) -> str:
    """An expression's SQL with table qualifiers dropped (`c.sent` is `sent`)."""

    def strip(n: exp.Expr) -> exp.Expr:
        if isinstance(n, exp.Column) and n.table:
            return exp.column(n.name)
        return n

    return node.copy().transform(strip).sql(dialect="duckdb")


def _aliases(sql: str, read: str = "duckdb") -> list[exp.Alias]:
    return [a for tree in sqlglot.parse(sql, read=read) if tree for a in tree.find_all(exp.Alias)]


def _expected(sql: str) -> str:
    """The catalogue's expression (`x AS name` or `x`) as _unqualified writes it."""
    node = sqlglot.parse_one(f"SELECT {sql}", read="duckdb").expressions[0]
    return _unqualified(node.this if isinstance(node, exp.Alias) else node)


def test_the_catalogue_names_every_metric_once_in_output_order() -> None:
    assert tuple(m.name for m in CAT.metrics) == METRICS
    assert len(set(METRICS)) == len(METRICS)
    assert {"time_to_read_p50_s", "time_to_read_p90_s"} <= set(METRICS)


@pytest.mark.parametrize("name", [*queries.names()])
def test_every_rate_and_counter_in_the_sql_is_the_catalogues(name: str) -> None:
    for alias in _aliases(queries.load_sql(name)):
        value = alias.this
        if alias.alias in RATES:
            assert _unqualified(value) == _expected(RATES[alias.alias].sql()), (
                f"{name}.sql computes {alias.alias} other than the catalogue says"
            )
        counter = COUNTERS.get(alias.alias)
        counted = value.find(exp.CountIf) if isinstance(value, exp.Cast) else None
        if counter and counted is not None:
            assert _unqualified(counted.this) == _expected(counter.of), (
                f"{name}.sql counts {alias.alias} other than the catalogue says"
            )


def test_no_query_writes_a_rate_by_hand() -> None:
    # Only the loader's expansion of {{ metrics }} may name a rate: a hand-written copy would
    # be a second definition, free to drift.
    offenders = []
    for path in sorted((ROOT / "queries").rglob("*.sql")):
        code = re.sub(r"--[^\n]*", "", path.read_text(encoding="utf-8"))
        for rate in RATES:
            if re.search(rf"\bAS\s+{rate}\b", code, re.IGNORECASE):
                offenders.append(f"{path.relative_to(ROOT)}: {rate}")
    assert offenders == []


def test_the_metric_queries_compute_every_rate_the_catalogue_defines() -> None:
    for name in ("metrics/from_rollups", MACROS):  # per_template and the rest call the macro
        found = {a.alias for a in _aliases(queries.load_sql(name))}
        assert set(RATES) <= found, f"{name}.sql lacks {sorted(set(RATES) - found)}"


def test_the_spark_sql_computes_the_rates_of_the_catalogue() -> None:
    from template_noise.spark.sql import spark_sql

    def aliased(name: str) -> dict[str, exp.Expr]:
        found: dict[str, exp.Expr] = {}
        for alias in _aliases(spark_sql(name, query_params(NO_FILTERS, config())), read="spark"):
            found.setdefault(alias.alias, alias.this)
        return found

    found = aliased("metrics/per_template")
    for rate in RATES.values():
        expected = sqlglot.parse_one(f"SELECT {rate.sql()}", read="duckdb").expressions[0]
        got = found[rate.name].transform(
            lambda n: exp.column(n.name) if isinstance(n, exp.Column) else n
        )
        assert got.sql(dialect="spark") == expected.this.sql(dialect="spark"), rate.name
    assert set(COUNTERS) <= set(aliased("metrics/daily"))


def test_state_macros_are_called_with_named_arguments() -> None:
    # A macro taking more than two arguments is called with `p_name := value` only, so
    # two arguments cannot swap without an error.
    arity = {}
    macro_files = (MACROS, "state/schema")
    for tree in (t for f in macro_files for t in sqlglot.parse(queries.load_sql(f), read="duckdb")):
        if isinstance(tree, exp.Create) and str(tree.args.get("kind")).upper() == "MACRO":
            arity[tree.this.this.name.lower()] = len(tree.this.expressions)
    assert {"tn_facts_core", "tn_notification_facts", "tn_metrics"} <= set(arity)
    for name in queries.names():
        if name.startswith(("store/", "signoff/")):
            continue
        for tree in sqlglot.parse(queries.load_sql(name), read="duckdb"):
            for call in tree.find_all(exp.Anonymous) if tree else ():
                if arity.get(call.name.lower(), 0) > 2:
                    positional = [a for a in call.expressions if not isinstance(a, exp.PropertyEQ)]
                    assert positional == [], f"{name}.sql: {call.name} called by position"


def test_every_flag_reads_a_metric_of_the_catalogue() -> None:
    derived = {"severity_count", "severities_outside_allowed"}  # from `severities`
    for flag in FLAGS:
        for cond in flag.conditions:
            assert cond.signal in METRICS or cond.signal in derived, (flag.name, cond.signal)


def test_the_docs_table_and_the_query_index_are_current() -> None:
    doc = (ROOT / "docs" / "metrics.md").read_text(encoding="utf-8")
    assert catalogue.with_docs_table(doc) == doc, "run: python -m template_noise.catalogue --docs"
    index = (ROOT / "queries" / "README.md").read_text(encoding="utf-8")
    assert index == queries.index_markdown(), "run: python -m template_noise.catalogue --docs"


def test_every_query_has_a_purpose_and_sits_in_a_stage() -> None:
    top = sorted(p.name for p in (ROOT / "queries").glob("*.sql"))
    assert top == []
    for name in queries.names():
        assert queries.purpose(name), f"{name}.sql: no purpose in its header"


def test_an_unknown_marker_is_an_error() -> None:
    from template_noise.errors import QueryError

    with pytest.raises(QueryError, match="unknown catalogue marker"):
        catalogue.expand("SELECT {{ rates }}", "x.sql")
    with pytest.raises(QueryError, match="unknown counters"):
        catalogue.expand("SELECT {{ counters except n_reads }}", "x.sql")


# ---- the metric added through the catalogue: seconds from created to first read ----------


def _read_log() -> list[Event]:
    log = []
    # template A, sent a minute apart: read after 1, 3 and 10 minutes; a3 never read
    for i, wait in enumerate((1, 3, 10, None)):
        log.append(sent(f"a{i}", i, template="A"))
        if wait is not None:
            log.append(event("read", f"a{i}", i + wait))
    log.append(sent("b0", 0, template="B", user="u2"))  # B: never read
    return log


def test_time_to_read_percentiles_by_hand(tmp_path: Path) -> None:
    con = load(tmp_path, _read_log())
    by = compute_metrics(con, NO_FILTERS, config()).set_index("template")
    # A: 60, 180, 600 s -> median 180; p90 = 180 + 0.8 * (600 - 180) = 516 (linear)
    assert by.loc["A", "time_to_read_p50_s"] == pytest.approx(180.0)
    assert by.loc["A", "time_to_read_p90_s"] == pytest.approx(516.0)
    assert by.loc["B"][["time_to_read_p50_s", "time_to_read_p90_s"]].isna().all()
    total = overall_metrics(con, NO_FILTERS, config())
    assert total["time_to_read_p50_s"] == pytest.approx(180.0)


# ---- the state's merge (state/refresh.sql) follows the catalogue's [[state]] --------------


def test_the_catalogue_lists_every_state_column_with_the_merge_its_aggregate_needs(
    tmp_path: Path,
) -> None:
    con = load(tmp_path, [sent("n1", 0)])
    rows = con.execute(
        "DESCRIBE SELECT * FROM tn_state_rows(p_as_of := NULL, p_load_id := NULL, p_gate := true)"
    ).fetchall()
    columns = [r[0] for r in rows if r[0] != "notification_id"]
    assert [c.name for c in CAT.state] == columns
    # An aggregate over events merges by its own kind: min by least, max by greatest, a
    # count by adding; every other column is the payload pick.
    kinds = {exp.Min: "min", exp.Max: "max", exp.Count: "sum"}
    (macro,) = [
        t
        for t in sqlglot.parse(queries.load_sql("state/schema"), read="duckdb")
        if isinstance(t, exp.Create) and t.this.this.name.lower() == "tn_state_rows"
    ]
    agg = next(c for c in macro.find_all(exp.CTE) if c.alias == "agg")
    by_alias = {a.alias: a.this for a in agg.this.expressions if isinstance(a, exp.Alias)}
    for column in CAT.state:
        node = by_alias.get(column.name)
        node = node.this if isinstance(node, exp.Filter) else node
        want = next((k for t, k in kinds.items() if isinstance(node, t)), "pick")
        assert column.merge == want, column.name
