"""Two-dimensional convolution (cross-correlation), NCHW, in numpy."""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .._validation import as_array, check_int, check_pair
from ._padding import resolve_conv_padding

__all__ = ["conv2d"]


def conv2d(
    input,
    weight,
    bias=None,
    stride=1,
    padding=0,
    dilation=1,
    groups=1,
):
    r"""2-D cross-correlation, as ``torch.nn.functional.conv2d`` (NCHW).

    .. math::

        y[n, o, i, j] = b[o] + \sum_{c, u, v}
            w[o, c, u, v]\;
            x_p[n,\; g(o) + c,\; i s_h + u d_h,\; j s_w + v d_w]

    where :math:`x_p` is the zero-padded input and :math:`g(o)` is the first
    input channel of the group that output channel :math:`o` belongs to.
    Each spatial size follows
    :math:`\lfloor (n + 2p - d(k-1) - 1)/s \rfloor + 1`.

    Like every deep-learning library this is cross-correlation: the kernel
    is not flipped (chapter 4 shows the difference).

    Parameters
    ----------
    input : ndarray, shape (N, C_in, H, W)
    weight : ndarray, shape (C_out, C_in / groups, kH, kW)
    bias : ndarray, shape (C_out,), optional
    stride, dilation : int or (int, int)
    padding : int, (int, int), "valid" or "same"
    groups : int
        Input and output channels are split into this many groups, each
        convolved separately; ``groups = C_in`` is a depthwise convolution.

    Returns
    -------
    ndarray, shape (N, C_out, H_out, W_out)
    """
    func = "conv2d"
    x = as_array(input, "input", func, ndim=4)
    w = as_array(weight, "weight", func, ndim=4)
    stride = check_pair(stride, "stride", func, minimum=1)
    dilation = check_pair(dilation, "dilation", func, minimum=1)
    groups = check_int(groups, "groups", func, minimum=1)
    n, c_in, h, w_in = x.shape
    c_out, c_per_group, kh, kw = w.shape
    if c_out % groups:
        raise ValueError(
            f"{func}: weight.shape[0] (out channels) = {c_out} must be "
            f"divisible by groups={groups}"
        )
    if c_per_group * groups != c_in:
        raise ValueError(
            f"{func}: input has {c_in} channels but weight expects "
            f"{c_per_group} x groups={groups} = {c_per_group * groups} "
            f"(weight shape {w.shape})"
        )
    if bias is not None:
        bias = as_array(bias, "bias", func, ndim=1)
        if bias.shape != (c_out,):
            raise ValueError(
                f"{func}: bias must have shape ({c_out},), got {bias.shape}"
            )
    (pt, pb), (pl, pr) = resolve_conv_padding(
        padding, (kh, kw), stride, dilation, func
    )
    span_h = dilation[0] * (kh - 1) + 1
    span_w = dilation[1] * (kw - 1) + 1
    for axis, size, lo, hi, span, k in (
        ("height", h, pt, pb, span_h, kh),
        ("width", w_in, pl, pr, span_w, kw),
    ):
        if span > size + lo + hi:
            raise ValueError(
                f"{func}: kernel {axis} {k} (spanning {span} with dilation) "
                f"is larger than the padded input {axis} {size + lo + hi} "
                f"({axis} {size}, padding {lo}+{hi}); the output would be "
                "empty"
            )

    xp = np.pad(x, ((0, 0), (0, 0), (pt, pb), (pl, pr)))
    # All windows at once, as a strided view (no copy yet):
    # (N, C_in, H_out, W_out, kH, kW)
    windows = sliding_window_view(xp, (span_h, span_w), axis=(2, 3))
    windows = windows[
        :, :, :: stride[0], :: stride[1], :: dilation[0], :: dilation[1]
    ]
    h_out, w_out = windows.shape[2:4]
    # Split channels into groups: (N, G, C_in/G, H_out, W_out, kH, kW)
    windows = windows.reshape(n, groups, c_per_group, h_out, w_out, kh, kw)
    w_grouped = w.reshape(groups, c_out // groups, c_per_group, kh, kw)
    # Sum over (c, u, v) for each group: one matrix product per group.
    y = np.einsum(
        "ngchwuv,gocuv->ngohw", windows, w_grouped, optimize=True
    )  # (N, G, C_out/G, H_out, W_out)
    y = y.reshape(n, c_out, h_out, w_out)
    if bias is not None:
        y = y + bias[None, :, None, None]
    return y
