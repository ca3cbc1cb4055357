"""Seeding and random-number-generator state, for reproducible runs.

On a CPU, PyTorch's kernels are deterministic for a given build, thread
count and input: seed every generator the run draws from and two runs
give the same weights bit for bit. (On a GPU some kernels are not
deterministic unless ``torch.use_deterministic_algorithms(True)``, which
:func:`seed_everything` can switch on.)
"""

from __future__ import annotations

import random

import numpy as np
import torch

from .._validation import check_int, check_keys

__all__ = ["get_rng_state", "seed_everything", "set_rng_state"]


def seed_everything(seed: int, deterministic: bool = False) -> None:
    """Seed Python's ``random``, numpy's global generator and PyTorch
    (CPU and every GPU). With ``deterministic``, also make PyTorch refuse
    nondeterministic kernels."""
    seed = check_int(seed, "seed", "seed_everything", minimum=0)
    random.seed(seed)
    # the legacy global generator is what user code calling np.random.*
    # draws from, so it is the one to seed
    np.random.seed(seed % 2**32)  # noqa: NPY002
    torch.manual_seed(seed)  # also seeds every CUDA device
    if deterministic:
        torch.use_deterministic_algorithms(True)


def get_rng_state(device: torch.device | None = None) -> dict:
    """The state of every global generator, as tensors and plain values
    (so it loads with ``torch.load(weights_only=True)``)."""
    kind, key, pos, gauss_next, cached = np.random.get_state()  # noqa: NPY002
    state = {
        "torch": torch.get_rng_state(),
        "numpy": {
            "kind": kind,
            "key": torch.from_numpy(key.astype(np.int64)),
            "pos": int(pos),
            "has_gauss": int(gauss_next),
            "cached_gaussian": float(cached),
        },
        "python": random.getstate(),
    }
    if device is not None and device.type == "cuda":
        state["cuda"] = torch.cuda.get_rng_state(device)
    return state


def set_rng_state(state: dict, device: torch.device | None = None) -> None:
    """Restore what :func:`get_rng_state` returned."""
    check_keys(state, ("torch", "numpy", "python"), "state", "set_rng_state")
    torch.set_rng_state(state["torch"])
    n = state["numpy"]
    key = n["key"].numpy().astype(np.uint32)
    np.random.set_state(  # noqa: NPY002
        (
            n["kind"],
            key,
            n["pos"],
            n["has_gauss"],
            n["cached_gaussian"],
        )
    )
    version, internal, gauss = state["python"]
    random.setstate((version, tuple(internal), gauss))
    if "cuda" in state and device is not None and device.type == "cuda":
        torch.cuda.set_rng_state(state["cuda"], device)
