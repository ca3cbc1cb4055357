"""Receptive fields of a stack of convolution / pooling layers.

The receptive field of a unit is the region of the input that can affect
it. For layer :math:`l` with kernel :math:`k_l`, stride :math:`s_l`,
padding :math:`p_l` and dilation :math:`d_l` (effective kernel
:math:`\\hat k_l = d_l(k_l - 1) + 1`), with :math:`r_0 = 1`,
:math:`j_0 = 1`, :math:`c_0 = 0.5`:

.. math::

    r_l = r_{l-1} + (\\hat k_l - 1)\\, j_{l-1}, \\qquad
    j_l = j_{l-1}\\, s_l, \\qquad
    c_l = c_{l-1} + \\left(\\tfrac{\\hat k_l - 1}{2} - p_l\\right) j_{l-1}

:math:`r` is the receptive-field size, :math:`j = \\prod s` the distance in
input pixels between neighboring units (the "jump"), and :math:`c` the
center of the first unit's field in input coordinates (pixel :math:`i`
spans :math:`[i, i+1)`). The encyclopedia's
:math:`r_\\text{out} = r_\\text{in} + (f-1)\\prod_{l<L} s_l` is the first
recurrence without dilation.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ._validation import as_list, check_int

__all__ = ["Layer", "ReceptiveField", "receptive_field"]


@dataclass(frozen=True)
class Layer:
    """The geometry of one layer along one axis."""

    kernel_size: int
    stride: int = 1
    padding: int = 0
    dilation: int = 1
    name: str = ""

    def __post_init__(self):
        func = "Layer"
        check_int(self.kernel_size, "kernel_size", func, minimum=1)
        check_int(self.stride, "stride", func, minimum=1)
        check_int(self.padding, "padding", func, minimum=0)
        check_int(self.dilation, "dilation", func, minimum=1)
        if not isinstance(self.name, str):
            raise TypeError(
                f"{func}: name must be a str, got {type(self.name).__name__}"
            )

    @property
    def effective_kernel_size(self) -> int:
        """Input positions the (dilated) kernel spans: d(k-1)+1."""
        return self.dilation * (self.kernel_size - 1) + 1


@dataclass(frozen=True)
class ReceptiveField:
    """Receptive field after one layer of a stack."""

    name: str
    size: int  # r: input pixels one unit sees, along one axis
    jump: int  # j: input pixels between neighboring units
    start: float  # c: center of the first unit's field


def receptive_field(
    layers: Iterable[Layer | tuple[int, ...]],
) -> list[ReceptiveField]:
    """Receptive field after each layer of a stack (one spatial axis).

    Parameters
    ----------
    layers : iterable of Layer or of (kernel_size, stride[, padding[,
        dilation]]) tuples

    Examples
    --------
    Three 3x3 convolutions see 7 x 7 pixels, like one 7x7:

    >>> [rf.size for rf in receptive_field([(3, 1)] * 3)]
    [3, 5, 7]
    """
    layers = as_list(
        layers,
        "layers",
        "receptive_field",
        what="Layer objects or (kernel_size, stride) tuples",
    )
    size, jump, start = 1, 1, 0.5
    result = []
    for i, layer in enumerate(layers):
        if not isinstance(layer, Layer):
            if (
                not isinstance(layer, (tuple, list))
                or not 1 <= len(layer) <= 4
            ):
                raise TypeError(
                    f"receptive_field: layers[{i}] must be a Layer or a "
                    "(kernel_size, stride, padding, dilation) tuple, got "
                    f"{layer!r}"
                )
            layer = Layer(*layer)
        k = layer.effective_kernel_size
        start = start + ((k - 1) / 2 - layer.padding) * jump
        size = size + (k - 1) * jump
        jump = jump * layer.stride
        result.append(
            ReceptiveField(layer.name or f"layer {i + 1}", size, jump, start)
        )
    if not result:
        raise ValueError("receptive_field: layers must not be empty")
    return result
