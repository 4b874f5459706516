"""docs/make_explore_figures.py: every committed screenshot of the page is one it takes, and
docs/explore.md shows each of them."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

DOCS = Path(__file__).resolve().parents[2] / "docs"


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "make_explore_figures", DOCS / "make_explore_figures.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_screenshot_is_taken_by_the_script_and_shown() -> None:
    shots = set(_script().SHOTS)
    committed = {path.stem for path in (DOCS / "figures").glob("explore-*.png")}
    assert committed == shots
    page = (DOCS / "explore.md").read_text(encoding="utf-8")
    assert all(f"figures/{name}.png" in page for name in shots)


def test_an_unknown_screenshot_is_refused() -> None:
    assert _script().main(["no-such-figure"]) in (1, 2)
