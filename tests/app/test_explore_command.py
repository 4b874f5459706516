"""``autodiff explore``: a formula's interactive page, with the formula language and the
one-line errors of ``autodiff graph``."""

from __future__ import annotations

import math
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from nn.app.cli import main

NEURON = ["explore", "tanh(w*x + b)", "--at", "x=2", "w=-3", "b=6.88"]
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def in_empty_directory(tmp_path: Path) -> Iterator[Path]:
    before = os.getcwd()
    os.chdir(tmp_path)
    try:
        yield tmp_path
    finally:
        os.chdir(before)


def test_explore_prints_the_numbers_and_writes_the_page(
    capsys: pytest.CaptureFixture[str], in_empty_directory: Path
) -> None:
    assert main([*NEURON, "-o", "neuron.html"]) == 0
    captured = capsys.readouterr()
    slope = 1 - math.tanh(0.88) ** 2
    assert captured.out.splitlines() == [
        f"f = tanh(w*x + b) = {math.tanh(0.88):.6g}",
        f"∂f/∂w = {2 * slope:.6g}",
        f"∂f/∂x = {-3 * slope:.6g}",
        f"∂f/∂b = {slope:.6g}",
    ]
    assert captured.err == "wrote neuron.html\n"
    page = (in_empty_directory / "neuron.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "f = tanh(w*x + b)" in page
    assert [p.name for p in in_empty_directory.iterdir()] == ["neuron.html"]


def test_the_default_file_and_standard_output(
    capsys: pytest.CaptureFixture[str], in_empty_directory: Path
) -> None:
    assert main(["explore", "x**2", "--at", "x=3"]) == 0
    assert (in_empty_directory / "explore.html").is_file()
    capsys.readouterr()
    done = subprocess.run(
        [sys.executable, "-m", "nn.app", "explore", "x*y", "--at", "x=2", "y=5", "-o", "-"],
        capture_output=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=False,
    )
    assert done.returncode == 0
    assert done.stdout.startswith(b"<!DOCTYPE html>")
    assert done.stderr.decode().splitlines()[0] == "f = x*y = 10"


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["log(x)", "--at", "x=-1"], "cannot evaluate 'log(x)': log: input must be > 0, got -1.0"),
        (["x", "--at", "x=1", "-o", "x.svg"], "-o x.svg: the page is HTML: name it .html"),
        (["x.__class__", "--at", "x=1"], None),
        (["x + y", "--at", "x=1"], "no value for 'y': give one with --at y=VALUE"),
        (["x", "--at", "x=1", "--digits", "0"], "--digits must be between 1 and 17, got 0"),
    ],
)
def test_bad_input_is_one_line_and_writes_nothing(
    capsys: pytest.CaptureFixture[str],
    in_empty_directory: Path,
    arguments: list[str],
    message: str | None,
) -> None:
    assert main(["explore", *arguments]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and err.startswith("autodiff explore: error: ")
    if message is not None:
        assert message in err
    assert list(in_empty_directory.iterdir()) == []
