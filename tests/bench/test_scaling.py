"""``bench/scaling.py`` on tiny chains: which measurements are made, the table and the plot.
The times themselves are the benchmark's to report, never asserted here."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.scaling import ScalingPoint, measure_scaling, plot, scaling_section


def test_compile_stops_at_compile_max_and_the_table_says_so() -> None:
    points = measure_scaling([200, 100], compile_max=100)
    assert [p.ops for p in points] == [100, 200]  # in increasing order
    assert points[0].compile is not None and points[1].compile is None
    assert all(p.build >= 0.0 and p.backward >= 0.0 and p.draw >= 0.0 for p in points)
    rows = [line for line in scaling_section(points) if line.startswith("| 2")]
    assert rows and rows[0].endswith("ns/op) |") and "| — |" in rows[0]


def test_the_plot_is_written(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    points = [
        ScalingPoint(n, n * 1e-6, n * 6e-7, n * 5e-7, n * 2e-5 if n < 10**5 else None, n * 1e-5)
        for n in (10**3, 10**4, 10**5)
    ]
    path = plot(points, tmp_path / "scaling.png")
    assert path.read_bytes().startswith(b"\x89PNG")
    svg = plot(points, tmp_path / "scaling.svg").read_text(encoding="utf-8")
    assert "slope 1" in svg and "operations in the chain" in svg
