"""Where the package's data folders are, installed from a wheel or in a development checkout.

The repository keeps `queries/` and `sample_data/` beside `dashboard/`; the build maps all
three into the one import package `template_noise`. Asking the import system for the
subpackage finds the folder either way (site-packages, or the checkout through an editable
install), so nothing here assumes where the source lives.
"""

from __future__ import annotations

import importlib.util
from functools import cache
from pathlib import Path


@cache
def folder(name: str) -> Path:
    """The folder of template_noise.<name> (a data-only subpackage: `sql`, which is the repository's
    queries/, and `sample_data`)."""
    spec = importlib.util.find_spec(f"template_noise.{name}")
    locations = list(spec.submodule_search_locations or []) if spec else []
    if not locations:
        raise FileNotFoundError(f"template_noise.{name}: not installed with the package")
    return Path(locations[0])
