"""The nn documentation runs: docs/nn.md, the README's nn section, and `demo nn`."""

from __future__ import annotations

import contextlib
import io
import itertools
import re
import subprocess
import sys
from pathlib import Path

import pytest

from autodiff.cli import main

ROOT = Path(__file__).resolve().parent.parent
FENCED_PYTHON = re.compile(r"^```python\n(.*?)^```", re.MULTILINE | re.DOTALL)
PRINT_LINE = re.compile(r"^print\(.*?(?:  # (.*))?$")


def python_blocks(text: str) -> list[str]:
    return FENCED_PYTHON.findall(text)


def expected_output(block: str) -> list[str]:
    """What the block must print: each top-level ``print(...)  # text`` line prints ``text``."""
    expected = []
    for line in block.splitlines():
        match = PRINT_LINE.match(line)
        if match:
            assert match.group(1) is not None, f"a print without its output as a comment: {line}"
            expected.append(match.group(1))
    return expected


def run_in_order(blocks: list[str], name: str) -> dict[str, object]:
    """Run the blocks one after another in one namespace, as a reader would, and check that
    each prints what its comments say."""
    namespace: dict[str, object] = {"__name__": name}
    for number, block in enumerate(blocks, start=1):
        where = f"{name} block {number}"
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            exec(compile(block, where, "exec"), namespace)
        assert printed.getvalue().splitlines() == expected_output(block), where
    return namespace


def readme_section(title: str) -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index(f"## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start : None if end == -1 else end]


def test_docs_nn_blocks_run() -> None:
    blocks = python_blocks((ROOT / "docs" / "nn.md").read_text(encoding="utf-8"))
    assert len(blocks) >= 10
    namespace = run_in_order(blocks, "docs/nn.md")
    assert namespace["N"] == 100


def test_readme_neural_networks_section_runs() -> None:
    blocks = python_blocks(readme_section("Neural networks"))
    assert len(blocks) == 1 and len(blocks[0].strip().splitlines()) <= 10
    namespace = run_in_order(blocks, "README.md")
    costs = namespace["costs"]
    assert isinstance(costs, list) and costs[-1] < costs[0] / 100


def test_demo_nn_prints_a_falling_cost(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "nn"]) == 0
    out = capsys.readouterr().out
    costs = [float(cost) for cost in re.findall(r"cost (\d+\.\d+)", out)]
    assert len(costs) >= 5
    assert all(later < earlier for earlier, later in itertools.pairwise(costs))
    assert costs[-1] < 0.01


def test_importing_autodiff_does_not_import_nn() -> None:
    code = "import sys, autodiff, autodiff.cli; print('nn' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert result.stdout.strip() == "False"
