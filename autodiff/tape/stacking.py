"""Stacking a batch's code: operations of one kind done as one numpy operation on rows.

In the array dialect every scalar operation of the program is one numpy call on an array of
the batch, and on small batches the call, not the arithmetic, is the cost. Many of those
calls do the same thing to different nodes: a layer's products ``wᵢⱼ·xⱼ``, its sigmoids, the
``g + gᵢ·wᵢⱼ`` that add up a gradient. This module rewrites the generated straight-line code
so that such operations run together, each node one row of a 2-D array: one numpy call
instead of one per node.

The floats do not change. An elementwise operation on a row gives each element what it gives
on a 1-D array (each element of every operation here is computed on its own, by the same
numpy kernel), and each node is still computed by the same expression from the same operands:
a gradient is still the same sum, added in the same order. What changes is only which
operations run together and in what order independent ones run. Operations are grouped by
*level* (one more than the deepest operand's), so the members of a group never depend on one
another, and by their expression's shape with the variables left out (a *template*). A
group's operands become rows: a slice or a picked set of rows of an earlier group, a column
of the weights (scalars), or one array broadcast to every row.

Only expressions built from arithmetic and the engine's own array functions are stacked; a
user-defined primitive's code, or anything else, stays one call per node. Nothing moves
across a guard (``if test: guard_failed(k)``): what was written before it runs before it,
what was written after it runs after it, so a batch fails where it failed before.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from typing import Any

__all__ = ["Stacked", "stack_lines"]

# Functions that act element by element on arrays of any shape, as the array dialect spells
# them (autodiff/tape/kernels.py): nothing else is stacked.
_ELEMENTWISE = frozenset(
    {"array_sigmoid", "array_power", "array_power_n", "reciprocal_scale"}
    | {f"np.{f}" for f in ("exp", "log", "sqrt", "sin", "cos", "tanh", "abs", "where", "sign")}
)
_ALLOWED: tuple[type, ...] = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow, ast.USub, ast.UAdd)
_ALLOWED += (ast.cmpop, ast.expr_context, ast.Constant, ast.Name)
_SLOT = re.compile(r"__slot(\d+)__")
# The arrays of a folded layer (autodiff/tape/codegen.py) whose rows are per-example values.
_LAYER_ROWS = re.compile(r"(Z|GX)\d+")
# The arrays of a folded layer's batch sums (numbers, not rows): weights' and biases'.
_LAYER_SUMS = re.compile(r"(GW|GB)\d+")
_ROW, _SCALAR, _OTHER = "row", "scalar", "other"
_ROW_READ = 0.3  # what reading a row or a slice of an array costs, next to a numpy call


@dataclass
class _Statement:
    """One line: its text with the values it reads replaced by slots, and those values."""

    template: str
    slots: list[int]
    level: int
    target: int = -1  # the value it assigns (none for a guard)
    stackable: bool = False
    ops: int = 1  # numpy calls, roughly
    gathered: Any = None  # for np.stack((a, b, …)) or np.array(shared numbers): the values


class Stacked:
    """The rewritten lines, and expressions for the values asked for: each one alone
    (``outputs``), or several as the rows of one 2-D array (:meth:`rows`) or as one 1-D
    array of numbers (:meth:`numbers`)."""

    def __init__(
        self, program: _Program, lines: list[str], finals: list[int], constants: list[str]
    ):
        self.lines = lines
        self.outputs = [program.places[v] for v in finals]
        self._program = program
        self._finals = finals
        self._constants = constants

    def rows(self, start: int, stop: int | None = None) -> str:
        """Outputs ``start:stop`` (arrays of the batch) as the rows of one 2-D array."""
        return self._program.table(self._finals[start:stop], self._constants)

    def numbers(self, start: int, stop: int | None = None) -> str:
        """Outputs ``start:stop`` (numbers) as one 1-D array."""
        return self._program.vector(self._finals[start:stop], self._constants)


def _cost(expression: ast.AST) -> int | None:
    """How many numpy calls an elementwise expression makes, or None if it is not one."""
    ops = 0
    for node in ast.walk(expression):
        if isinstance(node, ast.Call):
            name = ast.unparse(node.func)
            if name not in _ELEMENTWISE or node.keywords:
                return None
            ops += 5 if name == "array_sigmoid" else 1
        elif isinstance(node, (ast.BinOp, ast.UnaryOp, ast.Compare)):
            ops += 1
        elif isinstance(node, ast.Attribute):
            if not (isinstance(node.value, ast.Name) and node.value.id == "np"):
                return None
        elif not isinstance(node, _ALLOWED):
            return None
    return max(ops, 1)


def _three_address(line: str, temporaries: list[int]) -> list[ast.stmt]:
    """An elementwise assignment as one assignment per operation (``_t<k>`` holding each
    inner result), the order in which Python evaluates them: the same operations on the
    same operands, so that the operations of one kind can be stacked whichever node's
    expression they sit in. Any other line is kept as it is (parsed)."""
    (statement,) = ast.parse(line).body
    if not isinstance(statement, ast.Assign) or _cost(statement.value) is None:
        return [statement]
    parts: list[ast.stmt] = []

    def operand(node: ast.expr) -> ast.expr:
        if isinstance(node, (ast.Name, ast.Constant)):
            return node
        name = f"_t{len(temporaries)}"
        temporaries.append(0)
        parts.append(_assign(name, inner(node)))
        return ast.Name(name, ast.Load())

    def inner(node: ast.expr) -> ast.expr:
        if isinstance(node, ast.BinOp):
            return ast.BinOp(operand(node.left), node.op, operand(node.right))
        if isinstance(node, ast.UnaryOp):
            return ast.UnaryOp(node.op, operand(node.operand))
        if isinstance(node, ast.Compare):
            return ast.Compare(operand(node.left), node.ops, [*map(operand, node.comparators)])
        if isinstance(node, ast.Call):
            return ast.Call(node.func, [*map(operand, node.args)], [])
        return node

    root = inner(statement.value)
    return [*parts, _assign(ast.unparse(statement.targets[0]), root)]


def _assign(name: str, value: ast.expr) -> ast.Assign:
    return ast.Assign([ast.Name(name, ast.Store())], value, lineno=0)


class _Slots(ast.NodeTransformer):
    """Replaces each variable by a slot (a variable read twice is one slot)."""

    def __init__(self, variables: dict[str, int]) -> None:
        self.variables = variables
        self.slots: list[int] = []

    def visit_Name(self, node: ast.Name) -> ast.AST:
        if node.id not in self.variables:
            return node
        value = self.variables[node.id]
        if value not in self.slots:
            self.slots.append(value)
        return ast.Name(f"__slot{self.slots.index(value)}__", ast.Load())


class _Program:
    """The values of the code (numbered) and its statements, in order."""

    def __init__(self, inputs: dict[str, str]) -> None:
        self.kinds: list[str] = []
        self.places: list[str] = []  # an expression that reads the value
        self.levels: list[int] = []
        self.rows: dict[int, tuple[str, int]] = {}  # value -> (array, row)
        self.elements: dict[int, tuple[str, tuple[int, ...]]] = {}  # value -> (array, index)
        self.sizes: dict[str, int] = {}  # the stacks made here: how many rows
        self.variables = {name: self._value(kind, name, 0) for name, kind in inputs.items()}
        # The scalar inputs as one array, for columns of them (made if needed).
        scalars = [name for name, kind in inputs.items() if kind == _SCALAR]
        self.shared = {self.variables[name]: k for k, name in enumerate(scalars)}
        self.shared_line = f"_shared = np.array(({', '.join(scalars)},))"
        self.statements: list[_Statement] = []
        self.versions: dict[str, int] = {}
        self.barrier = 0

    def _value(self, kind: str, place: str, level: int) -> int:
        self.kinds.append(kind)
        self.places.append(place)
        self.levels.append(level)
        return len(self.kinds) - 1

    def read(self, statement: ast.stmt) -> None:
        if isinstance(statement, ast.If):  # a guard: nothing moves across it
            slots = _Slots(self.variables)
            test = ast.unparse(slots.visit(statement.test))
            template = f"if {test}: {ast.unparse(statement.body[0])}"
            # After everything before it, before everything after it, as it was written.
            level = 1 + max((s.level for s in self.statements), default=self.barrier)
            self.statements.append(_Statement(template, slots.slots, level))
            self.barrier = level
            return
        assert isinstance(statement, ast.Assign) and isinstance(statement.targets[0], ast.Name)
        name, expression = statement.targets[0].id, statement.value
        element = self._element(expression)
        if element is not None:  # GW[i, j]: a folded layer's batch sum, nothing to compute
            self.variables[name] = value = self._value(_OTHER, ast.unparse(expression), 0)
            self.levels[value] = self.levels[self.variables[element[0]]]
            self.elements[value] = element
            return
        row = self._row(expression)
        if row is not None:  # X[k]: row k of a folded layer's array, nothing to compute
            array, k = row
            self.variables[name] = value = self._value(_ROW, f"{array}[{k}]", 0)
            self.levels[value] = self.levels[self.variables[array]]
            self.rows[value] = (array, k)
            return
        gathered = self._gathered(expression)
        if gathered is not None:  # np.stack((a, b, …)) or np.array of shared numbers
            level = 1 + max([self.barrier, *(self.levels[v] for v in _flat(gathered))])
            target = self.variables[name] = self._value(_OTHER, self._named(name), level)
            self.statements.append(_Statement("", [], level, target, gathered=gathered))
            return
        slots = _Slots(self.variables)
        template = ast.unparse(slots.visit(expression))
        ops = _cost(expression)
        kinds = {self.kinds[v] for v in slots.slots}
        kind = _ROW if ops is not None and _ROW in kinds and _OTHER not in kinds else _OTHER
        if ops is not None and kinds <= {_SCALAR}:
            kind = _SCALAR
        level = 1 + max([self.barrier, *(self.levels[v] for v in slots.slots)])
        target = self._value(kind, self._named(name), level)
        self.variables[name] = target
        stackable = kind == _ROW and any(self.kinds[v] == _ROW for v in slots.slots)
        self.statements.append(
            _Statement(template, slots.slots, level, target, stackable, ops or 1)
        )

    def _named(self, name: str) -> str:
        # A name given again (g = g + term) is a new value: name it apart.
        version = self.versions[name] = self.versions.get(name, -1) + 1
        return name if not version else f"{name}_{version}"

    def _gathered(self, expression: ast.expr) -> Any:
        """The values of ``np.stack((a, b, …))`` (rows), or of ``np.array`` of (nested
        tuples of) shared numbers, as nested lists; else None."""
        if not (
            isinstance(expression, ast.Call)
            and ast.unparse(expression.func) in ("np.stack", "np.array")
            and len(expression.args) == 1
            and not expression.keywords
        ):
            return None
        stack = ast.unparse(expression.func) == "np.stack"

        def values(node: ast.expr, depth: int) -> Any:
            if isinstance(node, ast.Tuple) and depth < (1 if stack else 2):
                return [values(item, depth + 1) for item in node.elts]
            if isinstance(node, ast.Name) and node.id in self.variables:
                value = self.variables[node.id]
                if (stack and self.kinds[value] == _ROW) or value in self.shared:
                    return value
            raise LookupError

        try:
            gathered = values(expression.args[0], 0)
        except LookupError:
            return None
        return gathered if isinstance(gathered, list) and gathered else None

    def _element(self, expression: ast.expr) -> tuple[str, tuple[int, ...]] | None:
        if (
            isinstance(expression, ast.Subscript)
            and isinstance(expression.value, ast.Name)
            and expression.value.id in self.variables
            and _LAYER_SUMS.fullmatch(expression.value.id)
        ):
            index = ast.literal_eval(expression.slice)
            return expression.value.id, index if isinstance(index, tuple) else (index,)
        return None

    def _row(self, expression: ast.expr) -> tuple[str, int] | None:
        if (
            isinstance(expression, ast.Subscript)
            and isinstance(expression.value, ast.Name)
            and expression.value.id in self.variables
            and _LAYER_ROWS.fullmatch(expression.value.id)
            and isinstance(expression.slice, ast.Constant)
            and type(expression.slice.value) is int
        ):
            return expression.value.id, expression.slice.value
        return None

    # --- writing the code out ---------------------------------------------------------------
    def rows_of(self, members: list[int], constants: list[str]) -> tuple[str, float]:
        """An expression for the members as rows of one array (or one value that broadcasts
        to them all), and roughly what it costs in numpy calls."""
        first = members[0]
        if all(m == first for m in members):
            return self.places[first], 0.0
        if all(m in self.shared for m in members):
            return self.picked_shared([[m] for m in members], constants), 1.0
        if all(self.kinds[m] == _SCALAR for m in members):
            column = ", ".join(f"({self.places[m]},)" for m in members)
            return f"np.array(({column}))", 1.0
        runs = _runs(members, self.rows)
        if len(runs) == 1 and runs[0][0] is not None:
            return self._picked(runs[0][0], [self.rows[m][1] for m in members], constants)
        return self.matrix(members, constants), 1.0 + len(members) / 8

    def picked_shared(self, values: Any, constants: list[str]) -> str:
        """Shared numbers (nested lists of values) as an array, picked from ``_shared``."""

        def index(item: Any) -> Any:
            return [index(x) for x in item] if isinstance(item, list) else self.shared[item]

        name = f"_rows{len(constants)}"
        constants.append(f"{name} = np.array({index(values)!r})")
        return f"_shared[{name}]"

    def matrix(self, members: list[int], constants: list[str]) -> str:
        """The (per-example) members as the rows of a 2-D array."""
        runs = _runs(members, self.rows)
        if len(runs) == 1 and runs[0][0] is not None:
            return self._picked(runs[0][0], [self.rows[m][1] for m in members], constants)[0]
        if len(members) == 1:
            return f"{self.places[members[0]]}[None]"
        return f"np.stack(({', '.join(self.places[m] for m in members)},))"

    def _picked(self, array: str, rows: list[int], constants: list[str]) -> tuple[str, float]:
        if rows == list(range(self.sizes.get(array, -1))):
            return array, 0.0
        step = rows[1] - rows[0] if len(rows) > 1 else 1
        if step and rows == list(range(rows[0], rows[0] + step * len(rows), step)):
            stop = rows[-1] + step
            stop_text = "" if stop < 0 else stop
            step_text = "" if step == 1 else f":{step}"
            return f"{array}[{rows[0]}:{stop_text}{step_text}]", _ROW_READ
        name = f"_rows{len(constants)}"
        constants.append(f"{name} = np.array({rows!r})")
        return f"{array}[{name}]", 1.0

    def stack(self, group: list[_Statement]) -> str:
        """A new array whose rows hold the group's values."""
        array = f"S{len(self.sizes)}"
        self.sizes[array] = len(group)
        for row, statement in enumerate(group):
            self.places[statement.target] = f"{array}[{row}]"
            self.rows[statement.target] = (array, row)
        return array

    def fill(self, template: str, slots: list[str]) -> str:
        return _SLOT.sub(lambda match: slots[int(match.group(1))], template)

    def vector(self, members: list[int], constants: list[str]) -> str:
        """The members (numbers) as one 1-D array: runs of elements of one array picked at
        once, the rest one by one."""
        parts = []
        for array, run in _runs(members, self.elements):
            if array is None:
                parts.append(f"np.array(({self.places[run[0]]},))")
                continue
            axes = zip(*(self.elements[m][1] for m in run))
            name = f"_rows{len(constants)}"
            arrays = ", ".join(f"np.array({list(axis)!r})" for axis in axes)
            constants.append(f"{name} = ({arrays},)")
            parts.append(f"{array}[{name}]")
        return _joined(parts, "np.empty(0)")

    def table(self, members: list[int], constants: list[str]) -> str:
        """The members (arrays of the batch) as the rows of one 2-D array: runs of rows of
        one array are taken at once (a slice or picked rows), the rest one by one."""
        parts = []
        for array, run in _runs(members, self.rows):
            if array is not None:
                parts.append(self._picked(array, [self.rows[m][1] for m in run], constants)[0])
            else:  # a number where an array is wanted (or a user rule's partial): broadcast
                parts.append(f"np.broadcast_to({self.places[run[0]]}, seed.shape)[None]")
        return _joined(parts, "np.empty((0, seed.size))")


def _grid(program: _Program, columns: list[list[int]], constants: list[str]) -> list[str] | None:
    """The slots of a group whose members run over a grid, t blocks of k (a layer's
    products ``wᵢⱼ·xⱼ``): each slot one row per block (repeated along the block), one row
    per place in the block (the same in every block), a number per member, or one value
    for all. Broadcast, they make a (t, k, batch) array: no row is copied to line them up.
    None if the members make no such grid."""
    m = len(columns[0])
    for k in (k for k in range(2, m // 2 + 1) if m % k == 0):
        mark = len(constants)
        slots, spans = [], set()
        for column in columns:
            slot = _grid_slot(program, column, m // k, k, constants)
            if slot is None:
                break
            slots.append(slot[0])
            spans |= slot[1]
        else:
            if spans == {"t", "k", "rows"}:
                return slots
        del constants[mark:]
    return None


def _grid_slot(
    program: _Program, column: list[int], t: int, k: int, constants: list[str]
) -> tuple[str, set[str]] | None:
    """One slot of a grid: its expression and the axes it spans ("t" blocks, "k" places;
    "rows" if it reads rows of the batch that way)."""
    if all(v == column[0] for v in column):
        return program.places[column[0]], set()
    if all(v in program.shared for v in column):
        blocks = [[[v] for v in column[b * k : (b + 1) * k]] for b in range(t)]
        return program.picked_shared(blocks, constants), {"t", "k"}
    if any(program.kinds[v] != _ROW for v in column):
        return None
    if all(v == column[i % k] for i, v in enumerate(column)):
        return f"{program.matrix(column[:k], constants)}[None]", {"k", "rows"}
    if all(v == column[i - i % k] for i, v in enumerate(column)):
        return f"{program.matrix(column[::k], constants)}[:, None]", {"t", "rows"}
    return None


def _runs(members: list[int], where: dict[int, Any]) -> list[tuple[str | None, list[int]]]:
    """The members in runs of consecutive ones in one array (``where[m][0]``); the others
    each a run of their own, with array None."""
    runs: list[tuple[str | None, list[int]]] = []
    for m in members:
        array = where[m][0] if m in where else None
        if runs and array is not None and runs[-1][0] == array:
            runs[-1][1].append(m)
        else:
            runs.append((array, [m]))
    return runs


def _joined(parts: list[str], empty: str) -> str:
    if len(parts) == 1:
        return parts[0]
    return f"np.concatenate(({', '.join(parts)},))" if parts else empty


def _flat(nested: Any) -> list[int]:
    if isinstance(nested, list):
        return [value for item in nested for value in _flat(item)]
    return [nested]


def _groups(statements: list[_Statement], kinds: list[str]) -> list[list[_Statement]]:
    """The statements in an order to run them: by level, each level's stackable statements
    of one template (and one kind of value per slot) together, in their first one's place."""
    by_key: dict[tuple[object, ...], list[_Statement]] = {}
    order: list[list[_Statement]] = []
    for statement in sorted(statements, key=lambda s: s.level):  # stable: keeps line order
        if not statement.stackable:
            order.append([statement])
            continue
        key = (statement.level, statement.template, *(kinds[v] for v in statement.slots))
        if key not in by_key:
            by_key[key] = []
            order.append(by_key[key])
        by_key[key].append(statement)
    return order


def stack_lines(
    lines: list[str], inputs: dict[str, str], outputs: list[str], constants: list[str]
) -> Stacked:
    """Rewrite straight-line array code so that operations of one kind run as one.

    Args:
        lines: assignments (``name = expression``, a name may be assigned again) and guards
            (``if test: guard_failed(k)``), as :mod:`autodiff.tape.codegen` writes them.
        inputs: the names the lines read before assigning them, each ``"row"`` (an array
            of the batch: an argument, the seed) or ``"scalar"`` (a float shared by all).
        outputs: names whose final values are wanted.
        constants: module-level lines that the code reads (arrays of row numbers), so
            far: those this code needs are added (shared by the functions of one module).

    Example:
        >>> lines = ["v3 = v0 * v1", "v4 = v0 * v2", "v5 = v0 * v1", "v6 = v3 + v4"]
        >>> inputs = {"v0": "row", "v1": "scalar", "v2": "scalar"}
        >>> stacked = stack_lines(lines, inputs, ["v6", "v5"], [])
        >>> for line in stacked.lines:  # v3, v4 and v5: the rows of one product
        ...     print(line)
        _shared = np.array((v1, v2,))
        S0 = v0 * _shared[_rows0]
        v6 = S0[0] + S0[1]
        >>> stacked.outputs  # where v6 and v5 are now
        ['v6', 'S0[2]']
    """
    program = _Program(inputs)
    temporaries: list[int] = []
    for line in lines:
        for part in _three_address(line, temporaries):
            program.read(part)
    code: list[str] = []
    for group in _groups(program.statements, program.kinds):
        code += _emit(program, group, constants)
    if any("_shared[" in line for line in code):
        code.insert(0, program.shared_line)
    return Stacked(program, code, [program.variables[name] for name in outputs], constants)


def _emit(program: _Program, group: list[_Statement], constants: list[str]) -> list[str]:
    first = group[0]
    if first.gathered is not None:
        if all(v in program.shared for v in _flat(first.gathered)):
            text = program.picked_shared(first.gathered, constants)
        else:
            text = program.matrix(first.gathered, constants)
        return [f"{program.places[first.target]} = {text}"]
    if len(group) > 1:
        mark = len(constants)
        columns = [[s.slots[k] for s in group] for k in range(len(first.slots))]
        grid = _grid(program, columns, constants)
        if grid is not None:
            array = program.stack(group)
            return [f"{array} = ({program.fill(first.template, grid)}).reshape({len(group)}, -1)"]
        slots = [program.rows_of(column, constants) for column in columns]
        cost = first.ops + sum(c for _, c in slots)
        # One by one, each reads its operands that are rows of an array (an indexing each).
        alone = sum(first.ops + _ROW_READ * sum(v in program.rows for v in s.slots) for s in group)
        spread = any(column[0] != m for column in columns for m in column)
        if spread and cost < alone:
            array = program.stack(group)
            return [f"{array} = {program.fill(first.template, [e for e, _ in slots])}"]
        del constants[mark:]
    lines = []
    for statement in group:
        text = program.fill(statement.template, [program.places[v] for v in statement.slots])
        if statement.target < 0:
            lines.append(text)
        else:
            lines.append(f"{program.places[statement.target]} = {text}")
    return lines
