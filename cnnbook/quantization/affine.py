r"""Uniform (affine) quantization in numpy: the formulas of chapter 10.

A real number :math:`x` is stored as an integer code :math:`q` in
:math:`[q_\min, q_\max]` (0..255 for 8 unsigned bits, -128..127 for 8
signed bits) with a *scale* :math:`s > 0` and a *zero point* :math:`z`:

.. math::

    q = \operatorname{clamp}\bigl(\operatorname{round}(x / s + z),
        q_\min, q_\max\bigr), \qquad \hat x = s\,(q - z).

Rounding is to the nearest integer, ties to even (numpy's and PyTorch's
rule). Within the range the codes cover,
:math:`s(q_\min - z) \le x \le s(q_\max - z)`, the round trip is off by at
most half a step, :math:`|\hat x - x| \le s/2`; outside it, ``clamp``
saturates and the error grows with the distance.

:func:`minmax_qparams` chooses :math:`s` and :math:`z` from the smallest
and largest value to be stored (min-max calibration), in three schemes:

- ``"affine"`` (PyTorch's default, ``MinMaxObserver``; Jacob et al.
  2018): the range is widened to include 0 and :math:`z` is an integer,
  so that 0 (zero padding, every ReLU output that is 0) is stored
  exactly;
- ``"symmetric"`` (PyTorch's default for weights): :math:`z` fixed (0 for
  signed codes), :math:`s = \max|x| / ((q_\max - q_\min)/2)`;
- ``"float_qparams"``: :math:`s = (x_\max - x_\min)/(q_\max - q_\min)`
  and the real-valued :math:`z = -x_\min / s`, which makes :math:`q =
  \operatorname{round}((x - x_\min)/(x_\max - x_\min) \cdot 255)`: the
  encyclopedia's formula, PyTorch's ``per_channel_affine_float_qparams``.
  Zero is then not stored exactly.

Each function works per tensor (scalar ``scale`` and ``zero_point``) or
per channel (one per index along ``axis``).
"""

from __future__ import annotations

import numbers

import numpy as np
from numpy.typing import ArrayLike

from .._validation import as_array, check_int

__all__ = [
    "INT8",
    "SCHEMES",
    "UINT8",
    "dequantize",
    "fake_quantize",
    "minmax_qparams",
    "quantize",
]

UINT8 = (0, 255)  # codes of torch.quint8 / numpy.uint8
INT8 = (-128, 127)  # codes of torch.qint8 / numpy.int8
SCHEMES = ("affine", "symmetric", "float_qparams")
# PyTorch's observers never use a scale below float32's epsilon (a
# constant tensor would otherwise give s = 0 and divide by it).
_EPS = float(np.finfo(np.float32).eps)


def _code_range(qmin, qmax, func):
    qmin = check_int(qmin, "qmin", func)
    qmax = check_int(qmax, "qmax", func)
    if qmax <= qmin:
        raise ValueError(
            f"{func}: qmax must be > qmin, got qmin={qmin}, qmax={qmax}"
        )
    return qmin, qmax


def _finite(array, name, func):
    if array.size and not np.isfinite(array).all():
        raise ValueError(f"{func}: {name} must be finite (no NaN or inf)")
    return array


def minmax_qparams(
    x_min: ArrayLike,
    x_max: ArrayLike,
    qmin: int = 0,
    qmax: int = 255,
    scheme: str = "affine",
) -> tuple[np.ndarray, np.ndarray]:
    r"""Scale and zero point that store ``[x_min, x_max]`` in the codes
    ``qmin..qmax``.

    ``"affine"``: :math:`m_- = \min(x_\min, 0)`, :math:`m_+ =
    \max(x_\max, 0)`, :math:`s = (m_+ - m_-)/(q_\max - q_\min)`,
    :math:`z = \operatorname{clamp}(q_\min - \operatorname{round}(m_-/s),
    q_\min, q_\max)`, as PyTorch's ``MinMaxObserver``.
    ``"symmetric"``: :math:`s = \max(-m_-, m_+)/((q_\max - q_\min)/2)`,
    :math:`z = 0` for signed codes, 128 for 0..255.
    ``"float_qparams"``: :math:`s = (x_\max - x_\min)/(q_\max - q_\min)`,
    :math:`z = q_\min - x_\min / s` (a real number).
    The scale is at least float32's epsilon.

    Parameters
    ----------
    x_min, x_max : float or array
        Smallest and largest value to store; arrays (one per channel)
        give per-channel parameters.
    qmin, qmax : int
        The integer codes (:data:`UINT8` or :data:`INT8` for 8 bits).
    scheme : str
        One of :data:`SCHEMES`.

    Returns
    -------
    scale : float64 array (shape of ``x_min``)
    zero_point : int64 array, or float64 for ``"float_qparams"``
    """
    func = "minmax_qparams"
    lo = _finite(as_array(x_min, "x_min", func), "x_min", func)
    hi = _finite(as_array(x_max, "x_max", func), "x_max", func)
    if lo.shape != hi.shape:
        raise ValueError(
            f"{func}: x_min {lo.shape} and x_max {hi.shape} "
            "must have the same shape"
        )
    if (lo > hi).any():
        raise ValueError(f"{func}: x_min must be <= x_max")
    qmin, qmax = _code_range(qmin, qmax, func)
    if scheme not in SCHEMES:
        raise ValueError(
            f"{func}: scheme must be one of {SCHEMES}, got {scheme!r}"
        )
    lo, hi = lo.astype(np.float64), hi.astype(np.float64)
    levels = qmax - qmin
    if scheme == "float_qparams":
        scale = (hi - lo) / levels
        # PyTorch: a constant channel gets scale 1 (its codes are all 0)
        scale = np.where(scale > _EPS, scale, 1.0)
        return scale, qmin - lo / scale
    neg, pos = np.minimum(lo, 0.0), np.maximum(hi, 0.0)
    if scheme == "symmetric":
        scale = np.maximum(np.maximum(-neg, pos) / (levels / 2), _EPS)
        middle = 0 if qmin < 0 else (qmin + qmax + 1) // 2
        return scale, np.full(scale.shape, middle, dtype=np.int64)
    scale = np.maximum((pos - neg) / levels, _EPS)
    zero_point = np.clip(qmin - np.round(neg / scale), qmin, qmax)
    return scale, zero_point.astype(np.int64)


def _broadcast(values, name, x, axis, func):
    """Scale or zero point shaped to broadcast against ``x`` along
    ``axis`` (per channel), or a scalar (per tensor)."""
    v = np.asarray(values)
    if v.dtype.kind not in "iuf":
        raise TypeError(
            f"{func}: {name} must be a number or an array of "
            f"numbers, got dtype {v.dtype}"
        )
    if axis is None:
        if v.size != 1:
            raise ValueError(
                f"{func}: {name} has {v.size} values; pass axis=... for "
                "per-channel quantization, or one value per tensor"
            )
        return v.reshape(())
    axis = check_int(axis, "axis", func)
    if not -x.ndim <= axis < x.ndim:
        raise ValueError(
            f"{func}: axis {axis} is out of range for an "
            f"array of shape {x.shape}"
        )
    axis %= x.ndim
    if v.shape != (x.shape[axis],):
        raise ValueError(
            f"{func}: {name} must have one value per index of axis {axis}, "
            f"shape ({x.shape[axis]},), got {v.shape}"
        )
    shape = [1] * x.ndim
    shape[axis] = x.shape[axis]
    return v.reshape(shape)


def _qparams(x, scale, zero_point, axis, func):
    s = _broadcast(scale, "scale", x, axis, func).astype(np.float64)
    z = _broadcast(zero_point, "zero_point", x, axis, func)
    if not (np.isfinite(s).all() and (s > 0).all()):
        raise ValueError(f"{func}: scale must be positive and finite")
    if not np.isfinite(z).all():
        raise ValueError(f"{func}: zero_point must be finite")
    return s, z


def quantize(
    x: ArrayLike,
    scale: ArrayLike,
    zero_point: ArrayLike,
    qmin: int = 0,
    qmax: int = 255,
    axis: int | None = None,
) -> np.ndarray:
    r"""Integer codes :math:`q = \operatorname{clamp}(\operatorname{round}
    (x/s + z), q_\min, q_\max)`.

    Per tensor (scalar ``scale``, ``zero_point``) or per channel (one of
    each per index along ``axis``), as ``torch.quantize_per_tensor`` and
    ``torch.quantize_per_channel``. Returns int64 codes; store them as
    ``uint8`` or ``int8`` to use one byte each.
    """
    func = "quantize"
    x = _finite(as_array(x, "x", func), "x", func)
    qmin, qmax = _code_range(qmin, qmax, func)
    s, z = _qparams(x, scale, zero_point, axis, func)
    if (
        isinstance(zero_point, numbers.Integral)
        or np.asarray(zero_point).dtype.kind in "iu"
    ):
        # an integer zero point is added after rounding, as PyTorch does
        q = np.round(x / s) + z
    else:
        q = np.round(x / s + z)
    return np.clip(q, qmin, qmax).astype(np.int64)


def dequantize(
    q: ArrayLike,
    scale: ArrayLike,
    zero_point: ArrayLike,
    axis: int | None = None,
) -> np.ndarray:
    r"""Real values :math:`\hat x = s\,(q - z)` of integer codes (float64)."""
    func = "dequantize"
    codes = np.asarray(q)
    if codes.dtype.kind not in "iu":
        raise TypeError(
            f"{func}: q must hold integer codes, got dtype {codes.dtype}"
        )
    s, z = _qparams(codes, scale, zero_point, axis, func)
    return s * (codes.astype(np.float64) - z)


def fake_quantize(
    x: ArrayLike,
    scale: ArrayLike,
    zero_point: ArrayLike,
    qmin: int = 0,
    qmax: int = 255,
    axis: int | None = None,
) -> np.ndarray:
    r""":math:`\hat x`: ``x`` quantized and dequantized, as
    ``torch.fake_quantize_per_tensor_affine`` (``..._per_channel_...``).
    The difference :math:`\hat x - x` is the quantization error."""
    q = quantize(x, scale, zero_point, qmin, qmax, axis)
    return dequantize(q, scale, zero_point, axis)
