"""Checkpoints: checksummed, written atomically, read with
``weights_only=True``.

A checkpoint file is a short header and a ``torch.save`` archive::

    cnnbook-checkpoint-2\\n
    sha256:<64 hex digits>\\n
    <the bytes torch.save wrote for the state dict>

The SHA-256 covers every byte that is then loaded, so a file damaged on
disk or in a copy (one flipped bit in the weights) is refused, naming
the file, instead of loading wrong weights without complaint. The
checksum detects damage, not tampering (whoever can write the file can
write a matching checksum): ``torch.load(..., weights_only=True)``,
which reads only tensors and plain values and never runs code from the
file, is still what guards against a malicious file.

Before weights are copied into a model, their names and shapes are
compared with the model's: a checkpoint of another architecture is an
error that lists the differences, and the model is left untouched.
"""

from __future__ import annotations

import hashlib
import io
import os
import pickle
from pathlib import Path

import torch
import torch.nn as nn

from .._atomic import atomic_write
from .._validation import check_keys, check_path

__all__ = [
    "FORMAT",
    "check_compatible",
    "load_checkpoint",
    "load_model_weights",
    "save_checkpoint",
]

FORMAT = "cnnbook-checkpoint-2"  # bump if the layout changes
_MAGIC = FORMAT.encode() + b"\n"
_DIGEST = b"sha256:"
_HEADER = len(_MAGIC) + len(_DIGEST) + 64 + 1  # ... + hex digest + "\n"


def _header(payload: bytes) -> bytes:
    digest = hashlib.sha256(payload).hexdigest().encode()
    return _MAGIC + _DIGEST + digest + b"\n"


def save_checkpoint(path: str | os.PathLike, state: dict) -> Path:
    """Write ``state`` (a dict of tensors and plain values) to ``path``
    atomically, behind a header holding its SHA-256.

    The folder must exist. The state is serialized before the file is
    opened, so an object ``torch.save`` cannot write leaves no file at
    all; a temporary file left by a write that was killed is removed by
    the next write to the same path.
    """
    func = "save_checkpoint"
    path = check_path(path, "path", func)
    if not isinstance(state, dict) or not all(
        isinstance(k, str) for k in state
    ):
        raise TypeError(
            f"{func}: state must be a dict with str keys, got "
            f"{type(state).__name__}"
        )
    if not path.parent.is_dir():
        raise FileNotFoundError(
            f"{func}: the folder {path.parent} does not exist (create it "
            f"before saving {path.name})"
        )
    buffer = io.BytesIO()
    torch.save(dict(state), buffer)
    payload = buffer.getvalue()
    header = _header(payload)

    def write(handle):
        handle.write(header)
        handle.write(payload)

    return atomic_write(path, write)


def load_checkpoint(
    path: str | os.PathLike, map_location: str | torch.device = "cpu"
) -> dict:
    """Read a checkpoint written by :func:`save_checkpoint`.

    Raises ``FileNotFoundError`` naming the path, or ``ValueError`` naming
    it if the file is not such a checkpoint, is corrupted (its contents
    do not match its checksum), or holds pickled objects that
    ``weights_only`` refuses.
    """
    func = "load_checkpoint"
    path = check_path(path, "path", func)
    if not path.is_file():
        raise FileNotFoundError(
            f"{func}: {path} does not exist or is not a file"
        )
    raw = path.read_bytes()
    if not raw.startswith(_MAGIC):
        # Checkpoints written before they carried a checksum (format
        # "cnnbook-checkpoint-1", a bare torch.save zip archive) are
        # refused too: nothing could vouch for their bytes, and the book
        # has no readers holding such files yet.
        bare = raw.startswith(b"PK")
        raise ValueError(
            f"{func}: {path} is not a cnnbook checkpoint (format "
            f"{FORMAT!r}, a checksummed header before the weights); "
            + (
                "it is a bare torch.save archive (a state_dict, or a "
                "checkpoint saved before checkpoints carried a checksum): "
                "read a state_dict with torch.load(..., weights_only=True)"
                if bare
                else "the file starts with something else"
            )
        )
    digest = raw[len(_MAGIC) : _HEADER]
    payload = raw[_HEADER:]
    if (
        len(raw) < _HEADER
        or not digest.startswith(_DIGEST)
        or (raw[_HEADER - 1 : _HEADER] != b"\n")
    ):
        raise ValueError(
            f"{func}: {path} is corrupted: its header (format {FORMAT!r}, "
            "then 'sha256:' and 64 hex digits) is damaged or truncated"
        )
    if _header(payload) != raw[:_HEADER]:
        raise ValueError(
            f"{func}: {path} is corrupted: its contents do not match the "
            "SHA-256 checksum written when it was saved (the file was "
            "damaged or truncated after saving); use another copy or "
            "another checkpoint"
        )
    try:
        state = torch.load(
            io.BytesIO(payload), map_location=map_location, weights_only=True
        )
    except (
        pickle.UnpicklingError,
        RuntimeError,
        EOFError,
        OSError,
        ValueError,
    ) as err:
        raise ValueError(
            f"{func}: {path} is not a readable checkpoint (a "
            f"torch.save'd dict of tensors and plain values): {err}"
        ) from err
    if not isinstance(state, dict):
        raise ValueError(
            f"{func}: {path} holds a {type(state).__name__}, not the dict "
            "of a checkpoint"
        )
    return state


def check_compatible(model: nn.Module, weights: dict, where: str = "") -> None:
    """Raise ``ValueError`` unless ``weights`` has exactly the model's
    parameter and buffer names, with the same shapes."""
    func = "check_compatible"
    source = f"the weights{' in ' + where if where else ''}"
    if not isinstance(weights, dict):
        raise TypeError(
            f"{func}: {source} must be a state_dict (a dict of tensors), "
            f"got {type(weights).__name__}"
        )
    not_tensors = sorted(
        k for k, v in weights.items() if not isinstance(v, torch.Tensor)
    )
    if not_tensors:
        raise TypeError(
            f"{func}: {source} must be a state_dict (a dict of tensors); "
            f"{not_tensors[:5]} are not tensors"
        )
    own = {k: tuple(v.shape) for k, v in model.state_dict().items()}
    theirs = {k: tuple(v.shape) for k, v in weights.items()}
    missing = sorted(set(own) - set(theirs))
    unexpected = sorted(set(theirs) - set(own))
    shapes = sorted(
        f"{k}: checkpoint {theirs[k]}, model {own[k]}"
        for k in set(own) & set(theirs)
        if own[k] != theirs[k]
    )
    if missing or unexpected or shapes:
        parts = []
        if missing:
            parts.append(f"missing {missing[:5]}")
        if unexpected:
            parts.append(f"unexpected {unexpected[:5]}")
        if shapes:
            parts.append(f"different shapes {shapes[:5]}")
        raise ValueError(
            f"the checkpoint{' ' + where if where else ''} was saved from "
            f"another architecture than {type(model).__name__}: "
            + "; ".join(parts)
        )


def load_model_weights(
    model: nn.Module,
    path: str | os.PathLike,
    map_location: str | torch.device = "cpu",
) -> dict:
    """Load a checkpoint's model weights into ``model`` (checked first).

    Returns the whole checkpoint (epoch, history, ...).
    """
    state = load_checkpoint(path, map_location)
    check_keys(
        state, ("model",), f"the checkpoint {path}", "load_model_weights"
    )
    check_compatible(model, state["model"], f"{path}")
    model.load_state_dict(state["model"])
    return state
