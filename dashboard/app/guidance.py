"""The explanations and fix guidance of the Overview and Template pages, as Streamlit elements.

The words come from template_noise.explain (the catalogue and the config's thresholds), the
evidence from the dashboard queries (template_noise.series, through ui.frame). Anything that
comes from the logs (metadata keys, titles, bodies, recipients) goes through st.dataframe or
st.code only; st.markdown and st.caption get the catalogue's words and numbers.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st
from template_noise import catalogue, explain, metrics
from template_noise.app import ui
from template_noise.config import Config
from template_noise.filters import Filters
from template_noise.format import count


def explained_card(col: Any, name: str, row: pd.Series, config: Config) -> None:
    """A metric card: the catalogue's label, the value ("—" when undefined), and under it
    the unit and the threshold it is judged against, or why it is undefined."""
    metric = catalogue.load().metric(name)
    value = row.get(name)
    col.metric(metric.label, explain.formatted(name, value), help=metric.description)
    note = explain.metric_note(name, row, config)
    unit = metric.unit if metric.format == "percent" and not explain.is_undefined(value) else ""
    text = " · ".join(t for t in (unit, note) if t)
    if text:
        col.caption(text)


def headline_card(col: Any, name: str, value: Any) -> None:
    """A metric card of an overall number: "—" and the catalogue's reason when undefined."""
    metric = catalogue.load().metric(name)
    col.metric(metric.label, explain.formatted(name, value), help=metric.description)
    reason = explain.undefined_reason(name, value)
    if reason:
        col.caption(reason)


def grid_columns(widths: dict[str, int]) -> dict[str, Any]:
    """st.dataframe column settings for catalogue metrics in a narrow grid: the short label
    as header, the full label, unit and description as help, the width in pixels."""
    out: dict[str, Any] = {}
    for name, width in widths.items():
        m = catalogue.load().metric(name)
        unit = f" ({m.unit})" if m.unit and m.format == "percent" else ""
        text = f"{m.label}{unit}: {m.description}"
        header = m.short or m.label
        if m.format == "percent":
            out[name] = st.column_config.NumberColumn(header, format="percent", help=text,
                                                      width=width)  # fmt: skip
        else:
            out[name] = st.column_config.NumberColumn(header, help=text, width=width)
    return out


# The noise ranking's grid (the Overview, on events or on roll-ups): few columns, labelled
# from the catalogue, so it fits 1400 px without scrolling sideways; the CSV keeps every
# column. Widths in pixels: they add up to less than the page's 940 px beside the sidebar
# at 1400 px wide (headers from the catalogue's `short` labels, full ones in the help).
RANKING_COLUMNS = {
    "template": 210, "noisy": 56, "flags": 180, "sent": 64, "max_per_user_day": 100,
    "duplicate_rate": 96, "read_rate": 72, "archived_unread_rate": 128,
}  # fmt: skip


def ranking_grid() -> dict[str, Any]:
    """st.dataframe column settings for RANKING_COLUMNS of a ranking whose flags are lists."""
    config = grid_columns({c: w for c, w in RANKING_COLUMNS.items() if c in metrics.METRICS})
    config.update(
        template=st.column_config.TextColumn(
            "Template", pinned=True, width=RANKING_COLUMNS["template"]
        ),
        flags=st.column_config.ListColumn(
            "Flags",
            width=RANKING_COLUMNS["flags"],
            help="the flags that fire (what each means: below the table)",
        ),
        noisy=st.column_config.CheckboxColumn("Noisy", width=RANKING_COLUMNS["noisy"]),
    )
    return config


def flag_rules() -> pd.DataFrame:
    """Every flag: whether it makes a template noisy, when it fires (with the config's
    thresholds) and what it means, as template_noise.explain words them."""
    cfg = ui.config()
    return pd.DataFrame(
        [
            {"flag": f.name, "noisy": f.noisy, "fires when": explain.rule_text(f, cfg),
             "what it means": f.description}
            for f in metrics.FLAGS
        ]
    )  # fmt: skip


def duplicate_guidance(filters: Filters, template: str) -> None:
    """Dedup key candidates, then the latest duplicate pairs side by side."""
    keys = ui.frame("template_dedup_keys", filters, template)
    candidates = keys.loc[keys["candidate"].astype(bool), "key"].astype(str).tolist()
    if candidates:
        st.text("Dedup key candidates (send the first as dedup_key, skip a repeat of it):")
        st.code("\n".join(candidates), language=None)
    else:
        st.text(
            "No metadata key repeats in the duplicate pairs and tells the originals apart: "
            "add the business event's id (run, job, delivery) to the metadata and use it."
        )
    if not keys.empty:
        st.dataframe(
            keys,
            hide_index=True,
            column_config={
                "key": st.column_config.TextColumn("metadata key"),
                "pairs": st.column_config.NumberColumn("duplicate pairs"),
                "pairs_same": st.column_config.NumberColumn(
                    "pairs with the same value", help="the duplicate repeats the earlier value"
                ),
                "share_same": st.column_config.NumberColumn("share of pairs", format="percent"),
                "distinct_values": st.column_config.NumberColumn("distinct values"),
                "recipient_values": st.column_config.NumberColumn(
                    "recipient-value pairs",
                    help="distinct (recipient, value): about one per original for an event key",
                ),
                "originals": st.column_config.NumberColumn(
                    "originals", help="notifications of the template that repeat nothing"
                ),
                "candidate": st.column_config.CheckboxColumn("candidate"),
            },
            key="t_dedup_keys",
        )
    pairs = ui.frame("template_duplicate_pairs", filters, template, 20)
    st.text(f"The latest {len(pairs)} duplicates, each beside the notification it repeats:")
    st.dataframe(
        pairs,
        hide_index=True,
        # what repeats first (the metadata a dedup key comes from), then the text, the ids
        column_order=[
            "created_at",
            "recipient",
            "minutes_after",
            "dup_metadata",
            "earlier_metadata",
            "dup_title",
            "earlier_title",
            "dup_body",
            "earlier_body",
            "notification_id",
            "earlier_id",
        ],
        column_config={
            "created_at": st.column_config.DatetimeColumn("duplicate sent (UTC)"),
            "minutes_after": st.column_config.NumberColumn("minutes after", format="%.1f"),
            "notification_id": st.column_config.TextColumn("duplicate"),
            "earlier_id": st.column_config.TextColumn("repeats"),
            "dup_title": st.column_config.TextColumn("title"),
            "earlier_title": st.column_config.TextColumn("earlier title"),
            "dup_body": st.column_config.TextColumn("body", width="medium"),
            "earlier_body": st.column_config.TextColumn("earlier body", width="medium"),
            "dup_metadata": st.column_config.TextColumn("metadata", width="medium"),
            "earlier_metadata": st.column_config.TextColumn("earlier metadata", width="medium"),
        },
        key="t_dup_pairs",
    )


def expiry_guidance(filters: Filters, template: str, row: pd.Series) -> None:
    """Coverage and stale unread where they stand, and an expires_hours from time to read."""
    cfg = ui.config()
    for name in ("expiry_coverage", "stale_unread_rate", "expired_unread_rate"):
        st.caption(explain.metric_line(name, row, cfg))
    delay = ui.frame("template_read_delay", filters, template).iloc[0]
    text = explain.expiry_text(delay)
    if text is None:
        st.caption(
            "No notification of this template was read in this window: there is no time to "
            "read to base an expiry on. Choose one from how long the notice matters."
        )
        return
    st.metric(
        "Suggested expires_hours",
        count(delay["suggested_hours"]),
        help="the 95th percentile of the time to read, rounded up to whole hours",
    )
    st.caption(text)


def flooding_guidance(filters: Filters, template: str, row: pd.Series) -> None:
    """The recipient-days behind the flood, busiest first."""
    cfg = ui.config()
    st.caption(explain.metric_line("max_per_user_day", row, cfg))
    days = ui.frame("template_flood_days", filters, template, 10)
    st.text(
        f"The {len(days)} busiest recipient-days (more than {cfg.flags['flooding']:g} "
        "notifications of this template to one recipient on one UTC day fire the flag):"
    )
    st.dataframe(
        days,
        hide_index=True,
        column_config={
            "recipient": st.column_config.TextColumn("recipient"),
            "day": st.column_config.DateColumn("day (UTC)"),
            "notifications": st.column_config.NumberColumn("notifications"),
            "first_sent": st.column_config.DatetimeColumn("first (UTC)"),
            "last_sent": st.column_config.DatetimeColumn("last (UTC)"),
        },
        key="t_flood_days",
    )
