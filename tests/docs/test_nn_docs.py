"""The nn documentation's own claims: docs/nn.md, the README's nn section, and `demo nn`.

The pages' examples run, and print what they show, in ``test_docs.py``; the tests here read
that same run (the ``docs_page`` fixture).
"""

from __future__ import annotations

import itertools
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from nn.app.cli import main
from tests.helpers.pages import PageRun, fenced_blocks, markdown_section

ROOT = Path(__file__).resolve().parents[2]


def test_docs_nn_runs_the_course_network(docs_page: Callable[[Path], PageRun]) -> None:
    page = ROOT / "docs" / "nn.md"
    assert sum(block.runs for block in fenced_blocks(page.read_text(encoding="utf-8"))) >= 10
    assert docs_page(page).namespace["N"] == 100


def test_readme_neural_networks_section_is_short_and_trains(
    docs_page: Callable[[Path], PageRun],
) -> None:
    blocks = [
        block
        for block in fenced_blocks(markdown_section(ROOT / "README.md", "Neural networks"))
        if block.runs
    ]
    assert len(blocks) == 1 and len(blocks[0].code.strip().splitlines()) <= 10
    costs = docs_page(ROOT / "README.md").namespace["costs"]
    assert isinstance(costs, list) and costs[-1] < costs[0] / 100


def test_demo_nn_prints_a_falling_cost(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "nn"]) == 0
    out = capsys.readouterr().out
    costs = [float(cost) for cost in re.findall(r"cost (\d+\.\d+)", out)]
    assert len(costs) >= 5
    assert all(later < earlier for earlier, later in itertools.pairwise(costs))
    assert costs[-1] < 0.01


def test_importing_autodiff_does_not_import_nn() -> None:
    code = "import sys, autodiff; autodiff.draw, autodiff.compile_tape; print('nn' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert result.stdout.strip() == "False"
