"""Typed masking: tn_infer_template (queries/store/session.sql) over many titles at once."""

from __future__ import annotations

from collections.abc import Sequence

import pyarrow as pa
import pyarrow.compute as pc

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


def mask_titles(titles: Sequence[str | None]) -> list[str | None]:
    """tn_infer_template over a list of titles, vectorised (one RE2 pass per mask)."""
    arr = pa.array(titles, type=pa.string())
    for pattern, replacement in TYPED_MASKS:
        arr = pc.replace_substring_regex(arr, pattern=pattern, replacement=replacement)
    return [None if s is None else s.strip(_TRIM) for s in arr.to_pylist()]
