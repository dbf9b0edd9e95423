"""Overview from Spark roll-ups (`serve --rollups DIR`): the noise ranking with its flags,
volume per day, volume vs read rate, and one template's trend per day.

Everything comes from template_noise.spark.rollups (what `metrics --rollups DIR` prints);
what the roll-ups cannot give (distinct recipients, percentiles) shows as empty cells, and
the page says why.
"""

from __future__ import annotations

import streamlit as st
from template_noise.app import charts, guidance, ui, urlstate
from template_noise.app import rollups as rollup_ui
from template_noise.format import count
from template_noise.metrics_report import for_users

filters = rollup_ui.current_filters()
span = rollup_ui.span()
st.title("Noisy templates")
first, last = urlstate.day_range(filters)
as_of = f"{span.as_of:%Y-%m-%d %H:%M} UTC" if span.as_of else "unknown"
st.caption(
    f"Days {first or span.first_day} \N{EN DASH} {last or span.last_day} (UTC) of daily "
    f"roll-ups covering {span.days} day(s), {span.first_day} \N{EN DASH} {span.last_day}, "
    f"computed as of {as_of} · ranked by noise score, worst first"
)
st.info(
    "The roll-ups hold daily totals per template. Distinct recipients and the delivery "
    "percentiles need the events and stay empty here; duplicates, expiry and staleness are "
    "as the roll-ups were computed (as of above). The Template, Delivery, Alerts, Checklist, "
    "What-if and Data pages need the events.",
    icon=":material/calendar_view_day:",
)

ranking = rollup_ui.ranking(filters)
cols = ui.metric_row(3)
cols[0].metric("Templates", count(len(ranking)))
cols[1].metric("Noisy templates", count(ranking["noisy"].sum() if len(ranking) else 0))
cols[2].metric("Notifications sent", count(int(ranking["sent"].sum()) if len(ranking) else 0))

if ranking.empty:
    st.info("No roll-up day in this window.")
    st.stop()

st.subheader("Noise ranking")
st.caption(
    "Rates are shares of notifications sent; a template is noisy when a noisy flag fires. "
    "The CSV has every column."
)
table = ranking.assign(flags=ranking["flags"].map(list))
st.dataframe(
    table[list(guidance.RANKING_COLUMNS)],
    column_config=guidance.ranking_grid(),
    hide_index=True,
    key="ru_ranking",
)
ui.csv_download(
    for_users(ranking), "noise-ranking-rollups.csv", key="ru_csv",
    label="Download the ranking (CSV)",
)  # fmt: skip
with st.expander("What the flags mean, and when they fire"):
    st.dataframe(guidance.flag_rules(), hide_index=True, key="ru_flag_rules")

daily = rollup_ui.daily(filters)
left, right = st.columns(2)
with left:
    st.plotly_chart(charts.volume_over_time(daily, ranking["template"].tolist()), key="ru_volume")
with right:
    st.plotly_chart(charts.volume_vs_read_rate(ranking), key="ru_scatter")

st.subheader("One template per day")
template = st.selectbox(
    "Template", ranking["template"].tolist(), key="ru_template", help="worst first"
)
one = daily[daily["template"] == template]
st.plotly_chart(charts.template_over_time(one), key="ru_template_chart")
st.dataframe(
    one[["bucket", "sent", "failed", "duplicates", "duplicate_rate", "read_rate"]],
    column_config={
        "bucket": st.column_config.DateColumn("day (UTC)"),
        **ui.metric_columns(["sent", "failed", "duplicates", "duplicate_rate", "read_rate"]),
    },
    hide_index=True,
    key="ru_template_days",
)
