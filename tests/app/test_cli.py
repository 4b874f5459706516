"""`autodiff graph`: the safe formula parser and the command line, hostile input included."""

from __future__ import annotations

import builtins
import math
import os
import signal
import stat
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest

from autodiff import topological_order
from nn.app.cli import main
from nn.app.formula import MAX_LENGTH, FormulaError, parse
from tests.helpers.files import ENVIRONMENT, FifoReader

ROOT = Path(__file__).resolve().parents[2]
NEURON = ["graph", "tanh(w*x + b)", "--at", "x=2", "w=-3", "b=6.88"]

posix_only = pytest.mark.skipif(os.name != "posix", reason="FIFOs and /dev/stdout are POSIX")


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
    captured = capsys.readouterr()
    slope = 1 - math.tanh(0.88) ** 2
    assert captured.out.splitlines() == [
        f"f = tanh(w*x + b) = {math.tanh(0.88):.6g}",
        f"∂f/∂w = {2 * slope:.6g}",
        f"∂f/∂x = {-3 * slope:.6g}",
        f"∂f/∂b = {slope:.6g}",
    ]
    assert captured.err == "wrote neuron.svg\n"  # stdout carries only the numbers
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
    ("x", ["--at", "x=1", "-o", "graph.txt"], "the suffix .txt names no format"),
    # derivatives undefined or out of range at the given values: no traceback, status 2
    ("sqrt(x)", ["--at", "x=0"], "cannot differentiate 'sqrt(x)': sqrt"),
    ("x**0.5", ["--at", "x=0"], "cannot differentiate 'x**0.5': **"),
    ("log(x)", ["--at", "x=1e-320"], "cannot differentiate 'log(x)': "),
    ("x*y*1e300*1e300", ["--at", "x=1", "y=0"], "cannot differentiate 'x*y*1e300*1e300': "),
    # -o that names no file, or a format that contradicts another
    ("x", ["--at", "x=1", "-o", ""], "-o '': not a file name (for example -o graph.svg)"),
    ("x", ["--at", "x=1", "-o", "/"], "-o /: not a file name"),
    ("x", ["--at", "x=1", "-o", "."], "-o .: not a file name"),
    ("x", ["--at", "x=1", "-o", "new/"], "-o new/: not a file name"),
    ("x", ["--at", "x=1", "-o", "q.png", "--format", "svg"], "the suffix .png says png"),
    ("x", ["--at", "x=1", "-o", "g.jpg"], "jpg is not a format this command writes"),
    ("x", ["--at", "x=1", "-o", "g.jpg", "--format", "png"], "jpg is not a format"),
    # Python's parser reads the full-width ｘ as x: the message says so
    ("ｘ*2", ["--at", "ｘ=1"], "--at ｘ: Python reads the formula's 'ｘ' as 'x' (names are NFKC"),
    ("ｘ*2", ["--at", "x=1", "--explain", "ｘ"], "--explain ｘ: Python reads the formula's 'ｘ'"),
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
    command = [sys.executable, "-m", "nn.app", *NEURON, "-o", "g.svg"]
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == "f = tanh(w*x + b) = 0.706419"
    assert done.stderr == "wrote g.svg\n"
    hostile = [sys.executable, "-m", "nn.app", "graph", "__import__('os').remove('g.svg')"]
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


def test_the_formula_may_come_before_or_after_at(capsys: pytest.CaptureFixture[str]) -> None:
    formula = "(tanh(w*x+b)-y)**2"
    expected = f"f = {formula} = {(math.tanh(-1.2) - 1) ** 2:.6g}"
    for argv in (
        ["graph", "--at", "w=2.3", "b=-1.2", "x=0", "y=1", formula],
        ["graph", formula, "--at", "w=2.3", "b=-1.2", "x=0", "y=1"],
        ["graph", "--at", "w=2.3", "b=-1.2", formula, "x=0", "y=1"],
        ["graph", "--at", "w=2.3", "--at", "b=-1.2", "x=0", "--at", "y=1", formula],
    ):
        assert main([*argv, "--format", "dot"]) == 0, argv
        assert capsys.readouterr().out.splitlines()[0] == expected


def test_no_formula_at_all(capsys: pytest.CaptureFixture[str], in_empty_directory: Path) -> None:
    assert main(["graph", "--at", "x=1"]) == 2
    assert capsys.readouterr().err == (
        'autodiff graph: error: no formula given: for example autodiff graph "x**2" --at x=3\n'
    )
    assert list(in_empty_directory.iterdir()) == []


def test_the_jpg_message_lists_exactly_what_format_accepts(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main([*NEURON, "-o", "g.jpg"]) == 2
    listed = capsys.readouterr().err.split("the formats are ")[1].split(" (")[0].split(", ")
    for fmt in listed:
        assert main([*NEURON, "-o", "picture", "--format", fmt]) == 0
    with pytest.raises(SystemExit) as refused:
        main([*NEURON, "-o", "picture", "--format", "jpg"])
    assert refused.value.code == 2
    assert f"choose from {', '.join(repr(f) for f in listed)}" in capsys.readouterr().err


def test_the_format_follows_the_suffix_and_may_repeat_it(in_empty_directory: Path) -> None:
    assert main([*NEURON, "-o", "g.gv", "--format", "dot"]) == 0
    assert main([*NEURON, "-o", "g.PDF"]) == 0
    assert (in_empty_directory / "g.gv").read_text().startswith("digraph")
    assert (in_empty_directory / "g.PDF").read_bytes().startswith(b"%PDF")


def test_dash_writes_the_drawing_to_stdout_and_the_numbers_to_stderr(
    capsys: pytest.CaptureFixture[str], in_empty_directory: Path
) -> None:
    assert main([*NEURON, "-o", "-", "--format", "dot", "--explain", "w"]) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith("digraph autodiff {") and captured.out.endswith("}\n")
    assert captured.err.splitlines()[0] == "f = tanh(w*x + b) = 0.706419"
    assert "= (1 - f²) · 1 · x" in captured.err
    assert list(in_empty_directory.iterdir()) == []  # no file named "-"


def test_dash_svg_in_a_real_pipe(in_empty_directory: Path) -> None:
    command = [sys.executable, "-m", "nn.app", *NEURON, "-o", "-"]
    done = subprocess.run(command, capture_output=True, env=ENVIRONMENT, timeout=120)
    assert done.returncode == 0, done.stderr
    assert ET.fromstring(done.stdout).tag == "{http://www.w3.org/2000/svg}svg"
    assert done.stderr.decode().splitlines()[0] == "f = tanh(w*x + b) = 0.706419"
    assert list(in_empty_directory.iterdir()) == []


@posix_only
@pytest.mark.skipif(not os.path.exists("/dev/stdout"), reason="no /dev/stdout")
def test_dev_stdout_gets_the_drawing_after_the_numbers() -> None:
    command = [sys.executable, "-m", "nn.app", "graph", "x", "--at", "x=1"]
    command += ["-o", "/dev/stdout", "--format", "dot"]
    done = subprocess.run(command, capture_output=True, text=True, env=ENVIRONMENT, timeout=120)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[:3] == ["f = x = 1", "∂f/∂x = 1", "digraph autodiff {"]
    assert done.stderr == "wrote /dev/stdout\n"
    assert os.path.islink("/dev/stdout") or stat.S_ISCHR(os.stat("/dev/stdout").st_mode)


@posix_only
def test_o_into_a_fifo_behind_a_symlink(in_empty_directory: Path) -> None:
    reader = FifoReader(in_empty_directory)
    assert main([*NEURON, "-o", str(reader.link), "--format", "dot"]) == 0
    assert reader.received().startswith(b"digraph autodiff {")
    assert stat.S_ISFIFO(reader.fifo.lstat().st_mode) and reader.link.is_symlink()


def test_o_through_a_symlink_and_with_a_long_name(in_empty_directory: Path) -> None:
    (in_empty_directory / "drawings").mkdir()
    link = in_empty_directory / "latest.svg"
    link.symlink_to(Path("drawings", "neuron.svg"))
    assert main([*NEURON, "-o", "latest.svg"]) == 0
    assert link.is_symlink()
    assert ET.parse(in_empty_directory / "drawings" / "neuron.svg").getroot().tag.endswith("svg")
    long_name = "g" * 246 + ".svg"
    assert main([*NEURON, "-o", long_name]) == 0
    assert sorted(p.name for p in in_empty_directory.iterdir()) == sorted(
        ["drawings", "latest.svg", long_name]
    )


def test_version_comes_from_the_package_metadata(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out == f"autodiff {metadata.version('autodiff-course')}\n"


def test_a_variable_named_f_is_not_confused_with_the_output(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["graph", "f*g + h", "--at", "f=2", "g=3", "h=1", "--explain", "f"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[:4] == ["f1 = f*g + h = 7", "∂f1/∂f = 3", "∂f1/∂g = 2", "∂f1/∂h = 1"]
    assert lines[4].startswith("∂f1/∂f = ")
    assert main(["graph", "f**2", "--at", "f=3"]) == 0
    assert capsys.readouterr().out.splitlines() == ["g = f**2 = 9", "∂g/∂f = 6"]


def graph_in_a_subprocess(*arguments: str, **popen: Any) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "nn.app", "graph", *arguments]
    options: dict[str, Any] = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE}
    return subprocess.Popen(command, text=True, env=ENVIRONMENT, **{**options, **popen})


def test_a_file_name_too_long_for_the_system_is_one_line_with_status_2(
    capsys: pytest.CaptureFixture[str], in_empty_directory: Path
) -> None:
    too_long = "g" * 300 + ".svg"
    assert main([*NEURON, "-o", too_long]) == 2
    captured = capsys.readouterr()
    assert captured.err.count("\n") == 1 and "File name too long" in captured.err
    assert captured.out == "" and list(in_empty_directory.iterdir()) == []


@posix_only
def test_a_fifo_nobody_reads_is_one_line_not_a_hang(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, in_empty_directory: Path
) -> None:
    monkeypatch.setattr("autodiff.files.FIFO_READER_WAIT", 0.2)
    os.mkfifo("pipe")
    assert main([*NEURON, "-o", "pipe", "--format", "dot"]) == 1
    error = capsys.readouterr().err
    assert error == (
        "autodiff graph: error: cannot write pipe: "
        "no process is reading the FIFO (waited 0.2 s for one)\n"
    )


@posix_only
def test_ctrl_c_while_waiting_for_a_fifo_reader_is_one_line_and_status_130(
    in_empty_directory: Path,
) -> None:
    os.mkfifo("pipe")
    graph = graph_in_a_subprocess("x", "--at", "x=1", "-o", "pipe", "--format", "dot")
    assert graph.stdout is not None
    assert graph.stdout.readline() == "f = x = 1\n"  # it has started
    assert graph.stdout.readline() == "∂f/∂x = 1\n"  # and is about to write
    time.sleep(0.2)
    graph.send_signal(signal.SIGINT)
    _, error = graph.communicate(timeout=60)
    assert graph.returncode == 130 and error == "autodiff: interrupted\n"
    assert stat.S_ISFIFO(os.lstat("pipe").st_mode)


def test_ctrl_c_anywhere_in_graph_is_one_line_and_status_130(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, in_empty_directory: Path
) -> None:
    def interrupted(*args: Any, **kwargs: Any) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("nn.app.graph_command.draw", interrupted)
    assert main([*NEURON, "-o", "g.svg"]) == 130
    assert capsys.readouterr().err == "autodiff: interrupted\n"
    assert list(in_empty_directory.iterdir()) == []


@posix_only
def test_a_closed_pipe_on_stdout_is_one_line_not_a_traceback(in_empty_directory: Path) -> None:
    reading, writing = os.pipe()
    os.close(reading)  # the reader is gone, as in `autodiff graph ... | true`
    try:
        graph = graph_in_a_subprocess("x", "--at", "x=1", "-o", "g.dot", stdout=writing)
    finally:
        os.close(writing)
    _, error = graph.communicate(timeout=60)
    assert graph.returncode == 1
    assert error == "autodiff: error: cannot write standard output: Broken pipe\n"


@posix_only
def test_a_closed_stdout_is_one_line_not_a_traceback(in_empty_directory: Path) -> None:
    errors = {}
    for output, status in (("g.dot", 0), ("-", 1)):
        graph = graph_in_a_subprocess(
            "x", "--at", "x=1", "-o", output, "--format", "dot", preexec_fn=lambda: os.close(1)
        )
        _, errors[output] = graph.communicate(timeout=60)
        assert graph.returncode == status, errors[output]
    assert errors["g.dot"] == "wrote g.dot\n"
    assert (in_empty_directory / "g.dot").read_text().startswith("digraph")
    assert errors["-"].splitlines() == [  # with -o -, the numbers go to stderr
        "f = x = 1",
        "∂f/∂x = 1",
        "autodiff graph: error: cannot write standard output: it is closed",
    ]


@pytest.mark.parametrize(
    "argv, complaint",
    [
        (["graf", "x"], "autodiff: error: argument command: invalid choice: 'graf'"),
        (["graph", "x", "--at", "x=1", "--digits", "many"], "autodiff graph: error: argument"),
        (["graph", "-x", "--at", "x=1"], "autodiff: error: unrecognized arguments: -x"),
        (["demo", "engine", "--fast"], "autodiff demo engine: error: unrecognized arguments"),
    ],
)
def test_option_errors_are_one_line_that_says_where_help_is(
    argv: list[str], complaint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as done:
        main(argv)
    assert done.value.code == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and error.startswith(complaint), error
    assert error.rstrip().endswith("--help)")


def test_a_standard_output_that_cannot_encode_the_symbols_gets_escapes_not_a_traceback(
    in_empty_directory: Path,
) -> None:
    command = [sys.executable, "-m", "nn.app", "graph", "é*x", "--at", "é=1", "x=2"]
    environment = {**ENVIRONMENT, "PYTHONIOENCODING": "ascii"}  # as a legacy terminal
    done = subprocess.run(
        [*command, "-o", "g.dot"], capture_output=True, env=environment, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.decode("ascii").splitlines() == [
        "f = \\xe9*x = 2",
        "\\u2202f/\\u2202\\xe9 = 2",
        "\\u2202f/\\u2202x = 1",
    ]
    assert (in_empty_directory / "g.dot").read_text(encoding="utf-8").startswith("digraph")


def test_a_formula_that_starts_with_a_minus_gets_a_hint(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as done:
        main(["graph", "-x**2", "--at", "x=1"])
    assert done.value.code == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "unrecognized arguments: -x**2" in error
    assert 'a formula that starts with - goes after --: autodiff graph --at x=1 -- "-x**2"' in error
    assert main(["graph", "--at", "x=3", "--format", "dot", "--", "-x**2"]) == 0
    assert capsys.readouterr().out.splitlines()[:2] == ["f = -x**2 = -9", "∂f/∂x = -6"]


SOFTPLUS_MODULE = """
import math
from autodiff import functions as F, primitive
primitive(
    "softplus",
    forward=lambda x: math.log1p(math.exp(-abs(x))) + max(x, 0.0),
    partials=lambda x, out: (F.sigmoid(x),),
)
"""


@pytest.mark.parametrize("command", ["graph", "explore"])
def test_user_primitives_only_when_their_module_is_named(
    in_empty_directory: Path, command: str
) -> None:
    (in_empty_directory / "mine.py").write_text(SOFTPLUS_MODULE)
    (in_empty_directory / "broken.py").write_text("raise RuntimeError('not today')\n")
    (in_empty_directory / "empty.py").write_text("x = 1\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    base = [sys.executable, "-m", "nn.app", command, "softplus(w*x)", "--at", "w=2", "x=0.5"]

    def run(*extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*base, *extra], capture_output=True, text=True, env=env, timeout=120)

    refused = run("-o", "out.svg" if command == "graph" else "out.html")
    assert refused.returncode == 2 and "unknown function 'softplus'" in refused.stderr
    done = run("--primitives", "mine", "-o", "out.svg" if command == "graph" else "out.html")
    assert done.returncode == 0, done.stderr
    value = math.log1p(math.exp(-1.0)) + 1.0  # softplus(2 · 0.5)
    report = done.stdout if command == "graph" else done.stdout + done.stderr
    assert f"f = softplus(w*x) = {value:.6g}" in report
    for module, words in [
        ("nope", "--primitives nope: no such module"),
        ("broken", "--primitives broken: importing it failed: RuntimeError: not today"),
        ("empty", "--primitives empty: defines no primitive of one operand"),
    ]:
        failed = run("--primitives", module)
        assert failed.returncode == 2 and failed.stdout == ""
        (line,) = failed.stderr.splitlines()
        assert line == f"autodiff {command}: error: {words}" or line.startswith(
            f"autodiff {command}: error: {words}"
        )
