"""Fully connected (linear) layer, in numpy."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from .._validation import as_array

__all__ = ["linear", "linear_backward"]


def linear(
    input: ArrayLike, weight: ArrayLike, bias: ArrayLike | None = None
) -> np.ndarray:
    r"""Affine map, as ``torch.nn.functional.linear``.

    .. math:: y = x W^\top + b

    Parameters
    ----------
    input : ndarray, shape (..., n_in)
    weight : ndarray, shape (n_out, n_in)
    bias : ndarray, shape (n_out,), optional

    Returns
    -------
    ndarray, shape (..., n_out)
    """
    func = "linear"
    x = as_array(input, "input", func)
    w = as_array(weight, "weight", func, ndim=2)
    if x.ndim == 0 or x.shape[-1] != w.shape[1]:
        raise ValueError(
            f"{func}: input's last dimension must equal weight.shape[1] = "
            f"{w.shape[1]} (n_in), got input shape {x.shape}"
        )
    y = x @ w.T
    if bias is not None:
        b = as_array(bias, "bias", func, ndim=1)
        if b.shape != (w.shape[0],):
            raise ValueError(
                f"{func}: bias must have shape ({w.shape[0]},), got {b.shape}"
            )
        y = y + b
    return y


def linear_backward(
    grad_output: ArrayLike, input: ArrayLike, weight: ArrayLike
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""Gradients of :func:`linear`.

    With :math:`\delta = \partial\mathcal{L}/\partial y` and every
    leading dimension of the input treated as a batch of rows,

    .. math::

        \frac{\partial\mathcal{L}}{\partial x} = \delta W, \qquad
        \frac{\partial\mathcal{L}}{\partial W} = \delta^\top x, \qquad
        \frac{\partial\mathcal{L}}{\partial b} = \textstyle\sum_\text{rows}
            \delta

    Returns
    -------
    grad_input, grad_weight, grad_bias
    """
    func = "linear_backward"
    x = as_array(input, "input", func)
    w = as_array(weight, "weight", func, ndim=2)
    g = as_array(grad_output, "grad_output", func)
    expected = x.shape[:-1] + (w.shape[0],)
    if x.ndim == 0 or x.shape[-1] != w.shape[1] or g.shape != expected:
        raise ValueError(
            f"{func}: expected input (..., {w.shape[1]}) and grad_output "
            f"(..., {w.shape[0]}) with the same leading shape, got input "
            f"{x.shape} and grad_output {g.shape}"
        )
    g2 = g.reshape(-1, w.shape[0])
    x2 = x.reshape(-1, w.shape[1])
    return g @ w, g2.T @ x2, g2.sum(axis=0)
