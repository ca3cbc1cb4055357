r"""Winograd's minimal filtering F(2 x 2, 3 x 3) for 3 x 3 convolutions.

A 3 x 3 correlation producing a 2 x 2 block of outputs from a 4 x 4 block
of inputs takes 36 multiplications done directly; Winograd's algorithm
(Lavin & Gray 2016) does it with 16, by transforming the input block
:math:`d` and the kernel :math:`g` into a space where correlation becomes
an element-wise product:

.. math::

    Y = A^\top \left[ (G g G^\top) \odot (B^\top d B) \right] A

With many channels the element-wise products over channels become 16
matrix products, one per position of the 4 x 4 transformed block, of
:math:`C_\text{out} \times C_\text{in}` by :math:`C_\text{in} \times
\text{tiles}`: 2.25 times fewer multiplications than im2col's single
product. The transforms cost additions proportional to the data, so it
pays off when the channels are many (the products dominate); ``conv2d``
uses it only then. The result equals the direct sum up to rounding.
"""

from __future__ import annotations

import numpy as np

__all__ = ["winograd_conv3x3"]

# F(2x2, 3x3) transforms (Lavin & Gray 2016, section 4.1).
_G = np.array(
    [[1.0, 0.0, 0.0], [0.5, 0.5, 0.5], [0.5, -0.5, 0.5], [0.0, 0.0, 1.0]]
)

# Elements of the transformed input of one block of work (16 MiB in
# float32): large enough for efficient matrix products, small enough to
# stay near the cache.
_BLOCK_ELEMENTS = 1 << 22


def _input_transform(d, out):
    """V = B^T d B for every 4 x 4 tile, written into ``out``.

    ``d`` is (N, C, 2 th + 2, 2 tw + 2); ``out`` is a (4, 4, N, C, th, tw)
    view. B^T combines rows as (r0 - r2, r1 + r2, r2 - r1, r1 - r3).
    """
    th, tw = out.shape[-2:]
    rows = [d[:, :, a : a + 2 * th : 2, :] for a in range(4)]
    mixed = (
        rows[0] - rows[2],
        rows[1] + rows[2],
        rows[2] - rows[1],
        rows[1] - rows[3],
    )
    for a, r in enumerate(mixed):
        c = [r[..., b : b + 2 * tw : 2] for b in range(4)]
        np.subtract(c[0], c[2], out=out[a, 0])
        np.add(c[1], c[2], out=out[a, 1])
        np.subtract(c[2], c[1], out=out[a, 2])
        np.subtract(c[1], c[3], out=out[a, 3])


def _output_transform(m, y):
    """Y = A^T m A, scattering each 2 x 2 block into ``y``.

    ``m`` is (4, 4, N, O, th, tw); ``y`` is (N, O, 2 th, 2 tw). A^T
    combines rows as (m0 + m1 + m2, m1 - m2 - m3).
    """
    top = m[0] + m[1] + m[2]  # (4, N, O, th, tw), one per column b
    bottom = m[1] - m[2] - m[3]
    for i, s in enumerate((top, bottom)):
        np.add(s[0] + s[1], s[2], out=y[:, :, i::2, 0::2])
        np.subtract(s[1] - s[2], s[3], out=y[:, :, i::2, 1::2])


def winograd_conv3x3(x, weight, pad, out):
    """3 x 3 correlation, stride 1, by F(2 x 2, 3 x 3), into ``out``.

    Parameters
    ----------
    x : (N, C_in, H, W) array
    weight : (C_out, C_in, 3, 3) array, same dtype
    pad : ((top, bottom), (left, right)) zero padding
    out : (N, C_out, H_out, W_out) array, written in place
    """
    n, c_in, h, w = x.shape
    c_out = weight.shape[0]
    h_out, w_out = out.shape[-2:]
    th, tw = -(-h_out // 2), -(-w_out // 2)  # 2 x 2 output tiles
    (pt, _), (pl, _) = pad
    dtype = out.dtype
    # U = G g G^T for every (out, in) channel pair, as one matrix product:
    # U[i, l] = sum_jk G[i, j] G[l, k] g[j, k], i.e. kron(G, G) applied to
    # the flattened kernels. (16, C_out, C_in)
    kron = np.kron(_G, _G).astype(dtype)  # (16, 9)
    u = (kron @ weight.reshape(c_out * c_in, 9).T).reshape(16, c_out, c_in)
    # Blocks of whole images, or of tile rows within one image.
    per_tile_row = 16 * c_in * tw
    rows = max(1, _BLOCK_ELEMENTS // per_tile_row)
    if rows >= th:
        step = max(1, rows // th)
        blocks = [(n0, min(step, n - n0), 0, th) for n0 in range(0, n, step)]
    else:
        blocks = [
            (n0, 1, i0, min(rows, th - i0))
            for n0 in range(n)
            for i0 in range(0, th, rows)
        ]
    exact = (2 * th, 2 * tw) == (h_out, w_out)
    for n0, images, i0, tile_rows in blocks:
        # the input the block reads, zero-padded to whole 4 x 4 tiles
        d = np.zeros((images, c_in, 2 * tile_rows + 2, 2 * tw + 2), dtype)
        top = 2 * i0 - pt  # first input row the block reads
        src_lo, src_hi = max(top, 0), min(top + d.shape[2], h)
        if src_hi > src_lo:
            d[:, :, src_lo - top : src_hi - top, pl : pl + w] = x[
                n0 : n0 + images, :, src_lo:src_hi, :
            ]
        v = np.empty((16, c_in, images, tile_rows, tw), dtype)
        _input_transform(
            d,
            v.reshape(4, 4, c_in, images, tile_rows, tw).transpose(
                0, 1, 3, 2, 4, 5
            ),
        )
        m = np.matmul(u, v.reshape(16, c_in, -1))  # (16, C_out, tiles)
        m = m.reshape(4, 4, c_out, images, tile_rows, tw).transpose(
            0, 1, 3, 2, 4, 5
        )
        rows_out = slice(2 * i0, 2 * (i0 + tile_rows))
        if exact:
            _output_transform(m, out[n0 : n0 + images, :, rows_out])
        else:
            full = np.empty((images, c_out, 2 * tile_rows, 2 * tw), dtype)
            _output_transform(m, full)
            keep = min(2 * tile_rows, h_out - 2 * i0)
            out[n0 : n0 + images, :, 2 * i0 : 2 * i0 + keep] = full[
                :, :, :keep, :w_out
            ]
    return out
