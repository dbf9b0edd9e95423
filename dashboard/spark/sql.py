"""queries/*.sql (DuckDB dialect) as Spark SQL: one source of truth, transpiled with sqlglot.

The DuckDB engine runs the files as they are. For Spark, `spark_sql(name, params)`:

1. parses queries/<name>.sql and queries/metrics/macros.sql with sqlglot (read="duckdb");
2. binds every `$param` as a typed literal node (never by formatting text): NULL, a
   number, a string, a boolean, `CAST('...' AS TIMESTAMP)` for a datetime, an array for a
   list of strings;
3. inlines the macros: a table macro call `FROM tn_metrics(...)` becomes a subquery of the
   macro's body, a scalar macro call `tn_as_of(...)` its parenthesised body, with the
   macro's `p_` parameters replaced by the call's arguments (recursively);
4. fixes what sqlglot translates wrongly or not at all for Spark (REWRITES below), and
   refuses the constructs it mistranslates silently when no exact rewrite exists
   (REFUSED): those must be written portably in queries/ instead;
5. generates Spark SQL (write="spark").

Only sqlglot is imported here (no pyspark), so this step is unit-testable on its own.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Any

import sqlglot
from sqlglot import exp
from template_noise.errors import QueryError
from template_noise.queries import load_sql

# Where the macros live: tn_state_rows (persistent, beside the tables it fills) and the
# metric macros. Other statements of these files (tables, stamps) are skipped.
MACRO_FILES = ("state/schema", "metrics/macros")

# What the macros read that exists only in a DuckDB database maintained by `ingest`: the
# per-notification state table. On Spark it is never fresh, so the macros aggregate
# `events` themselves (the same definition, tn_state_rows), and the union branch reading
# the table is dropped (see _prune_dead_union).
SPARK_MACRO_VALUES: dict[str, exp.Expr] = {"tn_state_fresh": exp.false()}

# Timestamps the tool accepts lie in 1970..2199 (ingest rejects the rest), so these stand
# in for DuckDB's '-infinity' / 'infinity', which Spark cannot cast.
_MIN_TS = "0001-01-01 00:00:00"
_MAX_TS = "9999-12-31 23:59:59.999999"


@dataclass(frozen=True)
class Macro:
    name: str
    params: tuple[str, ...]
    body: exp.Expr
    is_table: bool


@cache
def macros() -> dict[str, Macro]:
    """The macros of MACRO_FILES, by lower-case name."""
    out: dict[str, Macro] = {}
    for file in MACRO_FILES:
        for stmt in _parse(file):
            if not (isinstance(stmt, exp.Create) and str(stmt.args.get("kind")).upper() == "MACRO"):
                continue
            udf = stmt.this
            name = udf.this.name.lower()
            params = tuple(p.name for p in udf.expressions)
            body = stmt.expression
            out[name] = Macro(name, params, body, isinstance(body, exp.Query))
    if "tn_metrics" not in out:
        raise QueryError(f"no tn_metrics macro in {', '.join(MACRO_FILES)}")
    return out


@cache
def _parse(name: str) -> tuple[exp.Expr, ...]:
    try:
        return tuple(s for s in sqlglot.parse(load_sql(name), read="duckdb") if s is not None)
    except sqlglot.errors.ParseError as e:
        raise QueryError(f"{name}.sql: sqlglot cannot parse it: {e}") from e


# --- 2. parameters as literal nodes -----------------------------------------------------


def literal(value: Any) -> exp.Expr:
    """A sqlglot literal node for a bound parameter value (the value never becomes SQL text
    by string formatting: the generator quotes and escapes it)."""
    if value is None:
        return exp.Null()
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if isinstance(value, int):
        return exp.Literal.number(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise QueryError(f"cannot bind a non-finite number: {value!r}")
        return exp.Literal.number(repr(value))
    if isinstance(value, str):
        return exp.Literal.string(value)
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            raise QueryError("bind timestamps as naive UTC (events store naive UTC)")
        return exp.cast(
            exp.Literal.string(value.isoformat(sep=" ")), exp.DataType.Type.TIMESTAMPNTZ
        )
    if isinstance(value, date):
        return exp.cast(exp.Literal.string(value.isoformat()), exp.DataType.Type.DATE)
    if isinstance(value, list | tuple):
        if not all(isinstance(v, str) for v in value):
            raise QueryError("only lists of strings can be bound")
        return exp.cast(
            exp.Array(expressions=[exp.Literal.string(v) for v in value]),
            exp.DataType.build("ARRAY<VARCHAR>"),
        )
    raise QueryError(f"cannot bind a value of type {type(value).__name__}")


def bind(tree: exp.Expr, params: dict[str, Any], name: str) -> exp.Expr:
    """Replace every $param of the tree by the literal of its value."""

    def sub(node: exp.Expr) -> exp.Expr:
        if isinstance(node, exp.Placeholder) and node.name:
            if node.name not in params:
                raise QueryError(f"{name}.sql: missing parameters ['{node.name}']")
            return literal(params[node.name])
        return node

    return tree.transform(sub)


# --- 3. macros inlined ------------------------------------------------------------------


def _arguments(macro: Macro, args: list[exp.Expr]) -> dict[str, exp.Expr]:
    """The call's arguments by parameter name: positional ones first, then `p_x := value`
    (queries pass the metric window by name, so no two can swap silently)."""
    values: dict[str, exp.Expr] = {}
    for i, arg in enumerate(args):
        if isinstance(arg, exp.PropertyEQ):
            name = arg.this.name
            if name not in macro.params or name in values:
                raise QueryError(f"{macro.name}: unknown or repeated argument {name}")
            values[name] = arg.expression
        elif values.keys() - set(macro.params[:i]) or i >= len(macro.params):
            raise QueryError(f"{macro.name}: a positional argument after a named one")
        else:
            values[macro.params[i]] = arg
    if len(values) != len(macro.params):
        missing = [p for p in macro.params if p not in values]
        raise QueryError(f"{macro.name}: arguments missing: {', '.join(missing)}")
    return values


def _substitute(body: exp.Expr, macro: Macro, args: list[exp.Expr], prefix: str = "") -> exp.Expr:
    """The macro's body with its parameters replaced by `args`; with a prefix, its CTEs
    renamed `<prefix>__<name>` (sqlglot hoists nested CTEs to the top for Spark, so two
    inlined bodies must not share a CTE name)."""
    values = _arguments(macro, args)
    with_ = body.args.get("with_") or body.args.get("with")
    ctes = {c.alias: f"{prefix}__{c.alias}" for c in with_.expressions} if with_ and prefix else {}

    def sub(node: exp.Expr) -> exp.Expr:
        # Macro parameters are p_-prefixed bare names, never qualified columns.
        if isinstance(node, exp.Column) and not node.table and node.name in values:
            return values[node.name].copy()
        if isinstance(node, exp.CTE) and node.alias in ctes:
            node.set("alias", exp.TableAlias(this=exp.to_identifier(ctes[node.alias])))
        if isinstance(node, exp.Table) and not node.db and node.name in ctes:
            renamed = exp.to_table(ctes[node.name])
            # Keep how the body refers to it (`FROM w`, columns `w.x`): alias to the old name.
            renamed.set("alias", exp.TableAlias(this=exp.to_identifier(node.alias or node.name)))
            return renamed
        return node

    return body.copy().transform(sub)


def inline_macros(tree: exp.Expr, for_spark: bool = True) -> exp.Expr:
    """Expand every macro call until none is left (macros may call macros); for Spark,
    the macros of SPARK_MACRO_VALUES become their constant and dead union branches go."""
    known = macros()
    inlined = itertools.count(1)

    def call(node: exp.Expr) -> tuple[Macro, list[exp.Expr]] | None:
        if isinstance(node, exp.Anonymous) and node.name.lower() in known:
            return known[node.name.lower()], list(node.expressions)
        return None

    def sub(node: exp.Expr) -> exp.Expr:
        if isinstance(node, exp.Table) and isinstance(node.this, exp.Anonymous):
            found = call(node.this)
            if found:
                macro, args = found
                if not macro.is_table:
                    raise QueryError(f"{macro.name} is a scalar macro used as a table")
                alias = node.alias or macro.name
                return exp.Subquery(
                    this=_substitute(macro.body, macro, args, f"{macro.name}_{next(inlined)}"),
                    alias=exp.TableAlias(this=exp.to_identifier(alias)),
                )
        if (
            for_spark
            and isinstance(node, exp.Anonymous)
            and node.name.lower() in SPARK_MACRO_VALUES
        ):
            return SPARK_MACRO_VALUES[node.name.lower()].copy()
        found = call(node)
        if found:
            macro, args = found
            if macro.is_table:
                raise QueryError(f"{macro.name} is a table macro used as a value")
            return exp.Paren(this=_substitute(macro.body, macro, args))
        return node

    for _ in range(20):  # macros nest a few levels deep; a cycle would never end
        before = tree.sql(dialect="duckdb")
        tree = tree.transform(sub)
        if for_spark:
            tree = tree.transform(_prune_dead_union)
        if tree.sql(dialect="duckdb") == before:
            return tree
    raise QueryError("macros nest too deep (a cycle?)")


def _is_false(node: exp.Expr | None) -> bool:
    while isinstance(node, exp.Paren):
        node = node.this
    return isinstance(node, exp.Boolean) and not node.this


def _prune_dead_union(node: exp.Expr) -> exp.Expr:
    """`SELECT ... WHERE false UNION ALL [BY NAME] q` -> q (Spark has no UNION BY NAME)."""
    if isinstance(node, exp.Union) and not node.args.get("distinct"):
        left, right = node.this, node.expression
        where = left.args.get("where") if isinstance(left, exp.Select) else None
        if where is not None and _is_false(where.this):
            out: exp.Expr = right.copy()
            if node.args.get("with_"):
                out.set("with_", node.args["with_"].copy())
            return out
    return node


# --- 4. what sqlglot gets wrong for Spark ------------------------------------------------


def _interval_times(unit: str, n: exp.Expr) -> exp.Expr:
    # Spark's ANSI interval times a number is exact (an integer number of microseconds).
    step = exp.Interval(this=exp.Literal.string("0.000001" if unit == "SECOND" else "1"),
                        unit=exp.var(unit))  # fmt: skip
    return exp.Paren(this=exp.Mul(this=step, expression=exp.Paren(this=n.copy())))


def _json_type(node: exp.JSONType) -> exp.Expr:
    """DuckDB's json_type over the JSON text the ingest wrote (always valid JSON)."""
    x = node.this
    text = exp.func("ltrim", x.copy())

    def starts(prefix: str) -> exp.Expr:
        return exp.func("startswith", text.copy(), exp.Literal.string(prefix))

    def rlike(pattern: str) -> exp.Expr:
        return exp.RegexpLike(this=text.copy(), expression=exp.Literal.string(pattern))

    return exp.Case(
        ifs=[
            exp.If(this=exp.Is(this=x.copy(), expression=exp.Null()), true=exp.Null()),
            exp.If(this=starts("{"), true=exp.Literal.string("OBJECT")),
            exp.If(this=starts("["), true=exp.Literal.string("ARRAY")),
            exp.If(this=starts('"'), true=exp.Literal.string("VARCHAR")),
            exp.If(this=starts("t"), true=exp.Literal.string("BOOLEAN")),
            exp.If(this=starts("f"), true=exp.Literal.string("BOOLEAN")),
            exp.If(this=starts("n"), true=exp.Literal.string("NULL")),
            exp.If(this=rlike(r"^[0-9]+\s*$"), true=exp.Literal.string("UBIGINT")),
            exp.If(this=rlike(r"^-[0-9]+\s*$"), true=exp.Literal.string("BIGINT")),
        ],
        default=exp.Literal.string("DOUBLE"),
    )


def _is_list(node: exp.Expr) -> bool:
    if isinstance(node, exp.Cast):
        return node.to.is_type(exp.DataType.Type.ARRAY)
    return isinstance(node, exp.JSONKeys | exp.ArrayAgg | exp.Array | exp.ArraySort)


def _ordered_list(node: exp.ArrayAgg, where: exp.Expr | None = None) -> exp.Expr:
    """list(x ORDER BY k...) [FILTER (c)] ->
    transform(array_sort(collect_list(struct(k..., x)) [FILTER (c)]), s -> s.v):
    sqlglot drops the ORDER BY, and Spark's collect_list has no order."""
    order = node.this
    keys = order.expressions
    if any(o.args.get("desc") for o in keys):
        raise QueryError("list(... ORDER BY ... DESC) has no Spark rewrite here")
    fields = [exp.alias_(o.this.copy(), f"k{i}") for i, o in enumerate(keys)]
    fields.append(exp.alias_(order.this.copy(), "v"))
    agg: exp.Expr = exp.ArrayAgg(this=exp.Struct(expressions=fields))
    if where is not None:
        agg = exp.Filter(this=agg, expression=where.copy())
    s = exp.to_identifier("s")
    return exp.func(
        "transform",
        exp.func("array_sort", agg),
        exp.Lambda(this=exp.Dot(this=exp.column("s"), expression=exp.to_identifier("v")),
                   expressions=[s]),
    )  # fmt: skip


def _rewrite(node: exp.Expr) -> exp.Expr:
    """One node, DuckDB meaning -> a Spark expression with the same result."""
    if isinstance(node, exp.CTE) and node.args.get("materialized") is not None:
        # `AS [NOT] MATERIALIZED` only guides DuckDB's planner; Spark has no such syntax.
        cte = node.copy()
        cte.set("materialized", None)
        return cte
    if isinstance(node, exp.Anonymous) and node.name.lower() == "hash":
        # Only ever used as a grouping/partition key or for equality: a 64-bit hash keeps
        # collisions as rare as DuckDB's (Spark's hash() is 32-bit).
        return exp.func("xxhash64", *[e.copy() for e in node.expressions])
    if isinstance(node, exp.Anonymous) and node.name.lower() == "epoch_us":
        # Microseconds since the epoch of a naive UTC timestamp (the session is in UTC).
        return exp.func("unix_micros", node.expressions[0].copy())
    if isinstance(node, exp.ToDays):
        return _interval_times("DAY", node.this)
    if isinstance(node, exp.Anonymous) and node.name.lower() in ("to_minutes", "to_microseconds"):
        unit = "MINUTE" if node.name.lower() == "to_minutes" else "SECOND"
        return _interval_times(unit, node.expressions[0])
    if isinstance(node, exp.JSONType):
        return _json_type(node)
    if (
        isinstance(node, exp.Cast)
        and isinstance(node.this, exp.Literal)
        and node.this.is_string
        and node.this.name in ("-infinity", "infinity")
    ):
        bound = _MIN_TS if node.this.name == "-infinity" else _MAX_TS
        return exp.cast(exp.Literal.string(bound), node.to.copy())
    if isinstance(node, exp.Length) and _is_list(node.this):
        return exp.ArraySize(this=node.this.copy())
    if (
        isinstance(node, exp.Filter)
        and isinstance(node.this, exp.ArrayAgg)
        and isinstance(node.this.this, exp.Order)
    ):
        return _ordered_list(node.this, node.expression)
    if isinstance(node, exp.ArrayAgg) and isinstance(node.this, exp.Order):
        return _ordered_list(node)
    if isinstance(node, exp.PercentileCont) and node.expression is not None:
        # DuckDB quantile_cont(x, q): exact, linear interpolation at (n - 1) * q; Spark's
        # percentile(x, q) is the same (sqlglot emits a PERCENTILE_CONT(x, q) Spark lacks).
        return exp.func("percentile", node.this.copy(), node.expression.copy())
    if isinstance(node, exp.Bracket) and len(node.expressions) == 1:
        s = node.expressions[0]
        if isinstance(s, exp.Slice):
            # DuckDB list[a:b] is 1-based and inclusive; Spark: slice(list, a, length).
            start, end = s.this, s.expression
            if not (isinstance(start, exp.Literal) and isinstance(end, exp.Literal)):
                raise QueryError("list slices need literal bounds for Spark")
            length = int(end.name) - int(start.name) + 1
            return exp.func("slice", node.this.copy(), start.copy(), exp.Literal.number(length))
    return node


# Constructs sqlglot mistranslates for Spark without an exact rewrite: write them portably.
REFUSED: dict[type[exp.Expr], str] = {
    exp.TimeToUnix: "epoch(...): write date_diff('microsecond', a, b) / 1e6",
    exp.DateBin: "time_bucket(...): write date_trunc(unit, t)",
    exp.WithinGroup: "percentile_cont(q) WITHIN GROUP: write quantile_cont(x, q)",
}


def _refuse(tree: exp.Expr, name: str) -> None:
    for node in tree.walk():
        for kind, advice in REFUSED.items():
            if isinstance(node, kind):
                raise QueryError(f"{name}.sql: not portable to Spark: {advice}")
        if isinstance(node, exp.Lag | exp.Lead) and node.args.get("default") is not None:
            raise QueryError(f"{name}.sql: not portable to Spark: lag/lead with a default")


REWRITES: tuple[Callable[[exp.Expr], exp.Expr], ...] = (_rewrite,)


# --- 5. the whole step -------------------------------------------------------------------

# Queries that read only `events` but stay DuckDB-only, and why.
DUCKDB_ONLY: dict[str, str] = {
    "store/data_fingerprint": "a sign-off fingerprint of the DuckDB database (DuckDB's hash())",
    "dashboard/template_examples": (
        "finds the example rows by DuckDB's rowid (no such column on Spark)"
    ),
    "ingest/load_sizes": "bookkeeping of a load in progress (only DuckDB ingests)",
    "dashboard/template_duplicate_pairs": (
        "a dashboard drill-down reading the payload as sent by notification id"
    ),
    "dashboard/template_dedup_keys": "json_each over the metadata as sent (DuckDB's)",
    "whatif/notifications": "the what-if replay runs on DuckDB (`simulate` has no Spark engine)",
    "whatif/repeat_gaps": "the what-if suggestions run on DuckDB (`simulate` has no Spark engine)",
    "ingest/templates_earlier": "bookkeeping of a load in progress (only DuckDB ingests)",
    "ingest/fingerprints_pending": "bookkeeping of a load in progress (only DuckDB ingests)",
    "dashboard/template_list": (
        "`template-noise templates` reads the DuckDB database only (no --engine spark)"
    ),
}


@cache
def tables_read(name: str) -> frozenset[str]:
    """The stored tables queries/<name>.sql reads (CTEs and macros resolved)."""
    out: set[str] = set()
    for stmt in _parse(name):
        tree = inline_macros(stmt.copy())
        ctes = {c.alias_or_name for c in tree.find_all(exp.CTE)}
        for t in tree.find_all(exp.Table):
            if isinstance(t.this, exp.Identifier) and t.name not in ctes:
                out.add(t.name)
    return frozenset(out)


def runs_on_spark(name: str) -> bool:
    """True when queries/<name>.sql is one SELECT over `events` alone (Spark has no other
    table: loads, rejects, sign-offs and meta live in the DuckDB database)."""
    stmts = _parse(name)
    return (
        name not in DUCKDB_ONLY
        and len(stmts) == 1
        and isinstance(stmts[0], exp.Select | exp.Union)
        and tables_read(name) == {"events"}  # not files (read_parquet), not other tables
    )


def _rename_events(tree: exp.Expr, table: str) -> exp.Expr:
    def sub(node: exp.Expr) -> exp.Expr:
        if isinstance(node, exp.Table) and not node.db and node.name == "events":
            renamed = exp.to_table(table)
            renamed.set("alias", exp.TableAlias(this=exp.to_identifier(node.alias or "events")))
            return renamed
        return node

    return tree.transform(sub)


def spark_sql(name: str, params: dict[str, Any], events_table: str = "events") -> str:
    """queries/<name>.sql as one Spark SQL statement, parameters bound as literals, reading
    `events` from `events_table` (a temp view name: one per engine in a shared session)."""
    if name in DUCKDB_ONLY:
        raise QueryError(f"{name}.sql runs on DuckDB only: {DUCKDB_ONLY[name]}")
    stmts = _parse(name)
    if len(stmts) != 1 or not isinstance(stmts[0], exp.Query):
        raise QueryError(f"{name}.sql: only single-SELECT queries run on Spark")
    other = tables_read(name) - {"events"}
    if other:
        raise QueryError(f"{name}.sql reads {sorted(other)}: only `events` exists on Spark")
    if not runs_on_spark(name):
        raise QueryError(f"{name}.sql does not read `events`: it runs on DuckDB only")
    tree = bind(stmts[0].copy(), params, name)
    tree = inline_macros(tree)
    if events_table != "events":
        tree = _rename_events(tree, events_table)
    _refuse(tree, name)
    # transform() does not revisit a replacement's children: repeat until nothing changes
    # (every rewrite's output is stable under the rules).
    for _ in range(10):
        before = tree.sql(dialect="duckdb")
        for rule in REWRITES:
            tree = tree.transform(rule)
        if tree.sql(dialect="duckdb") == before:
            break
    try:
        return tree.sql(dialect="spark", comments=False)
    except sqlglot.errors.SqlglotError as e:
        raise QueryError(f"{name}.sql: cannot write it as Spark SQL: {e}") from e
