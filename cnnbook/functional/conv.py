r"""Two-dimensional convolution (cross-correlation), NCHW, in numpy.

:func:`conv2d` / :func:`conv2d_backward` are the fast, vectorised
versions: im2col (gather every window into a matrix, then one matrix
product), and Winograd's F(2x2, 3x3) for 3x3 layers with many channels.
The same formulas as loops are in ``conv_reference.py``; the adjoint,
:func:`~cnnbook.functional.conv_transpose2d`, in ``conv_transpose.py``.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import as_strided

from .._validation import (
    as_array,
    check_conv_shapes,
    check_grad_output_shape,
    check_int,
    check_pair,
)
from ._padding import resolve_conv_padding
from ._winograd import winograd_conv3x3

__all__ = ["conv2d", "conv2d_backward"]

# Elements of one im2col tile. A tile this size (4 MiB in float32) stays
# in the processor's cache between being written and being multiplied,
# which matters more than any other choice here.
_TILE_ELEMENTS = 1 << 20

# 3 x 3 convolutions with at least this many input channels, and this many
# 2 x 2 output tiles, use Winograd's F(2 x 2, 3 x 3) (``_winograd.py``):
# 2.25 times fewer multiplications, paid for with transforms of the data
# (cheap when the channels are many) and of the kernels (cheap when the
# tiles are many).
_WINOGRAD_MIN_CHANNELS = 128
_WINOGRAD_MIN_TILES = 128


@dataclass(frozen=True)
class _Geometry:
    """Shapes of one convolution, checked once, shared by all passes."""

    n: int
    c_in: int
    h: int
    w: int
    c_out: int
    c_per_group: int
    kh: int
    kw: int
    groups: int
    stride: tuple[int, int]
    dilation: tuple[int, int]
    pad: tuple[tuple[int, int], tuple[int, int]]
    h_out: int
    w_out: int

    @property
    def out_per_group(self) -> int:
        return self.c_out // self.groups

    @property
    def padded(self) -> bool:
        return any(self.pad[0]) or any(self.pad[1])

    @property
    def winograd(self) -> bool:
        """A 3x3, stride 1, undilated, ungrouped convolution with many
        input channels: Winograd's algorithm is the faster way."""
        tiles = self.n * -(-self.h_out // 2) * -(-self.w_out // 2)
        return (self.kh == self.kw == 3 and self.stride == (1, 1)
                and self.dilation == (1, 1) and self.groups == 1
                and self.c_in >= _WINOGRAD_MIN_CHANNELS
                and tiles >= _WINOGRAD_MIN_TILES)

    @property
    def pointwise(self) -> bool:
        """A 1x1 kernel reading every pixel: a plain matrix product."""
        return (self.kh == self.kw == 1 and self.stride == (1, 1)
                and not self.padded)


def _geometry(func, x_shape, w_shape, stride, padding, dilation, groups):
    stride = check_pair(stride, "stride", func, minimum=1)
    dilation = check_pair(dilation, "dilation", func, minimum=1)
    groups = check_int(groups, "groups", func, minimum=1)
    n, c_in, h, w_in = x_shape
    c_out, c_per_group, kh, kw = w_shape
    if c_out % groups:
        raise ValueError(
            f"{func}: weight.shape[0] (out channels) = {c_out} must be "
            f"divisible by groups={groups}"
        )
    if c_per_group * groups != c_in:
        raise ValueError(
            f"{func}: input has {c_in} channels but weight expects "
            f"{c_per_group} x groups={groups} = {c_per_group * groups} "
            f"(weight shape {tuple(w_shape)})"
        )
    pad = resolve_conv_padding(padding, (kh, kw), stride, dilation, func)
    out = []
    for axis, size, (lo, hi), k, d, s in (
        ("height", h, pad[0], kh, dilation[0], stride[0]),
        ("width", w_in, pad[1], kw, dilation[1], stride[1]),
    ):
        span = d * (k - 1) + 1
        if span > size + lo + hi:
            raise ValueError(
                f"{func}: kernel {axis} {k} (spanning {span} with dilation) "
                f"is larger than the padded input {axis} {size + lo + hi} "
                f"({axis} {size}, padding {lo}+{hi}); the output would be "
                "empty"
            )
        out.append((size + lo + hi - span) // s + 1)
    return _Geometry(n, c_in, h, w_in, c_out, c_per_group, kh, kw, groups,
                     stride, dilation, pad, out[0], out[1])


def _arrays(func, input, weight, bias):
    x = as_array(input, "input", func, ndim=4)
    w = as_array(weight, "weight", func, ndim=4)
    check_conv_shapes(x.shape, w.shape, func)
    if bias is not None:
        bias = as_array(bias, "bias", func, ndim=1)
        if bias.shape != (w.shape[0],):
            raise ValueError(
                f"{func}: bias must have shape ({w.shape[0]},), got "
                f"{bias.shape}"
            )
    return x, w, bias


def _pad(x, geo):
    if not geo.padded:
        return x
    return np.pad(x, ((0, 0), (0, 0), geo.pad[0], geo.pad[1]))


class _Tile:
    """A block of output pixels: ``images`` whole images from ``n0``, or a
    band of ``rows`` output rows from ``r0`` of one image (``images`` 1).
    """

    __slots__ = ("n0", "images", "r0", "rows", "columns")

    def __init__(self, n0, images, r0, rows, w_out):
        self.n0, self.images, self.r0, self.rows = n0, images, r0, rows
        self.columns = images * rows * w_out  # im2col columns

    def output(self, mat, w_out):
        """This tile's part of an (N, G, C/G, H_out * W_out) array.

        One image: a (G, C/G, columns) view, written in place. Several:
        a copy laid out as (G, C/G, images * H_out * W_out), so that one
        matrix product covers all of them.
        """
        if self.images == 1:
            return mat[self.n0, :, :,
                       self.r0 * w_out:(self.r0 + self.rows) * w_out]
        block = mat[self.n0:self.n0 + self.images]
        return block.transpose(1, 2, 0, 3).reshape(*mat.shape[1:3], -1)

    def store(self, mat, values):
        """Write ``values`` laid out as :meth:`output` into ``mat``."""
        if self.images > 1:
            g, c = mat.shape[1:3]
            mat[self.n0:self.n0 + self.images] = values.reshape(
                g, c, self.images, -1).transpose(2, 0, 1, 3)


def _tiles(geo):
    """Split the output into tiles whose im2col matrix has about
    ``_TILE_ELEMENTS`` entries (several small images, or bands of rows
    of a large one)."""
    per_row = geo.c_in * geo.kh * geo.kw * geo.w_out
    rows = max(1, _TILE_ELEMENTS // per_row)
    if rows >= geo.h_out:
        images = max(1, rows // geo.h_out)
        for n0 in range(0, geo.n, images):
            yield _Tile(n0, min(images, geo.n - n0), 0, geo.h_out,
                        geo.w_out)
    else:
        for n0 in range(geo.n):
            for r0 in range(0, geo.h_out, rows):
                yield _Tile(n0, 1, r0, min(rows, geo.h_out - r0),
                            geo.w_out)


def _window_view(xp, geo, tile):
    """The windows a tile reads, as a strided view of the padded input.

    Shape (G, C_in/G, kH, kW, images, rows, W_out): element
    ``[g, c, u, v, n, i, j]`` is ``xp[n, g C_in/G + c, i s_h + u d_h,
    j s_w + v d_w]``. Nothing is copied.
    """
    sn, sc, sh, sw = xp.strides
    return as_strided(
        xp[tile.n0:, :, tile.r0 * geo.stride[0]:],
        shape=(geo.groups, geo.c_per_group, geo.kh, geo.kw, tile.images,
               tile.rows, geo.w_out),
        strides=(sc * geo.c_per_group, sc, sh * geo.dilation[0],
                 sw * geo.dilation[1], sn, sh * geo.stride[0],
                 sw * geo.stride[1]),
        writeable=False,
    )


def _im2col(xp, geo, tile, buffer):
    """Copy a tile's windows into ``buffer``: the im2col matrix.

    Returns shape (G, C_in/G * kH * kW, columns): column ``(n, i, j)``
    holds the window that output pixel ``(i, j)`` of image ``n`` reads.
    """
    view = _window_view(xp, geo, tile)
    cols = buffer[: view.size].reshape(view.shape)
    np.copyto(cols, view)
    return cols.reshape(geo.groups, -1, tile.columns)


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

    The sum over :math:`(c, u, v)` is computed as a matrix product (im2col):
    each output pixel's window becomes one column of a matrix of
    :math:`C_\text{in} k_h k_w` rows, and the kernels, flattened to
    :math:`C_\text{out}` rows, multiply it. The columns are gathered a tile
    at a time, so that the matrix stays in the processor's cache. A 1x1
    convolution needs no windows at all: it is a matrix product of the
    channels. A 3x3 convolution with many input channels uses Winograd's
    F(2x2, 3x3) algorithm instead, which needs 2.25 times fewer
    multiplications (the result is the same up to rounding).

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
    x, w, b = _arrays(func, input, weight, bias)
    geo = _geometry(func, x.shape, w.shape, stride, padding, dilation,
                    groups)
    dtype = np.result_type(x, w) if b is None else np.result_type(x, w, b)
    if geo.n == 0:  # an empty batch: an empty result, as in PyTorch
        return np.zeros((0, geo.c_out, geo.h_out, geo.w_out), dtype)
    x = x.astype(dtype, copy=False)
    # (G, C_out/G, C_in/G * kH * kW): one row per output channel
    w_mat = w.astype(dtype, copy=False).reshape(geo.groups,
                                                geo.out_per_group, -1)
    y = np.empty((geo.n, geo.c_out, geo.h_out, geo.w_out), dtype)
    # (N, G, C_out/G, H_out * W_out): the output, seen as matrices
    y_mat = y.reshape(geo.n, geo.groups, geo.out_per_group, -1)
    if geo.pointwise:
        x_mat = x.reshape(geo.n, geo.groups, geo.c_per_group, -1)
        np.matmul(w_mat, x_mat, out=y_mat)
    elif geo.winograd:
        winograd_conv3x3(x, w.astype(dtype, copy=False), geo.pad, y)
    else:
        xp = _pad(x, geo)
        buffer = np.empty(_TILE_ELEMENTS + geo.c_in * geo.kh * geo.kw
                          * geo.w_out, dtype)
        for tile in _tiles(geo):
            cols = _im2col(xp, geo, tile, buffer)
            if tile.images == 1:  # write straight into the output
                np.matmul(w_mat, cols, out=tile.output(y_mat, geo.w_out))
            else:
                tile.store(y_mat, np.matmul(w_mat, cols))
    if b is not None:
        y += b.astype(dtype, copy=False)[:, None, None]
    return y


def conv2d_backward(
    grad_output,
    input,
    weight,
    stride=1,
    padding=0,
    dilation=1,
    groups=1,
    input_grad=True,
):
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
    x, w, _ = _arrays(func, input, weight, None)
    g = as_array(grad_output, "grad_output", func, ndim=4)
    geo = _geometry(func, x.shape, w.shape, stride, padding, dilation,
                    groups)
    expected = (geo.n, geo.c_out, geo.h_out, geo.w_out)
    check_grad_output_shape(g, expected, func)
    dtype = np.result_type(x, w, g)
    if geo.n == 0:  # an empty batch: zero gradients, as in PyTorch
        return (np.zeros(x.shape, dtype) if input_grad else None,
                np.zeros(w.shape, dtype), np.zeros(geo.c_out, dtype))
    x, w = x.astype(dtype, copy=False), w.astype(dtype, copy=False)
    g = np.ascontiguousarray(g, dtype=dtype)
    grad_bias = g.sum(axis=(0, 2, 3))
    # (N, G, C_out/G, H_out * W_out)
    g_mat = g.reshape(geo.n, geo.groups, geo.out_per_group, -1)
    if geo.pointwise:
        # sum over images of delta x^T, as one product over (n, pixel)
        x_mat = x.reshape(geo.n, geo.groups, geo.c_per_group, -1)
        grad_w = np.matmul(g_mat.transpose(1, 2, 0, 3).reshape(
            geo.groups, geo.out_per_group, -1), x_mat.transpose(
            1, 0, 3, 2).reshape(geo.groups, -1, geo.c_per_group))
    else:
        grad_w = np.zeros((geo.groups, geo.out_per_group,
                           geo.c_per_group * geo.kh * geo.kw), dtype)
        xp = _pad(x, geo)
        buffer = np.empty(_TILE_ELEMENTS + geo.c_in * geo.kh * geo.kw
                          * geo.w_out, dtype)
        for tile in _tiles(geo):
            cols = _im2col(xp, geo, tile, buffer)
            delta = tile.output(g_mat, geo.w_out)
            grad_w += np.matmul(delta, cols.swapaxes(-1, -2))
    grad_weight = grad_w.reshape(w.shape)
    grad_input = _conv2d_input_grad(g, w, geo) if input_grad else None
    return grad_input, grad_weight, grad_bias


def _conv2d_input_grad(g, w, geo):
    """Input gradient of conv2d: the transposed convolution of ``g``."""
    if geo.pointwise:
        w_t = w.reshape(geo.groups, geo.out_per_group,
                        geo.c_per_group).swapaxes(-1, -2)
        g_mat = np.ascontiguousarray(g).reshape(geo.n, geo.groups,
                                                geo.out_per_group, -1)
        return np.matmul(w_t, g_mat).reshape(geo.n, geo.c_in, geo.h,
                                             geo.w)
    if geo.stride == (1, 1):
        return _full_correlation_rot180(g, w, geo)
    return _col2im(g, w, geo)


def _full_correlation_rot180(g, w, geo):
    r"""Stride-1 input gradient as a forward convolution.

    :math:`\partial\mathcal{L}/\partial x = \delta \star
    \operatorname{rot180}(w)` in "full" mode: pad :math:`\delta` by the
    kernel's reach minus the forward padding (or crop it, where the
    forward padding was larger), swap the kernel's in/out channels within
    each group and rotate it by 180 degrees.
    """
    pads = []
    for (lo, hi), k, d in zip(geo.pad, (geo.kh, geo.kw), geo.dilation,
                              strict=True):
        reach = d * (k - 1)
        pads.append((reach - lo, reach - hi))
    crop = tuple(slice(max(0, -a), None if b >= 0 else b)
                 for a, b in pads)
    g = g[:, :, crop[0], crop[1]]
    padding = [(max(0, a), max(0, b)) for a, b in pads]
    g = np.pad(g, ((0, 0), (0, 0), padding[0], padding[1]))
    return conv2d(g, _rot180_transposed(w, geo), dilation=geo.dilation,
                  groups=geo.groups)


def _rot180_transposed(w, geo):
    """(C_out, C_in/G, kH, kW) -> (C_in, C_out/G, kH, kW), rotated 180."""
    w_g = w.reshape(geo.groups, geo.out_per_group, geo.c_per_group, geo.kh,
                    geo.kw)
    w_t = w_g.transpose(0, 2, 1, 3, 4)[..., ::-1, ::-1]
    return np.ascontiguousarray(w_t).reshape(geo.c_in, geo.out_per_group,
                                             geo.kh, geo.kw)


def _col2im(g, w, geo):
    r"""Input gradient by col2im: the forward pass's im2col, reversed.

    A tile at a time: the product :math:`W^\top \delta` gives, for every
    output pixel, the gradient of each entry of the window it read (a
    "column"); each of the ``kH * kW`` kernel offsets then adds its
    entries into a strided slice of the padded input's gradient.
    """
    (pt, pb), (pl, pr) = geo.pad
    (sh, sw), (dh, dw) = geo.stride, geo.dilation
    grad_p = np.zeros((geo.n, geo.c_in, geo.h + pt + pb, geo.w + pl + pr),
                      g.dtype)
    # (G, C_in/G * kH * kW, C_out/G)
    w_t = w.reshape(geo.groups, geo.out_per_group, -1).swapaxes(-1, -2)
    g_mat = g.reshape(geo.n, geo.groups, geo.out_per_group, -1)
    buffer = np.empty(_TILE_ELEMENTS + geo.c_in * geo.kh * geo.kw
                      * geo.w_out, g.dtype)
    for tile in _tiles(geo):
        delta = tile.output(g_mat, geo.w_out)
        cols = buffer[: geo.c_in * geo.kh * geo.kw * tile.columns]
        cols = np.matmul(w_t, delta, out=cols.reshape(geo.groups, -1,
                                                      tile.columns))
        # (C_in, kH, kW, images, rows, W_out) -> per offset, as the input
        cols = cols.reshape(geo.c_in, geo.kh, geo.kw, tile.images,
                            tile.rows, geo.w_out)
        target = grad_p[tile.n0:tile.n0 + tile.images]
        for u in range(geo.kh):
            top = tile.r0 * sh + u * dh
            rows = slice(top, top + sh * (tile.rows - 1) + 1, sh)
            for v in range(geo.kw):
                columns = slice(v * dw, v * dw + sw * (geo.w_out - 1) + 1,
                                sw)
                target[:, :, rows, columns] += cols[:, u, v].transpose(
                    1, 0, 2, 3)
    return grad_p[:, :, pt:pt + geo.h, pl:pl + geo.w]
