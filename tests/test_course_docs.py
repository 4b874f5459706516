"""The course pages run, and print exactly the numbers they show.

Each page of ``docs/`` that belongs to the course is executed top to bottom, its ```python
blocks sharing one namespace as a reader's session would. A ```text block that follows a
python block directly (nothing but blank lines between) is that block's printed output, and
must match what the block prints. Every picture a page shows must exist.
"""

from __future__ import annotations

import contextlib
import io
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parent.parent / "docs"
COURSE_PAGES = sorted(DOCS.glob("0*.md"))
FENCE = re.compile(r"^```([^\n`]*)\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)


@dataclass
class Block:
    info: str
    code: str
    line: int
    start: int
    end: int


def fenced_blocks(text: str) -> list[Block]:
    return [
        Block(
            info=match.group(1).strip(),
            code=match.group(2),
            line=text.count("\n", 0, match.start()) + 1,
            start=match.start(),
            end=match.end(),
        )
        for match in FENCE.finditer(text)
    ]


def runnable_with_output(text: str) -> list[tuple[Block, Block | None]]:
    """Each ```python block (not ``no-run``) with the ```text block that shows its output."""
    blocks = fenced_blocks(text)
    pairs = []
    for block, following in zip(blocks, [*blocks[1:], None]):
        if block.info.split() != ["python"]:
            continue
        shows_output = (
            following is not None
            and following.info == "text"
            and text[block.end : following.start].strip() == ""
        )
        pairs.append((block, following if shows_output else None))
    return pairs


def normalised(output: str) -> str:
    return "\n".join(line.rstrip() for line in output.strip("\n").splitlines())


def test_the_course_has_its_pages() -> None:
    names = [page.name for page in COURSE_PAGES]
    assert len(names) == 6, names
    index = (DOCS / "index.md").read_text(encoding="utf-8")
    for name in names:
        assert f"({name})" in index, f"docs/index.md does not link {name}"


def test_the_readme_links_the_learning_path() -> None:
    readme = (DOCS.parent / "README.md").read_text(encoding="utf-8")
    assert "(docs/index.md)" in readme


@pytest.mark.parametrize("page", COURSE_PAGES, ids=lambda page: page.name)
def test_page_runs_and_prints_what_it_shows(
    page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # a block that writes a file must not litter the repository
    text = page.read_text(encoding="utf-8")
    pairs = runnable_with_output(text)
    assert pairs, f"{page.name} has no python blocks"
    namespace: dict[str, object] = {"__name__": f"docs_{page.stem.replace('-', '_')}"}
    for block, output in pairs:
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            exec(compile(block.code, f"{page.name}:{block.line}", "exec"), namespace)
        if output is not None:
            assert normalised(printed.getvalue()) == normalised(output.code), (
                f"{page.name}, block at line {block.line}, printed something else"
            )


def heading_anchors(text: str) -> set[str]:
    """The anchors GitHub gives a page's headings: lower case, punctuation dropped, spaces
    turned into hyphens (code blocks' comment lines are not headings)."""
    prose = FENCE.sub("", text)
    headings = re.findall(r"^#{1,6} +(.+?) *$", prose, re.MULTILINE)
    return {re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-") for heading in headings}


@pytest.mark.parametrize("page", [*COURSE_PAGES, DOCS / "index.md"], ids=lambda p: p.name)
def test_every_picture_page_and_section_a_page_links_exists(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    links = re.findall(r"\]\(([^)\s]+)\)", text)
    local = [link for link in links if "://" not in link]
    assert local, f"{page.name} links nothing"
    for link in local:
        target, _, anchor = link.partition("#")
        path = page.parent / target if target else page
        assert path.exists(), f"{page.name} links a missing {target}"
        if anchor:
            anchors = heading_anchors(path.read_text(encoding="utf-8"))
            assert anchor in anchors, f"{page.name} links a missing section {link}"
