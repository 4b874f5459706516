"""save/load: round trip, atomic writes, and refusal of files that are not ours."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import nn.persistence
from nn import MLP, load, save


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
