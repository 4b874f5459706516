"""Draw docs/architecture.svg, the map of the packages: ``python docs/make_architecture.py [SVG]``.

The rooms and the arrows between them are declared below as data. ``tests/test_architecture.py``
checks them against the source: every package-level import is an arrow here, and every
module of a room is listed in it, so the picture cannot drift from the code.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # the repository, when the package is not installed

import graphviz  # noqa: E402

from autodiff.files import write_atomically  # noqa: E402

ROOMS: dict[str, tuple[str, tuple[str, ...]]] = {
    "autodiff": (
        "the engine: Value, its rules, the graph walk",
        (
            "value",
            "primitives",
            "graph",
            "backward",
            "forward",
            "functional",
            "functions",
            "extend",
            "fused",
            "recording",
            "notebook",
            "gradcheck",
            "files",
            "lazy",
            "collector",
        ),
    ),
    "autodiff.show": (
        "drawings and chain-rule ledgers",
        ("scene", "render", "clusters", "notation", "explain"),
    ),
    "autodiff.tape": (
        "the compiled tape: trace once, replay",
        (
            "trace",
            "observe",
            "codegen",
            "interpreter",
            "kernels",
            "folding",
            "stacking",
            "arguments",
            "tape",
            "batch",
            "torch_export",
        ),
    ),
    "autodiff.page": (
        "the interactive page: explore(root)",
        ("program", "document"),
    ),
    "autodiff.testing": (
        "hypothesis strategies and checks for gradient tests",
        ("strategies", "recipes", "scalars", "plugin", "primitive_checks"),
    ),
    "nn": (
        "the neural-network library",
        (
            "module",
            "neuron",
            "layers",
            "matrices",
            "backprop",
            "course",
            "activations",
            "init",
            "losses",
            "optim",
            "training",
            "datasets",
            "persistence",
            "pytorch",
            "checks",
            "network_drawing",
            "plot",
            "testing",
        ),
    ),
    "nn.app": (
        "the course app: the autodiff command, demos",
        (
            "cli",
            "graph_command",
            "explore_command",
            "formula",
            "parsing",
            "xor_demo",
            "heart",
            "heart_command",
            "heart_pictures",
        ),
    ),
}
"""Each room (a package), what it is for, and its modules."""

ARROWS: dict[tuple[str, str], str] = {
    ("autodiff.show", "autodiff"): "reads the graph:\nvalues, grads, local partials",
    ("autodiff.tape", "autodiff"): "traces Values,\nreuses each primitive's rule",
    ("autodiff.testing", "autodiff"): "builds random graphs",
    ("autodiff.page", "autodiff"): "reads the graph and\nthe primitive table",
    ("autodiff.page", "autodiff.show"): "embeds the drawing,\nnames and ledgers",
    ("autodiff.page", "autodiff.tape"): "evaluates rules on\njs Symbols",
    ("nn", "autodiff"): "neurons are Values",
    ("nn", "autodiff.show"): "draws networks\nas Drawings",
    ("nn.app", "nn"): "trains models",
    ("nn.app", "autodiff"): "parses formulas into Values",
    ("nn.app", "autodiff.show"): "draws and explains",
    ("nn.app", "autodiff.tape"): "replays the cost",
    ("nn.app", "autodiff.page"): "writes pages",
}
"""Who builds on whom (the importer first), and what passes between them."""

FLOWS: dict[str, str] = {
    "autodiff": "Value records → graph orders → backward walks (chain rule)",
    "autodiff.show": "scene describes → render draws;  explain writes the ledger",
    "autodiff.tape": "trace records → codegen writes → tape, batch replay",
    "autodiff.page": "program writes the kernels → document assembles the page",
    "nn.app": "cli → graph_command, explore_command, demos → pictures",
}
"""How data moves inside a room, in one line."""


def architecture() -> graphviz.Digraph:
    """The map: one box per room listing its modules, an arrow where one builds on another."""
    picture = graphviz.Digraph("architecture", format="svg")
    picture.attr(rankdir="BT", fontname="Helvetica", nodesep="0.5", ranksep="0.9")
    picture.attr("node", shape="box", style="rounded,filled", fontname="Helvetica", fontsize="11")
    picture.attr("edge", fontname="Helvetica", fontsize="9", color="#555555")
    colours = {"autodiff": "#dbe9f6", "nn": "#e3f1dc"}
    for room, (purpose, modules) in ROOMS.items():
        listing = "<BR/>".join(_rows(modules))
        flow = f"<BR/>{FLOWS[room]}" if room in FLOWS else ""
        label = f"<<B>{room}</B><BR/><I>{purpose}</I>{flow}<BR/><BR/>{listing}>"
        picture.node(room, label=label, fillcolor=colours[room.partition(".")[0]])
    for (importer, imported), what in ARROWS.items():
        picture.edge(importer, imported, label=what)
    return picture


def _rows(modules: tuple[str, ...], width: int = 4) -> list[str]:
    names = [f"{name}.py" for name in modules]
    return [" · ".join(names[start : start + width]) for start in range(0, len(names), width)]


def main(target: Path = HERE / "architecture.svg") -> None:
    """Draw the map into ``target`` (default: docs/architecture.svg)."""
    svg = architecture().pipe(format="svg").decode("utf-8")
    write_atomically(target, svg)
    print(f"wrote {target}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE / "architecture.svg")
