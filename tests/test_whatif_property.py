"""Properties of the what-if replay.

- An empty policy keeps everything, and the metrics after equal `metrics`.
- The array replay (keep_limited, fates) decides exactly as the rules read one
  notification at a time (a plain loop, written here as the reference).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from events_fixture import NO_FILTERS, config, event, load, sent
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from template_noise.metrics import compute_metrics
from template_noise.whatif import Policy, Rules, parse_policy, simulate
from template_noise.whatif.replay import DEDUP, DIGEST, THROTTLE, Sequences, fates, keep_limited

CFG = config(min_volume=1)
# The replay's metrics after leave out the percentiles (as the checklist's pass does).
PERCENTILES = {"delivery_p50_s", "delivery_p95_s", "time_to_read_p50_s", "time_to_read_p90_s"}

notification = st.tuples(
    st.sampled_from(["A", "B"]),  # template
    st.sampled_from(["u1", "u2"]),  # recipient
    st.sampled_from(["x", "y"]),  # body: the fingerprint
    st.integers(0, 3000),  # minute
    st.booleans(),  # read
    st.sampled_from([None, 1.0]),  # expires_hours
)


def _events(rows: list[tuple[Any, ...]]) -> list[dict[str, Any]]:
    out = []
    for i, (template, user, body, minute, read, expires) in enumerate(rows):
        fields = {} if expires is None else {"expires_hours": expires}
        out.append(sent(f"n{i:03}", minute, template=template, user=user, body=body, **fields))
        if read:
            out.append(event("read", f"n{i:03}", minute + 3))
    return out


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=st.lists(notification, min_size=1, max_size=30))
def test_an_empty_policy_keeps_everything_and_the_metrics_after_equal_metrics(
    tmp_path_factory: Any, rows: list[tuple[Any, ...]]
) -> None:
    tmp: Path = tmp_path_factory.mktemp("empty")
    con = load(tmp, _events(rows))
    before = compute_metrics(con, NO_FILTERS, CFG).set_index("template").sort_index()
    cols = [c for c in before.columns if c not in PERCENTILES]
    # The empty policy; and one whose rules suppress nothing here (at most 30 rows), so the
    # replay recomputes the state's partition columns over everything: the same metrics.
    loose = parse_policy({"default": {"throttle": {"max": 100, "per_hours": 1}}})
    for policy in (Policy(), loose):
        sim = simulate(con, policy, CFG)
        assert sim.total["kept"] == sim.total["sent"] == len(rows)
        assert sim.total["recipients_affected"] == 0
        after = sim.after.set_index("template").sort_index()
        pd.testing.assert_frame_equal(after[cols], before[cols], check_dtype=False)


def _reference_keep(groups: list[int], times: list[int], window: int, limit: int) -> list[bool]:
    """The rule read one row at a time: suppressed when `limit` kept rows of the group lie
    in [t - window, t]."""
    kept_times: dict[int, list[int]] = {}
    out = []
    for g, t in zip(groups, times, strict=True):
        recent = [k for k in kept_times.get(g, []) if t - window <= k <= t]
        keep = len(recent) < limit
        if keep:
            kept_times.setdefault(g, []).append(t)
        out.append(keep)
    return out


@given(
    rows=st.lists(st.tuples(st.integers(0, 3), st.integers(0, 200)), max_size=60),
    window=st.integers(0, 50),
    limit=st.integers(1, 4),
    scale=st.sampled_from([1, 2**54]),  # 2**54: a span so wide each group is searched alone
)
def test_keep_limited_decides_as_the_rule_read_row_by_row(
    rows: list[tuple[int, int]], window: int, limit: int, scale: int
) -> None:
    rows = sorted(rows)
    groups = [g for g, _ in rows]
    times = [t * scale for _, t in rows]
    window *= scale
    got = keep_limited(np.array(groups, dtype=np.int64), np.array(times, dtype=np.int64),
                       window, limit)  # fmt: skip
    assert got.tolist() == _reference_keep(groups, times, window, limit)


def _reference_fates(rows: list[tuple[int, int, int]], rules: Rules) -> list[int]:
    """dedup, then digest over what dedup kept, then throttle over what the digest kept,
    one notification at a time (rows sorted by recipient, time)."""
    minute = 60_000_000
    fate = [0] * len(rows)
    alive = list(range(len(rows)))
    stages = []
    if rules.dedup_window_minutes is not None:
        stages.append((DEDUP, lambda r: (r[0], r[1]), rules.dedup_window_minutes, 1))
    if rules.digest_minutes is not None:
        stages.append((DIGEST, lambda r: r[0], rules.digest_minutes, 1))
    if rules.throttle:
        stages.append((THROTTLE, lambda r: r[0], (rules.throttle_per_hours or 0) * 60,
                       rules.throttle_max or 0))  # fmt: skip
    for code, key, minutes, limit in stages:
        kept_times: dict[Any, list[int]] = {}
        survivors = []
        for i in alive:
            k, t = key(rows[i]), rows[i][2]
            recent = [x for x in kept_times.get(k, []) if t - minutes * minute <= x <= t]
            if len(recent) < limit:
                kept_times.setdefault(k, []).append(t)
                survivors.append(i)
            else:
                fate[i] = code
        alive = survivors
    return fate


@given(
    rows=st.lists(
        st.tuples(st.integers(0, 2), st.integers(0, 2), st.integers(0, 300)), max_size=60
    ),
    dedup=st.sampled_from([None, 0, 10, 60]),
    digest=st.sampled_from([None, 0, 15, 30]),
    throttle=st.sampled_from([None, (1, 1.0), (2, 1.0), (3, 2.0)]),
)
def test_fates_decide_as_the_rules_read_one_notification_at_a_time(
    rows: list[tuple[int, int, int]], dedup: int | None, digest: int | None,
    throttle: tuple[int, float] | None,
) -> None:  # fmt: skip
    minute = 60_000_000
    # by recipient, then time; the fingerprint stands in for the id at equal times
    rows = sorted(((r, fp, t * minute) for r, fp, t in rows), key=lambda x: (x[0], x[2], x[1]))
    rules = Rules(dedup, digest, *(throttle or (None, None)), None)
    seq = Sequences(
        tr_key=np.array([r for r, _, _ in rows], dtype=np.uint64),
        dup_key=np.array([r * 10 + fp for r, fp, _ in rows], dtype=np.uint64),
        created_us=np.array([t for _, _, t in rows], dtype=np.int64),
    )
    assert fates(seq, rules).tolist() == _reference_fates(rows, rules)
