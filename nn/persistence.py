"""Saving and loading a model's parameters as JSON, atomically.

The file holds a format marker, a version and the model's :meth:`~nn.Module.state_dict`::

    {"format": "autodiff-nn-state", "version": 1, "model": "MLP(1, [6, 7, 2], ...)",
     "parameters": {"layers.0.neurons.0.w.0": 0.25, ...}}

``save`` writes through :func:`autodiff.files.write_atomically` (a temporary file renamed
over the target), so a crash mid-write leaves the old file whole. ``load`` refuses a file
without the marker (any other JSON), a file saved from another model, and anything but a
regular file, and checks every name and number before changing the model, so a bad file
leaves the model as it was.

Example:
    >>> import pathlib, tempfile
    >>> from nn import Neuron
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "neuron.json"
    >>> save(Neuron(2, rng=0), path)
    >>> copy = Neuron(2, rng=1)
    >>> load(copy, path)
    >>> copy.state_dict() == Neuron(2, rng=0).state_dict()
    True
"""

from __future__ import annotations

import errno
import io
import json
import math
import os
import re
import stat
from pathlib import Path
from typing import Any, BinaryIO

from autodiff.files import write_atomically

from .module import Module

__all__ = ["FORMAT", "VERSION", "load", "save"]

FORMAT = "autodiff-nn-state"
"""The marker every file written by :func:`save` carries under the key ``"format"``."""
VERSION = 1
"""The version of the file layout that :func:`save` writes and :func:`load` reads."""

PathLike = str | os.PathLike[str]


def save(model: Module, path: PathLike) -> None:
    """Write ``model``'s parameters to ``path`` as JSON, atomically.

    The file is written by :func:`autodiff.files.write_atomically`: a temporary file next to
    ``path``, renamed over it, so a crash mid-write leaves the old file whole; a symbolic
    link is written through to its target, and a FIFO is written directly.

    Raises:
        ValueError: a parameter is nan or infinite (named; nothing is written).
        OSError: the directory is missing or not writable (the old file, if any, is kept).

    Example:
        >>> import json, pathlib, tempfile
        >>> from nn import Neuron
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "neuron.json"
        >>> save(Neuron(1, rng=0), path)
        >>> sorted(json.loads(path.read_text())["parameters"])
        ['b', 'w.0']
    """
    parameters = model.state_dict()
    for name, number in parameters.items():
        if not math.isfinite(number):  # JSON has no nan or inf; refused before writing
            raise ValueError(
                f"save {path}: parameter {name!r} is {number!r}; only finite parameters can "
                "be saved (the file is unchanged)"
            )
    document = {
        "format": FORMAT,
        "version": VERSION,
        "model": repr(model),
        "parameters": parameters,
    }

    def dump(file: BinaryIO) -> None:
        text = io.TextIOWrapper(file, encoding="utf-8")
        try:
            json.dump(document, text, indent=1, allow_nan=False)
        finally:
            text.detach()  # flushes, and leaves the file to its owner

    write_atomically(path, dump)


def _parameters(document: Any, path: Path) -> Any:
    """The parameter mapping of a loaded document, after checking its marker and version."""
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ValueError(
            f"{path} is not a saved model: it lacks the marker 'format': {FORMAT!r} "
            "that nn.save writes"
        )
    if document.get("version") != VERSION:
        raise ValueError(
            f"{path}: unsupported {FORMAT} version {document.get('version')!r} "
            f"(this library reads version {VERSION})"
        )
    if not isinstance(document.get("parameters"), dict):
        raise ValueError(f"{path}: the 'parameters' entry is missing or not an object")
    return document["parameters"]


def load(model: Module, path: PathLike) -> None:
    """Set ``model``'s parameters from a file written by :func:`save`.

    Nothing in ``model`` changes unless the whole file is valid for it. The model the file
    was saved from (its ``"model"`` entry, e.g. ``MLP(1, [2], activation='sigmoid')``) must
    be the model loaded into, except for ``init``: a sigmoid network's parameters do not
    load silently into a tanh network of the same shape.

    Raises:
        FileNotFoundError: no such file.
        IsADirectoryError: ``path`` is a directory.
        ValueError: ``path`` is not a regular file (a FIFO or a device, which are not read);
            the file is not JSON, nests absurdly deep, lacks the format marker, has another
            version, was saved from another model, its parameter names do not match the
            model's (missing/unexpected names listed), or a number is out of the float
            range. Every message starts with the file's path.
        TypeError: a parameter value is not a number.

    Example:
        >>> import pathlib, tempfile
        >>> from nn import Neuron
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "other.json"
        >>> _ = path.write_text('{"weights": [1.0, 2.0]}')
        >>> load(Neuron(1, rng=0), path)  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        ValueError: ...other.json is not a saved model: it lacks the marker 'format': ...
    """
    source = Path(path)
    text = _read_regular_file(source)
    try:
        document = json.loads(text.decode("utf-8"), parse_int=_integer)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(f"{source} is not a saved model: it is not valid JSON ({error})") from None
    except RecursionError:
        raise ValueError(f"{source} is not a saved model: its JSON nests too deeply") from None
    parameters = _parameters(document, source)
    if set(parameters) == {name for name, _ in model.named_parameters()}:
        _check_model(document, model, source)  # (other names: load_state_dict lists them)
    for name, number in parameters.items():
        if isinstance(number, _HugeInteger):
            raise ValueError(
                f"{source}: parameter {name!r} is an integer of {len(number.lstrip('-'))} "
                "digits, beyond the float range"
            )
    try:
        model.load_state_dict(parameters)
    except (TypeError, ValueError) as error:
        raise type(error)(f"{source}: {error}") from None


def _read_regular_file(source: Path) -> bytes:
    """The bytes of ``source``, refusing a FIFO or a device (reading one may never end)."""
    # O_NONBLOCK: opening a FIFO must not wait for a writer before we can refuse it.
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    descriptor = os.open(source, flags)
    try:  # checked before fdopen, which refuses a directory naming only the descriptor
        mode = os.fstat(descriptor).st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(errno.EISDIR, "is a directory", str(source))
        if not stat.S_ISREG(mode):
            raise ValueError(
                f"{source} is not a saved model: it is {_kind(mode)}, not a regular file"
            )
        file = os.fdopen(descriptor, "rb")
    except BaseException:
        os.close(descriptor)
        raise
    with file:
        return file.read()


def _kind(mode: int) -> str:
    kinds = {
        stat.S_ISFIFO: "a FIFO (named pipe)",
        stat.S_ISCHR: "a character device",
        stat.S_ISBLK: "a block device",
        stat.S_ISSOCK: "a socket",
    }
    return next((kind for test, kind in kinds.items() if test(mode)), "not a file")


class _HugeInteger(str):
    """An integer of the file beyond the float range, kept as its digits (never converted:
    Python refuses to convert integers of over 4300 digits, and the file must be named)."""


def _integer(digits: str) -> int | _HugeInteger:
    if math.isinf(float(digits)):
        return _HugeInteger(digits)
    return int(digits)


def _architecture(description: str) -> str:
    """A model's description without its ``init``: how the weights were first drawn does
    not matter once they are loaded."""
    return re.sub(r", init='[^']*'", "", description)


def _check_model(document: dict[str, Any], model: Module, source: Path) -> None:
    stored = document.get("model")
    if stored is None:  # a file written by hand may leave it out
        return
    if not isinstance(stored, str):
        raise ValueError(f"{source}: the 'model' entry must be a string, got {stored!r}")
    if _architecture(stored) != _architecture(repr(model)):
        raise ValueError(
            f"{source} holds the parameters of {stored}, not of {model!r}: "
            "build the same model to load them"
        )
