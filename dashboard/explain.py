"""Every number with its reason: the threshold a metric is judged against, what firing means,
and why a value is undefined.

The words come from the metric catalogue (queries/catalogue.toml: labels, units, `undefined`
reasons, the [[flags]] texts), the rules from metrics.FLAGS and the thresholds from the
config, so a page never writes its own. Whether a flag fires is metrics.condition_holds, the
function the ranking uses. No streamlit here: the pages and the tests read the same text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd
from template_noise import catalogue
from template_noise.config import Config
from template_noise.format import BY_FORMAT, count, pct, seconds, undefined
from template_noise.metrics import FLAGS, Condition, Flag, condition_holds, signals

UNDEFINED = "—"


def _cat() -> catalogue.Catalogue:
    return catalogue.load()


def is_undefined(value: Any) -> bool:
    if isinstance(value, list | tuple):
        return False
    return undefined(value)


def formatted(name: str, value: Any) -> str:
    """A metric's (or signal's) value in its format, "—" when undefined."""
    if is_undefined(value) and _cat().format_of(name) != "list":
        return UNDEFINED
    return BY_FORMAT[_cat().format_of(name)](value)


def value_text(name: str, value: Any) -> str:
    """The value with its unit ("9.1% of sent"), or "— (nothing sent in this window)"."""
    metric = _cat().metric(name)
    if is_undefined(value) and metric.format != "list":
        return f"{UNDEFINED} ({metric.undefined or 'not defined here'})"
    shown = formatted(name, value)
    return f"{shown} {metric.unit}" if metric.unit and metric.format == "percent" else shown


def undefined_reason(name: str, value: Any) -> str | None:
    """Why `value` is undefined (the catalogue's reason), or None when it is defined."""
    metric = _cat().metric(name)
    if metric.format == "list" or not is_undefined(value):
        return None
    return metric.undefined or "not defined here"


def _threshold(cond: Condition, config: Config) -> str:
    return formatted(cond.signal, config.flags[cond.threshold])


def _way(cond: Condition) -> str:
    counting = _cat().format_of(cond.signal) == "count"
    if cond.op == ">":
        return "more than" if counting else "above"
    return "fewer than" if counting else "below"


def condition_text(cond: Condition, config: Config) -> str:
    """One condition in words: "Read rate below 20.0%", "Max per user per day more than 10"."""
    text = f"{_cat().label(cond.signal)} {_way(cond)} {_threshold(cond, config)}"
    if cond.needs_volume:
        text += f" (with at least {config.min_volume:,} {_cat().label(cond.volume).lower()})"
    return text


def rule_text(flag: Flag, config: Config) -> str:
    """When the flag fires, in words, with the config's thresholds."""
    return " or ".join(condition_text(c, config) for c in flag.conditions)


@dataclass(frozen=True)
class Verdict:
    """One flag judged on one template: fired or not, and why."""

    flag: str
    label: str
    noisy: bool
    fired: bool
    status: str  # "fires", "ok", or "not judged: ..." (too few sent for a rate flag)
    rule: str  # when it fires, with the thresholds in force
    value: str  # this template's values of the flag's metrics
    meaning: str
    fix: str


def _signal_row(row: pd.Series, config: Config) -> pd.DataFrame:
    frame = pd.DataFrame([row.to_dict()])
    return signals(frame, config)


def verdicts(row: pd.Series, config: Config) -> list[Verdict]:
    """Every flag (all ten, in FLAGS order) judged on one row of the ranking."""
    values = _signal_row(row, config)
    out = []
    for flag in FLAGS:
        held = [bool(condition_holds(values, c, config)[0].iloc[0]) for c in flag.conditions]
        short = [
            c for c in flag.conditions
            if c.needs_volume and float(values[c.volume].iloc[0]) < config.min_volume
        ]  # fmt: skip
        if any(held):
            status = "fires"
        elif short and len(short) == len(flag.conditions):
            volume = short[0].volume
            status = (
                f"not judged: {int(values[volume].iloc[0]):,} "
                f"{_cat().label(volume).lower()}, needs {config.min_volume:,}"
            )
        else:
            status = "ok"
        shown = "; ".join(
            f"{_cat().label(c.signal)} {formatted(c.signal, values[c.signal].iloc[0])}"
            for c in flag.conditions
        )
        text = _cat().flag(flag.name)
        out.append(
            Verdict(
                flag=flag.name,
                label=text.label,
                noisy=flag.noisy,
                fired=any(held),
                status=status,
                rule=rule_text(flag, config),
                value=shown,
                meaning=text.meaning,
                fix=text.fix,
            )
        )
    return out


def verdict_frame(row: pd.Series, config: Config) -> pd.DataFrame:
    """verdicts() as a table, fired flags first (noisy ones before the others)."""
    rows = [
        {"flag": v.flag, "status": v.status, "noisy": v.noisy, "this template": v.value,
         "fires when": v.rule, "what it means": v.meaning}
        for v in verdicts(row, config)
    ]  # fmt: skip
    frame = pd.DataFrame(rows)
    order = frame["status"].eq("fires").map({True: 0, False: 1}) * 2 + (~frame["noisy"]) * 1
    return frame.assign(_o=order).sort_values("_o", kind="stable").drop(columns="_o")


def metric_note(name: str, row: pd.Series, config: Config) -> str:
    """What a shown metric is judged against: "below 20.0%: ignored" when it fires a flag,
    "ignored fires below 20.0%" when it does not, the reason when it is undefined, "" when no
    flag reads it."""
    reason = undefined_reason(name, row.get(name))
    if reason is not None:
        return reason
    values = _signal_row(row, config)
    notes = []
    for flag in FLAGS:
        for cond in flag.conditions:
            if cond.signal != name:
                continue
            rule = f"{_way(cond)} {_threshold(cond, config)}"
            if bool(condition_holds(values, cond, config)[0].iloc[0]):
                notes.append(f"{rule}: {flag.name}")
            elif cond.needs_volume and float(values[cond.volume].iloc[0]) < config.min_volume:
                notes.append(
                    f"not judged under {config.min_volume:,} "
                    f"{_cat().label(cond.volume).lower()} ({flag.name} fires {rule})"
                )
            else:
                notes.append(f"ok: {flag.name} fires {rule}")
    return "; ".join(notes)


def metric_line(name: str, row: pd.Series, config: Config) -> str:
    """A metric where it stands: "Read rate 9.1% of sent — below 20.0%: ignored"."""
    label = _cat().metric(name).label
    value = row.get(name)
    if is_undefined(value) and _cat().metric(name).format != "list":
        return f"{label} {UNDEFINED} ({undefined_reason(name, value)})"
    note = metric_note(name, row, config)
    text = f"{label} {value_text(name, value)}"
    return f"{text} — {note}" if note else text


def expiry_text(delay: pd.Series) -> str | None:
    """The suggested expires_hours of queries/dashboard/template_read_delay.sql in words, or
    None when nothing was read (there is no time to read to base it on)."""
    reads = int(delay["reads"] or 0)
    if reads == 0 or is_undefined(delay["suggested_hours"]):
        return None
    hours = int(delay["suggested_hours"])
    return (
        f"95% of the reads came within {seconds(float(delay['p95_hours']) * 3600)} of sending "
        f"(90%: {seconds(float(delay['p90_hours']) * 3600)}). expires_hours = {hours} keeps "
        f"{count(delay['reads_kept'])} of {count(reads)} reads ({pct(delay['kept_share'])}); "
        "a notification nobody read by then leaves the inbox instead of going stale."
    )
