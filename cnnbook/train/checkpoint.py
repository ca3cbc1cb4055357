"""Checkpoints: written atomically, read with ``weights_only=True``.

A checkpoint is a dict of tensors and plain values (no pickled classes),
so ``torch.load(path, weights_only=True)`` reads it without running code
from the file. Before weights are copied into a model, their names and
shapes are compared with the model's: a checkpoint of another
architecture is an error that lists the differences, and the model is
left untouched.
"""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import torch
import torch.nn as nn

from .._atomic import atomic_write

__all__ = [
    "FORMAT",
    "check_compatible",
    "load_checkpoint",
    "load_model_weights",
    "save_checkpoint",
]

FORMAT = "cnnbook-checkpoint-1"  # bump if the layout changes


def save_checkpoint(path: str | os.PathLike, state: dict) -> Path:
    """Write ``state`` (plus a format tag) to ``path`` atomically."""
    payload = {"format": FORMAT, **state}
    return atomic_write(path, lambda handle: torch.save(payload, handle))


def load_checkpoint(
    path: str | os.PathLike, map_location: str | torch.device = "cpu"
) -> dict:
    """Read a checkpoint written by :func:`save_checkpoint`.

    Raises ``FileNotFoundError`` naming the path, or ``ValueError`` if the
    file is not such a checkpoint (corrupt, truncated, or pickled objects
    that ``weights_only`` refuses).
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"load_checkpoint: {path} does not exist")
    try:
        state = torch.load(path, map_location=map_location, weights_only=True)
    except (
        pickle.UnpicklingError,
        RuntimeError,
        EOFError,
        OSError,
        ValueError,
    ) as err:
        raise ValueError(
            f"load_checkpoint: {path} is not a readable checkpoint (a "
            f"torch.save'd dict of tensors and plain values): {err}"
        ) from err
    if not isinstance(state, dict) or state.get("format") != FORMAT:
        raise ValueError(
            f"load_checkpoint: {path} is not a cnnbook checkpoint "
            f"(format {FORMAT!r}); for a bare state_dict use "
            "torch.load(..., weights_only=True) and model.load_state_dict"
        )
    return state


def check_compatible(model: nn.Module, weights: dict, where: str = "") -> None:
    """Raise ``ValueError`` unless ``weights`` has exactly the model's
    parameter and buffer names, with the same shapes."""
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
    check_compatible(model, state["model"], f"{path}")
    model.load_state_dict(state["model"])
    return state
