"""A release owner's waivers, typed in the sign-off: validated against the data, applied when
the sign-off approves.

One waiver per line, in one of two forms:

- `ITEM: reason` waives a checklist item: its `fail` or `no_data` reads `waived` (the item
  keeps its evidence and says what it was); e.g. `realtime_reconnection: verified by hand`.
- `TEMPLATE: FLAG: reason` waives one flag of one template in `noisy_template_monitoring`,
  exactly as a `[[waivers]]` entry of the config does; e.g. `Flood: flooding: load test`.

ITEM must be one of the nine item ids and TEMPLATE a template in the data (it may itself
hold colons: the longest template name the line starts with wins), FLAG one of the flags.
A line naming anything else is refused with its line number and the closest valid name.
Stored in the sign-off as a mapping `{ITEM or "TEMPLATE: FLAG": reason}`.
"""

from __future__ import annotations

import difflib
from collections.abc import Collection, Mapping
from dataclasses import dataclass, replace

from template_noise.config import Config, Waiver
from template_noise.errors import InputError

MAX_REASON = 5000
FLAG_SEPARATOR = ": "  # between a template and its flag in a stored key


@dataclass(frozen=True)
class SignoffWaivers:
    """Item waivers (item id -> reason) and template waivers (as the config's)."""

    items: Mapping[str, str]
    templates: tuple[Waiver, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.items) or bool(self.templates)

    def as_mapping(self) -> dict[str, str]:
        """How a sign-off stores them: `{item: reason, "template: flag": reason}`."""
        out = dict(self.items)
        for w in self.templates:
            out[f"{w.template}{FLAG_SEPARATOR}{w.flag}"] = w.reason
        return out

    def as_text(self) -> str:
        """The lines that parse back to these waivers (to prefill a new sign-off)."""
        return "\n".join(f"{key}: {reason}" for key, reason in self.as_mapping().items())

    def apply_to(self, config: Config) -> Config:
        """The config with the template waivers added to its own `[[waivers]]`."""
        if not self.templates:
            return config
        return replace(config, waivers=(*config.waivers, *self.templates))


NONE = SignoffWaivers({})


def _suggest(word: str, choices: Collection[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


def parse(
    text: str, *, items: Collection[str], templates: Collection[str], flags: Collection[str]
) -> SignoffWaivers:
    """The waivers typed in a sign-off, checked against the item ids, the templates in the
    data and the flags; the first bad line raises InputError naming it."""
    item_waivers: dict[str, str] = {}
    template_waivers: dict[tuple[str, str], Waiver] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        where = f"waiver line {number}"
        target, sep, rest = line.partition(":")
        if not sep or not target.strip():
            raise InputError(f"{where}: expected 'ITEM: reason' or 'TEMPLATE: FLAG: reason'")
        if target.strip() in items:
            reason = rest.strip()
            if not reason:
                raise InputError(f"{where}: '{target.strip()}' needs a reason after the colon")
            item_waivers[target.strip()] = reason[:MAX_REASON]
            continue
        # A template name may hold colons: the longest name the line starts with wins.
        named = [
            t for t in templates if line.startswith(t) and line[len(t) :].lstrip().startswith(":")
        ]
        if not named:
            raise InputError(
                f"{where}: '{target.strip()}' is neither a checklist item nor a template in "
                f"the data{_suggest(target.strip(), [*items, *templates])}"
            )
        template = max(named, key=len)
        flag, sep, reason = line[len(template) :].lstrip()[1:].partition(":")
        flag, reason = flag.strip(), reason.strip()
        if flag not in flags:
            raise InputError(
                f"{where}: '{flag}' is not a flag (expected 'TEMPLATE: FLAG: reason')"
                + _suggest(flag, flags)
            )
        if not sep or not reason:
            raise InputError(f"{where}: '{template}: {flag}' needs a reason after the flag")
        template_waivers[(template, flag)] = Waiver(template, flag, reason[:MAX_REASON])
    return SignoffWaivers(item_waivers, tuple(template_waivers.values()))


def from_mapping(stored: Mapping[str, str], *, items: Collection[str]) -> SignoffWaivers:
    """A stored sign-off's waivers back as items and template waivers (keys that are item
    ids are items; `TEMPLATE: FLAG` keys are template waivers; anything else, from a
    sign-off stored before waivers were validated, waives nothing)."""
    item_waivers: dict[str, str] = {}
    template_waivers: list[Waiver] = []
    for key, reason in stored.items():
        if key in items:
            item_waivers[key] = str(reason)
            continue
        template, sep, flag = key.rpartition(FLAG_SEPARATOR)
        if sep and template and flag:
            template_waivers.append(Waiver(template, flag, str(reason)))
    return SignoffWaivers(item_waivers, tuple(template_waivers))
