"""Deterministic generator of realistic Wacht-style notification logs (SPEC event-log shape).

Templates come from a table of specs. Each kind of noise the SPEC flags is planted, well above
its default threshold, in its own template(s), while a few templates stay clean. The output is
one JSON Lines file; the same arguments always give the same bytes (seeded `random.Random`,
a fixed 30-day window ending 2026-10-31T00:00:00Z, never the clock).
"""

from __future__ import annotations

import json
import math
import random
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

DEFAULT_NOTIFICATIONS = 4000
DEFAULT_SEED = 7

_MIN, _HOUR, _DAY = 60_000, 3_600_000, 86_400_000
END_MS = int(datetime(2026, 10, 31, tzinfo=UTC).timestamp()) * 1000  # data: 30 days before
START_MS = END_MS - 30 * _DAY
_WACHT_EPOCH_MS = int(datetime(2024, 1, 1, tzinfo=UTC).timestamp()) * 1000
APP_URL = "https://app.example.com"

N_USERS = 300
# workspace id -> (name, organization)
WORKSPACES = {
    "ws_acme_core": ("Core Platform", "org_acme"),
    "ws_acme_growth": ("Growth", "org_acme"),
    "ws_globex_ops": ("Operations", "org_globex"),
    "ws_initech_fin": ("Finance", "org_initech"),
    "ws_initech_it": ("IT", "org_initech"),
    "ws_umbrella_lab": ("Research Lab", "org_umbrella"),
    "ws_hooli_eng": ("Engineering", "org_hooli"),
    "ws_hooli_data": ("Data", "org_hooli"),
}
FIRST = ("Ada", "Ben", "Chen", "Dara", "Eli", "Fatima", "Gus", "Hana", "Ivan", "Jules", "Kofi")
LAST = ("Okafor", "Silva", "Nguyen", "Schmidt", "Kowalski", "Haddad", "Tanaka", "Murphy")
CHOICES: dict[str, tuple[str, ...]] = {
    "device": (
        "Chrome on macOS",
        "Firefox on Windows",
        "Safari on iOS",
        "Edge on Windows",
        "Chrome on Android",
    ),
    "location": (
        "Lisbon, PT",
        "Lagos, NG",
        "Sao Paulo, BR",
        "Frankfurt, DE",
        "Jakarta, ID",
        "Ashburn, US",
        "Warsaw, PL",
    ),
    "method": ("authenticator app", "security key", "SMS"),
    "key_name": ("CI deploy key", "Billing sync", "Terraform", "Zapier integration", "Mobile app"),
    "automation": (
        "auto_012:Sync invoices to Xero",
        "auto_027:Nightly CRM export",
        "auto_031:Provision new hires",
        "auto_044:Rotate staging secrets",
        "auto_058:Slack digest",
    ),
    "step": ("Fetch records", "Transform payload", "Push to destination", "Send summary email"),
    "role": ("owner", "admin", "member", "billing", "viewer"),
    "change": ("added to", "removed from"),
    "hook_host": ("hooks.acme-shop.io", "api.example.com", "ingest.globex.net", "n8n.initech.dev"),
    "error": (
        "503 Service Unavailable from notifications API",
        "timeout after 10000 ms",
        "connection reset by peer",
        "429 Too Many Requests",
    ),
}
IP_PREFIXES = ("203.0.113", "198.51.100", "192.0.2", "185.220.101", "45.83.64")


@dataclass(frozen=True)
class Spec:
    """One template: its payload, how users engage with it, and which noise it plants."""

    key: str
    weight: float  # share of all notifications
    title: str  # str.format patterns over the context
    body: str
    metadata: tuple[str, ...]  # "key" or "key=context field"
    severities: tuple[tuple[str, float], ...]  # (severity, weight)
    scope: str = "user"  # user | organization | workspace
    template_in: str = "field"  # field | metadata | none (inferred from title)
    expires_hours: int | None = None
    expires_alias: float = 0.0  # share sent with expires_in_hours instead
    cta: tuple[str, str] | None = None  # (label, payload pattern)
    cta_styles: tuple[tuple[str, float], ...] = (("ctas", 1.0),)
    dedup_key: str | None = None
    read: float = 0.85
    archive: float = 0.3  # of read ones
    dismiss: float = 0.1  # archived without reading, of unread ones
    star: float = 0.05
    click: float = 0.4  # of read ones with a CTA
    duplicates: float = 0.0  # re-sent within minutes, keys reordered
    flood: float = 0.0  # sent in bursts of 12-16 to one user in hours
    drift: tuple[str, ...] = ()  # an alternate metadata key set ...
    drift_rate: float = 0.0  # ... used by this share of sends
    invalid_metadata: tuple[object, ...] = ()  # non-object metadata, each planted a few times
    retries: float = 0.0  # share needing more than one attempt
    max_attempt: int = 2
    failures: float = 0.0  # share that only ever fails


SPECS: tuple[Spec, ...] = (
    # clean: read, expiring, one severity, stable metadata, no duplicates
    Spec(
        "security.password_changed",
        0.10,
        "Your password was changed",
        "Your password was changed from {device} ({ip}). If this wasn't you, reset it now.",
        ("ip", "device"),
        (("info", 1),),
        expires_hours=72,
        dedup_key="password_changed:{ref}",
        cta=("Review security", "/settings/security"),
    ),
    Spec(
        "security.mfa_enabled",
        0.07,
        "Two-factor authentication enabled",
        "Sign-ins now require your {method}.",
        ("method", "device"),
        (("success", 1),),
        expires_hours=168,
        expires_alias=0.4,
        star=0.1,
    ),
    Spec(
        "collaboration.invite_accepted",
        0.09,
        "{invitee_name} accepted your invite",
        "{invitee_email} joined {workspace_name}.",
        ("workspace_id", "invitee_email"),
        (("success", 1),),
        template_in="metadata",
        expires_hours=48,
        read=0.8,
        star=0.15,
    ),
    # noisy or unconventional, one story each
    Spec(
        "security.mfa_disabled",
        0.07,
        "Two-factor authentication disabled",
        "Two-factor authentication was turned off from {device}. Turn it back on to stay safe.",
        ("device", "ip"),
        (("warning", 1),),
        expires_hours=168,
        retries=0.3,
        max_attempt=7,
        failures=0.06,
        cta=("Turn on 2FA", "/settings/security/2fa"),
    ),
    Spec(
        "unknown_signin",
        0.08,
        "Unknown sign-in from {ip}",
        "We noticed a sign-in from "
        "{location} using {device}. If this wasn't you, change your password.",
        ("ip", "location", "device"),
        (("critical", 1),),
        template_in="none",
        expires_hours=48,
        read=0.9,
        retries=0.01,
    ),
    Spec(
        "collaboration.role_changed",
        0.09,
        "Your role in {workspace_name} changed",
        "{actor_name} changed your role from {previous_role} to {role}.",
        ("workspace_id", "role", "previous_role"),
        (("info", 1),),
        expires_hours=72,
        read=0.75,
        drift=("workspace=workspace_name", "new_role=role", "old_role=previous_role"),
        drift_rate=0.12,
        invalid_metadata=("role=admin", ("admin", "member")),
    ),
    Spec(
        "collaboration.workspace_membership_updated",
        0.08,
        "Workspace membership updated",
        "{invitee_email} was {change} {workspace_name}.",
        ("workspace_id", "member_email=invitee_email", "change"),
        (("info", 1),),
        scope="workspace",
        template_in="metadata",
        read=0.35,
        dismiss=0.75,
        archive=0.2,
    ),
    Spec(
        "operations.webhook_endpoint_disabled",
        0.13,
        "Webhook endpoint disabled",
        "Endpoint {endpoint_url} returned repeated failures and was disabled.",
        ("endpoint_id", "consecutive_failures=failures"),
        (("warning", 1),),
        expires_hours=24,
        cta=("Review endpoint", "/settings/webhooks/{endpoint_id}"),
        cta_styles=(("ctas", 0.5), ("action_url", 0.3), ("url", 0.17), ("both", 0.03)),
        read=0.5,
        dismiss=0.2,
        flood=0.3,
        retries=0.02,
    ),
    Spec(
        "operations.api_key_revoked",
        0.08,
        "API key revoked",
        'The API key "{key_name}" ({key_id}) was revoked by {actor_name}.',
        ("key_id", "revoked_by=actor_id"),
        (("warning", 0.6), ("error", 0.4)),
        expires_hours=72,
        dedup_key="api_key_revoked:{key_id}",
        failures=0.005,
        cta=("View API keys", "/settings/api-keys"),
    ),
    Spec(
        "operations.api_key_rotated",
        0.08,
        "API key rotated",
        'The API key "{key_name}" was rotated. Update integrations still using the old key.',
        ("key_id", "rotated_by=actor_id"),
        (("info", 1),),
        scope="organization",
        read=0.1,
        dismiss=0.05,
        retries=0.01,
    ),
    Spec(
        "operations.automation_failed",
        0.13,
        "Automation failed",
        '"{automation_name}" failed at step "{step}" and needs attention.',
        ("automation_id", "run_id", "step"),
        (("error", 1),),
        expires_hours=24,
        read=0.6,
        dismiss=0.15,
        duplicates=0.15,
        retries=0.02,
        cta=("View run", "/automations/{automation_id}/runs/{run_id}"),
    ),
)
# The three unusable lines the ingest must reject (and keep), at fixed relative positions.
UNUSABLE: tuple[tuple[float, str], ...] = (
    (0.2, '{"event_type": "read", "occurred_at": "2026-10-12T08:1'),  # truncated object
    (
        0.5,
        '{"event_type": "bounced", "occurred_at": "2026-10-15T09:30:00.000Z", '
        '"event_id": "evt_bounced_0001", "notification_id": "363852516556800000"}',
    ),
    (
        0.8,
        '{"event_type": "read", "occurred_at": "yesterday", "event_id": "evt_yesterday_0001", '
        '"notification_id": "363852516556800000", "user_id": "u_0001"}',
    ),
)

Row = dict[str, object]


@dataclass
class _Plan:
    spec: Spec
    created: int  # ms of the last attempt (the `sent`, unless failed)
    target: tuple[str, str]  # (user_id | organization_id | workspace_id, its value)
    ctx: dict[str, str]
    severity: str
    nid: str = ""
    reorder: bool = False
    metadata: object = None  # planted non-object metadata
    drifted: bool = False
    attempts: int = 1
    failed: bool = False

    @property
    def user(self) -> str:
        return self.target[1] if self.target[0] == "user_id" else ""


class _Gen:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.users = [f"u_{i:04d}" for i in range(1, N_USERS + 1)]
        ws_ids = sorted(WORKSPACES)
        self.user_ws = {u: ws_ids[i % len(ws_ids)] for i, u in enumerate(self.users)}
        self.events: list[tuple[int, int, Row]] = []

    # ---- building blocks
    def pick(self, name: str) -> str:
        return self.rng.choice(CHOICES[name])

    def weighted(self, table: tuple[tuple[str, float], ...]) -> str:
        return self.rng.choices([k for k, _ in table], [w for _, w in table])[0]

    def when(self) -> int:
        hour = self.rng.choices(range(24), [1] * 6 + [3] * 3 + [6] * 9 + [3] * 6)[0]
        ms = START_MS + self.rng.randrange(30) * _DAY + hour * _HOUR + self.rng.randrange(_HOUR)
        ms += _HOUR if ms < START_MS + _HOUR else 0  # streams connect in the first hour
        return min(ms, END_MS - 2 * _HOUR)

    def context(self, ws: str) -> dict[str, str]:
        r, pick = self.rng, self.pick
        auto_id, auto_name = pick("automation").split(":")
        role, previous = r.sample(CHOICES["role"], 2)
        invitee = (r.choice(FIRST), r.choice(LAST))
        return {
            "ip": f"{r.choice(IP_PREFIXES)}.{r.randrange(1, 255)}",
            "device": pick("device"),
            "location": pick("location"),
            "method": pick("method"),
            "endpoint_id": f"ep_{r.randrange(100, 1000)}",
            "failures": str(r.randrange(5, 60)),
            "endpoint_url": f"https://{pick('hook_host')}/hooks/{r.getrandbits(24):06x}",
            "key_id": f"key_{r.getrandbits(32):08x}",
            "key_name": pick("key_name"),
            "automation_id": auto_id,
            "automation_name": auto_name,
            "run_id": f"run_{r.getrandbits(40):010x}",
            "step": pick("step"),
            "role": role,
            "previous_role": previous,
            "change": pick("change"),
            "workspace_id": ws,
            "workspace_name": WORKSPACES[ws][0],
            "actor_id": r.choice(self.users),
            "actor_name": f"{r.choice(FIRST)} {r.choice(LAST)}",
            "invitee_name": " ".join(invitee),
            "invitee_email": f"{invitee[0].lower()}.{invitee[1].lower()}@example.org",
            "ref": f"{r.getrandbits(48):012x}",
        }

    def emit(self, ms: int, event_type: str, fields: Row) -> None:
        row: Row = {"event_type": event_type, "occurred_at": _iso(ms)}
        if self.rng.random() >= 0.1:  # a minority of sources log no event_id
            row["event_id"] = f"evt_{self.rng.getrandbits(64):016x}"
        row.update(fields)
        self.events.append((ms, len(self.events), row))

    # ---- planning: who gets what, when, with which noise
    def plan(self, spec: Spec, count: int) -> list[_Plan]:
        r = self.rng

        def fresh(created: int, user: str = "") -> _Plan:
            # a skewed recipient mix: some users get much more than others
            user = user or self.users[int(len(self.users) * r.random() ** 1.6)]
            ws = self.user_ws[user] if spec.scope == "user" else r.choice(sorted(WORKSPACES))
            target = {
                "user": ("user_id", user),
                "workspace": ("workspace_id", ws),
                "organization": ("organization_id", WORKSPACES[ws][1]),
            }[spec.scope]
            return _Plan(spec, created, target, self.context(ws), "")

        plans: list[_Plan] = []
        for _ in range(round(count * spec.flood) // 14):  # bursts: one user, one day, hours
            user, start = r.choice(self.users), START_MS + r.randrange(30) * _DAY
            start += r.randrange(1, 20) * _HOUR
            plans += [fresh(start + r.randrange(3 * _HOUR), user) for _ in range(r.randint(12, 16))]
        plans = plans[:count]
        n_dups = round((count - len(plans)) * spec.duplicates)
        plans += [fresh(self.when()) for _ in range(count - len(plans) - n_dups)]
        for orig in r.sample(plans, n_dups):  # same event published again minutes later
            again = orig.created + r.randrange(1, 15) * _MIN + r.randrange(_MIN)
            plans.append(_Plan(spec, again, orig.target, orig.ctx, "", reorder=r.random() < 0.7))
        for p in plans:
            p.severity = self.weighted(spec.severities)
        for p in self.some(plans, spec.drift_rate):
            p.drifted = True
        bad = spec.invalid_metadata  # a few of each, more with volume
        for i, p in enumerate(self.some(plans, n=len(bad) * max(1, count // 150))):
            p.metadata = bad[i % len(bad)]
        for i, p in enumerate(self.some(plans, spec.retries)):
            p.attempts = spec.max_attempt if i % 8 == 0 else r.randint(2, min(3, spec.max_attempt))
        single = [p for p in plans if p.attempts == 1]
        for p in self.some(single, n=round(len(plans) * spec.failures)):
            p.failed, p.attempts = True, r.randint(1, min(3, spec.max_attempt))
        return plans

    def some(self, plans: list[_Plan], share: float = 0.0, n: int | None = None) -> list[_Plan]:
        """A seeded sample of exactly `n` (or `share` of) the plans."""
        n = round(len(plans) * share) if n is None else n
        return self.rng.sample(plans, min(n, len(plans)))

    # ---- emitting events
    def payload(self, p: _Plan) -> Row:
        s, ctx = p.spec, p.ctx
        row: Row = {"notification_id": p.nid, p.target[0]: p.target[1]}
        if s.template_in == "field":
            row["template"] = s.key
        row["title"], row["body"] = s.title.format(**ctx), s.body.format(**ctx)
        row["severity"] = p.severity
        if s.cta:
            label, path = s.cta[0], s.cta[1].format(**ctx)
            style = self.weighted(s.cta_styles)
            if style in ("ctas", "both"):
                row["ctas"] = [{"label": label, "payload": path}]
            if style == "url":
                row["ctas"] = [{"label": label, "url": APP_URL + path}]
            if style in ("action_url", "both"):
                row |= {"action_url": APP_URL + path, "action_label": label}
        meta: dict[str, str] = {"template": s.key} if s.template_in == "metadata" else {}
        for item in s.drift if p.drifted else s.metadata:
            key, _, name = item.partition("=")
            meta[key] = ctx[name or key]
        if p.reorder:
            meta = dict(reversed(list(meta.items())))
        bad = p.metadata
        row["metadata"] = list(bad) if isinstance(bad, tuple) else bad if bad is not None else meta
        if s.expires_hours is not None:
            alias = self.rng.random() < s.expires_alias
            row["expires_in_hours" if alias else "expires_hours"] = s.expires_hours
        if s.dedup_key:
            row["dedup_key"] = s.dedup_key.format(**ctx)
        return row

    def send(self, p: _Plan) -> None:
        times = [p.created]
        for a in range(p.attempts - 1, 0, -1):  # exponential backoff before the last attempt
            times.insert(0, times[0] - (2**a * 1000 + self.rng.randrange(1000)))
        payload = self.payload(p)
        for a, ms in enumerate(times, start=1):
            if p.failed or a < p.attempts:
                self.emit(ms, "send_failed", payload | {"attempt": a, "error": self.pick("error")})
            else:
                self.emit(ms, "sent", payload | {"attempt": a})

    def engage(self, p: _Plan, base: int, reader: str) -> None:
        r, s, nid = self.rng, p.spec, p.nid
        limit = min(END_MS, p.created + (s.expires_hours or 10_000) * _HOUR)

        def later(t: int, median_s: float, sigma: float, cap: int = END_MS) -> int | None:
            t2 = t + int(1000 * r.lognormvariate(math.log(median_s), sigma)) + 1
            return t2 if t2 < cap else None

        def act(event: str, t: int | None, undo: str, undo_p: float) -> int | None:
            if t is not None:
                self.emit(t, event, {"notification_id": nid, "user_id": reader})
                u = later(t, 4 * 3600, 1.0)
                if u is not None and r.random() < undo_p:  # the reverse: unread, unarchived...
                    self.emit(u, undo, {"notification_id": nid, "user_id": reader})
            return t

        read = None
        if r.random() < s.read:
            read = act("read", later(base, 1800, 1.6, limit), "unread", 0.06)
        if read is None:
            if r.random() < s.dismiss:
                act("archived", later(base, 600, 1.2, limit), "unarchived", 0.08)
            return
        if r.random() < s.star:
            act("starred", later(read, 20, 1.0), "unstarred", 0.2)
        if s.cta and r.random() < s.click:
            act("clicked", later(read, 15, 1.0), "", 0.0)
        if r.random() < s.archive:
            act("archived", later(read, 3600, 1.5), "unarchived", 0.08)

    def realtime(self, plans: list[_Plan]) -> None:
        """Stream sessions; a few users drop and reconnect, missed notifications catch up."""
        r = self.rng
        conn = {u: f"conn_{r.getrandbits(40):010x}" for u in self.users}
        for u in self.users:
            self.emit(
                START_MS + r.randrange(30 * _MIN),
                "stream_connected",
                {"user_id": u, "connection_id": conn[u]},
            )
        created = [p for p in plans if not p.failed]
        mine: dict[str, list[_Plan]] = {}  # user -> their notifications away from the edges
        for p in created:
            if p.user and START_MS + _DAY < p.created < END_MS - _DAY:
                mine.setdefault(p.user, []).append(p)
        gaps: dict[str, tuple[int, int, str]] = {}
        for u in r.sample(sorted(mine), min(4, len(mine))):
            anchor = r.choice(mine[u])
            down = anchor.created - r.randrange(_MIN, 10 * _MIN)
            up = anchor.created + r.randrange(15 * _MIN, 60 * _MIN)
            gaps[u] = (down, up, f"conn_{r.getrandbits(40):010x}")
            self.emit(down, "stream_disconnected", {"user_id": u, "connection_id": conn[u]})
            self.emit(up, "stream_connected", {"user_id": u, "connection_id": gaps[u][2]})
        missed = [
            p for p in created if p.user in gaps and gaps[p.user][0] < p.created < gaps[p.user][1]
        ]
        lost = min(missed, key=lambda p: (p.user, p.created), default=None)
        members: dict[str, list[str]] = {}  # org or workspace -> users, minus the reconnecting
        for u in (u for u in self.users if u not in gaps):
            for group in (self.user_ws[u], WORKSPACES[self.user_ws[u]][1]):
                members.setdefault(group, []).append(u)
        for p in created:
            if p is lost:  # exactly one notification never catches up after the reconnect
                continue
            reader = p.user or r.choice(members[p.target[1]])
            down, up, new_conn = gaps.get(reader, (END_MS, END_MS, ""))
            latency = 150 + int(1000 * r.lognormvariate(math.log(0.6), 0.8))
            if r.random() < 0.03:
                latency += r.randrange(5000, 90_000)  # the long tail
            at, via = p.created + latency, conn[reader]
            if down < p.created < up:
                at, via = up + r.randrange(200, 3000), new_conn
            elif p.created >= up:
                via = new_conn
            self.emit(
                at, "delivered", {"notification_id": p.nid, "user_id": reader, "connection_id": via}
            )
            self.engage(p, at, reader)


def _iso(ms: int) -> str:
    second = datetime.fromtimestamp(ms // 1000, UTC).strftime("%Y-%m-%dT%H:%M:%S")
    return f"{second}.{ms % 1000:03d}Z"


def _counts(total: int) -> list[int]:
    """Split `total` over SPECS by weight (largest remainder), so the sum is exact."""
    raw = [s.weight * total for s in SPECS]
    counts = [int(x) for x in raw]
    by_remainder = sorted(range(len(raw)), key=lambda i: (counts[i] - raw[i], i))
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return counts


def generate_lines(
    notifications: int = DEFAULT_NOTIFICATIONS, seed: int = DEFAULT_SEED
) -> list[str]:
    """The event log as JSON Lines text, sorted by time, with the three unusable lines planted."""
    if notifications < 0:
        raise ValueError(f"notifications must be >= 0, got {notifications}")
    gen = _Gen(seed)
    plans = [
        p for spec, n in zip(SPECS, _counts(notifications), strict=True) for p in gen.plan(spec, n)
    ]
    plans.sort(key=lambda p: p.created)
    for i, p in enumerate(plans):  # Wacht-style snowflake ids: time, then a sequence
        p.nid = str(((p.created - _WACHT_EPOCH_MS) << 22) | i)
        gen.send(p)
    gen.realtime(plans)
    gen.events.sort(key=lambda e: (e[0], e[1]))
    lines = [json.dumps(row) for _, _, row in gen.events]
    for frac, text in UNUSABLE:
        lines.insert(int(len(lines) * frac), text)
    return lines


def write_sample(
    out_dir: Path, notifications: int = DEFAULT_NOTIFICATIONS, seed: int = DEFAULT_SEED
) -> list[Path]:
    """Write DIR/notifications.jsonl (event log, one JSON object per line) and return the
    paths written."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "notifications.jsonl"
    path.write_text(
        "".join(f"{line}\n" for line in generate_lines(notifications, seed)),
        encoding="utf-8",
        newline="\n",
    )
    return [path]
