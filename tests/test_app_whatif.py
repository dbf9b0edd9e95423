"""The What-if page under streamlit.testing.v1.AppTest: set a rule for all templates or for
one, read before and after as `simulate` computes them, suggest, and untrusted template
names shown as text."""

from __future__ import annotations

import hashlib
from pathlib import Path

import dashboard_fixture
import pandas as pd
import pytest
from apptest_fixture import APP, fresh_caches  # noqa: F401  (autouse)
from streamlit.testing.v1 import AppTest
from template_noise import db
from template_noise.app.ui import DATA_DIR_ENV, DB_ENV
from template_noise.config import load_config
from template_noise.whatif import parse_policy, simulate

PAGE = "views/whatif.py"


@pytest.fixture
def db_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = dashboard_fixture.build(tmp_path)
    monkeypatch.setenv(DB_ENV, str(path))
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path))
    return path


def open_whatif() -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.run()
    at.switch_page(PAGE)
    at.run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    return at


def per_template(at: AppTest) -> pd.DataFrame:
    (found,) = [d.value for d in at.dataframe if "flags after" in d.value.columns]
    return found


def expected(db_path: Path, policy: dict[str, object]) -> pd.DataFrame:
    con = db.connect(db_path, read_only=True)
    try:
        sim = simulate(con, parse_policy(policy), load_config())
    finally:
        con.close()
    return sim.templates.set_index("template")


def test_an_empty_policy_keeps_everything(db_path: Path) -> None:
    at = open_whatif()
    shown = per_template(at)
    assert (shown["sent"] == shown["kept"]).all()
    assert {m.label: m.value for m in at.metric}["Reads at risk"] == "0"


def test_a_rule_for_all_templates_replays_as_simulate(db_path: Path) -> None:
    at = open_whatif()
    at.checkbox(key="wi_th_default").check()
    at.number_input(key="wi_thm_default").set_value(1)
    at.number_input(key="wi_thh_default").set_value(24.0)
    at.button(key="FormSubmitter:wi_form_default-Set these rules").click()
    at.run()
    assert not at.exception, at.exception
    policy = {"default": {"throttle": {"max": 1, "per_hours": 24}}}
    want = expected(db_path, policy)
    shown = per_template(at).set_index("template")
    for template, row in want.iterrows():
        assert shown.loc[template, "kept"] == row["kept"], template
        assert shown.loc[template, "throttle"] == row["suppressed_throttle"], template
    assert "per_hours = 24" in at.code[0].value and "max = 1" in at.code[0].value


def test_a_rule_for_one_template_goes_in_its_own_table(db_path: Path) -> None:
    at = open_whatif()
    name = at.selectbox(key="wi_scope").options[1]
    at.selectbox(key="wi_scope").select(name)
    at.run()
    slug = "t_" + hashlib.sha1(name.encode()).hexdigest()[:10]  # the page's widget keys
    at.checkbox(key=f"wi_dd_{slug}").check()
    at.button(key=f"FormSubmitter:wi_form_{slug}-Set these rules").click()
    at.run()
    assert not at.exception, at.exception
    toml = at.code[0].value
    assert "[templates." in toml and "dedup_window_minutes = 60" in toml
    assert "[default]" not in toml
    want = expected(db_path, {"templates": {name: {"dedup_window_minutes": 60}}})
    shown = per_template(at).set_index("template")
    assert shown.loc[name, "dedup"] == want.loc[name, "suppressed_dedup"]


def test_suggest_fills_the_policy_to_download(db_path: Path) -> None:
    at = open_whatif()
    at.button(key="wi_suggest").click()
    at.run()
    assert not at.exception, at.exception
    assert at.code[0].value.startswith("[templates.") or at.code[0].value.startswith("#")
    assert at.get("download_button")


def test_template_names_show_as_text(db_path: Path) -> None:
    at = open_whatif()
    names = at.selectbox(key="wi_scope").options
    assert any("<script>" in n for n in names)
    for md in at.markdown:
        assert "<script>" not in md.value and "onerror" not in md.value
    assert not at.get("html")
