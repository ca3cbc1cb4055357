"""Transfer learning: pretrained weights from a local file, and freezing.

:func:`load_pretrained` copies a state dict saved in torchvision's format
(``torch.save(model.state_dict(), path)``, e.g. the ImageNet weights
``resnet18-f37072fd.pth`` that torchvision downloads) into a model of the
zoo with the same architecture. It never downloads anything: the reader
fetches the file once, by any means, and passes its path.

:func:`freeze` makes part of a network a fixed feature extractor: no
gradients are computed for its parameters and it stays in evaluation
mode (batch normalization keeps its running statistics, dropout is off)
even when the whole model is put in training mode. :func:`unfreeze`
undoes it.
"""

from __future__ import annotations

import hashlib
import os
import re
import types
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

import torch
from torch import nn

__all__ = ["LoadReport", "freeze", "load_pretrained", "unfreeze"]

# torchvision (torch.hub) names its weight files NAME-HASH.pth, HASH being
# the first hex digits of the file's SHA-256 (e.g. resnet18-f37072fd.pth).
_NAME_HASH = re.compile(r"-([0-9a-f]{8,64})\.[A-Za-z0-9]+$")


class LoadReport(NamedTuple):
    """What :func:`load_pretrained` copied into the model."""

    loaded: tuple[str, ...]  # state-dict keys taken from the file
    skipped: tuple[str, ...]  # model keys kept as they were (``skip``)
    sha256: str  # SHA-256 of the file, hex

    def __repr__(self) -> str:
        return (
            f"LoadReport({len(self.loaded)} tensors loaded, "
            f"{len(self.skipped)} skipped, sha256 {self.sha256[:12]}...)"
        )


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _check_hash(
    path: Path, actual: str, expected, check_name: bool, func: str
) -> None:
    if expected is not None:
        if not isinstance(expected, str) or not re.fullmatch(
            r"[0-9a-fA-F]{8,64}", expected
        ):
            raise ValueError(
                f"{func}: sha256 must be 8 to 64 hex digits (the file's "
                f"SHA-256 or its first digits), got {expected!r}"
            )
        if not actual.startswith(expected.lower()):
            raise ValueError(
                f"{func}: {path} is not the expected file: its SHA-256 is "
                f"{actual[: len(expected)]}..., not {expected.lower()}... "
                "(a damaged or incomplete download, or another file)"
            )
    if check_name:
        match = _NAME_HASH.search(path.name)
        if match and not actual.startswith(match.group(1)):
            raise ValueError(
                f"{func}: {path} is damaged or incomplete: its name says "
                f"its SHA-256 starts with {match.group(1)}, but it starts "
                f"with {actual[: len(match.group(1))]} (download it again; "
                "check_name_hash=False skips this check)"
            )


def _read_state_dict(path: Path, func: str) -> dict:
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as err:  # any failure means: not readable
        # torch.load raises UnpicklingError, RuntimeError, EOFError,
        # IndexError, ... depending on where the bytes stop making sense
        first = str(err).strip().split("\n")[0]
        raise ValueError(
            f"{func}: {path} is not a readable state dict (truncated, "
            f"corrupted, or pickled objects that weights_only=True "
            f"refuses): {first}"
        ) from err
    if not isinstance(state, dict):
        raise ValueError(
            f"{func}: {path} holds a {type(state).__name__}, not a state "
            "dict (a dict of parameter names to tensors, as "
            "torch.save(model.state_dict(), path) writes)"
        )
    nested = [k for k, v in state.items() if isinstance(v, dict)]
    if nested:
        raise ValueError(
            f"{func}: {path} looks like a training checkpoint (its keys "
            f"include {sorted(map(str, state))[:6]}), not a state dict; "
            f"the weights are probably under {nested[0]!r}: save "
            f"torch.load(path, weights_only=True)[{nested[0]!r}] to a "
            "file of its own"
        )
    bad = [
        k
        for k, v in state.items()
        if not isinstance(k, str) or not isinstance(v, torch.Tensor)
    ]
    if bad:
        raise ValueError(
            f"{func}: {path} is not a state dict: {bad[0]!r} is not a "
            "tensor named by a str"
        )
    return state


def load_pretrained(
    model: nn.Module,
    path: str | os.PathLike,
    *,
    skip: Sequence[str] = (),
    sha256: str | None = None,
    check_name_hash: bool = True,
) -> LoadReport:
    """Copy weights saved in torchvision's format into ``model``.

    Every parameter and buffer of ``model`` must be in the file with the
    same name and shape, and the file must hold nothing else, except the
    keys that start with a prefix in ``skip``: those are neither read
    from the file nor required in it, and keep the model's own values.
    Use ``skip`` for a classifier that has another number of classes
    than the pretrained one (``skip=("fc.",)`` for a ResNet,
    ``("classifier.",)`` for VGG). Nothing is copied unless everything
    matches; a mismatch is a ``ValueError`` that names the keys.

    Parameters
    ----------
    model : nn.Module
    path : str or os.PathLike
        A local file written by ``torch.save(state_dict, path)``. Read
        with ``torch.load(weights_only=True)``: tensors and plain values
        only, never code. URLs are refused: this function never
        downloads.
    skip : str or sequence of str
        Key prefixes to leave out.
    sha256 : str, optional
        The file's SHA-256 (or its first 8 or more hex digits); a file
        that does not match is refused.
    check_name_hash : bool
        If the file name has torchvision's ``NAME-HASH.pth`` form, check
        that its SHA-256 starts with ``HASH`` (as ``torch.hub`` does).

    Returns
    -------
    LoadReport
        The keys loaded and skipped, and the file's SHA-256.
    """
    func = "load_pretrained"
    if not isinstance(model, nn.Module):
        raise TypeError(
            f"{func}: model must be a torch.nn.Module, got "
            f"{type(model).__name__}"
        )
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(
            f"{func}: path must be a str or os.PathLike, got "
            f"{type(path).__name__}"
        )
    if isinstance(path, str) and re.match(r"^[a-z][a-z0-9+.-]*://", path):
        raise ValueError(
            f"{func}: {path!r} is a URL; load_pretrained never downloads. "
            "Download the file yourself and pass its local path."
        )
    skip = (skip,) if isinstance(skip, str) else tuple(skip)
    if not all(isinstance(s, str) and s for s in skip):
        raise TypeError(
            f"{func}: skip must be key prefixes (non-empty str), got {skip!r}"
        )
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(
            f"{func}: {path} does not exist or is not a file"
        )
    digest = _sha256(path)
    _check_hash(path, digest, sha256, check_name_hash, func)
    state = _read_state_dict(path, func)
    own = model.state_dict()
    if (
        all(k.startswith("module.") for k in state)
        and state
        and not any(k.startswith("module.") for k in own)
    ):
        raise ValueError(
            f"{func}: every key in {path} starts with 'module.' (saved "
            "from an nn.DataParallel wrapper); strip the prefix: "
            "{k.removeprefix('module.'): v for k, v in state.items()}"
        )

    def skipped(key):
        return key.startswith(skip)

    merged = {k: v for k, v in state.items() if not skipped(k)}
    kept = tuple(k for k in own if skipped(k))
    merged.update({k: own[k] for k in kept})
    from ..train.checkpoint import check_compatible

    try:
        check_compatible(model, merged, str(path))
    except ValueError as err:
        hint = (
            ""
            if skip
            else (
                "; to keep the model's own classifier, pass "
                "skip=('<classifier prefix>.',)"
            )
        )
        raise ValueError(f"{func}: {err}{hint}") from None
    model.load_state_dict(merged)
    loaded = tuple(k for k in merged if not skipped(k))
    return LoadReport(loaded, kept, digest)


def _stay_in_eval(self, mode: bool = True):
    """``train()`` of a frozen module: it stays in evaluation mode, its
    children follow their own rule (an unfrozen child trains)."""
    self.training = False
    for child in self.children():
        child.train(mode)
    return self


def freeze(module: nn.Module) -> nn.Module:
    """Make ``module`` a fixed part of the network.

    Its parameters get ``requires_grad = False`` (autograd computes no
    gradient for them, so their ``.grad`` stays ``None`` and optimizers
    skip them), and it and its submodules are put in evaluation mode and
    kept there when the model's ``train()`` is called: batch
    normalization uses and keeps its running statistics, dropout is off.
    (``requires_grad = False`` alone leaves batch-norm statistics
    changing in training mode.) Returns ``module``.
    """
    if not isinstance(module, nn.Module):
        raise TypeError(
            f"freeze: module must be a torch.nn.Module, got "
            f"{type(module).__name__}"
        )
    for param in module.parameters():
        param.requires_grad_(False)
    for sub in module.modules():
        sub.train = types.MethodType(_stay_in_eval, sub)
        sub.training = False
    return module


def unfreeze(module: nn.Module, mode: bool = True) -> nn.Module:
    """Undo :func:`freeze` for ``module`` and all its submodules: their
    parameters require gradients again and ``train()`` works as usual.
    ``module`` is put in training mode (``mode=True``) or left in
    evaluation mode. Returns ``module``."""
    if not isinstance(module, nn.Module):
        raise TypeError(
            f"unfreeze: module must be a torch.nn.Module, got "
            f"{type(module).__name__}"
        )
    for sub in module.modules():
        sub.__dict__.pop("train", None)
    for param in module.parameters():
        param.requires_grad_(True)
    return module.train(bool(mode))
