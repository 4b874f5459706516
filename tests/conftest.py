"""Shared test set-up: Hypothesis settings profiles, and each docs page run once.

Hypothesis settings profiles are chosen with the environment variable HYPOTHESIS_PROFILE.

- ``default``: a quick run while working (plain ``pytest``).
- ``ci``: what ``make test`` uses: more examples, derandomized so that a run is
  reproducible, failures printed with a blob to replay them.
- ``thorough``: many examples for an occasional slow run:
  ``HYPOTHESIS_PROFILE=thorough .venv/bin/python -m pytest``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from hypothesis import HealthCheck, settings

if TYPE_CHECKING:
    from tests.helpers.pages import PageRun

settings.register_profile("default", max_examples=30, deadline=None)
settings.register_profile(
    "ci",
    parent=settings.get_profile("ci"),
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "thorough",
    max_examples=2000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@pytest.fixture(scope="session")
def docs_page(tmp_path_factory: pytest.TempPathFactory) -> Callable[[Path], PageRun]:
    """Run a Markdown page's examples (``tests.helpers.pages.run_page``) once per test session.

    Every page runs in ``test_docs.py``; a test of a page's own claims asks for the same
    run (its namespace, the files it wrote) instead of running the page again.
    """
    from tests.helpers.pages import run_page

    runs: dict[Path, PageRun] = {}

    def run(page: Path) -> PageRun:
        if page not in runs:
            runs[page] = run_page(page, tmp_path_factory.mktemp(page.stem))
        return runs[page]

    return run
