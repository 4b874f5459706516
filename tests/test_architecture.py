"""The layout's rules, checked on the source: which package may import which, no cycles,
and what ``import autodiff`` and ``import nn`` load.

The import graph is read from the source (every ``import`` statement, including those
under ``if TYPE_CHECKING:`` and inside functions), so a rule broken anywhere fails here.
"""

from __future__ import annotations

import ast
import importlib.util
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import autodiff

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PACKAGES = ("autodiff", "nn")


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {
        _module_name(path): path for package in PACKAGES for path in (ROOT / package).rglob("*.py")
    }


def _imported(module: str, path: Path, known: dict[str, Path]) -> Iterator[str]:
    """The project modules that ``module`` imports (a name imported from a package counts
    as the submodule when there is one)."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                source = ".".join([*base, *([node.module] if node.module else [])])
            else:
                source = node.module or ""
            targets = [_source_of(source, alias.name, known) for alias in node.names]
        else:
            continue
        yield from (target for target in targets if target in known and target != module)


def _source_of(source: str, name: str, known: dict[str, Path]) -> str:
    """The module that ``from source import name`` takes ``name`` from."""
    if f"{source}.{name}" in known:
        return f"{source}.{name}"
    if source == "autodiff" and name in autodiff._LAZY:  # loaded on first use, from there
        return autodiff._LAZY[name]
    return source


def import_graph() -> dict[str, set[str]]:
    """Each project module and the project modules it imports."""
    known = _modules()
    return {module: set(_imported(module, path, known)) for module, path in known.items()}


def _cycle(graph: dict[str, set[str]]) -> list[str]:
    """One import cycle of ``graph`` (the modules along it, the first again at the end), or []."""
    state: dict[str, int] = {}  # 1: on the current path, 2: finished
    for start in sorted(graph):
        if start in state:
            continue
        path = [start]
        stack = [iter(sorted(graph[start]))]
        state[start] = 1
        while stack:
            for target in stack[-1]:
                if state.get(target) == 1:
                    return [*path[path.index(target) :], target]
                if target not in state:
                    state[target] = 1
                    path.append(target)
                    stack.append(iter(sorted(graph[target])))
                    break
            else:
                state[path.pop()] = 2
                stack.pop()
    return []


def test_the_graph_reader_sees_imports_of_every_kind() -> None:
    graph = import_graph()
    assert "autodiff.primitives" in graph["autodiff.graph"]  # from .primitives import ...
    assert "autodiff.graph" in graph["autodiff.show.render"]  # from ..graph import ...
    assert "autodiff.show.render" in graph["autodiff"]  # under TYPE_CHECKING
    assert "nn.app.xor_demo" in graph["nn.app.cli"]  # inside a function
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) == []


def test_there_are_no_import_cycles() -> None:
    assert _cycle(import_graph()) == []


def _violations(graph: dict[str, set[str]], importer: str, imported: str) -> list[str]:
    def inside(module: str, package: str) -> bool:
        return module == package or module.startswith(package + ".")

    return sorted(
        f"{module} imports {target}"
        for module, targets in graph.items()
        if inside(module, importer)
        for target in targets
        if inside(target, imported)
    )


@pytest.mark.parametrize(
    ("importer", "imported"),
    [
        ("autodiff", "nn"),  # the engine knows nothing of the neural-network library
        ("autodiff.show", "autodiff.tape"),  # drawings and the tape are independent rooms
        ("autodiff.tape", "autodiff.show"),
        ("autodiff.testing", "autodiff.show"),
        ("autodiff.testing", "autodiff.tape"),
    ],
)
def test_a_package_does_not_import_the_rooms_above_or_beside_it(
    importer: str, imported: str
) -> None:
    assert _violations(import_graph(), importer, imported) == []


def test_the_library_modules_import_no_app_and_the_engine_core_no_room_of_its_own() -> None:
    graph = import_graph()
    library = [module for module in graph if module.startswith("nn") and "nn.app" not in module]
    core = [  # the modules directly in autodiff/, not its subpackages
        module
        for module, path in _modules().items()
        if path.parent == ROOT / "autodiff" and path.name != "__init__.py"
    ]
    assert "nn.layers" in library and "autodiff.value" in core
    rooms = ("autodiff.show", "autodiff.tape", "autodiff.testing")
    assert _violations(graph, "nn", "nn.app") == _violations(graph, "nn.app", "nn.app")
    assert [
        f"{module} imports {target}"
        for module in core
        for target in graph[module]
        if target.startswith(rooms)
    ] == []


def _loaded_by(statement: str) -> set[str]:
    code = f"import sys; {statement}; print('\\n'.join(sorted(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    return set(done.stdout.split())


def _top_level(modules: set[str]) -> set[str]:
    return {module.partition(".")[0] for module in modules}


def test_import_autodiff_loads_the_engine_only() -> None:
    loaded = _loaded_by("import autodiff")
    assert not _top_level(loaded) & {"graphviz", "numpy", "tqdm", "matplotlib", "hypothesis", "nn"}
    assert not {
        m for m in loaded if m.startswith(("autodiff.show", "autodiff.tape", "autodiff.page"))
    }
    assert "autodiff.value" in loaded


def test_the_rooms_load_when_their_names_are_used() -> None:
    loaded = _loaded_by("import autodiff; autodiff.draw; autodiff.compile_tape")
    assert {"autodiff.show.render", "autodiff.tape.tape", "graphviz"} <= loaded
    assert "nn" not in _top_level(loaded)


def test_the_page_loads_when_explore_is_used() -> None:
    loaded = _loaded_by("from autodiff import explore")
    assert {"autodiff.page.document", "autodiff.show.render", "graphviz"} <= loaded


def test_import_nn_loads_no_app_and_no_tools() -> None:
    loaded = _loaded_by("import nn")
    assert not _top_level(loaded) & {"graphviz", "tqdm", "matplotlib", "hypothesis"}
    assert not {m for m in loaded if m.startswith(("nn.app", "autodiff.show", "autodiff.tape"))}


def _room_of(module: str, rooms: list[str]) -> str:
    return max((room for room in rooms if module == room or module.startswith(room + ".")), key=len)


def _picture() -> Any:
    spec = importlib.util.spec_from_file_location(
        "make_architecture", DOCS / "make_architecture.py"
    )
    assert spec is not None and spec.loader is not None
    picture = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(picture)
    return picture


def test_the_architecture_picture_lists_every_module_and_every_import_between_rooms() -> None:
    picture = _picture()
    rooms = list(picture.ROOMS)
    modules = {
        module: path for module, path in _modules().items() if path.name != "__init__.py"
    } | {"nn.app.__main__": ROOT / "nn/app/__main__.py"}
    listed = {f"{room}.{name}" for room, (_, names) in picture.ROOMS.items() for name in names}
    assert listed == set(modules) - {"nn.app.__main__"}
    arrows = {
        (_room_of(module, rooms), _room_of(target, rooms))
        for module, targets in import_graph().items()
        if module != "autodiff"  # the package's public names, re-exported from its rooms
        for target in targets
    }
    drawn = set(picture.ARROWS)
    assert {arrow for arrow in arrows if arrow[0] != arrow[1]} == drawn
    assert (DOCS / "architecture.svg").is_file()
    assert "architecture.svg" in (DOCS / "architecture.md").read_text(encoding="utf-8")
