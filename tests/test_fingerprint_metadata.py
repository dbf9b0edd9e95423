"""A sent event without a dedup_key is fingerprinted by (title, body, metadata as a JSON value,
key order ignored). The metadata's part is the hash of the sorted list of its json_tree rows
(path, type, atom): the number every version of the tool has stored, so that a repeat loaded
after an upgrade still matches the notification it repeats. The ingest computes it per row for
a flat object (queries/ingest/normalize.sql) and through json_tree only for a file that has
other metadata (ingest/fingerprint_nested.sql); both must give that same number."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from template_noise import db
from template_noise.ingest import ingest

# The canonical form as json_tree gives it, written out here as the oracle.
ORACLE = """
SELECT notification_id, fingerprint,
       hash(title, ?, CASE WHEN e.metadata IS NULL THEN CAST(0 AS UBIGINT) ELSE (
           SELECT hash(list_sort(list(t.fullkey || chr(31) || t.type || chr(31)
                                      || coalesce(t.atom::VARCHAR, ''))))
           FROM json_tree(e.metadata) AS t) END) AS expected
FROM events AS e
WHERE event_type = 'sent'
ORDER BY notification_id
"""

PLAIN_KEYS = st.from_regex(r"[A-Za-z][A-Za-z0-9_]{0,8}", fullmatch=True)
ODD_KEYS = st.sampled_from(["_x", "a-b", "é", "", "a b", "1a", "a.b", 'q"uote', "back\\slash"])
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=12),
    st.sampled_from(["{", "[1]", "x}y", "\\", '"', "\u00e9", "line\nbreak"]),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(PLAIN_KEYS, inner, max_size=3)
    ),
    max_leaves=6,
)
FLAT = st.dictionaries(PLAIN_KEYS, SCALARS, max_size=6)
ANY_OBJECT = st.dictionaries(st.one_of(PLAIN_KEYS, ODD_KEYS), VALUES, max_size=5)
# What a log may hold as metadata: mostly flat objects, some nested or odd ones, and JSON
# that is not an object; a string value is the metadata's JSON text.
METADATA = st.one_of(
    FLAT,
    FLAT,
    st.dictionaries(st.one_of(PLAIN_KEYS, ODD_KEYS), SCALARS, min_size=1, max_size=4),
    ANY_OBJECT,
    st.lists(SCALARS, max_size=3),
    SCALARS.filter(lambda v: v is not None),
    FLAT.map(lambda d: json.dumps(d, indent=1)),  # as text, with white space
    st.just('{"a": 1, "a": 2}'),  # a repeated key, as text
)


def sent(nid: str, metadata: Any, body: str = "body") -> dict[str, Any]:
    return {
        "event_type": "sent",
        "occurred_at": "2026-03-01T10:00:00Z",
        "notification_id": nid,
        "user_id": "u1",
        "title": "Invite accepted",
        "body": body,
        "metadata": metadata,
    }


def load(tmp_path: Path, rows: list[dict[str, Any]], redact_key: str | None = None) -> Any:
    log = tmp_path / "log.jsonl"
    log.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    con = db.connect(None)
    ingest(con, [log], redact_key=redact_key)
    return con


def check_against_oracle(con: duckdb.DuckDBPyConnection, body: str = "body") -> int:
    rows = con.execute(ORACLE, [body]).fetchall()
    for nid, fingerprint, expected in rows:
        assert fingerprint is not None, nid
        assert fingerprint == expected, nid
    return len(rows)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(METADATA, min_size=1, max_size=8))
def test_every_metadata_gets_the_canonical_fingerprint(tmp_path: Path, values: list[Any]) -> None:
    con = load(tmp_path, [sent(f"n{i}", v) for i, v in enumerate(values)])
    assert check_against_oracle(con) == len(values)
    con.close()


def test_a_file_of_flat_metadata_and_one_with_nested_metadata(tmp_path: Path) -> None:
    flat = [sent("a", {"x": 1, "y": "z"}), sent("b", {"y": "z", "x": 1}), sent("c", {"x": 2})]
    con = load(tmp_path, flat)
    assert check_against_oracle(con) == 3
    fp = dict(con.execute("SELECT notification_id, fingerprint FROM events").fetchall())
    assert fp["a"] == fp["b"] != fp["c"]  # key order ignored, values not
    con.close()
    nested = [
        *flat,
        sent("d", {"y": "z", "x": {"p": [1, 2]}}),
        sent("e", {"x": {"p": [1, 2]}, "y": "z"}),
    ]
    con = load(tmp_path, nested)
    assert check_against_oracle(con) == 5
    fp = dict(con.execute("SELECT notification_id, fingerprint FROM events").fetchall())
    assert fp["a"] == fp["b"] != fp["c"]
    assert fp["d"] == fp["e"] != fp["a"]
    con.close()


def test_a_redacted_load_fingerprints_by_the_body_it_drops(tmp_path: Path) -> None:
    # Nested metadata is hashed in a second pass over the file: the body is gone from the
    # events by then, and must still count.
    meta = {"run": {"id": 7}}
    rows = [sent("a", meta, body="one"), sent("b", meta, body="one"), sent("c", meta, body="two")]
    plain = load(tmp_path, rows)
    redacted = load(tmp_path, rows, redact_key="k")
    fingerprints = "SELECT notification_id, fingerprint FROM events ORDER BY notification_id"
    got = dict(redacted.execute(fingerprints).fetchall())
    assert got == dict(plain.execute(fingerprints).fetchall())
    assert got["a"] == got["b"] != got["c"]
    assert redacted.execute("SELECT count(body) FROM events").fetchall() == [(0,)]
    plain.close()
    redacted.close()
