"""`simulate --suggest`: per noisy template, the mildest policy that clears its noisy flags.

Candidates come from the data and are each checked by a replay (template_noise.whatif.
simulate); templates are independent, so one replay checks a candidate of every template:

- `duplicates`: dedup windows from the gaps between the template's repeats (their
  quantiles, in whole minutes, up to the duplicate window of the config, which always
  clears): the shortest window that clears;
- `flooding`: throttles that allow at most the flooding threshold per UTC day
  (`max` per 24 h, half per 12 h, a quarter per 6 h): of those that clear, the one that
  suppresses the fewest notifications;
- `ignored`, `dismissed_unread`: the replay can only remove notifications, so a rate
  changes only by what it removes; digests of 1 h, 4 h and a day are replayed and the
  suggestion says what they show, or that no sending policy clears the flag;
- `no_expiry` or `stale` beside a noisy flag: `expires_hours` from the time to read
  (the 90th percentile, rounded up to whole hours).

The cost of each suggestion is what the final replay of the whole suggested policy
suppresses: notifications, and of them those read or clicked (the engagement at risk).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import duckdb
import pandas as pd
from template_noise.config import Config
from template_noise.filters import Filters
from template_noise.format import pct
from template_noise.metrics import NOISY_FLAGS, compute_metrics, run_query
from template_noise.whatif.policy import Policy, Rules
from template_noise.whatif.simulate import Simulation, simulate

DIGEST_LADDER = (60.0, 240.0, 1440.0)
GAP_QUANTILES = ("p50", "p75", "p90", "p95", "p99", "max")
ENGAGEMENT_FLAGS = {"ignored": "read_rate", "dismissed_unread": "archived_unread_rate"}


@dataclass(frozen=True)
class Suggestion:
    template: str
    flags: tuple[str, ...]  # the noisy flags it had (after the base policy, if one)
    rules: Rules | None  # the template's suggested table; None: nothing to suggest
    cleared: tuple[str, ...]  # of `flags`, those the suggested rules clear in the replay
    still: tuple[str, ...]  # of `flags`, those still firing after it
    sent: int
    suppressed: int
    suppressed_read: int
    suppressed_clicked: int
    notes: tuple[str, ...]

    def as_json(self) -> dict[str, Any]:
        return {
            "template": self.template,
            "flags": list(self.flags),
            "policy": self.rules.as_dict() if self.rules is not None else None,
            "clears": list(self.cleared),
            "still_flagged": list(self.still),
            "sent": self.sent,
            "suppressed": self.suppressed,
            "suppressed_read": self.suppressed_read,
            "suppressed_clicked": self.suppressed_clicked,
            "notes": list(self.notes),
        }


@dataclass(frozen=True)
class Suggestions:
    base: Policy | None
    items: tuple[Suggestion, ...]
    policy: Policy  # the base with every suggested template table added

    def as_json(self) -> dict[str, Any]:
        return {
            "policy": self.policy.as_dict(),
            "suggestions": [s.as_json() for s in self.items],
        }


def _with(base: Policy, tables: dict[str, Rules]) -> Policy:
    """`base` with these template tables laid over its own (key by key)."""
    templates = dict(base.templates)
    for template, rules in tables.items():
        templates[template] = rules.over(templates.get(template, Rules()))
    return Policy(base.default, templates, "suggested")


def _row(sim: Simulation, template: str) -> pd.Series:
    rows = sim.templates.set_index("template")
    if template not in rows.index:
        return pd.Series(dtype=object)
    return pd.Series(rows.loc[template])


def _after(sim: Simulation, template: str, metric: str) -> Any:
    row = sim.after.set_index("template")
    return row.loc[template, metric] if template in row.index else None


def _noisy(flags: Iterable[str], config: Config) -> tuple[str, ...]:
    return tuple(f for f in flags if f in NOISY_FLAGS)


def _dedup_ladder(gaps: list[float] | None, config: Config) -> list[float]:
    """Whole-minute windows from the repeat gaps' quantiles, ending at the config's window."""
    window = float(config.dedup_window_minutes)
    found = {window}
    if gaps is not None:
        found |= {float(min(max(math.ceil(g), 1), window)) for g in gaps if g == g}
    return sorted(found)


def _throttle_ladder(config: Config) -> list[Rules]:
    most = math.floor(config.flags["flooding"])
    ladder = [Rules(throttle_max=max(most, 1), throttle_per_hours=24.0)]
    for hours, share in ((12.0, 2), (6.0, 4)):
        if most // share >= 1:
            ladder.append(Rules(throttle_max=most // share, throttle_per_hours=hours))
    return ladder


def _search(
    run: Any,
    ladders: dict[str, list[Rules]],
    chosen: dict[str, Rules],
    clears: Any,
    first: bool,
) -> dict[str, tuple[Rules, Simulation]]:
    """Replay the ladders' candidates round by round (one replay per round for every
    template); per template the first candidate that clears (first=True), or the clearing
    one that suppresses the fewest notifications."""
    won: dict[str, tuple[Rules, Simulation, int]] = {}
    rounds = max((len(v) for v in ladders.values()), default=0)
    for i in range(rounds):
        tables = {
            t: ladder[i].over(chosen.get(t, Rules()))
            for t, ladder in ladders.items()
            if i < len(ladder) and not (first and t in won)
        }
        if not tables:
            break
        sim = run(tables)
        for t, rules in tables.items():
            row = _row(sim, t)
            if not clears(t, row):
                continue
            cost = int(row["sent"] - row["kept"])
            if t not in won or cost < won[t][2]:
                won[t] = (rules, sim, cost)
    return {t: (rules, sim) for t, (rules, sim, _) in won.items()}


def suggest(
    con: duckdb.DuckDBPyConnection,
    config: Config,
    base: Policy | None = None,
    as_of: datetime | None = None,
) -> Suggestions:
    """For each template noisy in the logs (or after `base`, when given), the mildest
    template table that clears its noisy flags, each checked and costed by a replay."""
    start = base or Policy(source="none")
    filters = Filters(as_of=as_of)
    logged = compute_metrics(con, filters, config).set_index("template")
    if start.empty:
        flags_now = {str(t): [str(x) for x in f] for t, f in logged["flags"].to_dict().items()}
    else:
        first = simulate(con, start, config, as_of)
        flags_now = {
            str(t): [str(x) for x in f]
            for t, f in zip(
                first.templates["template"], first.templates["flags_after"], strict=True
            )
        }
    targets = {t: _noisy(f, config) for t, f in flags_now.items() if _noisy(f, config)}

    def run(tables: dict[str, Rules]) -> Simulation:
        return simulate(con, _with(start, tables), config, as_of)

    chosen: dict[str, Rules] = {}
    notes: dict[str, list[str]] = {t: [] for t in targets}

    # duplicates: the shortest dedup window that clears.
    gap_rows = run_query(con, "whatif/repeat_gaps", filters, config)
    gaps: dict[str, list[float]] = {
        str(t): [float(g) for g in q]
        for t, q in zip(gap_rows["template"], gap_rows["gap_minutes"], strict=True)
    }
    dup = {
        t: [Rules(dedup_window_minutes=w) for w in _dedup_ladder(gaps.get(t), config)]
        for t, f in targets.items()
        if "duplicates" in f
    }
    for t in dup:
        if t in gaps:
            q = ", ".join(
                f"{name} {g:.0f} min" for name, g in zip(GAP_QUANTILES, gaps[t], strict=True)
            )
            notes[t].append(f"gaps between repeats: {q}")
    found = _search(run, dup, chosen, lambda t, r: "duplicates" not in r["flags_after"], True)
    chosen.update({t: rules for t, (rules, _) in found.items()})
    cleared_by_dedup = {t for t, (_, sim) in found.items()
                        if "flooding" not in _row(sim, t)["flags_after"]}  # fmt: skip

    # flooding: the throttle within the threshold a day that suppresses the fewest.
    flood = {
        t: _throttle_ladder(config)
        for t, f in targets.items()
        if "flooding" in f and t not in cleared_by_dedup
    }
    found = _search(run, flood, chosen, lambda t, r: "flooding" not in r["flags_after"], False)
    chosen.update({t: rules for t, (rules, _) in found.items()})

    # ignored, dismissed_unread: what a digest would show.
    engagement = {t: [f for f in f_ if f in ENGAGEMENT_FLAGS] for t, f_ in targets.items()}
    engagement = {t: f for t, f in engagement.items() if f}
    if engagement:
        current = run({t: chosen.get(t, Rules()) for t in engagement})
        open_ = {t: f for t, f in engagement.items()
                 if set(f) & set(_row(current, t)["flags_after"])}  # fmt: skip
        ladder = {t: [Rules(digest_minutes=d) for d in DIGEST_LADDER] for t in open_}
        found = _search(
            run, ladder, chosen,
            lambda t, r: not set(open_[t]) & set(r["flags_after"]), True,
        )  # fmt: skip
        widest = run({t: Rules(digest_minutes=DIGEST_LADDER[-1]).over(chosen.get(t, Rules()))
                      for t in open_}) if open_ else None  # fmt: skip
        for t, f in engagement.items():
            for flag in f:
                metric = ENGAGEMENT_FLAGS[flag]
                was = logged.loc[t, metric] if t in logged.index else None
                if t not in open_:
                    notes[t].append(
                        f"{flag}: the rules above clear it in the replay "
                        f"({metric} {pct(was)} -> {pct(_after(current, t, metric))})"
                    )
                elif t in found:
                    rules, sim = found[t]
                    notes[t].append(
                        f"{flag}: a digest of {rules.digest_minutes:g} min clears it in the "
                        f"replay ({metric} {pct(was)} -> {pct(_after(sim, t, metric))}), only "
                        "by dropping notifications nobody read: whether people would read the "
                        "rest is not in the logs"
                    )
                else:
                    assert widest is not None
                    notes[t].append(
                        f"{flag}: no sending policy clears it: even a daily digest leaves "
                        f"{metric} at {pct(_after(widest, t, metric))} (was {pct(was)}); "
                        "change what the notification says or who receives it"
                    )
        chosen.update({t: rules for t, (rules, _) in found.items()})

    # expiry for templates that also have none (or go stale): from the time to read.
    for t in targets:
        flags = flags_now[t]
        if not {"no_expiry", "stale"} & set(flags) or t not in logged.index:
            continue
        p90: Any = logged.loc[t, "time_to_read_p90_s"]
        if p90 is None or p90 != p90:
            notes[t].append("no_expiry: no read to size an expiry on")
            continue
        hours = max(math.ceil(float(p90) / 3600), 1)
        chosen[t] = replace(chosen.get(t, Rules()), expires_hours=float(hours))
        notes[t].append(f"expires_hours: 90% of reads came within {hours} h of the send")

    policy = _with(start, chosen)
    final = simulate(con, policy, config, as_of) if targets else None
    items = []
    for t, noisy in sorted(targets.items()):
        row = _row(final, t) if final is not None else None
        after = set(row["flags_after"]) if row is not None else set(noisy)
        items.append(
            Suggestion(
                template=t,
                flags=noisy,
                rules=chosen.get(t),
                cleared=tuple(f for f in noisy if f not in after),
                still=tuple(f for f in noisy if f in after),
                sent=int(row["sent"]) if row is not None else 0,
                suppressed=int(row["sent"] - row["kept"]) if row is not None else 0,
                suppressed_read=int(row["suppressed_read"]) if row is not None else 0,
                suppressed_clicked=int(row["suppressed_clicked"]) if row is not None else 0,
                notes=tuple(notes[t]),
            )
        )
    return Suggestions(base, tuple(items), policy)
