"""Template: one template's numbers, each with the threshold it is judged against; every flag
judged with its reason; the titles behind it (variants) and how it got its name (inferred,
override, explicit); what to change in the sending code per fired flag, with the evidence
(duplicate pairs and dedup key candidates, a suggested expires_hours, the recipient-days of a
flood); volume and duplicates over time, engagement, severities and scopes, metadata key
sets, recent examples and top recipients.

Titles, bodies, metadata (keys included) and even template names come from the logs: they
are untrusted and shown only through st.dataframe, st.code and st.text, never as Markdown or
HTML. The words around them come from the catalogue (template_noise.explain).
"""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import streamlit as st
from template_noise import explain, series
from template_noise.app import charts, guidance, ui

# The numbers at the top after the rank, labelled, formatted and explained from the
# catalogue (queries/catalogue.toml) and the config's thresholds.
CARDS = ("sent", "recipients", "time_to_read_p50_s",
         "duplicate_rate", "max_per_user_day", "read_rate", "archived_unread_rate",
         "expiry_coverage", "stale_unread_rate", "failure_rate", "retry_rate")  # fmt: skip
CARD_WIDTH = 210  # pixels
HOUR = timedelta(hours=1)


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

# The Overview's pass (cached) gives the rank and the counts; the percentiles come from
# this template's rows alone.
ranking = ui.template_metrics(filters, quantiles=False)
ranks = ranking.index[ranking["template"] == template]
unit = series.pick_unit(filters.since, filters.until)
row = ui.template_row(filters, template, unit)
if row is None or ranks.empty:
    st.warning("This template has no notifications in the current filters.")
    st.stop()
rank = int(ranks[0]) + 1
cfg = ui.config()

# Cards of a fixed width in a wrapping row: four a row at 1400 px, two at 800 px, never a
# number cut to "100.…" in a column too narrow for it.
with st.container(horizontal=True, gap="medium"):
    for name in ("rank", *CARDS):
        card = st.container(width=CARD_WIDTH)
        if name == "rank":
            card.metric("Rank", f"{rank} of {len(ranking)}", help="by noise score, worst first")
            card.caption(f"score {row['score']:.1f}; noisy templates rank first")
        else:
            guidance.explained_card(card, name, row, cfg)

verdicts = explain.verdicts(row, cfg)
fired = [v for v in verdicts if v.fired]
if fired:
    box = st.warning if bool(row["noisy"]) else st.info
    box(
        ("Noisy: " if bool(row["noisy"]) else "Not noisy, but flagged: ")
        + "; ".join(f"**{v.label}** ({v.value}; fires when {v.rule}): {v.meaning}" for v in fired)
        + "."
    )
else:
    st.success("No flag fires for this template.")
with st.expander("Every flag, judged on this template", expanded=not fired):
    st.dataframe(explain.verdict_frame(row, cfg), hide_index=True, key="t_verdicts")

if fired:
    st.subheader("What to change")
    expiry_shown = False
    for v in fired:
        with st.container(border=True):
            st.markdown(f"**{v.label}**: {v.meaning}.")
            st.markdown(v.fix)
            if v.flag == "duplicates":
                guidance.duplicate_guidance(filters, template)
            elif v.flag in ("no_expiry", "stale") and not expiry_shown:
                guidance.expiry_guidance(filters, template, row)
                expiry_shown = True
            elif v.flag == "flooding":
                guidance.flooding_guidance(filters, template, row)

page = ui.template_page(filters, template, unit)  # the charts and tables, one cursor
left, right = st.columns(2)
with left:
    over_time = page.over_time
    volume_chart = charts.template_over_time(over_time)
    # Opened from the Alerts page (?alert=ID): the incident's window marked on the chart.
    alert_id = st.query_params.get("alert")
    if alert_id and not over_time.empty:
        stored = ui.alerts()
        hit = stored[(stored["alert_id"] == alert_id) & (stored["template"] == template)]
        if len(hit):
            a = hit.iloc[0]
            end = a["resolved_at"] if pd.notna(a["resolved_at"]) else a["last_hit_at"] + HOUR
            charts.mark_window(volume_chart, a["started_at"], end, f"{a['kind']} alert")
    st.plotly_chart(volume_chart, key="t_over_time")
with right:
    st.plotly_chart(charts.engagement(row), key="t_engagement")

left, right = st.columns(2)
with left:
    st.subheader("Severities and scopes")
    st.dataframe(page.breakdown, hide_index=True,
                 key="t_breakdown")  # fmt: skip
    st.caption(f"{len(row['severities'])} severity value(s), {len(row['scopes'])} scope(s) in use.")
with right:
    st.subheader("Metadata key sets")
    keysets = page.keysets
    st.dataframe(
        keysets,
        hide_index=True,
        column_config={"share": st.column_config.NumberColumn("share", format="percent")},
        key="t_keysets",
    )
    st.caption(
        f"{explain.metric_line('metadata_drift_rate', row, cfg)}; "
        f"{explain.metric_line('metadata_invalid_rate', row, cfg)}"
    )

st.subheader("Variants")
# How the logs' notifications came to this template: a person confirms an inferred template
# here, or writes a [[templates]] override in the config (docs/templates.md).
variants = ui.frame("template_variants", filters, template)
SOURCES = {
    "inferred": "inferred from the title",
    "override": "named by a [[templates]] override of the config",
    "column": "given in the template column",
    "metadata": "given as metadata.template",
}
st.caption(
    f"{len(variants)} distinct titles, all loaded events; source: "
    + "; ".join(SOURCES.get(s, "unknown") for s in sorted(set(variants["source"])))
)
st.dataframe(
    variants[["title", "sent", "source"]],
    hide_index=True,
    column_config={"title": st.column_config.TextColumn("title", width="large")},
    key="t_variants",
)

st.subheader("Recent examples")
examples = page.examples
st.dataframe(
    examples,
    hide_index=True,
    # whether it repeats an earlier one first, beside when and to whom: not three scrolls away
    column_order=[
        "created_at",
        "duplicate",
        "recipient",
        "title",
        "body",
        "metadata",
        "ctas",
        "severity",
        "scope",
        "read",
        "archived",
        "starred",
        "notification_id",
    ],
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
st.dataframe(page.recipients, hide_index=True,
             key="t_recipients")  # fmt: skip
