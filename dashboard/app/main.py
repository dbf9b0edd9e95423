"""The template-noise dashboard: `template-noise serve [--db FILE]` runs this file.

A frame around the pages in views/: the navigation, the shared sidebar filters (kept in
the URL), and nothing else; each page reads the filters and calls the core functions.
Streamlit runs this file as a script, so its imports are absolute (see __init__.py).
"""

from __future__ import annotations

import streamlit as st
from template_noise.app import VIEWS_DIR, ui

# Query parameters that belong to one page; dropped elsewhere so a shared link stays clean.
PAGE_PARAMS = {"template": ("template",), "delivery": ("window",)}
# Pages that read all data whatever the filters say: the sidebar says so above the filters
# (hiding them would drop the widgets' state, and the filters with it, on the way back).
FILTERS_IGNORED = {
    "checklist": "The go-live checklist covers all loaded data: these filters do not apply "
    "on this page (they still apply on the others).",
}

st.set_page_config(page_title="template-noise", page_icon=":material/notifications:", layout="wide")
ui.require_login()  # with [auth] in secrets.toml: nothing below runs until logged in

# The default page is served at the root only, whatever its url_path (Streamlit's st.Page:
# "If you set default=True, the page is served at the root URL instead of url_path"), so
# /overview would show "Page not found". A hidden second entry of the same script serves it.
pages = [
    st.Page(VIEWS_DIR / "overview.py", title="Overview", icon=":material/leaderboard:",
            url_path="home", default=True),
    st.Page(VIEWS_DIR / "overview.py", title="Overview", icon=":material/leaderboard:",
            url_path="overview", visibility="hidden"),
    st.Page(VIEWS_DIR / "template.py", title="Template", icon=":material/description:",
            url_path="template"),
    st.Page(VIEWS_DIR / "delivery.py", title="Delivery health", icon=":material/local_shipping:",
            url_path="delivery"),
    st.Page(VIEWS_DIR / "checklist.py", title="Go-live checklist", icon=":material/checklist:",
            url_path="checklist"),
    st.Page(VIEWS_DIR / "data.py", title="Data", icon=":material/database:", url_path="data"),
]  # fmt: skip
page = st.navigation(pages)

for owner, keys in PAGE_PARAMS.items():
    if page.url_path != owner:
        for key in keys:
            if key in st.query_params:
                del st.query_params[key]

if page.url_path in FILTERS_IGNORED:
    st.sidebar.info(FILTERS_IGNORED[page.url_path], icon=":material/filter_alt_off:")
with ui.shown_errors():
    ui.sidebar_filters()
    ui.data_age_banner()
    page.run()
