"""docs/make_figures.py regenerates the figures of docs/rendering.md, and the page quotes them."""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

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
