"""Doctests of the packages that need an optional package skip when it is not installed.

(The tests' own set-up is in tests/conftest.py.)
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent

NEEDS = {ROOT / "nn" / "pytorch.py": "torch"}
"""Modules whose examples need an optional package, and that package."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        package = NEEDS.get(Path(item.path))
        if package is not None and importlib.util.find_spec(package) is None:
            item.add_marker(pytest.mark.skip(reason=f"needs {package}, which is not installed"))
