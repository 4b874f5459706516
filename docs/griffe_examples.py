"""A griffe extension for the API reference site (mkdocs.yml loads it).

The docstrings of this project follow the Google style with two habits of their own, which
read well in the source and which this extension translates for griffe (the docstrings
themselves stay as they are):

- An ``Example:`` section, the singular of Google's own guide. griffe renders the ``>>>``
  lines of the plural ``Examples:`` only as code; the singular would render as prose, with
  doctest output such as ``[3.0, 2.0]`` read as Markdown links.
- Arguments described together (``nin, nout: inputs and outputs``). griffe expects one name
  per entry; each name gets the shared description.
- reStructuredText roles (:class:`~nn.MLP`, :func:`grad`) and literal blocks (``::``), which
  Markdown would show as they are written: a role becomes the name in code, the last part
  only for ``~``, and ``::`` a colon before the indented block.
"""

from __future__ import annotations

import re
from typing import Any

from griffe import Extension, Object

_SINGULAR = re.compile(r"^(?P<indent>[ \t]*)Example:[ \t]*$", re.MULTILINE)
_ARGS_HEADER = re.compile(r"^(?P<indent>[ \t]*)(Args|Arguments|Parameters):[ \t]*$")
_GROUPED = re.compile(r"^(?P<indent>[ \t]+)(?P<names>\w+(?:, \w+)+):(?P<rest>.*)$")
_ROLE = re.compile(r":(?:func|class|meth|mod|data|attr|exc|obj):`(?P<tilde>~?)(?P<target>[^`]+)`")
_LITERAL = re.compile(r"(?<=\S)::$", re.MULTILINE)


def _role(match: re.Match[str]) -> str:
    target = match["target"]
    return f"`{target.rpartition('.')[2] if match['tilde'] else target}`"


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _ungroup(docstring: str) -> str:
    """Each ``a, b: text`` entry of an Args section as ``a: text`` and ``b: text``."""
    lines, out = docstring.splitlines(), []
    section_indent: int | None = None
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        header = _ARGS_HEADER.match(line)
        if header is not None:
            section_indent = len(header["indent"])
        elif line.strip() and section_indent is not None and _indent(line) <= section_indent:
            section_indent = None
        grouped = _GROUPED.match(line) if section_indent is not None else None
        if grouped is None:
            out.append(line)
            continue
        entry_indent = len(grouped["indent"])
        continued = []
        while i < len(lines) and (not lines[i].strip() or _indent(lines[i]) > entry_indent):
            continued.append(lines[i])
            i += 1
        for name in grouped["names"].split(", "):
            out.extend([f"{grouped['indent']}{name}:{grouped['rest']}", *continued])
    return "\n".join(out)


class DocstringHabits(Extension):
    """Read the docstrings' habits as griffe and Markdown expect them (see the module)."""

    def on_instance(self, *, obj: Object, **kwargs: Any) -> None:
        if obj.docstring is not None:
            value = _SINGULAR.sub(r"\g<indent>Examples:", obj.docstring.value)
            value = _LITERAL.sub(":", _ROLE.sub(_role, value))
            obj.docstring.value = _ungroup(value)
