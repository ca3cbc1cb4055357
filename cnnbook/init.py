r"""Weight initialization: He (Kaiming) and Xavier (Glorot), in numpy.

The point of both is to keep the *variance* of the signal roughly constant
from layer to layer. A layer computes :math:`y = \sum_{i=1}^{n} w_i x_i`;
with independent zero-mean weights of variance :math:`\sigma^2`,
:math:`\operatorname{Var}(y) = n \sigma^2 \mathbb{E}[x^2]`. So

- Xavier (Glorot & Bengio 2010), for roughly linear activations such as
  tanh near 0, balances the forward and backward passes:
  :math:`\sigma^2 = 2 / (n_\text{in} + n_\text{out})`;
- He (He et al. 2015), for ReLU, which zeroes half of its inputs and so
  halves :math:`\mathbb{E}[x^2]`, doubles it:
  :math:`\sigma^2 = 2 / n_\text{in}`.

Those are *variances*. The functions return new arrays (the in-place
PyTorch versions end in ``_``); their names, arguments and fan
computations are PyTorch's, and the tests compare them with
``torch.nn.init``.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence

import numpy as np
from numpy.typing import DTypeLike

from ._validation import as_generator, check_float_dtype, check_number

__all__ = [
    "calculate_fan_in_and_fan_out",
    "calculate_gain",
    "he_normal",
    "he_uniform",
    "kaiming_normal",
    "kaiming_std",
    "kaiming_uniform",
    "xavier_normal",
    "xavier_std",
    "xavier_uniform",
]

_LINEAR = (
    "linear",
    "conv1d",
    "conv2d",
    "conv3d",
    "conv_transpose1d",
    "conv_transpose2d",
    "conv_transpose3d",
    "sigmoid",
)


def _shape(shape, func):
    if isinstance(shape, numbers.Integral):
        shape = (shape,)
    try:
        if isinstance(shape, str) or not all(
            isinstance(s, numbers.Integral) for s in shape
        ):
            raise TypeError
        shape = tuple(int(s) for s in shape)
    except TypeError:
        raise TypeError(
            f"{func}: shape must be a tuple of ints, got {shape!r}"
        ) from None
    if any(s < 0 for s in shape):
        raise ValueError(f"{func}: shape must not be negative, got {shape}")
    return shape


def calculate_fan_in_and_fan_out(shape: Sequence[int]) -> tuple[int, int]:
    r"""Fan-in and fan-out of a weight of this shape, as PyTorch counts them.

    A weight is (out, in, *kernel): every output sums
    :math:`n_\text{in} = \text{in} \cdot k_h k_w` products, and every input
    feeds :math:`n_\text{out} = \text{out} \cdot k_h k_w` of them. A
    :math:`3 \times 3` convolution from 64 to 128 channels has
    :math:`n_\text{in} = 576` and :math:`n_\text{out} = 1152`.
    """
    return _fans(shape, "calculate_fan_in_and_fan_out")


def _fans(shape, func):
    shape = _shape(shape, func)
    if len(shape) < 2:
        raise ValueError(
            f"{func}: fan in and fan out can not be computed for a weight "
            f"with fewer than 2 dimensions, got shape {shape}"
        )
    receptive = math.prod(shape[2:])
    return shape[1] * receptive, shape[0] * receptive


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    r"""The gain PyTorch multiplies the standard deviation by.

    ReLU: :math:`\sqrt 2`; leaky ReLU with slope :math:`a`:
    :math:`\sqrt{2 / (1 + a^2)}`; tanh: 5/3; linear, convolutions and
    sigmoid: 1; SELU: 3/4.
    """
    return _gain(nonlinearity, param, "calculate_gain")


def _gain(nonlinearity, param, func, name="param"):
    if nonlinearity in _LINEAR:
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else check_number(param, name, func)
        return math.sqrt(2.0 / (1 + slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(
        f"{func}: unsupported nonlinearity {nonlinearity!r}; one of "
        f"{', '.join(_LINEAR + ('tanh', 'relu', 'leaky_relu', 'selu'))}"
    )


def _fan(shape, mode, func):
    fan_in, fan_out = _fans(shape, func)
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(
            f"{func}: mode must be 'fan_in' or 'fan_out', got {mode!r}"
        )
    fan = fan_in if mode == "fan_in" else fan_out
    if fan == 0:
        raise ValueError(f"{func}: the weight {shape} has no {mode}")
    return fan


def kaiming_std(
    shape: Sequence[int],
    a: float = 0.0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
) -> float:
    r"""He initialization's standard deviation:
    :math:`\text{gain} / \sqrt{\text{fan}}`; for ReLU,
    :math:`\sqrt{2 / n_\text{in}}` (so the *variance* is
    :math:`2 / n_\text{in}`).
    """
    return _kaiming_std(shape, a, mode, nonlinearity, "kaiming_std")


def _kaiming_std(shape, a, mode, nonlinearity, func):
    # `func` is the public function the caller called, for the messages
    fan = _fan(_shape(shape, func), mode, func)
    return _gain(nonlinearity, a, func, "a") / math.sqrt(fan)


def xavier_std(shape: Sequence[int], gain: float = 1.0) -> float:
    r"""Xavier initialization's standard deviation:
    :math:`\text{gain}\sqrt{2 / (n_\text{in} + n_\text{out})}`."""
    return _xavier_std(shape, gain, "xavier_std")


def _xavier_std(shape, gain, func):
    fan_in, fan_out = _fans(shape, func)
    gain = check_number(gain, "gain", func, minimum=0)
    return gain * math.sqrt(2.0 / (fan_in + fan_out))


def kaiming_normal(
    shape: Sequence[int],
    a: float = 0.0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    rng: np.random.Generator | int | None = None,
    dtype: DTypeLike = np.float64,
) -> np.ndarray:
    r"""He normal: :math:`w \sim \mathcal{N}(0, \sigma^2)`,
    :math:`\sigma = \text{gain}/\sqrt{\text{fan}}` (ReLU:
    :math:`\sigma^2 = 2/n_\text{in}`). Defaults are PyTorch's
    (``nonlinearity="leaky_relu"`` with ``a=0`` is ReLU's gain).
    """
    func = "kaiming_normal"
    dtype = check_float_dtype(dtype, "dtype", func)
    std = _kaiming_std(shape, a, mode, nonlinearity, func)
    draws = as_generator(rng, func).normal(0.0, std, _shape(shape, func))
    return draws.astype(dtype)


def kaiming_uniform(
    shape: Sequence[int],
    a: float = 0.0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    rng: np.random.Generator | int | None = None,
    dtype: DTypeLike = np.float64,
) -> np.ndarray:
    r"""He uniform: :math:`w \sim U(-b, b)` with
    :math:`b = \sqrt 3\,\sigma`, the same variance as :func:`kaiming_normal`
    (a uniform distribution on :math:`[-b, b]` has variance :math:`b^2/3`).
    """
    func = "kaiming_uniform"
    dtype = check_float_dtype(dtype, "dtype", func)
    bound = math.sqrt(3.0) * _kaiming_std(shape, a, mode, nonlinearity, func)
    draws = as_generator(rng, func).uniform(-bound, bound, _shape(shape, func))
    return draws.astype(dtype)


def xavier_normal(
    shape: Sequence[int],
    gain: float = 1.0,
    rng: np.random.Generator | int | None = None,
    dtype: DTypeLike = np.float64,
) -> np.ndarray:
    r"""Xavier normal: :math:`w \sim \mathcal{N}(0, \sigma^2)` with
    :math:`\sigma^2 = \text{gain}^2 \cdot 2/(n_\text{in} + n_\text{out})`.
    """
    func = "xavier_normal"
    dtype = check_float_dtype(dtype, "dtype", func)
    std = _xavier_std(shape, gain, func)
    draws = as_generator(rng, func).normal(0.0, std, _shape(shape, func))
    return draws.astype(dtype)


def xavier_uniform(
    shape: Sequence[int],
    gain: float = 1.0,
    rng: np.random.Generator | int | None = None,
    dtype: DTypeLike = np.float64,
) -> np.ndarray:
    r"""Xavier uniform: :math:`w \sim U(-b, b)`,
    :math:`b = \text{gain}\sqrt{6/(n_\text{in} + n_\text{out})}`."""
    func = "xavier_uniform"
    dtype = check_float_dtype(dtype, "dtype", func)
    bound = math.sqrt(3.0) * _xavier_std(shape, gain, func)
    draws = as_generator(rng, func).uniform(-bound, bound, _shape(shape, func))
    return draws.astype(dtype)


def he_normal(
    shape: Sequence[int],
    rng: np.random.Generator | int | None = None,
    dtype: DTypeLike = np.float64,
) -> np.ndarray:
    """He normal for ReLU, fan-in mode: :math:`\\sigma^2 = 2/n_\\text{in}`."""
    return kaiming_normal(shape, nonlinearity="relu", rng=rng, dtype=dtype)


def he_uniform(
    shape: Sequence[int],
    rng: np.random.Generator | int | None = None,
    dtype: DTypeLike = np.float64,
) -> np.ndarray:
    """He uniform for ReLU: :math:`b = \\sqrt{6/n_\\text{in}}`."""
    return kaiming_uniform(shape, nonlinearity="relu", rng=rng, dtype=dtype)
