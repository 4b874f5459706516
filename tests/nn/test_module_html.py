"""What a notebook shows for a model: ``Module._repr_html_``, a table of its parameters."""

from __future__ import annotations

from autodiff import Value
from nn import MLP, Module, Neuron, sum_squared_error
from nn.module import HTML_ROWS
from tests.helpers.html_tables import read_tables


def test_every_parameter_is_a_row_with_both_names_its_value_and_its_grad() -> None:
    model = MLP(2, [3, 1], "tanh", rng=0)
    sum_squared_error(model([0.5, -1.0]), [1.0]).backward()
    (table,) = read_tables(model._repr_html_())
    assert table.caption == repr(model)
    assert table.header == ["parameter", "course name", "value", "grad"]
    named = model.named_parameters()
    assert [row[0] for row in table.rows] == [name for name, _ in named]
    assert [(float(row[2]), float(row[3])) for row in table.rows] == [
        (value.data, value.grad) for _, value in named
    ]
    assert any(float(row[3]) != 0.0 for row in table.rows)
    assert model.parameter(table.rows[4][1]) is named[4][1]  # the course's name, W1[2][2]


def test_a_big_model_lists_the_first_rows_and_counts_the_rest() -> None:
    model = MLP(30, [10, 1], rng=0)
    (table,) = read_tables(model._repr_html_())
    total = len(model.parameters())
    assert total > HTML_ROWS and len(table.rows) == HTML_ROWS + 1
    assert table.rows[-1][0] == f"… and {total - HTML_ROWS} more"


class Pair(Module):
    """A container of one's own, with names that are not the course's."""

    def __init__(self) -> None:
        self.scale = Value(2.0)
        self.inner = Neuron(1, rng=0)
        self.relabel()

    def named_children(self) -> list[tuple[str, Module]]:
        return [("<inner>", self.inner)]

    def _own_parameters(self) -> list[tuple[str, Value]]:
        return [("scale & <shift>", self.scale)]


def test_names_of_ones_own_modules_are_escaped_and_have_no_course_name() -> None:
    html = Pair()._repr_html_()
    assert "<inner>" not in html and "<shift>" not in html
    (table,) = read_tables(html)
    assert [row[:2] for row in table.rows[:2]] == [["scale & <shift>", ""], ["<inner>.w.0", ""]]
