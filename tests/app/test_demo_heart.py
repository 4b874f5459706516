"""``autodiff demo heart``: trains the course's network and writes heart.png, graph.svg and
heart.html.

Runs use a handful of steps: what is tested is the command, its files and its flags; that
training makes the cost fall is tested in nn's own tests and shown on the course pages.
"""

from __future__ import annotations

import os
import re
import signal
import struct
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

pytest.importorskip("matplotlib")

import nn
from nn.app.cli import main
from nn.app.heart import compiled_cost, snapshot_steps, train_heart

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
ROOT = Path(__file__).resolve().parents[2]


def run_demo(capsys: pytest.CaptureFixture[str], *options: str) -> tuple[int, str]:
    status = main(["demo", "heart", *options])
    return status, capsys.readouterr().out


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == PNG_SIGNATURE, f"{path} is not a PNG"
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def printed_costs(output: str) -> list[float]:
    return [float(cost) for cost in re.findall(r"step +\d+: C = ([0-9.]+)", output)]


def test_the_demo_writes_a_heart_png_and_a_layer_collapsed_graph_svg(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "pictures" / "nested"  # created if missing
    status, output = run_demo(capsys, "--steps", "4", "--out", str(out))
    assert status == 0
    names = sorted(p.name for p in out.iterdir())
    assert names == ["graph.svg", "heart.html", "heart.png"]  # no temp left
    width, height = png_size(out / "heart.png")
    assert width > 500 and height > 300
    svg = ElementTree.parse(out / "graph.svg").getroot()
    assert svg.tag.endswith("svg")
    text = " ".join(svg.itertext())
    for layer in ("layers.0", "layers.1", "layers.2"):
        assert layer in text  # one summary node per layer...
    assert "neurons." not in text  # ...and no neuron drawn on its own
    assert "C_25" in text
    page = (out / "heart.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "window.autodiffPage" in page
    assert "layers.2.neurons.1.w.6" in page and len(page.encode()) < 2_000_000
    assert "1→6→7→2" in output and "4 Adam steps" in output
    costs = printed_costs(output)
    assert len(costs) == len(snapshot_steps(4)) and costs[-1] < costs[0]


def test_the_same_seed_gives_the_same_run_and_flags_change_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    runs = {}
    for name, options in {
        "first": ("--seed", "5"),
        "again": ("--seed", "5"),
        "other seed": ("--seed", "6"),
        "other lr": ("--seed", "5", "--lr", "0.01"),
    }.items():
        status, output = run_demo(capsys, "--steps", "3", "--out", str(tmp_path), *options)
        assert status == 0
        runs[name] = printed_costs(output)
    assert runs["first"] == runs["again"]
    assert runs["other seed"][0] != runs["first"][0]  # another initialisation
    assert runs["other lr"][0] == runs["first"][0]  # same start...
    assert runs["other lr"][-1] != runs["first"][-1]  # ...another step size


@pytest.mark.parametrize(
    "options, complaint",
    [
        (["--steps", "0"], "--steps: must be at least 1"),
        (["--steps", "ten"], "--steps: expected a whole number"),
        (["--lr", "0"], "--lr: must be a positive finite number"),
        (["--lr", "-1"], "--lr: must be a positive finite number"),
        (["--lr", "nan"], "--lr: must be a positive finite number"),
        (["--seed", "1.5"], "--seed: invalid int value"),
        (["--optimizer", "momentum"], "--optimizer: invalid choice: 'momentum'"),
        (["--noise", "0.5"], "--noise: the noise term belongs to --optimizer sgd, not adam"),
        (["--optimizer", "adam", "--noise", "0"], "--noise: the noise term belongs to"),
        (["--optimizer", "sgd", "--noise", "-1"], "--noise: must be a finite number ≥ 0"),
        (["--optimizer", "sgd", "--noise", "inf"], "--noise: must be a finite number ≥ 0"),
        (["--optimizer", "sgd", "--noise", "lots"], "--noise: expected a number, got 'lots'"),
        (["--stpes", "3"], "unrecognized arguments: --stpes"),
    ],
)
def test_bad_flags_exit_with_status_2_naming_the_flag(
    options: list[str], complaint: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["demo", "heart", *options, "--out", str(tmp_path / "never")])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert complaint in err
    assert err.count("\n") == 1 and "--help" in err  # one line, saying where help is
    assert not (tmp_path / "never").exists()  # nothing trained, nothing written


def test_a_missing_dot_is_reported_before_training(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("shutil.which", lambda name: None)
    status = main(["demo", "heart", "--steps", "1", "--out", str(tmp_path / "never")])
    assert status == 1
    captured = capsys.readouterr()
    assert "install the package 'graphviz'" in captured.err
    assert "Training" not in captured.out and not (tmp_path / "never").exists()


def test_a_missing_matplotlib_is_reported_before_training(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # makes `import matplotlib` fail
    status = main(["demo", "heart", "--steps", "1", "--out", str(tmp_path / "never")])
    assert status == 1
    assert "autodiff-course[plot]" in capsys.readouterr().err


def test_python_dash_m_autodiff_runs_the_demo(tmp_path: Path) -> None:
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-m", "nn.app", "demo", "heart", "--steps", "2", "--out", "pics"],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "pics" / "heart.png").read_bytes()[:8] == PNG_SIGNATURE
    assert (tmp_path / "pics" / "graph.svg").exists()
    assert "training:" in result.stderr and "step" in result.stderr  # the progress bar


def test_the_help_lists_every_flag(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["demo", "heart", "--help"])
    assert exit_info.value.code == 0
    usage = capsys.readouterr().out
    for flag in ("--steps", "--optimizer", "--lr", "--noise", "--seed", "--out"):
        assert flag in usage


def test_snapshots_hold_the_curve_and_its_cost_at_the_marked_steps() -> None:
    run = train_heart(6, 0.1, 0, progress=False)
    assert [step for step, _, _ in run.snapshots] == snapshot_steps(6) == [0, 1, 3, 6]
    assert len(run.costs) == 6
    for step, cost, points in run.snapshots[:-1]:
        # each cost is measured before a step: costs[k] is the cost after k steps
        assert cost == pytest.approx(run.costs[step], rel=1e-12)
        assert len(points) == 100 and all(len(point) == 2 for point in points)


def test_the_compiled_training_is_the_eager_training() -> None:
    # The demo replays a compiled tape; the same Adam steps on the eager graph (nn.fit)
    # must give the same costs and parameters.
    run = train_heart(5, 0.1, 2, progress=False)
    model = nn.MLP(1, [6, 7, 2], init="course", rng=2)
    inputs, targets = nn.heart()
    costs = nn.fit(
        model,
        inputs,
        targets,
        loss=nn.sum_squared_error,
        optimizer=nn.Adam(model.parameters(), lr=0.1),
        epochs=5,
        progress=False,
    )
    assert run.costs == pytest.approx(costs, rel=1e-10)
    for fast, eager in zip(run.model.parameters(), model.parameters()):
        assert fast.data == pytest.approx(eager.data, rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("numpy_present", [True, False])
def test_the_compiled_cost_gives_the_eager_gradient(
    numpy_present: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not numpy_present:
        monkeypatch.setitem(sys.modules, "numpy", None)  # the generated-loop replay
    inputs, targets = nn.heart(20)
    model = nn.MLP(1, [6, 7, 2], init="course", rng=4)
    cost = compiled_cost(model, inputs, targets)()
    fast = [p.grad for p in model.parameters()]
    model.zero_grad()
    eager = sum(nn.sum_squared_error(model(x), y) for x, y in zip(inputs, targets)) / 20
    eager.backward()
    assert cost == pytest.approx(eager.data, rel=1e-12)
    assert fast == pytest.approx([p.grad for p in model.parameters()], rel=1e-9, abs=1e-15)


def test_the_makefile_demo_runs_the_heart_demo() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^demo:.*\n\t\$\(BIN\)/autodiff demo heart$", makefile, re.M)


@pytest.mark.skipif(os.name != "posix", reason="sends SIGINT")
def test_ctrl_c_stops_the_demo_with_one_line_and_status_130(tmp_path: Path) -> None:
    environment = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}
    command = [sys.executable, "-m", "nn.app", "demo", "heart", "--steps", "1000000"]
    demo = subprocess.Popen(
        [*command, "--out", str(tmp_path / "out")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environment,
    )
    assert demo.stdout is not None
    while "step      0: C =" not in demo.stdout.readline():  # training has started
        assert demo.poll() is None, "the demo ended before training"
    demo.send_signal(signal.SIGINT)
    _, error = demo.communicate(timeout=120)
    assert demo.returncode == 130
    assert "Traceback" not in error
    assert error.endswith("\nautodiff demo heart: interrupted\n")
    assert list((tmp_path / "out").iterdir()) == []  # no picture, no temporary


def test_wrote_goes_to_stderr_and_stdout_keeps_only_the_training_log(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo", "heart", "--steps", "2", "--out", str(tmp_path)]) == 0
    captured = capsys.readouterr()
    assert "wrote" not in captured.out
    wrote = (
        f"wrote {tmp_path / 'heart.png'}, {tmp_path / 'graph.svg'} and {tmp_path / 'heart.html'}"
    )
    assert captured.err.splitlines()[-1] == wrote


def test_an_out_that_is_a_file_is_one_line_with_status_2_before_training(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    taken = tmp_path / "notes.txt"
    taken.write_text("mine")
    for out in (taken, taken / "pictures"):
        assert main(["demo", "heart", "--steps", "2", "--out", str(out)]) == 2
        captured = capsys.readouterr()
        assert captured.err == f"autodiff demo heart: --out {out}: not a folder\n"
        assert "Training" not in captured.out
    assert taken.read_text() == "mine"


@pytest.mark.skipif(os.name != "posix", reason="FIFOs are POSIX")
def test_a_picture_that_cannot_be_written_is_one_line_with_status_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("autodiff.files.FIFO_READER_WAIT", 0.2)
    os.mkfifo(tmp_path / "heart.png")  # nobody reads it
    assert main(["demo", "heart", "--steps", "2", "--out", str(tmp_path)]) == 1
    error = capsys.readouterr().err.splitlines()[-1]
    assert error == (
        f"autodiff demo heart: cannot write {tmp_path / 'heart.png'}: "
        "no process is reading the FIFO (waited 0.2 s for one)"
    )


def test_the_courses_gradient_descent_runs_with_eta_7_by_default(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    runs = {}
    for name, options in {
        "adam": (),
        "sgd": ("--optimizer", "sgd"),
        "sgd lr 7": ("--optimizer", "sgd", "--lr", "7"),
        "noisy": ("--optimizer", "sgd", "--noise", "1"),
        "noisy again": ("--optimizer", "sgd", "--noise", "1"),
        "noisy, other seed": ("--optimizer", "sgd", "--noise", "1", "--seed", "1"),
    }.items():
        status, output = run_demo(capsys, "--steps", "3", "--out", str(tmp_path), *options)
        assert status == 0
        runs[name] = printed_costs(output)
        if name == "sgd":
            assert "3 gradient descent steps, lr 7, seed 0" in output
        if name == "noisy":
            assert "3 gradient descent (noise 1) steps, lr 7, seed 0" in output
    assert runs["sgd"] == runs["sgd lr 7"] != runs["adam"]
    assert runs["sgd"][0] == runs["noisy"][0] and runs["sgd"][-1] != runs["noisy"][-1]
    assert runs["noisy"] == runs["noisy again"] != runs["noisy, other seed"]


@pytest.mark.parametrize("noise", [0.0, 0.5])
def test_the_compiled_gradient_descent_is_the_eager_one(noise: float) -> None:
    # The demo's SGD, noise drawn from the seed, against nn.fit on the eager graph.
    run = train_heart(5, 7.0, 2, optimizer="sgd", noise=noise, progress=False)
    model = nn.MLP(1, [6, 7, 2], init="course", rng=2)
    inputs, targets = nn.heart()
    costs = nn.fit(
        model,
        inputs,
        targets,
        loss=nn.sum_squared_error,
        optimizer=nn.SGD(model.parameters(), lr=7.0, noise=noise, rng=2),
        epochs=5,
        progress=False,
    )
    assert run.costs == pytest.approx(costs, rel=1e-10)
    for fast, eager in zip(run.model.parameters(), model.parameters()):
        assert fast.data == pytest.approx(eager.data, rel=1e-9, abs=1e-12)


def test_noise_belongs_to_gradient_descent() -> None:
    with pytest.raises(ValueError, match="noise is the course's gradient descent's"):
        train_heart(1, 0.1, 0, optimizer="adam", noise=0.5, progress=False)
    with pytest.raises(ValueError, match="optimizer must be one of adam, sgd, got 'lbfgs'"):
        train_heart(1, 0.1, 0, optimizer="lbfgs", progress=False)
