"""What every Streamlit AppTest file shares: the app's entry script and fresh caches.

Import both into a test file (`from apptest_fixture import APP, fresh_caches`): the fixture
is autouse there, so each test starts and ends with empty st.cache_data and st.cache_resource
(a cached frame of one test's database must not answer the next).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st

APP = Path(__file__).resolve().parent.parent / "dashboard" / "app" / "main.py"


@pytest.fixture(autouse=True)
def fresh_caches() -> Iterator[None]:
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()
