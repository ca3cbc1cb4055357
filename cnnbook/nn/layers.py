"""Layers of the numpy layer API, named and initialized as in ``torch.nn``.

Each layer's ``forward`` calls the numpy function of
:mod:`cnnbook.functional`, and its ``backward`` calls that function's
backward pass; the layers only keep what the backward pass needs.
Weights are initialized as PyTorch initializes them (uniform in
:math:`\\pm 1/\\sqrt{n_\\text{in}}`), from a seeded numpy generator.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import DTypeLike

from .. import functional as cf
from .._validation import (
    as_array,
    as_generator,
    check_bool,
    check_float_dtype,
    check_int,
    check_number,
    check_pair,
)
from ..functional._padding import resolve_conv_padding
from ..functional.pooling import _max_pool
from .module import Module, Parameter

__all__ = [
    "AdaptiveAvgPool2d",
    "AvgPool2d",
    "BatchNorm1d",
    "BatchNorm2d",
    "Conv2d",
    "Dropout",
    "Flatten",
    "LeakyReLU",
    "Linear",
    "MaxPool2d",
    "ReLU",
    "Sigmoid",
    "Tanh",
]


def _default_init(shape, fan_in, rng, dtype):
    # PyTorch: kaiming_uniform_(a=sqrt(5)) = U(-1/sqrt(fan_in), ...), and
    # the bias uniform in the same range.
    bound = 1 / math.sqrt(fan_in) if fan_in else 0.0
    return rng.uniform(-bound, bound, shape).astype(dtype)


def _rng(rng):
    return as_generator(rng, "layer")


class Conv2d(Module):
    """2-D convolution layer: :func:`cnnbook.functional.conv2d`."""

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int | tuple[int, int],
        stride: int | tuple[int, int] = 1,
        padding: int | tuple[int, int] | str = 0,
        dilation: int | tuple[int, int] = 1,
        groups: int = 1,
        bias: bool = True,
        rng: np.random.Generator | int | None = None,
        dtype: DTypeLike = np.float32,
    ):
        func = "Conv2d"
        in_channels = check_int(in_channels, "in_channels", func, minimum=1)
        out_channels = check_int(out_channels, "out_channels", func, minimum=1)
        groups = check_int(groups, "groups", func, minimum=1)
        if in_channels % groups or out_channels % groups:
            raise ValueError(
                f"{func}: in_channels={in_channels} and out_channels="
                f"{out_channels} must be divisible by groups={groups}"
            )
        kh, kw = check_pair(kernel_size, "kernel_size", func, minimum=1)
        # checked now, not at the first forward pass, so that a wrong
        # layer fails where it is built
        pair = (
            check_pair(stride, "stride", func, minimum=1),
            check_pair(dilation, "dilation", func, minimum=1),
        )
        resolve_conv_padding(padding, (kh, kw), *pair, func)
        dtype = check_float_dtype(dtype, "dtype", func)
        self.stride, self.padding = stride, padding
        self.dilation, self.groups = dilation, groups
        shape = (out_channels, in_channels // groups, kh, kw)
        fan_in = shape[1] * kh * kw
        rng = _rng(rng)
        self.weight = Parameter(_default_init(shape, fan_in, rng, dtype))
        self.bias = (
            Parameter(_default_init(out_channels, fan_in, rng, dtype))
            if check_bool(bias, "bias", func)
            else None
        )
        self._input = None

    def _kwargs(self):
        return dict(
            stride=self.stride,
            padding=self.padding,
            dilation=self.dilation,
            groups=self.groups,
        )

    def forward(self, input: np.ndarray) -> np.ndarray:
        self._input = input
        return cf.conv2d(
            input,
            self.weight.data,
            None if self.bias is None else self.bias.data,
            **self._kwargs(),
        )

    def backward(
        self, grad_output: np.ndarray, input_grad: bool = True
    ) -> np.ndarray | None:
        gx, gw, gb = cf.conv2d_backward(
            grad_output,
            self._saved("_input"),
            self.weight.data,
            input_grad=input_grad,
            **self._kwargs(),
        )
        self.weight.grad += gw
        if self.bias is not None:
            self.bias.grad += gb
        return gx

    def __repr__(self):
        o, i, kh, kw = self.weight.shape
        return (
            f"Conv2d({i * self.groups}, {o}, kernel_size=({kh}, {kw}), "
            f"stride={self.stride}, padding={self.padding})"
        )


class Linear(Module):
    """Fully connected layer: :func:`cnnbook.functional.linear`."""

    def __init__(
        self,
        in_features: int,
        out_features: int,
        bias: bool = True,
        rng: np.random.Generator | int | None = None,
        dtype: DTypeLike = np.float32,
    ):
        func = "Linear"
        in_features = check_int(in_features, "in_features", func, minimum=1)
        out_features = check_int(out_features, "out_features", func, minimum=1)
        dtype = check_float_dtype(dtype, "dtype", func)
        rng = _rng(rng)
        self.weight = Parameter(
            _default_init((out_features, in_features), in_features, rng, dtype)
        )
        self.bias = (
            Parameter(_default_init(out_features, in_features, rng, dtype))
            if check_bool(bias, "bias", func)
            else None
        )
        self._input = None

    def forward(self, input: np.ndarray) -> np.ndarray:
        self._input = input
        return cf.linear(
            input,
            self.weight.data,
            None if self.bias is None else self.bias.data,
        )

    def backward(
        self, grad_output: np.ndarray, input_grad: bool = True
    ) -> np.ndarray | None:
        gx, gw, gb = cf.linear_backward(
            grad_output, self._saved("_input"), self.weight.data
        )
        self.weight.grad += gw
        if self.bias is not None:
            self.bias.grad += gb
        return gx if input_grad else None

    def __repr__(self):
        o, i = self.weight.shape
        return f"Linear(in_features={i}, out_features={o})"


class _Elementwise(Module):
    """An activation: forward ``f(x)``, backward ``f_backward(g, x)``."""

    def forward(self, input):
        self._input = input
        return self._f(input)

    def backward(self, grad_output, input_grad=True):
        input = self._saved("_input")
        return self._f_backward(grad_output, input) if input_grad else None

    def __repr__(self):
        return f"{type(self).__name__}()"


class ReLU(_Elementwise):
    _f = staticmethod(cf.relu)
    _f_backward = staticmethod(cf.relu_backward)


class Sigmoid(_Elementwise):
    _f = staticmethod(cf.sigmoid)
    _f_backward = staticmethod(cf.sigmoid_backward)


class Tanh(_Elementwise):
    _f = staticmethod(cf.tanh)
    _f_backward = staticmethod(cf.tanh_backward)


class LeakyReLU(_Elementwise):
    def __init__(self, negative_slope: float = 0.01):
        self.negative_slope = check_number(
            negative_slope, "negative_slope", "LeakyReLU"
        )

    def _f(self, x):
        return cf.leaky_relu(x, self.negative_slope)

    def _f_backward(self, g, x):
        return cf.leaky_relu_backward(g, x, self.negative_slope)


class MaxPool2d(Module):
    """Max pooling; the forward pass keeps the winners for the backward."""

    def __init__(
        self,
        kernel_size: int | tuple[int, int],
        stride: int | tuple[int, int] | None = None,
        padding: int | tuple[int, int] = 0,
        dilation: int | tuple[int, int] = 1,
        ceil_mode: bool = False,
    ):
        self.kwargs = _pool_kwargs(
            "MaxPool2d",
            kernel_size=kernel_size,
            stride=stride,
            padding=padding,
            dilation=dilation,
            ceil_mode=ceil_mode,
        )

    def forward(self, input: np.ndarray) -> np.ndarray:
        k = self.kwargs
        y, self._indices, real = _max_pool(
            "MaxPool2d",
            input,
            k["kernel_size"],
            k["stride"],
            k["padding"],
            k["dilation"],
            k["ceil_mode"],
            True,
        )
        self._input, self._dead = input, ~real
        return y

    def backward(
        self, grad_output: np.ndarray, input_grad: bool = True
    ) -> np.ndarray | None:
        input, indices, dead = self._saved("_input", "_indices", "_dead")
        if not input_grad:
            return None
        if dead.any():  # windows entirely in the padding
            grad_output = np.where(dead, 0, grad_output)
        return cf.max_pool2d_backward(
            grad_output, input, indices=indices, **self.kwargs
        )

    def __repr__(self):
        return f"MaxPool2d(kernel_size={self.kwargs['kernel_size']})"


class AvgPool2d(Module):
    """Average pooling."""

    def __init__(
        self,
        kernel_size: int | tuple[int, int],
        stride: int | tuple[int, int] | None = None,
        padding: int | tuple[int, int] = 0,
        ceil_mode: bool = False,
        count_include_pad: bool = True,
    ):
        self.kwargs = _pool_kwargs(
            "AvgPool2d",
            kernel_size=kernel_size,
            stride=stride,
            padding=padding,
            ceil_mode=ceil_mode,
            count_include_pad=count_include_pad,
        )

    def forward(self, input: np.ndarray) -> np.ndarray:
        self._input = input
        return cf.avg_pool2d(input, **self.kwargs)

    def backward(
        self, grad_output: np.ndarray, input_grad: bool = True
    ) -> np.ndarray | None:
        input = self._saved("_input")
        return (
            cf.avg_pool2d_backward(grad_output, input, **self.kwargs)
            if input_grad
            else None
        )


def _pool_kwargs(func, **kwargs):
    """A pooling layer's arguments, checked when the layer is built."""
    check_pair(kwargs["kernel_size"], "kernel_size", func, minimum=1)
    if kwargs["stride"] is not None:
        check_pair(kwargs["stride"], "stride", func, minimum=1)
    check_pair(kwargs["padding"], "padding", func, minimum=0)
    if "dilation" in kwargs:
        check_pair(kwargs["dilation"], "dilation", func, minimum=1)
    for flag in ("ceil_mode", "count_include_pad"):
        if flag in kwargs:
            check_bool(kwargs[flag], flag, func)
    return kwargs


class AdaptiveAvgPool2d(Module):
    """Adaptive average pooling; ``output_size=1`` is global average
    pooling."""

    def __init__(self, output_size: int | tuple[int, int]):
        func = "AdaptiveAvgPool2d"
        sizes = (
            output_size
            if isinstance(output_size, (tuple, list))
            else (output_size, output_size)
        )
        if len(sizes) != 2:
            raise ValueError(
                f"{func}: output_size must be an int or a pair, got "
                f"{output_size!r}"
            )
        for i, size in enumerate(sizes):
            if size is not None:  # None keeps the input's size
                check_int(size, f"output_size[{i}]", func, minimum=1)
        self.output_size = output_size

    def forward(self, input: np.ndarray) -> np.ndarray:
        self._input = input
        return cf.adaptive_avg_pool2d(input, self.output_size)

    def backward(
        self, grad_output: np.ndarray, input_grad: bool = True
    ) -> np.ndarray | None:
        input = self._saved("_input")
        return (
            cf.adaptive_avg_pool2d_backward(grad_output, input)
            if input_grad
            else None
        )


class Flatten(Module):
    """(N, C, H, W) -> (N, C * H * W)."""

    def forward(self, input: np.ndarray) -> np.ndarray:
        x = as_array(input, "input", "Flatten")
        if x.ndim < 2:
            raise ValueError(
                "Flatten: input must have a batch axis and at least one "
                f"more, (N, ...), got shape {x.shape}"
            )
        self._shape = x.shape
        # not reshape(N, -1): with N = 0 the -1 could be anything
        return x.reshape(len(x), math.prod(x.shape[1:]))

    def backward(
        self, grad_output: np.ndarray, input_grad: bool = True
    ) -> np.ndarray | None:
        shape = self._saved("_shape")
        return np.reshape(grad_output, shape) if input_grad else None

    def __repr__(self):
        return "Flatten()"


class Dropout(Module):
    """Inverted dropout (PyTorch's ``p`` = probability of dropping)."""

    def __init__(
        self, p: float = 0.5, rng: np.random.Generator | int | None = None
    ):
        self.p = check_number(p, "p", "Dropout", minimum=0, maximum=1)
        self.rng = _rng(rng)

    def forward(self, input: np.ndarray) -> np.ndarray:
        y, self._mask = cf.dropout(
            input, self.p, self.training, self.rng, return_mask=True
        )
        return y

    def backward(
        self, grad_output: np.ndarray, input_grad: bool = True
    ) -> np.ndarray | None:
        mask = self._saved("_mask")
        if not input_grad:
            return None
        if not self.training:
            return grad_output
        return cf.dropout_backward(grad_output, mask, self.p)

    def __repr__(self):
        return f"Dropout(p={self.p})"


class BatchNorm2d(Module):
    """Batch normalization with running statistics (as ``nn.BatchNorm2d``).

    Training mode normalizes with the batch's statistics and updates the
    running ones; evaluation mode uses the running ones.
    """

    _ranks = (4,)  # (N, C, H, W)

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float = 0.1,
        dtype: DTypeLike = np.float32,
    ):
        func = type(self).__name__
        c = check_int(num_features, "num_features", func, minimum=1)
        eps = check_number(eps, "eps", func, minimum=0, strict_minimum=True)
        momentum = check_number(
            momentum, "momentum", func, minimum=0, maximum=1
        )
        dtype = check_float_dtype(dtype, "dtype", func)
        self.eps, self.momentum = eps, momentum
        self.weight = Parameter(np.ones(c, dtype))
        self.bias = Parameter(np.zeros(c, dtype))
        self.running_mean = np.zeros(c, dtype)
        self.running_var = np.ones(c, dtype)

    def forward(self, input: np.ndarray) -> np.ndarray:
        # F.batch_norm takes any (N, C, ...); the layer, like PyTorch's,
        # only the rank it is named for, so a 2-d layer never silently
        # normalizes a batch of vectors
        input = as_array(input, "input", type(self).__name__, ndim=self._ranks)
        self._input = input
        return cf.batch_norm(
            input,
            self.running_mean,
            self.running_var,
            self.weight.data,
            self.bias.data,
            training=self.training,
            momentum=self.momentum,
            eps=self.eps,
        )

    def backward(
        self, grad_output: np.ndarray, input_grad: bool = True
    ) -> np.ndarray | None:
        gx, gw, gb = cf.batch_norm_backward(
            grad_output,
            self._saved("_input"),
            self.weight.data,
            self.running_mean,
            self.running_var,
            training=self.training,
            eps=self.eps,
        )
        self.weight.grad += gw
        self.bias.grad += gb
        return gx if input_grad else None

    def __repr__(self):
        return f"{type(self).__name__}({self.weight.shape[0]})"


class BatchNorm1d(BatchNorm2d):
    """Batch normalization of (N, C) or (N, C, L) inputs."""

    _ranks = (2, 3)
