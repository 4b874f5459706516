"""The eager engine's numbers for a graph, node by node, to compare the page's with."""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Sequence
from typing import Any

from autodiff import Value, topological_order

RELATIVE = 1e-12
"""The page's numbers equal the eager engine's to this relative tolerance."""


def eager_nodes(build: Callable[..., Value], point: Sequence[float]) -> list[dict[str, Any]] | str:
    """``build`` at fresh leaves holding ``point``, after one ``backward()``: every node's
    ``{id, label, op, data, grad}`` in topological order; or the engine's error as
    ``"Kind: message"``."""
    try:
        root = build(*point)
        root.backward()
    except (ValueError, OverflowError) as error:
        return f"{type(error).__name__}: {error}"
    return [
        {"id": f"v{k}", "label": n.label, "op": n.op, "data": n.data, "grad": n.grad}
        for k, n in enumerate(topological_order(root))
    ]


def close(a: float | None, b: float) -> bool:
    """``a`` equals ``b`` to :data:`RELATIVE` (both zero counts as equal)."""
    return a is not None and math.isclose(a, b, rel_tol=RELATIVE, abs_tol=0.0)


def mismatches(page: list[dict[str, Any]], eager: list[dict[str, Any]]) -> list[str]:
    """Where the page's nodes differ from the engine's (empty: they agree)."""
    if len(page) != len(eager):
        return [f"{len(page)} nodes in the page, {len(eager)} in the engine's graph"]
    found = []
    for p, e in zip(page, eager):
        if (p["id"], p["label"], p["op"]) != (e["id"], e["label"], e["op"]):
            found.append(f"node {p} is not {e}")
        for key in ("data", "grad"):
            if not close(p[key], e[key]):
                found.append(
                    f"{e['id']} ({e['op'] or e['label']}) {key}: page {p[key]!r}, engine {e[key]!r}"
                )
    return found


def check_reciprocal(y: float) -> None:
    """The page's refusal of ``y ** -1`` where the engine would divide by ``y`` on its scaled
    path (a division is ``x · y^-1`` in the graph, but not at such a divisor)."""
    if y == 0.0 or not math.isfinite(y):
        return  # the power's own error, or its own number
    try:
        r = abs(1.0 / y)
    except OverflowError:  # pragma: no cover - 1/y of a finite nonzero float does not raise
        r = math.inf
    if r == math.inf or r < sys.float_info.min:
        raise ValueError(
            f"**: 1/{y!r} is not a normal float, so the engine would divide by {y!r} on "
            "another path (scaling it first): make the page again at these inputs"
        )


def replay(root: Value, inputs: dict[str, float]) -> Callable[[], Value]:
    """A function that builds ``root``'s very graph again with the eager engine, each leaf
    labelled in ``inputs`` holding its number there: every operation applied anew, by the
    engine's own ``apply``, in topological order (so a domain error is the engine's), and
    a power -1 refused where a division by its operand would take the engine's scaled path
    (:func:`check_reciprocal`), as the page refuses it."""
    from autodiff.graph import primitive_of
    from autodiff.value import apply

    def build() -> Value:
        made: dict[int, Value] = {}
        for node in topological_order(root):
            prim = primitive_of(node)
            if prim is None:
                new = Value(inputs.get(node.label, node.data), label=node.label)
            else:
                operands = [made[id(child)] for child in node.children]
                if prim.exponent == -1.0:
                    check_reciprocal(operands[0].data)
                new = apply(prim, operands)
                new.label = node.label
            made[id(node)] = new
        return made[id(root)]

    return build
