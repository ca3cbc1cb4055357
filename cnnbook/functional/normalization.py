"""Batch normalization, in numpy, with PyTorch's running statistics."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from .._validation import as_array, check_bool, check_number

__all__ = ["batch_norm", "batch_norm_backward"]


def _input(input, func):
    x = as_array(input, "input", func)
    if x.ndim < 2 or x.shape[1] == 0:
        raise ValueError(
            f"{func}: input must have shape (N, C) or (N, C, ...) with at "
            f"least one channel, got {x.shape}"
        )
    return x


def _vector(value, name, c, func):
    """A per-channel vector: shape (C,), never broadcast from (1,)."""
    v = as_array(value, name, func, ndim=1)
    if v.shape != (c,):
        raise ValueError(
            f"{func}: {name} must have shape ({c},) for an input with "
            f"{c} channels, got {v.shape}"
        )
    return v


def batch_norm(
    input: ArrayLike,
    running_mean: ArrayLike | None,
    running_var: ArrayLike | None,
    weight: ArrayLike | None = None,
    bias: ArrayLike | None = None,
    training: bool = False,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> np.ndarray:
    r"""Batch normalization, as ``torch.nn.functional.batch_norm``.

    For each channel :math:`c`, over the :math:`m` values of the batch and
    spatial positions:

    .. math::

        \mu = \frac{1}{m}\sum_i x_i, \qquad
        \sigma^2 = \frac{1}{m}\sum_i (x_i - \mu)^2, \qquad
        \hat{x}_i = \frac{x_i - \mu}{\sqrt{\sigma^2 + \epsilon}}, \qquad
        y_i = \gamma\,\hat{x}_i + \beta

    In training the batch statistics are used, and the running estimates
    are updated **in place** (as PyTorch does):
    :math:`\hat\mu \leftarrow (1-\text{momentum})\,\hat\mu +
    \text{momentum}\,\mu`, and likewise for the variance, which for the
    running estimate is the *unbiased* :math:`\frac{m}{m-1}\sigma^2`.
    In inference (``training=False``) the running estimates replace the
    batch statistics, so the output of one example does not depend on the
    others in its batch.

    Parameters
    ----------
    input : ndarray, shape (N, C) or (N, C, ...)
    running_mean, running_var : ndarray, shape (C,), or None
        May be ``None`` only when ``training`` is true.
    weight, bias : ndarray, shape (C,), optional
        :math:`\gamma` and :math:`\beta`; default 1 and 0.
    """
    func = "batch_norm"
    x = _input(input, func)
    training = check_bool(training, "training", func)
    c = x.shape[1]
    momentum = check_number(momentum, "momentum", func, minimum=0, maximum=1)
    eps = check_number(eps, "eps", func, minimum=0, strict_minimum=True)
    vectors = {}
    for name, value in (
        ("running_mean", running_mean),
        ("running_var", running_var),
        ("weight", weight),
        ("bias", bias),
    ):
        if value is None:
            continue
        if name.startswith("running") and not isinstance(value, np.ndarray):
            raise TypeError(
                f"{func}: {name} must be a numpy array (it is updated in "
                f"place), got {type(value).__name__}"
            )
        vectors[name] = _vector(value, name, c, func)
    axes = (0,) + tuple(range(2, x.ndim))
    shape = (1, c) + (1,) * (x.ndim - 2)
    if training and x.size == 0:
        # An empty batch has no statistics: PyTorch returns an empty
        # output and leaves the running estimates alone.
        mean, var = np.zeros(c, x.dtype), np.ones(c, x.dtype)
    elif training:
        m = x.size // c
        if m < 2:
            raise ValueError(
                f"{func}: training needs more than one value per channel "
                f"to estimate a variance, got input shape {x.shape}"
            )
        mean = x.mean(axis=axes)
        var = x.var(axis=axes)  # biased (divide by m), used to normalize
        if running_mean is not None:
            running_mean *= 1 - momentum
            running_mean += momentum * mean
        if running_var is not None:
            running_var *= 1 - momentum
            running_var += momentum * var * m / (m - 1)
    else:
        if running_mean is None or running_var is None:
            raise ValueError(
                f"{func}: running_mean and running_var are required when "
                "training=False"
            )
        mean, var = vectors["running_mean"], vectors["running_var"]
    x_hat = (x - mean.reshape(shape)) / np.sqrt(var.reshape(shape) + eps)
    if "weight" in vectors:
        x_hat = x_hat * vectors["weight"].reshape(shape)
    if "bias" in vectors:
        x_hat = x_hat + vectors["bias"].reshape(shape)
    return x_hat


def batch_norm_backward(
    grad_output: ArrayLike,
    input: ArrayLike,
    weight: ArrayLike | None = None,
    running_mean: ArrayLike | None = None,
    running_var: ArrayLike | None = None,
    training: bool = True,
    eps: float = 1e-5,
) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None]:
    r"""Gradients of :func:`batch_norm` for its input, weight and bias.

    In training the mean and variance depend on every value of the batch,
    so each input's gradient has three paths: direct, through
    :math:`\mu` and through :math:`\sigma^2`. With
    :math:`\hat\delta = \gamma\,\delta` and means over the :math:`m`
    values of a channel,

    .. math::

        \frac{\partial\mathcal{L}}{\partial x_i} =
            \frac{1}{\sqrt{\sigma^2 + \epsilon}}
            \left(\hat\delta_i - \overline{\hat\delta}
            - \hat{x}_i\, \overline{\hat\delta\,\hat{x}}\right),
        \qquad
        \frac{\partial\mathcal{L}}{\partial \gamma} =
            \sum_i \delta_i \hat{x}_i, \qquad
        \frac{\partial\mathcal{L}}{\partial \beta} = \sum_i \delta_i

    In inference the statistics are constants (the running estimates) and
    the layer is an affine map:
    :math:`\partial\mathcal{L}/\partial x = \gamma\delta /
    \sqrt{\hat\sigma^2 + \epsilon}`.

    Returns
    -------
    grad_input, grad_weight, grad_bias : the last two of shape (C,),
        returned even if the forward pass had no weight or bias.
    """
    func = "batch_norm_backward"
    x = _input(input, func)
    training = check_bool(training, "training", func)
    g = as_array(grad_output, "grad_output", func)
    if g.shape != x.shape:
        raise ValueError(
            f"{func}: grad_output must have the input's shape {x.shape}, "
            f"got {g.shape}"
        )
    eps = check_number(eps, "eps", func, minimum=0, strict_minimum=True)
    c = x.shape[1]
    axes = (0,) + tuple(range(2, x.ndim))
    shape = (1, c) + (1,) * (x.ndim - 2)
    gamma = (
        np.ones(c) if weight is None else _vector(weight, "weight", c, func)
    )
    if x.size == 0:  # an empty batch: zero gradients, as in PyTorch
        dtype = np.result_type(x, g, gamma)
        return (
            np.zeros(x.shape, dtype),
            np.zeros(c, dtype),
            np.zeros(c, dtype),
        )
    if training:
        mean = x.mean(axis=axes)
        var = x.var(axis=axes)
    else:
        if running_mean is None or running_var is None:
            raise ValueError(
                f"{func}: running_mean and running_var are required when "
                "training=False"
            )
        mean = _vector(running_mean, "running_mean", c, func)
        var = _vector(running_var, "running_var", c, func)
    inv_std = 1 / np.sqrt(var.reshape(shape) + eps)
    x_hat = (x - mean.reshape(shape)) * inv_std
    grad_weight = (g * x_hat).sum(axis=axes)
    grad_bias = g.sum(axis=axes)
    d_hat = g * gamma.reshape(shape)
    if training:
        grad_input = inv_std * (
            d_hat
            - d_hat.mean(axis=axes, keepdims=True)
            - x_hat * (d_hat * x_hat).mean(axis=axes, keepdims=True)
        )
    else:
        grad_input = d_hat * inv_std
    return grad_input, grad_weight, grad_bias
