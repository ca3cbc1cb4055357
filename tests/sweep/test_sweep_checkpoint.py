"""Sweep of cnnbook.train.checkpoint and the Trainer's checkpoint folder:
damaged or foreign files refused naming the file; leftovers of an
interrupted write removed; an unwritable folder refused before the first
epoch."""

import errno
import hashlib
import io
import os
import stat
import tempfile

import pytest
import torch
import torch.nn as nn
from _cases import case, check
from torch.utils.data import TensorDataset

from cnnbook import _atomic
from cnnbook.train import (
    TrainConfig,
    Trainer,
    check_compatible,
    load_checkpoint,
    load_model_weights,
    save_checkpoint,
    seed_everything,
)
from cnnbook.train.checkpoint import FORMAT

pytestmark = pytest.mark.sweep
SWEEP_MODULE = "train.checkpoint"
CK = "train.checkpoint"


def with_header(path, obj, digest=None):
    """``obj`` saved behind a header; ``digest`` overrides the checksum."""
    buffer = io.BytesIO()
    torch.save(obj, buffer)
    payload = buffer.getvalue()
    digest = digest or hashlib.sha256(payload).hexdigest().encode()
    path.write_bytes(FORMAT.encode() + b"\nsha256:" + digest + b"\n" + payload)


def flip_one_weight_byte(path):
    model = nn.Linear(30, 20)
    save_checkpoint(path, {"model": model.state_dict()})
    raw = bytearray(path.read_bytes())
    offset = bytes(raw).find(model.weight.detach().numpy().tobytes())
    raw[offset + 321] ^= 0x10
    path.write_bytes(bytes(raw))


def last_of_another_kind(path):
    save_checkpoint(path, {"kind": "final", "model": {}})


def partial_last(path):
    seed_everything(0)
    save_checkpoint(
        path, {"kind": "last", "model": model().state_dict(), "epoch": 1}
    )


def model():
    return nn.Sequential(nn.Flatten(), nn.Linear(16, 3))


def trainer(folder=None):
    seed_everything(0)
    data = TensorDataset(torch.rand(12, 1, 4, 4), torch.arange(12) % 3)
    return Trainer(
        model(),
        data,
        None,
        TrainConfig(
            epochs=1,
            batch_size=4,
            progress=False,
            checkpoint_dir=None if folder is None else str(folder),
        ),
    )


FILES = {
    # name: (write(path), call(path), error, fragments)
    "one flipped byte in the weights": (
        flip_one_weight_byte,
        load_checkpoint,
        ValueError,
        (
            "load_checkpoint:",
            "c.pt is corrupted",
            "do not match the SHA-256 checksum",
        ),
    ),
    "one flipped byte, through load_model_weights": (
        flip_one_weight_byte,
        lambda p: load_model_weights(nn.Linear(30, 20), p),
        ValueError,
        ("c.pt is corrupted", "SHA-256 checksum"),
    ),
    "a checksum of the wrong payload": (
        lambda p: with_header(p, {"epoch": 1}, digest=b"0" * 64),
        load_checkpoint,
        ValueError,
        ("c.pt is corrupted", "SHA-256 checksum"),
    ),
    "a header cut short": (
        lambda p: p.write_bytes(FORMAT.encode() + b"\nsha256:12"),
        load_checkpoint,
        ValueError,
        ("c.pt is corrupted", "its header", "64 hex digits"),
    ),
    "truncated weights": (
        lambda p: [
            save_checkpoint(p, {"w": torch.ones(50)}),
            p.write_bytes(p.read_bytes()[:-30]),
        ],
        load_checkpoint,
        ValueError,
        ("c.pt is corrupted", "SHA-256"),
    ),
    "a bare state_dict (or an old checkpoint without checksum)": (
        lambda p: torch.save(nn.Linear(2, 2).state_dict(), p),
        load_checkpoint,
        ValueError,
        (
            "c.pt is not a cnnbook checkpoint",
            FORMAT,
            "bare torch.save archive",
        ),
    ),
    "a text file": (
        lambda p: p.write_text("weights go here"),
        load_checkpoint,
        ValueError,
        ("c.pt is not a cnnbook checkpoint", "starts with something else"),
    ),
    "an empty file": (
        lambda p: p.write_bytes(b""),
        load_checkpoint,
        ValueError,
        ("c.pt is not a cnnbook checkpoint", FORMAT),
    ),
    "pickled code behind a valid checksum": (
        lambda p: with_header(p, {"run": print}),
        load_checkpoint,
        ValueError,
        (
            "c.pt is not a readable checkpoint",
            "dict of tensors and plain values",
        ),
    ),
    "a list instead of a dict": (
        lambda p: with_header(p, [1, 2]),
        load_checkpoint,
        ValueError,
        ("c.pt holds a list", "not the dict of a checkpoint"),
    ),
    "no model weights": (
        lambda p: save_checkpoint(p, {"epoch": 3}),
        lambda p: load_model_weights(nn.Linear(2, 2), p),
        ValueError,
        (
            "load_model_weights: the checkpoint",
            "c.pt lacks the keys ['model']",
        ),
    ),
    "model weights that are not a dict": (
        lambda p: save_checkpoint(p, {"model": [1, 2]}),
        lambda p: load_model_weights(nn.Linear(2, 2), p),
        TypeError,
        ("check_compatible: the weights in", "c.pt must be a state_dict"),
    ),
    "model weights of another architecture": (
        lambda p: save_checkpoint(p, {"model": nn.Linear(3, 2).state_dict()}),
        lambda p: load_model_weights(nn.Linear(4, 2), p),
        ValueError,
        (
            "c.pt was saved from another architecture than Linear",
            "weight: checkpoint (2, 3), model (2, 4)",
        ),
    ),
    "resuming from a best.pt": (
        lambda p: save_checkpoint(p, {"kind": "best", "model": {}}),
        lambda p: trainer().fit(resume_from=p),
        ValueError,
        (
            "Trainer:",
            "c.pt holds the best weights only",
            "resume from the last.pt",
        ),
    ),
    "resuming from a file of another kind": (
        last_of_another_kind,
        lambda p: trainer().fit(resume_from=p),
        ValueError,
        ("c.pt is not a last.pt written by a Trainer", "kind 'final'"),
    ),
    "resuming from a last.pt missing keys": (
        partial_last,
        lambda p: trainer().fit(resume_from=p),
        ValueError,
        (
            "Trainer.load_checkpoint: the checkpoint",
            "c.pt lacks the keys",
            "'optimizer'",
        ),
    ),
    "a folder instead of a file": (
        lambda p: p.mkdir(),
        load_checkpoint,
        FileNotFoundError,
        ("load_checkpoint:", "c.pt does not exist or is not a file"),
    ),
}


@pytest.mark.parametrize("name", list(FILES))
def test_bad_checkpoint_files_are_named(tmp_path, name):
    write, call, error, fragments = FILES[name]
    path = tmp_path / "c.pt"
    write(path)
    check(case(CK, name, lambda: call(path), error, *fragments).values[0])


ERRORS = [
    case(
        CK,
        "save_checkpoint of a list",
        lambda: save_checkpoint(tempfile.gettempdir() + "/c.pt", [1]),
        TypeError,
        "save_checkpoint: state",
        "a dict with str keys",
    ),
    case(
        CK,
        "save_checkpoint with int keys",
        lambda: save_checkpoint(tempfile.gettempdir() + "/c.pt", {1: 2}),
        TypeError,
        "save_checkpoint: state",
        "a dict with str keys",
    ),
    case(
        CK,
        "save_checkpoint into a missing folder",
        lambda: save_checkpoint("/nonexistent-cnnbook/c.pt", {}),
        FileNotFoundError,
        "save_checkpoint: the folder",
        "/nonexistent-cnnbook does not exist",
    ),
    case(
        CK,
        "save_checkpoint path None",
        lambda: save_checkpoint(None, {}),
        TypeError,
        "save_checkpoint: path",
        "str or pathlib.Path",
    ),
    case(
        CK,
        "load_checkpoint path None",
        lambda: load_checkpoint(None),
        TypeError,
        "load_checkpoint: path",
        "str or pathlib.Path",
    ),
    case(
        CK,
        "check_compatible of a list",
        lambda: check_compatible(nn.Linear(2, 2), [1]),
        TypeError,
        "check_compatible: the weights",
        "a dict of tensors",
    ),
    case(
        CK,
        "check_compatible of arrays",
        lambda: check_compatible(nn.Linear(2, 2), {"weight": [[1.0]]}),
        TypeError,
        "check_compatible: the weights",
        "['weight'] are not tensors",
    ),
]


@pytest.mark.parametrize("c", ERRORS)
def test_bad_input_is_refused_by_name(c):
    check(c)


def test_leftovers_of_an_interrupted_write_are_removed_by_the_next(tmp_path):
    # the names atomic_write gives its temporary files, as a process
    # killed mid-write leaves them
    for name in (
        ".last.pt.a1b2c3d4.tmp",
        ".best.pt.zz_9.tmp",
        ".history.json.q8w7e6r5.tmp",
    ):
        (tmp_path / name).write_bytes(b"half a file")
    (tmp_path / "notes.tmp").write_text("not ours: kept")
    trainer(tmp_path).fit()
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "history.json",
        "last.pt",
        "notes.tmp",
    ]


def test_a_checkpoint_folder_that_is_a_file_fails_at_construction(tmp_path):
    path = tmp_path / "runs"
    path.write_text("a file")
    with pytest.raises(
        NotADirectoryError,
        match="checkpoint_dir: .*runs is a file, not a folder",
    ):
        trainer(path)
    with pytest.raises(
        NotADirectoryError,
        match=r"runs is a file, not a "
        r"folder, so the folder .*runs/a cannot be created",
    ):
        trainer(path / "a")


def _chmod_stops_writes(folder) -> bool:
    """False where permissions do not apply (root, some file systems)."""
    try:
        (folder / "probe").write_text("x")
    except PermissionError:
        return True
    (folder / "probe").unlink()
    return False


def test_a_read_only_checkpoint_folder_fails_at_construction(tmp_path):
    folder = tmp_path / "runs"
    folder.mkdir()
    folder.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        if not _chmod_stops_writes(folder):
            pytest.skip(
                "chmod does not stop this user writing (root); "
                "the refusal itself is tested with the file "
                "system's refusal simulated below"
            )
        with pytest.raises(
            PermissionError, match="checkpoint_dir: cannot write in .*runs"
        ):
            trainer(folder)
    finally:
        folder.chmod(stat.S_IRWXU)


def test_a_folder_the_user_may_not_write_fails_at_construction(
    tmp_path, monkeypatch
):
    # what os.access answers for a chmod'ed folder when not root
    monkeypatch.setattr(_atomic.os, "access", lambda path, mode: False)
    with pytest.raises(
        PermissionError,
        match="checkpoint_dir: cannot "
        "write in .*, so the folder .*runs/new cannot be "
        "written",
    ):
        trainer(tmp_path / "runs" / "new")
    assert not (tmp_path / "runs").exists()  # nothing created


@pytest.mark.parametrize(
    "code",
    [errno.EACCES, errno.EROFS],
    ids=["permission denied", "read-only disk"],
)
def test_an_unwritable_folder_fails_before_the_first_epoch(
    tmp_path, monkeypatch, code
):
    run = trainer(tmp_path / "runs")
    epochs = []
    run.callbacks.append(lambda trainer, record: epochs.append(record))

    real = tempfile.mkstemp

    def refuse(*args, **kwargs):
        # the file system refuses the write test (and any other file)
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(_atomic.tempfile, "mkstemp", refuse)
    with pytest.raises(
        PermissionError,
        match=r"checkpoint_dir: cannot "
        r"write in the folder .*runs \(",
    ):
        run.fit()
    monkeypatch.setattr(_atomic.tempfile, "mkstemp", real)
    assert run.epoch == 0 and epochs == [] and len(run.history) == 0
