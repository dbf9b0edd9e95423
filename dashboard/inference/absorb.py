"""A `{*}` that stands for several words: clusters of different lengths that one `{*}`
tells apart join (rule step 4 of template_noise.inference)."""

from __future__ import annotations

from template_noise.inference.clusters import WILD, Cluster, can_vary
from template_noise.inference.evidence import agrees, lowered

MAX_RUN = 3  # the most words one `{*}` stands for (a company of three words)


def _root(c: Cluster) -> Cluster:
    while c.into is not None:
        c = c.into
    return c


def absorb(buckets: dict[int, list[Cluster]]) -> None:
    """A `{*}` stands for one to MAX_RUN words: a cluster that is a shorter cluster's pattern
    with one of its `{*}` spread over several words joins it, when the evidence agrees
    (`Contract signed with {*}` takes `Contract signed with Blue Sky Labs`)."""
    index: dict[tuple[frozenset[int], tuple[str, ...]], list[Cluster]] = {}
    wsets: dict[int, list[frozenset[int]]] = {}
    for length in sorted(buckets):
        for d in buckets[length]:
            target = _absorber(d, index, wsets)
            if target is not None:
                d.into = target
                target.longer += d.titles + d.longer
                target.evidence = target.evidence.pooled(d.evidence)
        found = {c.wild for c in buckets[length] if c.wild}
        wsets[length] = sorted(found, key=sorted)
        for c in buckets[length]:
            if c.wild:
                proj = tuple("" if j in c.wild else t for j, t in enumerate(c.tokens))
                index.setdefault((c.wild, proj), []).append(c)


def absorb_into_longer(buckets: dict[int, list[Cluster]]) -> None:
    """The other way round: a cluster that fills a run of a longer cluster's `{*}`s with
    fewer words joins it (`Contract signed with Hooli` joins
    `Contract signed with {*} {*}`), when the evidence agrees."""
    index: dict[tuple[frozenset[int], tuple[str, ...]], list[Cluster]] = {}
    wsets: dict[int, set[frozenset[int]]] = {}
    for length in sorted(buckets):
        for c in buckets[length]:
            if c.into is not None:
                continue
            for k in range(1, MAX_RUN):
                for p in range(length - k):
                    if all(j in c.wild for j in range(p, p + k + 1)):
                        short = (*c.tokens[:p], WILD, *c.tokens[p + k + 1 :])
                        w = frozenset(i for i, t in enumerate(short) if t == WILD)
                        proj = tuple("" if j in w else t for j, t in enumerate(short))
                        index.setdefault((w, proj), []).append(c)
                        wsets.setdefault(len(short), set()).add(w)
    for length in sorted(buckets):
        for d in buckets[length]:
            if d.into is None:
                _join_longer(d, index, sorted(wsets.get(length, ()), key=sorted))


def _join_longer(
    d: Cluster,
    index: dict[tuple[frozenset[int], tuple[str, ...]], list[Cluster]],
    wsets: list[frozenset[int]],
) -> None:
    for w in wsets:
        if not d.wild <= w or any(
            j in w and not can_vary({t, WILD}) for j, t in enumerate(d.tokens)
        ):
            continue
        proj = tuple("" if j in w else t for j, t in enumerate(d.tokens))
        for c in index.get((w, proj), []):
            target = _root(c)
            drop = frozenset(lowered(d.tokens[j]) for j in w)
            if target is not d and agrees(d.evidence, target.evidence, drop):
                d.into = target
                target.longer += d.titles + d.longer
                target.evidence = target.evidence.pooled(d.evidence)
                return


def _absorber(
    d: Cluster,
    index: dict[tuple[frozenset[int], tuple[str, ...]], list[Cluster]],
    wsets: dict[int, list[frozenset[int]]],
) -> Cluster | None:
    length = len(d.tokens)
    for k in range(1, MAX_RUN):
        for w in wsets.get(length - k, []):
            for p in sorted(w):
                run = d.tokens[p : p + k + 1]
                if not can_vary({*run, WILD}):
                    continue
                short = (*d.tokens[:p], WILD, *d.tokens[p + k + 1 :])
                if any(j in w and not can_vary({t, WILD}) for j, t in enumerate(short)):
                    continue
                proj = tuple("" if j in w else t for j, t in enumerate(short))
                for c in index.get((w, proj), []):
                    target = _root(c)
                    drop = frozenset(lowered(t) for t in run)
                    if agrees(d.evidence, target.evidence, drop):
                        return target
    return None
