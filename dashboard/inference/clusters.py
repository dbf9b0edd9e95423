"""Clusters of masked titles of one length: a position becomes `{*}` where titles that
otherwise agree vary, unless the evidence says the varying word names another event."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from template_noise.inference.evidence import PUNCT, Evidence, agrees, lowered

WILD = "{*}"
EVENT_WORDS = frozenset((
    "paid", "sent", "won", "lost", "made", "held", "run", "begun", "frozen", "chosen",
    "taken", "given", "written", "broken", "shown", "done", "gone", "seen", "left", "met",
    "set", "reset", "shut", "quit", "bought", "sold", "built", "kept", "found", "thrown",
    "drawn", "stolen", "hidden", "undone", "withdrawn", "overdue", "due", "expiring",
    "expires", "starts", "ends", "fails", "begins", "open", "down", "up", "live",
))  # fmt: skip
FREE_AT = 4  # distinct values from which a position of event words is a variable anyway
# A pattern with a single constant word (`{*} changed`) says little: two titles
# (`Password changed`, `Role changed`) are as likely two events. It needs this many values.
FEW_CONSTANT_VALUES = 3
MAX_WILD_SHARE = 0.6
_TYPED = re.compile(r"\{(?:n|ip|email|url|uuid|id|hex|q)\}")


def is_event_word(token: str) -> bool:
    """A past participle (`revoked`) or another word that names what happened (`paid`)."""
    w = token.strip(PUNCT).lower()
    return (len(w) > 3 and w.endswith("ed")) or w in EVENT_WORDS


@lru_cache(maxsize=1 << 16)
def kind(token: str) -> str:
    """word, wild, punct, or the placeholders of a typed token ("{n}" for "${n}")."""
    if token == WILD:
        return "wild"
    typed = _TYPED.findall(token)
    if typed:
        return "".join(typed)
    return "word" if any(c.isalnum() for c in token) else "punct"


def can_vary(values: set[str]) -> bool:
    """Whether one position may hold all these tokens as one `{*}`."""
    kinds = {kind(v) for v in values} - {"wild"}
    return len(kinds) <= 1 and "punct" not in kinds


@dataclass(eq=False)
class Cluster:
    tokens: tuple[str, ...]
    evidence: Evidence
    titles: list[str]  # masked titles
    wild: frozenset[int] = field(init=False)
    longer: list[str] = field(default_factory=list)  # masked titles a `{*}` took several words of
    into: Cluster | None = None  # the cluster this one joined (see absorb)

    def __post_init__(self) -> None:
        self.wild = frozenset(i for i, t in enumerate(self.tokens) if t == WILD)


@dataclass
class _Class:
    members: list[Cluster]
    values: dict[int, set[str]]  # position (in the group's mask) -> tokens seen there
    evidence: Evidence
    words: set[str]  # those tokens as body words: left out when bodies are compared

    def add(self, c: Cluster) -> None:
        self.members.append(c)
        for d, seen in self.values.items():
            seen.add(c.tokens[d])
            self.words.add(lowered(c.tokens[d]))
        self.evidence = self.evidence.pooled(c.evidence)


def _max_wild(length: int) -> int:
    return min(length - 1, round(MAX_WILD_SHARE * length))


def _joins(c: Cluster, cls: _Class, events: set[int], length: int) -> bool:
    for d, seen in cls.values.items():
        tok = c.tokens[d]
        if tok in seen and len(seen) == 1 and tok != WILD:
            continue
        if d in events or not can_vary(seen | {tok}):
            return False
    # c's own wildcards all lie in the group's mask, so these are all the result's wildcards
    wild = sum(1 for d, s in cls.values.items() if len(s | {c.tokens[d]}) > 1 or WILD in s)
    if wild > _max_wild(length):
        return False
    constant_word = any(
        kind(t) == "word" and (i not in cls.values or cls.values[i] == {t})
        for i, t in enumerate(c.tokens)
    )
    drop = frozenset(cls.words.union(lowered(c.tokens[d]) for d in cls.values))
    return constant_word and agrees(c.evidence, cls.evidence, drop)


def _telling(cls: _Class) -> bool:
    """Whether the class may become one pattern: two constant words or more, or else at
    least FEW_CONSTANT_VALUES values at each position it makes vary."""
    first = cls.members[0].tokens
    constant = sum(
        1
        for i, t in enumerate(first)
        if kind(t) == "word" and (i not in cls.values or len(cls.values[i]) == 1)
    )
    if constant >= 2:
        return True
    return all(
        len(v) >= FEW_CONSTANT_VALUES or WILD in v for v in cls.values.values() if len(v) > 1
    )


def _merge(cls: _Class) -> Cluster:
    first = cls.members[0].tokens
    tokens = tuple(
        WILD if i in cls.values and len(cls.values[i]) > 1 else t for i, t in enumerate(first)
    )
    return Cluster(tokens, cls.evidence, [t for m in cls.members for t in m.titles])


def _split(members: list[Cluster], mask: tuple[int, ...], length: int) -> list[_Class]:
    literal = {d: {m.tokens[d] for m in members} for d in mask}
    events = {
        d
        for d, vals in literal.items()
        if WILD not in vals
        and 2 <= len(vals) < FREE_AT
        and all(kind(v) == "word" and is_event_word(v) for v in vals)
    }
    classes: list[_Class] = []
    for m in members:
        for cls in classes:
            if _joins(m, cls, events, length):
                cls.add(m)
                break
        else:
            words = {lowered(m.tokens[d]) for d in mask}
            classes.append(_Class([m], {d: {m.tokens[d]} for d in mask}, m.evidence, words))
    return classes


def one_pass(live: list[Cluster], length: int) -> list[Cluster] | None:
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
    fresh: list[Cluster] = []
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
            if len(cls.members) > 1 and _telling(cls):
                fresh.append(_merge(cls))
                consumed.update(index[id(m)] for m in cls.members)
    if not fresh:
        return None
    kept = [c for i, c in enumerate(live) if i not in consumed]
    return sorted(kept + fresh, key=lambda c: c.tokens)


def decorated(c: Cluster) -> str:
    """The key: a `{*}` keeps the punctuation all its words share (`{*}:`)."""
    out = []
    split = [t.split(" ") for t in c.titles]
    for i, tok in enumerate(c.tokens):
        if tok != WILD:
            out.append(tok)
            continue
        values = [s[i] for s in split]
        if any(kind(v) != "word" for v in values):
            out.append(tok)
            continue
        head = _common(v[: len(v) - len(v.lstrip(PUNCT))] for v in values)
        tail = _common(v[len(v.rstrip(PUNCT)) :][::-1] for v in values)[::-1]
        out.append(head + WILD + tail)
    return " ".join(out)


def _common(strings: Iterable[str]) -> str:
    items = list(strings)
    first = min(items) if items else ""
    for s in items:
        while not s.startswith(first):
            first = first[:-1]
    return first
