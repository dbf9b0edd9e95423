"""Go-live checklist: every item with status, evidence and threshold; the release owner's
sign-off (approve or reject, confirmed before it is written, one row per submit, stored
append-only with the result and the fingerprints of the data and the config); the history;
a Markdown export. The checklist covers all loaded data, as `template-noise check` does, with
the waivers of the sign-off in force (the newest, when it approves this data and config).
"""

from __future__ import annotations

import uuid
from dataclasses import asdict
from datetime import timedelta
from typing import Any, Literal

import pandas as pd
import streamlit as st
from template_noise import freshness, release, signoff
from template_noise.app import ui
from template_noise.checklist import evaluate_data, render
from template_noise.errors import InputError, TemplateNoiseError

BADGE_COLOR: dict[str, Literal["green", "red"]] = {"pass": "green", "fail": "red"}
WAIVER_HELP = (
    "One waiver per line, applied when the sign-off approves:\n\n"
    "- `ITEM: reason` waives a checklist item (its FAIL or NO DATA reads WAIVED), e.g. "
    "`realtime_reconnection: verified by hand on staging`;\n"
    "- `TEMPLATE: FLAG: reason` waives one flag of one template in "
    "noisy_template_monitoring, as a [[waivers]] entry of the config does, e.g. "
    "`Flood: flooding: load test template, removed before launch`.\n\n"
    "ITEM is one of the nine item ids, TEMPLATE a template in the data, FLAG a flag name; "
    "anything else is refused."
)
FORM_KEYS = ("so_name", "so_role", "so_notes", "so_waivers")


def _confirm() -> None:
    """Write the reviewed sign-off. Runs before the page, once per click; the submit token
    makes a second click or a rerun of the same submit return the row already stored."""
    state = st.session_state
    pending: dict[str, Any] | None = state.get("so_pending")
    if pending is None:
        return  # already written (a double click) or cancelled
    try:
        stored = ui.write(
            lambda con: signoff.record(
                con,
                name=pending["name"],
                role=pending["role"],
                notes=pending["notes"],
                waivers=pending["waivers"],
                result=pending["result"],
                email=pending["email"],
                identity="oidc" if pending["email"] else "typed",
                decision=pending["decision"],
                config_fingerprint=pending["config_fingerprint"],
                submit_token=pending["token"],
                expect_data_fingerprint=pending["data_fingerprint"],
            )
        )
    except TemplateNoiseError as e:
        state["so_error"] = str(e)
        state.pop("so_pending", None)
        return
    state.pop("so_pending", None)
    for key in FORM_KEYS:
        state[key] = ""
    state["so_decision"] = None
    state["so_flash"] = (
        f"Signed off as #{stored.signoff_id} ({stored.decision}) at "
        f"{stored.signed_at:%Y-%m-%d %H:%M} UTC."
    )


def _cancel() -> None:
    st.session_state.pop("so_pending", None)


st.title("Go-live checklist")
st.caption(
    "Over all loaded data with the configured thresholds, exactly as `template-noise check`, "
    "with the waivers of the sign-off in force. Items without data need a person's sign-off."
)

result = ui.release_result()
ctx = result.context
assert ctx is not None  # release.evaluate always says where the result stands
fingerprint = ctx.data_fingerprint
counts = result.counts()
st.badge(
    render.STATUS_LABEL[result.status], color=BADGE_COLOR[result.status], icon=":material/flag:"
)
cols = ui.metric_row(4)
cols[0].metric("Passed", counts["pass"])
cols[1].metric("Failed", counts["fail"])
cols[2].metric("No data", counts["no_data"])
cols[3].metric("Waived", counts["waived"])
where = st.columns(2)
where[0].metric("Data fingerprint", fingerprint[:12], help=fingerprint)
where[1].metric(
    "Data age",
    "n/a" if ctx.age_hours is None else freshness.duration(timedelta(hours=ctx.age_hours)),
    help="Time since the newest event, against the wall clock.",
)
# As of, data age, both fingerprints and the sign-off, as `check` prints them; plain text
# (a signer's name is untrusted).
st.text("\n".join(render.context_lines(ctx, result.as_of)))

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
    st.caption(f"{render.STATUS_LABEL[item.status]}: {item.label}")
    # Labelled lines, numbers as the pages show them; plain text, never Markdown.
    st.code("\n".join(render.evidence_lines(item)), language=None, wrap_lines=True)

st.subheader("Sign off")
state = st.session_state
if (flash := state.pop("so_flash", None)) is not None:
    st.success(flash)
if (error := state.pop("so_error", None)) is not None:
    st.warning(f"Not signed: {ui.literal(error)}")
latest = signoff.history(ui.connection())[:1]
if "so_waivers" not in state and latest and latest[0].approves and latest[0].waivers:
    # A new sign-off (new data, other thresholds) starts from the waivers last approved.
    state["so_waivers"] = "\n".join(f"{k}: {v}" for k, v in latest[0].waivers.items())
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
    decision = st.radio(
        "Decision",
        signoff.DECISIONS,
        index=None,
        key="so_decision",
        horizontal=True,
        format_func=lambda d: {"approve": "Approve the release", "reject": "Reject it"}[d],
        help="Approve: `template-noise check --require-signoff` passes on this data and config "
        "when the checklist passes with these waivers. Reject: it fails until a new approval.",
    )
    notes = st.text_area("Notes", key="so_notes", max_chars=signoff.MAX_NOTES)
    waivers_text = st.text_area(
        "Waivers (ITEM: reason, or TEMPLATE: FLAG: reason; one per line)",
        key="so_waivers",
        help=WAIVER_HELP,
    )
    submitted = st.form_submit_button("Review sign-off", key="so_submit")
if submitted:
    try:
        if not str(name or "").strip() or not str(role or "").strip():
            raise InputError("a sign-off needs a name and a role")
        if decision is None:
            raise InputError("choose a decision: approve or reject")
        data = ui.checklist_data()
        waivers = release.parse_waivers(waivers_text or "", data, ui.config())
        preview = evaluate_data(data, ui.config(), waivers=waivers)
    except TemplateNoiseError as e:
        state.pop("so_pending", None)
        st.warning(f"Not signed: {ui.literal(e)}")
    else:
        state["so_pending"] = {
            "token": uuid.uuid4().hex,
            "name": str(name).strip(),
            "role": str(role).strip(),
            "notes": notes or "",
            "email": who.email if who else "",
            "decision": decision,
            "waivers": waivers.as_mapping(),
            "result": preview.as_json(),
            "status": preview.status,
            "data_fingerprint": fingerprint,
            "config_fingerprint": ctx.config_fingerprint,
        }
pending = state.get("so_pending")
if pending is not None:
    with st.container(border=True, key="so_review"):
        st.markdown(
            f"**Confirm: {pending['decision']} sign-off of data fingerprint "
            f"{pending['data_fingerprint'][:12]}… under config "
            f"{pending['config_fingerprint'][:12]}…**"
        )
        st.text(
            f"Checklist with these waivers: {render.STATUS_LABEL[pending['status']]}; "
            f"{len(pending['waivers'])} waiver(s). Nothing is written until you confirm; "
            "a sign-off is permanent."
        )
        if pending["decision"] == "approve" and pending["status"] != "pass":
            st.warning(
                "The checklist still fails with these waivers: `check --require-signoff` "
                "exits 1 until it passes."
            )
        left, right = st.columns(2)
        left.button(
            f"Confirm: {pending['decision']}", key="so_confirm", type="primary",
            on_click=_confirm,
        )  # fmt: skip
        right.button("Cancel", key="so_cancel", on_click=_cancel)

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
            "decision": [s.decision or "none recorded" for s in history],
            "name": [s.name for s in history],
            "e-mail": [s.email for s in history],
            "identity": [s.identity for s in history],
            "role": [s.role for s in history],
            "status": [s.status for s in history],
            "data": [
                "current" if s.data_fingerprint == fingerprint else "older data" for s in history
            ],
            "config": [
                "current" if s.config_fingerprint == ctx.config_fingerprint else "other config"
                for s in history
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
