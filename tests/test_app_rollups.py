"""The dashboard over Spark roll-ups (`template-noise serve --rollups DIR`), under AppTest.

The roll-ups are written by the real Spark engine (local mode, the test session's) from a
tiny log, as `spark-rollups --out DIR` writes them, then read by the dashboard alone. The
numbers can be checked by hand from the log:

- `ops.flood`: 11 notifications to u1 on 2024-01-01: flooding (more than 10 a day), noisy;
- `alerts.digest`: 3 sent on 2024-01-01 (1 read) and 2 on 2024-01-02 (both read):
  sent 5, read rate 3/5 = 60 %; per day 1/3 and 100 %;
- a template whose name is markup, 1 sent: shown as text, never as HTML.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from apptest_fixture import APP, fresh_caches  # noqa: F401  (autouse)
from events_fixture import event, load, sent
from streamlit.testing.v1 import AppTest
from template_noise.app.ui import DB_ENV, ROLLUPS_ENV
from template_noise.config import load_config
from template_noise.filters import Filters

pytestmark = pytest.mark.spark

HOSTILE = "<b>owner</b> changed"
DAY = 24 * 60  # minutes
RANKING = ["template", "noisy"]


def _log() -> list[dict[str, Any]]:
    events = [sent(f"f{i}", i, template="ops.flood", user="u1", body=f"b{i}") for i in range(11)]
    for i, minute in enumerate([60, 120, 180, DAY + 60, DAY + 120]):
        events.append(sent(f"d{i}", minute, template="alerts.digest", user=f"u{i}", body=f"d{i}"))
    events += [event("read", "d0", 200), event("read", "d3", DAY + 200),
               event("read", "d4", DAY + 300)]  # fmt: skip
    events.append(sent("h0", 30, template=HOSTILE, user="u9"))
    return events


@pytest.fixture(scope="module")
def rollups_dir(spark: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from template_noise.spark.engine import open_engine
    from template_noise.spark.rollups import write_rollups

    tmp = tmp_path_factory.mktemp("rollups")
    con = load(tmp, _log())
    engine = open_engine([], spark=spark, duckdb_con=con)
    try:
        write_rollups(engine, str(tmp / "out"), Filters(), load_config(None))
    finally:
        engine.close()
        con.close()
    return tmp / "out"


def _app(rollups_dir: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.delenv(DB_ENV, raising=False)
    monkeypatch.setenv(ROLLUPS_ENV, str(rollups_dir))
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    return at


def _frame(at: AppTest, first_columns: list[str]) -> Any:
    """The dataframe whose columns start with these (a grid that is not a widget has no key)."""
    return next(d.value for d in at.dataframe if list(d.value.columns)[:2] == first_columns)


def test_the_overview_ranks_templates_from_the_rollups(
    rollups_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Laid out as docs/spark.md says: <out>/template_daily/*.parquet.
    assert list((rollups_dir / "template_daily").glob("*.parquet"))
    at = _app(rollups_dir, monkeypatch)
    cards = {m.label: m.value for m in at.metric}
    assert cards == {"Templates": "3", "Noisy templates": "1", "Notifications sent": "17"}
    ranking = _frame(at, RANKING)
    assert ranking["template"].tolist()[0] == "ops.flood"  # the noisy one on top
    rows = ranking.set_index("template")
    assert rows.loc["ops.flood", "max_per_user_day"] == 11
    assert list(rows.loc["ops.flood", "flags"]) == ["flooding"]
    assert rows.loc["alerts.digest", "sent"] == 5
    assert rows.loc["alerts.digest", "read_rate"] == pytest.approx(0.6)
    assert HOSTILE in rows.index  # in the grid, as text
    assert not any("<b>" in m.value for m in at.markdown)
    assert not any("<b>" in c.value for c in at.caption)
    assert any("daily totals per template" in i.value for i in at.info)

    at.selectbox(key="ru_template").select("alerts.digest").run()
    assert not at.exception, at.exception
    days = _frame(at, ["bucket", "sent"])
    assert days["sent"].tolist() == [3, 2]
    assert days["read_rate"].tolist() == pytest.approx([1 / 3, 1.0])
    assert [str(d)[:10] for d in days["bucket"]] == ["2024-01-01", "2024-01-02"]


def test_the_day_filter_narrows_the_rollups(
    rollups_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(DB_ENV, raising=False)
    monkeypatch.setenv(ROLLUPS_ENV, str(rollups_dir))
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params.update(since="2024-01-02")
    at.run()
    assert not at.exception, at.exception
    ranking = _frame(at, RANKING)
    assert ranking[["template", "sent"]].to_dict("records") == [
        {"template": "alerts.digest", "sent": 2}
    ]
    assert any(
        c.value.startswith("Days 2024-01-02 \N{EN DASH} 2024-01-02 (UTC) of daily roll-ups "
                           "covering 2 day(s), 2024-01-01 \N{EN DASH} 2024-01-02")
        for c in at.caption
    ), [c.value for c in at.caption]  # fmt: skip


@pytest.mark.parametrize("page", ["template", "delivery", "alerts", "checklist", "whatif", "data"])
def test_pages_that_need_the_events_say_so(
    page: str, rollups_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = _app(rollups_dir, monkeypatch)
    at.switch_page(f"views/{page}.py").run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    [notice] = [i.value for i in at.info]
    assert notice.startswith("This page needs the events; the roll-ups hold daily totals")


def test_serve_passes_the_rollups_to_the_app(tmp_path: Path) -> None:
    from template_noise.cli import build_parser, main, serve_command

    command = serve_command(build_parser().parse_args(["serve", "--rollups", str(tmp_path)]))
    assert command[-2:] == ["--rollups", str(tmp_path.resolve())]
    # Not a roll-ups directory, or both sources: a one-line error, exit 2.
    assert main(["serve", "--rollups", str(tmp_path)]) == 2
    (tmp_path / "template_daily").mkdir()
    assert main(["serve", "--rollups", str(tmp_path), "--db", str(tmp_path / "x.duckdb")]) == 2
