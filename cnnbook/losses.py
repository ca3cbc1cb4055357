r"""Loss functions and their gradients, in numpy.

Names and arguments follow ``torch.nn.functional`` (``input`` is what the
network produced, ``target`` what it should have produced, ``reduction``
is ``"mean"``, ``"sum"`` or ``"none"``). Each loss has its gradient beside
it: ``loss_backward(grad_output, input, target, ...)`` returns
:math:`\partial\mathcal{L}/\partial\,\text{input}` given
:math:`\partial(\text{total})/\partial\mathcal{L}` (1 for a loss that is
minimized directly).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ._validation import (
    as_array,
    as_arrays_of_one_shape,
    check_choice,
    check_int,
    check_number,
)
from .functional.activation import log_softmax, sigmoid, softmax

__all__ = [
    "binary_cross_entropy",
    "binary_cross_entropy_backward",
    "binary_cross_entropy_with_logits",
    "binary_cross_entropy_with_logits_backward",
    "cross_entropy",
    "cross_entropy_backward",
    "distillation_loss",
    "distillation_loss_backward",
    "focal_loss",
    "focal_loss_backward",
    "kl_div",
    "kl_div_backward",
    "mse_loss",
    "mse_loss_backward",
    "nll_from_probabilities",
    "nll_from_probabilities_backward",
    "smooth_labels",
]

_REDUCTIONS = ("mean", "sum", "none")


def _reduction(reduction, func):
    return check_choice(reduction, "reduction", func, _REDUCTIONS)


def _reduce(values, reduction):
    if reduction == "mean":
        if values.size == 0:  # PyTorch: the mean of no losses is NaN
            return values.dtype.type(np.nan)
        return values.mean()
    if reduction == "sum":
        return values.sum()
    return values


def _unreduce(grad_output, shape, reduction, func):
    """The gradient of each per-example loss, from that of the reduction."""
    g = as_array(grad_output, "grad_output", func)
    if reduction == "none":
        if g.shape != shape:
            raise ValueError(
                f"{func}: with reduction='none' grad_output must have shape "
                f"{shape}, got {g.shape}"
            )
        return g
    if g.size != 1:
        raise ValueError(
            f"{func}: with reduction={reduction!r} grad_output must be a "
            f"scalar, got shape {g.shape}"
        )
    count = int(np.prod(shape))
    # with no losses there is nothing to scale (the result is empty)
    scale = 1 / count if reduction == "mean" and count else 1.0
    return np.full(shape, g.reshape(()) * scale)


def _class_targets(target, n, classes, func):
    """Class indices (N,) -> one-hot (N, C); probabilities pass through."""
    y = np.asarray(target)
    if y.dtype.kind in "iu":
        if y.shape != (n,):
            raise ValueError(
                f"{func}: target of class indices must have shape ({n},), "
                f"got {y.shape}"
            )
        if y.size and (y.min() < 0 or y.max() >= classes):
            raise ValueError(
                f"{func}: target classes must be in [0, {classes - 1}], got "
                f"values from {y.min()} to {y.max()}"
            )
        return np.eye(classes)[y]
    y = as_array(target, "target", func)
    if y.shape != (n, classes):
        raise ValueError(
            f"{func}: target must be class indices of shape ({n},) or "
            f"probabilities of shape ({n}, {classes}), got {y.shape}"
        )
    _check_probabilities(y, "target", func, rows_sum_to_one=True)
    return y


def _smoothed_targets(target, n, classes, label_smoothing, func):
    """Targets as (N, C) probabilities, mixed with the uniform by epsilon."""
    eps = check_number(
        label_smoothing, "label_smoothing", func, minimum=0, maximum=1
    )
    y = _class_targets(target, n, classes, func)
    return (1 - eps) * y + eps / classes


def _check_probabilities(p, name, func, rows_sum_to_one=False):
    if p.size and (p.min() < 0 or p.max() > 1):
        raise ValueError(
            f"{func}: {name} must hold probabilities in [0, 1], got values "
            f"from {p.min():g} to {p.max():g}"
        )
    if rows_sum_to_one:
        # float32 rounding leaves sums off by ~1e-7 per term
        tol = np.sqrt(np.finfo(p.dtype).eps)
        sums = p.sum(axis=-1)
        if p.size and np.abs(sums - 1).max() > tol * p.shape[-1]:
            worst = sums[np.abs(sums - 1).argmax()]
            raise ValueError(
                f"{func}: each row of {name} must sum to 1 (a probability "
                f"distribution over the classes), found a row summing to "
                f"{worst:.6g}"
            )


def _logits(input, func):
    x = as_array(input, "input", func, ndim=2)
    if x.shape[1] == 0:
        raise ValueError(
            f"{func}: input must have one column per class, at least one, "
            f"got shape {x.shape}"
        )
    return x


def smooth_labels(
    target: ArrayLike, num_classes: int, label_smoothing: float = 0.1
) -> np.ndarray:
    r"""One-hot targets mixed with the uniform distribution.

    .. math:: y_\text{smooth} = (1 - \epsilon)\, y + \epsilon / K

    (the encyclopedia's formula, and PyTorch's ``label_smoothing``).
    With :math:`\epsilon = 0.1` and :math:`K = 4` the true class gets
    :math:`0.9 + 0.025`, every other class :math:`0.025`:

    >>> smooth_labels([2], num_classes=4, label_smoothing=0.1)
    array([[0.025, 0.025, 0.925, 0.025]])
    """
    func = "smooth_labels"
    num_classes = check_int(num_classes, "num_classes", func, minimum=1)
    y = np.asarray(target)
    if y.ndim not in (1, 2):
        raise ValueError(
            f"{func}: target must be class indices (N,) or probabilities "
            f"(N, {num_classes}), got shape {y.shape}"
        )
    return _smoothed_targets(
        target, len(y), num_classes, label_smoothing, func
    )


def cross_entropy(
    input: ArrayLike,
    target: ArrayLike,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> np.ndarray:
    r"""Cross-entropy of logits, as ``torch.nn.functional.cross_entropy``.

    .. math::

        \mathcal{L}_n = -\sum_{k=1}^{K} y_{n,k}\, \log
            \operatorname{softmax}(z_n)_k

    computed with :func:`~cnnbook.functional.log_softmax` (never the log of
    a probability that has underflowed to 0). ``target`` is class indices
    (int, shape (N,)) or probabilities (shape (N, K)); with
    ``label_smoothing`` :math:`\epsilon` the one-hot target becomes
    :math:`(1 - \epsilon) y + \epsilon / K`.

    Parameters
    ----------
    input : ndarray, shape (N, K), the logits :math:`z`
    """
    func = "cross_entropy"
    z = _logits(input, func)
    reduction = _reduction(reduction, func)
    y = _smoothed_targets(target, *z.shape, label_smoothing, func)
    losses = -(y * log_softmax(z, dim=1)).sum(axis=1)
    return _reduce(losses, reduction)


def cross_entropy_backward(
    grad_output: ArrayLike,
    input: ArrayLike,
    target: ArrayLike,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> np.ndarray:
    r"""Gradient of :func:`cross_entropy` with respect to the logits.

    .. math::

        \frac{\partial\mathcal{L}_n}{\partial z_{n,k}} =
            \operatorname{softmax}(z_n)_k - y_{n,k}

    the famously simple "prediction minus target" (with the smoothed
    target when ``label_smoothing`` > 0), scaled by the reduction.
    """
    func = "cross_entropy_backward"
    z = _logits(input, func)
    reduction = _reduction(reduction, func)
    y = _smoothed_targets(target, *z.shape, label_smoothing, func)
    g = _unreduce(grad_output, (z.shape[0],), reduction, func)
    return (softmax(z, dim=1) - y) * g[:, None]


def nll_from_probabilities(
    input: ArrayLike, target: ArrayLike, reduction: str = "mean"
) -> np.ndarray:
    r"""Cross-entropy of predicted *probabilities*, the encyclopedia's form.

    .. math:: \mathcal{L}_n = -\sum_k y_{n,k} \log \hat{y}_{n,k}

    with :math:`\hat y` a probability distribution per row (checked) and
    :math:`0 \log 0 = 0`. Equivalent to ``F.nll_loss(torch.log(p), y)``.
    A predicted probability of exactly 0 for the true class gives an
    infinite loss; from logits, use :func:`cross_entropy`.
    """
    func = "nll_from_probabilities"
    p = as_array(input, "input", func, ndim=2)
    reduction = _reduction(reduction, func)
    _check_probabilities(p, "input", func, rows_sum_to_one=True)
    y = _class_targets(target, *p.shape, func)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(y > 0, y * np.log(p), 0.0)  # 0 log 0 = 0
    return _reduce(-terms.sum(axis=1), reduction)


def nll_from_probabilities_backward(
    grad_output: ArrayLike,
    input: ArrayLike,
    target: ArrayLike,
    reduction: str = "mean",
) -> np.ndarray:
    r""":math:`\partial\mathcal{L}_n / \partial\hat y_{n,k} =
    -y_{n,k} / \hat y_{n,k}` (gradient with respect to the probabilities).
    """
    func = "nll_from_probabilities_backward"
    p = as_array(input, "input", func, ndim=2)
    reduction = _reduction(reduction, func)
    _check_probabilities(p, "input", func, rows_sum_to_one=True)
    y = _class_targets(target, *p.shape, func)
    g = _unreduce(grad_output, (p.shape[0],), reduction, func)
    with np.errstate(divide="ignore", invalid="ignore"):
        grad = np.where(y > 0, -y / p, 0.0)
    return grad * g[:, None]


def _binary_pair(input, target, func):
    p, y = as_arrays_of_one_shape(input, "input", target, "target", func)
    _check_probabilities(y, "target", func)
    return p, y


def binary_cross_entropy(
    input: ArrayLike, target: ArrayLike, reduction: str = "mean"
) -> np.ndarray:
    r"""Binary cross-entropy of probabilities, as ``F.binary_cross_entropy``.

    .. math:: \mathcal{L} = -[y \log \hat y + (1 - y) \log(1 - \hat y)]

    Like PyTorch, each log is clamped at :math:`-100` so that a confident
    wrong prediction gives a large, finite loss.
    """
    func = "binary_cross_entropy"
    p, y = _binary_pair(input, target, func)
    reduction = _reduction(reduction, func)
    _check_probabilities(p, "input", func)
    with np.errstate(divide="ignore"):
        log_p = np.maximum(np.log(p), -100)
        log_q = np.maximum(np.log1p(-p), -100)
    return _reduce(-(y * log_p + (1 - y) * log_q), reduction)


def binary_cross_entropy_backward(
    grad_output: ArrayLike,
    input: ArrayLike,
    target: ArrayLike,
    reduction: str = "mean",
) -> np.ndarray:
    r""":math:`\partial\mathcal{L}/\partial\hat y =
    (\hat y - y) / (\hat y (1 - \hat y))`, the denominator kept at least
    :math:`10^{-12}` (as PyTorch does)."""
    func = "binary_cross_entropy_backward"
    p, y = _binary_pair(input, target, func)
    reduction = _reduction(reduction, func)
    _check_probabilities(p, "input", func)
    g = _unreduce(grad_output, p.shape, reduction, func)
    return g * (p - y) / np.maximum(p * (1 - p), 1e-12)


def binary_cross_entropy_with_logits(
    input: ArrayLike, target: ArrayLike, reduction: str = "mean"
) -> np.ndarray:
    r"""Binary cross-entropy of a logit :math:`z` (``\hat y = \sigma(z)``).

    .. math::

        \mathcal{L} = \max(z, 0) - z y + \log(1 + e^{-|z|})

    which equals :func:`binary_cross_entropy` of :math:`\sigma(z)` without
    ever computing :math:`\log 0`.
    """
    func = "binary_cross_entropy_with_logits"
    z, y = _binary_pair(input, target, func)
    reduction = _reduction(reduction, func)
    losses = np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))
    return _reduce(losses, reduction)


def binary_cross_entropy_with_logits_backward(
    grad_output: ArrayLike,
    input: ArrayLike,
    target: ArrayLike,
    reduction: str = "mean",
) -> np.ndarray:
    r""":math:`\partial\mathcal{L}/\partial z = \sigma(z) - y`."""
    func = "binary_cross_entropy_with_logits_backward"
    z, y = _binary_pair(input, target, func)
    reduction = _reduction(reduction, func)
    g = _unreduce(grad_output, z.shape, reduction, func)
    return g * (sigmoid(z) - y)


def _focal_args(input, target, gamma, alpha, func):
    z = _logits(input, func)
    gamma = check_number(gamma, "gamma", func, minimum=0)
    y = np.asarray(target)
    if y.dtype.kind not in "iu":
        raise TypeError(
            f"{func}: target must be integer class indices, got dtype "
            f"{y.dtype}"
        )
    one_hot = _class_targets(y, *z.shape, func)
    if alpha is None:
        alpha_t = np.ones(z.shape[0])
    else:
        a = as_array(alpha, "alpha", func, ndim=(0, 1))
        if a.ndim == 1 and a.shape != (z.shape[1],):
            raise ValueError(
                f"{func}: alpha must be a number or one weight per class, "
                f"shape ({z.shape[1]},), got {a.shape}"
            )
        alpha_t = np.broadcast_to(a, (z.shape[1],))[y]
    return z, one_hot, gamma, alpha_t


def focal_loss(
    input: ArrayLike,
    target: ArrayLike,
    gamma: float = 2.0,
    alpha: ArrayLike | None = None,
    reduction: str = "mean",
) -> np.ndarray:
    r"""Focal loss (Lin et al. 2017) of logits, for K classes.

    .. math::

        \mathrm{FL}(p_t) = -\alpha_t (1 - p_t)^\gamma \log p_t

    with :math:`p_t` the softmax probability of the true class and
    :math:`\alpha_t` the weight of the true class (``alpha``: one number,
    one weight per class, or ``None`` for 1). With :math:`\gamma = 0` and
    no ``alpha`` it is :func:`cross_entropy`; larger :math:`\gamma`
    shrinks the loss of examples that are already right
    (:math:`p_t \to 1`), so training concentrates on the hard ones.
    """
    func = "focal_loss"
    z, one_hot, gamma, alpha_t = _focal_args(input, target, gamma, alpha, func)
    reduction = _reduction(reduction, func)
    log_pt = (log_softmax(z, dim=1) * one_hot).sum(axis=1)
    pt = np.exp(log_pt)
    return _reduce(-alpha_t * (1 - pt) ** gamma * log_pt, reduction)


def focal_loss_backward(
    grad_output: ArrayLike,
    input: ArrayLike,
    target: ArrayLike,
    gamma: float = 2.0,
    alpha: ArrayLike | None = None,
    reduction: str = "mean",
) -> np.ndarray:
    r"""Gradient of :func:`focal_loss` with respect to the logits.

    With :math:`\partial p_t / \partial z_k = p_t([k = t] - p_k)` and

    .. math::

        \frac{\partial\,\mathrm{FL}}{\partial p_t} = \alpha_t\left[
            \gamma (1 - p_t)^{\gamma - 1} \log p_t
            - \frac{(1 - p_t)^\gamma}{p_t}\right],

    the chain rule gives
    :math:`\partial\,\mathrm{FL}/\partial z_k = \alpha_t [\gamma (1-p_t)^
    {\gamma-1} p_t \log p_t - (1-p_t)^\gamma]\,([k = t] - p_k)`.
    """
    func = "focal_loss_backward"
    z, one_hot, gamma, alpha_t = _focal_args(input, target, gamma, alpha, func)
    reduction = _reduction(reduction, func)
    p = softmax(z, dim=1)
    log_pt = (log_softmax(z, dim=1) * one_hot).sum(axis=1)
    pt = np.exp(log_pt)
    q = 1 - pt
    # d(q**gamma)/dq; at q = 0 it multiplies p_t log p_t = 0, so any
    # finite value does (q**(gamma - 1) is infinite there for gamma < 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        dq = np.where(q > 0, gamma * q ** (gamma - 1), 0.0)
    coef = alpha_t * (dq * pt * log_pt - q**gamma)
    g = _unreduce(grad_output, (z.shape[0],), reduction, func)
    return (g * coef)[:, None] * (one_hot - p)


def mse_loss(
    input: ArrayLike, target: ArrayLike, reduction: str = "mean"
) -> np.ndarray:
    r"""Mean squared error, as ``F.mse_loss``:
    :math:`\frac{1}{n}\sum_i (\hat y_i - y_i)^2`."""
    func = "mse_loss"
    x, y = as_arrays_of_one_shape(input, "input", target, "target", func)
    return _reduce((x - y) ** 2, _reduction(reduction, func))


def mse_loss_backward(
    grad_output: ArrayLike,
    input: ArrayLike,
    target: ArrayLike,
    reduction: str = "mean",
) -> np.ndarray:
    r""":math:`\partial\,\mathrm{MSE}/\partial \hat y_i =
    \frac{2}{n}(\hat y_i - y_i)`."""
    func = "mse_loss_backward"
    x, y = as_arrays_of_one_shape(input, "input", target, "target", func)
    g = _unreduce(grad_output, x.shape, _reduction(reduction, func), func)
    return 2 * (x - y) * g


# --- Knowledge distillation (chapter 10) -----------------------------------

_KL_REDUCTIONS = ("batchmean", "sum", "mean", "none")


def _kl_pair(input, target, log_target, reduction, func):
    x, y = as_arrays_of_one_shape(input, "input", target, "target", func)
    if reduction not in _KL_REDUCTIONS:
        raise ValueError(
            f"{func}: reduction must be one of "
            f"{_KL_REDUCTIONS}, got {reduction!r}"
        )
    if not isinstance(log_target, bool):
        raise TypeError(
            f"{func}: log_target must be a bool, got "
            f"{type(log_target).__name__}"
        )
    if not log_target:
        _check_probabilities(y, "target", func)
    if x.size and np.nanmax(x) > 1e-9:  # log(1) = 0, up to rounding
        raise ValueError(
            f"{func}: input must hold log-probabilities (<= 0)"
            f", got a value of {np.nanmax(x):g}; pass "
            "log_softmax(logits), not the logits"
        )
    return x, y


def _kl_reduce(values, reduction):
    if reduction == "batchmean":
        return values.sum() / (values.shape[0] if values.ndim else 1)
    return _reduce(values, reduction)


def kl_div(
    input: ArrayLike,
    target: ArrayLike,
    reduction: str = "batchmean",
    log_target: bool = False,
) -> np.ndarray:
    r"""Kullback-Leibler divergence, as ``torch.nn.functional.kl_div``.

    .. math::

        \mathrm{KL}(p\,\|\,q) = \sum_k p_k \log\frac{p_k}{q_k}
            = \sum_k p_k (\log p_k - \log q_k)

    with ``input`` :math:`= \log q` (log-probabilities: the model being
    trained) and ``target`` :math:`= p` (probabilities, or
    :math:`\log p` with ``log_target=True``); :math:`0 \log 0 = 0`.
    Note the order: PyTorch's first argument is the *second*
    distribution of the formula, as log-probabilities. ``"batchmean"``
    (the default here; PyTorch's default is ``"mean"``) divides the sum
    by the batch size, which is the mathematical mean of the per-example
    divergences; ``"mean"`` divides by the number of *elements*.
    """
    func = "kl_div"
    log_q, p = _kl_pair(input, target, log_target, reduction, func)
    if log_target:
        terms = np.exp(p) * (p - log_q)
    else:
        with np.errstate(divide="ignore", invalid="ignore"):
            terms = np.where(p > 0, p * (np.log(p) - log_q), 0.0)
    return _kl_reduce(terms, reduction)


def kl_div_backward(
    grad_output: ArrayLike,
    input: ArrayLike,
    target: ArrayLike,
    reduction: str = "batchmean",
    log_target: bool = False,
) -> np.ndarray:
    r""":math:`\partial\,\mathrm{KL}/\partial \log q_k = -p_k`, scaled by
    the reduction (gradient with respect to ``input``)."""
    func = "kl_div_backward"
    log_q, p = _kl_pair(input, target, log_target, reduction, func)
    probs = np.exp(p) if log_target else p
    if reduction == "batchmean":
        n = log_q.shape[0] if log_q.ndim else 1
        g = _unreduce(grad_output, log_q.shape, "sum", func) / n
    else:
        g = _unreduce(grad_output, log_q.shape, reduction, func)
    return -probs * g


def _distillation_args(input, teacher, target, temperature, alpha, func):
    z_s = _logits(input, func)
    z_t = as_array(teacher, "teacher", func, ndim=2)
    if z_t.shape != z_s.shape:
        raise ValueError(
            f"{func}: teacher logits {z_t.shape} must have the "
            f"student's shape {z_s.shape}"
        )
    temperature = check_number(
        temperature, "temperature", func, minimum=0, strict_minimum=True
    )
    alpha = check_number(alpha, "alpha", func, minimum=0, maximum=1)
    y = _class_targets(target, *z_s.shape, func)
    return z_s, z_t, y, temperature, alpha


def distillation_loss(
    input: ArrayLike,
    teacher: ArrayLike,
    target: ArrayLike,
    temperature: float = 1.0,
    alpha: float = 0.5,
    reduction: str = "mean",
) -> np.ndarray:
    r"""Knowledge-distillation loss (Hinton et al. 2015), from logits.

    .. math::

        \mathcal{L}_n = \alpha\, \mathcal{L}_\text{CE}(y_n, p_n)
            + (1 - \alpha)\, T^2\, \mathrm{KL}\bigl(
              p^{(T)}_{\text{teacher},n} \,\big\|\, p^{(T)}_n\bigr),
        \qquad p^{(T)} = \operatorname{softmax}(z / T)

    with :math:`z` the student's logits (``input``), the teacher's
    logits ``teacher`` and the true classes ``target``. The temperature
    :math:`T > 1` softens both distributions, so that the teacher's
    small probabilities for the wrong classes (which digits *look like*
    this one) carry weight; :math:`T^2` keeps the soft term's gradient,
    which shrinks like :math:`1/T^2`, comparable with the hard term's.
    With ``temperature=1`` this is the encyclopedia's formula
    (section 10). ``alpha`` weighs the hard, cross-entropy term, as in
    the encyclopedia.
    """
    func = "distillation_loss"
    z_s, z_t, y, temperature, alpha = _distillation_args(
        input, teacher, target, temperature, alpha, func
    )
    reduction = _reduction(reduction, func)
    hard = -(y * log_softmax(z_s, dim=1)).sum(axis=1)
    soft = kl_div(
        log_softmax(z_s / temperature, dim=1),
        log_softmax(z_t / temperature, dim=1),
        reduction="none",
        log_target=True,
    ).sum(axis=1)
    return _reduce(
        alpha * hard + (1 - alpha) * temperature**2 * soft, reduction
    )


def distillation_loss_backward(
    grad_output: ArrayLike,
    input: ArrayLike,
    teacher: ArrayLike,
    target: ArrayLike,
    temperature: float = 1.0,
    alpha: float = 0.5,
    reduction: str = "mean",
) -> np.ndarray:
    r"""Gradient of :func:`distillation_loss` with respect to the
    student's logits:

    .. math::

        \frac{\partial\mathcal{L}_n}{\partial z_{n,k}} =
            \alpha\,(p_{n,k} - y_{n,k})
            + (1 - \alpha)\, T\, \bigl(p^{(T)}_{n,k}
              - p^{(T)}_{\text{teacher},n,k}\bigr)

    (the soft term's :math:`T^2` times the :math:`1/T` of
    :math:`\partial (z/T)/\partial z` leaves one factor :math:`T`).
    """
    func = "distillation_loss_backward"
    z_s, z_t, y, temperature, alpha = _distillation_args(
        input, teacher, target, temperature, alpha, func
    )
    reduction = _reduction(reduction, func)
    g = _unreduce(grad_output, (z_s.shape[0],), reduction, func)
    hard = softmax(z_s, dim=1) - y
    soft = softmax(z_s / temperature, dim=1) - softmax(
        z_t / temperature, dim=1
    )
    return (alpha * hard + (1 - alpha) * temperature * soft) * g[:, None]
