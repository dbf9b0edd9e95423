"""Go-live checklist: every item with status, evidence and threshold; the release owner's
sign-off (stored append-only with the result and a fingerprint of the data); the history;
a Markdown export. The checklist covers all loaded data, as `template-noise check` does.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Literal

import pandas as pd
import streamlit as st
from template_noise import signoff
from template_noise.app import ui
from template_noise.checklist import render
from template_noise.errors import TemplateNoiseError

BADGE_COLOR: dict[str, Literal["green", "red"]] = {"pass": "green", "fail": "red"}


st.title("Go-live checklist")
st.caption(
    "Over all loaded data with the configured thresholds, exactly as `template-noise check`. "
    "Items without data need a person's sign-off."
)

result = ui.checklist_result()
fingerprint = ui.data_fingerprint()
counts = result.counts()
st.badge(
    render.STATUS_LABEL[result.status], color=BADGE_COLOR[result.status], icon=":material/flag:"
)
cols = ui.metric_row(4)
cols[0].metric("Passed", counts["pass"])
cols[1].metric("Failed", counts["fail"])
cols[2].metric("No data", counts["no_data"])
cols[3].metric("Data fingerprint", fingerprint[:12], help=fingerprint)

# The same words as `template-noise check`: status labels, evidence, threshold text.
table = pd.DataFrame([asdict(row) for row in render.rows(result)])
st.dataframe(
    table,
    hide_index=True,
    column_config={
        "evidence": st.column_config.TextColumn("evidence", width="large"),
        "rule": st.column_config.TextColumn("passes when", width="medium"),
    },
    key="cl_items",
)
with st.expander("Evidence in detail (the numbers and templates behind each item)"):
    pick = st.selectbox("Item", [i.id for i in result.items], key="cl_item_pick")
    item = next(i for i in result.items if i.id == pick)
    st.json(render.evidence_json(item))

st.subheader("Sign off")
# With a login configured, the sign-off records who is logged in, not a typed name.
who = ui.signer()
with st.form("signoff_form", clear_on_submit=False):
    left, right = st.columns(2)
    if who is None:
        name = left.text_input("Name", key="so_name", max_chars=signoff.MAX_FIELD)
    else:
        name = who.name
        left.caption("Signing as (from your login)")
        left.text(f"{who.name} <{who.email}>" if who.email else who.name)
    role = right.text_input("Role", key="so_role", max_chars=signoff.MAX_FIELD,
                            placeholder="e.g. release owner")  # fmt: skip
    notes = st.text_area("Notes", key="so_notes", max_chars=signoff.MAX_NOTES)
    waivers_text = st.text_area(
        "Waivers (one per line: item or template: reason)",
        key="so_waivers",
        help="Accepted failures or items without data, recorded with this sign-off. To "
        "waive a noisy template in the evaluation itself, add [[waivers]] to the config.",
    )
    submitted = st.form_submit_button(f"Sign off ({result.status})", key="so_submit")
if submitted:
    try:
        waivers = signoff.parse_waivers(waivers_text)
        stored = ui.write(
            lambda con: signoff.record(
                con,
                name=name,
                role=role,
                notes=notes,
                waivers=waivers,
                result=result.as_json(),
                email=who.email if who else "",
                identity="oidc" if who else "typed",
            )
        )
    except TemplateNoiseError as e:
        st.warning(f"Not signed: {ui.literal(e)}")
    else:
        st.success(f"Signed off as #{stored.signoff_id} at {stored.signed_at:%Y-%m-%d %H:%M} UTC.")

st.subheader("Sign-off history")
history = signoff.history(ui.connection())
chain = signoff.verify(ui.connection())
if chain.intact and history:
    st.caption(
        f"Hash chain intact over {chain.rows - len(chain.legacy)} sign-off(s)"
        + (f"; head {ui.literal(chain.head)}." if chain.head else ".")
        + (f" {len(chain.legacy)} older sign-off(s) predate the chain." if chain.legacy else "")
    )
elif not chain.intact:
    st.error(
        "The sign-off record was altered after signing: "
        + "; ".join(ui.literal(p.detail) for p in chain.problems)
        + ". Run `template-noise signoffs verify --db FILE` for details."
    )
if history:
    table_history = pd.DataFrame(
        {
            "#": [s.signoff_id for s in history],
            "signed at (UTC)": [s.signed_at for s in history],
            "name": [s.name for s in history],
            "e-mail": [s.email for s in history],
            "identity": [s.identity for s in history],
            "role": [s.role for s in history],
            "status": [s.status for s in history],
            "data": [
                "current" if s.data_fingerprint == fingerprint else "older data" for s in history
            ],
            "notes": [s.notes for s in history],
            "waivers": ["; ".join(f"{k}: {v}" for k, v in s.waivers.items()) for s in history],
            "fingerprint": [s.data_fingerprint for s in history],
            "hash": [s.row_hash for s in history],
        }
    )
    st.dataframe(table_history, hide_index=True, key="cl_history")
    ui.csv_download(table_history, "signoffs.csv", key="cl_history_csv",
                    label="Download the sign-offs (CSV)")  # fmt: skip
else:
    st.info("No sign-off yet.")

report = signoff.markdown_report(
    render.render_markdown(result), history, data_fingerprint=fingerprint
)
st.download_button(
    "Download as Markdown",
    report,
    file_name="go-live-checklist.md",
    mime="text/markdown",
    key="cl_download",
    icon=":material/download:",
)
