r"""The fast 2-D convolution behind :func:`cnnbook.functional.conv2d`.

Private: ``conv.py`` checks the arguments and shows the formulas; this
module computes them quickly, three ways:

- im2col: gather every window into a matrix (a tile of the output at a
  time, so that the matrix stays in the processor's cache), then one
  matrix product with the kernels; the input gradient by col2im, the same
  gather reversed;
- a 1x1 convolution needs no windows: it is a matrix product of the
  channels;
- a 3x3 convolution with many input channels uses Winograd's F(2x2, 3x3)
  (``_winograd.py``), 2.25 times fewer multiplications.

All give the same result up to rounding; the tests compare each path with
PyTorch.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import as_strided

from ._conv_geometry import geometry, pad_input
from ._winograd import winograd_conv3x3

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


def uses_winograd(geo):
    """A 3x3, stride 1, undilated, ungrouped convolution with many input
    channels: Winograd's algorithm is the faster way."""
    tiles = geo.n * -(-geo.h_out // 2) * -(-geo.w_out // 2)
    return (
        geo.kh == geo.kw == 3
        and geo.stride == (1, 1)
        and geo.dilation == (1, 1)
        and geo.groups == 1
        and geo.c_in >= _WINOGRAD_MIN_CHANNELS
        and tiles >= _WINOGRAD_MIN_TILES
    )


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
            return mat[
                self.n0, :, :, self.r0 * w_out : (self.r0 + self.rows) * w_out
            ]
        block = mat[self.n0 : self.n0 + self.images]
        return block.transpose(1, 2, 0, 3).reshape(*mat.shape[1:3], -1)

    def store(self, mat, values):
        """Write ``values`` laid out as :meth:`output` into ``mat``."""
        if self.images > 1:
            g, c = mat.shape[1:3]
            mat[self.n0 : self.n0 + self.images] = values.reshape(
                g, c, self.images, -1
            ).transpose(2, 0, 1, 3)


def _tiles(geo):
    """Split the output into tiles whose im2col matrix has about
    ``_TILE_ELEMENTS`` entries (several small images, or bands of rows
    of a large one)."""
    per_row = geo.c_in * geo.kh * geo.kw * geo.w_out
    rows = max(1, _TILE_ELEMENTS // per_row)
    if rows >= geo.h_out:
        images = max(1, rows // geo.h_out)
        for n0 in range(0, geo.n, images):
            yield _Tile(n0, min(images, geo.n - n0), 0, geo.h_out, geo.w_out)
    else:
        for n0 in range(geo.n):
            for r0 in range(0, geo.h_out, rows):
                yield _Tile(n0, 1, r0, min(rows, geo.h_out - r0), geo.w_out)


def _window_view(xp, geo, tile):
    """The windows a tile reads, as a strided view of the padded input.

    Shape (G, C_in/G, kH, kW, images, rows, W_out): element
    ``[g, c, u, v, n, i, j]`` is ``xp[n, g C_in/G + c, i s_h + u d_h,
    j s_w + v d_w]``. Nothing is copied.
    """
    sn, sc, sh, sw = xp.strides
    return as_strided(
        xp[tile.n0 :, :, tile.r0 * geo.stride[0] :],
        shape=(
            geo.groups,
            geo.c_per_group,
            geo.kh,
            geo.kw,
            tile.images,
            tile.rows,
            geo.w_out,
        ),
        strides=(
            sc * geo.c_per_group,
            sc,
            sh * geo.dilation[0],
            sw * geo.dilation[1],
            sn,
            sh * geo.stride[0],
            sw * geo.stride[1],
        ),
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


def forward(x, w, b, geo):
    """The convolution of checked arrays (see ``conv2d``)."""
    dtype = np.result_type(x, w) if b is None else np.result_type(x, w, b)
    if geo.n == 0:  # an empty batch: an empty result, as in PyTorch
        return np.zeros((0, geo.c_out, geo.h_out, geo.w_out), dtype)
    x = x.astype(dtype, copy=False)
    # (G, C_out/G, C_in/G * kH * kW): one row per output channel
    w_mat = w.astype(dtype, copy=False).reshape(
        geo.groups, geo.out_per_group, -1
    )
    y = np.empty((geo.n, geo.c_out, geo.h_out, geo.w_out), dtype)
    # (N, G, C_out/G, H_out * W_out): the output, seen as matrices
    y_mat = y.reshape(geo.n, geo.groups, geo.out_per_group, -1)
    if geo.pointwise:
        x_mat = x.reshape(geo.n, geo.groups, geo.c_per_group, -1)
        np.matmul(w_mat, x_mat, out=y_mat)
    elif uses_winograd(geo):
        winograd_conv3x3(x, w.astype(dtype, copy=False), geo.pad, y)
    else:
        xp = pad_input(x, geo)
        buffer = np.empty(
            _TILE_ELEMENTS + geo.c_in * geo.kh * geo.kw * geo.w_out, dtype
        )
        for tile in _tiles(geo):
            cols = _im2col(xp, geo, tile, buffer)
            if tile.images == 1:  # write straight into the output
                np.matmul(w_mat, cols, out=tile.output(y_mat, geo.w_out))
            else:
                tile.store(y_mat, np.matmul(w_mat, cols))
    if b is not None:
        y += b.astype(dtype, copy=False)[:, None, None]
    return y


def backward(g, x, w, geo, input_grad):
    """The gradients of checked arrays (see ``conv2d_backward``)."""
    dtype = np.result_type(x, w, g)
    if geo.n == 0:  # an empty batch: zero gradients, as in PyTorch
        return (
            np.zeros(x.shape, dtype) if input_grad else None,
            np.zeros(w.shape, dtype),
            np.zeros(geo.c_out, dtype),
        )
    x, w = x.astype(dtype, copy=False), w.astype(dtype, copy=False)
    g = np.ascontiguousarray(g, dtype=dtype)
    grad_bias = g.sum(axis=(0, 2, 3))
    # (N, G, C_out/G, H_out * W_out)
    g_mat = g.reshape(geo.n, geo.groups, geo.out_per_group, -1)
    if geo.pointwise:
        # sum over images of delta x^T, as one product over (n, pixel)
        x_mat = x.reshape(geo.n, geo.groups, geo.c_per_group, -1)
        grad_w = np.matmul(
            g_mat.transpose(1, 2, 0, 3).reshape(
                geo.groups, geo.out_per_group, -1
            ),
            x_mat.transpose(1, 0, 3, 2).reshape(
                geo.groups, -1, geo.c_per_group
            ),
        )
    else:
        grad_w = np.zeros(
            (geo.groups, geo.out_per_group, geo.c_per_group * geo.kh * geo.kw),
            dtype,
        )
        xp = pad_input(x, geo)
        buffer = np.empty(
            _TILE_ELEMENTS + geo.c_in * geo.kh * geo.kw * geo.w_out, dtype
        )
        for tile in _tiles(geo):
            cols = _im2col(xp, geo, tile, buffer)
            delta = tile.output(g_mat, geo.w_out)
            grad_w += np.matmul(delta, cols.swapaxes(-1, -2))
    grad_weight = grad_w.reshape(w.shape)
    grad_input = input_gradient(g, w, geo) if input_grad else None
    return grad_input, grad_weight, grad_bias


def input_gradient(g, w, geo):
    """Input gradient of conv2d: the transposed convolution of ``g``."""
    if geo.pointwise:
        w_t = w.reshape(
            geo.groups, geo.out_per_group, geo.c_per_group
        ).swapaxes(-1, -2)
        g_mat = np.ascontiguousarray(g).reshape(
            geo.n, geo.groups, geo.out_per_group, -1
        )
        return np.matmul(w_t, g_mat).reshape(geo.n, geo.c_in, geo.h, geo.w)
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
    for (lo, hi), k, d in zip(
        geo.pad, (geo.kh, geo.kw), geo.dilation, strict=True
    ):
        reach = d * (k - 1)
        pads.append((reach - lo, reach - hi))
    crop = tuple(slice(max(0, -a), None if b >= 0 else b) for a, b in pads)
    g = g[:, :, crop[0], crop[1]]
    padding = [(max(0, a), max(0, b)) for a, b in pads]
    g = np.pad(g, ((0, 0), (0, 0), padding[0], padding[1]))
    w_rot = _rot180_transposed(w, geo)
    return forward(
        g,
        w_rot,
        None,
        geometry(
            "conv2d", g.shape, w_rot.shape, 1, 0, geo.dilation, geo.groups
        ),
    )


def _rot180_transposed(w, geo):
    """(C_out, C_in/G, kH, kW) -> (C_in, C_out/G, kH, kW), rotated 180."""
    w_g = w.reshape(
        geo.groups, geo.out_per_group, geo.c_per_group, geo.kh, geo.kw
    )
    w_t = w_g.transpose(0, 2, 1, 3, 4)[..., ::-1, ::-1]
    return np.ascontiguousarray(w_t).reshape(
        geo.c_in, geo.out_per_group, geo.kh, geo.kw
    )


def _col2im(g, w, geo):
    r"""Input gradient by col2im: the forward pass's im2col, reversed.

    A tile at a time: the product :math:`W^\top \delta` gives, for every
    output pixel, the gradient of each entry of the window it read (a
    "column"); each of the ``kH * kW`` kernel offsets then adds its
    entries into a strided slice of the padded input's gradient.
    """
    (pt, pb), (pl, pr) = geo.pad
    (sh, sw), (dh, dw) = geo.stride, geo.dilation
    grad_p = np.zeros(
        (geo.n, geo.c_in, geo.h + pt + pb, geo.w + pl + pr), g.dtype
    )
    # (G, C_in/G * kH * kW, C_out/G)
    w_t = w.reshape(geo.groups, geo.out_per_group, -1).swapaxes(-1, -2)
    g_mat = g.reshape(geo.n, geo.groups, geo.out_per_group, -1)
    buffer = np.empty(
        _TILE_ELEMENTS + geo.c_in * geo.kh * geo.kw * geo.w_out, g.dtype
    )
    for tile in _tiles(geo):
        delta = tile.output(g_mat, geo.w_out)
        cols = buffer[: geo.c_in * geo.kh * geo.kw * tile.columns]
        cols = np.matmul(
            w_t, delta, out=cols.reshape(geo.groups, -1, tile.columns)
        )
        # (C_in, kH, kW, images, rows, W_out) -> per offset, as the input
        cols = cols.reshape(
            geo.c_in, geo.kh, geo.kw, tile.images, tile.rows, geo.w_out
        )
        target = grad_p[tile.n0 : tile.n0 + tile.images]
        for u in range(geo.kh):
            top = tile.r0 * sh + u * dh
            rows = slice(top, top + sh * (tile.rows - 1) + 1, sh)
            for v in range(geo.kw):
                columns = slice(v * dw, v * dw + sw * (geo.w_out - 1) + 1, sw)
                target[:, :, rows, columns] += cols[:, u, v].transpose(
                    1, 0, 2, 3
                )
    return grad_p[:, :, pt : pt + geo.h, pl : pl + geo.w]
