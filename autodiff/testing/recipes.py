"""Expression recipes: a DAG as data, evaluable on floats, Values and torch tensors.

A recipe is a list of input values plus a list of :class:`Step` s, each applying one
:class:`Operation` of :data:`OPERATIONS` to earlier nodes of a growing pool (inputs first,
then one node per step; the last node is the output).

Example:
    >>> from autodiff import Value, grad
    >>> recipe = Expression(
    ...     inputs=(2.0,),
    ...     steps=(Step("mul", (0, 0)), Step("log", (1,)), Step("add", (1, 2))),
    ... )
    >>> print(recipe)
    v0 = 2.0  # input
    v1 = v0 * v0
    v2 = log(v1)
    v3 = v1 + v2
    >>> round(recipe(2.0), 6)  # on floats: 4 + log 4
    5.386294
    >>> x = Value(2.0)
    >>> grad(recipe(x), [x])  # d/dx (x² + log x²) = 2x + 2/x
    [5.0]
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from ..extend import registered
from ..fused import dot, sum_of
from ..gradcheck import central_differences
from ..primitives import VARIADIC
from ..value import Value
from .scalars import nonzero_reals, reals

__all__ = [
    "BOUND",
    "KINKED",
    "MARGIN",
    "MIN_DIVISOR",
    "OPERATIONS",
    "Expression",
    "Operation",
    "Step",
    "central_differences",
    "operation",
]

BOUND = 100.0
"""Every node of a generated expression has a value in [-BOUND, BOUND]."""

MARGIN = 0.1
"""Distance kept from domain edges and kinks: log/sqrt/fractional-power operands, bases of
Value exponents, and relu/abs operands are at least this far from 0."""

MIN_DIVISOR = 0.5
"""Divisors (and bases of negative powers) are at least this large in absolute value."""


# --- operations, on any backend ----------------------------------------------------------
def _method(name: str, on_float: Callable[[float], float]) -> Callable[[Any], Any]:
    """An operation that is a method on Values and tensors and a ``math`` function on floats."""

    def apply(x: Any) -> Any:
        if isinstance(x, (int, float)):
            return on_float(x)
        return getattr(x, name)()

    return apply


def _float_sigmoid(x: float) -> float:
    # Written differently from the engine's rule on purpose: an independent reference.
    return 0.5 * (1.0 + math.tanh(0.5 * x))


def _float_relu(x: float) -> float:
    return max(x, 0.0)


def _sum_of(*xs: Any) -> Any:
    """One fused ``sum`` node on Values; a plain sum on floats and tensors."""
    if isinstance(xs[0], Value):
        return sum_of(xs)
    total = xs[0]
    for x in xs[1:]:
        total = total + x
    return total


def _dot(*weights_then_inputs: Any) -> Any:
    """Σ wᵢxᵢ over the operands (w₁, …, wₙ, x₁, …, xₙ): one fused ``dot`` node on Values,
    a plain sum of products on floats and tensors."""
    n = len(weights_then_inputs) // 2
    weights, inputs = weights_then_inputs[:n], weights_then_inputs[n:]
    if isinstance(weights[0], Value):
        return dot(weights, inputs)
    return _sum_of(*[w * x for w, x in zip(weights, inputs)])


@dataclass(frozen=True)
class Operation:
    """One operation a :class:`Step` can apply.

    Attributes:
        name: the key in :data:`OPERATIONS` and in :attr:`Step.op`.
        arity: how many pool nodes it takes, or
            :data:`~autodiff.primitives.VARIADIC` for two or more (``sum_of``, ``dot``).
        apply: ``(*operands[, constant]) -> result``, on floats, Values or tensors alike.
        symbol: a format string for printing a step, e.g. ``"{0} * {1}"`` or ``"log({0})"``;
            ``{all}`` stands for every operand, ``{left}`` and ``{right}`` for the first
            and the second half of them.
        domain: ``(*operand floats[, constant]) -> bool``, True when the operands are safely
            inside the operation's domain (generation only picks such operands).
        constants: where the operation takes a number too (``x + c``, ``c ** x``), the
            strategy for that number; None otherwise.
    """

    name: str
    arity: int
    apply: Callable[..., Any]
    symbol: str
    domain: Callable[..., bool] = lambda *operands: True
    constants: st.SearchStrategy[float] | None = None


def _positive(x: float, *rest: float) -> bool:
    return x >= MARGIN


def _away_from_kink(x: float) -> bool:
    return abs(x) >= MARGIN


def _divisor_ok(x: float, y: float) -> bool:
    return abs(y) >= MIN_DIVISOR


def _reciprocal_ok(x: float, c: float) -> bool:
    return abs(x) >= MIN_DIVISOR


def _pairs(*operands: float) -> bool:
    return len(operands) % 2 == 0  # dot's weights, then as many inputs


def _power_ok(x: float, n: float) -> bool:
    if n < 0 and abs(x) < MIN_DIVISOR:
        return False
    return n.is_integer() or x >= MARGIN


_CONSTANTS = reals(-3.0, 3.0)
_EXPONENTS = st.sampled_from((2.0, 3.0, -1.0, 0.5, 1.5, -2.0, -0.5, 0.0, 1.0))

OPERATIONS: dict[str, Operation] = {
    op.name: op
    for op in (
        Operation("add", 2, lambda x, y: x + y, "{0} + {1}"),
        Operation("sub", 2, lambda x, y: x - y, "{0} - {1}"),
        Operation("mul", 2, lambda x, y: x * y, "{0} * {1}"),
        Operation("div", 2, lambda x, y: x / y, "{0} / {1}", _divisor_ok),
        Operation("pow", 2, lambda x, y: x**y, "{0} ** {1}", _positive),
        Operation("neg", 1, lambda x: -x, "-{0}"),
        Operation("add_const", 1, lambda x, c: x + c, "{0} + {c!r}", constants=_CONSTANTS),
        Operation("radd_const", 1, lambda x, c: c + x, "{c!r} + {0}", constants=_CONSTANTS),
        Operation("sub_const", 1, lambda x, c: x - c, "{0} - {c!r}", constants=_CONSTANTS),
        Operation("rsub_const", 1, lambda x, c: c - x, "{c!r} - {0}", constants=_CONSTANTS),
        Operation("mul_const", 1, lambda x, c: x * c, "{0} * {c!r}", constants=_CONSTANTS),
        Operation("rmul_const", 1, lambda x, c: c * x, "{c!r} * {0}", constants=_CONSTANTS),
        Operation(
            "div_const", 1, lambda x, c: x / c, "{0} / {c!r}", constants=nonzero_reals(0.5, 4.0)
        ),
        Operation("rdiv_const", 1, lambda x, c: c / x, "{c!r} / {0}", _reciprocal_ok, _CONSTANTS),
        Operation("pow_const", 1, lambda x, n: x**n, "{0} ** {c!r}", _power_ok, _EXPONENTS),
        Operation("rpow_const", 1, lambda x, c: c**x, "{c!r} ** {0}", constants=reals(0.25, 4.0)),
        Operation("exp", 1, _method("exp", math.exp), "exp({0})"),
        Operation("log", 1, _method("log", math.log), "log({0})", _positive),
        Operation("sqrt", 1, _method("sqrt", math.sqrt), "sqrt({0})", _positive),
        Operation("sin", 1, _method("sin", math.sin), "sin({0})"),
        Operation("cos", 1, _method("cos", math.cos), "cos({0})"),
        Operation("tanh", 1, _method("tanh", math.tanh), "tanh({0})"),
        Operation("sigmoid", 1, _method("sigmoid", _float_sigmoid), "sigmoid({0})"),
        Operation("relu", 1, _method("relu", _float_relu), "relu({0})", _away_from_kink),
        Operation("abs", 1, abs, "abs({0})", _away_from_kink),
        Operation("sum_of", VARIADIC, _sum_of, "sum_of([{all}])"),
        Operation("dot", VARIADIC, _dot, "dot([{left}], [{right}])", _pairs),
    )
}
"""Every operation an :class:`Expression` may use, by name: the primitives, the
composites (``-``, ``/``, reflected operators, ``number ** Value``) and the fused
reductions ``sum_of(values)`` and ``dot(weights, inputs)`` (weights first, then as many
inputs)."""

KINKED = frozenset({"relu", "abs"})
"""Operations whose derivative jumps at 0."""


def operation(name: str) -> Operation:
    """``OPERATIONS[name]``, or an operation applying the user-defined primitive ``name``
    (:func:`autodiff.primitive`) where its ``domain`` holds.

    Example:
        >>> operation("tanh").symbol, operation("mul").arity
        ('tanh({0})', 2)
    """
    if name in OPERATIONS:
        return OPERATIONS[name]
    user = registered(name)
    if user is None:
        raise KeyError(f"no operation named {name!r} (not in OPERATIONS nor a user primitive)")
    domain = user.domain
    operands = ", ".join(f"{{{i}}}" for i in range(user.arity))
    return Operation(
        name,
        user.arity,
        user,
        f"{name}({operands})",
        (lambda *xs: True) if domain is None else domain,
    )


# --- recipes -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Step:
    """One node of an :class:`Expression`: :func:`operation` ``(op)`` applied to earlier nodes.

    Attributes:
        op: a key of :data:`OPERATIONS`, or a user-defined primitive's name.
        operands: positions in the node pool (inputs first, then one node per step).
        constant: the number of a ``*_const`` operation (``x + c``, ``c ** x``...), else None.
    """

    op: str
    operands: tuple[int, ...]
    constant: float | None = None

    def __str__(self) -> str:
        names = [f"v{i}" for i in self.operands]
        half = len(names) // 2
        return operation(self.op).symbol.format(
            *names,
            c=self.constant,
            all=", ".join(names),
            left=", ".join(names[:half]),
            right=", ".join(names[half:]),
        )


@dataclass(frozen=True)
class Expression:
    """A differentiable computation as a recipe any backend can evaluate.

    Node ``i`` of the pool is input ``i`` for ``i < len(inputs)``, then the result of
    ``steps[i - len(inputs)]``. Calling the expression evaluates it and returns the last
    node: on floats, Values, torch tensors, or anything else with the same operators and
    methods (``exp log sqrt sin cos tanh sigmoid relu``).

    Example:
        >>> from autodiff import Value
        >>> square = Expression(inputs=(3.0,), steps=(Step("mul", (0, 0)),))
        >>> square(3.0), square(Value(3.0)).children
        (9.0, (Value(3.0, grad=0.0), Value(3.0, grad=0.0)))
    """

    inputs: tuple[float, ...]
    steps: tuple[Step, ...] = ()

    def __call__(self, *leaves: Any) -> Any:
        return self.nodes(*leaves)[-1]

    def leaves(self) -> list[Value]:
        """Fresh leaf Values at the recipe's inputs, labelled as it prints them.

        Labels make drawings and chain-rule ledgers of the graph name its inputs.

        Example:
            >>> recipe = Expression(inputs=(3.0, 0.5), steps=(Step("dot", (0, 1, 1, 0)),))
            >>> print(recipe)
            v0 = 3.0  # input
            v1 = 0.5  # input
            v2 = dot([v0, v1], [v1, v0])
            >>> leaves = recipe.leaves()
            >>> [leaf.label for leaf in leaves], recipe(*leaves).data
            (['v0', 'v1'], 3.0)
        """
        return [Value(x, label=f"v{i}") for i, x in enumerate(self.inputs)]

    def nodes(self, *leaves: Any) -> list[Any]:
        """Every node of the pool, evaluated from ``leaves`` (one per input)."""
        if len(leaves) != len(self.inputs):
            raise TypeError(f"Expression takes {len(self.inputs)} leaves, got {len(leaves)}")
        pool = list(leaves)
        for step in self.steps:
            constant = () if step.constant is None else (step.constant,)
            operands = [pool[i] for i in step.operands]
            pool.append(operation(step.op).apply(*operands, *constant))
        return pool

    def depth(self) -> int:
        """The number of steps on the longest path from an input to the output."""
        depths = [0] * len(self.inputs)
        for step in self.steps:
            depths.append(1 + max(depths[i] for i in step.operands))
        return depths[-1]

    def is_smooth_near(self, point: Sequence[float], eps: float) -> bool:
        """Whether central differences with step ``eps`` at ``point`` see one smooth piece.

        True when the expression evaluates (on floats) at ``point`` and at every
        ``point ± eps·eᵢ``, and no ``relu``/``abs`` operand changes sign between them.
        """
        center = self._branches(point)
        if center is None:
            return False
        for i in range(len(point)):
            for step in (eps, -eps):
                moved = [x + step if j == i else x for j, x in enumerate(point)]
                if self._branches(moved) != center:
                    return False
        return True

    def _branches(self, point: Sequence[float]) -> tuple[bool, ...] | None:
        try:
            pool = self.nodes(*[float(x) for x in point])
        except (ArithmeticError, ValueError):
            return None
        if not all(isinstance(v, float) and math.isfinite(v) for v in pool):
            return None
        return tuple(pool[s.operands[0]] > 0 for s in self.steps if s.op in KINKED)

    def __str__(self) -> str:
        lines = [f"v{i} = {x!r}  # input" for i, x in enumerate(self.inputs)]
        first = len(self.inputs)
        lines += [f"v{first + k} = {step}" for k, step in enumerate(self.steps)]
        return "\n".join(lines)
