"""The course pages: the index lists them all, and every picture, page and section they link
exists.

Their examples run, and print exactly the numbers they show, in ``test_docs.py``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.helpers.pages import fenced_blocks

DOCS = Path(__file__).resolve().parents[2] / "docs"
COURSE_PAGES = sorted(DOCS.glob("0*.md"))


def test_the_course_has_its_pages() -> None:
    names = [page.name for page in COURSE_PAGES]
    assert len(names) == 6, names
    index = (DOCS / "index.md").read_text(encoding="utf-8")
    for name in names:
        assert f"({name})" in index, f"docs/index.md does not link {name}"


def test_the_readme_links_the_learning_path() -> None:
    readme = (DOCS.parent / "README.md").read_text(encoding="utf-8")
    # Absolute, so that the link works on a package index's page (tests/test_packaging.py).
    assert "[docs/index.md]" in readme
    assert re.search(r"^\[docs/index\.md\]: https://\S+/docs/index\.md$", readme, re.MULTILINE)


def prose(text: str) -> str:
    """The text without its fenced code blocks (fences included)."""
    lines = text.splitlines()
    for block in fenced_blocks(text):
        lines[block.line - 2 : block.end] = [""] * (block.end - block.line + 2)
    return "\n".join(lines)


def heading_anchors(text: str) -> set[str]:
    """The anchors GitHub gives a page's headings: lower case, punctuation dropped, spaces
    turned into hyphens (code blocks' comment lines are not headings)."""
    headings = re.findall(r"^#{1,6} +(.+?) *$", prose(text), re.MULTILINE)
    return {re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-") for heading in headings}


def test_heading_anchors_skip_code_blocks() -> None:
    text = "# A page\n\n```python\n# a comment\n```\n\n## Its second section\n"
    assert heading_anchors(text) == {"a-page", "its-second-section"}


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
