"""Numeric precision of training: fp32, TF32, bf16 and fp16 autocast.

- ``"fp32"``: every operation in float32 (on a GPU, TF32 switched off, so
  it is really float32).
- ``"tf32"``: NVIDIA GPUs from Ampere on: matrix products and
  convolutions read their float32 inputs rounded to 10 mantissa bits
  (TensorFloat-32) and accumulate in float32. Weights, activations and
  the optimizer stay float32. CUDA only.
- ``"bf16"``: :func:`torch.autocast` runs matrix products and
  convolutions in bfloat16 (8 exponent bits, like float32, so the same
  range; 7 mantissa bits) and keeps reductions, losses and the weights
  in float32. No loss scaling is needed. Works on CPUs and on GPUs.
- ``"fp16"``: autocast to float16 (5 exponent bits: the largest value is
  65,504 and values below about 6e-8 become 0), with a
  :class:`torch.amp.GradScaler`: the loss is multiplied by a large
  scale before ``backward`` so that small gradients do not underflow,
  the gradients are divided by it before the step, and a step whose
  gradients overflowed is skipped and the scale lowered.
- ``"auto"``: bf16 where the hardware computes it natively (CUDA with
  bf16 support, a CPU with AVX-512 BF16 or AMX), fp16 with scaling on
  an older GPU, fp32 otherwise.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

import torch

__all__ = [
    "FLOAT_FORMATS",
    "PRECISIONS",
    "FloatFormat",
    "autocast",
    "cpu_has_native_bf16",
    "grad_scaler",
    "resolve_precision",
    "round_mantissa",
    "use_tf32",
]

PRECISIONS = ("fp32", "tf32", "bf16", "fp16", "auto")
_DTYPES = {"bf16": torch.bfloat16, "fp16": torch.float16}


@dataclass(frozen=True)
class FloatFormat:
    r"""A binary floating-point format: 1 sign bit, ``exponent_bits``,
    ``mantissa_bits`` (stored; the leading 1 of a normal number is
    implicit).

    A normal number is :math:`\pm 1.f \times 2^{E - b}` with bias
    :math:`b = 2^{e-1} - 1`; exponent field 0 holds the subnormals
    :math:`\pm 0.f \times 2^{1 - b}` and zero; the all-ones field holds
    infinities and NaN.
    """

    name: str
    exponent_bits: int
    mantissa_bits: int

    @property
    def bits(self) -> int:
        """Bits of storage (TF32 is stored in 32 bits, 19 of them used)."""
        return 1 + self.exponent_bits + self.mantissa_bits

    @property
    def bias(self) -> int:
        return 2 ** (self.exponent_bits - 1) - 1

    @property
    def max(self) -> float:
        """The largest finite value, :math:`(2 - 2^{-m}) 2^{b}`."""
        return (2 - 2.0**-self.mantissa_bits) * 2.0**self.bias

    @property
    def smallest_normal(self) -> float:
        """:math:`2^{1 - b}`: below it precision is lost gradually."""
        return 2.0 ** (1 - self.bias)

    @property
    def smallest_subnormal(self) -> float:
        """:math:`2^{1 - b - m}`: anything below half of it becomes 0."""
        return 2.0 ** (1 - self.bias - self.mantissa_bits)

    @property
    def eps(self) -> float:
        """The gap between 1 and the next value, :math:`2^{-m}`."""
        return 2.0**-self.mantissa_bits


FLOAT_FORMATS = {
    "fp32": FloatFormat("fp32", 8, 23),  # IEEE 754 single
    "tf32": FloatFormat("tf32", 8, 10),  # NVIDIA TensorFloat-32
    "bf16": FloatFormat("bf16", 8, 7),  # Google Brain bfloat16
    "fp16": FloatFormat("fp16", 5, 10),  # IEEE 754 half
}


def round_mantissa(x: torch.Tensor, bits: int) -> torch.Tensor:
    """Round float32 values to ``bits`` mantissa bits (to nearest, ties
    to even), keeping float32's exponent range: what TF32 (10 bits) and
    bfloat16 (7 bits) keep of a float32 input. Infinities and NaN pass
    through.
    """
    if not isinstance(x, torch.Tensor) or x.dtype != torch.float32:
        raise TypeError("round_mantissa: x must be a float32 tensor")
    if not isinstance(bits, int) or not 0 <= bits <= 23:
        raise ValueError(
            f"round_mantissa: bits must be an int in 0..23, got {bits!r}"
        )
    drop = 23 - bits
    if drop == 0:
        return x.clone()
    i = x.view(torch.int32)
    # add half a unit of the last kept bit, minus 1 if that bit is 0
    # (so that an exact tie rounds to the even neighbor), then cut
    keep = (i >> drop) & 1
    rounded = (i + (1 << (drop - 1)) - 1 + keep) & ~((1 << drop) - 1)
    out = rounded.view(torch.float32)
    return torch.where(torch.isfinite(x), out, x)


def cpu_has_native_bf16() -> bool:
    """Does this CPU compute bfloat16 in hardware (AVX-512 BF16 or AMX)?

    Without it, bf16 autocast on the CPU still works, but each bf16
    operation is converted to float32 and back, so it is slower than
    plain float32."""
    mkldnn = getattr(torch.ops, "mkldnn", None)
    probe = getattr(mkldnn, "_is_mkldnn_bf16_supported", None)
    try:
        return bool(probe()) if probe is not None else False
    except RuntimeError:
        return False


def resolve_precision(precision: str, device: torch.device) -> str:
    """Check ``precision`` for ``device``; turn ``"auto"`` into a choice."""
    if precision not in PRECISIONS:
        raise ValueError(
            f"precision must be one of {PRECISIONS}, got {precision!r}"
        )
    cuda = device.type == "cuda"
    if precision == "tf32" and not cuda:
        raise ValueError(
            "precision 'tf32' needs an NVIDIA GPU (Ampere or "
            f"newer); the device is {device}"
        )
    if precision != "auto":
        return precision
    if cuda:
        return "bf16" if torch.cuda.is_bf16_supported() else "fp16"
    if device.type == "cpu" and cpu_has_native_bf16():
        return "bf16"
    return "fp32"


def use_tf32(precision: str) -> None:
    """On CUDA, allow TF32 in matrix products and cuDNN convolutions for
    ``"tf32"``, ``"bf16"`` and ``"fp16"`` (the float32 operations left
    outside autocast) and forbid it for ``"fp32"``. A no-op elsewhere."""
    allow = precision != "fp32"
    torch.backends.cuda.matmul.allow_tf32 = allow
    torch.backends.cudnn.allow_tf32 = allow


def autocast(
    device: torch.device, precision: str
) -> contextlib.AbstractContextManager:
    """The context a forward pass and its loss run in."""
    if precision in _DTYPES:
        return torch.autocast(device.type, dtype=_DTYPES[precision])
    return contextlib.nullcontext()


def grad_scaler(device: torch.device, precision: str) -> torch.amp.GradScaler:
    """A :class:`torch.amp.GradScaler` for fp16, else a disabled one
    (whose ``scale``, ``step`` and ``update`` pass through)."""
    return torch.amp.GradScaler(device.type, enabled=precision == "fp16")
