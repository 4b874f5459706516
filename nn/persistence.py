"""Saving and loading a model's parameters as JSON, atomically.

The file holds a format marker, a version and the model's :meth:`~nn.Module.state_dict`::

    {"format": "autodiff-nn-state", "version": 1, "model": "MLP(1, [6, 7, 2], ...)",
     "parameters": {"layers.0.neurons.0.w.0": 0.25, ...}}

``save`` writes a temporary file next to the target and renames it over the target with
:func:`os.replace`, so a crash mid-write leaves the old file whole. ``load`` refuses a file
without the marker (any other JSON) and checks every name and number before changing the
model, so a bad file leaves the model as it was.

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

import contextlib
import json
import os
import stat
import tempfile
from pathlib import Path
from typing import Any

from .module import Module

__all__ = ["FORMAT", "VERSION", "load", "save"]

FORMAT = "autodiff-nn-state"
"""The marker every file written by :func:`save` carries under the key ``"format"``."""
VERSION = 1
"""The version of the file layout that :func:`save` writes and :func:`load` reads."""

PathLike = str | os.PathLike[str]


def save(model: Module, path: PathLike) -> None:
    """Write ``model``'s parameters to ``path`` as JSON, atomically (temporary file + rename).

    Raises:
        OSError: the directory is missing or not writable (the old file, if any, is kept).

    Example:
        >>> import json, pathlib, tempfile
        >>> from nn import Neuron
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "neuron.json"
        >>> save(Neuron(1, rng=0), path)
        >>> sorted(json.loads(path.read_text())["parameters"])
        ['b', 'w.0']
    """
    target = Path(path)
    document = {
        "format": FORMAT,
        "version": VERSION,
        "model": repr(model),
        "parameters": model.state_dict(),
    }
    # The temporary file sits in the target's directory: os.replace is atomic only within
    # one file system.
    handle, temporary = tempfile.mkstemp(
        prefix=f".{target.name}.", suffix=".tmp", dir=target.parent
    )
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            json.dump(document, file, indent=1, allow_nan=False)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, _mode_for(target))
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _mode_for(target: Path) -> int:
    """The permissions the saved file should get: the old file's, else rw-r--r--."""
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except OSError:
        return 0o644


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

    Nothing in ``model`` changes unless the whole file is valid for it.

    Raises:
        FileNotFoundError: no such file.
        ValueError: the file is not JSON, lacks the format marker, has another version, or
            its parameter names do not match the model's (missing/unexpected names listed).
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
    text = source.read_bytes()
    try:
        document = json.loads(text.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(f"{source} is not a saved model: it is not valid JSON ({error})") from None
    model.load_state_dict(_parameters(document, source))
