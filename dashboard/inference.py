"""Template inference from titles (issue 17, phase 1): which titles one sender's format wrote.

Wacht's `POST /notifications` carries no template id, so for most users the template is what
this infers from the title. Input: the *distinct* title records (title, body, metadata key
set, severity, CTA labels, count); output: title -> template key. Distinct titles are
clustered, never rows.

The rule
--------
1. Typed masking, exactly as the SQL macro `tn_infer_template` (queries/store/session.sql):
   numbers `{n}`, IPs `{ip}`, e-mails `{email}`, URLs `{url}`, UUIDs `{uuid}`, ids `{id}`,
   long hex `{hex}`, quoted values `{q}`. Same regular expressions, run by the same engine
   (RE2, through pyarrow, vectorised), so a title that never merges keeps its key of today.
2. Masked titles are bucketed by token count. Within a bucket, titles (later: clusters) that
   agree on every token but one position (or two adjacent ones: a first and a last name),
   plus positions some cluster of the bucket has already shown to vary, form a group. A
   group is split into classes greedily (members in sorted order, complete linkage against
   the class's pooled evidence), and each class of two or more becomes one cluster with
   `{*}` where its members differ.
   Passes repeat until nothing merges.
3. Two members may share a class only when the evidence agrees:
   - severities overlap; metadata key sets and CTA label sets have Jaccard >= 0.5;
   - body skeletons agree: the lowercase words of the body (names, companies and typed
     values left out) that every body of a variant shares, with the differing title words
     removed, overlap by >= 0.5 (overlap coefficient);
   - the differing tokens are words (or typed tokens with the same placeholders, as `${n}`
     and `€{n}`), never punctuation, and never a word against a typed value;
   - a position whose two or three distinct values are all event words (past participles
     such as `revoked`, `rotated`, `paid`; see `EVENT_WORDS`) names different events and
     never becomes `{*}`; from four values on, the position is a variable like any other;
   - at least one word stays constant, and at most 60% of the tokens (rounded) become `{*}`.
4. A `{*}` may stand for up to three words: a cluster one to two tokens longer than another
   whose `{*}` it fills with several words (`Contract signed with Blue Sky Labs` against
   `Contract signed with {*}`) joins it, when the evidence agrees; so does, the other way
   round, a cluster that fills a longer one's run of `{*}`s with fewer words
   (`Contract signed with Hooli` joins `Contract signed with {*} {*}`).
5. Pure and deterministic: the input is reduced to its set of distinct records first and
   counts never decide anything, every loop runs in sorted order, so any input order, and
   the union of day-by-day inputs, give the same mapping as all at once.

Key text: the tokens joined by one space; a `{*}` keeps the punctuation its values all share
(`New order from {*} {*}: ${n}`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, cast

import pyarrow as pa
import pyarrow.compute as pc

if TYPE_CHECKING:
    import pandas as pd

# tn_infer_template's replacements, in its order (queries/store/session.sql): DuckDB's
# regexp_replace(..., 'g') is RE2's GlobalReplace, and so is pyarrow's
# replace_substring_regex, so the same pattern text gives the same result.
TYPED_MASKS: tuple[tuple[str, str], ...] = (
    (r"https?://[^\s]+", "{url}"),
    (r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}", "{email}"),
    (r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}", "{uuid}"),
    (
        r"\b[0-9]{1,3}(\.[0-9]{1,3}){3}\b|\b[0-9a-fA-F]{1,4}(:[0-9a-fA-F]{1,4}){4,7}\b"
        r"|[0-9a-fA-F]{0,4}(:[0-9a-fA-F]{1,4})*::([0-9a-fA-F]{1,4}(:[0-9a-fA-F]{1,4})*)?",
        "{ip}",
    ),
    (r"""(^|[\s(\[:=])("[^"]*"|'[^']*'|“[^”]*”|‘[^’]*’|`[^`]*`)""", r"\1{q}"),  # noqa: RUF001
    (r"\b[A-Za-z]+[_-][A-Za-z0-9]*[0-9][A-Za-z0-9_-]*\b", "{id}"),
    (
        r"\b[0-9a-fA-F]*[0-9][0-9a-fA-F]*[a-fA-F][0-9a-fA-F]*\b"
        r"|\b[0-9a-fA-F]*[a-fA-F][0-9a-fA-F]*[0-9][0-9a-fA-F]*\b",
        "{hex}",
    ),
    (r"[0-9]+([.,][0-9]+)*", "{n}"),
    (r"\s+", " "),
)
# DuckDB's trim() strips the Unicode space separators (Zs), not only ' '.
_TRIM = "".join(map(chr, (0x20, 0xA0, 0x1680, *range(0x2000, 0x200B), 0x202F, 0x205F, 0x3000)))

WILD = "{*}"
EVENT_WORDS = frozenset((
    "paid", "sent", "won", "lost", "made", "held", "run", "begun", "frozen", "chosen",
    "taken", "given", "written", "broken", "shown", "done", "gone", "seen", "left", "met",
    "set", "reset", "shut", "quit", "bought", "sold", "built", "kept", "found", "thrown",
    "drawn", "stolen", "hidden", "undone", "withdrawn", "overdue", "due", "expiring",
    "expires", "starts", "ends", "fails", "begins", "open", "down", "up", "live",
))  # fmt: skip
FREE_AT = 4  # distinct values from which a position of event words is a variable anyway
MAX_WILD_SHARE = 0.6
MIN_AGREEMENT = 0.5

_TYPED = re.compile(r"\{(?:n|ip|email|url|uuid|id|hex|q)\}")
_PUNCT = "\"'“”‘’`.,;:!?()[]<>«»—–-/|*&#%+="  # noqa: RUF001 (typographic quotes, dashes)


def mask_titles(titles: Sequence[str | None]) -> list[str | None]:
    """tn_infer_template over a list of titles, vectorised (one RE2 pass per mask)."""
    arr = pa.array(titles, type=pa.string())
    for pattern, replacement in TYPED_MASKS:
        arr = pc.replace_substring_regex(arr, pattern=pattern, replacement=replacement)
    return [None if s is None else s.strip(_TRIM) for s in arr.to_pylist()]


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
    return frozenset(w for w in frame if _lowered(w) not in drop) if drop else frame


def _body_word(token: str, masked: str | None) -> bool:
    """Whether a body token is a skeleton word: a lowercase word with no typed value in it
    (names, companies and values are left out). A filter of the token alone, so it commutes
    with intersecting the bodies' tokens: pooled day by day or at once, the same words."""
    return "a" <= token[0] <= "z" and masked == token


def is_event_word(token: str) -> bool:
    """A past participle (`revoked`) or another word that names what happened (`paid`)."""
    w = token.strip(_PUNCT).lower()
    return (len(w) > 3 and w.endswith("ed")) or w in EVENT_WORDS


@lru_cache(maxsize=1 << 16)
def _kind(token: str) -> str:
    """word, wild, punct, or the placeholders of a typed token ("{n}" for "${n}")."""
    if token == WILD:
        return "wild"
    typed = _TYPED.findall(token)
    if typed:
        return "".join(typed)
    return "word" if any(c.isalnum() for c in token) else "punct"


def _can_vary(values: set[str]) -> bool:
    """Whether one position may hold all these tokens as one `{*}`."""
    kinds = {_kind(v) for v in values} - {"wild"}
    return len(kinds) <= 1 and "punct" not in kinds


@dataclass(eq=False)
class _Cluster:
    tokens: tuple[str, ...]
    evidence: Evidence
    titles: list[str]  # masked titles
    wild: frozenset[int] = field(init=False)
    longer: list[str] = field(default_factory=list)  # masked titles a `{*}` took several words of
    into: _Cluster | None = None  # the cluster this one joined (see _absorb)

    def __post_init__(self) -> None:
        self.wild = frozenset(i for i, t in enumerate(self.tokens) if t == WILD)


@dataclass
class _Class:
    members: list[_Cluster]
    values: dict[int, set[str]]  # position (in the group's mask) -> tokens seen there
    evidence: Evidence
    words: set[str]  # those tokens as body words: left out when bodies are compared

    def add(self, c: _Cluster) -> None:
        self.members.append(c)
        for d, seen in self.values.items():
            seen.add(c.tokens[d])
            self.words.add(_lowered(c.tokens[d]))
        self.evidence = self.evidence.pooled(c.evidence)


@lru_cache(maxsize=1 << 16)
def _lowered(token: str) -> str:
    return token.strip(_PUNCT).lower()


def _max_wild(length: int) -> int:
    return min(length - 1, round(MAX_WILD_SHARE * length))


def _joins(c: _Cluster, cls: _Class, events: set[int], length: int) -> bool:
    for d, seen in cls.values.items():
        tok = c.tokens[d]
        if tok in seen and len(seen) == 1 and tok != WILD:
            continue
        if d in events or not _can_vary(seen | {tok}):
            return False
    # c's own wildcards all lie in the group's mask, so these are all the result's wildcards
    wild = sum(1 for d, s in cls.values.items() if len(s | {c.tokens[d]}) > 1 or WILD in s)
    if wild > _max_wild(length):
        return False
    constant_word = any(
        _kind(t) == "word" and (i not in cls.values or cls.values[i] == {t})
        for i, t in enumerate(c.tokens)
    )
    drop = frozenset(cls.words.union(_lowered(c.tokens[d]) for d in cls.values))
    return constant_word and agrees(c.evidence, cls.evidence, drop)


def _merge(cls: _Class) -> _Cluster:
    first = cls.members[0].tokens
    tokens = tuple(
        WILD if i in cls.values and len(cls.values[i]) > 1 else t for i, t in enumerate(first)
    )
    return _Cluster(tokens, cls.evidence, [t for m in cls.members for t in m.titles])


def _split(members: list[_Cluster], mask: tuple[int, ...], length: int) -> list[_Class]:
    literal = {d: {m.tokens[d] for m in members} for d in mask}
    events = {
        d
        for d, vals in literal.items()
        if WILD not in vals
        and 2 <= len(vals) < FREE_AT
        and all(_kind(v) == "word" and is_event_word(v) for v in vals)
    }
    classes: list[_Class] = []
    for m in members:
        for cls in classes:
            if _joins(m, cls, events, length):
                cls.add(m)
                break
        else:
            words = {_lowered(m.tokens[d]) for d in mask}
            classes.append(_Class([m], {d: {m.tokens[d]} for d in mask}, m.evidence, words))
    return classes


def _one_pass(live: list[_Cluster], length: int) -> list[_Cluster] | None:
    limit = _max_wild(length)
    wsets = {c.wild for c in live}
    # One more position, or two adjacent ones (a person's first and last name), beyond
    # positions some cluster of this length already shows to vary.
    steps = [{p} for p in range(length)] + [{p, p + 1} for p in range(length - 1)]
    masks = sorted(
        {tuple(sorted(w | s)) for w in wsets for s in steps if not s & w and len(w | s) <= limit},
        key=lambda m: (len(m), m),
    )
    groups: dict[tuple[tuple[int, ...], tuple[str, ...]], list[int]] = {}
    for i, c in enumerate(live):
        wild = c.wild
        for mask in masks:
            if wild.issubset(mask):
                proj = tuple("" if j in mask else t for j, t in enumerate(c.tokens))
                groups.setdefault((mask, proj), []).append(i)
    consumed: set[int] = set()
    fresh: list[_Cluster] = []
    shared = sorted(
        ((key, idx) for key, idx in groups.items() if len(idx) > 1),
        key=lambda kv: (len(kv[0][0]), kv[0]),
    )
    for (mask, _), idx in shared:
        free = [i for i in idx if i not in consumed]
        if len(free) < 2:
            continue
        index = {id(live[i]): i for i in free}
        for cls in _split([live[i] for i in free], mask, length):
            if len(cls.members) > 1:
                fresh.append(_merge(cls))
                consumed.update(index[id(m)] for m in cls.members)
    if not fresh:
        return None
    kept = [c for i, c in enumerate(live) if i not in consumed]
    return sorted(kept + fresh, key=lambda c: c.tokens)


MAX_RUN = 3  # the most words one `{*}` stands for (a company of three words)


def _root(c: _Cluster) -> _Cluster:
    while c.into is not None:
        c = c.into
    return c


def _absorb(buckets: dict[int, list[_Cluster]]) -> None:
    """A `{*}` stands for one to MAX_RUN words: a cluster that is a shorter cluster's pattern
    with one of its `{*}` spread over several words joins it, when the evidence agrees
    (`Contract signed with {*}` takes `Contract signed with Blue Sky Labs`)."""
    index: dict[tuple[frozenset[int], tuple[str, ...]], list[_Cluster]] = {}
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


def _absorb_into_longer(buckets: dict[int, list[_Cluster]]) -> None:
    """The other way round: a cluster that fills a run of a longer cluster's `{*}`s with
    fewer words joins it (`Contract signed with Hooli` joins
    `Contract signed with {*} {*}`), when the evidence agrees."""
    index: dict[tuple[frozenset[int], tuple[str, ...]], list[_Cluster]] = {}
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
    d: _Cluster,
    index: dict[tuple[frozenset[int], tuple[str, ...]], list[_Cluster]],
    wsets: list[frozenset[int]],
) -> None:
    for w in wsets:
        if not d.wild <= w or any(
            j in w and not _can_vary({t, WILD}) for j, t in enumerate(d.tokens)
        ):
            continue
        proj = tuple("" if j in w else t for j, t in enumerate(d.tokens))
        for c in index.get((w, proj), []):
            target = _root(c)
            drop = frozenset(_lowered(d.tokens[j]) for j in w)
            if target is not d and agrees(d.evidence, target.evidence, drop):
                d.into = target
                target.longer += d.titles + d.longer
                target.evidence = target.evidence.pooled(d.evidence)
                return


def _absorber(
    d: _Cluster,
    index: dict[tuple[frozenset[int], tuple[str, ...]], list[_Cluster]],
    wsets: dict[int, list[frozenset[int]]],
) -> _Cluster | None:
    length = len(d.tokens)
    for k in range(1, MAX_RUN):
        for w in wsets.get(length - k, []):
            for p in sorted(w):
                run = d.tokens[p : p + k + 1]
                if not _can_vary({*run, WILD}):
                    continue
                short = (*d.tokens[:p], WILD, *d.tokens[p + k + 1 :])
                if any(j in w and not _can_vary({t, WILD}) for j, t in enumerate(short)):
                    continue
                proj = tuple("" if j in w else t for j, t in enumerate(short))
                for c in index.get((w, proj), []):
                    target = _root(c)
                    drop = frozenset(_lowered(t) for t in run)
                    if agrees(d.evidence, target.evidence, drop):
                        return target
    return None


def _decorated(c: _Cluster) -> str:
    """The key: a `{*}` keeps the punctuation all its words share (`{*}:`)."""
    out = []
    split = [t.split(" ") for t in c.titles]
    for i, tok in enumerate(c.tokens):
        if tok != WILD:
            out.append(tok)
            continue
        values = [s[i] for s in split]
        if any(_kind(v) != "word" for v in values):
            out.append(tok)
            continue
        head = _common(v[: len(v) - len(v.lstrip(_PUNCT))] for v in values)
        tail = _common(v[len(v.rstrip(_PUNCT)) :][::-1] for v in values)[::-1]
        out.append(head + WILD + tail)
    return " ".join(out)


def _common(strings: Iterable[str]) -> str:
    items = list(strings)
    first = min(items) if items else ""
    for s in items:
        while not s.startswith(first):
            first = first[:-1]
    return first


def pool_evidence(records: Iterable[TitleRecord]) -> dict[str, Evidence]:
    """masked title -> the pooled evidence of its distinct records."""
    return _pool(records)[1]


def _pool(records: Iterable[TitleRecord]) -> tuple[dict[str, str | None], dict[str, Evidence]]:
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


def templates_of(evidence: Mapping[str, Evidence]) -> dict[str, str]:
    """masked title -> template key: the clustering of rule steps 2 to 5."""
    buckets: dict[int, list[_Cluster]] = {}
    for m in sorted(evidence):
        tokens = tuple(m.split(" ")) if m else ()
        buckets.setdefault(len(tokens), []).append(_Cluster(tokens, evidence[m], [m]))
    for length in sorted(buckets):
        live = buckets[length]
        while (after := _one_pass(live, length)) is not None:
            live = after
        buckets[length] = live
    _absorb(buckets)
    _absorb_into_longer(buckets)
    key_of: dict[str, str] = {}
    for length in sorted(buckets):
        for c in buckets[length]:
            if c.into is None:
                key = _decorated(c)
                key_of.update((m, key) for m in c.titles + c.longer)
    return key_of


def infer_templates(records: Iterable[TitleRecord]) -> dict[str, str]:
    """title -> template key, for every distinct title of `records` (a pure function of the
    set of distinct records: order and repetition do not matter)."""
    records = list(records)
    key_of = templates_of(pool_evidence(records))
    titles = sorted({r.title for r in records if r.title})
    return {t: key_of[m] for t, m in zip(titles, mask_titles(titles), strict=True) if m is not None}
