"""Template inference from titles: which titles one sender's format wrote.

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
   - at least one word stays constant, and at most 60% of the tokens (rounded) become `{*}`;
     with a single constant word (`{*} changed`), each varying position needs three values
     or more (`Password changed` and `Role changed` alone stay apart).
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

Modules: `masking` (step 1), `evidence` (the records pooled per masked title, and when two
variants agree), `clusters` (steps 2 and 3), `absorb` (step 4).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from template_noise.inference.absorb import absorb, absorb_into_longer
from template_noise.inference.clusters import EVENT_WORDS, WILD, Cluster, decorated, one_pass
from template_noise.inference.evidence import (
    Evidence,
    TitleRecord,
    agrees,
    pool,
    pool_evidence,
    records_from_frame,
)
from template_noise.inference.masking import TYPED_MASKS, mask_titles

__all__ = [
    "EVENT_WORDS",
    "TYPED_MASKS",
    "WILD",
    "Evidence",
    "TitleRecord",
    "agrees",
    "infer_templates",
    "mask_titles",
    "pool_evidence",
    "records_from_frame",
    "templates_of",
]


def templates_of(evidence: Mapping[str, Evidence]) -> dict[str, str]:
    """masked title -> template key: the clustering of rule steps 2 to 5."""
    buckets: dict[int, list[Cluster]] = {}
    for m in sorted(evidence):
        tokens = tuple(m.split(" ")) if m else ()
        buckets.setdefault(len(tokens), []).append(Cluster(tokens, evidence[m], [m]))
    for length in sorted(buckets):
        live = buckets[length]
        while (after := one_pass(live, length)) is not None:
            live = after
        buckets[length] = live
    absorb(buckets)
    absorb_into_longer(buckets)
    key_of: dict[str, str] = {}
    for length in sorted(buckets):
        for c in buckets[length]:
            if c.into is None:
                key = decorated(c)
                key_of.update((m, key) for m in c.titles + c.longer)
    return key_of


def infer_templates(records: Iterable[TitleRecord]) -> dict[str, str]:
    """title -> template key, for every distinct title of `records` (a pure function of the
    set of distinct records: order and repetition do not matter)."""
    masked_of, evidence = pool(records)
    key_of = templates_of(evidence)
    return {t: key_of[m] for t, m in masked_of.items() if m is not None}
