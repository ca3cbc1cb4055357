"""Activation functions, their backward passes and derivatives, in numpy.

Each function ``f`` is followed by its backward pass,
``f_backward(grad_output, input)``, the chain rule (``grad_output *
f'(input)`` for the element-wise functions), and by its derivative
``f_derivative``, written from the formula, so that the three can be read
together (and plotted together in chapter 3).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from .._validation import (
    as_array,
    as_arrays_of_one_shape,
    check_int,
    check_number,
)

__all__ = [
    "leaky_relu",
    "leaky_relu_backward",
    "leaky_relu_derivative",
    "log_softmax",
    "log_softmax_backward",
    "relu",
    "relu_backward",
    "relu_derivative",
    "sigmoid",
    "sigmoid_backward",
    "sigmoid_derivative",
    "softmax",
    "softmax_backward",
    "softmax_jacobian",
    "tanh",
    "tanh_backward",
    "tanh_derivative",
]


def _check_dim(x, dim, func):
    dim = check_int(dim, "dim", func)
    # PyTorch treats a 0-d tensor as one value along dim 0 (or -1)
    if not -max(x.ndim, 1) <= dim < max(x.ndim, 1):
        raise ValueError(
            f"{func}: dim={dim} is out of range for an input with "
            f"{x.ndim} dimensions"
        )
    return dim


def _row_max(x, dim):
    """The maximum along ``dim``, kept as an axis of length 1.

    ``initial`` makes an empty axis reduce to -inf rather than fail, so
    that an empty input gives an empty output, as in PyTorch.
    """
    return x.max(axis=dim, keepdims=True, initial=-np.inf)


def _grad_pair(func, grad_output, input):
    return as_arrays_of_one_shape(
        grad_output, "grad_output", input, "input", func
    )


def relu(input: ArrayLike) -> np.ndarray:
    r"""Rectified linear unit: :math:`f(x) = \max(0, x)`."""
    x = as_array(input, "input", "relu")
    return np.maximum(x, 0)


def relu_backward(grad_output: ArrayLike, input: ArrayLike) -> np.ndarray:
    r""":math:`\partial\mathcal{L}/\partial x = \delta \cdot [x > 0]`."""
    g, x = _grad_pair("relu_backward", grad_output, input)
    # "not <= 0" rather than "> 0": like PyTorch, a NaN input passes its
    # gradient on (and the NaN reaches the parameters' gradients)
    return np.where(x <= 0, 0, g).astype(np.result_type(g, x), copy=False)


def relu_derivative(input: ArrayLike) -> np.ndarray:
    r""":math:`f'(x) = 1` if :math:`x > 0` else :math:`0`.

    At :math:`x = 0` ReLU has no derivative; like PyTorch we use 0 there.
    """
    x = as_array(input, "input", "relu_derivative")
    return (x > 0).astype(x.dtype)


def leaky_relu(input: ArrayLike, negative_slope: float = 0.01) -> np.ndarray:
    r""":math:`f(x) = x` if :math:`x > 0` else :math:`\alpha x`."""
    x = as_array(input, "input", "leaky_relu")
    a = check_number(negative_slope, "negative_slope", "leaky_relu")
    return np.where(x > 0, x, a * x)


def leaky_relu_backward(
    grad_output: ArrayLike, input: ArrayLike, negative_slope: float = 0.01
) -> np.ndarray:
    r""":math:`\delta` where :math:`x > 0`, else :math:`\alpha\delta`."""
    func = "leaky_relu_backward"
    g, x = _grad_pair(func, grad_output, input)
    a = check_number(negative_slope, "negative_slope", func)
    return np.where(x > 0, g, a * g).astype(np.result_type(g, x), copy=False)


def leaky_relu_derivative(
    input: ArrayLike, negative_slope: float = 0.01
) -> np.ndarray:
    r""":math:`f'(x) = 1` if :math:`x > 0` else :math:`\alpha`."""
    x = as_array(input, "input", "leaky_relu_derivative")
    a = check_number(negative_slope, "negative_slope", "leaky_relu_derivative")
    return np.where(x > 0, 1.0, a).astype(x.dtype)


def sigmoid(input: ArrayLike) -> np.ndarray:
    r"""Logistic sigmoid :math:`\sigma(x) = 1 / (1 + e^{-x})`.

    Computed as :math:`e^{x}/(1+e^{x})` for negative :math:`x` so that
    :math:`e^{-x}` never overflows.
    """
    x = as_array(input, "input", "sigmoid")
    e = np.exp(-np.abs(x))  # in (0, 1]: cannot overflow
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


def sigmoid_backward(grad_output: ArrayLike, input: ArrayLike) -> np.ndarray:
    r""":math:`\delta\,\sigma(x)(1 - \sigma(x))`."""
    g, x = _grad_pair("sigmoid_backward", grad_output, input)
    return g * sigmoid_derivative(x)


def sigmoid_derivative(input: ArrayLike) -> np.ndarray:
    r""":math:`\sigma'(x) = \sigma(x)\,(1 - \sigma(x))`, at most 1/4."""
    s = sigmoid(input)
    return s * (1 - s)


def tanh(input: ArrayLike) -> np.ndarray:
    r""":math:`\tanh(x) = (e^{x} - e^{-x}) / (e^{x} + e^{-x})`."""
    return np.tanh(as_array(input, "input", "tanh"))


def tanh_backward(grad_output: ArrayLike, input: ArrayLike) -> np.ndarray:
    r""":math:`\delta\,(1 - \tanh^2 x)`."""
    g, x = _grad_pair("tanh_backward", grad_output, input)
    return g * tanh_derivative(x)


def tanh_derivative(input: ArrayLike) -> np.ndarray:
    r""":math:`\tanh'(x) = 1 - \tanh^2(x)`, at most 1."""
    return 1 - tanh(input) ** 2


def softmax(input: ArrayLike, dim: int = -1) -> np.ndarray:
    r"""Softmax along ``dim``: :math:`p_i = e^{x_i} / \sum_j e^{x_j}`.

    Computed as :math:`e^{x_i - m} / \sum_j e^{x_j - m}` with
    :math:`m = \max_j x_j`: the same value (the factor :math:`e^{-m}`
    cancels) without overflow for large logits. (PyTorch's ``dim`` has no
    default; here it defaults to the last axis.)
    """
    x = as_array(input, "input", "softmax")
    dim = _check_dim(x, dim, "softmax")
    if x.ndim == 0:
        return softmax(x.reshape(1)).reshape(())
    e = np.exp(x - _row_max(x, dim))
    return e / e.sum(axis=dim, keepdims=True)


def softmax_backward(
    grad_output: ArrayLike, input: ArrayLike, dim: int = -1
) -> np.ndarray:
    r"""Gradient through :func:`softmax`: a Jacobian-vector product.

    With :math:`J = \operatorname{diag}(p) - p p^\top`
    (:func:`softmax_jacobian`, symmetric),

    .. math::

        J\delta = p \odot \left(\delta - \textstyle\sum_j
            \delta_j p_j\right)

    computed without forming :math:`J` (which would be
    :math:`K \times K` per example).
    """
    func = "softmax_backward"
    g, x = _grad_pair(func, grad_output, input)
    dim = _check_dim(x, dim, func)
    if x.ndim == 0:
        return softmax_backward(g.reshape(1), x.reshape(1)).reshape(())
    p = softmax(x, dim)
    return p * (g - (g * p).sum(axis=dim, keepdims=True))


def softmax_jacobian(input: ArrayLike) -> np.ndarray:
    r"""Jacobian of softmax for one vector of logits.

    .. math::

        \frac{\partial p_i}{\partial x_j} = p_i(\delta_{ij} - p_j),
        \qquad J = \operatorname{diag}(p) - p\,p^\top
    """
    x = as_array(input, "input", "softmax_jacobian", ndim=1)
    p = softmax(x)
    return np.diag(p) - np.outer(p, p)


def log_softmax(input: ArrayLike, dim: int = -1) -> np.ndarray:
    r""":math:`\log p_i = x_i - m - \log \sum_j e^{x_j - m}` (log-sum-exp).

    Taking the log of :func:`softmax` would give :math:`-\infty` as soon as
    a probability underflows to 0; this form stays finite.
    """
    x = as_array(input, "input", "log_softmax")
    dim = _check_dim(x, dim, "log_softmax")
    if x.ndim == 0:
        return log_softmax(x.reshape(1)).reshape(())
    if x.size == 0:  # nothing to normalize (and no log of an empty sum)
        return x.copy()
    shifted = x - _row_max(x, dim)
    return shifted - np.log(np.exp(shifted).sum(axis=dim, keepdims=True))


def log_softmax_backward(
    grad_output: ArrayLike, input: ArrayLike, dim: int = -1
) -> np.ndarray:
    r"""Gradient through :func:`log_softmax`.

    :math:`\partial \log p_i / \partial x_j = \delta_{ij} - p_j`, so

    .. math::

        \frac{\partial\mathcal{L}}{\partial x} = \delta - p
            \textstyle\sum_i \delta_i
    """
    func = "log_softmax_backward"
    g, x = _grad_pair(func, grad_output, input)
    dim = _check_dim(x, dim, func)
    if x.ndim == 0:
        return log_softmax_backward(g.reshape(1), x.reshape(1)).reshape(())
    return g - softmax(x, dim) * g.sum(axis=dim, keepdims=True)
