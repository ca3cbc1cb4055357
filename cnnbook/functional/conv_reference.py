r"""Convolution written as loops that read like the formulas.

- :func:`conv2d_reference` / :func:`conv2d_backward_reference`: the
  formulas of :func:`~cnnbook.functional.conv2d` and its three gradients,
  one loop per index; slow, for small examples, for reading, and as the
  tests' second opinion;
- :func:`correlate2d` / :func:`convolve2d`: single-channel
  cross-correlation and true (kernel-flipped) convolution, the operations
  of chapter 4's first section.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from .._validation import as_array, check_spatial_size
from ._conv_geometry import conv_arrays, geometry, pad_input
from .conv import conv2d

__all__ = [
    "conv2d_backward_reference",
    "conv2d_reference",
    "convolve2d",
    "correlate2d",
]


def conv2d_reference(
    input: ArrayLike,
    weight: ArrayLike,
    bias: ArrayLike | None = None,
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] | str = 0,
    dilation: int | tuple[int, int] = 1,
    groups: int = 1,
) -> np.ndarray:
    r"""The formula of :func:`conv2d`, written as loops (slow; for reading).

    .. math::

        y[n, o, i, j] = b[o] + \sum_{c, u, v}
            w[o, c, u, v]\;
            x_p[n,\; g(o) + c,\; i s_h + u d_h,\; j s_w + v d_w]

    One loop per free index of :math:`y`; the sum over :math:`(c, u, v)`
    is the window times the kernel, summed.
    """
    func = "conv2d_reference"
    x, w, b = conv_arrays(func, input, weight, bias)
    geo = geometry(func, x.shape, w.shape, stride, padding, dilation, groups)
    xp = pad_input(x, geo)
    (sh, sw), (dh, dw) = geo.stride, geo.dilation
    y = np.zeros(
        (geo.n, geo.c_out, geo.h_out, geo.w_out), np.result_type(x, w)
    )
    for n in range(geo.n):
        for o in range(geo.c_out):
            first = (o // geo.out_per_group) * geo.c_per_group  # g(o)
            channels = slice(first, first + geo.c_per_group)
            for i in range(geo.h_out):
                for j in range(geo.w_out):
                    window = xp[
                        n,
                        channels,
                        i * sh : i * sh + dh * (geo.kh - 1) + 1 : dh,
                        j * sw : j * sw + dw * (geo.kw - 1) + 1 : dw,
                    ]
                    y[n, o, i, j] = np.sum(w[o] * window)
            if b is not None:
                y[n, o] += b[o]
    return y


def conv2d_backward_reference(
    grad_output: ArrayLike,
    input: ArrayLike,
    weight: ArrayLike,
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] | str = 0,
    dilation: int | tuple[int, int] = 1,
    groups: int = 1,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""The three gradients of :func:`conv2d`, as loops (slow; for reading).

    Every output pixel :math:`y[n, o, i, j]` was the window times the
    kernel plus the bias, so its gradient :math:`\delta[n, o, i, j]`

    - adds to the bias gradient: :math:`\partial b[o] \mathrel{+}= \delta`;
    - adds the window, scaled, to the kernel's gradient:
      :math:`\partial w[o] \mathrel{+}= \delta \cdot \text{window}`;
    - adds the kernel, scaled, to the window's gradient:
      :math:`\partial \text{window} \mathrel{+}= \delta \cdot w[o]`.

    Returns
    -------
    grad_input, grad_weight, grad_bias
    """
    func = "conv2d_backward_reference"
    x, w, _ = conv_arrays(func, input, weight, None)
    g = as_array(grad_output, "grad_output", func, ndim=4)
    geo = geometry(func, x.shape, w.shape, stride, padding, dilation, groups)
    xp = pad_input(x, geo)
    (sh, sw), (dh, dw) = geo.stride, geo.dilation
    grad_xp = np.zeros_like(xp)
    grad_w = np.zeros_like(w)
    grad_b = np.zeros(geo.c_out, w.dtype)
    for n in range(geo.n):
        for o in range(geo.c_out):
            first = (o // geo.out_per_group) * geo.c_per_group
            channels = slice(first, first + geo.c_per_group)
            for i in range(geo.h_out):
                for j in range(geo.w_out):
                    rows = slice(i * sh, i * sh + dh * (geo.kh - 1) + 1, dh)
                    cols = slice(j * sw, j * sw + dw * (geo.kw - 1) + 1, dw)
                    delta = g[n, o, i, j]
                    grad_b[o] += delta
                    grad_w[o] += delta * xp[n, channels, rows, cols]
                    grad_xp[n, channels, rows, cols] += delta * w[o]
    (pt, _), (pl, _) = geo.pad
    grad_x = grad_xp[:, :, pt : pt + geo.h, pl : pl + geo.w]
    return grad_x, grad_w, grad_b


def _check_2d_pair(func, image, kernel, mode):
    a = as_array(image, "image", func, ndim=2)
    k = as_array(kernel, "kernel", func, ndim=2)
    check_spatial_size(a.shape, func, "image")
    check_spatial_size(k.shape, func, "kernel")
    if mode not in ("valid", "full"):
        raise ValueError(
            f"{func}: mode must be 'valid' or 'full', got {mode!r}"
        )
    if mode == "valid" and (
        k.shape[0] > a.shape[0] or k.shape[1] > a.shape[1]
    ):
        raise ValueError(
            f"{func}: in 'valid' mode the kernel {k.shape} must fit in the "
            f"image {a.shape}"
        )
    return a, k


def correlate2d(
    image: ArrayLike, kernel: ArrayLike, mode: str = "valid"
) -> np.ndarray:
    r"""Cross-correlation of one 2-D image with one 2-D kernel.

    .. math:: (I \star K)[i, j] = \sum_{m, n} I[i + m, j + n]\, K[m, n]

    This is what CNN libraries call convolution. ``mode="full"`` pads the
    image with ``k - 1`` zeros on every side, so every overlap counts
    (the output grows by ``k - 1``); ``"valid"`` keeps only full overlaps.
    Matches ``scipy.signal.correlate2d``.
    """
    a, k = _check_2d_pair("correlate2d", image, kernel, mode)
    pad = 0 if mode == "valid" else (k.shape[0] - 1, k.shape[1] - 1)
    return conv2d(a[None, None], k[None, None], padding=pad)[0, 0]


def convolve2d(
    image: ArrayLike, kernel: ArrayLike, mode: str = "valid"
) -> np.ndarray:
    r"""True (mathematical) 2-D convolution: the kernel is flipped.

    .. math:: (I * K)[i, j] = \sum_{m, n} I[i - m, j - n]\, K[m, n]

    Equivalently, cross-correlation with the kernel rotated by 180
    degrees: ``correlate2d(image, kernel[::-1, ::-1])``. Unlike
    correlation it is commutative, :math:`I * K = K * I` (in "full" mode).
    Matches ``scipy.signal.convolve2d``.
    """
    a, k = _check_2d_pair("convolve2d", image, kernel, mode)
    return correlate2d(a, k[::-1, ::-1], mode)
