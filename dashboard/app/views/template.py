"""Template: one template's volume and duplicates over time, funnel, severities and scopes,
metadata key sets, recent examples and top recipients.

Titles, bodies, metadata and even template names come from the logs: they are untrusted and
shown only through st.dataframe, st.code and st.text, never as Markdown or HTML.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st
from template_noise import series
from template_noise.app import charts, ui
from template_noise.format import pct
from template_noise.metrics import FLAGS

FLAG_TEXT = {f.name: f.description for f in FLAGS}
# The headline numbers, labelled and formatted as the catalogue says (queries/catalogue.toml).
SHOWN = ("sent", "recipients", "duplicate_rate", "read_rate", "max_per_user_day",
         "time_to_read_p50_s")  # fmt: skip


filters = ui.current_filters()
st.title("Template")

names = ui.frame("templates", filters)["template"].tolist()
from_url = st.query_params.get("template")
if from_url and from_url not in names:
    names = [from_url, *names]  # a shared link to a template the filters hide still opens it
if not names:
    st.info("No notifications match these filters.")
    st.stop()
# A new link (?template=...) picks the template; coming back without one restores the last
# choice; otherwise the picker is the state and the URL follows it.
last = st.session_state.get("t_last")
if from_url and from_url != last:
    st.session_state["t_template"] = from_url
elif "t_template" not in st.session_state and last in names:
    st.session_state["t_template"] = last
template = st.selectbox("Template", names, key="t_template")
if template is None:
    st.stop()
st.session_state["t_last"] = template
if st.query_params.get("template") != template:
    st.query_params["template"] = template
st.code(template, language=None, wrap_lines=True)
st.caption(f"Window: {ui.window_caption(filters)}")

ranking = ui.template_metrics(filters)
rows = ranking[ranking["template"] == template]
if rows.empty:
    st.warning("This template has no notifications in the current filters.")
    st.stop()
row = rows.iloc[0]
rank = int(rows.index[0]) + 1

cols = ui.metric_row(7)
cols[0].metric("Rank", f"{rank} of {len(ranking)}")
for col, name in zip(cols[1:], SHOWN, strict=True):
    ui.metric_card(col, name, row[name])

flags = list(row["flags"])
if flags:
    box = st.warning if bool(row["noisy"]) else st.info
    box(
        ("Noisy. " if bool(row["noisy"]) else "Not noisy, but flagged. ")
        + " ".join(f"`{f}`: {FLAG_TEXT.get(f, '')}." for f in flags)
    )
else:
    st.success("No flag fires for this template.")

unit = series.pick_unit(filters.since, filters.until)
left, right = st.columns(2)
with left:
    over_time = ui.frame("template_over_time", filters, template, unit)
    st.plotly_chart(charts.template_over_time(over_time), key="t_over_time")
with right:
    st.plotly_chart(charts.funnel(row), key="t_funnel")

left, right = st.columns(2)
with left:
    st.subheader("Severities and scopes")
    st.dataframe(ui.frame("template_breakdown", filters, template), hide_index=True,
                 key="t_breakdown")  # fmt: skip
    st.caption(f"{len(row['severities'])} severity value(s), {len(row['scopes'])} scope(s) in use.")
with right:
    st.subheader("Metadata key sets")
    keysets = ui.frame("template_keysets", filters, template)
    st.dataframe(
        keysets,
        hide_index=True,
        column_config={"share": st.column_config.NumberColumn("share", format="percent")},
        key="t_keysets",
    )
    st.caption(
        f"metadata drift rate {pct(row['metadata_drift_rate'])}, "
        f"invalid rate {pct(row['metadata_invalid_rate'])}"
    )

st.subheader("Recent examples")
examples = ui.frame("template_examples", filters, template, 50)
st.dataframe(
    examples,
    hide_index=True,
    column_config={
        "title": st.column_config.TextColumn("title", width="medium"),
        "body": st.column_config.TextColumn("body", width="large"),
        "metadata": st.column_config.TextColumn("metadata", width="medium"),
        "ctas": st.column_config.TextColumn("ctas"),
    },
    key="t_examples",
)
ui.csv_download(examples, "template-examples.csv", key="t_examples_csv",
                label="Download the examples (CSV)")  # fmt: skip
if not examples.empty:
    ids = examples["notification_id"].astype(str).tolist()
    pick = st.selectbox("Inspect a notification", ids, key="t_example_pick")
    sample = examples[examples["notification_id"].astype(str) == pick].iloc[0]
    for field in ("title", "body", "metadata", "ctas"):
        value = sample[field]
        st.text(field)
        st.code("" if value is None or pd.isna(value) else str(value), language=None,
                wrap_lines=True)  # fmt: skip

st.subheader("Top recipients")
st.dataframe(ui.frame("template_recipients", filters, template, 20), hide_index=True,
             key="t_recipients")  # fmt: skip
