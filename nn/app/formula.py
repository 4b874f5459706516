"""Formulas typed by people, such as ``tanh(w*x + b)``, parsed safely into computation graphs.

The text is parsed by Python's :mod:`ast` and then checked against a whitelist before
anything is computed: numbers, names, ``+ - * / **``, unary ``-`` and ``+``, parentheses,
and calls of the engine's functions by name (:data:`FUNCTIONS`) with one argument. Nothing
of the text is ever evaluated by Python: no ``eval``, no ``exec``, no code objects. The
checked tree is evaluated by a small iterative interpreter that only calls :class:`Value`
operations. Limits keep hostile input cheap: the text's length, the tree's depth, and the
size of constant exponents (``9**9**9`` is refused, not computed).

Example:
    >>> formula = parse("tanh(w*x + b)")
    >>> formula.names
    ('w', 'x', 'b')
    >>> out, inputs = formula.evaluate({"x": 2.0, "w": -3.0, "b": 6.88})
    >>> round(out.data, 4), inputs["w"].label
    (0.7064, 'w')
"""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from autodiff import PRIMITIVES, Primitive, Value
from autodiff.primitives import BUILTIN
from autodiff.value import apply

__all__ = [
    "FUNCTIONS",
    "MAX_DEPTH",
    "MAX_EXPONENT",
    "MAX_LENGTH",
    "Formula",
    "FormulaError",
    "load_primitives",
    "parse",
]

MAX_LENGTH = 1000
"""Longest formula accepted, in characters."""
MAX_DEPTH = 100
"""Deepest nesting of operations accepted."""
MAX_EXPONENT = 1000.0
"""Largest constant exponent accepted, in absolute value."""


def _function(prim: Primitive) -> Callable[[Value], Value]:
    def call(x: Value) -> Value:
        return apply(prim, [x])

    return call


FUNCTIONS: dict[str, Callable[[Value], Value]] = {
    name: _function(prim)
    for name, prim in PRIMITIVES.items()
    if prim.arity == 1 and name in BUILTIN
}
"""The functions a formula may call, by name: every built-in primitive of one operand. A
primitive defined with :func:`autodiff.primitive` runs the user's code, so it joins only when
asked for by name of its module (:func:`load_primitives`, the commands' ``--primitives``)."""


def load_primitives(modules: list[str]) -> list[str]:
    """Import ``modules`` (from the current folder or the path) and let formulas call the
    one-operand primitives they define with :func:`autodiff.primitive`; return their names.

    This runs the modules' code, which is why formulas never do it on their own.

    Raises:
        FormulaError: a module cannot be found or fails to import (the message says which
            and why), or defines no primitive a formula can call.

    Example:
        >>> load_primitives([])
        []
    """
    if not modules:
        return []
    import importlib
    import os
    import sys

    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    for module in modules:
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as error:
            raise FormulaError(f"--primitives {module}: no such module ({error})") from None
        except Exception as error:  # the user's code: any failure is reported, not raised
            raise FormulaError(
                f"--primitives {module}: importing it failed: {type(error).__name__}: {error}"
            ) from None
    added = [name for name, p in PRIMITIVES.items() if name not in BUILTIN and p.arity == 1]
    if not added:
        raise FormulaError(
            f"--primitives {' '.join(modules)}: defines no primitive of one operand "
            "(autodiff.primitive(...)) for formulas to call"
        )
    for name in added:
        FUNCTIONS[name] = _function(PRIMITIVES[name])
    return added


BINARY: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Pow: operator.pow,
}
UNARY: dict[type[ast.unaryop], Callable[[Any], Any]] = {
    ast.USub: operator.neg,
    ast.UAdd: operator.pos,
}

# What people call the constructs a formula may not contain (named in error messages).
FORBIDDEN = {
    ast.Attribute: "attribute access",
    ast.Subscript: "subscript",
    ast.Lambda: "lambda",
    ast.ListComp: "comprehension",
    ast.SetComp: "comprehension",
    ast.DictComp: "comprehension",
    ast.GeneratorExp: "comprehension",
    ast.Compare: "comparison",
    ast.BoolOp: "boolean operator",
    ast.IfExp: "conditional expression",
    ast.NamedExpr: "assignment",
    ast.JoinedStr: "string",
    ast.List: "list",
    ast.Tuple: "tuple",
    ast.Set: "set",
    ast.Dict: "dict",
    ast.Starred: "starred argument",
    ast.Await: "await",
    ast.Yield: "yield",
    ast.YieldFrom: "yield",
}


class FormulaError(ValueError):
    """A formula that is not allowed or cannot be evaluated; the message is one line."""


# The checked tree: ("number", x) | ("name", n) | ("call", f, arg) | ("unary", op, arg)
# | ("binary", op, left, right), with op an ast operator class.
Node = tuple[Any, ...]
Result = Value | float


@dataclass(frozen=True)
class Formula:
    """A checked formula: its text, its variable names (in order of first use) and its tree."""

    text: str
    names: tuple[str, ...]
    tree: Node

    def evaluate(self, values: Mapping[str, float]) -> tuple[Value, dict[str, Value]]:
        """Build the graph at ``values``; return the output and one leaf Value per name.

        Raises:
            FormulaError: a name has no value, or an operation fails at these values
                (``log(x)`` at x = −1, an overflow), with the engine's message.
        """
        for name in self.names:
            if name not in values:
                raise FormulaError(f"no value given for {name!r}")
        leaves = {name: Value(values[name], label=name) for name in self.names}
        try:
            out = _run(self.tree, leaves)
        except (ValueError, OverflowError, ZeroDivisionError) as error:
            raise FormulaError(f"cannot evaluate {self.text!r}: {error}") from None
        return (out if isinstance(out, Value) else Value(out)), leaves


def parse(text: str) -> Formula:
    """Check ``text`` against the whitelist and return it as a :class:`Formula`.

    Raises:
        TypeError: ``text`` is not a str.
        FormulaError: the text is too long, not an expression, uses anything outside the
            whitelist, nests too deeply, or has an absurd constant exponent; the message
            names the offending piece.

    Example:
        >>> parse("x.__class__")
        Traceback (most recent call last):
        ...
        nn.app.formula.FormulaError: attribute access is not allowed: 'x.__class__'
    """
    if not isinstance(text, str):
        raise TypeError(f"formula must be a str, got {type(text).__name__}: {text!r}")
    if len(text) > MAX_LENGTH:
        raise FormulaError(f"the formula is {len(text)} characters long; the limit is {MAX_LENGTH}")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as error:
        where = f" at column {error.offset}" if error.offset else ""
        raise FormulaError(f"not a formula: {error.msg}{where}") from None
    except (ValueError, RecursionError, MemoryError) as error:
        raise FormulaError(f"not a formula: {error}") from None
    checked, names = _Checker(text.strip()).check(tree)
    return Formula(text, tuple(names), checked)


OPERATOR_SYMBOLS = {
    ast.FloorDiv: "//",
    ast.Mod: "%",
    ast.MatMult: "@",
    ast.LShift: "<<",
    ast.RShift: ">>",
    ast.BitOr: "|",
    ast.BitXor: "^",
    ast.BitAnd: "&",
    ast.Not: "not",
    ast.Invert: "~",
}


class _Checker:
    """Walks an ast without recursion: validates each node, then builds the checked tree."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.names: dict[str, None] = {}  # an ordered set
        self.built: dict[int, Node] = {}

    def piece(self, node: ast.AST) -> str:
        segment = ast.get_source_segment(self.text, node) or type(node).__name__
        return repr(segment if len(segment) <= 40 else segment[:37] + "...")

    def check(self, tree: ast.Expression) -> tuple[Node, list[str]]:
        stack: list[tuple[ast.AST, int, bool]] = [(tree.body, 1, False)]
        while stack:
            node, depth, ready = stack.pop()
            if ready:
                self.built[id(node)] = self.build(node)
                continue
            if depth > MAX_DEPTH:
                raise FormulaError(f"the formula nests deeper than {MAX_DEPTH} levels")
            stack.append((node, depth, True))
            for child in reversed(self.operands(node)):
                stack.append((child, depth + 1, False))
        return self.built[id(tree.body)], list(self.names)

    def operands(self, node: ast.AST) -> list[ast.expr]:
        """Validate ``node`` itself; return the sub-expressions to check next."""
        if isinstance(node, ast.BinOp):
            if type(node.op) not in BINARY:
                raise self.operator_error(node.op, node)
            return [node.left, node.right]
        if isinstance(node, ast.UnaryOp):
            if type(node.op) not in UNARY:
                raise self.operator_error(node.op, node)
            return [node.operand]
        if isinstance(node, ast.Call):
            return [self.check_call(node)]
        if isinstance(node, ast.Name):
            if node.id in FUNCTIONS:
                raise FormulaError(f"{node.id} is a function: call it, as in {node.id}(x)")
            return []
        if isinstance(node, ast.Constant):
            self.number(node)
            return []
        kind = FORBIDDEN.get(type(node), type(node).__name__)
        raise FormulaError(f"{kind} is not allowed: {self.piece(node)}")

    def operator_error(self, op: ast.AST, node: ast.AST) -> FormulaError:
        symbol = OPERATOR_SYMBOLS.get(type(op), type(op).__name__)
        return FormulaError(f"operator {symbol} is not allowed: {self.piece(node)}")

    def check_call(self, node: ast.Call) -> ast.expr:
        if not isinstance(node.func, ast.Name):
            kind = FORBIDDEN.get(type(node.func), "a call of a computed function")
            raise FormulaError(f"{kind} is not allowed: {self.piece(node.func)}")
        name = node.func.id
        if name not in FUNCTIONS:
            allowed = " ".join(FUNCTIONS)
            raise FormulaError(
                f"unknown function {name!r} in {self.piece(node)} (allowed: {allowed})"
            )
        if node.keywords:
            raise FormulaError(f"keyword arguments are not allowed: {self.piece(node)}")
        if len(node.args) != 1 or isinstance(node.args[0], ast.Starred):
            raise FormulaError(f"{name} takes exactly one argument: {self.piece(node)}")
        return node.args[0]

    def number(self, node: ast.Constant) -> float:
        value = node.value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise FormulaError(f"only numbers are allowed as constants, not {self.piece(node)}")
        try:
            number = float(value)
        except OverflowError:
            raise FormulaError(f"the number {self.piece(node)} is too large") from None
        if not math.isfinite(number):
            raise FormulaError(f"the number {self.piece(node)} is too large")
        return number

    def build(self, node: ast.AST) -> Node:
        """The checked node, with constant sub-expressions folded into one number."""
        if isinstance(node, ast.Constant):
            return ("number", self.number(node))
        if isinstance(node, ast.Name):
            self.names[node.id] = None
            return ("name", node.id)
        if isinstance(node, ast.BinOp):
            left, right = self.built[id(node.left)], self.built[id(node.right)]
            op = type(node.op)
            if op is ast.Pow and right[0] == "number" and abs(right[1]) > MAX_EXPONENT:
                raise FormulaError(
                    f"the exponent {right[1]:g} in {self.piece(node)} is beyond ±{MAX_EXPONENT:g}"
                )
            if left[0] == right[0] == "number":
                return self.fold(node, lambda: BINARY[op](Value(left[1]), right[1]))
            return ("binary", op, left, right)
        if isinstance(node, ast.UnaryOp):
            operand = self.built[id(node.operand)]
            if operand[0] == "number":
                return ("number", UNARY[type(node.op)](operand[1]))
            return ("unary", type(node.op), operand)
        assert isinstance(node, ast.Call) and isinstance(node.func, ast.Name)  # by operands()
        argument = self.built[id(node.args[0])]
        if argument[0] == "number":
            function = FUNCTIONS[node.func.id]
            return self.fold(node, lambda: function(Value(argument[1])))
        return ("call", node.func.id, argument)

    def fold(self, node: ast.AST, compute: Callable[[], Value]) -> Node:
        try:
            return ("number", compute().data)
        except (ValueError, OverflowError, ZeroDivisionError) as error:
            raise FormulaError(f"cannot compute {self.piece(node)}: {error}") from None


def _run(tree: Node, leaves: Mapping[str, Value]) -> Result:
    """Evaluate a checked tree with Value operations, iteratively (post-order)."""
    results: list[Result] = []
    stack: list[tuple[Node, bool]] = [(tree, False)]
    while stack:
        node, ready = stack.pop()
        kind = node[0]
        if kind == "number":
            results.append(node[1])
        elif kind == "name":
            results.append(leaves[node[1]])
        elif not ready:
            stack.append((node, True))
            stack.extend((operand, False) for operand in reversed(node[2:]))
        elif kind == "binary":
            right = results.pop()
            results.append(BINARY[node[1]](results.pop(), right))
        elif kind == "unary":
            results.append(UNARY[node[1]](results.pop()))
        else:
            argument = results.pop()
            value = argument if isinstance(argument, Value) else Value(argument)
            results.append(FUNCTIONS[node[1]](value))
    return results[0]
