"""Pooling in numpy, NCHW, with PyTorch's argument names and semantics."""

from __future__ import annotations

import math

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .._validation import as_array, check_int, check_pair
from ..sizes import pool_output_size

__all__ = ["adaptive_avg_pool2d", "avg_pool2d", "max_pool2d"]


def _pool_geometry(x, kernel_size, stride, padding, dilation, ceil_mode,
                   func):
    """Check pooling arguments; return sizes and the padding to apply.

    Returns ``(kernel, stride, padding, dilation, out_size, extra)`` where
    ``extra`` is the additional bottom/right padding that ``ceil_mode``
    needs so that the last (partial) window can be read.
    """
    kernel = check_pair(kernel_size, "kernel_size", func, minimum=1)
    stride = kernel if stride is None else stride
    # PyTorch accepts stride=[] to mean "default"; we keep one spelling.
    stride = check_pair(stride, "stride", func, minimum=1)
    padding = check_pair(padding, "padding", func, minimum=0)
    dilation = check_pair(dilation, "dilation", func, minimum=1)
    h, w = x.shape[-2:]
    out, extra = [], []
    for axis, size, k, s, p, d in zip(
        ("height", "width"), (h, w), kernel, stride, padding, dilation,
        strict=True,
    ):
        try:
            o = pool_output_size(size, k, s, p, d, ceil_mode)
        except ValueError as err:
            raise ValueError(f"{func}: along the {axis}: {err}") from None
        span = d * (k - 1) + 1
        out.append(o)
        extra.append(max(0, (o - 1) * s + span - (size + 2 * p)))
    return kernel, stride, padding, dilation, tuple(out), tuple(extra)


def _windows(xp, kernel, stride, dilation, out):
    """View of all pooling windows: (..., H_out, W_out, kH, kW)."""
    span = [d * (k - 1) + 1 for k, d in zip(kernel, dilation, strict=True)]
    win = sliding_window_view(xp, span, axis=(-2, -1))
    win = win[
        ..., :: stride[0], :: stride[1], :: dilation[0], :: dilation[1]
    ]
    return win[..., : out[0], : out[1], :, :]


def max_pool2d(
    input,
    kernel_size,
    stride=None,
    padding=0,
    dilation=1,
    ceil_mode=False,
    return_indices=False,
):
    r"""Max pooling, as ``torch.nn.functional.max_pool2d``.

    .. math::

        y[n, c, i, j] = \max_{u < k_h,\, v < k_w}
            x_p[n, c,\; i s_h + u d_h,\; j s_w + v d_w]

    Padding is with :math:`-\infty`, so a padded position never wins.
    ``stride`` defaults to ``kernel_size``.

    Parameters
    ----------
    input : ndarray, shape (N, C, H, W) or (C, H, W)
    return_indices : bool
        Also return, for every output, the flat index ``row * W + col`` of
        the winning input position (PyTorch's convention); this is what the
        backward pass routes the gradient through.
    """
    func = "max_pool2d"
    x = as_array(input, "input", func, ndim=(3, 4))
    kernel, stride, padding, dilation, out, extra = _pool_geometry(
        x, kernel_size, stride, padding, dilation, ceil_mode, func
    )
    pad = [(0, 0)] * (x.ndim - 2) + [
        (padding[0], padding[0] + extra[0]),
        (padding[1], padding[1] + extra[1]),
    ]
    xp = np.pad(x, pad, constant_values=-np.inf)
    win = _windows(xp, kernel, stride, dilation, out)
    flat = win.reshape(*win.shape[:-2], -1)  # (..., H_out, W_out, kH*kW)
    y = flat.max(axis=-1)
    if not return_indices:
        return y
    best = flat.argmax(axis=-1)
    u, v = np.divmod(best, kernel[1])
    rows = np.arange(out[0])[:, None] * stride[0] - padding[0]
    cols = np.arange(out[1])[None, :] * stride[1] - padding[1]
    rows = rows + u * dilation[0]
    cols = cols + v * dilation[1]
    return y, rows * x.shape[-1] + cols


def avg_pool2d(
    input,
    kernel_size,
    stride=None,
    padding=0,
    ceil_mode=False,
    count_include_pad=True,
    divisor_override=None,
):
    r"""Average pooling, as ``torch.nn.functional.avg_pool2d``.

    .. math::

        y[n, c, i, j] = \frac{1}{|R_{ij}|}
            \sum_{(u, v) \in R_{ij}} x_p[n, c,\; i s_h + u,\; j s_w + v]

    :math:`|R_{ij}|` is :math:`k_h k_w` for a window inside the input. At
    the borders PyTorch counts the zero padding
    (``count_include_pad=True``) or only real inputs (``False``), and a
    ``ceil_mode`` window that runs past the padding is clipped;
    ``divisor_override`` replaces the count altogether.
    """
    func = "avg_pool2d"
    x = as_array(input, "input", func, ndim=(3, 4))
    kernel, stride, padding, dilation, out, extra = _pool_geometry(
        x, kernel_size, stride, padding, 1, ceil_mode, func
    )
    pad = [(0, 0)] * (x.ndim - 2) + [
        (padding[0], padding[0] + extra[0]),
        (padding[1], padding[1] + extra[1]),
    ]
    sums = _windows(np.pad(x, pad), kernel, stride, dilation, out).sum(
        axis=(-2, -1)
    )
    if divisor_override is not None:
        divisor = check_int(
            divisor_override, "divisor_override", func, minimum=1
        )
        return sums / divisor
    # The divisor of each window is the number of positions it covers that
    # count: real inputs, plus the zero padding if count_include_pad.
    h, w = x.shape[-2:]
    counted = np.zeros((h + 2 * padding[0] + extra[0],
                        w + 2 * padding[1] + extra[1]))
    if count_include_pad:
        counted[: h + 2 * padding[0], : w + 2 * padding[1]] = 1
    else:
        counted[padding[0]: padding[0] + h, padding[1]: padding[1] + w] = 1
    divisor = _windows(counted, kernel, stride, dilation, out).sum(
        axis=(-2, -1)
    )
    return (sums / divisor).astype(sums.dtype, copy=False)


def adaptive_avg_pool2d(input, output_size):
    r"""Adaptive average pooling, as ``F.adaptive_avg_pool2d``.

    Output cell :math:`(i, j)` averages rows
    :math:`\lfloor iH/H_o \rfloor \le r < \lceil (i+1)H/H_o \rceil` and the
    analogous columns. ``output_size=1`` is *global average pooling*:

    .. math:: \mathrm{GAP}(X)_c = \frac{1}{HW}\sum_{i,j} X_{c,i,j}

    Parameters
    ----------
    output_size : int or (int or None, int or None)
        ``None`` keeps that input size, as in PyTorch.
    """
    func = "adaptive_avg_pool2d"
    x = as_array(input, "input", func, ndim=(3, 4))
    h, w = x.shape[-2:]
    if isinstance(output_size, (tuple, list)):
        if len(output_size) != 2:
            raise ValueError(
                f"{func}: output_size must be an int or a pair, got "
                f"{output_size!r}"
            )
        output_size = (
            h if output_size[0] is None else output_size[0],
            w if output_size[1] is None else output_size[1],
        )
    ho, wo = check_pair(output_size, "output_size", func, minimum=1)
    rows = [(i * h // ho, math.ceil((i + 1) * h / ho)) for i in range(ho)]
    cols = [(j * w // wo, math.ceil((j + 1) * w / wo)) for j in range(wo)]
    y = np.empty(x.shape[:-2] + (ho, wo), dtype=x.dtype)
    for i, (r0, r1) in enumerate(rows):
        for j, (c0, c1) in enumerate(cols):
            y[..., i, j] = x[..., r0:r1, c0:c1].mean(axis=(-2, -1))
    return y
