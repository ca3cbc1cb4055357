r"""Transposed convolution, NCHW, in numpy: the adjoint of :func:`conv2d`.

:func:`conv_transpose2d` maps an output-shaped tensor back to the input's
shape; with the same weight it is exactly the input gradient of a
convolution (:func:`conv2d_backward`), and for stride 1 it *is* a
convolution: the output gradient, padded, correlated with the 180-degree
rotated kernel. Segmentation networks call it "up-convolution".
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from .._validation import (
    as_array,
    check_conv_shapes,
    check_grad_output_shape,
    check_int,
    check_pair,
)
from ._conv_fast import input_gradient
from ._conv_geometry import geometry
from .conv import conv2d, conv2d_backward

__all__ = ["conv_transpose2d", "conv_transpose2d_backward"]


def _transpose_geometry(
    func, x_shape, w_shape, stride, padding, output_padding, groups, dilation
):
    """The conv2d whose input gradient a transposed convolution computes.

    ``conv_transpose2d`` with these arguments maps an (N, C_in, H, W)
    tensor to the input of a ``conv2d`` with the same weight whose output
    is (N, C_in, H, W); this returns that convolution's geometry.
    """
    stride = check_pair(stride, "stride", func, minimum=1)
    padding = check_pair(padding, "padding", func, minimum=0)
    dilation = check_pair(dilation, "dilation", func, minimum=1)
    output_padding = check_pair(
        output_padding, "output_padding", func, minimum=0
    )
    groups = check_int(groups, "groups", func, minimum=1)
    n, c, h, w_in = x_shape
    if w_shape[0] != c:
        raise ValueError(
            f"{func}: input has {c} channels but weight.shape[0] = "
            f"{w_shape[0]} (weight is (C_in, C_out / groups, kH, kW))"
        )
    if c % groups:
        raise ValueError(
            f"{func}: input channels {c} must be divisible by groups={groups}"
        )
    sizes = []
    for axis, size, k, s, p, d, op in (
        (
            "height",
            h,
            w_shape[2],
            stride[0],
            padding[0],
            dilation[0],
            output_padding[0],
        ),
        (
            "width",
            w_in,
            w_shape[3],
            stride[1],
            padding[1],
            dilation[1],
            output_padding[1],
        ),
    ):
        if op >= max(s, d):
            raise ValueError(
                f"{func}: output_padding along the {axis} ({op}) must be "
                f"smaller than the stride ({s}) or the dilation ({d})"
            )
        out = (size - 1) * s - 2 * p + d * (k - 1) + op + 1
        if out < 1:
            raise ValueError(
                f"{func}: the output {axis} would be {out} (input {size}, "
                f"stride {s}, padding {p}, kernel {k}); it must be >= 1"
            )
        sizes.append(out)
    # The convolution maps (N, C_out, H_out, W_out) -> (N, C_in, H, W),
    # with the same weight, read as (C_in, C_out / groups, kH, kW).
    geo = geometry(
        func,
        (n, w_shape[1] * groups, *sizes),
        w_shape,
        stride,
        padding,
        dilation,
        groups,
    )
    return geo


def _extend(x, geo):
    """Zero-pad ``x`` at the bottom/right to the convolution's output size.

    With an ``output_padding`` of at least the stride (allowed when the
    dilation is larger) the convolution of the transposed convolution's
    output has ``floor(output_padding / stride)`` more rows than the
    transposed convolution's input; the missing rows are zeros.
    """
    extra = (geo.h_out - x.shape[2], geo.w_out - x.shape[3])
    if extra == (0, 0):
        return x
    return np.pad(x, ((0, 0), (0, 0), (0, extra[0]), (0, extra[1])))


def conv_transpose2d(
    input: ArrayLike,
    weight: ArrayLike,
    bias: ArrayLike | None = None,
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] = 0,
    output_padding: int | tuple[int, int] = 0,
    groups: int = 1,
    dilation: int | tuple[int, int] = 1,
) -> np.ndarray:
    r"""Transposed convolution, as ``torch.nn.functional.conv_transpose2d``.

    The adjoint of :func:`conv2d` with the same weight: each input pixel
    scatters a copy of the kernel, scaled by its value, into the output,

    .. math::

        y_p[n, g(c) + o,\; i s_h + u d_h,\; j s_w + v d_w]
            \mathrel{+}= x[n, c, i, j]\; w[c, o, u, v]

    and the output is :math:`y_p` with ``padding`` rows and columns
    removed from each side (plus ``bias``). The output size is
    :math:`(n - 1)s - 2p + d(k-1) + \text{output\_padding} + 1`. It is the
    input gradient of a convolution (:func:`conv2d_backward`), and the
    "up-convolution" of segmentation networks.

    Parameters
    ----------
    input : ndarray, shape (N, C_in, H, W)
    weight : ndarray, shape (C_in, C_out / groups, kH, kW)
    bias : ndarray, shape (C_out,), optional
    """
    func = "conv_transpose2d"
    x = as_array(input, "input", func, ndim=4)
    w = as_array(weight, "weight", func, ndim=4)
    check_conv_shapes(x.shape, w.shape, func)
    geo = _transpose_geometry(
        func,
        x.shape,
        w.shape,
        stride,
        padding,
        output_padding,
        groups,
        dilation,
    )
    dtype = np.result_type(x, w)
    if geo.n == 0:  # an empty batch: an empty result, as in PyTorch
        return np.zeros((0, geo.c_in, geo.h, geo.w), dtype)
    y = input_gradient(
        _extend(x.astype(dtype, copy=False), geo),
        w.astype(dtype, copy=False),
        geo,
    )
    if bias is not None:
        b = as_array(bias, "bias", func, ndim=1)
        if b.shape != (geo.c_in,):
            raise ValueError(
                f"{func}: bias must have shape ({geo.c_in},), got {b.shape}"
            )
        y = y + b[:, None, None]
    return y


def conv_transpose2d_backward(
    grad_output: ArrayLike,
    input: ArrayLike,
    weight: ArrayLike,
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] = 0,
    output_padding: int | tuple[int, int] = 0,
    groups: int = 1,
    dilation: int | tuple[int, int] = 1,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""Gradients of :func:`conv_transpose2d`.

    A transposed convolution :math:`y = C^\top x` is the adjoint of the
    convolution :math:`C`, so its input gradient is :math:`C\,\delta`, a
    plain :func:`conv2d` of the output gradient, and its weight gradient is
    that of :math:`C` with the roles of input and output gradient swapped.

    Returns
    -------
    grad_input, grad_weight, grad_bias
    """
    func = "conv_transpose2d_backward"
    x = as_array(input, "input", func, ndim=4)
    w = as_array(weight, "weight", func, ndim=4)
    g = as_array(grad_output, "grad_output", func, ndim=4)
    check_conv_shapes(x.shape, w.shape, func)
    geo = _transpose_geometry(
        func,
        x.shape,
        w.shape,
        stride,
        padding,
        output_padding,
        groups,
        dilation,
    )
    expected = (geo.n, geo.c_in, geo.h, geo.w)
    check_grad_output_shape(g, expected, func)
    if geo.n == 0:  # an empty batch: zero gradients, as in PyTorch
        dtype = np.result_type(x, w, g)
        return (
            np.zeros(x.shape, dtype),
            np.zeros(w.shape, dtype),
            np.zeros(geo.c_in, dtype),
        )
    kwargs = dict(
        stride=geo.stride,
        padding=(geo.pad[0][0], geo.pad[1][0]),
        dilation=geo.dilation,
        groups=geo.groups,
    )
    grad_input = conv2d(g, w, **kwargs)[:, :, : x.shape[2], : x.shape[3]]
    _, grad_weight, _ = conv2d_backward(
        _extend(x, geo), g, w, input_grad=False, **kwargs
    )
    return grad_input, grad_weight, g.sum(axis=(0, 2, 3))
