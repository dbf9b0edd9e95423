"""Corrupt random lines of a valid log: no good line is lost, every line is either loaded or
rejected with a reason, and nothing crashes."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from template_noise import db
from template_noise.ingest import ingest

N_LINES = 30


def valid_line(i: int) -> bytes:
    kind = ["sent", "read", "archived", "delivered", "stream_connected"][i % 5]
    row = {
        "event_id": f"e{i}",
        "event_type": kind,
        "occurred_at": f"2026-03-01T10:{i % 60:02d}:00Z",
        "notification_id": f"n{i // 5}",
        "user_id": f"u{i % 7}",
        "connection_id": "c1",
    }
    if kind == "sent":
        row |= {"title": f"Invite accepted {i}", "body": "b", "metadata": {"k": i}}
    return json.dumps(row).encode()


CORRUPTIONS = st.one_of(
    st.binary(max_size=60).map(lambda b: ("bytes", b)),
    st.text(max_size=60).map(lambda t: ("text", t.encode())),
    st.sampled_from(
        [
            b"\xff\xfe\x00garbage",
            b'{"event_type": "sent"',
            b"\x00\x00",
            b'{"event_type": "read", "occurred_at": "10000-01-01T00:00:00Z"}',
            b'{"event_type": "read", "occurred_at": NaN}',
            b"[]",
            b"null",
            b"\xef\xbb\xbf{}",
            b'{"a": 1, "a": 2}',
        ]
    ).map(lambda b: ("fixed", b)),
    st.integers(min_value=1, max_value=40).map(lambda n: ("truncate", n)),
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    corrupt=st.dictionaries(
        st.integers(min_value=0, max_value=N_LINES - 1), CORRUPTIONS, max_size=12
    )
)
def test_corrupted_lines_never_cost_a_good_line(
    tmp_path: Path, corrupt: dict[int, tuple[str, object]]
) -> None:
    lines = []
    for i in range(N_LINES):
        line = valid_line(i)
        if i in corrupt:
            how, what = corrupt[i]
            line = line[: int(what)] if how == "truncate" else bytes(what)  # type: ignore[call-overload]
            line = line.replace(b"\n", b" ").replace(b"\r", b" ")
        lines.append(line)
    path = tmp_path / "fuzz.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")

    con = db.connect()
    report = ingest(con, [path])
    loaded = {r[0] for r in con.execute("SELECT DISTINCT source_line FROM events").fetchall()}
    rejected = {r.line for r in report.rejects}
    good = {i + 1 for i in range(N_LINES) if i not in corrupt}
    assert good <= loaded, "a good line was lost"
    assert not loaded & rejected
    blank = {i + 1 for i, line in enumerate(lines) if not line.strip()}
    assert loaded | rejected | blank >= set(range(1, N_LINES + 1)), "a line vanished silently"
    assert all(r.reason for r in report.rejects)
    con.close()
