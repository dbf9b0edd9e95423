"""The DuckDB -> Spark SQL step (template_noise.spark.sql) without Spark: binding, macro
inlining, the rewrites and the refusals. Needs only sqlglot."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

pytest.importorskip("sqlglot")

import sqlglot
from sqlglot import exp
from template_noise.config import load_config
from template_noise.errors import QueryError
from template_noise.filters import Filters
from template_noise.metrics import query_params
from template_noise.queries import names
from template_noise.spark.sql import (
    _refuse,
    _rewrite,
    bind,
    inline_macros,
    literal,
    macros,
    runs_on_spark,
    spark_sql,
    tables_read,
)


def params(**extra: Any) -> dict[str, Any]:
    return {**query_params(Filters(), load_config(None)), "unit": "day", "limit": 5,
            "template": "t", "total_distinct": True, "quantiles": True, **extra}  # fmt: skip


def to_spark(duckdb_sql: str) -> str:
    tree = sqlglot.parse_one(duckdb_sql, read="duckdb").transform(_rewrite)
    return tree.sql(dialect="spark")


@pytest.mark.parametrize("name", names())
def test_every_query_over_events_transpiles(name: str) -> None:
    if runs_on_spark(name):
        sql = spark_sql(name, params())
        tree = sqlglot.parse_one(sql, read="spark")  # well-formed Spark SQL
        assert not list(tree.find_all(exp.Placeholder))  # every $param bound
        called = {f.name.lower() for f in tree.find_all(exp.Anonymous)}
        assert not called & set(macros())  # every macro inlined
    else:
        with pytest.raises(QueryError):
            spark_sql(name, params())


def test_what_stays_on_duckdb_is_bookkeeping_or_declared() -> None:
    for name in names():
        if runs_on_spark(name):
            assert tables_read(name) == {"events"}
    assert not runs_on_spark("store/data_fingerprint")  # DuckDB's hash(): the sign-off fingerprint
    assert not runs_on_spark("dashboard/rejects")  # rejects live in the DuckDB database


def test_the_macros_are_read_from_their_files() -> None:
    m = macros()
    assert {"tn_as_of", "tn_notifications", "tn_notification_facts", "tn_metrics"} <= set(m)
    assert "tn_state_rows" in m  # from state/store/schema.sql
    assert m["tn_metrics"].is_table and not m["tn_as_of"].is_table
    assert m["tn_as_of"].params == ("p_as_of",)


def test_macros_inline_with_arguments_and_unique_cte_names() -> None:
    tree = sqlglot.parse_one(
        "SELECT * FROM tn_notifications(NULL, 90) a JOIN tn_notifications(NULL, 30) b USING (x)",
        read="duckdb",
    )
    out = inline_macros(tree)
    names = [c.alias for c in out.find_all(exp.CTE)]
    assert len(names) == len(set(names)) >= 2  # each inlined body's CTEs named apart
    sql = out.sql(dialect="duckdb")
    assert "p_default_expiry_days" not in sql and "p_as_of" not in sql
    assert "tn_as_of" not in sql.lower()


@pytest.mark.parametrize(
    ("value", "spark"),
    [
        (None, "NULL"),
        (True, "TRUE"),
        (7, "7"),
        (0.25, "0.25"),
        ("it's", "'it\\'s'"),
        ("a\\b", "'a\\\\b'"),
        (datetime(2026, 10, 1, 9, 30), "CAST('2026-10-01 09:30:00' AS TIMESTAMP_NTZ)"),
        (["warning"], "CAST(ARRAY('warning') AS ARRAY<STRING>)"),
        ([], "CAST(ARRAY() AS ARRAY<STRING>)"),
    ],
)
def test_parameters_bind_as_literal_nodes(value: Any, spark: str) -> None:
    assert literal(value).sql(dialect="spark") == spark


def test_binding_refuses_what_it_cannot_type() -> None:
    for bad in (float("nan"), {"a": 1}, [1, 2], datetime(2026, 1, 1).astimezone()):
        with pytest.raises(QueryError):
            literal(bad)
    tree = sqlglot.parse_one("SELECT $missing", read="duckdb")
    with pytest.raises(QueryError, match="missing"):
        bind(tree, {}, "q")


def test_an_injected_string_stays_one_literal() -> None:
    tree = bind(sqlglot.parse_one("SELECT 1 WHERE t = $s", read="duckdb"),
                {"s": "x' OR '1'='1"}, "q")  # fmt: skip
    back = sqlglot.parse_one(tree.sql(dialect="spark"), read="spark")
    literals = [lit.this for lit in back.find_all(exp.Literal) if lit.is_string]
    assert literals == ["x' OR '1'='1"]


@pytest.mark.parametrize(
    ("duckdb_sql", "spark_sql_"),
    [
        ("hash(a, b)", "XXHASH64(a, b)"),
        ("to_days(CAST(n AS INTEGER))", "(INTERVAL '1' DAY * (CAST(n AS INT)))"),
        ("to_minutes(n)", "(INTERVAL '1' MINUTE * (n))"),
        ("to_microseconds(n)", "(INTERVAL '0.000001' SECOND * (n))"),
        ("quantile_cont(x, 0.95)", "PERCENTILE(x, 0.95)"),
        ("len(CAST(p AS VARCHAR[]))", "SIZE(CAST(p AS ARRAY<STRING>))"),
        ("len(s)", "LENGTH(s)"),
        ("l[1:10]", "SLICE(l, 1, 10)"),
        (
            "WITH e AS NOT MATERIALIZED (SELECT 1 AS a) SELECT a FROM e",
            "WITH e AS (SELECT 1 AS a) SELECT a FROM e",
        ),
        ("'-infinity'::TIMESTAMP", "CAST('0001-01-01 00:00:00' AS TIMESTAMP_NTZ)"),
        (
            "list(x ORDER BY a, b) FILTER (c)",
            "TRANSFORM(ARRAY_SORT(COLLECT_LIST(STRUCT(a AS k0, b AS k1, x AS v)) FILTER(WHERE c)), s -> s.v)",
        ),
    ],
)
def test_rewrites(duckdb_sql: str, spark_sql_: str) -> None:
    assert to_spark(duckdb_sql) == spark_sql_


@pytest.mark.parametrize(
    "duckdb_sql",
    [
        "SELECT epoch(a - b)",
        "SELECT time_bucket(INTERVAL 1 DAY, t)",
        "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY x)",
        "SELECT lag(x, 1, 0) OVER (ORDER BY y)",
    ],
)
def test_silent_mistranslations_are_refused(duckdb_sql: str) -> None:
    with pytest.raises(QueryError, match="not portable"):
        _refuse(sqlglot.parse_one(duckdb_sql, read="duckdb"), "q")


def test_the_ingest_maintained_state_is_never_read_on_spark() -> None:
    # notification_state exists only in a DuckDB database: on Spark the gate is false and
    # its union branch is dropped, so the metrics aggregate `events` (same definition).
    sql = spark_sql("metrics/per_template", params())
    assert "notification_state" not in sql.lower()
    assert "by name" not in sql.lower()
