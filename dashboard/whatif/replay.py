"""The replay itself: which notifications each rule of a policy would have suppressed.

Each rule is a sliding-window limit over an ordered sequence (docs/whatif.md):

- dedup, per (template, recipient, fingerprint): at most 1 kept per window W;
- digest, per (template, recipient), over what dedup kept: at most 1 kept per window D
  (a kept notification opens a batch; the others within D of it join it);
- throttle, per (template, recipient), over what the digest kept: at most `max` kept per
  window P.

"Kept in the window" is what makes it sequential: a notification's fate depends on which
earlier ones were kept. `keep_limited` computes it without a Python loop over rows: it
walks every sequence at once, one *kept rank* per step (step r finds the r-th kept
notification of every sequence that has one, by array operations), so the number of steps
is the largest number of notifications one sequence keeps, not the number of rows;
sequences with no more rows than the limit keep everything and take no step at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import numpy.typing as npt
from template_noise.whatif.policy import Rules

KEPT, DEDUP, DIGEST, THROTTLE = 0, 1, 2, 3
FATES = {KEPT: "kept", DEDUP: "dedup", DIGEST: "digest", THROTTLE: "throttle"}

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


def _us(minutes: float) -> int:
    return round(minutes * 60e6)


def keep_limited(
    group: npt.NDArray[np.generic], t: IntArray, window_us: int, limit: int
) -> BoolArray:
    """Which rows a sliding-window limit keeps: a row is suppressed when `limit` kept rows of
    its group were created at most `window_us` before it (inclusive) or at the same instant.

    Rows must be sorted by group (equal groups adjacent) and, within one, by time and tie.
    """
    n = len(t)
    kept = np.ones(n, dtype=bool)
    if n == 0:
        return kept
    starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
    sizes = np.diff(np.r_[starts, n])
    # A group with no more rows than the limit keeps them all.
    big = sizes > limit
    if not big.any():
        return kept
    rows = np.repeat(big, sizes)
    kept[rows] = False
    idx = np.flatnonzero(rows)  # the rows of the big groups, still in order
    b_sizes = sizes[big]
    b_offsets = np.r_[0, np.cumsum(b_sizes)[:-1]]  # where each big group starts in idx
    b_ends = b_offsets + b_sizes
    nx = _next_outside(t[idx], b_sizes, window_us)

    local = np.zeros(len(idx), dtype=bool)
    # ring[:, r % limit] holds the position of the r-th kept row of each group: the oldest
    # of the last `limit` kept is the one a new row must be clear of.
    ring = np.empty((len(b_sizes), limit), dtype=np.int64)
    last = b_offsets.copy()
    local[last] = True
    ring[:, 0] = last
    active = np.arange(len(b_sizes))
    r = 1
    while active.size:
        cand = last[active] + 1
        if r >= limit:
            cand = np.maximum(cand, nx[ring[active, r % limit]])
        live = cand < b_ends[active]
        active, cand = active[live], cand[live]
        local[cand] = True
        last[active] = cand
        ring[active, r % limit] = cand
        r += 1
    kept[idx[local]] = True
    return kept


def _next_outside(tt: IntArray, sizes: IntArray, window_us: int) -> IntArray:
    """Per row, the first row of its group created more than window_us after it (or the
    group's end): one search over a sorted key (group number, time) for every row at once.
    Rows are sorted by group, then time; `sizes` are the groups' lengths in that order.

    The key is group * span + time from the earliest, which must fit in 62 bits: groups
    are taken in as few runs as keep it so (one run up to about 1.7M groups over 30 days).
    """
    lo = int(tt.min())
    span = int(tt.max()) - lo + window_us + 1
    per_run = max(2**62 // span, 1)
    ends = np.cumsum(sizes)
    nx = np.empty(len(tt), dtype=np.int64)
    for first in range(0, len(sizes), per_run):
        last = min(first + per_run, len(sizes))
        a = int(ends[first - 1]) if first else 0
        b = int(ends[last - 1])
        g = np.repeat(np.arange(last - first, dtype=np.int64), sizes[first:last])
        key = g * np.int64(span) + (tt[a:b] - lo)
        nx[a:b] = a + np.searchsorted(key, key + np.int64(window_us), side="right")
    return nx


@dataclass(frozen=True)
class Sequences:
    """The replayed notifications, sorted by (template, recipient), created_at, id."""

    tr_key: npt.NDArray[np.uint64]  # hash(template, recipient)
    dup_key: npt.NDArray[np.uint64]  # hash(template, recipient, fingerprint)
    created_us: IntArray

    @cached_property
    def dup_order(self) -> IntArray:
        """The rows by fingerprint (dup_key), each fingerprint's still in replay order."""
        return np.argsort(self.dup_key, kind="stable").astype(np.int64)


@dataclass(frozen=True)
class Partitions:
    """What the state keeps per partition, over the kept notifications only (the columns of
    state/schema.sql that compare a notification with others): per row, the created_at of
    the previous kept one with the same dup_key and with the same tr_key (in epoch
    microseconds; `has_*` false: none), and the kept ones of its tr_key on its UTC day."""

    prev_created_us: IntArray
    has_prev_created: BoolArray
    prev_tr_created_us: IntArray
    has_prev_tr_created: BoolArray
    user_day_count: IntArray


DAY_US = 86_400_000_000


def _previous(
    order: IntArray, key: npt.NDArray[np.generic], t: IntArray
) -> tuple[IntArray, BoolArray]:
    """Per row of `order` (rows in partition order), the time of the row before it in the
    same partition (has: false for a partition's first)."""
    prev = np.zeros(len(t), dtype=np.int64)
    has = np.zeros(len(t), dtype=bool)
    if len(order) > 1:
        same = key[order[1:]] == key[order[:-1]]
        prev[order[1:][same]] = t[order[:-1][same]]
        has[order[1:][same]] = True
    return prev, has


def partitions(seq: Sequences, fate: npt.NDArray[np.int8]) -> Partitions:
    """The partition columns of the kept notifications (as state/schema.sql computes them,
    ties by notification_id as the replay order has them); suppressed rows get zeros."""
    kept = fate == KEPT
    in_tr = np.flatnonzero(kept)  # replay order is tr_key, created_at, id
    order = seq.dup_order
    in_dup = order[kept[order]]
    t = seq.created_us
    prev, has_prev = _previous(in_dup, seq.dup_key, t)
    prev_tr, has_prev_tr = _previous(in_tr, seq.tr_key, t)
    count = np.zeros(len(t), dtype=np.int64)
    if len(in_tr):
        day = t[in_tr] // DAY_US
        key = seq.tr_key[in_tr]
        starts = np.flatnonzero(np.r_[True, (key[1:] != key[:-1]) | (day[1:] != day[:-1])])
        sizes = np.diff(np.r_[starts, len(in_tr)])
        count[in_tr] = np.repeat(sizes, sizes)
    return Partitions(prev, has_prev, prev_tr, has_prev_tr, count)


def fates(seq: Sequences, rules: Rules) -> npt.NDArray[np.int8]:
    """Per notification: KEPT, or the rule that suppressed it (DEDUP, DIGEST, THROTTLE)."""
    n = len(seq.created_us)
    fate = np.zeros(n, dtype=np.int8)
    alive = np.ones(n, dtype=bool)
    if rules.dedup_window_minutes is not None:
        # Stable: within one fingerprint the rows keep their time order.
        order = seq.dup_order
        keep = keep_limited(
            seq.dup_key[order], seq.created_us[order], _us(rules.dedup_window_minutes), 1
        )
        fate[order[~keep]] = DEDUP
        alive[order[~keep]] = False
    stages: Sequence[tuple[int, float | None, int]] = (
        (DIGEST, rules.digest_minutes, 1),
        (THROTTLE, (rules.throttle_per_hours or 0) * 60 if rules.throttle else None,
         rules.throttle_max or 0),
    )  # fmt: skip
    for code, minutes, limit in stages:
        if minutes is None:
            continue
        idx = np.flatnonzero(alive)
        keep = keep_limited(seq.tr_key[idx], seq.created_us[idx], _us(minutes), limit)
        fate[idx[~keep]] = code
        alive[idx[~keep]] = False
    return fate
