r"""Two-dimensional convolution (cross-correlation), NCHW, in numpy.

:func:`conv2d` and its backward pass :func:`conv2d_backward`: the
formulas, the argument checks, and a call to the fast implementation
(im2col, tiling and Winograd, in the private ``_conv_fast.py``). The same
formulas as loops are in ``conv_reference.py``; the adjoint,
:func:`~cnnbook.functional.conv_transpose2d`, in ``conv_transpose.py``.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from .._validation import as_array, check_grad_output_shape
from . import _conv_fast
from ._conv_geometry import conv_arrays, geometry

__all__ = ["conv2d", "conv2d_backward"]


def conv2d(
    input: ArrayLike,
    weight: ArrayLike,
    bias: ArrayLike | None = None,
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] | str = 0,
    dilation: int | tuple[int, int] = 1,
    groups: int = 1,
) -> np.ndarray:
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

    The sum over :math:`(c, u, v)` is computed as a matrix product (im2col):
    each output pixel's window becomes one column of a matrix of
    :math:`C_\text{in} k_h k_w` rows, and the kernels, flattened to
    :math:`C_\text{out}` rows, multiply it. How that is made fast (tiles
    that stay in the cache, 1x1 convolutions as plain matrix products,
    Winograd's F(2x2, 3x3) for wide 3x3 layers) is in ``_conv_fast.py``;
    the same sum as loops is :func:`conv2d_reference`.

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

    Examples
    --------
    A 2x2 kernel of ones sums each 2x2 window of a 3x3 image:

    >>> x = np.arange(9.0).reshape(1, 1, 3, 3)
    >>> conv2d(x, np.ones((1, 1, 2, 2)))[0, 0]
    array([[ 8., 12.],
           [20., 24.]])
    """
    func = "conv2d"
    x, w, b = conv_arrays(func, input, weight, bias)
    geo = geometry(func, x.shape, w.shape, stride, padding, dilation, groups)
    return _conv_fast.forward(x, w, b, geo)


def conv2d_backward(
    grad_output: ArrayLike,
    input: ArrayLike,
    weight: ArrayLike,
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] | str = 0,
    dilation: int | tuple[int, int] = 1,
    groups: int = 1,
    input_grad: bool = True,
) -> tuple[np.ndarray | None, np.ndarray, np.ndarray]:
    r"""Gradients of :func:`conv2d` for its input, weight and bias.

    With :math:`\delta = \partial\mathcal{L}/\partial y` (the gradient that
    arrives from above, shaped like the output), differentiating the
    forward sum term by term gives

    .. math::

        \frac{\partial\mathcal{L}}{\partial b[o]}
            &= \sum_{n, i, j} \delta[n, o, i, j] \\
        \frac{\partial\mathcal{L}}{\partial w[o, c, u, v]}
            &= \sum_{n, i, j} \delta[n, o, i, j]\;
               x_p[n, g(o) + c, i s_h + u d_h, j s_w + v d_w] \\
        \frac{\partial\mathcal{L}}{\partial x_p[n, g(o) + c, a, b]}
            &= \sum_{o, u, v, i, j:\; i s_h + u d_h = a,\;
               j s_w + v d_w = b} \delta[n, o, i, j]\; w[o, c, u, v]

    The weight gradient is a correlation of the input with
    :math:`\delta` (computed from the same im2col matrix as the forward
    pass); the input gradient is :func:`conv_transpose2d` of
    :math:`\delta`, which for stride 1 is a *full* correlation with the
    kernel rotated by 180 degrees.

    Parameters
    ----------
    grad_output : ndarray, shape (N, C_out, H_out, W_out)
    input, weight, stride, padding, dilation, groups
        As given to :func:`conv2d`.
    input_grad : bool
        Compute the input gradient (a network's first layer does not need
        it; skipping it saves a third of the work).

    Returns
    -------
    grad_input : ndarray, shape (N, C_in, H, W), or None
    grad_weight : ndarray, shape (C_out, C_in / groups, kH, kW)
    grad_bias : ndarray, shape (C_out,)
    """
    func = "conv2d_backward"
    x, w, _ = conv_arrays(func, input, weight, None)
    g = as_array(grad_output, "grad_output", func, ndim=4)
    geo = geometry(func, x.shape, w.shape, stride, padding, dilation, groups)
    check_grad_output_shape(g, (geo.n, geo.c_out, geo.h_out, geo.w_out), func)
    return _conv_fast.backward(g, x, w, geo, input_grad)
