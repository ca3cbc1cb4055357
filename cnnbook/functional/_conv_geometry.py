"""The shapes of one 2-D convolution, from its arguments, checked once.

Private: shared by the fast convolution (``_conv_fast.py``), the loop
reference (``conv_reference.py``) and the transposed convolution.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._validation import (
    as_array,
    check_conv_shapes,
    check_int,
    check_pair,
)
from ._padding import resolve_conv_padding


@dataclass(frozen=True)
class Geometry:
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
    def pointwise(self) -> bool:
        """A 1x1 kernel reading every pixel: a plain matrix product."""
        return (
            self.kh == self.kw == 1
            and self.stride == (1, 1)
            and not self.padded
        )


def geometry(func, x_shape, w_shape, stride, padding, dilation, groups):
    """The :class:`Geometry` of a convolution of an ``x_shape`` input with
    a ``w_shape`` weight; a ``ValueError`` naming ``func`` if they do not
    fit together."""
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
    return Geometry(
        n,
        c_in,
        h,
        w_in,
        c_out,
        c_per_group,
        kh,
        kw,
        groups,
        stride,
        dilation,
        pad,
        out[0],
        out[1],
    )


def conv_arrays(func, input, weight, bias):
    """``input``, ``weight`` and ``bias`` as arrays of the right ranks."""
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


def pad_input(x, geo):
    """``x`` with the convolution's zero padding (``x`` itself if none)."""
    if not geo.padded:
        return x
    return np.pad(x, ((0, 0), (0, 0), geo.pad[0], geo.pad[1]))
