"""Checkpoints: atomic, weights-only, checked against the model."""

import os

import pytest
import torch
import torch.nn as nn

from cnnbook.train import (
    check_compatible,
    load_checkpoint,
    load_model_weights,
    save_checkpoint,
)


def test_round_trip(tmp_path):
    model = nn.Linear(3, 2)
    save_checkpoint(
        tmp_path / "c.pt",
        {"model": model.state_dict(), "epoch": 4, "note": "hi"},
    )
    other = nn.Linear(3, 2)
    state = load_model_weights(other, tmp_path / "c.pt")
    assert state["epoch"] == 4 and state["note"] == "hi"
    assert torch.equal(other.weight, model.weight)


def test_a_crash_while_writing_keeps_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "c.pt"
    save_checkpoint(path, {"epoch": 1})
    before = path.read_bytes()

    def dies(obj, handle):
        handle.write(b"half a checkpoint")
        raise KeyboardInterrupt

    monkeypatch.setattr(torch, "save", dies)
    with pytest.raises(KeyboardInterrupt):
        save_checkpoint(path, {"epoch": 2})
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["c.pt"]  # no temp left


def test_check_compatible_lists_the_differences():
    small, big = nn.Linear(3, 2), nn.Linear(4, 2)
    with pytest.raises(
        ValueError,
        match=r"different shapes \['weight: "
        r"checkpoint \(2, 4\), model \(2, 3\)'\]",
    ):
        check_compatible(small, big.state_dict())
    seq = nn.Sequential(nn.Linear(3, 2))
    with pytest.raises(
        ValueError,
        match=r"missing \['bias', 'weight'\]; "
        r"unexpected \['0.bias'",
    ):
        check_compatible(small, seq.state_dict())
    check_compatible(small, nn.Linear(3, 2).state_dict())  # no error


def test_corrupt_checkpoint_is_named(tmp_path):
    path = tmp_path / "last.pt"
    path.write_bytes(b"not a checkpoint")
    with pytest.raises(ValueError, match="last.pt is not a readable"):
        load_checkpoint(path)
    torch.save({"weights": torch.zeros(1)}, path)
    with pytest.raises(ValueError, match="not a cnnbook checkpoint"):
        load_checkpoint(path)
    with pytest.raises(FileNotFoundError, match="missing.pt"):
        load_checkpoint(tmp_path / "missing.pt")


def test_checkpoint_refuses_pickled_code(tmp_path):
    class Evil:
        def __reduce__(self):
            return (os.system, ("echo pwned",))

    torch.save(
        {"format": "cnnbook-checkpoint-1", "x": Evil()}, tmp_path / "evil.pt"
    )
    with pytest.raises(ValueError, match="evil.pt is not a readable"):
        load_checkpoint(tmp_path / "evil.pt")
