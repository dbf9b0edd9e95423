"""The Template page's variants: the distinct titles behind an inferred template, with their
counts and source, shown as text (titles are untrusted), under streamlit's AppTest."""

from __future__ import annotations

from pathlib import Path

import pytest
from apptest_fixture import APP, fresh_caches  # noqa: F401  (autouse)
from streamlit.testing.v1 import AppTest
from template_noise import db
from template_noise.app.ui import DATA_DIR_ENV, DB_ENV
from template_noise.ingest import ingest
from test_inference_ingest import sent, write

ROLE = "Role changed to {*} #{n}"
HOSTILE = "Role changed to <b>owner</b> #7"


def test_template_page_lists_the_variants_of_an_inferred_template(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    events = [
        sent(1, "Role changed to admin #41", body="Your role is now admin."),
        sent(2, "Role changed to admin #40", body="Your role is now admin."),
        sent(3, HOSTILE, body="Your role is now owner."),
        sent(4, "Role changed to billing #12", body="Your role is now billing."),
    ]
    path = tmp_path / "t.duckdb"
    con = db.connect(path)
    ingest(con, [write(tmp_path / "a.jsonl", events)])
    con.close()
    monkeypatch.setenv(DB_ENV, str(path))
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path))
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params.update(template=ROLE)
    at.run()
    at.switch_page("views/template.py")
    at.query_params.update(template=ROLE)
    at.run()
    assert not at.exception, at.exception
    variants = next(
        d.value for d in at.dataframe if list(d.value.columns) == ["title", "sent", "source"]
    )
    assert variants.to_dict("records") == [
        {"title": HOSTILE, "sent": 1, "source": "inferred"},  # '<' sorts first
        {"title": "Role changed to admin #40", "sent": 1, "source": "inferred"},
        {"title": "Role changed to admin #41", "sent": 1, "source": "inferred"},
        {"title": "Role changed to billing #12", "sent": 1, "source": "inferred"},
    ]
    assert any("inferred from the title" in c.value for c in at.caption)
    # the untrusted title reaches no Markdown element
    assert not any("<b>" in m.value for m in at.markdown)
