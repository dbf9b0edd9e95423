"""The metrics catalogue (queries/catalogue.toml): every counter and metric defined once.

The SQL loader writes the catalogue's columns where a query asks for them (`expand`):

- `{{ window }}`: the metric window's parameters, passed by name to a state macro
  (`p_since := $since, ...`); `{{ window passed on }}` inside a macro (`p_since := p_since`);
- `{{ counters }}`: each counter aggregated over per-notification facts
  (`CAST(count_if(is_read) AS BIGINT) AS n_read`, `coalesce(max(attempts), 0) AS ...`);
- `{{ merged counters }}`: partial counters combined (`CAST(coalesce(sum(n_read), 0) AS
  BIGINT) AS n_read`, `max(max_attempts) AS max_attempts`);
- `{{ metrics }}`: every metric column in output order, from a relation that has the
  counters and the per-query columns (`n_read / nullif(sent, 0) AS read_rate`, ...);
  `{{ metric names }}` their names on one line (a query's `-- columns:` header);
  `{{ non-additive metrics as NULL }}` the metrics daily roll-ups cannot give, as NULLs;

- `{{ stored state as s_ }}` and `{{ merged state }}`: the state's columns from the stored
  row `s` (`s.read_at AS s_read_at`), and merged with a load's delta (`least(read_at,
  s_read_at) AS read_at`), for state/refresh.sql.

`counters` and `merged counters` take `except a, b` to leave out counters a query computes
its own way. Everything else (labels, formats, docs) reads `METRICS` and `COUNTERS`.
"""

from __future__ import annotations

import re
import sys
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

from template_noise.errors import QueryError

Format = Literal["count", "percent", "seconds", "list"]


@dataclass(frozen=True)
class Counter:
    name: str
    of: str  # a per-notification signal (boolean to count, or number to take the max of)
    merge: Literal["sum", "max"]
    description: str

    def aggregate(self) -> str:
        if self.merge == "max":
            return f"coalesce(max({self.of}), 0) AS {self.name}"
        return f"CAST(count_if({self.of}) AS BIGINT) AS {self.name}"

    def merged(self) -> str:
        if self.merge == "max":
            return f"max({self.name}) AS {self.name}"
        return f"CAST(coalesce(sum({self.name}), 0) AS BIGINT) AS {self.name}"


@dataclass(frozen=True)
class Metric:
    name: str
    label: str
    format: Format
    direction: Literal["up", "down", "none"]
    description: str
    numerator: str | None = None
    denominator: str | None = None
    expression: str | None = None
    column: str | None = None
    only_when: str | None = None
    header: str | None = None
    table: bool = False
    additive: bool = True  # daily roll-ups can give it
    unit: str = ""  # shown after a value: "of sent" (a rate's denominator), "notifications"
    undefined: str = ""  # why the value can be NULL, shown with "—"
    short: str = ""  # a column header for a narrow grid (the label when empty)

    @property
    def is_rate(self) -> bool:
        return self.numerator is not None

    def sql(self) -> str:
        """The metric's column over a relation of counters and per-query columns."""
        if self.numerator is not None and self.denominator is not None:
            value = f"{self.numerator} / nullif({self.denominator}, 0)"
        else:
            value = self.expression or self.column or self.name
        if self.only_when:
            value = f"CASE WHEN {self.only_when} THEN {value} END"
        return value if value == self.name else f"{value} AS {self.name}"


@dataclass(frozen=True)
class StateColumn:
    name: str
    merge: Literal["min", "max", "sum", "pick"]

    def merged(self) -> str:
        """The column after merging a delta row (bare names) into a stored one (s_ names)."""
        x, s = self.name, f"s_{self.name}"
        value = {
            "min": f"least({x}, {s})",  # least and greatest skip NULLs
            "max": f"greatest({x}, {s})",
            "sum": f"{x} + coalesce({s}, 0)",
            "pick": f"CASE WHEN take_delta THEN {x} ELSE {s} END",
        }[self.merge]
        return f"{value} AS {x}"


@dataclass(frozen=True)
class WindowParameter:
    name: str
    description: str


@dataclass(frozen=True)
class FlagText:
    """What a flag says and what to change when it fires (its rule is metrics.FLAGS)."""

    name: str
    label: str
    meaning: str
    fix: str


@dataclass(frozen=True)
class Signal:
    """A value derived from the metrics that a flag condition compares (metrics.signals)."""

    name: str
    label: str
    format: Format


@dataclass(frozen=True)
class Catalogue:
    window: tuple[WindowParameter, ...]
    state: tuple[StateColumn, ...]
    counters: tuple[Counter, ...]
    metrics: tuple[Metric, ...]
    flags: tuple[FlagText, ...] = ()
    signals: tuple[Signal, ...] = ()

    def metric(self, name: str) -> Metric:
        for m in self.metrics:
            if m.name == name:
                return m
        raise KeyError(name)

    def flag(self, name: str) -> FlagText:
        for f in self.flags:
            if f.name == name:
                return f
        raise KeyError(name)

    def _labelled(self, name: str) -> Metric | Signal:
        for m in self.metrics:
            if m.name == name:
                return m
        for x in self.signals:
            if x.name == name:
                return x
        raise KeyError(name)

    def label(self, name: str) -> str:
        """The label of a metric or a derived signal."""
        return self._labelled(name).label

    def format_of(self, name: str) -> Format:
        """The format of a metric or a derived signal."""
        return self._labelled(name).format


def _path() -> Path:
    from template_noise.queries import QUERIES_DIR  # the folder the SQL is read from

    return QUERIES_DIR / "catalogue.toml"


@cache
def load() -> Catalogue:
    """The catalogue, checked: unique names, rates over known counters."""
    path = _path()
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        window = tuple(WindowParameter(**w) for w in raw["window"])
        state = tuple(StateColumn(**s) for s in raw["state"])
        counters = tuple(Counter(**c) for c in raw["counters"])
        metrics = tuple(Metric(**m) for m in raw["metrics"])
        flags = tuple(FlagText(**f) for f in raw.get("flags", []))
        signals = tuple(Signal(**x) for x in raw.get("signals", []))
    except (OSError, tomllib.TOMLDecodeError, KeyError, TypeError) as e:
        raise QueryError(f"{path}: not a valid metrics catalogue: {e}") from e
    known = {c.name for c in counters}
    for m in metrics:
        terms = [m.numerator, m.denominator] if m.is_rate else []
        for term in terms:
            for word in re.findall(r"[a-z_]+", term or ""):
                if word not in known:
                    raise QueryError(f"{path}: {m.name} reads {word!r}, which is no counter")
        if sum(x is not None for x in (m.numerator, m.expression, m.column)) != 1:
            raise QueryError(f"{path}: {m.name} needs one of numerator, expression, column")
    groups = ([c.name for c in counters], [m.name for m in metrics], [f.name for f in flags],
              [*(m.name for m in metrics), *(x.name for x in signals)])  # fmt: skip
    for names in groups:
        if len(set(names)) != len(names):
            raise QueryError(f"{path}: a name is defined twice")
    return Catalogue(window, state, counters, metrics, flags, signals)


def metric_names() -> tuple[str, ...]:
    """Every metric, in output order."""
    return tuple(m.name for m in load().metrics)


# ---- the SQL expansions -------------------------------------------------------------------

_MARKER = re.compile(r"\{\{\s*(?P<what>[^}]*?)\s*\}\}")
_EXCEPT = re.compile(r"^(?P<kind>counters|merged counters)(?:\s+except\s+(?P<names>.+))?$")


def _columns(what: str, source: str) -> list[str]:
    cat = load()
    if what == "window":
        return [f"p_{w.name} := ${w.name}" for w in cat.window]
    if what == "window passed on":
        return [f"p_{w.name} := p_{w.name}" for w in cat.window]
    if what == "metrics":
        return [m.sql() for m in cat.metrics]
    if what == "stored state as s_":
        return [f"s.{c.name} AS s_{c.name}" for c in cat.state]
    if what == "merged state":
        return [c.merged() for c in cat.state]
    if what == "non-additive metrics as NULL":
        types = {"count": "BIGINT", "seconds": "DOUBLE", "percent": "DOUBLE"}
        return [
            f"CAST(NULL AS {types[m.format]}) AS {m.name}" for m in cat.metrics if not m.additive
        ]
    if what == "metric names":
        return [", ".join(m.name for m in cat.metrics)]
    found = _EXCEPT.match(what)
    if not found:
        raise QueryError(f"{source}: unknown catalogue marker {{{{ {what} }}}}")
    left_out = {n.strip() for n in (found["names"] or "").split(",") if n.strip()}
    unknown = left_out - {c.name for c in cat.counters}
    if unknown:
        raise QueryError(f"{source}: {{{{ {what} }}}} leaves out unknown counters {unknown}")
    counters = [c for c in cat.counters if c.name not in left_out]
    if found["kind"] == "counters":
        return [c.aggregate() for c in counters]
    return [c.merged() for c in counters]


def expand(sql: str, source: str) -> str:
    """`sql` with every `{{ marker }}` written out, one column a line at its indentation."""

    def sub(found: re.Match[str]) -> str:
        line_start = sql.rfind("\n", 0, found.start()) + 1
        indent = " " * (found.start() - line_start)
        return (",\n" + indent).join(_columns(found["what"], source))

    return _MARKER.sub(sub, sql)


# ---- docs/metrics.md's table --------------------------------------------------------------

DOCS_BEGIN = "<!-- metrics table: written from queries/catalogue.toml -->"
DOCS_END = "<!-- end of the metrics table -->"


def docs_table() -> str:
    """The Markdown table of every metric, as docs/metrics.md shows it."""
    rows = ["| metric | what it is | shown as |", "|---|---|---|"]
    shown = {"count": "a count", "percent": "a percentage", "seconds": "seconds",
             "list": "a list"}  # fmt: skip
    for m in load().metrics:
        rows.append(f"| `{m.name}` | {m.description} | {shown[m.format]} |")
    return "\n".join(rows)


def with_docs_table(doc: str) -> str:
    """docs/metrics.md with its metrics table rewritten from the catalogue."""
    start, end = doc.find(DOCS_BEGIN), doc.find(DOCS_END)
    if start < 0 or end < start:
        raise QueryError(f"docs/metrics.md has no {DOCS_BEGIN} ... {DOCS_END} section")
    return doc[: start + len(DOCS_BEGIN)] + "\n" + docs_table() + "\n" + doc[end:]


def main(argv: list[str] | None = None) -> int:
    """`python -m template_noise.catalogue --docs`, in a checkout: rewrite docs/metrics.md's
    metrics table and queries/README.md (the index of the queries) from their sources."""
    from template_noise import queries

    args = sys.argv[1:] if argv is None else argv
    if args != ["--docs"]:
        print("usage: python -m template_noise.catalogue --docs")
        return 2
    doc = Path("docs/metrics.md")
    doc.write_text(with_docs_table(doc.read_text(encoding="utf-8")), encoding="utf-8")
    index = queries.QUERIES_DIR / "README.md"
    index.write_text(queries.index_markdown(), encoding="utf-8")
    print(f"{doc}: metrics table written from the catalogue; {index}: the index of the queries")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
