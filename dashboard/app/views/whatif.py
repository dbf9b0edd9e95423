"""What-if: set a dedup, digest, throttle or expiry rule for all templates or one, replay it
on the logs, and read each template before and after, the engagement at risk and the
suggested policy (template_noise.whatif; the same replay as `template-noise simulate`)."""

from __future__ import annotations

import hashlib
from typing import Any

import duckdb
import pandas as pd
import streamlit as st
from template_noise import metrics
from template_noise.app import ui
from template_noise.filters import Filters
from template_noise.format import count
from template_noise.whatif import Policy, Rules, Simulation, simulate
from template_noise.whatif.policy import PolicyError, parse_policy
from template_noise.whatif.suggest import Suggestions, suggest

ALL = "All templates"
POLICY_KEY = "wi_policy"  # the policy being edited: {"default": {...}, "templates": {...}}


@st.cache_data(show_spinner="Replaying the policy on the logs…", max_entries=16)
def _simulation(_con: duckdb.DuckDBPyConnection, key: tuple[str, ...], toml: str) -> Simulation:
    import tomllib

    return simulate(_con, parse_policy(tomllib.loads(toml), "the policy"), ui.config())


@st.cache_data(show_spinner="Looking for the mildest fix of each noisy template…", max_entries=4)
def _suggestions(_con: duckdb.DuckDBPyConnection, key: tuple[str, ...]) -> Suggestions:
    return suggest(_con, ui.config())


@st.cache_data(show_spinner=False, max_entries=8)
def _logged(_con: duckdb.DuckDBPyConnection, key: tuple[str, ...]) -> pd.DataFrame:
    return metrics.compute_metrics(_con, Filters(), ui.config())


def _policy() -> Policy:
    stored = st.session_state.get(POLICY_KEY) or {}
    try:
        return parse_policy(stored, "the policy")
    except PolicyError as e:  # a rule set here is checked as it is set; keep going
        st.error(ui.literal(str(e)))
        return Policy()


def _store(policy: Policy) -> None:
    st.session_state[POLICY_KEY] = policy.as_dict()


def _rules_form(scope: str, current: Rules) -> Rules | None:
    """The four rules for `scope`, seeded from the policy; None until "Set" is pressed."""
    slug = "default" if scope == ALL else "t_" + hashlib.sha1(scope.encode()).hexdigest()[:10]
    with st.form(f"wi_form_{slug}"):
        c = st.columns(4)
        on = current.dedup_window_minutes is not None
        dedup = c[0].checkbox("Dedup", on, key=f"wi_dd_{slug}")
        dedup_min = c[0].number_input(
            "window (minutes)",
            0.0,
            value=current.dedup_window_minutes or 60.0,
            key=f"wi_ddm_{slug}",
        )
        digest = c[1].checkbox("Digest", current.digest_minutes is not None, key=f"wi_dg_{slug}")
        digest_min = c[1].number_input(
            "batch (minutes)", 0.0, value=current.digest_minutes or 30.0, key=f"wi_dgm_{slug}"
        )
        throttle = c[2].checkbox("Throttle", current.throttle, key=f"wi_th_{slug}")
        most = c[2].number_input(
            "at most", 1, value=current.throttle_max or 3, key=f"wi_thm_{slug}"
        )
        hours = c[2].number_input(
            "per hours", 0.1, value=current.throttle_per_hours or 24.0, key=f"wi_thh_{slug}"
        )
        expiry = c[3].checkbox("Expiry", current.expires_hours is not None, key=f"wi_ex_{slug}")
        expires = c[3].number_input(
            "expires after (hours)",
            0.1,
            value=current.expires_hours or 72.0,
            key=f"wi_exh_{slug}",
        )
        if not st.form_submit_button("Set these rules", icon=":material/check:"):
            return None
    return Rules(
        dedup_window_minutes=float(dedup_min) if dedup else None,
        digest_minutes=float(digest_min) if digest else None,
        throttle_max=int(most) if throttle else None,
        throttle_per_hours=float(hours) if throttle else None,
        expires_hours=float(expires) if expiry else None,
    )  # fmt: skip


def _side_by_side(sim: Simulation, before: pd.DataFrame) -> pd.DataFrame:
    logged = before.set_index("template")
    rows = []
    for _, r in sim.templates.iterrows():
        t = r["template"]
        was: Any = logged.loc[t] if t in logged.index else None
        rows.append({
            "template": t,
            "sent": r["sent"],
            "kept": r["kept"],
            "dedup": r["suppressed_dedup"],
            "digest": r["suppressed_digest"],
            "throttle": r["suppressed_throttle"],
            "read lost": r["suppressed_read"],
            "clicks lost": r["suppressed_clicked"],
            "recipients hit": r["recipients_affected"],
            "max/user/day": None if was is None else was["max_per_user_day"],
            "max/user/day after": r["max_per_user_day_after"],
            "duplicates": None if was is None else was["duplicate_rate"],
            "duplicates after": r["duplicate_rate_after"],
            "stale unread": None if was is None else was["stale_unread_rate"],
            "stale unread after": r["stale_unread_rate_after"],
            "flags": [] if was is None else list(was["flags"]),
            "flags after": list(r["flags_after"]),
        })  # fmt: skip
    return pd.DataFrame(rows)


RATE = st.column_config.NumberColumn(format="percent")

st.title("What-if")
st.caption(
    "Replay a sending policy on every logged notification (the sidebar's filters do not "
    "apply): what it would have suppressed, the reads and clicks at risk, and each "
    "template before and after. The same replay as `template-noise simulate`."
)
con = ui.connection()
key = ui._key(ui.data_version())
before = _logged(con, key)
if before.empty:
    st.info("No notifications loaded yet.")
    st.stop()

policy = _policy()
scope = st.selectbox(
    "Rules for", [ALL, *sorted(before["template"].astype(str))], key="wi_scope",
    help="All templates: the policy's [default]; a template: its own table, over the default",
)  # fmt: skip
own = policy.default if scope == ALL else policy.templates.get(scope, Rules())
rules = _rules_form(scope, own)
if rules is not None:
    templates = dict(policy.templates)
    if scope == ALL:
        policy = Policy(rules, templates)
    else:
        if rules.empty:
            templates.pop(scope, None)
        else:
            templates[scope] = rules
        policy = Policy(policy.default, templates)
    _store(policy)

left, right = st.columns(2)
if left.button("Suggest the mildest fix", key="wi_suggest", icon=":material/auto_fix_high:"):
    found = _suggestions(con, key)
    _store(found.policy)
    policy = found.policy
    st.session_state["wi_notes"] = [
        (s.template, s.flags, s.cleared, s.suppressed, s.sent, s.suppressed_read,
         s.suppressed_clicked, s.notes)
        for s in found.items
    ]  # fmt: skip
if right.button("Clear the policy", key="wi_clear", icon=":material/delete:"):
    _store(Policy())
    policy = Policy()
    st.session_state.pop("wi_notes", None)

toml = policy.to_toml()
st.subheader("Policy")
st.code(toml or "# no rule set: the replay keeps every notification", language="toml")
st.download_button(
    "Download the policy (TOML)", toml, file_name="policy.toml", mime="application/toml",
    key="wi_download", icon=":material/download:", disabled=not toml,
)  # fmt: skip

for template, flags, cleared, suppressed, sent, read, clicked, notes in st.session_state.get(
    "wi_notes", []
):
    with st.expander(f"Suggested for {ui.literal(template)}"):
        st.text(
            f"noisy flags: {', '.join(flags)}; clears: {', '.join(cleared) or 'none'}\n"
            f"cost: {suppressed:,} of {sent:,} suppressed, of them {read:,} read and "
            f"{clicked:,} clicked\n" + "\n".join(notes)
        )

sim = _simulation(con, key, toml)
cols = ui.metric_row(5)
cols[0].metric("Sent", count(sim.total["sent"]))
cols[1].metric("Kept", count(sim.total["kept"]))
cols[2].metric("Reads at risk", count(sim.total["suppressed_read"]))
cols[3].metric("Clicks at risk", count(sim.total["suppressed_clicked"]))
cols[4].metric("Noisy after", count(int(sim.templates["noisy_after"].sum())))

st.subheader("Before and after, per template")
st.dataframe(
    _side_by_side(sim, before),
    hide_index=True,
    key="wi_table",
    column_config={
        "template": st.column_config.TextColumn("Template", pinned=True),
        "duplicates": RATE, "duplicates after": RATE,
        "stale unread": RATE, "stale unread after": RATE,
        "flags": st.column_config.ListColumn("Flags"),
        "flags after": st.column_config.ListColumn("Flags after"),
    },
)  # fmt: skip
st.subheader("Go-live checklist after")
st.dataframe(
    pd.DataFrame([{"item": i.label, "after": i.status} for i in sim.checklist_after.items]),
    hide_index=True,
    key="wi_checklist",
)
