r"""Combining the losses of several tasks into one, in numpy.

A network with one shared backbone and several heads (segmentation,
detection, depth) is trained on one number. The simplest is a weighted
sum with hand-chosen weights, the encyclopedia's

.. math:: \mathcal{L} = \alpha \mathcal{L}_\text{seg} + \beta
    \mathcal{L}_\text{det} + \gamma \mathcal{L}_\text{depth}

(:func:`weighted_task_loss`). The weights must do two jobs at once: make
losses measured in different units comparable (a depth error in meters,
a cross-entropy in nats) and set how much each task matters.

Kendall, Gal and Cipolla (2018) learn the weights instead, treating each
task's loss as the negative log-likelihood of a model with its own noise
level :math:`\sigma_i`: a task with noisy, hard-to-fit targets gets a
large :math:`\sigma_i` and a small weight
(:func:`uncertainty_weighted_loss`). With :math:`s_i = \log \sigma_i^2`
(learned with the network; the log keeps :math:`\sigma_i^2 > 0` and the
optimization stable),

.. math:: \mathcal{L} = \sum_i c_i\, e^{-s_i} \mathcal{L}_i +
    \tfrac{1}{2} s_i ,

with :math:`c_i = 1/2` for a regression task (a Gaussian likelihood,
:math:`\mathcal{L}_i / 2\sigma_i^2 + \log \sigma_i`) and :math:`c_i = 1`
for a classification task (their softmax with temperature,
:math:`\mathcal{L}_i / \sigma_i^2 + \log \sigma_i`). The
:math:`\tfrac{1}{2} s_i` term stops every :math:`\sigma_i` from growing
without bound.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike

from ._validation import as_array

__all__ = [
    "uncertainty_weighted_loss",
    "uncertainty_weighted_loss_backward",
    "weighted_task_loss",
]


def _task_losses(losses, func: str) -> np.ndarray:
    values = as_array(losses, "losses", func, ndim=1)
    if values.size == 0:
        raise ValueError(f"{func}: losses is empty (no tasks)")
    if not np.all(np.isfinite(values)):
        raise ValueError(f"{func}: losses must be finite, got {values}")
    return values


def weighted_task_loss(losses: ArrayLike, weights: ArrayLike) -> float:
    r"""The weighted sum :math:`\sum_i w_i \mathcal{L}_i` of task losses.

    Parameters
    ----------
    losses : (T,) the tasks' losses
    weights : (T,) weights >= 0 (the encyclopedia's alpha, beta, gamma)

    >>> weighted_task_loss([0.5, 2.0, 0.1], [1.0, 0.5, 10.0])
    2.5
    """
    func = "weighted_task_loss"
    values = _task_losses(losses, func)
    w = as_array(weights, "weights", func, ndim=1)
    if w.shape != values.shape:
        raise ValueError(
            f"{func}: need one weight per task ({values.size}), got {w.size}"
        )
    if np.any(w < 0) or not np.all(np.isfinite(w)):
        raise ValueError(f"{func}: weights must be finite and >= 0, got {w}")
    return float(np.dot(w, values))


def _uncertainty_args(losses, log_variances, regression, func):
    values = _task_losses(losses, func)
    s = as_array(log_variances, "log_variances", func, ndim=1)
    if s.shape != values.shape:
        raise ValueError(
            f"{func}: need one log-variance per task "
            f"({values.size}), got {s.size}"
        )
    if not np.all(np.isfinite(s)):
        raise ValueError(f"{func}: log_variances must be finite, got {s}")
    kinds = np.asarray(regression)
    if kinds.shape != values.shape or kinds.dtype != bool:
        raise ValueError(
            f"{func}: regression must hold one bool per task "
            f"({values.size}): True for a regression task, "
            f"False for classification; got {regression!r}"
        )
    return values, s, np.where(kinds, 0.5, 1.0)


def uncertainty_weighted_loss(
    losses: ArrayLike, log_variances: ArrayLike, regression: Sequence[bool]
) -> float:
    r"""Kendall et al.'s (2018) uncertainty-weighted sum of task losses.

    .. math:: \mathcal{L} = \sum_i c_i\, e^{-s_i} \mathcal{L}_i +
        \tfrac{1}{2} s_i, \qquad c_i = \begin{cases} 1/2 &
        \text{regression} \\ 1 & \text{classification} \end{cases}

    with :math:`s_i = \log \sigma_i^2` learned. For fixed task losses the
    best :math:`s_i` solves :math:`c_i e^{-s_i} \mathcal{L}_i = 1/2`: at
    that point every task's weighted loss is 1/2, whatever its units.

    Parameters
    ----------
    losses : (T,) task losses
    log_variances : (T,) the :math:`s_i`
    regression : (T,) bools

    >>> uncertainty_weighted_loss([2.0, 0.5], [0.0, 0.0], [True, False])
    1.5
    """
    values, s, c = _uncertainty_args(
        losses, log_variances, regression, "uncertainty_weighted_loss"
    )
    return float(np.sum(c * np.exp(-s) * values + 0.5 * s))


def uncertainty_weighted_loss_backward(
    losses: ArrayLike,
    log_variances: ArrayLike,
    regression: Sequence[bool],
) -> tuple[np.ndarray, np.ndarray]:
    r"""Gradients of :func:`uncertainty_weighted_loss`.

    .. math:: \frac{\partial \mathcal{L}}{\partial \mathcal{L}_i} =
        c_i e^{-s_i}, \qquad \frac{\partial \mathcal{L}}{\partial s_i} =
        \tfrac{1}{2} - c_i e^{-s_i} \mathcal{L}_i

    The first is the weight each task's loss gets in the network's
    gradient; the second is zero where the weighted loss is 1/2.

    Returns
    -------
    grad_losses, grad_log_variances : arrays of shape (T,)
    """
    values, s, c = _uncertainty_args(
        losses, log_variances, regression, "uncertainty_weighted_loss_backward"
    )
    weights = c * np.exp(-s)
    return weights, 0.5 - weights * values
