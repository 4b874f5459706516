"""save/load: round trip, atomic writes, and refusal of files that are not ours."""

from __future__ import annotations

import json
import math
import os
import stat
import threading
from pathlib import Path
from typing import Any

import pytest

import nn.persistence
from nn import MLP, load, save
from tests.helpers.files import FifoReader, stuck_in_a_write

posix_only = pytest.mark.skipif(os.name != "posix", reason="FIFOs and kill are POSIX")


def test_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "model.json"
    source, target = MLP(2, [3, 1], rng=0), MLP(2, [3, 1], rng=1)
    save(source, path)
    load(target, str(path))  # str paths work too
    assert target.state_dict() == source.state_dict()
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["format"] == "autodiff-nn-state" and document["version"] == 1
    assert document["model"] == repr(source)
    assert document["parameters"] == source.state_dict()


def test_save_overwrites_and_leaves_no_temporary_files(tmp_path: Path) -> None:
    path = tmp_path / "model.json"
    save(MLP(1, [2], rng=0), path)
    save(MLP(1, [2], rng=1), path)
    assert [p.name for p in tmp_path.iterdir()] == ["model.json"]
    copy = MLP(1, [2], rng=5)
    load(copy, path)
    assert copy.state_dict() == MLP(1, [2], rng=1).state_dict()


def test_a_failure_mid_write_keeps_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "model.json"
    save(MLP(1, [2], rng=0), path)
    old = path.read_bytes()

    def failing_dump(document: Any, file: Any, **options: Any) -> None:
        file.write('{"format": "autodiff-nn-state", "param')  # half a document, then a crash
        raise RuntimeError("serialisation failed")

    monkeypatch.setattr(nn.persistence.json, "dump", failing_dump)
    with pytest.raises(RuntimeError, match="serialisation failed"):
        save(MLP(1, [2], rng=1), path)
    assert path.read_bytes() == old
    assert [p.name for p in tmp_path.iterdir()] == ["model.json"]


def test_a_failed_first_save_creates_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing_dump(document: Any, file: Any, **options: Any) -> None:
        raise TypeError("not serialisable")

    monkeypatch.setattr(nn.persistence.json, "dump", failing_dump)
    with pytest.raises(TypeError):
        save(MLP(1, [2], rng=1), tmp_path / "model.json")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (
            b'{"weights": [1, 2, 3]}',
            "is not a saved model: it lacks the marker 'format': 'autodiff-nn-state'",
        ),
        (b"[1, 2, 3]", "is not a saved model: it lacks the marker"),
        (
            b'{"format": "autodiff-nn-state", "version": 1, "param',
            "is not a saved model: it is not valid JSON",
        ),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "is not a saved model: it is not valid JSON"),
        (
            b'{"format": "autodiff-nn-state", "version": 2, "parameters": {}}',
            "unsupported autodiff-nn-state version 2",
        ),
        (b'{"format": "autodiff-nn-state", "version": 1}', "the 'parameters' entry is missing"),
    ],
)
def test_foreign_or_corrupt_files_are_refused_and_change_nothing(
    tmp_path: Path, content: bytes, words: str
) -> None:
    path = tmp_path / "other.json"
    path.write_bytes(content)
    model = MLP(1, [2], rng=0)
    before = model.state_dict()
    with pytest.raises(ValueError, match=words) as caught:
        load(model, path)
    assert str(path) in str(caught.value)
    assert model.state_dict() == before


def test_a_file_for_another_architecture_names_the_differences(tmp_path: Path) -> None:
    path = tmp_path / "bigger.json"
    save(MLP(1, [2, 1], rng=0), path)
    model = MLP(1, [2], rng=0)
    before = model.state_dict()
    with pytest.raises(ValueError, match=r"unexpected: 'layers\.1\.neurons\.0\.b'"):
        load(model, path)
    assert model.state_dict() == before


def test_a_file_with_a_bad_number_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "nan.json"
    state = MLP(1, [2], rng=0).state_dict()
    state["layers.0.neurons.1.b"] = "NaN-ish"  # type: ignore[assignment]
    path.write_text(json.dumps({"format": "autodiff-nn-state", "version": 1, "parameters": state}))
    model = MLP(1, [2], rng=3)
    before = model.state_dict()
    with pytest.raises(TypeError, match=r"state\['layers.0.neurons.1.b'\] must be a real number"):
        load(model, path)
    assert model.state_dict() == before


def test_missing_file_and_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        load(MLP(1, [2]), tmp_path / "absent.json")
    with pytest.raises(FileNotFoundError):
        save(MLP(1, [2]), tmp_path / "no-such-dir" / "model.json")


# --- writing through links and into streams, and no litter -------------------------------
def test_save_through_a_symlink_updates_its_target_and_keeps_the_link(tmp_path: Path) -> None:
    target = tmp_path / "weights-v1.json"
    save(MLP(1, [2], rng=0), target)
    link = tmp_path / "latest.json"
    link.symlink_to(target.name)
    save(MLP(1, [2], rng=1), link)
    assert link.is_symlink()
    copy = MLP(1, [2], rng=5)
    load(copy, target)
    assert copy.state_dict() == MLP(1, [2], rng=1).state_dict()


@posix_only
def test_save_into_a_fifo_streams_the_document(tmp_path: Path) -> None:
    reader = FifoReader(tmp_path)
    model = MLP(1, [2], rng=0)
    save(model, reader.link)
    document = json.loads(reader.received())
    assert document["parameters"] == model.state_dict()
    assert stat.S_ISFIFO(reader.fifo.lstat().st_mode)


STUCK_SAVE = """
import sys, time
import nn, nn.persistence

def stuck_dump(document, file, **options):
    file.write('{"format": "autodiff-nn-state", "param')
    file.flush()
    print("writing", flush=True)
    time.sleep(600)

nn.persistence.json.dump = stuck_dump
nn.save(nn.MLP(1, [2], rng=1), sys.argv[1])
"""


@posix_only
def test_kill_9_during_save_keeps_the_old_file_and_the_next_save_cleans_up(
    tmp_path: Path,
) -> None:
    path = tmp_path / "model.json"
    save(MLP(1, [2], rng=0), path)
    old = path.read_bytes()
    for _ in range(3):
        writer = stuck_in_a_write(STUCK_SAVE, str(path))
        writer.kill()
        writer.wait()
    assert path.read_bytes() == old
    # Each save removed the half its killed predecessor left: only the last one remains.
    assert len(list(tmp_path.iterdir())) == 2
    save(MLP(1, [2], rng=2), path)
    assert [p.name for p in tmp_path.iterdir()] == ["model.json"]


def test_a_250_character_file_name_can_be_saved(tmp_path: Path) -> None:
    path = tmp_path / ("w" * 245 + ".json")
    save(MLP(1, [2], rng=0), path)
    save(MLP(1, [2], rng=1), path)
    assert [p.name for p in tmp_path.iterdir()] == [path.name]


# --- reading what is not a saved model ------------------------------------------------------
def load_in_a_thread(model: MLP, path: Path) -> BaseException | None:
    """load(model, path) in a daemon thread: returns what it raised, fails if it blocks."""
    outcome: list[BaseException | None] = []

    def attempt() -> None:
        try:
            load(model, path)
            outcome.append(None)
        except BaseException as error:
            outcome.append(error)

    thread = threading.Thread(target=attempt, daemon=True)
    thread.start()
    thread.join(20)
    assert outcome, f"load({path}) blocked"
    return outcome[0]


@posix_only
def test_load_refuses_a_fifo_at_once(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    model = MLP(1, [2], rng=0)
    error = load_in_a_thread(model, fifo)
    assert isinstance(error, ValueError)
    assert (
        str(error) == f"{fifo} is not a saved model: it is a FIFO (named pipe), not a regular file"
    )


def test_load_of_a_directory_is_an_is_a_directory_error(tmp_path: Path) -> None:
    with pytest.raises(IsADirectoryError):
        load(MLP(1, [2]), tmp_path)


def test_absurdly_deep_json_is_a_value_error_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(
        ValueError, match="is not a saved model: its JSON nests too deeply"
    ) as caught:
        load(MLP(1, [2]), path)
    assert str(caught.value).startswith(str(path))


@pytest.mark.parametrize("digits", [400, 5000])  # 5000: beyond Python's int-from-text limit
def test_an_integer_beyond_the_float_range_names_the_file_and_parameter(
    tmp_path: Path, digits: int
) -> None:
    path = tmp_path / "huge.json"
    state = MLP(1, [2], rng=0).state_dict()
    text = json.dumps(_document(MLP(1, [2], rng=0), state))
    text = text.replace(json.dumps(state["layers.0.neurons.1.b"]), "9" * digits)
    path.write_text(text)
    model = MLP(1, [2], rng=3)
    before = model.state_dict()
    with pytest.raises(ValueError) as caught:
        load(model, path)
    assert str(caught.value) == (
        f"{path}: parameter 'layers.0.neurons.1.b' is an integer of {digits} digits, "
        "beyond the float range"
    )
    assert model.state_dict() == before


def test_a_float_beyond_the_range_names_the_file_and_parameter(tmp_path: Path) -> None:
    path = tmp_path / "inf.json"
    state = MLP(1, [2], rng=0).state_dict()
    text = json.dumps(_document(MLP(1, [2], rng=0), state))
    path.write_text(text.replace(json.dumps(state["layers.0.neurons.0.w.0"]), "1e400"))
    with pytest.raises(
        ValueError, match=r"state\['layers.0.neurons.0.w.0'\] must be finite"
    ) as caught:
        load(MLP(1, [2]), path)
    assert str(caught.value).startswith(f"{path}: ")


def _document(model: MLP, state: dict[str, float]) -> dict[str, Any]:
    return {"format": "autodiff-nn-state", "version": 1, "model": repr(model), "parameters": state}


# --- the stored model description -----------------------------------------------------------
def test_a_sigmoid_networks_file_does_not_load_into_a_tanh_network(tmp_path: Path) -> None:
    path = tmp_path / "sigmoid.json"
    save(MLP(1, [3, 2], "sigmoid", rng=0), path)
    tanh = MLP(1, [3, 2], "tanh", rng=1)
    before = tanh.state_dict()
    with pytest.raises(ValueError) as caught:
        load(tanh, path)
    assert str(caught.value) == (
        f"{path} holds the parameters of MLP(1, [3, 2], activation='sigmoid'), not of "
        "MLP(1, [3, 2], activation='tanh'): build the same model to load them"
    )
    assert tanh.state_dict() == before
    relu_output = MLP(1, [3, 2], "sigmoid", output_activation="relu", rng=1)
    with pytest.raises(ValueError, match="output_activation='relu'"):
        load(relu_output, path)


def test_how_the_weights_were_first_drawn_does_not_matter(tmp_path: Path) -> None:
    path = tmp_path / "course.json"
    trained = MLP(1, [6, 7, 2], init="course", rng=0)
    save(trained, path)
    fresh = MLP(1, [6, 7, 2], rng=1)  # default init
    load(fresh, path)
    assert fresh.state_dict() == trained.state_dict()


def test_a_model_entry_that_is_not_text_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "odd.json"
    model = MLP(1, [2], rng=0)
    document = _document(model, model.state_dict()) | {"model": 42}
    path.write_text(json.dumps(document))
    with pytest.raises(ValueError, match=r"odd.json: the 'model' entry must be a string, got 42"):
        load(model, path)


def test_loading_a_folder_names_the_folder_and_keeps_no_descriptor_open(tmp_path: Path) -> None:
    folder = tmp_path / "checkpoints"
    folder.mkdir()
    (tmp_path / "latest").symlink_to("checkpoints")
    model = nn.Neuron(2, rng=0)
    before = model.state_dict()
    open_before = len(os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else 0
    for path in (folder, tmp_path / "latest"):
        with pytest.raises(IsADirectoryError) as caught:
            nn.load(model, path)
        assert caught.value.filename == str(path) and str(path) in str(caught.value)
    if open_before:
        assert len(os.listdir("/proc/self/fd")) == open_before
    assert model.state_dict() == before


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_saving_a_non_finite_parameter_names_it_and_keeps_the_old_file(
    tmp_path: Path, bad: float
) -> None:
    model = nn.Neuron(2, rng=0)
    path = tmp_path / "neuron.json"
    save(model, path)
    before = path.read_bytes()
    model.parameters()[1].data = bad
    with pytest.raises(ValueError) as caught:
        save(model, path)
    message = str(caught.value)
    assert str(path) in message and "'w.1'" in message and repr(bad) in message
    assert path.read_bytes() == before and sorted(os.listdir(tmp_path)) == ["neuron.json"]
