"""Primitives defined outside the engine: :func:`primitive` adds a row to the engine's table.

A user-defined primitive is a :class:`~autodiff.primitives.Primitive` like ``tanh``: one row
of :data:`~autodiff.PRIMITIVES` with its forward, its local rule and a tape kernel, so the
backward walk, ``grad``/``jacobian``/``hessian``, ``no_grad``, forward mode, the compiled
tape, drawings and ledgers treat it as they treat the engine's own. What is added here is
only the checking a rule from outside needs: its forward must return a finite float, its
``partials`` one finite number per operand, and every error names the primitive.

Set the environment variable ``AUTODIFF_CHECK_PRIMITIVES=1`` (or pass ``check=True``) to
have every registration run :func:`~autodiff.gradcheck` (first and second order) at a few
points of the primitive's domain, and refuse a rule that disagrees with central differences.

Example:
    >>> import math
    >>> from autodiff import Value, grad, primitive
    >>> from autodiff import functions as F
    >>> softplus = primitive(
    ...     "softplus",
    ...     forward=lambda x: math.log1p(math.exp(-abs(x))) + max(x, 0.0),
    ...     partials=lambda x, out: (F.sigmoid(x),),
    ...     formula="log(1 + e^{x})",
    ... )
    >>> x = Value(0.5, label="x")
    >>> y = softplus(x)
    >>> y.op, grad(y, [x]) == [F.sigmoid(0.5)]
    ('softplus', True)
"""

from __future__ import annotations

import inspect
import math
import os
from collections.abc import Callable, Sequence
from itertools import count, product
from numbers import Real
from typing import Any

from .functions import forward_of, operand
from .gradcheck import GradcheckError, gradcheck
from .primitives import (
    BUILTIN,
    PRIMITIVES,
    Kernel,
    Primitive,
    RuleError,
    _shown,
    overflow_error,
)
from .value import Value, _lift, apply

__all__ = ["CHECK_VARIABLE", "UserPrimitive", "primitive", "registered", "unregister"]

CHECK_VARIABLE = "AUTODIFF_CHECK_PRIMITIVES"
"""The environment variable that, set to ``1``, makes every :func:`primitive` gradcheck
itself when it is registered (the debug mode)."""

_INF = math.inf
_serial = count()
_REGISTERED: dict[str, UserPrimitive] = {}
_CHECK_COORDINATES = (-1.7, -0.6, 0.3, 1.1, 2.4)


class UserPrimitive:
    """A registered primitive, called like a function: any Value operand gives a Value
    whose ``op`` is the primitive's name; plain numbers alone give the float its forward
    computes (as :mod:`autodiff.functions` do, so that one primitive may be used in
    another's ``partials``).

    Attributes:
        row: the :class:`~autodiff.primitives.Primitive` in :data:`~autodiff.PRIMITIVES`.
        domain: ``(*floats) -> bool``, where the primitive is defined and smooth (None:
            everywhere); :func:`autodiff.testing.check_primitive` draws points from it.

    Example:
        >>> import math
        >>> from autodiff import Value, primitive, unregister
        >>> cube = primitive("cube", forward=lambda x: x**3, partials=lambda x, out: (3 * x * x,))
        >>> y = cube(Value(2.0))
        >>> y.backward()
        >>> y.op, y.data, y.children[0].grad, cube(2.0)
        ('cube', 8.0, 12.0, 8.0)
        >>> unregister("cube")
    """

    __slots__ = ("domain", "row")

    def __init__(self, row: Primitive, domain: Callable[..., bool] | None) -> None:
        self.row = row
        self.domain = domain

    @property
    def name(self) -> str:
        """The primitive's name, which its nodes show as ``op``.

        Example:
            >>> from autodiff import primitive, unregister
            >>> primitive("twice", forward=lambda x: 2 * x, partials=lambda x, out: (2.0,)).name
            'twice'
            >>> unregister("twice")
        """
        return self.row.name

    @property
    def arity(self) -> int:
        """How many operands it takes.

        Example:
            >>> from autodiff import primitive, unregister
            >>> hypot = primitive(
            ...     "hypot2",
            ...     forward=lambda x, y: (x * x + y * y) ** 0.5,
            ...     partials=lambda x, y, out: (x / out, y / out),
            ... )
            >>> hypot.arity, hypot(3.0, 4.0)
            (2, 5.0)
            >>> unregister("hypot2")
        """
        return self.row.arity

    def __repr__(self) -> str:
        return f"primitive({self.name!r}, arity={self.arity})"

    def __call__(self, *operands: Any) -> Any:
        if len(operands) != self.arity:
            raise TypeError(f"{self.name} takes {self.arity} operand(s), got {len(operands)}")
        if any(isinstance(x, Value) for x in operands):
            return apply(self.row, [_lift(x, self.name) for x in operands])
        return forward_of(self.row, tuple(operand(x, self.name) for x in operands))


def primitive(
    name: str,
    forward: Callable[..., float],
    partials: Callable[..., Sequence[Any]],
    *,
    formula: str | None = None,
    arity: int | None = None,
    domain: Callable[..., bool] | None = None,
    batch_forward: Callable[..., Any] | None = None,
    partial_formulas: Sequence[str] | None = None,
    check: bool | None = None,
) -> UserPrimitive:
    """Define a new primitive operation and register it in :data:`~autodiff.PRIMITIVES`.

    Args:
        name: what its nodes show as ``op``: an identifier, not a built-in primitive's name.
            Registering a name again replaces the earlier definition for new nodes.
        forward: floats in, a float out.
        partials: ``(*operands, out) -> tuple`` of ∂out/∂operand, one per operand. Write
            it with arithmetic and :mod:`autodiff.functions` (``F.sigmoid(x)``...): it runs
            on floats in a backward pass and on Values under ``create_graph=True``.
        formula: the forward for people, ``{x}`` (and ``{y}``) naming the operands;
            drawings show it.
        arity: 1 or 2; by default, the number of parameters of ``forward``.
        domain: ``(*floats) -> bool``, True where the primitive is defined and smooth.
        batch_forward: numpy arrays in, an array out, for the compiled tape's batch replay
            (by default ``forward`` is applied element by element).
        partial_formulas: the partials for people, one per operand (``"sigmoid({x})"``);
            chain-rule ledgers show them.
        check: gradcheck the rule at registration (None: when the environment variable
            ``AUTODIFF_CHECK_PRIMITIVES`` is ``1``).

    Returns:
        The primitive, to be called on Values and numbers.

    Raises:
        ValueError: ``name`` is a built-in primitive's or not an identifier; ``arity`` is
            not 1 or 2.
        TypeError: ``forward``/``partials`` is not callable or cannot take the operands.
        GradcheckError: with ``check``, the partials disagree with central differences.

    Example:
        >>> from autodiff import Value, primitive
        >>> square = primitive("square", lambda x: x * x, lambda x, out: (2.0 * x,))
        >>> y = square(Value(3.0))
        >>> y.backward()
        >>> y.data, y.children[0].grad, square(3)
        (9.0, 6.0, 9.0)
    """
    _check_name(name)
    arity = _arity(name, forward, partials, arity)
    formulas = _partial_formulas(name, arity, partial_formulas)
    for what, given in (("domain", domain), ("batch_forward", batch_forward)):
        if given is not None and not callable(given):
            raise TypeError(f"primitive {name!r}: {what} must be callable, got {given!r}")
    checked_forward = _checked_forward(name, forward)
    local_grads = _checked_partials(name, partials, arity)
    row = Primitive(
        name=name,
        arity=arity,
        forward=checked_forward,
        local_grads=local_grads,
        kernel=_kernel(name, arity, checked_forward, local_grads, batch_forward),
        local_formulas=formulas,
        formula=formula or "",
    )
    user = UserPrimitive(row, domain)
    previous = _REGISTERED.get(name)
    PRIMITIVES[name], _REGISTERED[name] = row, user
    if check if check is not None else os.environ.get(CHECK_VARIABLE) == "1":
        try:
            _gradcheck_at_registration(user)
        except BaseException:
            if previous is None:
                del PRIMITIVES[name], _REGISTERED[name]
            else:
                PRIMITIVES[name], _REGISTERED[name] = previous.row, previous
            raise
    return user


def registered(name: str) -> UserPrimitive | None:
    """The user-defined primitive registered as ``name``, or None (also for a built-in).

    Example:
        >>> registered("tanh") is None
        True
    """
    return _REGISTERED.get(name)


def unregister(name: str) -> None:
    """Remove the user-defined primitive ``name`` from :data:`~autodiff.PRIMITIVES` (nodes
    made with it keep working). Built-in primitives cannot be removed.

    Example:
        >>> from autodiff import PRIMITIVES, primitive
        >>> _ = primitive("twice", lambda x: 2.0 * x, lambda x, out: (2.0,))
        >>> unregister("twice")
        >>> "twice" in PRIMITIVES
        False
    """
    if name in BUILTIN:
        raise ValueError(f"unregister: {name!r} is a built-in primitive")
    if name not in _REGISTERED:
        raise KeyError(f"unregister: no primitive named {name!r}")
    del PRIMITIVES[name], _REGISTERED[name]


def _check_name(name: object) -> None:
    if not isinstance(name, str):
        raise TypeError(f"primitive: name must be a str, got {type(name).__name__}: {name!r}")
    if name in BUILTIN:
        raise ValueError(
            f"primitive: {name!r} is a built-in primitive and cannot be redefined;"
            " choose another name"
        )
    if not name.isidentifier():
        raise ValueError(f"primitive: name must be an identifier, got {name!r}")


def _arity(
    name: str, forward: Callable[..., Any], partials: Callable[..., Any], arity: int | None
) -> int:
    for what, rule in (("forward", forward), ("partials", partials)):
        if not callable(rule):
            raise TypeError(f"primitive {name!r}: {what} must be callable, got {rule!r}")
    if arity is None:
        arity = _positional_parameters(name, forward)
    if isinstance(arity, bool) or arity not in (1, 2):
        raise ValueError(f"primitive {name!r}: arity must be 1 or 2, got {arity!r}")
    try:
        inspect.signature(partials).bind(*range(arity + 1))
    except TypeError:
        raise TypeError(
            f"primitive {name!r}: partials must take the {arity} operand(s) and the output,"
            f" {arity + 1} arguments"
        ) from None
    except ValueError:  # no signature to read (a builtin): it will tell when called
        pass
    return arity


def _positional_parameters(name: str, forward: Callable[..., Any]) -> int:
    try:
        parameters = inspect.signature(forward).parameters.values()
    except ValueError:
        raise TypeError(
            f"primitive {name!r}: cannot read forward's parameters; pass arity="
        ) from None
    kinds = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    if any(p.kind is inspect.Parameter.VAR_POSITIONAL for p in parameters):
        raise TypeError(f"primitive {name!r}: forward takes *args; pass arity=")
    return sum(1 for p in parameters if p.kind in kinds and p.default is p.empty)


def _partial_formulas(name: str, arity: int, given: Sequence[str] | None) -> tuple[str, ...]:
    fields = ("{x}", "{y}")[:arity]
    if given is None:
        return tuple(f"∂{{out}}/∂{field}" for field in fields)
    formulas = tuple(given)
    if len(formulas) != arity or not all(isinstance(f, str) for f in formulas):
        raise ValueError(
            f"primitive {name!r}: partial_formulas must be {arity} str, one per operand,"
            f" got {given!r}"
        )
    return formulas


# --- the checks a rule from outside needs -----------------------------------------------------
def _checked_forward(name: str, forward: Callable[..., Any]) -> Callable[..., float]:
    def checked(*xs: float) -> float:
        try:
            out = forward(*xs)
        except OverflowError:
            raise overflow_error(name, xs) from None
        except (ArithmeticError, ValueError) as error:
            if str(error).startswith(f"{name}:"):
                raise
            raise ValueError(f"{name}: forward failed at input ({_shown(xs)}): {error}") from None
        if type(out) is not float:
            if isinstance(out, bool) or not isinstance(out, Real):
                raise TypeError(
                    f"{name}: forward must return a float, got {type(out).__name__}:"
                    f" {out!r} at input ({_shown(xs)})"
                )
            out = float(out)
        if out != out:
            raise ValueError(f"{name}: forward returned nan at input ({_shown(xs)})")
        if not -_INF < out < _INF:
            raise overflow_error(name, xs)
        return out

    return checked


def _checked_partials(
    name: str, partials: Callable[..., Any], arity: int
) -> Callable[..., tuple[Any, ...]]:
    def local_grads(*operands_and_out: Any) -> tuple[Any, ...]:
        result = partials(*operands_and_out)
        if type(result) is not tuple:
            if not isinstance(result, (tuple, list)):
                raise TypeError(
                    f"{name}: partials must return a tuple of {arity} partial(s), one per"
                    f" operand, got {type(result).__name__}: {result!r}"
                )
            result = tuple(result)
        if len(result) != arity:
            raise TypeError(
                f"{name}: partials must return {arity} partial(s), one per operand,"
                f" got {len(result)}: {result!r}"
            )
        on_values = isinstance(operands_and_out[-1], Value)
        checked = []
        for position, partial in enumerate(result):
            if type(partial) is not float:
                partial = _partial_number(name, partial, position, on_values)
            if type(partial) is float and not -_INF < partial < _INF:
                operands = operands_and_out[:-1]
                raise RuleError(
                    f"{name}: the derivative is not finite at input ({_shown(operands)}):"
                    f" partials returned {partial!r} for operand {position}"
                )
            checked.append(partial)
        return tuple(checked)

    return local_grads


def _partial_number(name: str, partial: Any, position: int, on_values: bool) -> Any:
    """A partial that is not a float: a Value (only under create_graph), or a real number."""
    if isinstance(partial, Value):
        if on_values:
            return partial
        raise TypeError(
            f"{name}: partials returned a Value for operand {position} on float operands;"
            " write it with arithmetic and autodiff.functions, which return floats for floats"
        )
    if isinstance(partial, bool) or not isinstance(partial, Real):
        raise TypeError(
            f"{name}: partials must return numbers, got {type(partial).__name__}:"
            f" {partial!r} for operand {position}"
        )
    return float(partial)


# --- the compiled tape's kernel ---------------------------------------------------------------
def _kernel(
    name: str,
    arity: int,
    forward: Callable[..., float],
    local_grads: Callable[..., tuple[Any, ...]],
    batch_forward: Callable[..., Any] | None,
) -> Kernel:
    """A kernel whose code calls the primitive's own forward and rule, under names made
    here (never from the user's name: generated code holds no user text)."""
    call = f"user{next(_serial)}"
    operands = ", ".join(f"{{{i}}}" for i in range(arity))
    return Kernel(
        scalar=f"{call}({operands})",
        array=f"{call}_array({operands})",
        saturates=True,  # the user's forward may turn an infinite operand into a number
        functions=(
            (call, forward),
            (f"{call}_grads", local_grads),
            (f"{call}_array", _array_forward(name, forward, batch_forward)),
            (f"{call}_array_grads", _array_partials(local_grads, arity)),
        ),
        partials=(f"{call}_grads({operands}, {{out}})", f"{call}_array_grads({operands}, {{out}})"),
    )


def _array_forward(
    name: str, forward: Callable[..., float], batch_forward: Callable[..., Any] | None
) -> Callable[..., Any]:
    """The forward on numpy arrays: ``batch_forward``, checked, or ``forward`` element by
    element (the very floats of a one-example replay)."""

    def elementwise(*xs: Any) -> float:
        return forward(*[float(x) for x in xs])

    def array_forward(*columns: Any) -> Any:
        import numpy as np

        if batch_forward is None:
            return np.vectorize(elementwise, otypes=[float])(*columns)
        out = np.asarray(batch_forward(*columns), dtype=float)
        shape = np.broadcast(*columns).shape
        if out.shape != shape:
            raise TypeError(
                f"{name}: batch_forward must return an array of shape {shape}, got {out.shape}"
            )
        if not np.isfinite(out).all():  # the one-example forward names the example
            raise ValueError(f"{name}: batch_forward returned a number that is not finite")
        return out

    return array_forward


def _array_partials(
    local_grads: Callable[..., tuple[Any, ...]], arity: int
) -> Callable[..., tuple[Any, ...]]:

    def elementwise(*xs: Any) -> Any:
        partials = local_grads(*[float(x) for x in xs])
        return partials[0] if arity == 1 else partials

    def array_partials(*columns: Any) -> tuple[Any, ...]:
        import numpy as np

        result = np.vectorize(elementwise, otypes=[float] * arity)(*columns)
        return (result,) if arity == 1 else tuple(result)

    return array_partials


# --- the debug mode ---------------------------------------------------------------------------
def _gradcheck_at_registration(user: UserPrimitive) -> None:
    """gradcheck (first and second order) at the check points inside the domain."""
    points = [p for p in product(_CHECK_COORDINATES, repeat=user.arity) if _inside(user, p)]
    if not points:
        raise ValueError(
            f"primitive {user.name!r}: none of the check points {_CHECK_COORDINATES} lies in"
            " its domain; check it with autodiff.testing.check_primitive instead"
        )
    for point in points:
        try:
            gradcheck(user, point, order=2)
        except GradcheckError as error:
            raise GradcheckError(
                f"primitive {user.name!r} at {point}: the partials disagree with central"
                f" differences\n{error}"
            ) from None


def _inside(user: UserPrimitive, point: tuple[float, ...]) -> bool:
    return user.domain is None or bool(user.domain(*point))
