"""Post-training static int8 quantization of a PyTorch CNN, on the CPU.

PyTorch's eager-mode recipe (``torch.ao.quantization``) in one call,
:func:`quantize_static`:

1. *fuse* each convolution with the batch normalization and ReLU after it
   (and each linear layer with its ReLU) into one layer, so that no
   8-bit value is stored between them (:func:`fusable_groups` finds
   them);
2. *prepare*: insert observers that record the range of every layer's
   input and output;
3. *calibrate*: run a few batches of real images through the network;
4. *convert*: replace each layer by its int8 version, with weights
   quantized per output channel (symmetric, 8-bit signed) and
   activations per tensor (affine, 8-bit unsigned) with the scales and
   zero points the observers chose.

PyTorch 2.13 still runs this recipe, but marks ``torch.ao.quantization``
and its quantized tensor types as deprecated, to be replaced by the
``torchao`` package; :func:`quantize_static` silences those warnings (and
says so). :func:`state_dict_bytes` and :func:`compare_latency` measure
what quantization is for: size and speed.
"""

from __future__ import annotations

import copy
import io
import statistics
import time
import warnings
from collections.abc import Iterable, Sequence

import torch
import torch.nn as nn

from .._validation import check_int

__all__ = [
    "compare_latency",
    "fusable_groups",
    "quantize_static",
    "quantized_engine",
    "state_dict_bytes",
]

# Consecutive modules that PyTorch's eager mode fuses into one layer.
_FUSABLE = (
    (nn.Conv2d, nn.BatchNorm2d, nn.ReLU),
    (nn.Conv2d, nn.BatchNorm2d),
    (nn.Conv2d, nn.ReLU),
    (nn.Linear, nn.ReLU),
)


def fusable_groups(model: nn.Module) -> list[list[str]]:
    """Names of the module groups in ``model`` that can be fused.

    Looks inside every ``nn.Sequential`` for consecutive children of the
    kinds conv-BN-ReLU, conv-BN, conv-ReLU and linear-ReLU (longest
    first), as ``torch.ao.quantization.fuse_modules`` expects them:
    ``[["features.0.0", "features.0.1", "features.0.2"], ...]``.
    """
    if not isinstance(model, nn.Module):
        raise TypeError(
            "fusable_groups: model must be a torch.nn.Module, "
            f"got {type(model).__name__}"
        )
    groups = []
    for name, module in model.named_modules():
        if not isinstance(module, nn.Sequential):
            continue
        children = list(module.named_children())
        i = 0
        while i < len(children):
            for pattern in _FUSABLE:
                window = children[i : i + len(pattern)]
                if len(window) == len(pattern) and all(
                    type(m) is kind
                    for (_, m), kind in zip(window, pattern, strict=True)
                ):
                    prefix = f"{name}." if name else ""
                    groups.append([prefix + n for n, _ in window])
                    i += len(pattern)
                    break
            else:
                i += 1
    return groups


def quantized_engine(backend: str | None = None) -> str:
    """Select PyTorch's quantized CPU engine and return its name.

    ``None`` picks ``"x86"`` (FBGEMM and oneDNN kernels) where this
    PyTorch supports it, else ``"qnnpack"`` (ARM). The engine is a
    global setting: a model converted under one engine must run under
    it.
    """
    engines = torch.backends.quantized.supported_engines
    if backend is None:
        backend = "x86" if "x86" in engines else "qnnpack"
    if backend not in engines:
        raise ValueError(
            f"quantized_engine: backend {backend!r} is not "
            f"supported here; supported: {engines}"
        )
    torch.backends.quantized.engine = backend
    return backend


def quantize_static(
    model: nn.Module, calibration: Iterable, backend: str | None = None
) -> nn.Module:
    """An int8 copy of ``model`` (in eval mode), calibrated on real data.

    Parameters
    ----------
    model : nn.Module
        A trained float model; it is not changed.
    calibration : iterable of tensors
        Batches of inputs ``(N, C, H, W)``, as the model expects them
        (normalized), that set the activations' ranges.
    backend : str, optional
        See :func:`quantized_engine`.

    Returns
    -------
    nn.Module
        ``QuantWrapper(model)`` converted: it takes and returns float
        tensors, and quantizes its input on the way in.
    """
    import torch.ao.quantization as tq

    func = "quantize_static"
    if not isinstance(model, nn.Module):
        raise TypeError(
            f"{func}: model must be a torch.nn.Module, got "
            f"{type(model).__name__}"
        )
    batches = (
        [calibration]
        if isinstance(calibration, torch.Tensor)
        else list(calibration)
    )
    if not batches or not all(
        isinstance(b, torch.Tensor) and b.ndim >= 2 for b in batches
    ):
        raise ValueError(
            f"{func}: calibration must be one or more input "
            "batches (tensors), got none or something else"
        )
    engine = quantized_engine(backend)
    float_model = copy.deepcopy(model).cpu().eval()
    with warnings.catch_warnings():
        # torch.ao.quantization is deprecated in favor of torchao; the
        # recipe still works in this PyTorch (2.13).
        warnings.filterwarnings("ignore", category=DeprecationWarning)
        warnings.filterwarnings("ignore", message=".*deprecated.*")
        warnings.filterwarnings("ignore", message=".*reduce_range.*")
        groups = fusable_groups(float_model)
        if groups:
            tq.fuse_modules(float_model, groups, inplace=True)
        wrapped = tq.QuantWrapper(float_model).eval()
        wrapped.qconfig = tq.get_default_qconfig(engine)
        tq.prepare(wrapped, inplace=True)
        with torch.no_grad():
            for batch in batches:
                wrapped(batch.cpu())
        tq.convert(wrapped, inplace=True)
    return wrapped


def state_dict_bytes(model: nn.Module) -> int:
    """Bytes that ``torch.save(model.state_dict(), file)`` writes: the size
    of the model on disk, scales, zero points and format included."""
    if not isinstance(model, nn.Module):
        raise TypeError(
            "state_dict_bytes: model must be a torch.nn.Module,"
            f" got {type(model).__name__}"
        )
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*deprecated.*")
        torch.save(model.state_dict(), buffer)
    return buffer.getbuffer().nbytes


def compare_latency(
    models: Sequence[nn.Module],
    x: torch.Tensor,
    repeats: int = 20,
    threads: int = 1,
    warmup: int = 3,
) -> list[float]:
    """Median seconds of one forward pass of each model on ``x``.

    The models run in turn (a, b, a, b, ...) so that a change in the
    machine's load hits all of them alike, without gradients, with
    ``threads`` CPU threads (restored afterwards). Timings are noisy:
    compare ratios measured in one call, on a quiet machine.
    """
    func = "compare_latency"
    models = list(models)
    if not models or not all(isinstance(m, nn.Module) for m in models):
        raise TypeError(
            f"{func}: models must be a non-empty sequence of torch.nn.Module"
        )
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"{func}: x must be a tensor, got {type(x).__name__}")
    repeats = check_int(repeats, "repeats", func, minimum=1)
    threads = check_int(threads, "threads", func, minimum=1)
    warmup = check_int(warmup, "warmup", func, minimum=0)
    times: list[list[float]] = [[] for _ in models]
    before = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        with torch.no_grad():
            for model in models:
                for _ in range(warmup):
                    model(x)
            for _ in range(repeats):
                for model, bucket in zip(models, times, strict=True):
                    start = time.perf_counter()
                    model(x)
                    bucket.append(time.perf_counter() - start)
    finally:
        torch.set_num_threads(before)
    return [statistics.median(bucket) for bucket in times]
