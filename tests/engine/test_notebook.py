"""What a notebook shows for a Value: ``Value._repr_html_`` and ``autodiff.notebook``."""

from __future__ import annotations

import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autodiff import Value
from autodiff.notebook import html_table
from tests.helpers.html_tables import read_tables

HOSTILE = "<script>alert('&')</script> \"w\" & <b>"


def test_a_leaf_shows_label_data_grad_and_leaf() -> None:
    (table,) = read_tables(Value(-3.0, label="w")._repr_html_())
    assert table.header == ["label", "data", "grad", "op"]
    assert table.rows == [["w", "-3.0", "0.0", "leaf"]]


def test_a_result_shows_its_op_and_its_gradient_after_backward() -> None:
    x = Value(0.5, label="x")
    y = (x * 3.0).tanh()
    y.backward()
    (row,) = read_tables(x._repr_html_())[0].rows
    assert float(row[2]) == x.grad and x.grad != 0.0
    (row,) = read_tables(y._repr_html_())[0].rows
    assert row == ["", repr(y.data), "1.0", "tanh"]


@given(st.text())
def test_any_label_is_escaped_and_comes_back_whole(label: str) -> None:
    label = "".join(c for c in label if c.isprintable())  # XML has no control characters
    (table,) = read_tables(Value(1.0, label=label)._repr_html_())
    assert table.rows[0][0] == label


def test_markup_in_a_label_is_shown_not_run() -> None:
    html = Value(1.0, label=HOSTILE)._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert read_tables(html)[0].rows[0][0] == HOSTILE


def test_html_table_refuses_a_ragged_row() -> None:
    with pytest.raises(ValueError, match="row 1 has 1 cells for 2 columns"):
        html_table(["a", "b"], [[1, 2], [3]])


def test_import_autodiff_loads_no_html_module() -> None:
    code = "import sys, autodiff; print('autodiff.notebook' in sys.modules, 'html' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout == "False False\n"
