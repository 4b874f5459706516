"""Screenshots of the interactive page for docs/explore.md: ``python docs/make_explore_figures.py``.

Each page is made by ``autodiff.explore``, opened in a headless Chromium (the Debian packages
``chromium`` and ``chromium-driver``, driven by selenium: ``make browser`` installs them),
driven through ``window.autodiffPage`` as a learner would click, and photographed into
docs/figures/explore-*.png.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # the repository, when the package is not installed

from autodiff import Value, explore  # noqa: E402
from autodiff.files import write_atomically  # noqa: E402
from tests.helpers import browser  # noqa: E402

FIGURES = HERE / "figures"
HEART_STEPS = 5000  # the demo's default training: a clear heart


def neuron() -> Value:
    """The neuron of docs/explore.md."""
    w, x, b = Value(-3.0, label="w"), Value(2.0, label="x"), Value(6.88, label="b")
    a = (w * x + b).tanh()
    a.label = "a"
    a.backward()
    return a


def heart_cost() -> Value:
    """The heart demo's example 25 after the demo's default training (as out/heart.html)."""
    from nn.app.heart import DEFAULTS, train_heart
    from nn.app.heart_pictures import GRAPH_EXAMPLE
    from nn.losses import sum_squared_error

    run = train_heart(HEART_STEPS, DEFAULTS["lr"], DEFAULTS["seed"], progress=False)
    x = [Value(run.inputs[GRAPH_EXAMPLE][0], label="x")]
    cost = sum_squared_error(run.model(x), run.targets[GRAPH_EXAMPLE])
    cost.label = f"C_{GRAPH_EXAMPLE}"
    cost.backward()
    return cost


def _scroll_drawing(driver: Any, x: int, y: int) -> None:
    driver.execute_script(f"document.getElementById('drawing').scrollTo({x}, {y})")


SHOTS: dict[str, tuple[Callable[[], Value], str, tuple[int, int]]] = {
    # name: (graph, script run in the page, window size)
    "explore-neuron": (neuron, "autodiffPage.select('w')", (1280, 640)),
    "explore-walk": (
        neuron,
        "autodiffPage.reset(); for (let k = 0; k < 3; k++) autodiffPage.step()",
        (1280, 640),
    ),
    "explore-changed": (
        neuron,
        "autodiffPage.setLeaf('w', -2.5); autodiffPage.select('a')",
        (1280, 640),
    ),
    "explore-error": (
        lambda: (Value(2.0, label="x") * 1.0).log(),
        "autodiffPage.setLeaf('x', -1)",
        (1000, 360),
    ),
    "explore-heart": (
        heart_cost,
        "document.getElementById('fit').click();"
        "autodiffPage.select('layers.2.neurons.1.w.6');"
        "document.getElementById('search').value = 'layers.2.neurons.1';"
        "document.getElementById('search').dispatchEvent(new Event('input'))",
        (1400, 900),
    ),
}


def main(names: list[str]) -> int:
    """Take the screenshots named (default: all) into docs/figures/."""
    missing = browser.missing()
    if missing:
        print(f"make_explore_figures: {missing}", file=sys.stderr)
        return 1
    unknown = [name for name in names if name not in SHOTS]
    if unknown:
        print(f"make_explore_figures: no figure {unknown[0]!r} ({', '.join(SHOTS)})")
        return 2
    graphs: dict[Callable[[], Value], Value] = {}
    with tempfile.TemporaryDirectory() as folder:
        for name in names or list(SHOTS):
            make, script, (width, height) = SHOTS[name]
            if make not in graphs:
                graphs[make] = make()
            page = explore(graphs[make]).write(Path(folder) / f"{name}.html")
            driver = browser.start_browser(width, height)
            try:
                browser.open_page(driver, page)
                driver.execute_script(script)
                target = FIGURES / f"{name}.png"
                write_atomically(target, driver.get_screenshot_as_png())
            finally:
                browser.stop_browser(driver)
            print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
