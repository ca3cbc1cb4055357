"""Checkpoints: atomic, weights-only, checked against the model."""

import hashlib
import io
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
from cnnbook.train.checkpoint import FORMAT


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
    with pytest.raises(
        ValueError,
        match="last.pt is not a cnnbook "
        "checkpoint.*starts with something else",
    ):
        load_checkpoint(path)
    torch.save({"weights": torch.zeros(1)}, path)
    with pytest.raises(ValueError, match="bare torch.save archive"):
        load_checkpoint(path)
    with pytest.raises(FileNotFoundError, match="missing.pt"):
        load_checkpoint(tmp_path / "missing.pt")


def _with_valid_header(path, obj):
    """A file with a correct checksum around any torch.save payload, as
    an attacker who can write the file can make."""
    buffer = io.BytesIO()
    torch.save(obj, buffer)
    payload = buffer.getvalue()
    digest = hashlib.sha256(payload).hexdigest().encode()
    path.write_bytes(FORMAT.encode() + b"\nsha256:" + digest + b"\n" + payload)


def test_checkpoint_refuses_pickled_code(tmp_path):
    class Evil:
        def __reduce__(self):
            return (os.system, ("echo pwned",))

    # the checksum only detects damage; weights_only refuses the code
    _with_valid_header(tmp_path / "evil.pt", {"x": Evil()})
    with pytest.raises(ValueError, match="evil.pt is not a readable"):
        load_checkpoint(tmp_path / "evil.pt")
    # the same file without the header is not even unpickled
    torch.save({"x": Evil()}, tmp_path / "bare.pt")
    with pytest.raises(ValueError, match="bare.pt is not a cnnbook"):
        load_checkpoint(tmp_path / "bare.pt")


def test_the_header_checksums_exactly_what_is_loaded(tmp_path):
    path = tmp_path / "c.pt"
    state = {"model": nn.Linear(3, 2).state_dict(), "epoch": 4}
    save_checkpoint(path, state)
    raw = path.read_bytes()
    header, payload = raw.split(b"\n", 2)[:2], raw.split(b"\n", 2)[2]
    assert header[0] == FORMAT.encode()
    assert (
        header[1] == b"sha256:" + hashlib.sha256(payload).hexdigest().encode()
    )
    loaded = torch.load(io.BytesIO(payload), weights_only=True)
    assert torch.equal(loaded["model"]["weight"], state["model"]["weight"])


def _weight_offset(raw, tensor):
    """Where the bytes of ``tensor`` lie in a saved checkpoint."""
    data = tensor.numpy().tobytes()
    offset = raw.find(data)
    assert offset > 0 and raw.count(data) == 1
    return offset


def test_one_flipped_byte_in_the_weights_is_refused(tmp_path):
    path = tmp_path / "best.pt"
    model = nn.Linear(30, 20)
    save_checkpoint(path, {"model": model.state_dict()})
    raw = bytearray(path.read_bytes())
    offset = _weight_offset(bytes(raw), model.weight.detach())
    raw[offset + 123] ^= 0x01  # one bit of one weight
    path.write_bytes(bytes(raw))
    # without the checksum, torch would load the damaged weight silently
    payload = bytes(raw).split(b"\n", 2)[2]
    damaged = torch.load(io.BytesIO(payload), weights_only=True)
    assert not torch.equal(damaged["model"]["weight"], model.weight)
    with pytest.raises(
        ValueError,
        match=r"best\.pt is corrupted: its "
        "contents do not match the SHA-256 checksum",
    ):
        load_checkpoint(path)
    with pytest.raises(ValueError, match=r"best\.pt is corrupted"):
        load_model_weights(nn.Linear(30, 20), path)


@pytest.mark.parametrize("cut", [10, 40, -1])
def test_a_truncated_checkpoint_is_refused(tmp_path, cut):
    path = tmp_path / "last.pt"
    save_checkpoint(path, {"epoch": 1, "w": torch.ones(100)})
    path.write_bytes(path.read_bytes()[:cut])
    with pytest.raises(
        ValueError,
        match=r"last\.pt is (corrupted|not a "
        "cnnbook checkpoint)",
    ):
        load_checkpoint(path)


def test_leftovers_of_an_interrupted_write_are_removed(tmp_path):
    path = tmp_path / "last.pt"
    # what a process killed while writing leaves (atomic_write's names)
    stale = [
        tmp_path / ".last.pt.k3j_9x2a.tmp",
        tmp_path / ".last.pt.00000000.tmp",
    ]
    for leftover in stale:
        leftover.write_bytes(b"half a checkpoint")
    other = tmp_path / ".best.pt.abcdefgh.tmp"  # another file's: kept
    other.write_bytes(b"x")
    save_checkpoint(path, {"epoch": 1})
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        ".best.pt.abcdefgh.tmp",
        "last.pt",
    ]
    assert load_checkpoint(path)["epoch"] == 1


def test_save_refuses_what_it_cannot_write(tmp_path):
    with pytest.raises(
        FileNotFoundError, match="folder .*nope does not exist"
    ):
        save_checkpoint(tmp_path / "nope" / "c.pt", {"epoch": 1})
    with pytest.raises(
        TypeError, match="state must be a dict with str keys, got list"
    ):
        save_checkpoint(tmp_path / "c.pt", [1, 2])
    assert list(tmp_path.iterdir()) == []
