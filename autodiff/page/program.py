"""A graph as data for the interactive page: its nodes, the eager walk's order, and kernels.

:func:`describe_graph` numbers the nodes below a root in topological order (``v<k>``, the
same names as the drawing's records) and gives, for every primitive the graph uses, its
forward and its local partials in JavaScript. Both come from the primitive's own row of
:mod:`autodiff.primitives`: the forward is the row's ``kernel.js``, and the partials are the
row's ``local_grads`` rule evaluated on :class:`~autodiff.tape.kernels.Symbol` operands of
the ``js`` dialect, which writes the rule out as an expression. No derivative is written
here, and a new primitive with a ``kernel.js`` works in the page without page code.

The backward walk is the eager engine's (:func:`autodiff.backward.accumulate_grads`): the
same order of nodes, the same order of contributions, a zero gradient passing nothing on.

Example:
    >>> from autodiff import Value
    >>> x = Value(3.0, label="x")
    >>> graph = describe_graph((x * x).tanh(), digits=4)
    >>> [node["op"] for node in graph["nodes"]], graph["walk"]
    (['', '*', 'tanh'], [2, 1, 0])
    >>> graph["kernels"]["tanh/1"]
    {'forward': '(x) => Math.tanh(x[0])', 'partials': '(x, out) => [(1.0 - (out * out))]'}
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from ..graph import primitive_of, topological_order
from ..primitives import Primitive
from ..show.notation import Names, chain_symbol
from ..show.scene import node_kind
from ..tape.kernels import Symbol
from ..value import Value

__all__ = ["describe_graph", "js_kernel", "kernel_key", "walk_order"]


def kernel_key(prim: Primitive, n_operands: int) -> str:
    """The name of a primitive's kernel for ``n_operands`` operands (``"**2.0/1"``, ``"sum/3"``)."""
    exponent = "" if prim.exponent is None else repr(prim.exponent)
    return f"{prim.name}{exponent}/{n_operands}"


def js_kernel(prim: Primitive, n_operands: int) -> dict[str, str] | None:
    """``prim``'s forward and local partials as JavaScript functions of the operands ``x``
    (an array) and the result ``out``; None when the primitive has no ``kernel.js``.

    Example:
        >>> from autodiff.primitives import PRIMITIVES
        >>> js_kernel(PRIMITIVES["log"], 1)["partials"]
        '(x, out) => [pdiv(1.0, x[0])]'
    """
    template = prim.kernel.js
    if not template:
        return None
    names = [f"x[{i}]" for i in range(n_operands)]
    if template == "{+}":  # from 0.0, left to right, as the engine's sum
        forward = " + ".join(["0.0", *names])
    elif template == "{dot}":
        half = n_operands // 2
        forward = " + ".join(["0.0", *(f"{w} * {x}" for w, x in zip(names[:half], names[half:]))])
    else:
        forward = template.format(*names, n=repr(prim.exponent))
    operands = [Symbol(name, "js") for name in names]
    partials = prim.local_grads(*operands, Symbol("out", "js"))
    texts = [p.text if isinstance(p, Symbol) else repr(float(p)) for p in partials]
    return {"forward": f"(x) => {forward}", "partials": f"(x, out) => [{', '.join(texts)}]"}


def walk_order(order: list[Value]) -> list[int]:
    """The positions (in ``order``, a topological order) of the nodes in the order the eager
    backward walk processes them: a node once every use of it has been processed, the most
    recently freed first."""
    index = {id(node): k for k, node in enumerate(order)}
    uses = Counter(id(child) for node in order for child in node.children)
    ready, walk = [order[-1]], []
    while ready:
        node = ready.pop()
        walk.append(index[id(node)])
        for child in node.children:
            uses[id(child)] -= 1
            if not uses[id(child)]:
                ready.append(child)
    return walk


def describe_graph(root: Value, *, digits: int) -> dict[str, Any]:
    """Everything the page needs to know about the graph below ``root``, as JSON-ready data."""
    order = topological_order(root)
    index = {id(node): k for k, node in enumerate(order)}
    names = Names(order, digits)
    kernels: dict[str, dict[str, str] | None] = {}
    nodes = []
    for k, node in enumerate(order):
        prim = primitive_of(node)
        children = [index[id(child)] for child in node.children]
        entry: dict[str, Any] = {
            "id": f"v{k}",
            "label": node.label,
            "name": names.name(node),
            "op": node.op,
            "kind": node_kind(node, node is root),
            "children": children,
            "data": node.data,
            "grad": node.grad,
            "repr": _repr_parts(node),
        }
        if prim is not None:
            key = kernel_key(prim, len(children))
            if key not in kernels:
                kernels[key] = js_kernel(prim, len(children))
            entry["kernel"] = key
            entry["partials"] = [
                {
                    "symbol": chain_symbol(names, node, child),
                    "formula": names.formula(node, position),
                }
                for position, child in enumerate(node.children)
            ]
        nodes.append(entry)
    missing = sorted({key.partition("/")[0] for key, kernel in kernels.items() if kernel is None})
    return {
        "nodes": nodes,
        "walk": walk_order(order),
        "kernels": {key: kernel for key, kernel in kernels.items() if kernel is not None},
        "missing": missing,
        "digits": digits,
    }


def _repr_parts(node: Value) -> list[str]:
    """``repr(node)`` around its number, with ``.grad`` 0.0 (a fresh walk's), for messages."""
    tail = ", grad=0.0"
    if node.label:
        tail += f", label={node.label!r}"
    if node.op:
        tail += f", op={node.op!r}"
    return ["Value(", tail + ")"]
