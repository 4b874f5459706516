"""Every Python example in README.md and docs/**/*.md runs as a test, and prints what it shows.

Conventions for writers of those pages:

- A block fenced as ```python runs. The blocks of one file run in order, in one shared
  namespace (a page reads as one session), in a fresh temporary working directory, with
  matplotlib's non-interactive backend. Check results with ``assert`` in the block, or show
  what it prints: a block that merely runs proves little.
- What a block prints (to standard output) must be exactly what the page shows, in one of
  two ways, never both:

  - a ```text block that follows the python block directly (nothing but blank lines
    between) is its whole output, character for character;
  - otherwise each top-level ``print(...)  # text`` line prints one line, ``text``, and the
    block prints nothing else. Such a block gives every top-level print its output comment,
    and one whose output is longer, or printed from a loop or function, shows it in a
    ```text block instead. A block with neither prints nothing.

  So a comment on a print line is always that print's literal output; a remark about it
  goes on its own line.
- A block whose code starts with ``>>>`` is a doctest: each example's output must match
  what is written below it (``...`` matches anything). It shares the page's namespace, and
  no ```text block may follow it.
- A block fenced as ```python no-run is shown but not run (it needs a display, a network,
  or minutes of training). Use it sparingly, and say in the text why it is not run.
- A block fenced as ```python numpy computes with numpy's batched kernels, whose last bits
  differ from CPU to CPU (numpy picks SIMD code for the machine). Each decimal number it
  prints may differ from the page's by one unit in the page's last digit, written with as
  many decimals (``numbers_agree``); all other text matches exactly. Print only what is
  stable to that: a long run's cost can swing by far more, and the tests run the pages a
  second time with numpy's best kernels disabled to catch it. Pure-Python code (the eager
  engine, a single example's tape) gives the same floats everywhere and needs no flag.
- A block fenced as ```python torch needs PyTorch, an optional dependency: it runs when
  torch is installed and is skipped otherwise, so it may only define names that no block
  without the flag uses.
- Any other fence (```text, ```sh, ```console, ...) is never run.

Each file is one test case, named by its path, so a failure names the page; the traceback
points at the line of the Markdown file. New pages under docs/ are picked up automatically.
A page runs once per test session (the ``docs_page`` fixture of ``conftest.py``): the tests
of a page's own claims (``test_nn_docs.py``, ``test_render_docs.py``) read the same run.
The functions that run a page and check its output are in ``tests/helpers/pages.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.helpers.pages import (
    PageRun,
    examples,
    fenced_blocks,
    numbers_agree,
    outputs_agree,
    run_page,
)

ROOT = Path(__file__).resolve().parents[2]


def _has_examples(path: Path) -> bool:
    return any(block.runs for block in fenced_blocks(path.read_text(encoding="utf-8")))


PAGES = [
    page
    for page in sorted([ROOT / "README.md", *(ROOT / "docs").rglob("*.md")])
    if _has_examples(page)
]


@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(ROOT)) for p in PAGES])
def test_page_runs_and_prints_what_it_shows(
    page: Path, docs_page: Callable[[Path], PageRun]
) -> None:
    assert docs_page(page).blocks > 0


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


def _run(tmp_path: Path, text: str) -> PageRun:
    page = tmp_path / "page.md"
    page.write_text(text, encoding="utf-8")
    return run_page(page, tmp_path)


def test_fenced_blocks_are_found_with_their_lines_and_kinds() -> None:
    blocks = fenced_blocks(SAMPLE)
    assert [(b.info, b.line, b.end, b.runs) for b in blocks] == [
        ("python", 4, 5, True),
        ("python no-run", 10, 11, False),
        ("text", 14, 15, False),
        ("python", 20, 21, True),
        ("python", 24, 25, True),
    ]
    assert blocks[3].code == "y = x + 1\n"


def test_blocks_of_a_page_share_one_namespace_and_skip_no_run(tmp_path: Path) -> None:
    run = _run(tmp_path, SAMPLE + "```python\nassert z == 20\n```\n")
    assert run.blocks == 4 and run.namespace["z"] == 20 and run.directory == tmp_path


def test_a_text_block_right_after_a_block_is_its_output(tmp_path: Path) -> None:
    shown = "```python\nfor k in range(2):\n    print(k)\n```\n\n```text\n0\n1\n```\n"
    assert [e.shown is not None for e in examples(shown)] == [True]
    assert _run(tmp_path, shown).blocks == 1
    with pytest.raises(AssertionError, match=r"page\.md:2 printed something else"):
        _run(tmp_path, shown.replace("\n1\n```", "\n2\n```"))
    with pytest.raises(AssertionError, match=r"page\.md:2 printed something else"):
        _run(tmp_path, shown.replace("0\n1\n", "0\n1\n\n"))  # a blank line more
    later = shown.replace("\n\n```text", "\n\nIt prints\n\n```text")
    assert [e.shown for e in examples(later)] == [None]  # not directly after: not its output
    with pytest.raises(AssertionError, match=r"page\.md:2 printed something else"):
        _run(tmp_path, later)


def test_a_print_comment_is_the_literal_output(tmp_path: Path) -> None:
    assert _run(tmp_path, "```python\nprint(6 * 7)  # 42\nprint()  # \n```\n").blocks == 1
    with pytest.raises(AssertionError, match=r"page\.md:2 printed something else"):
        _run(tmp_path, "```python\nprint(6 * 7)  # 42.0\n```\n")
    with pytest.raises(AssertionError, match=r"page\.md:2 printed something else"):
        _run(tmp_path, "```python\nprint(1)  # 1\nfor k in range(2):\n    print(k)\n```\n")
    with pytest.raises(AssertionError, match=r"page.md:2: a print without .*: print\(42\)"):
        _run(tmp_path, "```python\nprint(42)\n```\n")
    with pytest.raises(AssertionError, match=r"page\.md:2: output shown twice"):
        _run(tmp_path, "```python\nprint(42)  # 42\n```\n```text\n42\n```\n")


def test_a_numpy_block_may_differ_by_one_unit_in_the_last_digit(tmp_path: Path) -> None:
    def page(fence: str, value: str) -> str:
        code = f"print('C =', {value}, 'after', 2000)"
        return f"```{fence}\n{code}\n```\n\n```text\nC = 0.00265 after 2000\n```\n"

    assert _run(tmp_path, page("python numpy", "0.00265")).blocks == 1
    assert _run(tmp_path, page("python numpy", "'0.00266'")).blocks == 1
    assert _run(tmp_path, page("python numpy", "'0.00264'")).blocks == 1
    for value in ["'0.00267'", "'0.0027'", "'0.002650'", "'0.00265 '"]:
        with pytest.raises(AssertionError, match=r"page\.md:2 printed something else"):
            _run(tmp_path, page("python numpy", value))
    with pytest.raises(AssertionError, match=r"page\.md:2 printed something else"):
        _run(tmp_path, page("python numpy", "0.00265").replace("2000)", "2001)"))
    with pytest.raises(AssertionError, match=r"page\.md:2 printed something else"):
        _run(tmp_path, page("python", "'0.00266'"))  # without the flag: exactly


def test_numbers_agree_within_one_unit_of_the_last_shown_digit() -> None:
    assert numbers_agree("0.0100", 0.010128) and numbers_agree("0.0100", 0.009958)
    assert not numbers_agree("0.0100", 0.01016)
    assert numbers_agree("-1.5", "-1.4") and not numbers_agree("-1.5", "1.5")
    assert numbers_agree("0.00009", 9.6e-05) and not numbers_agree("0.00009", 0.000111)
    assert outputs_agree("a 1.00 b 2.5\n", "a 0.99 b 2.6\n")
    assert not outputs_agree("a 1.00 b 2.5\n", "a 0.99 b 2.6")
    assert not outputs_agree("a 1.00 b 2.5\n", "a 0.99 c 2.6\n")
    assert not outputs_agree("a 1.00\n", "a 1.00 1.00\n")


def test_doctest_blocks_check_their_output_and_share_the_namespace(tmp_path: Path) -> None:
    good = "```python\nx = 2\n```\n\n```python\n>>> x * 3\n6\n>>> y = x + 1\n\n```\n"
    run = _run(tmp_path, good + "```python\nassert y == 3\n```\n")
    assert run.blocks == 3
    with pytest.raises(AssertionError, match=r"page.md:2 failed(.|\n)*Expected:\n    3"):
        _run(tmp_path, "```python\n>>> 1 + 1\n3\n\n```\n")
    with pytest.raises(AssertionError, match=r"page\.md:2: a doctest shows its own output"):
        _run(tmp_path, "```python\n>>> 1 + 1\n2\n```\n```text\n2\n```\n")


def test_a_failing_block_names_the_page_and_line(tmp_path: Path) -> None:
    page = tmp_path / "broken.md"
    page.write_text("Intro.\n\n```python\nx = 1\nassert x == 2\n```\n", encoding="utf-8")
    with pytest.raises(AssertionError) as error:
        run_page(page, tmp_path)
    frame = error.traceback[-1]
    assert (Path(str(frame.path)).name, frame.lineno + 1) == ("broken.md", 5)


def test_the_pages_include_the_readme_the_guides_and_the_course() -> None:
    names = {str(page.relative_to(ROOT)) for page in PAGES}
    assert {"README.md", "docs/engine.md", "docs/nn.md", "docs/rendering.md"} <= names
    assert {f"docs/0{k}" for k in range(1, 7)} <= {name[:7] for name in names}


def test_a_torch_block_runs_only_when_torch_is_installed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = "```python torch\nimport torch\nbridged = True\n```\n\n```python\nplain = True\n```\n"
    monkeypatch.setattr("tests.helpers.pages.has_torch", lambda: False)
    skipped = _run(tmp_path, page).namespace
    assert "bridged" not in skipped and skipped["plain"] is True
    monkeypatch.undo()
    pytest.importorskip("torch")
    assert _run(tmp_path, page).namespace["bridged"] is True
