"""The sample generator: deterministic, the requested size, valid per SPEC, and every planted
kind of noise present (checked on the raw lines with small, SPEC-shaped Python, not the app)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from statistics import median, quantiles
from typing import Any

import pytest
from template_noise.sample import DEFAULT_NOTIFICATIONS, DEFAULT_SEED, write_sample

EVENT_TYPES = {
    "sent",
    "send_failed",
    "delivered",
    "read",
    "unread",
    "archived",
    "unarchived",
    "starred",
    "unstarred",
    "clicked",
    "stream_connected",
    "stream_disconnected",
}
SEVERITIES = {"info", "success", "warning", "error"}
ISO_Z = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
IP = re.compile(r"\b\d{1,3}(?:\.\d{1,3}){3}\b")
SIGNIN = "Unknown sign-in from <ip>"
CLEAN = {"security.password_changed", "security.mfa_enabled", "collaboration.invite_accepted"}
# The story the sample tells: which SPEC flags (default thresholds) each template raises.
EXPECTED_FLAGS: dict[str, set[str]] = {
    **{t: set() for t in CLEAN},
    SIGNIN: {"severity_inconsistent"},
    "operations.api_key_revoked": {"severity_inconsistent"},
    "operations.automation_failed": {"duplicates"},
    "operations.webhook_endpoint_disabled": {"flooding"},
    "operations.api_key_rotated": {"ignored", "no_expiry", "stale"},
    "collaboration.workspace_membership_updated": {"dismissed_unread", "no_expiry", "stale"},
    "collaboration.role_changed": {"metadata_unstable"},
    "security.mfa_disabled": {"retry_storm", "send_failures"},
}
Row = dict[str, Any]


def ts(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def classify(line: str) -> str | None:
    """Why a line is unusable, or None when it is a valid event."""
    try:
        row = json.loads(line)
    except json.JSONDecodeError:
        return "bad json"
    if row.get("event_type") not in EVENT_TYPES:
        return "unknown event_type"
    if not ISO_Z.match(str(row.get("occurred_at"))):
        return "bad timestamp"
    return None


@dataclass
class Notif:
    rows: list[Row] = field(default_factory=list)  # sent / send_failed
    created: datetime | None = None
    events: dict[str, list[datetime]] = field(default_factory=lambda: defaultdict(list))

    @property
    def payload(self) -> Row:
        return self.rows[-1]

    def first(self, event: str) -> datetime | None:
        return min(self.events[event], default=None)


@dataclass
class Sample:
    lines: list[str]
    rows: list[Row]
    notifs: dict[str, Notif]

    @property
    def as_of(self) -> datetime:
        return max(ts(r["occurred_at"]) for r in self.rows)


def template_of(row: Row) -> str:
    meta = row.get("metadata")
    from_meta = meta.get("template") if isinstance(meta, dict) else None
    return str(row.get("template") or from_meta or IP.sub("<ip>", row["title"]))


def load(path: Path) -> Sample:
    lines = path.read_text(encoding="utf-8").splitlines()
    rows = [json.loads(line) for line in lines if classify(line) is None]
    notifs: dict[str, Notif] = defaultdict(Notif)
    for row in rows:
        n = notifs[row["notification_id"]] if "notification_id" in row else None
        if n is None:
            continue
        if row["event_type"] in ("sent", "send_failed"):
            n.rows.append(row)
        if row["event_type"] == "sent":
            n.created = min(filter(None, (n.created, ts(row["occurred_at"]))))
        n.events[row["event_type"]].append(ts(row["occurred_at"]))
    return Sample(lines, rows, dict(notifs))


def by_template(s: Sample) -> dict[str, list[Notif]]:
    out: dict[str, list[Notif]] = defaultdict(list)
    for n in s.notifs.values():
        if n.rows:
            out[template_of(n.payload)].append(n)
    return out


def recipient(row: Row) -> str:
    if row.get("user_id"):
        return str(row["user_id"])
    scope = "organization" if row.get("organization_id") else "workspace"
    return f"{scope}:{row.get('organization_id') or row.get('workspace_id')}"


def duplicate_pairs(created: list[Notif]) -> list[tuple[Notif, Notif]]:
    """(previous, duplicate) per SPEC: same recipient and fingerprint within 60 minutes."""

    def fingerprint(r: Row) -> str:
        return str(
            r.get("dedup_key")
            or json.dumps([r["title"], r["body"], r.get("metadata")], sort_keys=True)
        )

    last: dict[tuple[str, str], Notif] = {}
    pairs = []
    for n in sorted(created, key=lambda n: n.created or 0):
        key = (recipient(n.payload), fingerprint(n.payload))
        prev = last.get(key)
        if prev and prev.created and n.created and n.created - prev.created <= timedelta(hours=1):
            pairs.append((prev, n))
        last[key] = n
    return pairs


def metrics(s: Sample, notifs: list[Notif]) -> dict[str, Any]:
    created = [n for n in notifs if n.created]
    sent = len(created)
    per_day = Counter((recipient(n.payload), n.created.date()) for n in created if n.created)
    stale_before = s.as_of - timedelta(days=7)

    def expires(n: Notif) -> bool:
        return any(k in n.payload for k in ("expires_hours", "expires_in_hours", "expires_at"))

    def archived_unread(n: Notif) -> bool:
        arch, read = n.first("archived"), n.first("read")
        return arch is not None and (read is None or read > arch)

    metas = [n.payload.get("metadata") for n in created]
    key_sets = [frozenset(m or {}) for m in metas if m is None or isinstance(m, dict)]
    common = Counter(key_sets).most_common(1)[0][0]
    attempts = [len(n.rows) for n in notifs]
    return {
        "sent": sent,
        "max_per_user_day": max(per_day.values()),
        "duplicate_rate": len(duplicate_pairs(created)) / sent,
        "read_rate": sum(bool(n.events["read"]) for n in created) / sent,
        "archived_unread_rate": sum(map(archived_unread, created)) / sent,
        "expiry_coverage": sum(map(expires, created)) / sent,
        "stale_unread_rate": sum(
            not expires(n)
            and not n.events["read"]
            and not n.events["archived"]
            and n.created is not None
            and n.created <= stale_before
            for n in created
        )
        / sent,
        "metadata_invalid": sum(m is not None and not isinstance(m, dict) for m in metas),
        "metadata_drift_rate": sum(k != common for k in key_sets) / sent,
        "severities": {n.payload.get("severity") for n in created},
        "failure_rate": sum(n.created is None for n in notifs) / len(notifs),
        "retry_rate": sum(a > 1 for a in attempts) / len(notifs),
        "max_attempts": max(attempts),
    }


def flags(m: dict[str, Any]) -> set[str]:
    rules = {
        "duplicates": m["duplicate_rate"] > 0.01,
        "flooding": m["max_per_user_day"] > 10,
        "ignored": m["read_rate"] < 0.20,
        "dismissed_unread": m["archived_unread_rate"] > 0.30,
        "no_expiry": m["expiry_coverage"] < 0.90,
        "stale": m["stale_unread_rate"] > 0.05,
        "metadata_unstable": m["metadata_invalid"] > 0 or m["metadata_drift_rate"] > 0.05,
        "severity_inconsistent": len(m["severities"]) > 1 or not m["severities"] <= SEVERITIES,
        "retry_storm": m["max_attempts"] > 5 or m["retry_rate"] > 0.10,
        "send_failures": m["failure_rate"] > 0.02,
    }
    return {name for name, fired in rules.items() if fired}


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Sample:
    [path] = write_sample(tmp_path_factory.mktemp("sample"))
    return load(path)


@pytest.fixture(scope="module")
def templates(sample: Sample) -> dict[str, list[Notif]]:
    return by_template(sample)


def test_defaults_and_paths(tmp_path: Path) -> None:
    assert (DEFAULT_NOTIFICATIONS, DEFAULT_SEED) == (4000, 7)
    paths = write_sample(tmp_path / "new" / "dir", notifications=50)
    assert paths == [tmp_path / "new" / "dir" / "notifications.jsonl"]
    assert paths[0].stat().st_size > 0


def test_deterministic_bytes(tmp_path: Path) -> None:
    [a] = write_sample(tmp_path / "a", 600, seed=3)
    [b] = write_sample(tmp_path / "b", 600, seed=3)
    [c] = write_sample(tmp_path / "c", 600, seed=4)
    assert a.read_bytes() == b.read_bytes()
    assert a.read_bytes() != c.read_bytes()


@pytest.mark.parametrize("n", [0, 1, 37, 900])
def test_notification_count(tmp_path: Path, n: int) -> None:
    [path] = write_sample(tmp_path, notifications=n, seed=11)
    s = load(path)
    assert sum(1 for x in s.notifs.values() if x.rows) == n


def test_default_count_and_size(sample: Sample) -> None:
    assert sum(1 for n in sample.notifs.values() if n.rows) == DEFAULT_NOTIFICATIONS
    assert len("\n".join(sample.lines)) < 6_000_000


def test_exactly_three_unusable_lines_spread_out(sample: Sample) -> None:
    bad = [(i, str(classify(line))) for i, line in enumerate(sample.lines) if classify(line)]
    assert sorted(r for _, r in bad) == ["bad json", "bad timestamp", "unknown event_type"]
    positions = [i for i, _ in bad]
    assert min(b - a for a, b in pairwise(positions)) > len(sample.lines) / 5
    assert '"bounced"' in sample.lines[positions[1]]
    assert '"yesterday"' in "".join(sample.lines[i] for i in positions)


def test_valid_rows_follow_the_spec(sample: Sample) -> None:
    rows = sample.rows
    start, end = datetime(2026, 10, 1, tzinfo=UTC), datetime(2026, 10, 31, tzinfo=UTC)
    assert all(start <= ts(r["occurred_at"]) < end for r in rows)
    assert [ts(r["occurred_at"]) for r in rows] == sorted(ts(r["occurred_at"]) for r in rows)
    for r in rows:
        kind = r["event_type"]
        if kind.startswith("stream_"):
            assert r["user_id"] and r["connection_id"]
            continue
        assert r["notification_id"]
        if kind in ("sent", "send_failed"):
            assert r["title"] and r["body"] and isinstance(r["attempt"], int)
            assert r.get("user_id") or r.get("organization_id") or r.get("workspace_id")
        if kind == "send_failed":
            assert r["error"]
        if kind == "delivered":
            assert r["connection_id"]
    ids = [r["event_id"] for r in rows if "event_id" in r]
    assert len(ids) == len(set(ids))
    without = [json.dumps(r) for r in rows if "event_id" not in r]
    assert 0.05 < len(without) / len(rows) < 0.15 and len(without) == len(set(without))


def test_engagement_follows_creation(sample: Sample) -> None:
    for n in sample.notifs.values():
        later = [
            t for e, times in n.events.items() if e not in ("sent", "send_failed") for t in times
        ]
        if later:
            assert n.created is not None and min(later) > n.created
    kinds = Counter(r["event_type"] for r in sample.rows)
    assert set(kinds) == EVENT_TYPES
    for undo in ("unread", "unarchived", "unstarred"):
        assert 5 <= kinds[undo] < kinds[undo[2:]] / 2


def test_every_template_tells_its_story(templates: dict[str, list[Notif]], sample: Sample) -> None:
    got = {t: flags(metrics(sample, ns)) for t, ns in templates.items()}
    assert got == EXPECTED_FLAGS
    assert all(metrics(sample, ns)["sent"] >= 50 for ns in templates.values())


def test_template_sources_and_scopes(templates: dict[str, list[Notif]]) -> None:
    def sources(t: str) -> set[str]:
        return {
            "field"
            if "template" in n.payload
            else "metadata"
            if isinstance(n.payload.get("metadata"), dict) and "template" in n.payload["metadata"]
            else "title"
            for n in templates[t]
        }

    assert sources(SIGNIN) == {"title"}
    assert len({n.payload["title"] for n in templates[SIGNIN]}) > 50
    assert sources("collaboration.invite_accepted") == {"metadata"}
    assert sum(sources(t) == {"field"} for t in templates) == 8
    scoped = {
        t: {
            ("organization_id" in n.payload, "workspace_id" in n.payload, "user_id" in n.payload)
            for n in ns
        }
        for t, ns in templates.items()
    }
    assert scoped["operations.api_key_rotated"] == {(True, False, False)}
    assert scoped["collaboration.workspace_membership_updated"] == {(False, True, False)}


def test_duplicates_reorder_metadata_keys(
    sample: Sample, templates: dict[str, list[Notif]]
) -> None:
    pairs = duplicate_pairs([n for n in templates["operations.automation_failed"] if n.created])
    reordered = [
        (a, b)
        for a, b in pairs
        if a.payload["metadata"] == b.payload["metadata"]
        and list(a.payload["metadata"]) != list(b.payload["metadata"])
    ]
    assert len(pairs) > 40 and len(reordered) > len(pairs) / 2
    assert all(a.payload["body"] == b.payload["body"] for a, b in pairs)


def test_metadata_drift_and_invalid(templates: dict[str, list[Notif]]) -> None:
    metas = [n.payload.get("metadata") for n in templates["collaboration.role_changed"]]
    assert Counter(type(m).__name__ for m in metas if not isinstance(m, dict)) == {
        "str": 2,
        "list": 2,
    }
    assert "role=admin" in metas
    key_sets = Counter(frozenset(m) for m in metas if isinstance(m, dict))
    assert len(key_sets) == 2 and min(key_sets.values()) / len(metas) > 0.08


def test_severities(templates: dict[str, list[Notif]]) -> None:
    def used(t: str) -> set[str]:
        return {n.payload["severity"] for n in templates[t]}

    assert used("operations.api_key_revoked") == {"warning", "error"}
    assert used(SIGNIN) == {"critical"}
    assert all(len(used(t)) == 1 and used(t) <= SEVERITIES for t in CLEAN)


def test_expiry_conventions(templates: dict[str, list[Notif]]) -> None:
    def keys(t: str) -> Counter[str]:
        return Counter(k for n in templates[t] for k in n.payload if k.startswith("expires"))

    assert keys("operations.api_key_rotated") == Counter()
    assert keys("collaboration.workspace_membership_updated") == Counter()
    mfa = keys("security.mfa_enabled")
    assert mfa["expires_in_hours"] > 50 and mfa["expires_hours"] > 50
    assert all(sum(keys(t).values()) == len(templates[t]) for t in CLEAN)


def test_retry_storm_and_failures(sample: Sample, templates: dict[str, list[Notif]]) -> None:
    mfa = templates["security.mfa_disabled"]
    storms = [n for n in mfa if n.payload.get("attempt") == 7]
    assert storms and all(n.created for n in storms)
    for n in storms:
        assert [(r["event_type"], r["attempt"]) for r in n.rows] == [
            *(("send_failed", a) for a in range(1, 7)),
            ("sent", 7),
        ]
    failed = [n for n in mfa if n.created is None]
    assert len(failed) / len(mfa) > 0.04
    assert all(r["error"] and r["event_type"] == "send_failed" for n in failed for r in n.rows)
    others = [n for t, ns in templates.items() if t != "security.mfa_disabled" for n in ns]
    assert max(len(n.rows) for n in others) <= 2


def test_ctas_and_clicks(templates: dict[str, list[Notif]]) -> None:
    hooks = [n.payload for n in templates["operations.webhook_endpoint_disabled"]]
    styles = Counter(
        ("ctas" if "payload" in r["ctas"][0] else "url") if "ctas" in r else "action_url"
        for r in hooks
    )
    assert min(styles.values()) > 20 and set(styles) == {"ctas", "url", "action_url"}
    assert any("ctas" in r and "action_url" in r for r in hooks)
    assert all(
        set(c) == {"label", "payload"}
        for t in CLEAN
        for n in templates[t]
        for c in n.payload.get("ctas", [])
    )
    for ns in templates.values():
        for n in ns:
            if n.events["clicked"]:
                assert "ctas" in n.payload or "action_url" in n.payload
    assert sum(len(n.events["clicked"]) for ns in templates.values() for n in ns) > 100


def test_realtime_reconnect_story(sample: Sample) -> None:
    streams: dict[str, list[Row]] = defaultdict(list)
    for r in sample.rows:
        if r["event_type"].startswith("stream_"):
            streams[r["user_id"]].append(r)
    gaps = {}
    for user, evs in streams.items():
        for a, b in pairwise(evs):
            if (a["event_type"], b["event_type"]) == ("stream_disconnected", "stream_connected"):
                assert a["connection_id"] != b["connection_id"]
                gaps[user] = (ts(a["occurred_at"]), ts(b["occurred_at"]), b["connection_id"])
    assert len(gaps) == 4
    delivered: dict[str, list[Row]] = defaultdict(list)
    for r in sample.rows:
        if r["event_type"] == "delivered":
            delivered[r["notification_id"]].append(r)
    missed = [
        (nid, n)
        for nid, n in sample.notifs.items()
        if n.created
        and n.rows
        and n.payload.get("user_id") in gaps
        and gaps[n.payload["user_id"]][0] < n.created < gaps[n.payload["user_id"]][1]
    ]
    caught_up = [
        nid
        for nid, n in missed
        if any(
            ts(d["occurred_at"]) > gaps[n.payload["user_id"]][1]
            and d["connection_id"] == gaps[n.payload["user_id"]][2]
            for d in delivered.get(nid, [])
        )
    ]
    assert len(missed) >= 4 and len(missed) - len(caught_up) == 1
    created = [n for n in sample.notifs.values() if n.created]
    assert len(delivered) == len(created) - 1
    latency = [
        (d - n.created).total_seconds()
        for n in created
        if (d := n.first("delivered")) and n.created
    ]
    p50, p95 = median(latency), quantiles(latency, n=20)[-1]
    assert 0.2 < p50 < 3 and p95 > 2 * p50 and max(latency) > 10


def test_module_does_not_import_streamlit() -> None:
    code = "import sys, template_noise.sample; assert 'streamlit' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).parents[1])
