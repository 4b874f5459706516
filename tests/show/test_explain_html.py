"""What a notebook shows for ``explain(...)``: the ledger as an HTML table."""

from __future__ import annotations

import math

from autodiff import Value, explain
from autodiff.show.notation import format_number
from tests.helpers.html_tables import read_tables


def _shared_graph(label: str = "y") -> tuple[Value, Value, Value]:
    x, y = Value(0.3, label="x"), Value(-0.7, label=label)
    z = (x * y + x).tanh() * x  # three paths from z down to x
    z.label = "z"
    z.backward()
    return z, x, y


def test_each_path_is_a_row_with_the_ledgers_own_texts_and_the_sum_is_the_last() -> None:
    z, x, _ = _shared_graph()
    explanation = explain(z, x)
    (table,) = read_tables(explanation._repr_html_())
    assert table.header == ["", "chain rule", "local partials", "values", "product"]
    assert [row[0] for row in table.rows] == ["path 1", "path 2", "path 3", "∂z/∂x"]
    ledger = str(explanation)
    for row, path in zip(table.rows, explanation.paths):
        assert f"{row[0]} = {row[1]}" in ledger and f"= {row[2]}\n" in ledger
        assert float(row[4]) == float(format_number(path.term, 4))
    assert math.isclose(float(table.rows[-1][4]), x.grad, rel_tol=1e-3)
    assert table.caption == f"∂z/∂x = {format_number(x.grad, 4)}"


def test_one_path_is_one_row_named_by_the_derivative() -> None:
    z, _, y = _shared_graph()
    (table,) = read_tables(explain(z, y)._repr_html_())
    assert len(table.rows) == 1 and table.rows[0][0] == "∂z/∂y"
    assert float(table.rows[0][4]) == float(format_number(y.grad, 4))


def test_past_max_paths_each_line_of_the_ledgers_account_is_a_row() -> None:
    z, x, _ = _shared_graph()
    explanation = explain(z, x, max_paths=1)
    tables = read_tables(explanation._repr_html_())
    ledger = str(explanation).splitlines()
    (table,) = tables
    assert table.header == ["derivative", "chain rule = values = sum"]
    assert table.caption == f"∂z/∂x = {format_number(x.grad, 4)}"
    accounts = [line for line in ledger[1:] if line.startswith("∂z/∂")]
    assert len(accounts) >= 3 and [" = ".join(row) for row in table.rows] == accounts
    sentences = [line for line in ledger if not line.startswith("∂z/∂") or " = " not in line]
    assert table.before + table.paragraphs == [line.strip() for line in sentences]
    assert "too many to list one by one" in table.before[0]


def test_no_path_and_the_output_itself() -> None:
    x, y = Value(1.0, label="x"), Value(2.0, label="y")
    (table,) = read_tables(explain(x * 2, y)._repr_html_())
    assert "does not depend on y" in table.caption and table.rows == [["∂out/∂y", "0"]]
    (table,) = read_tables(explain(x, x)._repr_html_())
    assert table.rows == [["∂x/∂x", "1 (the output itself)", "", "", "1"]]


def test_labels_are_escaped_everywhere_and_abbreviations_are_defined_below() -> None:
    hostile = "<img src=x onerror='&'>"
    z, _, y = _shared_graph(label=hostile)
    html = explain(z, y)._repr_html_()
    assert "<img" not in html
    (table,) = read_tables(html)
    assert hostile in table.rows[0][1]
    a = Value(0.5, label="a")
    deep = a
    for _ in range(12):  # long enough for the ledger to abbreviate nodes as v1, v2...
        deep = (deep * a).sin()
    deep.backward()
    explanation = explain(deep, a, max_paths=1)
    (table,) = read_tables(explanation._repr_html_())
    where = [line.strip() for line in str(explanation).splitlines() if "where" in line]
    assert where and table.paragraphs == where
