"""The course as notebooks (docs/notebooks/), generated from the pages by docs/make_notebooks.py.

A committed notebook must be what the script makes of its page today (no drift), and each
notebook runs in a Jupyter kernel, printing what its page shows and displaying the drawings
the page makes as SVG. Running them needs the ``docs`` extra (nbformat, nbclient, ipykernel);
without it those tests are skipped.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.pages import examples, expected_output, outputs_agree

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "docs"))

import make_notebooks  # noqa: E402 (docs/ is not a package)

PAGES = make_notebooks.PAGES
IDS = [page.stem for page in PAGES]

needs_jupyter = pytest.mark.skipif(
    any(importlib.util.find_spec(name) is None for name in ("nbformat", "nbclient", "ipykernel")),
    reason="nbformat, nbclient and ipykernel are not installed (pip install -e '.[docs]')",
)


def test_every_course_page_has_a_notebook_and_every_notebook_a_page() -> None:
    assert [page.name[:3] for page in PAGES] == ["01-", "02-", "03-", "04-", "05-", "06-"]
    notebooks = sorted(path.stem for path in make_notebooks.NOTEBOOKS.glob("*.ipynb"))
    assert notebooks == IDS


@pytest.mark.parametrize("page", PAGES, ids=IDS)
def test_the_committed_notebook_is_what_the_page_makes(page: Path) -> None:
    committed = make_notebooks.notebook_path(page).read_text(encoding="utf-8")
    assert committed == make_notebooks.notebook(page), (
        f"docs/notebooks/{page.stem}.ipynb is out of date: run python docs/make_notebooks.py"
    )


def test_the_check_reports_a_stale_notebook(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    page = tmp_path / "01-demo.md"
    page.write_text("# Demo\n\nSee [2](02-next.md).\n\n```python\nprint(1)  # 1\n```\n")
    monkeypatch.setattr(make_notebooks, "PAGES", [page])
    monkeypatch.setattr(make_notebooks, "NOTEBOOKS", tmp_path / "notebooks")
    monkeypatch.setattr(make_notebooks, "ROOT", tmp_path)
    assert make_notebooks.main(["--check"]) == 1
    assert "01-demo.ipynb differs from 01-demo.md" in capsys.readouterr().err
    assert make_notebooks.main([]) == 0
    assert make_notebooks.main(["--check"]) == 0
    cells = json.loads((tmp_path / "notebooks" / "01-demo.ipynb").read_text())["cells"]
    assert [cell["cell_type"] for cell in cells] == ["markdown", "markdown", "code"]
    assert "".join(cells[1]["source"]) == "# Demo\n\nSee [2](02-next.ipynb)."
    assert "".join(cells[2]["source"]) == "print(1)  # 1"


def test_links_point_at_notebooks_or_at_docs() -> None:
    relink = make_notebooks.relink
    assert relink("03-cost.md#the-cost-as-a-landscape") == "03-cost.ipynb#the-cost-as-a-landscape"
    assert relink("course-figures/xor.png") == "../course-figures/xor.png"
    assert relink("index.md") == "../index.md"
    assert relink("https://example.org/a.md") == "https://example.org/a.md"
    assert relink("#training") == "#training"


@pytest.fixture(scope="module")
def kernel(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A kernel spec for this test run's Python (whatever kernels the machine has)."""
    home = tmp_path_factory.mktemp("jupyter")
    spec = home / "kernels" / "autodiff-course-tests"
    spec.mkdir(parents=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    (spec / "kernel.json").write_text(
        json.dumps({"argv": argv, "display_name": "tests", "language": "python"})
    )
    return str(home)


def _stdout(cell: dict[str, Any]) -> str:
    return "".join(
        output["text"]
        for output in cell["outputs"]
        if output["output_type"] == "stream" and output["name"] == "stdout"
    )


def _svgs(cell: dict[str, Any]) -> list[str]:
    return [
        output["data"]["image/svg+xml"]
        for output in cell["outputs"]
        if output["output_type"] in ("display_data", "execute_result")
        and "image/svg+xml" in output["data"]
    ]


@needs_jupyter
@pytest.mark.parametrize("page", PAGES, ids=IDS)
def test_the_notebook_runs_prints_what_the_page_shows_and_draws_svg(
    page: Path, kernel: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import nbformat
    from nbclient import NotebookClient

    monkeypatch.setenv("JUPYTER_PATH", kernel)
    # Jupyter's and IPython's files (connection files, history) in the test's own directory.
    for variable, folder in [
        ("IPYTHONDIR", "ipython"),
        ("JUPYTER_RUNTIME_DIR", "runtime"),
        ("JUPYTER_CONFIG_DIR", "config"),
        ("JUPYTER_DATA_DIR", "data"),
    ]:
        (tmp_path / "jupyter" / folder).mkdir(parents=True)
        monkeypatch.setenv(variable, str(tmp_path / "jupyter" / folder))
    monkeypatch.setenv("PYTHONPATH", str(ROOT))  # this checkout's autodiff and nn
    notebook = nbformat.reads(make_notebooks.notebook(page), as_version=4)
    nbformat.validate(notebook)
    client = NotebookClient(
        notebook,
        timeout=120,
        kernel_name="autodiff-course-tests",
        resources={"metadata": {"path": str(tmp_path)}},
    )
    client.execute()  # raises CellExecutionError, with the traceback, if a cell fails

    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    for example in examples(page.read_text(encoding="utf-8")):
        cell = code.pop(0)
        assert cell.source == example.block.code.rstrip("\n")
        where = f"{page.name}:{example.block.line}"
        shown, printed = expected_output(example, where), _stdout(cell)
        if example.block.uses_numpy:
            assert outputs_agree(shown, printed), f"the cell of {where} printed something else"
        else:
            assert printed == shown, f"the cell of {where} printed something else"
        for drawing in make_notebooks._WRITES_SVG.finditer(example.block.code):
            display = code.pop(0)
            assert display.source == drawing["name"]
            svgs = _svgs(display)
            assert len(svgs) == 1 and "<svg" in svgs[0], f"{where}: no SVG for {display.source}"
    assert not code
