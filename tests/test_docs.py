"""Every Python example in README.md and docs/**/*.md runs as a test.

Conventions for writers of those pages:

- A block fenced as ```python runs. The blocks of one file run in order, in one shared
  namespace (a page reads as one session), in a fresh temporary working directory, with
  matplotlib's non-interactive backend. Check results with ``assert`` in the block: a
  block that merely runs proves little.
- A block whose code starts with ``>>>`` is a doctest: each example's output must match
  what is written below it (``...`` matches anything). It shares the page's namespace.
- A block fenced as ```python no-run is shown but not run (it needs a display, a network,
  or minutes of training). Use it sparingly, and say in the text why it is not run.
- Any other fence (```text, ```sh, ```console, ...) is never run.

Each file is one test case, named by its path, so a failure names the page; the traceback
points at the line of the Markdown file. New pages under docs/ are picked up automatically.
"""

from __future__ import annotations

import doctest
import io
import re
import sys
import types
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>[^`]*)$")


@dataclass(frozen=True)
class Block:
    """A fenced code block: its info string (``python no-run``), code, and first code line."""

    info: str
    code: str
    line: int

    @property
    def runs(self) -> bool:
        language, *flags = self.info.split() or [""]
        return language == "python" and "no-run" not in flags


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
        blocks.append(Block(opening["info"].strip(), "\n".join(body) + "\n", start + 1))
    return blocks


def _closes(line: str, fence: str) -> bool:
    stripped = line.strip()
    return stripped.startswith(fence) and set(stripped) == {fence[0]}


def _dedent(line: str, indent: int) -> str:
    prefix = len(line) - len(line.lstrip(" \t"))
    return line[min(prefix, indent) :]


def run_page(path: Path) -> int:
    """Run the page's runnable blocks in one fresh namespace; return how many ran."""
    name = "docs_page_" + re.sub(r"\W", "_", path.stem)
    module = types.ModuleType(name)
    sys.modules[name] = module  # dataclasses and pickle look classes up by module
    try:
        ran = 0
        for block in fenced_blocks(path.read_text(encoding="utf-8")):
            if block.runs and block.code.lstrip().startswith(">>>"):
                run_doctest(block, path, module.__dict__)
                ran += 1
            elif block.runs:
                # Padding with newlines makes tracebacks point at the Markdown line.
                source = "\n" * (block.line - 1) + block.code
                exec(compile(source, str(path), "exec"), module.__dict__)
                ran += 1
        return ran
    finally:
        del sys.modules[name]


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


def _has_examples(path: Path) -> bool:
    return any(block.runs for block in fenced_blocks(path.read_text(encoding="utf-8")))


PAGES = [
    page
    for page in sorted([ROOT / "README.md", *(ROOT / "docs").rglob("*.md")])
    if _has_examples(page)
]


@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(ROOT)) for p in PAGES])
def test_page_examples_run(page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    assert run_page(page) > 0


# --- the harness itself ---------------------------------------------------------------------
SAMPLE = """\
# A page

```python
x = 1
```

Text.

```python no-run
raise RuntimeError("shown, not run")
```

```text
not python at all
```

- a list item with an indented example:

  ```python
  y = x + 1
  ```

~~~~python
z = y * 10  # another fence style
~~~~
"""


def test_fenced_blocks_are_found_with_their_lines_and_kinds() -> None:
    blocks = fenced_blocks(SAMPLE)
    assert [(b.info, b.line, b.runs) for b in blocks] == [
        ("python", 4, True),
        ("python no-run", 10, False),
        ("text", 14, False),
        ("python", 20, True),
        ("python", 24, True),
    ]
    assert blocks[3].code == "y = x + 1\n"


def test_blocks_of_a_page_share_one_namespace_and_skip_no_run(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(SAMPLE + "```python\nassert z == 20\n```\n", encoding="utf-8")
    assert run_page(page) == 4


def test_doctest_blocks_check_their_output_and_share_the_namespace(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    good = "```python\nx = 2\n```\n\n```python\n>>> x * 3\n6\n>>> y = x + 1\n\n```\n"
    page.write_text(good + "```python\nassert y == 3\n```\n", encoding="utf-8")
    assert run_page(page) == 3
    page.write_text("```python\n>>> 1 + 1\n3\n\n```\n", encoding="utf-8")
    with pytest.raises(AssertionError, match=r"page.md:2 failed(.|\n)*Expected:\n    3"):
        run_page(page)


def test_a_failing_block_names_the_page_and_line(tmp_path: Path) -> None:
    page = tmp_path / "broken.md"
    page.write_text("Intro.\n\n```python\nx = 1\nassert x == 2\n```\n", encoding="utf-8")
    with pytest.raises(AssertionError) as error:
        run_page(page)
    frame = error.traceback[-1]
    assert (Path(str(frame.path)).name, frame.lineno + 1) == ("broken.md", 5)


def test_the_pages_include_the_readme_and_the_engine_guide() -> None:
    assert {ROOT / "README.md", ROOT / "docs" / "engine.md"} <= set(PAGES)
