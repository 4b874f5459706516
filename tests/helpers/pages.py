"""Run a Markdown page's examples and check what they print.

The conventions that pages follow, and that these functions check, are written in
``tests/docs/test_docs.py``, which runs every page.
"""

from __future__ import annotations

import contextlib
import doctest
import importlib.util
import io
import re
import sys
import types
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest

__all__ = [
    "Block",
    "Example",
    "PageRun",
    "examples",
    "fenced_blocks",
    "has_torch",
    "markdown_section",
    "numbers_agree",
    "outputs_agree",
    "run_page",
]

_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>[^`]*)$")
# A top-level print and its output comment, if any (two spaces, "#", one space, the output).
_PRINT = re.compile(r"^print\(.*?(?:  # (?P<output>.*))?$")


@dataclass(frozen=True)
class Block:
    """A fenced code block: info string (``python no-run``), code, first code line, end line.

    ``end`` is the line of the closing fence; lines count from 1.
    """

    info: str
    code: str
    line: int
    end: int

    @property
    def runs(self) -> bool:
        language, *flags = self.info.split() or [""]
        return language == "python" and "no-run" not in flags

    @property
    def is_doctest(self) -> bool:
        return self.code.lstrip().startswith(">>>")

    @property
    def uses_numpy(self) -> bool:
        return "numpy" in self.info.split()[1:]

    @property
    def needs_torch(self) -> bool:
        return "torch" in self.info.split()[1:]


def fenced_blocks(text: str) -> list[Block]:
    """Every fenced code block of a Markdown text, in order (indented fences included)."""
    blocks: list[Block] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        opening = _FENCE.match(lines[i])
        i += 1
        if opening is None:
            continue
        indent, fence = len(opening["indent"]), opening["fence"]
        start, body = i, []
        while i < len(lines) and not _closes(lines[i], fence):
            body.append(_dedent(lines[i], indent))
            i += 1
        i += 1  # the closing fence (or the end of the text)
        blocks.append(Block(opening["info"].strip(), "\n".join(body) + "\n", start + 1, i))
    return blocks


def _closes(line: str, fence: str) -> bool:
    stripped = line.strip()
    return stripped.startswith(fence) and set(stripped) == {fence[0]}


def _dedent(line: str, indent: int) -> str:
    prefix = len(line) - len(line.lstrip(" \t"))
    return line[min(prefix, indent) :]


def markdown_section(path: Path, title: str) -> str:
    """The section of a Markdown page under the heading ``## title``, up to the next one."""
    text = path.read_text(encoding="utf-8")
    start = text.index(f"## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start : None if end == -1 else end]


@dataclass(frozen=True)
class Example:
    """A runnable python block and the ```text block that shows its output, if one does."""

    block: Block
    shown: Block | None


def examples(text: str) -> list[Example]:
    """The runnable blocks of a Markdown text, each with the text block right after it."""
    lines = text.splitlines()
    blocks = fenced_blocks(text)
    found = []
    for block, following in zip(blocks, [*blocks[1:], None]):
        if not block.runs:
            continue
        shows = (
            following is not None
            and following.info == "text"
            and not any(line.strip() for line in lines[block.end : following.line - 2])
        )
        found.append(Example(block, following if shows else None))
    return found


def expected_output(example: Example, where: str) -> str:
    """What the block must print, by the conventions of ``test_docs.py``."""
    prints = [match for line in example.block.code.splitlines() if (match := _PRINT.match(line))]
    commented = [match[0] for match in prints if match["output"] is not None]
    if example.shown is not None:
        assert not commented, f"{where}: output shown twice, in a text block and {commented[0]}"
        return example.shown.code
    bare = [match[0] for match in prints if match["output"] is None]
    assert not bare, f"{where}: a print without its output as a comment: {bare[0]}"
    return "".join(match["output"] + "\n" for match in prints)


@dataclass(frozen=True)
class PageRun:
    """A page's run: its blocks' namespace, their working directory, how many of them ran.

    The directory holds the files the examples wrote.
    """

    namespace: dict[str, object]
    directory: Path
    blocks: int


def run_page(path: Path, directory: Path) -> PageRun:
    """Run the page's blocks in one fresh namespace in ``directory``, checking their output."""
    name = "docs_page_" + re.sub(r"\W", "_", path.stem)
    module = types.ModuleType(name)
    sys.modules[name] = module  # dataclasses and pickle look classes up by module
    runnable = examples(path.read_text(encoding="utf-8"))
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.chdir(directory)
            patch.setenv("MPLBACKEND", "Agg")
            for example in runnable:
                if example.block.needs_torch and not has_torch():
                    continue
                where = f"{path.name}:{example.block.line}"
                if example.block.is_doctest:
                    assert example.shown is None, f"{where}: a doctest shows its own output"
                    run_doctest(example.block, path, module.__dict__)
                else:
                    run_block(example, path, module.__dict__)
    finally:
        del sys.modules[name]
    return PageRun(module.__dict__, directory, len(runnable))


def has_torch() -> bool:
    """Whether PyTorch is installed (the ```python torch blocks run only then)."""
    return importlib.util.find_spec("torch") is not None


def run_block(example: Example, path: Path, namespace: dict[str, object]) -> None:
    """Run one python block in ``namespace``; it must print exactly what the page shows."""
    where = f"{path.name}:{example.block.line}"
    expected = expected_output(example, where)
    # Padding with newlines makes tracebacks point at the Markdown line.
    source = "\n" * (example.block.line - 1) + example.block.code
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(source, str(path), "exec"), namespace)
    if example.block.uses_numpy and outputs_agree(expected, printed.getvalue()):
        return
    assert printed.getvalue() == expected, f"the block at {where} printed something else"


# A decimal number: digits, a point, digits (integers such as step counts match exactly).
_DECIMAL = re.compile(r"(-?\d+\.\d+)")


def numbers_agree(shown: str, computed: str | float) -> bool:
    """Whether ``computed`` is ``shown`` to within one unit of shown's last digit.

    The one tolerance of the pages' numbers, for those that numpy computes: a float is first
    written with as many decimals as ``shown`` has; a string must already have that many.

    Example:
        >>> numbers_agree("0.00265", "0.00266"), numbers_agree("0.00265", 0.0026549)
        (True, True)
        >>> numbers_agree("0.00265", "0.00267"), numbers_agree("0.00265", "0.0027")
        (False, False)
    """
    decimals = len(shown.partition(".")[2])
    if not isinstance(computed, str):
        computed = f"{computed:.{decimals}f}"
    if len(computed.partition(".")[2]) != decimals:
        return False
    unit = Decimal(1).scaleb(-decimals)
    return abs(Decimal(computed) - Decimal(shown)) <= unit


def outputs_agree(shown: str, printed: str) -> bool:
    """Whether ``printed`` is ``shown`` up to :func:`numbers_agree` for each decimal number."""
    shown_parts, printed_parts = _DECIMAL.split(shown), _DECIMAL.split(printed)
    if len(shown_parts) != len(printed_parts):
        return False
    texts_match = shown_parts[::2] == printed_parts[::2]
    return texts_match and all(map(numbers_agree, shown_parts[1::2], printed_parts[1::2]))


def run_doctest(block: Block, path: Path, namespace: dict[str, object]) -> None:
    """Run a ``>>>`` block as a doctest in ``namespace``; fail with doctest's report."""
    name = f"{path.name}:{block.line}"
    test = doctest.DocTestParser().get_doctest(block.code, namespace, name, str(path), block.line)
    report = io.StringIO()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    runner.run(test, out=report.write, clear_globs=False)
    namespace.update(test.globs)  # DocTest ran in a copy of the namespace
    if runner.failures:
        raise AssertionError(f"doctest block at {name} failed:\n{report.getvalue()}")
