"""Template inference at ingest: each load's titles folded into the evidence stored per masked
title (table template_titles), the stored masked titles clustered, and the events re-keyed.

Every title's template is a function of the pooled evidence of all masked titles ever loaded,
and pooling ignores order and repetition (template_noise.inference.evidence), so the same
events give the same templates loaded at once or day by day, in any order. The clustering
reads thousands of masked titles, never the events; events are re-keyed in SQL, set-based:
the load's own events, and events of earlier loads only when their key changed (a merge).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import TYPE_CHECKING, Any

from template_noise.inference import templates_of
from template_noise.inference.evidence import Evidence
from template_noise.queries import execute

if TYPE_CHECKING:
    import duckdb
    from template_noise.config import Config, TemplateOverride

# Bump when the clustering rule changes: stored keys are then rebuilt at the next ingest.
RULE_VERSION = 1


@dataclass(frozen=True)
class Merge:
    """Templates a load joined: events keyed `was` are now keyed `template`."""

    template: str
    was: tuple[str, ...]


@dataclass
class TemplateChanges:
    merges: list[Merge] = field(default_factory=list)
    rekeyed: int = 0  # events of earlier loads whose key changed
    rebuilt: bool = False  # every stored title was clustered again from its events

    @property
    def earlier_events_changed(self) -> bool:
        return self.rebuilt or self.rekeyed > 0


def signature(overrides: Sequence[TemplateOverride]) -> str:
    """What the stored keys were built with: the rule's version and the overrides."""
    body = {"rule": RULE_VERSION, "overrides": [[o.match, o.name] for o in overrides]}
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False)


def _one(con: duckdb.DuckDBPyConnection, name: str, **params: Any) -> Any:
    row = execute(con, name, **params).fetchone()
    assert row is not None
    return row[0]


def infer_in_store(
    con: duckdb.DuckDBPyConnection, load_id: int, overrides: Sequence[TemplateOverride] = ()
) -> TemplateChanges:
    """Key the load's inferred events (inside the load's transaction, after its repeats were
    dropped); merges re-key earlier events too. A database whose stored keys were built
    otherwise (an older schema, other overrides) is rebuilt from all its events."""
    sig = signature(overrides)
    # Only a changed signature reads the events (the common case reads one meta row).
    rebuild = _one(con, "ingest/templates_mode") != sig and bool(
        _one(con, "ingest/templates_earlier", load_id=load_id)
    )
    before = {str(r[0]): r[5] for r in execute(con, "ingest/templates_stored").fetchall()}
    if rebuild:
        execute(con, "ingest/templates_reset", load_id=load_id)
    scope = None if rebuild else load_id
    if overrides:
        execute(
            con,
            "ingest/templates_override",
            load_id=scope,
            patterns=[o.match for o in overrides],
            names=[o.name for o in overrides],
        )
    execute(con, "ingest/templates_pool", load_id=scope)
    rows = execute(con, "ingest/templates_stored").fetchall()
    evidence = {
        str(m): Evidence(frozenset(sev), frozenset(keys), frozenset(ctas), frozenset(frame))
        for m, sev, keys, ctas, frame, _ in rows
    }
    key_of = templates_of(evidence)
    stored = {str(r[0]): r[5] for r in rows}
    changed = sorted(m for m in key_of if stored.get(m) != key_of[m])
    if changed:
        execute(
            con,
            "ingest/templates_keys",
            masked=changed,
            template=[key_of[m] for m in changed],
        )
    if any(k != m for m, k in key_of.items()):  # else no event holds other than its mask
        execute(con, "ingest/templates_rekey", load_id=load_id, all=rebuild)
    changes = TemplateChanges(rebuilt=rebuild)
    old_keys = sorted({k for m, k in before.items() if k is not None and k != key_of.get(m, k)})
    if old_keys and not rebuild:
        changes.rekeyed = int(
            _one(con, "ingest/templates_rekey_earlier", load_id=load_id, old_keys=old_keys)
        )
    was: dict[str, set[str]] = {}
    for m, old in before.items():
        new = key_of.get(m)
        if old is not None and new is not None and old != new:
            was.setdefault(new, set()).add(old)
    changes.merges = [Merge(new, tuple(sorted(olds))) for new, olds in sorted(was.items())]
    execute(con, "ingest/templates_signature", signature=sig)
    return changes


def config_naming(config: Config, merges: Sequence[Merge]) -> list[str]:
    """The config's waivers, conventions and owners that name a key a merge replaced, as
    lines."""
    new_of = {old: m.template for m in merges for old in m.was}
    out = [
        f"waiver of {w.flag!r} names {w.template!r}, now part of {new_of[w.template]!r}"
        for w in config.waivers
        if w.template in new_of
    ]
    out += [
        f"convention for {t!r} names a template now part of {new_of[t]!r}"
        for t in config.conventions
        if t in new_of
    ]
    # An owner (`watch --notify`) whose globs took the old key and miss the new one would
    # stop receiving that template's alerts.
    for name, entry in config.owners.items():
        globs = entry.get("templates", []) if isinstance(entry, Mapping) else []
        globs = [g for g in globs if isinstance(g, str)]
        for old, new in sorted(new_of.items()):
            took = [g for g in globs if fnmatchcase(old, g)]
            if took and not any(fnmatchcase(new, g) for g in globs):
                out.append(
                    f"owner {name!r} ({took[0]!r}) names {old!r}, now part of {new!r}, "
                    "which it does not match"
                )
    return out
