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
    tt = t[idx]
    # nx[i]: the first row of i's group created more than window_us after it (or its end):
    # a search over one sorted key, (group number, rank of the time), for every row at once.
    times, rank = np.unique(tt, return_inverse=True)
    span = np.int64(len(times) + 1)
    g = np.repeat(np.arange(len(b_sizes), dtype=np.int64), b_sizes)
    key = g * span + rank.astype(np.int64)
    after = np.searchsorted(times, tt + np.int64(window_us), side="right").astype(np.int64)
    nx = np.searchsorted(key, g * span + after, side="left")

    local = np.zeros(len(tt), dtype=bool)
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


@dataclass(frozen=True)
class Sequences:
    """The replayed notifications, sorted by (template, recipient), created_at, id."""

    tr_key: npt.NDArray[np.uint64]  # hash(template, recipient)
    dup_key: npt.NDArray[np.uint64]  # hash(template, recipient, fingerprint)
    created_us: IntArray


def fates(seq: Sequences, rules: Rules) -> npt.NDArray[np.int8]:
    """Per notification: KEPT, or the rule that suppressed it (DEDUP, DIGEST, THROTTLE)."""
    n = len(seq.created_us)
    fate = np.zeros(n, dtype=np.int8)
    alive = np.ones(n, dtype=bool)
    if rules.dedup_window_minutes is not None:
        # Stable: within one fingerprint the rows keep their time order.
        order = np.argsort(seq.dup_key, kind="stable")
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
