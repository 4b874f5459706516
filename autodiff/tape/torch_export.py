"""A compiled tape as a PyTorch module: the traced function, batched over a tensor dimension.

:meth:`Tape.to_torch <autodiff.tape.Tape.to_torch>` writes the tape's program in the batch
dialect (the code ``batch_value_and_grad`` runs with numpy) and runs it on torch tensors
instead: the same operations in the same order, one tensor element per example, on the CPU
or a GPU. The Values the trace differentiates with respect to (``wrt``) become the module's
``torch.nn.Parameter``s, named by their labels, so that PyTorch's autograd and optimizers
take over; the other constants of the trace are buffers.

The engine refuses what does not fit a float; torch would carry ``inf`` and ``nan`` on.
So every value the program computes is checked (and what each function is given), and the
module raises — naming the operation — where the eager engine would raise, rather than
return a number the engine would not give (``checked=False`` skips those checks, for speed).
Floats are those of the numpy batch: equal to eager to rounding, not to the bit.

Example:
    >>> import torch
    >>> from autodiff import Value, compile_tape
    >>> w = Value(0.5, label="w")
    >>> tape = compile_tape(lambda x: (w * x).tanh(), [1.0], wrt=[w])
    >>> module = tape.to_torch()
    >>> [name for name, _ in module.named_parameters()]
    ['w']
    >>> values = module(torch.tensor([1.0, 2.0], dtype=torch.float64)).tolist()
    >>> eager = [(Value(0.5) * x).tanh().data for x in (1.0, 2.0)]
    >>> max(abs(v - e) for v, e in zip(values, eager)) < 1e-15
    True
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

from ..primitives import BUILTIN
from .codegen import generate

__all__ = ["torch_module"]

_MIN_NORMAL = 2.2250738585072014e-308


def _torch() -> Any:
    try:
        import torch
    except ImportError:
        raise ModuleNotFoundError(
            "Tape.to_torch needs PyTorch, which is not installed (pip install torch)"
        ) from None
    return torch


def _namespace(torch: Any, checked: bool) -> dict[str, Any]:
    """What the batch dialect's code calls, on tensors: numpy's names, torch's functions."""

    def finite(name: str, *tensors: Any) -> None:
        for tensor in tensors:
            if (
                checked
                and isinstance(tensor, torch.Tensor)
                and not bool(torch.isfinite(tensor).all())
            ):
                raise ArithmeticError(
                    f"{name}: not finite for some example (the eager engine raises there: "
                    "replay those examples with the tape for its message)"
                )

    def wrap(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any) -> Any:
            finite(name, *args)
            result = function(*args)
            finite(name, result)
            return result

        return call

    def where(condition: Any, x: Any, y: Any) -> Any:  # relu's form: check what it picks from
        finite("relu", x)
        return torch.where(condition, x, torch.as_tensor(y, dtype=x.dtype, device=x.device))

    def sigmoid(x: Any) -> Any:  # the engine's two-sided form, elementwise
        e = torch.exp(-torch.abs(x))
        return torch.where(x >= 0.0, torch.ones_like(e), e) / (1.0 + e)

    def power(x: Any, y: Any) -> Any:
        if checked and bool((torch.as_tensor(x) <= 0.0).any()):
            raise ValueError("**: a Value exponent needs a positive base")
        return torch.pow(x, y)

    def power_n(x: Any, n: float) -> Any:
        if checked and not n.is_integer() and bool((torch.as_tensor(x) < 0.0).any()):
            raise ValueError(f"**: negative base with the non-integer power {n!r}")
        return torch.pow(x, n)

    def reciprocal_scale(y: Any) -> Any:  # the engine's, elementwise: 1.0 where 1 / y is normal
        y = torch.as_tensor(y)
        reciprocal = torch.abs(1.0 / y)
        normal = ((reciprocal >= _MIN_NORMAL) & (reciprocal < math.inf)) | (y == 0.0)
        scale = torch.ldexp(
            torch.ones_like(y), -torch.div(torch.frexp(y).exponent, 2, rounding_mode="floor")
        )
        return torch.where(normal, torch.ones_like(y), scale)

    np = SimpleNamespace(
        exp=wrap("exp", torch.exp),
        log=wrap("log", torch.log),
        sqrt=wrap("sqrt", torch.sqrt),
        tanh=wrap("tanh", torch.tanh),
        sin=wrap("sin", torch.sin),
        cos=wrap("cos", torch.cos),
        abs=wrap("abs", torch.abs),
        where=where,
        all=lambda x: bool(torch.as_tensor(x).all()),
    )
    return {
        "finite": finite,
        "np": np,
        "inf": math.inf,
        "nan": math.nan,
        "array_sigmoid": wrap("sigmoid", sigmoid),
        "reciprocal_scale": reciprocal_scale,
        "array_power": wrap("**", power),
        "array_power_n": wrap("**", power_n),
    }


def torch_module(tape: Any, dtype: Any = None, device: Any = None, checked: bool = True) -> Any:
    """The ``torch.nn.Module`` that computes ``tape``'s function over a batch (see the module
    docstring); :meth:`Tape.to_torch` is its public name."""
    torch = _torch()
    dtype = torch.float64 if dtype is None else dtype
    if not isinstance(dtype, torch.dtype) or not dtype.is_floating_point:
        raise TypeError(
            "to_torch: dtype must be a floating-point torch dtype such as torch.float32, "
            f"got {type(dtype).__name__}: {dtype!r}"
        )
    own = sorted({ins.prim.name for ins in tape.program.instructions} - BUILTIN)
    if own:  # their batch form calls the user's Python code on numpy arrays, not tensors
        raise ValueError(
            f"to_torch: the tape uses primitives of your own ({', '.join(own)}), which have "
            "no torch form; a tape of the engine's primitives converts"
        )
    source = generate(tape.program, "array", [], stacked=False)
    source = source[: source.index("def value_and_grad(")]  # the values are all it needs
    if checked:
        source = _checked(source)
    code = tape._load(source, _namespace(torch, checked))
    value = code["value"]
    wrt_ids = {id(v) for v in tape.program.wrt}
    leaves = tape._leaves
    n_args = tape.program.n_args

    class TapeModule(torch.nn.Module):  # type: ignore[name-defined]
        """The traced function over a batch: ``module(*columns)`` → one value per example."""

        def __init__(self) -> None:
            super().__init__()
            self._shared: list[tuple[str, str]] = []  # ("parameter" | "buffer", its name)
            used: set[str] = set()
            for k, leaf in enumerate(leaves):
                name = _name(leaf.label, k, used)
                tensor = torch.tensor(leaf.data, dtype=dtype, device=device)
                if id(leaf) in wrt_ids:
                    self.register_parameter(name, torch.nn.Parameter(tensor))
                    self._shared.append(("parameter", name))
                else:
                    self.register_buffer(name, tensor)
                    self._shared.append(("buffer", name))

        def forward(self, *columns: Any) -> Any:
            if len(columns) != n_args:
                raise TypeError(f"the tape takes {n_args} arguments, got {len(columns)}")
            shared = [getattr(self, name) for _, name in self._shared]
            result = value([*columns, *shared])
            if checked and not bool(torch.isfinite(torch.as_tensor(result)).all()):
                raise ArithmeticError(
                    "the traced function is not finite for some example (the eager engine "
                    "raises there: replay those examples with the tape for its message)"
                )
            return result

    return TapeModule()


_ASSIGNMENT = re.compile(r"^(\s+)(v\d+) = (.+)$", re.MULTILINE)


def _checked(source: str) -> str:
    """``source`` with a check after every assignment: the engine raises at the first value
    that is not finite (a division by zero, an overflow), used later or not, and so does
    the module."""
    return _ASSIGNMENT.sub(
        lambda m: f"{m[1]}{m[2]} = {m[3]}\n{m[1]}finite({m[3]!r}, {m[2]})", source
    )


def _name(label: str, k: int, used: set[str]) -> str:
    """A parameter name torch accepts (no dots), unique: the label's, else ``leaf<k>``."""
    name = re.sub(r"\W", "_", label) if label else f"leaf{k}"
    if not name or name[0].isdigit() or name in used:
        name = f"leaf{k}_{name}" if name else f"leaf{k}"
    used.add(name)
    return name
