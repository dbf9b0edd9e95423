"""Hostile input without a browser: SQL text in data and in every filter is bound, never run;
CSV for spreadsheets neutralises formulas; server paths stay under the data directory; the
server binds to loopback; untrusted text in Markdown elements is literal.

Every suite records how many inputs it tried in test-artifacts/security_counts.json.
"""

from __future__ import annotations

import csv
import io
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import hostile
import pandas as pd
import pytest
from events_fixture import load, sent, write_jsonl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from template_noise import metrics, series, signoff
from template_noise.app import urlstate
from template_noise.app.datadir import resolve_under
from template_noise.config import load_config
from template_noise.errors import InputError
from template_noise.filters import Filters
from template_noise.metrics_report import csv_cell, render_csv

CFG = load_config()
TABLES = ("events", "rejects", "loads", "signoffs", "meta")
PROBE_FILES = (Path("/tmp/tn-evil.duckdb"), Path("/tmp/tn-leak.csv"))


@pytest.fixture(scope="module")
def con(tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    """Every hostile string as a template, title, body, severity, recipient, metadata, error
    and connection id; one sign-off so that a DELETE FROM signoffs would show."""
    c = load(tmp_path_factory.mktemp("hostile"), hostile.hostile_log())
    signoff.record(c, name="Ada", role="owner", result={"status": "pass", "items": []})
    yield c
    c.close()


def _state(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Row counts of every table, and the tables that exist: a DROP, DELETE or ATTACH that
    ran would change them."""
    tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    assert set(TABLES) <= tables, tables
    state = {t: con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in TABLES}  # type: ignore[index]
    state["databases"] = len(con.execute("SELECT * FROM duckdb_databases()").fetchall())
    return state


def _no_probe_files() -> None:
    for f in PROBE_FILES:
        assert not f.exists(), f"{f} was written: SQL from the data ran"


# ---- SQL in the data and in the filters is bound -------------------------------------------


def test_hostile_template_names_come_back_exactly(con: duckdb.DuckDBPyConnection) -> None:
    ranking = metrics.compute_metrics(con, Filters(), CFG)
    assert set(ranking["template"]) == set(hostile.ALL)
    examples = series.template_examples(con, Filters(), CFG, hostile.SQL[0], 5)
    assert examples["title"].tolist() == [hostile.SQL[0]]
    hostile.record("core_data", hostile_strings_in_every_field=len(hostile.ALL))


def test_hostile_filter_values_are_bound(con: duckdb.DuckDBPyConnection) -> None:
    before = _state(con)
    names = set(hostile.ALL)
    tried = 0
    for s in hostile.ALL:
        # The search is a literal substring: `%' OR 1=1 --` finds only what contains it.
        found = set(metrics.compute_metrics(con, Filters(template_search=s), CFG)["template"])
        assert found == {t for t in names if s.lower() in t.lower()}, s
        # A severity or scope that matches nothing selects nothing (and runs nothing).
        by_severity = metrics.compute_metrics(con, Filters(severities=(s,)), CFG)
        assert set(by_severity["template"]) <= {s}, s
        assert metrics.compute_metrics(con, Filters(scopes=(s,)), CFG).empty
        overall = metrics.overall_metrics(con, Filters(template_search=s), CFG)
        assert overall["sent"] == len(found)
        tried += 4
    assert _state(con) == before
    _no_probe_files()
    hostile.record("core_filters", hostile_filter_values=tried)


SERIES_WITH_TEMPLATE = (
    series.template_over_time, series.template_keysets, series.template_breakdown,
    series.template_examples, series.template_recipients,
)  # fmt: skip


def test_hostile_template_parameter_of_every_series(con: duckdb.DuckDBPyConnection) -> None:
    before = _state(con)
    tried = 0
    for s in hostile.ALL:
        f = Filters(template_search=s, severities=(s, "info"), scopes=("user",))
        for fn in SERIES_WITH_TEMPLATE:
            args: tuple[Any, ...] = ("day",) if fn is series.template_over_time else ()
            fn(con, f, CFG, s, *args)
            tried += 1
        recipients = series.template_recipients(con, Filters(), CFG, s)
        assert recipients["recipient"].tolist() == [s]
        for fn2 in (series.volume_over_time, series.delivery_over_time, series.stream_over_time):
            fn2(con, f, CFG, "hour")
            tried += 1
        for fn3 in (series.attempts, series.delivery_latency, series.stream_outages):
            fn3(con, f, CFG)
            tried += 1
    assert _state(con) == before
    _no_probe_files()
    hostile.record("core_series", hostile_series_calls=tried)


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    text=st.one_of(
        st.text(max_size=40),
        st.sampled_from(hostile.ALL),
        st.builds(
            lambda a, b: a + b,
            st.sampled_from(["'", '"', ";", "--", "/*", "%", "_", "\\", "$", "?"]),
            st.text(alphabet="'\";-%_()=*/ ORDROPTABLEvents$?1", max_size=30),
        ),
    )
)
def test_generated_filter_text_is_bound(con: duckdb.DuckDBPyConnection, text: str) -> None:
    before = _state(con)
    found = set(metrics.compute_metrics(con, Filters(template_search=text), CFG)["template"])
    assert found == {t for t in hostile.ALL if text.lower() in t.lower()}
    series.template_examples(con, Filters(severities=(text,), scopes=(text,)), CFG, text, 3)
    parsed = urlstate.filters_from_query(
        {k: text for k in ("since", "until", "severity", "scope", "q", "dedup")}
    )
    metrics.compute_metrics(con, parsed.filters, CFG)
    assert _state(con) == before
    _GENERATED.append(text)


_GENERATED: list[str] = []


def test_generated_counts_are_recorded() -> None:
    # Runs after the property test in file order; records how many examples it tried.
    hostile.record("core_hypothesis", generated_filter_texts=len(_GENERATED))
    _no_probe_files()


def test_url_parameters_never_raise() -> None:
    tried = 0
    for s in hostile.ALL:
        for key in urlstate.FILTER_KEYS:
            parsed = urlstate.filters_from_query({key: s})
            tried += 1
            if key == "q":
                assert parsed.filters.template_search == s.strip()[: urlstate.MAX_SEARCH]
    hostile.record("url_parsing", hostile_url_parameters=tried)


# ---- CSV for spreadsheets ------------------------------------------------------------------


def test_csv_cells_neutralise_formulas_and_keep_numbers() -> None:
    for s in hostile.FORMULA:
        assert csv_cell(s) == "'" + s
    assert csv_cell("plain =text") == "plain =text"
    assert csv_cell(-3) == -3 and csv_cell(-0.25) == -0.25 and csv_cell(0) == 0
    assert csv_cell(["=a", "b"]) == "'=a;b"
    assert csv_cell(["a", "=b"]) == "a;=b"  # one cell; it does not start with a formula
    assert csv_cell(True) == "true" and csv_cell(None) == "" and csv_cell(float("nan")) == ""
    frame = pd.DataFrame({"template": list(hostile.FORMULA), "delta": [-1, -2.5, 3, 0, -7, 1e-9]})
    rows = list(csv.reader(io.StringIO(render_csv(frame), newline="")))
    assert rows[0] == ["template", "delta"]
    for (cell, number), s in zip(rows[1:], hostile.FORMULA, strict=True):
        assert cell == "'" + s
        float(number)  # still a number, negative or not
    assert [r[1] for r in rows[1:3]] == ["-1.0", "-2.5"]
    hostile.record("csv_cells", formula_cells=len(hostile.FORMULA) + 4, numeric_cells=6)


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "template_noise.cli", *args], capture_output=True, timeout=300
    )
    # Decoded without newline translation: a CR inside a quoted CSV field must stay a CR.
    return subprocess.CompletedProcess(
        done.args, done.returncode, done.stdout.decode(), done.stderr.decode()
    )


def test_metrics_csv_from_a_hostile_log(tmp_path: Path) -> None:
    log = write_jsonl(tmp_path / "hostile.jsonl", hostile.hostile_log())
    done = _cli("metrics", str(log), "--format", "csv")
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout, newline="")))
    assert len(rows) == len(hostile.ALL)
    checked = 0
    for row in rows:
        for cell in row.values():
            if cell.startswith(("=", "+", "-", "@", "\t", "\r")):
                float(cell)  # only a number may start so (none is negative here anyway)
            checked += 1
        template = row["template"]
        if template in hostile.ALL:  # as it is: not formula-like (or it starts with a quote)
            assert not template.startswith(("=", "+", "-", "@", "\t", "\r"))
        else:
            assert template.startswith("'") and template[1:] in hostile.FORMULA
        assert float(row["sent"]) == 1 and float(row["read_rate"]) == 1.0
    hostile.record("csv_cli", csv_cells_checked=checked)


# ---- server paths stay under the data directory ---------------------------------------------


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    root = tmp_path / "data"
    (root / "logs" / "nested").mkdir(parents=True)
    write_jsonl(root / "logs" / "a.jsonl", [sent("a", 0)])
    write_jsonl(root / "logs" / "nested" / "b.jsonl", [sent("b", 1)])
    outside = tmp_path / "secret"
    outside.mkdir()
    write_jsonl(outside / "s.jsonl", [sent("s", 2)])
    (outside / "passwd.csv").write_text("root:x:0:0\n")
    (root / "logs" / "link.jsonl").symlink_to(outside / "s.jsonl")
    (root / "escape").symlink_to(outside, target_is_directory=True)
    return root


def test_paths_under_the_data_directory_load(data_dir: Path) -> None:
    real = data_dir.resolve()
    assert resolve_under(data_dir, "logs/a.jsonl") == [str(real / "logs" / "a.jsonl")]
    assert resolve_under(data_dir, str(data_dir / "logs" / "nested")) == [
        str(real / "logs" / "nested" / "b.jsonl")
    ]
    assert resolve_under(data_dir, "logs/nested/../a.jsonl") == [str(real / "logs" / "a.jsonl")]
    assert resolve_under(data_dir, "logs/**/b.jsonl") == [str(real / "logs/nested/b.jsonl")]


OUTSIDE = (
    "../secret/s.jsonl",
    "logs/../../secret/s.jsonl",
    "{outside}/s.jsonl",
    "{outside}",
    "{outside}/*.jsonl",
    "/etc/passwd",
    "/etc/*",
    "/",
    "~/.ssh/id_rsa",
    "escape/s.jsonl",
    "escape",
    "escape/*",
    "logs/link.jsonl",
    "logs",  # holds the link: one file leading out is enough to refuse the whole path
    "logs/*.jsonl",
    "logs/*/../../../secret/*",
    "../secret/nonexistent.jsonl",
    "logs/\x00/a.jsonl",
)


def test_paths_leading_outside_are_refused(data_dir: Path) -> None:
    outside = data_dir.parent / "secret"
    for raw in OUTSIDE:
        text = raw.format(outside=outside)
        with pytest.raises(InputError) as e:
            resolve_under(data_dir, text)
        message = str(e.value)
        assert "outside the data directory" in message or "NUL" in message, (text, message)
        assert "root:x" not in message
    hostile.record("data_dir", paths_refused=len(OUTSIDE), paths_accepted=4)


def test_no_data_directory_means_no_server_paths(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="--data-dir"):
        resolve_under(None, "anything.jsonl")
    with pytest.raises(InputError, match="does not exist"):
        resolve_under(tmp_path / "missing", "a.jsonl")


def test_default_data_directory_is_the_working_directorys_sample_data(tmp_path: Path) -> None:
    from template_noise.app.ui import default_data_dir, source_from

    assert default_data_dir(tmp_path) is None
    (tmp_path / "sample_data").mkdir()
    assert default_data_dir(tmp_path) == str(tmp_path / "sample_data")
    assert source_from([], {}, cwd=tmp_path).data_dir == str(tmp_path / "sample_data")
    assert source_from(["--data-dir", "/srv/logs"], {}, cwd=tmp_path).data_dir == "/srv/logs"


# ---- serve: loopback, a minimal toolbar, an upload limit, no raw grid export ----------------


def _serve_args(*argv: str) -> list[str]:
    from template_noise.cli import build_parser, serve_command

    return serve_command(build_parser().parse_args(["serve", *argv]))


def _option(cmd: list[str], name: str) -> str:
    return cmd[cmd.index(name) + 1]


def test_serve_binds_to_loopback_by_default(tmp_path: Path) -> None:
    cmd = _serve_args()
    assert _option(cmd, "--server.address") == "127.0.0.1"
    assert _option(cmd, "--client.toolbarMode") == "minimal"
    assert _option(cmd, "--server.maxUploadSize") == "200"
    assert _option(cmd, "--client.disableDataExport") == "true"
    assert cmd[cmd.index("--") + 1 :] == []
    cmd = _serve_args("--address", "0.0.0.0", "--max-upload-mb", "5", "--data-dir", str(tmp_path))
    assert _option(cmd, "--server.address") == "0.0.0.0"
    assert _option(cmd, "--server.maxUploadSize") == "5"
    assert cmd[cmd.index("--") + 1 :] == ["--data-dir", str(tmp_path.resolve())]


def test_serve_warns_when_it_opens_up_without_a_login(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from template_noise.cli import build_parser, serve_warnings

    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    parse = build_parser().parse_args
    assert serve_warnings(parse(["serve"]), tmp_path) == []
    [warning] = serve_warnings(parse(["serve", "--address", "0.0.0.0"]), tmp_path)
    assert "without a login" in warning
    (tmp_path / ".streamlit").mkdir()
    (tmp_path / ".streamlit" / "secrets.toml").write_text('[auth]\nclient_id = "x"\n')
    assert serve_warnings(parse(["serve", "--address", "0.0.0.0"]), tmp_path) == []


def test_serve_refuses_bad_options(tmp_path: Path) -> None:
    done = _cli("serve", "--data-dir", str(tmp_path / "missing"))
    assert done.returncode == 2 and "no such directory" in done.stderr
    done = _cli("serve", "--max-upload-mb", "0")
    assert done.returncode == 2 and "--max-upload-mb" in done.stderr


# ---- untrusted text inside Markdown elements ------------------------------------------------


def test_literal_makes_a_code_span_of_anything() -> None:
    from template_noise.app.ui import literal

    tricky = (*hostile.ALL, "`", "``x``", "a `b` c", "`edge", "edge`", "line\nbreak", "   ")
    for s in tricky:
        out = literal(s)
        flat = " ".join(s.split())
        if not flat:
            assert out == ""
            continue
        fence = re.match(r"`+", out)
        assert fence and out.endswith(fence.group()), out
        inner = out[len(fence.group()) : -len(fence.group())]
        assert fence.group() not in inner  # the span cannot be closed early
        if inner.startswith(" ") and inner.endswith(" "):
            inner = inner[1:-1]
        assert inner == flat, (s, out)
    assert literal("see https://tn-probe.invalid") == "`see https://tn-probe.invalid`"
    hostile.record("markdown_literal", strings=len(tricky))


def test_the_probe_files_were_never_written() -> None:
    _no_probe_files()
    assert os.environ.get("TEMPLATE_NOISE_CRASH_AT") is None
