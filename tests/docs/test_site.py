"""The documentation site (mkdocs.yml) builds with ``mkdocs build --strict``.

Strict mode fails on a broken link, a missing anchor or an unresolved cross-reference in a
docstring. The API reference must also show every public name of ``autodiff`` and ``nn``.
The site needs the ``docs`` extra (``pip install -e '.[docs]'``); without mkdocs these tests
are skipped.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import autodiff
import nn

ROOT = Path(__file__).resolve().parents[2]

needs_mkdocs = pytest.mark.skipif(
    importlib.util.find_spec("mkdocs") is None,
    reason="mkdocs is not installed (pip install -e '.[docs]')",
)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("site")
    environment = {**os.environ, "PYTHONPATH": str(ROOT), "NO_MKDOCS_2_WARNING": "1"}
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(directory)]
    built = subprocess.run(
        command, cwd=ROOT, env=environment, capture_output=True, text=True, timeout=300
    )
    problems = [line for line in built.stderr.splitlines() if not line.startswith("INFO")]
    assert built.returncode == 0, "mkdocs build --strict failed:\n" + "\n".join(problems)
    return directory


@needs_mkdocs
def test_every_page_is_built(site: Path) -> None:
    pages = sorted(path.relative_to(ROOT / "docs") for path in (ROOT / "docs").rglob("*.md"))
    missing = [page for page in pages if not (site / page.with_suffix("") / "index.html").exists()]
    assert pages and not [str(page) for page in missing if page.name != "index.md"]
    assert (site / "index.html").exists()


_ANCHOR = re.compile(r'id="([A-Za-z_][\w.]*)"')


@needs_mkdocs
def test_the_reference_shows_every_public_name(site: Path) -> None:
    anchors = set()
    for page in (site / "reference").rglob("index.html"):
        anchors.update(_ANCHOR.findall(page.read_text(encoding="utf-8")))
    shown = {anchor.rpartition(".")[2] for anchor in anchors if "." in anchor}
    for package in (autodiff, nn):
        missing = sorted(set(package.__all__) - shown)
        assert not missing, f"docs/reference/ does not show {package.__name__}: {missing}"


@needs_mkdocs
def test_every_fence_becomes_a_code_block(site: Path) -> None:
    # A fence Markdown does not read (```python numpy, unless mkdocs_hooks.py strips the flag)
    # would show as a paragraph of code with its backticks.
    raw = [page for page in site.rglob("*.html") if "```" in page.read_text(encoding="utf-8")]
    assert not raw, f"fences left as text in {[str(p.relative_to(site)) for p in raw]}"


@needs_mkdocs
def test_the_reference_shows_no_markup_of_the_source(site: Path) -> None:
    # reStructuredText roles are written as code by docs/griffe_examples.py.
    for page in (site / "reference").rglob("index.html"):
        text = page.read_text(encoding="utf-8")
        assert not re.search(r":(func|class|meth|mod|data):`", text), page
