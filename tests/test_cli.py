"""`autodiff graph`: the safe formula parser and the command line, hostile input included."""

from __future__ import annotations

import builtins
import math
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from autodiff import topological_order
from autodiff.cli import main
from autodiff.formula import MAX_LENGTH, FormulaError, parse

ROOT = Path(__file__).resolve().parents[1]
NEURON = ["graph", "tanh(w*x + b)", "--at", "x=2", "w=-3", "b=6.88"]


@pytest.fixture(autouse=True)
def in_empty_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def no_code_execution(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail if anything evaluates, executes or compiles text to code (ast parsing is fine)."""
    real_compile = builtins.compile

    def only_ast(
        source: Any, filename: Any, mode: str, flags: int = 0, *args: Any, **kw: Any
    ) -> Any:
        if not flags & 0x400:  # ast.PyCF_ONLY_AST
            raise AssertionError(f"compile() to code was called on {source!r}")
        return real_compile(source, filename, mode, flags, *args, **kw)

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError(f"eval/exec was called with {args!r}")

    monkeypatch.setattr(builtins, "compile", only_ast)
    monkeypatch.setattr(builtins, "eval", refuse)
    monkeypatch.setattr(builtins, "exec", refuse)


# --- the parser ------------------------------------------------------------------------
def test_names_in_order_and_shared_leaves() -> None:
    formula = parse("x*x + y - x")
    assert formula.names == ("x", "y")
    out, leaves = formula.evaluate({"x": 3.0, "y": 1.0})
    out.backward()
    assert out.data == 3 * 3 + 1 - 3
    assert leaves["x"].grad == 2 * 3 - 1 and leaves["y"].grad == 1.0


def test_constant_pieces_fold_into_one_number() -> None:
    out, _ = parse("2*3 + x").evaluate({"x": 1.0})
    leaves = [node.data for node in topological_order(out) if not node.children]
    assert leaves == [6.0, 1.0]
    root, leaves = parse("x**(1/2)").evaluate({"x": 4.0})
    assert root.op == "**" and root.exponent == 0.5 and root.data == 2.0
    constant, leaves = parse("2 + 3").evaluate({})
    assert constant.data == 5.0 and leaves == {}


def test_every_function_is_available() -> None:
    text = "exp(x) + log(x) + sqrt(x) + sin(x) + cos(x) + tanh(x) + sigmoid(x) + relu(x) + abs(-x)"
    out, _ = parse(text).evaluate({"x": 0.5})
    by_hand = (math.exp(0.5) + math.log(0.5) + math.sqrt(0.5) + math.sin(0.5) + math.cos(0.5)) + (
        math.tanh(0.5) + 1 / (1 + math.exp(-0.5)) + 0.5 + 0.5
    )
    assert out.data == pytest.approx(by_hand, rel=1e-15)


def test_evaluation_errors_are_formula_errors() -> None:
    with pytest.raises(FormulaError, match=r"cannot evaluate 'log\(x\)': log: input must be > 0"):
        parse("log(x)").evaluate({"x": -1.0})
    with pytest.raises(FormulaError, match="no value given for 'y'"):
        parse("x + y").evaluate({"x": 1.0})
    with pytest.raises(TypeError, match="formula must be a str, got int"):
        parse(3)  # type: ignore[arg-type]


# --- the command -----------------------------------------------------------------------
def test_graph_prints_value_and_partials_and_writes_svg(
    capsys: pytest.CaptureFixture[str], in_empty_directory: Path
) -> None:
    assert main([*NEURON, "-o", "neuron.svg"]) == 0
    lines = capsys.readouterr().out.splitlines()
    slope = 1 - math.tanh(0.88) ** 2
    assert lines == [
        f"f = tanh(w*x + b) = {math.tanh(0.88):.6g}",
        f"∂f/∂w = {2 * slope:.6g}",
        f"∂f/∂x = {-3 * slope:.6g}",
        f"∂f/∂b = {slope:.6g}",
        "wrote neuron.svg",
    ]
    svg = ET.parse(in_empty_directory / "neuron.svg").getroot()
    assert svg.tag == "{http://www.w3.org/2000/svg}svg"
    assert [p.name for p in in_empty_directory.iterdir()] == ["neuron.svg"]


def test_explain_prints_the_ledger_and_highlights(
    capsys: pytest.CaptureFixture[str], in_empty_directory: Path
) -> None:
    assert main([*NEURON, "--explain", "w", "--format", "dot"]) == 0
    out = capsys.readouterr().out
    assert "∂f/∂w = ∂f/∂(w·x + b) · ∂(w·x + b)/∂(w·x) · ∂(w·x)/∂w" in out
    assert "= (1 - f²) · 1 · x" in out
    source = (in_empty_directory / "graph.dot").read_text()
    assert source.startswith("digraph") and 'color="#d62728"' in source


def test_png_format(in_empty_directory: Path) -> None:
    assert main([*NEURON, "-o", "out.png"]) == 0
    assert (in_empty_directory / "out.png").read_bytes().startswith(b"\x89PNG")
    assert main([*NEURON, "-o", "picture", "--format", "png"]) == 0
    assert (in_empty_directory / "picture").read_bytes().startswith(b"\x89PNG")


HOSTILE = [
    ("x*y", ["--at", "x=1"], "no value for 'y'"),
    ("foo(x)", ["--at", "x=1"], "unknown function 'foo'"),
    ("x.__class__", ["--at", "x=1"], "attribute access is not allowed: 'x.__class__'"),
    ("open('pwned.txt', 'w')", [], "unknown function 'open'"),
    ("__import__('os').system('touch pwned.txt')", [], "attribute access is not allowed"),
    ("__import__('os')", [], "unknown function '__import__'"),
    ("(lambda: 1)()", [], "lambda is not allowed"),
    ("[open('pwned.txt', 'w') for i in x]", [], "comprehension is not allowed"),
    ("x[0]", ["--at", "x=1"], "subscript is not allowed: 'x[0]'"),
    ("tanh(x=1)", [], "keyword arguments are not allowed"),
    ("x + " * 300 + "x", ["--at", "x=1"], f"the limit is {MAX_LENGTH}"),
    ("9**9**9", [], "the exponent 3.8742e+08 in '9**9**9' is beyond ±1000"),
    ("x**10000", ["--at", "x=1"], "the exponent 10000"),
    ("-" * 200 + "x", ["--at", "x=1"], "nests deeper than"),
    ("'text'", [], "only numbers are allowed as constants"),
    ("x // 2", ["--at", "x=1"], "operator // is not allowed"),
    ("x +", ["--at", "x=1"], "not a formula"),
    ("exp", [], "exp is a function"),
    ("x", ["--at", "x=abc"], "'abc' is not a number"),
    ("x", ["--at", "x=nan"], "must be finite"),
    ("x", ["--at", "x=1", "q=2"], "the formula has no name 'q'"),
    ("x", ["--at", "x"], "--at expects NAME=VALUE"),
    ("x", ["--at", "x=1", "--explain", "w"], "--explain w: the formula has no name 'w'"),
    ("log(x)", ["--at", "x=-1"], "log: input must be > 0"),
    ("x", ["--at", "x=1", "-o", "graph.txt"], "unknown format 'txt'"),
]


@pytest.mark.parametrize(("formula", "extra", "words"), HOSTILE)
@pytest.mark.usefixtures("no_code_execution")
def test_bad_input_is_one_line_and_status_2_with_nothing_done(
    formula: str,
    extra: list[str],
    words: str,
    capsys: pytest.CaptureFixture[str],
    in_empty_directory: Path,
) -> None:
    assert main(["graph", *extra, "--", formula]) == 2  # "--": a formula may start with "-"
    captured = capsys.readouterr()
    assert captured.out == ""
    (line,) = captured.err.splitlines()
    assert line.startswith("autodiff graph: error: ") and words in line
    assert list(in_empty_directory.iterdir()) == []  # no drawing, no pwned.txt


def test_real_subprocess(in_empty_directory: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "autodiff", *NEURON, "-o", "g.svg"]
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "wrote g.svg"
    hostile = [sys.executable, "-m", "autodiff", "graph", "__import__('os').remove('g.svg')"]
    done = subprocess.run(hostile, capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 2 and done.stdout == ""
    expected = "autodiff graph: error: attribute access is not allowed: \"__import__('os').remove\""
    assert done.stderr.splitlines() == [expected]
    assert (in_empty_directory / "g.svg").exists()


def test_without_dot_rendering_fails_with_the_package_name_but_dot_source_works(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], in_empty_directory: Path
) -> None:
    monkeypatch.setenv("PATH", str(in_empty_directory / "nowhere"))
    assert main([*NEURON, "-o", "g.svg"]) == 1
    assert "install the package 'graphviz'" in capsys.readouterr().err
    assert main([*NEURON, "-o", "g.dot"]) == 0
    assert [p.name for p in in_empty_directory.iterdir()] == ["g.dot"]


def test_unwritable_destination(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*NEURON, "-o", "missing/dir/g.svg", "--format", "svg"]) == 1
    assert "cannot write missing/dir/g.svg" in capsys.readouterr().err


def test_demo_still_runs(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo"]) == 0
    assert capsys.readouterr().out.startswith("a = tanh(w*x + b) = 0.7064")
