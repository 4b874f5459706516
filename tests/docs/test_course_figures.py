"""The figure script draws every picture the course pages show, from the numbers they state.

The cheap figures are redrawn into a temporary folder (the heart's long training run is
left to ``python docs/make_course_figures.py``); every committed figure must be one the script
makes, and the paths it draws must be the ones the pages describe.
"""

from __future__ import annotations

import importlib.util
import math
import re
import xml.etree.ElementTree as ElementTree
from pathlib import Path
from types import ModuleType

import pytest

pytest.importorskip("matplotlib")

DOCS = Path(__file__).resolve().parents[2] / "docs"
CHEAP = ["neuron-curves", "xor", "not-cost", "chain-rule", "network-grads", "newton-vs-descent"]


@pytest.fixture(scope="module")
def figures() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "make_course_figures", DOCS / "make_course_figures.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_cheap_figures_are_drawn(figures: ModuleType, tmp_path: Path) -> None:
    assert figures.main([*CHEAP, "--out", str(tmp_path)]) == 0
    for name in CHEAP:
        drawn = [path for path in tmp_path.iterdir() if path.stem == name]
        assert len(drawn) == 1, name
        data = drawn[0].read_bytes()
        if drawn[0].suffix == ".png":
            assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000
        else:
            assert ElementTree.fromstring(data).tag.endswith("svg")
    assert not [path for path in tmp_path.iterdir() if path.name.startswith(".")]


def test_every_committed_figure_is_one_the_script_makes(figures: ModuleType) -> None:
    committed = {path.stem for path in (DOCS / "course-figures").iterdir()}
    assert committed == set(figures.FIGURES)


def test_an_unknown_figure_name_is_refused(figures: ModuleType) -> None:
    with pytest.raises(SystemExit) as exit_info:
        figures.main(["no-such-figure"])
    assert exit_info.value.code == 2


def test_the_contour_figures_path_is_the_neuron_pages_training(figures: ModuleType) -> None:
    # docs/01-neuron.md: 100 steps of η = 0.5 from (1.3, −0.1) end at (−1.561, +1.568).
    path = figures.descent_path((1.3, -0.1), 0.5, 100)
    assert len(path) == 101 and path[0] == (1.3, -0.1)
    assert path[-1] == pytest.approx((-1.561, 1.568), abs=5e-4)
    costs = [figures.not_cost_at(w, b) for w, b in path]
    assert costs[-1] < 0.004 < costs[0]


def test_the_newton_path_runs_down_the_valley(figures: ModuleType) -> None:
    # docs/06-beyond.md: five Newton steps from (−1, 1) end at (−2.364, +2.364).
    path = figures.newton_path((-1.0, 1.0), 5)
    assert path[-1] == pytest.approx((-2.364, 2.364), abs=5e-4)
    assert all(math.isclose(w, -b, abs_tol=1e-9) for w, b in path)


def test_the_cost_grid_is_the_closed_form(figures: ModuleType) -> None:
    ws, bs = [-1.0, 0.0, 2.0], [0.5, -0.5]
    grid = figures.cost_grid(ws, bs)
    for row, b in zip(grid, bs):
        for cost, w in zip(row, ws):
            expected = ((math.tanh(b) - 1) ** 2 + math.tanh(w + b) ** 2) / 2
            assert cost == pytest.approx(expected, abs=1e-15)


def test_the_heart_numbers_the_backpropagation_page_states(figures: ModuleType) -> None:
    from nn.app.heart import DEFAULTS, train_heart
    from tests.helpers.pages import numbers_agree

    # numpy's kernels compute these runs: each number may differ in its last shown digit
    text = " ".join((DOCS / "05-backpropagation.md").read_text(encoding="utf-8").split())
    course = figures.heart_costs("sgd", 10_001)
    adam = figures.heart_costs("adam", 1_001)
    stated = re.search(
        r"gradient descent reaches C = (\S+) after 1000 steps, (\S+) after 3000 and (\S+) after "
        r"10,000, while Adam has reached C = (\S+) by step 1000\.",
        text,
    )
    assert stated is not None
    computed = [course[1000], course[3000], course[10000], min(adam[:1001])]
    assert all(map(numbers_agree, stated.groups(), computed)), (stated.groups(), computed)
    run = train_heart(DEFAULTS["steps"], DEFAULTS["lr"], DEFAULTS["seed"], progress=False)
    ending = re.search(r"over its last 100 steps the cost gets down to C = (\S+)\.", text)
    assert ending is not None and len(run.costs) == DEFAULTS["steps"]
    assert numbers_agree(ending[1], min(run.costs[-100:])), (ending[1], min(run.costs[-100:]))
    assert DEFAULTS == {"steps": 5000, "lr": 0.1, "seed": 0, "out": "out"}  # as the page says
