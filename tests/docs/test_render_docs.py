"""docs/rendering.md: its figures regenerate, its examples draw, its outputs are real.

The page's python examples run, and print what they show, in ``test_docs.py``; the tests here
read that same run (the ``docs_page`` fixture).
"""

from __future__ import annotations

import shlex
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest

from nn.app.cli import main
from tests.helpers.pages import PageRun, fenced_blocks, markdown_section

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
FIGURE_PAGES = ["extending.md", "forward-or-reverse.md"]
"""The other pages whose figures docs/make_figures.py draws."""
MEASURED = {"scaling.png"}
"""Figures of measurements, drawn by the benchmark, not by docs/make_figures.py."""


def test_figures_script_draws_every_figure_the_page_shows(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(DOCS / "make_figures.py"), str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    made = sorted(path.name for path in tmp_path.iterdir())
    # The interactive page's screenshots, explore-*.png, are docs/make_explore_figures.py's
    # (tests/docs/test_explore_figures.py); scaling.png is a measurement, drawn by
    # `python -m bench.scaling --plot` (tests/bench/test_scaling.py).
    committed = sorted(
        path.name
        for path in (DOCS / "figures").iterdir()
        if not path.name.startswith("explore-") and path.name not in MEASURED
    )
    assert made == committed
    page = (DOCS / "rendering.md").read_text(encoding="utf-8")
    pages = [page] + [(DOCS / other).read_text(encoding="utf-8") for other in FIGURE_PAGES]
    for name in made:
        assert any(f"figures/{name}" in text for text in pages)
        if name.endswith(".svg"):
            assert ET.parse(tmp_path / name).getroot().tag == "{http://www.w3.org/2000/svg}svg"
    ledger = (tmp_path / "neuron_ledger.txt").read_text(encoding="utf-8")
    assert ledger == (DOCS / "figures" / "neuron_ledger.txt").read_text(encoding="utf-8")
    assert ledger.strip() in page  # the page quotes the ledger as the library prints it


def blocks(text: str, info: str) -> list[str]:
    return [block.code for block in fenced_blocks(text) if block.info == info]


def test_rendering_page_python_examples_write_their_drawings(
    docs_page: Callable[[Path], PageRun],
) -> None:
    page = DOCS / "rendering.md"
    assert len(blocks(page.read_text(encoding="utf-8"), "python")) == 3
    run = docs_page(page)
    assert sorted(p.name for p in run.directory.iterdir()) == ["network.svg", "neuron.svg"]


def test_readme_drawing_section_is_short_and_draws(docs_page: Callable[[Path], PageRun]) -> None:
    (block,) = blocks(markdown_section(ROOT / "README.md", "Drawing the chain rule"), "python")
    assert len(block.strip().splitlines()) <= 10
    assert (docs_page(ROOT / "README.md").directory / "neuron.svg").exists()


def test_rendering_page_command_line_examples_are_what_the_command_prints(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    text = (DOCS / "rendering.md").read_text(encoding="utf-8")
    (command,) = blocks(text, "sh")
    output, refusals = blocks(text, "text")[1:]
    assert main(shlex.split(command)[1:]) == 0
    assert capsys.readouterr().out == output
    lines = refusals.splitlines()
    for shell, error in zip(lines[::2], lines[1::2]):
        assert main(shlex.split(shell.removeprefix("$ "))[1:]) == 2
        assert capsys.readouterr().err == error + "\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["graph.svg"]
