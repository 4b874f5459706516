"""docs/rendering.md: its figures regenerate, its examples run, its outputs are real."""

from __future__ import annotations

import contextlib
import io
import re
import shlex
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from autodiff.cli import main

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


def test_figures_script_draws_every_figure_the_page_shows(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(DOCS / "make_figures.py"), str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    made = sorted(path.name for path in tmp_path.iterdir())
    committed = sorted(path.name for path in (DOCS / "figures").iterdir())
    assert made == committed
    page = (DOCS / "rendering.md").read_text(encoding="utf-8")
    for name in made:
        assert f"figures/{name}" in page
        if name.endswith(".svg"):
            assert ET.parse(tmp_path / name).getroot().tag == "{http://www.w3.org/2000/svg}svg"
    ledger = (tmp_path / "neuron_ledger.txt").read_text(encoding="utf-8")
    assert ledger == (DOCS / "figures" / "neuron_ledger.txt").read_text(encoding="utf-8")
    assert ledger.strip() in page  # the page quotes the ledger as the library prints it


FENCED = re.compile(r"^```(\w+)\n(.*?)^```", re.MULTILINE | re.DOTALL)
PRINT_LINE = re.compile(r"^print\(.*?(?:  # (.*))?$")


def fenced(text: str, language: str) -> list[str]:
    return [body for lang, body in FENCED.findall(text) if lang == language]


def run_blocks(blocks: list[str], name: str) -> None:
    """Run the blocks in order in one namespace; each ``print(...)  # text`` prints ``text``."""
    namespace: dict[str, object] = {"__name__": name}
    for number, block in enumerate(blocks, start=1):
        expected = []
        for line in block.splitlines():
            if match := PRINT_LINE.match(line):
                assert match.group(1) is not None, f"{name}: a print without its output: {line}"
                expected.append(match.group(1))
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            exec(compile(block, f"{name} block {number}", "exec"), namespace)
        assert printed.getvalue().splitlines() == expected, f"{name} block {number}"


def test_rendering_page_python_examples_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    blocks = fenced((DOCS / "rendering.md").read_text(encoding="utf-8"), "python")
    assert len(blocks) == 3
    run_blocks(blocks, "docs/rendering.md")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["network.svg", "neuron.svg"]


def test_readme_drawing_section_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index("## Drawing the chain rule\n")
    section = text[start : text.index("\n## ", start + 1)]
    (block,) = fenced(section, "python")
    assert len(block.strip().splitlines()) <= 10
    run_blocks([block], "README.md")
    assert (tmp_path / "neuron.svg").exists()


def test_rendering_page_command_line_examples_are_what_the_command_prints(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    text = (DOCS / "rendering.md").read_text(encoding="utf-8")
    (command,) = fenced(text, "sh")
    output, refusals = fenced(text, "text")[1:]
    assert main(shlex.split(command)[1:]) == 0
    assert capsys.readouterr().out == output
    lines = refusals.splitlines()
    for shell, error in zip(lines[::2], lines[1::2]):
        assert main(shlex.split(shell.removeprefix("$ "))[1:]) == 2
        assert capsys.readouterr().err == error + "\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["graph.svg"]
