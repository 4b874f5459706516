"""How nodes, numbers and local partials are written down in ledgers and drawings.

A node is written as its label when it has one, a constant as its number, and an
operation as a short expression of its operands' names (``w·x + b``); an expression longer
than :data:`MAX_NAME` becomes ``v<k>`` (``k`` its topological position), and an unlabelled
root ``out``, each defined at the end of a ledger — except an operation on one labelled node
and constants (``layers.2.neurons.1.a - 0.625``), which is named after that node, in full.
Composites are written as people write them: ``x + y·-1`` as ``x - y``, ``x·y^-1`` as ``x/y``.

Example:
    >>> from autodiff import Value, topological_order
    >>> x, y = Value(2.0, label="x"), Value(3.0, label="y")
    >>> q = (x - y) / x
    >>> names = Names(topological_order(q), digits=4)
    >>> names.name(q), names.definitions()
    ('out', ['  where out = (x - y)/x'])
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..graph import primitive_of
from ..primitives import VARIADIC
from ..value import Value

__all__ = ["MAX_NAME", "Names", "atom", "chain_symbol", "factor", "format_number"]

MAX_NAME = 24
"""Expressions longer than this are abbreviated to ``v<k>``; an unlabelled root is ``out``."""

_SIMPLE = re.compile(r"[\w.'\[\]]+")
_CALL = re.compile(r"\w*[(\[]")
_SUPERSCRIPTS = {2.0: "²", 3.0: "³"}


def format_number(x: float, digits: int) -> str:
    """``x`` to ``digits`` significant digits, without a minus sign on zero.

    Example:
        >>> format_number(0.70642, 4), format_number(-0.0, 4), format_number(123456.0, 4)
        ('0.7064', '0', '1.235e+05')
    """
    text = f"{x:.{digits}g}"
    return "0" if text == "-0" else text


def _closes_at_end(text: str, opening: int) -> bool:
    """True when the bracket at ``opening`` closes at the very end of ``text``."""
    depth = 0
    for index in range(opening, len(text)):
        if text[index] in "([":
            depth += 1
        elif text[index] in ")]":
            depth -= 1
        if depth == 0:
            return index == len(text) - 1
    return False


def atom(text: str) -> str:
    """``text`` in parentheses unless it already reads as one unit (a name, a call, ``|x|``).

    Example:
        >>> atom("w"), atom("w·x + b"), atom("tanh(w·x + b)"), atom("-1")
        ('w', '(w·x + b)', 'tanh(w·x + b)', '(-1)')
    """
    if _SIMPLE.fullmatch(text) or (text[0] == text[-1] == "|" and text.count("|") == 2):
        return text
    call = _CALL.match(text)
    if call and _closes_at_end(text, call.end() - 1):
        return text
    return f"({text})"


def factor(text: str) -> str:
    """``text`` as a factor of a product: parenthesised when it contains a top-level sum.

    Example:
        >>> factor("a·(1 - a)"), factor("1 - a²"), factor("-0.25")
        ('a·(1 - a)', '(1 - a²)', '(-0.25)')
    """
    depth = 0
    for char in text:
        depth += char in "(["
        depth -= char in ")]"
        if depth == 0 and char == " ":
            return f"({text})"
    return f"({text})" if text.startswith("-") else text


class Names:
    """The written name of every node of a graph, and the local-partial formulas between them.

    Args:
        order: a topological order (as :func:`~autodiff.topological_order` gives).
        digits: significant digits for constants.
    """

    def __init__(self, order: Sequence[Value], digits: int) -> None:
        self.digits = digits
        self._names: dict[Value, str] = {}
        # For each abbreviated node: its topological position, its expression, the operands
        # the expression names.
        self._definitions: dict[Value, tuple[int, str, list[Value]]] = {}
        # For an expression written inline, the abbreviations its text names (through its
        # own inline operands too): a definition that names it must define those as well.
        self._mentions: dict[Value, list[Value]] = {}
        self._atoms: dict[Value, str] = {}  # each name as an atom, made once
        self._used: set[Value] = set()
        for index, node in enumerate(order):
            self._names[node] = self._name_of(node, index)
        # An unlabelled root is what the whole ledger is about: a short name reads best.
        if order and not order[-1].label and order[-1].children:
            root = order[-1]
            text, operands = self._expression(root)
            self._definitions[root] = (len(order) - 1, text, self._abbreviations(operands))
            self._names[root] = "out"

    def name(self, node: Value) -> str:
        """The node's name (its label, its number, an expression, ``v<k>`` or ``out``)."""
        self._used.add(node)
        if node not in self._names:  # a node from another graph
            return node.label or format_number(node.data, self.digits)
        return self._names[node]

    def atom(self, node: Value) -> str:
        """The node's name, parenthesised when it is compound."""
        if node not in self._names:  # a node from another graph
            return atom(self.name(node))
        self._used.add(node)
        return self._atom(node)

    def formula(self, parent: Value, position: int) -> str:
        """∂parent/∂(operand ``position``) as its primitive's formula, in these names."""
        prim = primitive_of(parent)
        operands = parent.children
        if prim is not None and prim.arity == VARIADIC and len(prim.local_formulas) == 1:
            half = len(operands) // 2
            fields = {"out": parent, "x": operands[position]}
            if len(operands) % 2 == 0:
                fields["paired"] = operands[(position + half) % len(operands)]
            return self._fill(prim.local_formulas[0], fields)
        if prim is None or position >= len(prim.local_formulas):
            return chain_symbol(self, parent, operands[position])
        fields = {"out": parent, "x": operands[0]}
        if len(operands) > 1:
            fields["y"] = operands[1]
        return self._fill(prim.local_formulas[position], fields)

    def _fill(self, template: str, fields: dict[str, Value]) -> str:
        """``template`` with each ``{field}`` the atom of its node; only the nodes the text
        names count as used (``1`` names none, so defines nothing)."""
        named = {key: node for key, node in fields.items() if f"{{{key}}}" in template}
        for key, node in named.items():  # inside a call's own brackets: no second pair
            template = template.replace(
                f"({{{key}}})", "(" + self.name(node).replace("{", "{{").replace("}", "}}") + ")"
            )
        return template.format(**{key: self.atom(node) for key, node in named.items()})

    def definitions(self) -> list[str]:
        """``where v<k> = ...`` for every abbreviation used so far (and those they use)."""
        pending = [key for key in self._used if key in self._definitions]
        for key in self._used:  # a name written inline names the abbreviations in it
            pending += self._mentions.get(key, ())
        defined: set[Value] = set()
        while pending:
            key = pending.pop()
            if key in defined:
                continue
            defined.add(key)
            pending += self._definitions[key][2]
        keys = sorted(defined, key=lambda key: self._definitions[key][0])
        return [f"  where {self._names[key]} = {self._definitions[key][1]}" for key in keys]

    def _atom(self, node: Value) -> str:
        """:func:`atom` of the name of ``node``, a node of this graph."""
        if node not in self._atoms:
            self._atoms[node] = atom(self._names[node])
        return self._atoms[node]

    def _name_of(self, node: Value, index: int) -> str:
        if node.label:
            return node.label
        if not node.children:
            return format_number(node.data, self.digits)
        text, operands = self._expression(node)
        mentioned = self._abbreviations(operands)
        if len(text) <= MAX_NAME or self._about_one_label(operands):
            if mentioned:
                self._mentions[node] = mentioned
            return text
        self._definitions[node] = (index, text, mentioned)
        return f"v{index}"

    def _abbreviations(self, operands: list[Value]) -> list[Value]:
        """The abbreviated nodes that an expression of ``operands`` names, directly or
        inside the operands written inline."""
        found: list[Value] = []
        for operand in operands:
            if operand in self._definitions:
                found.append(operand)
            elif operand in self._mentions:
                found += self._mentions[operand]
        return found

    @staticmethod
    def _about_one_label(operands: list[Value]) -> bool:
        """The expression names one labelled node, and otherwise only constants (``a - 0.625``
        for a labelled ``a``): written out whatever its length, as nothing shorter says more."""
        labelled = [operand for operand in operands if operand.label]
        if len(labelled) != 1:
            return False
        return all(_is_constant(operand) for operand in operands if operand is not labelled[0])

    def _expression(self, node: Value) -> tuple[str, list[Value]]:
        """The node written in its operands' names, and the operands those names refer to."""
        name = self._names
        op, operands = node.op, node.children
        x = operands[0]
        if op == "+":
            y = operands[1]
            if _is_negation(y):
                return f"{name[x]} - {self._atom(y.children[0])}", [x, y.children[0]]
            if _is_constant(y) and y.data < 0:
                return f"{name[x]} - {format_number(-y.data, self.digits)}", [x]
            return f"{name[x]} + {name[y]}", [x, y]
        if op == "*":
            y = operands[1]
            if _is_constant(y) and y.data == -1.0:
                return f"-{self._atom(x)}", [x]
            if not y.label and y.exponent == -1.0:
                return f"{self._atom(x)}/{self._atom(y.children[0])}", [x, y.children[0]]
            return f"{self._atom(x)}·{self._atom(y)}", [x, y]
        if op == "**" and node.exponent is not None:
            exponent = node.exponent
            power = _SUPERSCRIPTS.get(exponent, f"^{format_number(exponent, self.digits)}")
            return f"{self._atom(x)}{power}", [x]
        if op == "**":
            return f"{self._atom(x)}^{self._atom(operands[1])}", [x, operands[1]]
        if op == "abs":
            return f"|{name[x]}|", [x]
        if op == "sum":
            return " + ".join(name[operand] for operand in operands), list(operands)
        if op == "dot" and len(operands) % 2 == 0:
            half = len(operands) // 2
            products = zip(operands[:half], operands[half:])
            terms = [f"{self._atom(w)}·{self._atom(v)}" for w, v in products]
            return " + ".join(terms), list(operands)
        return f"{op}({', '.join(name[operand] for operand in operands)})", list(operands)


def _is_constant(node: Value) -> bool:
    return not node.children and not node.label


def _is_negation(node: Value) -> bool:
    """``node`` is an unlabelled ``v * -1``, which is how ``Value`` writes ``-v``."""
    return (
        not node.label
        and node.op == "*"
        and _is_constant(node.children[1])
        and node.children[1].data == -1.0
    )


def chain_symbol(names: Names, parent: Value, child: Value) -> str:
    """``∂parent/∂child`` in the names of ``names``.

    Example:
        >>> from autodiff import Value, topological_order
        >>> w, x = Value(1.0, label="w"), Value(2.0, label="x")
        >>> a = (w * x).tanh()
        >>> chain_symbol(Names(topological_order(a), 4), a.children[0], w)
        '∂(w·x)/∂w'
    """
    return f"∂{names.atom(parent)}/∂{names.atom(child)}"
