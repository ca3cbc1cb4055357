"""Pooling in numpy, NCHW, with PyTorch's argument names and semantics."""

from __future__ import annotations

import math

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from numpy.typing import ArrayLike

from .._validation import (
    as_array,
    check_bool,
    check_grad_output_shape,
    check_int,
    check_pair,
    check_spatial_size,
)
from ..sizes import pool_output_size

__all__ = [
    "adaptive_avg_pool2d",
    "adaptive_avg_pool2d_backward",
    "avg_pool2d",
    "avg_pool2d_backward",
    "max_pool2d",
    "max_pool2d_backward",
]


def _pool_geometry(x, kernel_size, stride, padding, dilation, ceil_mode, func):
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
    ceil_mode = check_bool(ceil_mode, "ceil_mode", func)
    check_spatial_size(x.shape, func)
    h, w = x.shape[-2:]
    out, extra = [], []
    for axis, size, k, s, p, d in zip(
        ("height", "width"),
        (h, w),
        kernel,
        stride,
        padding,
        dilation,
        strict=True,
    ):
        try:
            o = pool_output_size(size, k, s, p, d, ceil_mode)
        except ValueError as err:
            # pool_output_size names itself; the caller is `func`
            reason = str(err).split(": ", 1)[-1]
            raise ValueError(f"{func}: along the {axis}: {reason}") from None
        span = d * (k - 1) + 1
        out.append(o)
        extra.append(max(0, (o - 1) * s + span - (size + 2 * p)))
    return kernel, stride, padding, dilation, tuple(out), tuple(extra)


def _windows(xp, kernel, stride, dilation, out):
    """View of all pooling windows: (..., H_out, W_out, kH, kW)."""
    span = [d * (k - 1) + 1 for k, d in zip(kernel, dilation, strict=True)]
    win = sliding_window_view(xp, span, axis=(-2, -1))
    win = win[..., :: stride[0], :: stride[1], :: dilation[0], :: dilation[1]]
    return win[..., : out[0], : out[1], :, :]


def _avg_divisor(size, kernel, stride, padding, out, extra, count_include_pad):
    """The divisor of each average-pooling window, shape (H_out, W_out).

    It is the number of positions the window covers that count: real
    inputs, plus the zero padding if ``count_include_pad`` (never the
    extra positions that ``ceil_mode`` reads past the padding).
    """
    h, w = size
    counted = np.zeros(
        (h + 2 * padding[0] + extra[0], w + 2 * padding[1] + extra[1])
    )
    if count_include_pad:
        counted[: h + 2 * padding[0], : w + 2 * padding[1]] = 1
    else:
        counted[padding[0] : padding[0] + h, padding[1] : padding[1] + w] = 1
    return _windows(counted, kernel, stride, (1, 1), out).sum(axis=(-2, -1))


def _max_pool(
    func,
    input,
    kernel_size,
    stride,
    padding,
    dilation,
    ceil_mode,
    with_winners,
):
    """Max pooling as PyTorch computes it; returns ``(y, index, real)``.

    ``index`` is the flat index of each window's winner and ``real``
    whether that winner is an input position (a window entirely in the
    padding, possible with dilation, has none); both are None unless
    ``with_winners``.

    Like PyTorch, only input positions compete (the padding never
    wins, even against an input of -inf), and a NaN always wins: a later
    NaN in the window replaces an earlier one, so NaN propagates, as a
    maximum of unknown values should.
    """
    x = as_array(input, "input", func, ndim=(3, 4))
    kernel, stride, padding, dilation, out, extra = _pool_geometry(
        x, kernel_size, stride, padding, dilation, ceil_mode, func
    )
    h, w = x.shape[-2:]
    pad = [(0, 0)] * (x.ndim - 2) + [
        (padding[0], padding[0] + extra[0]),
        (padding[1], padding[1] + extra[1]),
    ]
    padded = any(sum(p) for p in pad)
    xp = np.pad(x, pad, constant_values=-np.inf) if padded else x

    def inside(u, v):
        """(H_out, W_out): does offset (u, v) of each window read the
        input rather than the padding?"""
        r = np.arange(out[0]) * stride[0] + u * dilation[0] - padding[0]
        c = np.arange(out[1]) * stride[1] + v * dilation[1] - padding[1]
        return ((r >= 0) & (r < h))[:, None] & ((c >= 0) & (c < w))[None]

    # A running maximum over the kH * kW offsets of the window: each offset
    # is a strided view of the input with the output's shape, so this is
    # kH * kW element-wise comparisons and no copy of the windows.
    y = winner = seen = None
    for k, (u, v) in enumerate(np.ndindex(*kernel)):
        rows = slice(
            u * dilation[0],
            u * dilation[0] + stride[0] * (out[0] - 1) + 1,
            stride[0],
        )
        cols = slice(
            v * dilation[1],
            v * dilation[1] + stride[1] * (out[1] - 1) + 1,
            stride[1],
        )
        candidate = xp[..., rows, cols]
        if y is None:
            y = candidate.copy()
            winner = np.zeros(y.shape, np.intp)
            seen = inside(u, v) if padded else None
            continue
        better = candidate > y  # strict: ties keep the first maximum
        better |= np.isnan(candidate)
        if padded:
            real = inside(u, v)
            better &= real
            better |= real & ~seen  # the first input beats the padding
            seen = seen | real
        np.copyto(y, candidate, where=better)
        if with_winners:
            np.copyto(winner, k, where=better)
    if not with_winners:
        return y, None, None
    u, v = np.divmod(winner, kernel[1])
    rows = np.arange(out[0])[:, None] * stride[0] - padding[0]
    cols = np.arange(out[1])[None, :] * stride[1] - padding[1]
    rows = rows + u * dilation[0]
    cols = cols + v * dilation[1]
    real = (rows >= 0) & (rows < h) & (cols >= 0) & (cols < w)
    return y, rows * w + cols, real


def max_pool2d(
    input: ArrayLike,
    kernel_size: int | tuple[int, int],
    stride: int | tuple[int, int] | None = None,
    padding: int | tuple[int, int] = 0,
    dilation: int | tuple[int, int] = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    r"""Max pooling, as ``torch.nn.functional.max_pool2d``.

    .. math::

        y[n, c, i, j] = \max_{u < k_h,\, v < k_w}
            x_p[n, c,\; i s_h + u d_h,\; j s_w + v d_w]

    Padding is with :math:`-\infty`, so a padded position never wins,
    and, as in PyTorch, a window holding a NaN outputs NaN.
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
    return_indices = check_bool(return_indices, "return_indices", func)
    y, index, _ = _max_pool(
        func,
        input,
        kernel_size,
        stride,
        padding,
        dilation,
        ceil_mode,
        return_indices,
    )
    return (y, index) if return_indices else y


def max_pool2d_backward(
    grad_output: ArrayLike,
    input: ArrayLike,
    kernel_size: int | tuple[int, int],
    stride: int | tuple[int, int] | None = None,
    padding: int | tuple[int, int] = 0,
    dilation: int | tuple[int, int] = 1,
    ceil_mode: bool = False,
    indices: ArrayLike | None = None,
) -> np.ndarray:
    r"""Gradient of :func:`max_pool2d` with respect to its input.

    Only the winner of each window affected the output, so each output's
    gradient goes to that one input position (and nowhere else):

    .. math::

        \frac{\partial\mathcal{L}}{\partial x[n, c, a, b]} =
        \sum_{(i, j):\ \operatorname{argmax}_{ij} = (a, b)}
            \delta[n, c, i, j]

    An input that wins several overlapping windows collects all their
    gradients. Ties go to the first maximum in the window, as in PyTorch.

    ``indices``, as returned by ``max_pool2d(..., return_indices=True)``,
    saves finding the winners again; without it they are recomputed.
    """
    func = "max_pool2d_backward"
    x = as_array(input, "input", func, ndim=(3, 4))
    if indices is None:
        _, index, real = _max_pool(
            func, x, kernel_size, stride, padding, dilation, ceil_mode, True
        )
    else:
        *_, out, _ = _pool_geometry(
            x, kernel_size, stride, padding, dilation, ceil_mode, func
        )
        index = np.asarray(indices)
        if index.shape != x.shape[:-2] + out or index.dtype.kind not in "iu":
            raise ValueError(
                f"{func}: indices must be integers of the output's shape "
                f"{x.shape[:-2] + out}, got {index.dtype} {index.shape}"
            )
        real = (index >= 0) & (index < x.shape[-1] * x.shape[-2])
    g = check_grad_output_shape(
        as_array(grad_output, "grad_output", func), index.shape, func
    )
    h, w = x.shape[-2:]
    planes = int(np.prod(x.shape[:-2]))
    # A window entirely in the padding (possible with dilation) has no
    # winner and passes no gradient.
    flat = index + (np.arange(planes) * (h * w)).reshape(x.shape[:-2] + (1, 1))
    grad = np.bincount(flat[real], weights=g[real], minlength=planes * h * w)
    return grad.reshape(x.shape).astype(np.result_type(x, g), copy=False)


def avg_pool2d(
    input: ArrayLike,
    kernel_size: int | tuple[int, int],
    stride: int | tuple[int, int] | None = None,
    padding: int | tuple[int, int] = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
) -> np.ndarray:
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
    count_include_pad = check_bool(
        count_include_pad, "count_include_pad", func
    )
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
    divisor = _avg_divisor(
        x.shape[-2:], kernel, stride, padding, out, extra, count_include_pad
    )
    return (sums / divisor).astype(sums.dtype, copy=False)


def avg_pool2d_backward(
    grad_output: ArrayLike,
    input: ArrayLike,
    kernel_size: int | tuple[int, int],
    stride: int | tuple[int, int] | None = None,
    padding: int | tuple[int, int] = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
) -> np.ndarray:
    r"""Gradient of :func:`avg_pool2d` with respect to its input.

    Each output is a sum over its window divided by the window's divisor
    :math:`|R_{ij}|`, so every input in the window receives
    :math:`\delta[n, c, i, j] / |R_{ij}|`; overlapping windows add up.
    """
    func = "avg_pool2d_backward"
    x = as_array(input, "input", func, ndim=(3, 4))
    kernel, stride, padding, _, out, extra = _pool_geometry(
        x, kernel_size, stride, padding, 1, ceil_mode, func
    )
    g = check_grad_output_shape(
        as_array(grad_output, "grad_output", func), x.shape[:-2] + out, func
    )
    if divisor_override is not None:
        divisor = check_int(
            divisor_override, "divisor_override", func, minimum=1
        )
    else:
        divisor = _avg_divisor(
            x.shape[-2:],
            kernel,
            stride,
            padding,
            out,
            extra,
            count_include_pad,
        )
    share = g / divisor
    h, w = x.shape[-2:]
    grad_p = np.zeros(
        x.shape[:-2]
        + (h + 2 * padding[0] + extra[0], w + 2 * padding[1] + extra[1]),
        share.dtype,
    )
    for u in range(kernel[0]):
        rows = slice(u, u + stride[0] * (out[0] - 1) + 1, stride[0])
        for v in range(kernel[1]):
            cols = slice(v, v + stride[1] * (out[1] - 1) + 1, stride[1])
            grad_p[..., rows, cols] += share
    grad = grad_p[
        ..., padding[0] : padding[0] + h, padding[1] : padding[1] + w
    ]
    return grad.astype(np.result_type(x, g), copy=False)


def _adaptive_cells(func, size, output_size):
    """Row and column ranges ``[(start, stop), ...]`` of adaptive pooling."""
    h, w = size
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
    return rows, cols


def adaptive_avg_pool2d(
    input: ArrayLike, output_size: int | tuple[int, int]
) -> np.ndarray:
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
    check_spatial_size(x.shape, func)  # an empty cell has no mean
    h, w = x.shape[-2:]
    rows, cols = _adaptive_cells(func, (h, w), output_size)
    y = np.empty(x.shape[:-2] + (len(rows), len(cols)), dtype=x.dtype)
    for i, (r0, r1) in enumerate(rows):
        for j, (c0, c1) in enumerate(cols):
            y[..., i, j] = x[..., r0:r1, c0:c1].mean(axis=(-2, -1))
    return y


def adaptive_avg_pool2d_backward(
    grad_output: ArrayLike, input: ArrayLike
) -> np.ndarray:
    r"""Gradient of :func:`adaptive_avg_pool2d` with respect to its input.

    Output cell :math:`(i, j)` is the mean of its :math:`m_{ij}` inputs, so
    each of them receives :math:`\delta[\dots, i, j] / m_{ij}`; cells can
    overlap when the input size is not a multiple of the output size. For
    global average pooling every input gets :math:`\delta / (HW)`.
    The output size is read from ``grad_output``.
    """
    func = "adaptive_avg_pool2d_backward"
    x = as_array(input, "input", func, ndim=(3, 4))
    check_spatial_size(x.shape, func)
    g = as_array(grad_output, "grad_output", func, ndim=x.ndim)
    if g.shape[:-2] != x.shape[:-2]:
        raise ValueError(
            f"{func}: grad_output {g.shape} and input {x.shape} must agree "
            "in all but the last two dimensions"
        )
    rows, cols = _adaptive_cells(func, x.shape[-2:], g.shape[-2:])
    grad = np.zeros(x.shape, np.result_type(x, g))
    for i, (r0, r1) in enumerate(rows):
        for j, (c0, c1) in enumerate(cols):
            count = (r1 - r0) * (c1 - c0)
            grad[..., r0:r1, c0:c1] += (g[..., i, j] / count)[..., None, None]
    return grad
