"""The filters every view shares (CLI options, dashboard sidebar, URL query parameters)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Filters:
    """A window of notifications and the slice of templates to look at.

    since/until bound `created_at` as [since, until); as_of defaults to the latest event.
    Empty tuples and "" mean "no restriction". All values are bound as query parameters.
    """

    since: datetime | None = None
    until: datetime | None = None
    as_of: datetime | None = None
    severities: tuple[str, ...] = field(default_factory=tuple)
    scopes: tuple[str, ...] = field(default_factory=tuple)
    template_search: str = ""
    dedup_window_minutes: int | None = None  # None: the config's value

    def params(self) -> dict[str, Any]:
        """The $parameters queries/ expects for these filters."""
        return {
            "since": self.since,
            "until": self.until,
            "as_of": self.as_of,
            "severities": list(self.severities),
            "scopes": list(self.scopes),
            "template_search": self.template_search,
        }
