"""Set-up of the docs tests: each page's examples run once per test session."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.helpers.pages import PageRun, run_page


@pytest.fixture(scope="session")
def docs_page(tmp_path_factory: pytest.TempPathFactory) -> Callable[[Path], PageRun]:
    """Run a Markdown page's examples (``tests.helpers.pages.run_page``) once per test session.

    Every page runs in ``test_docs.py``; a test of a page's own claims asks for the same
    run (its namespace, the files it wrote) instead of running the page again.
    """
    runs: dict[Path, PageRun] = {}

    def run(page: Path) -> PageRun:
        if page not in runs:
            runs[page] = run_page(page, tmp_path_factory.mktemp(page.stem))
        return runs[page]

    return run
