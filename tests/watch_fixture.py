"""Hand-checkable hourly series for the watch tests.

Three templates send the same count every hour from Monday 2024-01-01 00:00 UTC for nine
days, evenly spread over the hour: A 10, B 40, C 20. On Tuesday 2024-01-09, A sends 100 at
10:00 and 11:00 (a spike), B sends nothing at 14:00, 15:00 and 16:00 (a drop). The median
of every like hour is then the level itself and its MAD 0, so the expected counts are 10,
40 and 20 and the spread is sqrt(expected) widened by a median of six weekday samples.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from events_fixture import Event, sent, write_jsonl

DAY9 = datetime(2024, 1, 9)


def counts(day: int, hour: int) -> dict[str, int]:
    a = 100 if (day, hour) in ((8, 10), (8, 11)) else 10
    b = 0 if day == 8 and hour in (14, 15, 16) else 40
    return {"A": a, "B": b, "C": 20}


def hourly_log(days: int = 9, **extra: Any) -> list[Event]:
    events = []
    for day in range(days):
        for hour in range(24):
            start = (day * 24 + hour) * 60
            for template, n in counts(day, hour).items():
                for i in range(n):
                    events.append(
                        sent(f"{template}-{day}-{hour}-{i}", start + i * 59 / n, template=template,
                             user=f"u{i}", body=f"b{day}-{hour}-{i}")
                    )  # fmt: skip
    return events


def write_log(tmp_path: Path, name: str = "hourly.jsonl") -> Path:
    return write_jsonl(tmp_path / name, hourly_log())
