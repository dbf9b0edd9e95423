"""Hostile input through the Streamlit pages (AppTest): hostile URL parameters on every page,
every hostile template opened on the Template page, server paths outside the data
directory, and the optional OIDC login guarding every page.

The events table is counted in a separate process before and after: the dashboard holds its
own snapshot of the file, and a second connection in this process would conflict with it.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import hostile
import pytest
import streamlit as st
from apptest_fixture import APP, fresh_caches  # noqa: F401  (autouse)
from events_fixture import sent, write_jsonl
from streamlit.testing.v1 import AppTest
from template_noise import db
from template_noise.app.ui import DATA_DIR_ENV, DB_ENV
from template_noise.ingest import ingest

TIMEOUT = 60
PAGES = (None, "views/template.py", "views/delivery.py", "views/checklist.py",
         "views/data.py")  # fmt: skip
PARAMS = ("q", "severity", "scope", "since", "until", "dedup", "template", "window")
# Enough for the URL tests: every SQL probe and the Markdown ones (each page run is ~1 s).
URL_PROBES = hostile.SQL + hostile.MARKUP[3:8]
AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "a-test-cookie-secret-that-is-long-enough-1234",
    "client_id": "template-noise-test",
    "client_secret": "not-a-real-secret",
    "server_metadata_url": "https://idp.invalid/.well-known/openid-configuration",
}
CODE_SPAN = re.compile(r"(`+).*?\1")
COUNT = """
import sys
from template_noise import db
con = db.connect(sys.argv[1], read_only=True)
print(*(con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
        for t in ("events", "rejects", "loads", "signoffs")))
"""


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("app_hostile")
    log = write_jsonl(tmp / "hostile.jsonl", hostile.hostile_log())
    path = tmp / "hostile.duckdb"
    con = db.connect(path)
    try:
        ingest(con, [log])
    finally:
        con.close()
    return path


@pytest.fixture
def served(hostile_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(DB_ENV, str(hostile_db))
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path))
    return hostile_db


def counts(path: Path) -> str:
    done = subprocess.run(
        [sys.executable, "-c", COUNT, str(path)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def run_page(page: str | None, query: dict[str, str], **setup: object) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    for name, value in setup.items():
        setattr(at, name, value)
    at.query_params.update(query)
    at.run()
    if page:
        at.switch_page(page)
        at.query_params.update(query)
        at.run()
    assert not at.exception, (page, query, at.exception)
    return at


def no_live_markup(at: AppTest, where: object) -> None:
    """Nothing from the data or the URL became Markdown markup or HTML."""
    assert not at.get("html"), where
    for el in (*at.markdown, *at.caption, *at.error, *at.warning, *at.info, *at.success):
        text = CODE_SPAN.sub("", str(el.value))  # inside a code span, markup is text
        for raw in ("<img", "<script", "<svg", "<iframe", "](javascript", "![", ":red["):
            assert raw not in text, (where, text)


def test_hostile_url_parameters_on_every_page(served: Path) -> None:
    before = counts(served)
    runs = 0
    for s in URL_PROBES:
        query = {k: s for k in PARAMS}
        for page in PAGES:
            at = run_page(page, query)
            no_live_markup(at, (page, s))
            runs += 1
    assert counts(served) == before
    hostile.record(
        "apptest_url", page_runs=runs, hostile_values=len(URL_PROBES), parameters_per_run=8
    )


def test_every_hostile_template_opens_as_text(served: Path) -> None:
    before = counts(served)
    for s in hostile.ALL:
        at = run_page("views/template.py", {"template": s})
        assert at.selectbox(key="t_template").value == s
        assert s in [c.value for c in at.code], s  # the heading, literally
        no_live_markup(at, s)
        examples = [d.value for d in at.dataframe if "title" in d.value.columns]
        assert examples and examples[0]["title"].tolist() == [s]
    assert counts(served) == before
    hostile.record("apptest_template_page", hostile_templates_opened=len(hostile.ALL))


def test_hostile_search_in_the_sidebar_is_a_literal_substring(served: Path) -> None:
    tried = 0
    for s in hostile.SQL:
        at = run_page(None, {})
        at.text_input(key="f_search").input(s).run()
        assert not at.exception
        shown = set(at.dataframe[0].value["template"]) if at.dataframe else set()
        assert shown == {t for t in hostile.ALL if s.strip().lower() in t.lower()}, s
        tried += 1
    hostile.record("apptest_sidebar_search", hostile_searches=tried)


def test_a_server_path_outside_the_data_directory_is_refused(served: Path, tmp_path: Path) -> None:
    outside = tmp_path.parent / f"{tmp_path.name}-outside"
    outside.mkdir()
    write_jsonl(outside / "x.jsonl", [sent("outside-1", 0, template="from.outside")])
    before = counts(served)
    for text in (str(outside / "x.jsonl"), f"../{outside.name}/x.jsonl", "/etc/passwd"):
        at = run_page("views/data.py", {})
        at.text_input(key="data_path").input(text)
        at.button(key="data_path_submit").click().run()
        assert not at.exception
        assert any("outside the data directory" in e.value for e in at.error), text
    assert counts(served) == before


def test_without_a_data_directory_only_uploads_remain(
    hostile_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(DB_ENV, str(hostile_db))
    monkeypatch.delenv(DATA_DIR_ENV, raising=False)
    monkeypatch.chdir(tmp_path)  # no sample_data/ here: no default data directory
    at = run_page("views/data.py", {})
    assert at.text_input(key="data_path").disabled
    assert any("--data-dir" in i.value for i in at.info)


def test_downloads_are_offered_where_tables_hold_untrusted_text(served: Path) -> None:
    assert run_page(None, {}).download_button(key="ov_csv")
    at = run_page("views/template.py", {"template": hostile.FORMULA[0]})
    assert at.download_button(key="t_examples_csv")


# ---- optional login ---------------------------------------------------------------------------


def test_with_login_configured_no_page_shows_data_before_login(served: Path) -> None:
    runs = 0
    for page in PAGES:
        at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
        at.secrets["auth"] = AUTH
        at.run()
        if page:
            # A deep link straight to a page is guarded too (the guard runs before any page).
            at.query_params.update({"template": hostile.SQL[0]})
            at.switch_page(page).run()
        assert not at.exception, at.exception
        assert at.button(key="auth_login").label == "Log in"
        assert any("needs a login" in i.value for i in at.info)
        assert not at.dataframe and not at.metric and not at.get("plotly_chart")
        assert not at.sidebar.text_input and not at.sidebar.multiselect
        runs += 1
    hostile.record("apptest_login_guard", pages_guarded=runs)


def test_a_logged_in_user_signs_off_under_their_login(
    hostile_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    from template_noise import signoff

    path = tmp_path / "copy.duckdb"
    shutil.copyfile(hostile_db, path)
    monkeypatch.setenv(DB_ENV, str(path))
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.secrets["auth"] = AUTH
    at.user = {"is_logged_in": True, "email": "ada@example.com", "name": "Ada Lovelace"}
    at.run()
    at.switch_page("views/checklist.py").run()
    assert not at.exception, at.exception
    assert not _has_key(at, "so_name")  # no typed name: the login is the identity
    assert any("Ada Lovelace <ada@example.com>" in t.value for t in at.text)
    at.text_input(key="so_role").input("release owner")
    at.radio(key="so_decision").set_value("approve")  # a decision, then a confirmation
    at.button(key="so_submit").click().run()
    assert not at.exception, at.exception
    at.button(key="so_confirm").click().run()
    assert not at.exception, at.exception
    assert any("Signed off as #1" in s.value for s in at.success)
    st.cache_resource.clear()
    con = db.connect(path, read_only=True)
    [stored] = signoff.history(con)
    assert (stored.name, stored.email, stored.identity) == (
        "Ada Lovelace",
        "ada@example.com",
        "oidc",
    )
    assert signoff.verify(con).intact


def _has_key(at: AppTest, key: str) -> bool:
    try:
        at.text_input(key=key)
    except KeyError:
        return False
    return True


def test_without_login_configured_nothing_changes(served: Path) -> None:
    at = run_page(None, {})
    assert at.dataframe and at.metric
    with pytest.raises(KeyError):
        at.button(key="auth_login")


def test_login_configured_without_authlib_says_what_to_install(
    served: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "authlib" else real(name, *a)
    )
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.secrets["auth"] = AUTH
    at.run()
    assert not at.exception
    assert any("template-noise[auth]" in e.value for e in at.error)
    assert not at.dataframe and not at.metric
