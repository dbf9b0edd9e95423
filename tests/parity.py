"""Compare two query results cell by cell: counts equal, floats within 1e-9."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

TOLERANCE = 1e-9


def _cell(v: Any) -> Any:
    if isinstance(v, np.ndarray):
        v = v.tolist()
    if isinstance(v, list | tuple):
        return [_cell(x) for x in v]
    if v is None or v is pd.NaT or v is pd.NA:
        return None
    if isinstance(v, float) and math.isnan(v):
        return None
    if isinstance(v, np.generic):
        return _cell(v.item())
    if isinstance(v, pd.Timestamp):
        return v.to_pydatetime()
    return v


def rows(df: pd.DataFrame) -> list[list[Any]]:
    return [[_cell(v) for v in row] for row in df.itertuples(index=False, name=None)]


def same(a: Any, b: Any) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        if a is None or b is None or isinstance(a, bool) or isinstance(b, bool):
            return a is b
        return math.isclose(a, b, rel_tol=TOLERANCE, abs_tol=TOLERANCE)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b) and type(a) is type(b)


def assert_same_frames(duck: pd.DataFrame, spark: pd.DataFrame, what: str) -> None:
    assert list(spark.columns) == list(duck.columns), what
    left, right = rows(duck), rows(spark)
    assert len(right) == len(left), f"{what}: {len(left)} rows on DuckDB, {len(right)} on Spark"
    for i, (x, y) in enumerate(zip(left, right, strict=True)):
        for col, u, v in zip(duck.columns, x, y, strict=True):
            assert same(u, v), f"{what}: row {i}, {col}: DuckDB {u!r} != Spark {v!r}"
