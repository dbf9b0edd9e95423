"""The evidence beside a title (body, metadata keys, severity, CTA labels), pooled per masked
title, and when two variants' evidence agrees."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, cast

from template_noise.inference.masking import mask_titles

if TYPE_CHECKING:
    import pandas as pd

MIN_AGREEMENT = 0.5
PUNCT = "\"'“”‘’`.,;:!?()[]<>«»—–-/|*&#%+="  # noqa: RUF001 (typographic quotes, dashes)


@dataclass(frozen=True)
class TitleRecord:
    """One distinct notification shape: its title and the evidence beside it."""

    title: str
    body: str | None = None
    metadata_keys: frozenset[str] = frozenset()
    severity: str | None = None
    ctas: tuple[str, ...] = ()
    count: int = 1


def records_from_frame(frame: pd.DataFrame) -> list[TitleRecord]:
    """Records from a frame with columns title, body, metadata_keys, severity, ctas, count
    (all but title optional; metadata_keys and ctas hold lists; missing values are None or
    NaN)."""

    def text(v: object) -> str | None:
        return v if isinstance(v, str) else None

    def items(v: object) -> tuple[str, ...]:
        if isinstance(v, list | tuple | set | frozenset) or _is_array(v):
            return tuple(str(x) for x in cast("Iterable[object]", v))
        return ()

    out = []
    for row in frame.to_dict("records"):
        count = row.get("count")
        out.append(
            TitleRecord(
                title=str(row["title"]),
                body=text(row.get("body")),
                metadata_keys=frozenset(items(row.get("metadata_keys"))),
                severity=text(row.get("severity")),
                ctas=items(row.get("ctas")),
                count=int(count) if isinstance(count, int | float) and count == count else 1,
            )
        )
    return out


def _is_array(v: object) -> bool:
    return type(v).__name__ == "ndarray"  # a list column read back from Parquet or DuckDB


@dataclass(frozen=True)
class Evidence:
    """What the notifications of one masked title say besides the title. Pooling is union
    (severities, metadata keys, CTA labels) and intersection (body words), so it ignores
    order and repetition: a store can keep one Evidence per masked title and pool each new
    day into it, and get what pooling everything at once gives."""

    severities: frozenset[str]
    keys: frozenset[str]
    ctas: frozenset[str]
    frame: frozenset[str]  # the lowercase body words every body shares (see _body_word)

    def pooled(self, other: Evidence) -> Evidence:
        return Evidence(
            self.severities | other.severities,
            self.keys | other.keys,
            self.ctas | other.ctas,
            self.frame & other.frame,
        )


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


def _overlap(a: frozenset[str], b: frozenset[str]) -> float:
    if not a and not b:
        return 1.0
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def agrees(a: Evidence, b: Evidence, drop: frozenset[str] = frozenset()) -> bool:
    """Whether two variants can be one event: severity, metadata keys, CTAs and body agree."""
    if a.severities and b.severities and a.severities.isdisjoint(b.severities):
        return False
    if _jaccard(a.keys, b.keys) < MIN_AGREEMENT or _jaccard(a.ctas, b.ctas) < MIN_AGREEMENT:
        return False
    return _overlap(_without(a.frame, drop), _without(b.frame, drop)) >= MIN_AGREEMENT


def _without(frame: frozenset[str], drop: frozenset[str]) -> frozenset[str]:
    return frozenset(w for w in frame if lowered(w) not in drop) if drop else frame


@lru_cache(maxsize=1 << 16)
def lowered(token: str) -> str:
    return token.strip(PUNCT).lower()


def _body_word(token: str, masked: str | None) -> bool:
    """Whether a body token is a skeleton word: a lowercase word with no typed value in it
    (names, companies and values are left out). A filter of the token alone, so it commutes
    with intersecting the bodies' tokens: pooled day by day or at once, the same words."""
    return "a" <= token[0] <= "z" and masked == token


def pool_evidence(records: Iterable[TitleRecord]) -> dict[str, Evidence]:
    """masked title -> the pooled evidence of its distinct records."""
    return pool(records)[1]


def pool(records: Iterable[TitleRecord]) -> tuple[dict[str, str | None], dict[str, Evidence]]:
    # Pooling is idempotent, so repeated records need no de-duplication first.
    records = [r for r in records if r.title]
    titles = sorted({r.title for r in records})
    masked_of = dict(zip(titles, mask_titles(titles), strict=True))
    pooled: dict[str, tuple[set[str], set[str], set[str], set[str]]] = {}
    for r in records:
        m = masked_of[r.title]
        assert m is not None
        acc = pooled.get(m)
        if acc is None:
            tokens = set(r.body.split()) if r.body else set()
            sev = {r.severity} if r.severity else set()
            pooled[m] = (sev, set(r.metadata_keys), set(r.ctas), tokens)
            continue
        if r.severity:
            acc[0].add(r.severity)
        acc[1].update(r.metadata_keys)
        acc[2].update(r.ctas)
        # The body words every body of a masked title shares: the raw tokens first, then
        # only the tokens that survive are masked and checked (see _body_word).
        if acc[3]:
            acc[3].intersection_update(r.body.split() if r.body else ())
    body_tokens = sorted(set().union(*(acc[3] for acc in pooled.values())))
    words = {
        t for t, m in zip(body_tokens, mask_titles(body_tokens), strict=True) if _body_word(t, m)
    }
    evidence = {
        m: Evidence(frozenset(sev), frozenset(keys), frozenset(ctas), frozenset(tokens & words))
        for m, (sev, keys, ctas, tokens) in pooled.items()
    }
    return masked_of, evidence
