"""Pure size formulas: output shapes and parameter counts.

These are the formulas of chapter 3 as plain functions of integers, so the
book can compute every shape and count it quotes (and the tests can pin
them) without building a layer.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from ._validation import check_bool, check_int, check_pair

__all__ = [
    "batch_norm_parameters",
    "conv2d_output_shape",
    "conv2d_parameters",
    "conv_output_size",
    "linear_parameters",
    "pool_output_size",
]


def conv_output_size(
    size: int,
    kernel_size: int,
    stride: int = 1,
    padding: int = 0,
    dilation: int = 1,
) -> int:
    r"""Output length of a convolution along one axis.

    .. math::

        n_\text{out} = \left\lfloor
            \frac{n + 2p - d\,(f - 1) - 1}{s}
        \right\rfloor + 1

    With dilation :math:`d = 1` this is the familiar
    :math:`\lfloor (n + 2p - f)/s \rfloor + 1`. A dilated kernel covers
    :math:`d(f-1)+1` input positions.

    Raises
    ------
    ValueError
        If the (dilated) kernel does not fit in the padded input, i.e. the
        output would be empty.
    """
    func = "conv_output_size"
    size = check_int(size, "size", func, minimum=1)
    kernel_size = check_int(kernel_size, "kernel_size", func, minimum=1)
    stride = check_int(stride, "stride", func, minimum=1)
    padding = check_int(padding, "padding", func, minimum=0)
    dilation = check_int(dilation, "dilation", func, minimum=1)
    span = dilation * (kernel_size - 1) + 1
    if span > size + 2 * padding:
        raise ValueError(
            f"{func}: kernel_size={kernel_size} (spanning {span} positions "
            f"with dilation={dilation}) is larger than the padded input "
            f"{size} + 2*{padding} = {size + 2 * padding}; the output would "
            "be empty"
        )
    return (size + 2 * padding - span) // stride + 1


def pool_output_size(
    size: int,
    kernel_size: int,
    stride: int | None = None,
    padding: int = 0,
    dilation: int = 1,
    ceil_mode: bool = False,
) -> int:
    r"""Output length of a pooling window along one axis (as PyTorch).

    The floor formula is the convolution's. With ``ceil_mode=True`` the
    division rounds up, except that a window must start inside the input
    or the left padding, never entirely in the right padding.
    ``stride`` defaults to ``kernel_size``, as in ``nn.MaxPool2d``.
    """
    func = "pool_output_size"
    size = check_int(size, "size", func, minimum=1)
    kernel_size = check_int(kernel_size, "kernel_size", func, minimum=1)
    stride = kernel_size if stride is None else stride
    stride = check_int(stride, "stride", func, minimum=1)
    padding = check_int(padding, "padding", func, minimum=0)
    dilation = check_int(dilation, "dilation", func, minimum=1)
    ceil_mode = check_bool(ceil_mode, "ceil_mode", func)
    if 2 * padding > kernel_size:
        raise ValueError(
            f"{func}: padding={padding} must be at most half of "
            f"kernel_size={kernel_size}"
        )
    out = conv_output_size(size, kernel_size, stride, padding, dilation)
    if ceil_mode:
        span = dilation * (kernel_size - 1) + 1
        out = math.ceil((size + 2 * padding - span) / stride) + 1
        if (out - 1) * stride >= size + padding:
            out -= 1
    return out


def conv2d_output_shape(
    input_shape: Sequence[int],
    out_channels: int,
    kernel_size: int | tuple[int, int],
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] = 0,
    dilation: int | tuple[int, int] = 1,
) -> tuple[int, int, int, int]:
    """Shape ``(N, C_out, H_out, W_out)`` of a 2-D convolution's output.

    Each spatial axis follows :func:`conv_output_size`.
    """
    func = "conv2d_output_shape"
    if not isinstance(input_shape, Sequence) or len(input_shape) != 4:
        raise ValueError(
            f"{func}: input_shape must be (N, C, H, W), got {input_shape!r}"
        )
    n, _, h, w = (
        check_int(v, f"input_shape[{i}]", func, minimum=1)
        for i, v in enumerate(input_shape)
    )
    out_channels = check_int(out_channels, "out_channels", func, minimum=1)
    kh, kw = check_pair(kernel_size, "kernel_size", func, minimum=1)
    sh, sw = check_pair(stride, "stride", func, minimum=1)
    ph, pw = check_pair(padding, "padding", func, minimum=0)
    dh, dw = check_pair(dilation, "dilation", func, minimum=1)
    return (
        n,
        out_channels,
        conv_output_size(h, kh, sh, ph, dh),
        conv_output_size(w, kw, sw, pw, dw),
    )


def conv2d_parameters(
    in_channels: int,
    out_channels: int,
    kernel_size: int | tuple[int, int],
    bias: bool = True,
    groups: int = 1,
) -> int:
    r"""Number of learned values in a 2-D convolution.

    .. math::

        P = f_h \, f_w \, \frac{c_\text{in}}{g} \, c_\text{out}
            + c_\text{out}

    where the last term (one bias per filter) is present when ``bias`` is
    true and :math:`g` is ``groups`` (1 for an ordinary convolution,
    :math:`c_\text{in}` for a depthwise one).
    """
    func = "conv2d_parameters"
    in_channels = check_int(in_channels, "in_channels", func, minimum=1)
    out_channels = check_int(out_channels, "out_channels", func, minimum=1)
    groups = check_int(groups, "groups", func, minimum=1)
    kh, kw = check_pair(kernel_size, "kernel_size", func, minimum=1)
    for name, channels in (
        ("in_channels", in_channels),
        ("out_channels", out_channels),
    ):
        if channels % groups:
            raise ValueError(
                f"{func}: {name}={channels} must be divisible by "
                f"groups={groups}"
            )
    weights = kh * kw * (in_channels // groups) * out_channels
    return weights + (out_channels if check_bool(bias, "bias", func) else 0)


def linear_parameters(
    in_features: int, out_features: int, bias: bool = True
) -> int:
    r"""Number of learned values in a fully connected layer.

    .. math:: P = n_\text{in}\, n_\text{out} + n_\text{out}
    """
    func = "linear_parameters"
    in_features = check_int(in_features, "in_features", func, minimum=1)
    out_features = check_int(out_features, "out_features", func, minimum=1)
    bias = check_bool(bias, "bias", func)
    return in_features * out_features + (out_features if bias else 0)


def batch_norm_parameters(num_features: int, affine: bool = True) -> int:
    r"""Number of learned values in batch normalization: :math:`2C`.

    One scale :math:`\gamma` and one shift :math:`\beta` per channel. The
    running mean and variance are buffers, not parameters: they are
    estimated, not learned by gradient descent.
    """
    func = "batch_norm_parameters"
    num_features = check_int(num_features, "num_features", func, minimum=1)
    return 2 * num_features if check_bool(affine, "affine", func) else 0
