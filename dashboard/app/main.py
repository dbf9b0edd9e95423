"""The template-noise dashboard: `template-noise serve [--db FILE | --rollups DIR]` runs this file.

A frame around the pages in views/: the navigation, the shared sidebar filters (kept in
the URL), and nothing else; each page reads the filters and calls the core functions.
Streamlit runs this file as a script, so its imports are absolute (see __init__.py).
"""

from __future__ import annotations

import streamlit as st
from template_noise.app import VIEWS_DIR, ui

# Query parameters that belong to one page; dropped elsewhere so a shared link stays clean.
PAGE_PARAMS = {"template": ("template", "alert"), "delivery": ("window",)}
# Pages that read all data whatever the filters say: the sidebar says so above the filters
# (hiding them would drop the widgets' state, and the filters with it, on the way back).
FILTERS_IGNORED = {
    "alerts": "Alerts are what `watch` stored: these filters do not apply on this page "
    "(they still apply on the others).",
    "checklist": "The go-live checklist covers all loaded data: these filters do not apply "
    "on this page (they still apply on the others).",
    "whatif": "The what-if replay covers all loaded data: these filters do not apply on "
    "this page (they still apply on the others).",
}

st.set_page_config(page_title="template-noise", page_icon=":material/notifications:", layout="wide")
ui.require_login()  # with [auth] in secrets.toml: nothing below runs until logged in

# The default page is served at the root only, whatever its url_path (Streamlit's st.Page:
# "If you set default=True, the page is served at the root URL instead of url_path"), so
# /overview would show "Page not found". A hidden second entry of the same script serves it.
# On roll-ups (--rollups DIR) the Overview is views/rollups.py and the other pages, which need
# the events, say so instead of running (app/rollups.py): same navigation, same links.
rollups_dir = ui.source().rollups
overview = VIEWS_DIR / ("rollups.py" if rollups_dir else "overview.py")
pages = [
    st.Page(overview, title="Overview", icon=":material/leaderboard:",
            url_path="home", default=True),
    st.Page(overview, title="Overview", icon=":material/leaderboard:",
            url_path="overview", visibility="hidden"),
    st.Page(VIEWS_DIR / "template.py", title="Template", icon=":material/description:",
            url_path="template"),
    st.Page(VIEWS_DIR / "delivery.py", title="Delivery health", icon=":material/local_shipping:",
            url_path="delivery"),
    st.Page(VIEWS_DIR / "alerts.py", title="Alerts", icon=":material/notifications_active:",
            url_path="alerts"),
    st.Page(VIEWS_DIR / "checklist.py", title="Go-live checklist", icon=":material/checklist:",
            url_path="checklist"),
    st.Page(VIEWS_DIR / "whatif.py", title="What-if", icon=":material/science:",
            url_path="whatif"),
    st.Page(VIEWS_DIR / "data.py", title="Data", icon=":material/database:", url_path="data"),
]  # fmt: skip
page = st.navigation(pages)

for owner, keys in PAGE_PARAMS.items():
    if page.url_path != owner:
        for key in keys:
            if key in st.query_params:
                del st.query_params[key]

if rollups_dir:
    from template_noise.app import rollups

    with ui.shown_errors():
        rollups.sidebar_filters()
        if page.url_path in ("", "overview"):
            page.run()
        else:
            rollups.needs_events(page.url_path, page.title)
    st.stop()
if page.url_path in FILTERS_IGNORED:
    st.sidebar.info(FILTERS_IGNORED[page.url_path], icon=":material/filter_alt_off:")
with ui.shown_errors():
    ui.sidebar_filters()
    ui.data_age_banner()
    page.run()
