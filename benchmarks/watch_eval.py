"""Evaluate `watch` on a seasonal log with planted incidents of every kind.

python -m benchmarks.watch_eval                  # incidents planted: found, missed, delay
python -m benchmarks.watch_eval --quiet          # a quiet month: every alert is false

The log (fixed seed): a dozen templates over several weeks, each with its own level and
the same daily shape (business hours 08-18 UTC, a ramp around them, quiet nights),
weekends at a fifth of weekdays, one weekday holiday at weekend level for everyone, and
Poisson noise on every hour. Each template has its own read rate (reads mostly within
minutes), a small duplicate rate and a small failure rate. Incidents start on the hour
and are planted on weekdays in business hours, two of each kind, never two on one
template at once. `watch` then judges every hour after a one-week warm-up, in one run (its
verdict for an hour reads only hours before it, so one run equals hourly runs).

An alert is *found* for an incident when it has the incident's template and kind and
starts between one hour before the incident and its end; the delay is from the
incident's start to the earliest instant a run could report it (detected_at). Every other
alert is *false*.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from template_noise import db
from template_noise.config import load_config
from template_noise.ingest import ingest
from template_noise.watch.detect import KINDS, Alert, run_watch, stored_alerts

START = datetime(2026, 1, 5)  # a Monday
TEMPLATES = {  # template -> (sends per business hour, read rate)
    "security.password_changed": (80, 0.7),
    "security.unknown_signin": (60, 0.8),
    "collab.invite_accepted": (50, 0.5),
    "collab.role_changed": (40, 0.6),
    "collab.membership_updated": (40, 0.4),
    "ops.webhook_disabled": (30, 0.5),
    "ops.api_key_rotated": (30, 0.6),
    "ops.api_key_revoked": (25, 0.6),
    "ops.automation_failed": (20, 0.5),
    "billing.invoice_ready": (15, 0.3),
    "billing.card_expiring": (10, 0.4),
    "product.digest": (6, 0.2),
}
NEW_TEMPLATE = "ops.export_finished"
DUP_RATE, FAIL_RATE = 0.003, 0.005


def shape(hour: int, weekday: int, holiday: bool) -> float:
    """The share of a template's business-hour level sent in this hour of this day."""
    if 8 <= hour < 18:
        level = 1.0
    elif hour in (7, 18, 19):
        level = 0.5
    else:
        level = 0.08
    return level * (0.2 if weekday >= 5 or holiday else 1.0)


@dataclass(frozen=True)
class Incident:
    template: str
    kind: str
    start: datetime
    hours: int


@dataclass
class Log:
    columns: dict[str, list[object]] = field(
        default_factory=lambda: {k: [] for k in ("event_type", "occurred_at",
                                                 "notification_id", "user_id", "template",
                                                 "title", "body", "severity", "dedup_key")}
    )  # fmt: skip

    def add(self, kind: str, at: datetime, nid: str, user: str, template: str, key: str) -> None:
        for name, value in (("event_type", kind), ("occurred_at", at), ("notification_id", nid),
                            ("user_id", user), ("template", template),
                            ("title", template.replace("_", " ").replace(".", ": ")),
                            ("body", f"event {key}"), ("severity", "info"),
                            ("dedup_key", key)):  # fmt: skip
            self.columns[name].append(value)


def plan(weeks: int, quiet: bool) -> tuple[list[Incident], datetime]:
    """The planted incidents (none when quiet) and the holiday."""
    holiday = START + timedelta(days=16)  # a Wednesday of week 3
    if quiet:
        return [], holiday
    day = lambda d, h: START + timedelta(days=d, hours=h)  # noqa: E731
    incidents = [
        Incident("ops.automation_failed", "spike", day(9, 10), 2),
        Incident("collab.role_changed", "spike", day(23, 14), 3),
        Incident("security.unknown_signin", "drop", day(10, 9), 3),
        Incident("ops.webhook_disabled", "drop", day(25, 13), 4),
        Incident(NEW_TEMPLATE, "new_template", day(31, 10), 24 * 7),
        Incident("collab.invite_accepted", "duplicate_surge", day(11, 11), 3),
        Incident("ops.api_key_rotated", "duplicate_surge", day(29, 9), 2),
        Incident("security.password_changed", "failure_surge", day(15, 10), 3),
        Incident("collab.membership_updated", "failure_surge", day(32, 15), 2),
        Incident("ops.api_key_revoked", "read_collapse", day(18, 9), 4),
        Incident("security.unknown_signin", "read_collapse", day(30, 10), 4),
        Incident("billing.invoice_ready", "spike", day(36, 11), 2),
    ]
    end = START + timedelta(weeks=weeks)
    return [i for i in incidents if i.start + timedelta(hours=i.hours) <= end], holiday


def generate(out: Path, weeks: int, seed: int, quiet: bool) -> list[Incident]:
    """Write the log as Parquet; returns the planted incidents."""
    rng = np.random.default_rng(seed)
    incidents, holiday = plan(weeks, quiet)
    log = Log()
    templates = dict(TEMPLATES)
    new = next((i for i in incidents if i.kind == "new_template"), None)
    if new is not None:
        templates[NEW_TEMPLATE] = (40, 0.5)
    serial = 0
    for h in range(weeks * 7 * 24):
        hour = START + timedelta(hours=h)
        is_holiday = hour.date() == holiday.date()
        for template, (level, read_rate) in templates.items():
            if new is not None and template == NEW_TEMPLATE and hour < new.start:
                continue
            active = {i.kind for i in incidents if i.template == template
                      and i.start <= hour < i.start + timedelta(hours=i.hours)}  # fmt: skip
            lam = level * shape(hour.hour, hour.weekday(), is_holiday)
            if "spike" in active:
                lam += max(5 * level, 60)
            if "drop" in active:
                lam = 0
            n = int(rng.poisson(lam))
            dup_p = 0.3 if "duplicate_surge" in active else DUP_RATE
            fail_p = 0.3 if "failure_surge" in active else FAIL_RATE
            read_p = read_rate * (0.05 if "read_collapse" in active else 1.0)
            offsets = np.sort(rng.uniform(0, 3600, n))
            for offset in offsets:
                serial += 1
                at = hour + timedelta(seconds=float(offset))
                nid, user = f"n{serial}", f"u{rng.integers(5000)}"
                key = f"{template}:{serial}"
                if rng.random() < fail_p:
                    log.add("send_failed", at, nid, user, template, key)
                    continue
                log.add("sent", at, nid, user, template, key)
                if rng.random() < read_p:
                    delay = timedelta(seconds=float(rng.exponential(300)))
                    log.add("read", at + delay, nid, user, template, key)
                if rng.random() < dup_p:  # the same event sent again moments later
                    serial += 1
                    later = at + timedelta(seconds=float(rng.uniform(1, 120)))
                    log.add("sent", later, f"n{serial}", user, template, key)
    table = pa.table(
        {k: pa.array(v, type=pa.timestamp("us") if k == "occurred_at" else pa.string())
         for k, v in log.columns.items()}
    )  # fmt: skip
    pq.write_table(table, out)
    return incidents


@dataclass(frozen=True)
class Row:
    kind: str
    planted: int
    found: int
    missed: int
    false: int
    max_delay_h: float | None


def evaluate(
    workdir: Path, weeks: int = 6, seed: int = 7, quiet: bool = False
) -> tuple[list[Row], list[Alert], list[Incident]]:
    """Generate, load, watch after a week's warm-up; score alerts against the plan."""
    path = workdir / ("quiet.parquet" if quiet else "incidents.parquet")
    incidents = generate(path, weeks, seed, quiet)
    con = db.connect()
    ingest(con, [path])
    config = load_config()
    run_watch(con, config, since=START + timedelta(days=7), as_of=START + timedelta(weeks=weeks))
    alerts = stored_alerts(con)
    matched: set[str] = set()
    delays: dict[Incident, float] = {}
    for inc in incidents:
        end = inc.start + timedelta(hours=inc.hours)
        for a in alerts:
            if (a.template, a.kind) == (inc.template, inc.kind) and (
                inc.start - timedelta(hours=1) <= a.started_at < end
            ):
                matched.add(a.alert_id)
                delay = (a.detected_at - inc.start).total_seconds() / 3600
                delays[inc] = min(delays.get(inc, delay), delay)
    rows = []
    for kind in KINDS:
        planted = [i for i in incidents if i.kind == kind]
        found = [i for i in planted if i in delays]
        false = [a for a in alerts if a.kind == kind and a.alert_id not in matched]
        rows.append(
            Row(kind, len(planted), len(found), len(planted) - len(found), len(false),
                max((delays[i] for i in found), default=None))
        )  # fmt: skip
    return rows, alerts, incidents


def render(rows: list[Row], weeks_judged: float) -> str:
    out = [
        "| kind | planted | found | missed | false alerts | max delay (h) |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        delay = "-" if r.max_delay_h is None else f"{r.max_delay_h:.1f}"
        out.append(f"| {r.kind} | {r.planted} | {r.found} | {r.missed} | {r.false} | {delay} |")
    false = sum(r.false for r in rows)
    out.append(
        f"\nfalse alerts: {false} over {weeks_judged:g} weeks judged "
        f"({false / weeks_judged:.2f} per week, {len(TEMPLATES)} templates)"
    )
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weeks", type=int, default=6)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--quiet", action="store_true", help="no incidents: a quiet month")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp"))
    args = parser.parse_args(argv)
    rows, alerts, _ = evaluate(args.workdir, args.weeks, args.seed, args.quiet)
    print(render(rows, args.weeks - 1))
    for a in alerts:
        print(f"  {a.kind:<15} {a.template:<28} {a.started_at} .. {a.resolved_at}  {a.evidence}")
    # the targets: every incident found within two hours, at most one false alert a week
    # across the templates, none on a quiet month
    missed = sum(r.missed for r in rows)
    late = any(r.max_delay_h is not None and r.max_delay_h > 2 for r in rows)
    false = sum(r.false for r in rows)
    too_noisy = false > 0 if args.quiet else false > args.weeks - 1
    return 1 if missed or late or too_noisy else 0


if __name__ == "__main__":
    sys.exit(main())
