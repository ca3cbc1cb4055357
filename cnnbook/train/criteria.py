r"""Loss modules for training in PyTorch ("criteria", PyTorch's word).

The formulas are written once, in numpy, in :mod:`cnnbook.losses`; this
module holds only what training in PyTorch needs beyond
``torch.nn.CrossEntropyLoss`` (which already computes cross-entropy with
label smoothing, :math:`(1 - \epsilon) y + \epsilon / K`, exactly as
:func:`cnnbook.losses.cross_entropy`; the tests check it in float64):

- :class:`FocalLoss`, :math:`-\alpha_t (1 - p_t)^\gamma \log p_t`, a
  drop-in for ``nn.CrossEntropyLoss`` whose forward is that formula in
  torch (equal, in float64, to :func:`cnnbook.losses.focal_loss` and,
  through autograd, to :func:`cnnbook.losses.focal_loss_backward`);
- :func:`class_weights`, the "balanced" per-class weights;
- :class:`DistillationLoss`, the knowledge-distillation loss of
  :func:`cnnbook.losses.distillation_loss`, whose forward takes the
  teacher's logits as well (chapter 10).
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from numpy.typing import ArrayLike
from torch import nn

from .._validation import check_int, check_number

__all__ = ["DistillationLoss", "FocalLoss", "class_weights"]

_REDUCTIONS = ("mean", "sum", "none")


def _check_batch(logits, target, func: str) -> None:
    for name, value in (("logits", logits), ("target", target)):
        if not isinstance(value, torch.Tensor):
            raise TypeError(
                f"{func}: {name} must be a torch.Tensor, got "
                f"{type(value).__name__}"
            )
    if logits.ndim != 2:
        raise ValueError(
            f"{func}: logits must be a tensor of shape (N, C), got "
            f"{tuple(logits.shape)}"
        )
    if target.is_floating_point() or target.dtype == torch.bool:
        raise TypeError(
            f"{func}: target must hold integer class indices, got dtype "
            f"{target.dtype}"
        )
    if target.shape != (logits.shape[0],):
        raise ValueError(
            f"{func}: target must be a tensor of shape "
            f"({logits.shape[0]},), got {tuple(target.shape)}"
        )
    if target.numel() and (
        target.min() < 0 or target.max() >= logits.shape[1]
    ):
        raise ValueError(
            f"{func}: target classes must lie in 0..{logits.shape[1] - 1},"
            f" got {int(target.min())}..{int(target.max())}"
        )


class FocalLoss(nn.Module):
    r"""Focal loss (Lin et al. 2017) of logits, as a module.

    .. math:: \mathrm{FL}(p_t) = -\alpha_t (1 - p_t)^\gamma \log p_t

    with :math:`p_t` the softmax probability of the true class. The numpy
    :func:`cnnbook.losses.focal_loss` is the same formula; this module is
    a drop-in for ``nn.CrossEntropyLoss`` in a PyTorch training loop.

    Parameters
    ----------
    gamma : float
        Focusing parameter, >= 0; ``gamma = 0`` with no ``alpha`` is
        cross-entropy. 2 is the paper's choice.
    alpha : float or sequence of C floats, optional
        Weight :math:`\alpha_t` of the true class (one number for all, or
        one per class, e.g. from :func:`class_weights`); ``None`` is 1.
    reduction : "mean", "sum" or "none"
        "mean" divides by N (not by the sum of the weights).
    """

    def __init__(
        self,
        gamma: float = 2.0,
        alpha: ArrayLike | None = None,
        reduction: str = "mean",
    ) -> None:
        super().__init__()
        func = "FocalLoss"
        self.gamma = check_number(gamma, "gamma", func, minimum=0)
        if reduction not in _REDUCTIONS:
            raise ValueError(
                f"{func}: reduction must be one of {_REDUCTIONS}, got "
                f"{reduction!r}"
            )
        self.reduction = reduction
        if alpha is not None:
            alpha = torch.as_tensor(alpha)
            if not alpha.is_floating_point():  # numbers: the default dtype
                alpha = alpha.to(torch.get_default_dtype())
            if alpha.ndim > 1:
                raise ValueError(
                    f"{func}: alpha must be a number or one weight per "
                    f"class, got shape {tuple(alpha.shape)}"
                )
        self.register_buffer("alpha", alpha)

    def forward(
        self, logits: torch.Tensor, target: torch.Tensor
    ) -> torch.Tensor:
        """The loss of ``logits`` (N, C) for classes ``target`` (N,)."""
        _check_batch(logits, target, "FocalLoss")
        # log p_t from log_softmax: never the log of an underflowed 0
        log_pt = F.log_softmax(logits, dim=1).gather(1, target[:, None])
        log_pt = log_pt[:, 0]  # (N,)
        loss = -((1 - log_pt.exp()) ** self.gamma) * log_pt
        if self.alpha is not None:
            alpha = self.alpha.to(logits.dtype)
            if alpha.ndim == 1:
                if alpha.shape != (logits.shape[1],):
                    raise ValueError(
                        f"FocalLoss: alpha has {alpha.shape[0]} weights "
                        f"for {logits.shape[1]} classes"
                    )
                alpha = alpha[target]
            loss = alpha * loss
        if self.reduction == "mean":
            return loss.mean()
        if self.reduction == "sum":
            return loss.sum()
        return loss

    def extra_repr(self) -> str:
        return f"gamma={self.gamma}, reduction={self.reduction!r}"


def class_weights(
    labels: ArrayLike, num_classes: int | None = None
) -> torch.Tensor:
    r"""The "balanced" class weights :math:`w_c = N / (C\, n_c)`.

    Every class then carries the same total weight :math:`N / C`, as
    scikit-learn's ``class_weight="balanced"``. A class with no examples
    has no defined weight: that is an error, naming the class.

    >>> class_weights([0, 0, 0, 1]).tolist()  # 4 / (2 * 3), 4 / (2 * 1)
    [0.6666666865348816, 2.0]
    """
    func = "class_weights"
    array = (
        labels.cpu().numpy()
        if isinstance(labels, torch.Tensor)
        else np.asarray(labels)
    )
    if array.ndim != 1 or array.size == 0:
        raise ValueError(
            f"{func}: labels must be a non-empty 1-d array, got "
            f"shape {array.shape}"
        )
    if array.dtype.kind not in "iu":
        raise TypeError(
            f"{func}: labels must be integers, got dtype {array.dtype}"
        )
    if array.min() < 0:
        raise ValueError(
            f"{func}: labels must be >= 0, got {int(array.min())}"
        )
    if num_classes is not None:
        num_classes = check_int(num_classes, "num_classes", func, minimum=1)
    counts = np.bincount(array, minlength=num_classes or 0)
    if num_classes is not None and len(counts) > num_classes:
        raise ValueError(
            f"{func}: label {len(counts) - 1} is out of range for "
            f"num_classes={num_classes}"
        )
    empty = np.flatnonzero(counts == 0)
    if empty.size:
        raise ValueError(
            f"{func}: class {int(empty[0])} has no examples, so it "
            "has no balanced weight"
        )
    weights = array.size / (len(counts) * counts)
    return torch.tensor(weights, dtype=torch.float32)


class DistillationLoss(nn.Module):
    r"""Knowledge-distillation loss (Hinton et al. 2015), as a module.

    .. math::

        \mathcal{L}_n = \alpha\, \mathcal{L}_\text{CE}(y_n, p_n)
            + (1 - \alpha)\, T^2\, \mathrm{KL}\bigl(
              p^{(T)}_{\text{teacher},n} \,\big\|\, p^{(T)}_n\bigr),
        \qquad p^{(T)} = \operatorname{softmax}(z / T)

    The numpy :func:`cnnbook.losses.distillation_loss` is the same
    formula (the tests check it in float64, with its gradient). No
    gradient flows into the teacher's logits.

    Parameters
    ----------
    temperature : float
        :math:`T > 0`; 1 is the encyclopedia's formula.
    alpha : float
        Weight of the cross-entropy with the true labels, in [0, 1].
    reduction : "mean", "sum" or "none"
    """

    def __init__(
        self,
        temperature: float = 1.0,
        alpha: float = 0.5,
        reduction: str = "mean",
    ) -> None:
        super().__init__()
        func = "DistillationLoss"
        self.temperature = check_number(
            temperature, "temperature", func, minimum=0, strict_minimum=True
        )
        self.alpha = check_number(alpha, "alpha", func, minimum=0, maximum=1)
        if reduction not in _REDUCTIONS:
            raise ValueError(
                f"{func}: reduction must be one of {_REDUCTIONS}, got "
                f"{reduction!r}"
            )
        self.reduction = reduction

    def forward(
        self,
        logits: torch.Tensor,
        teacher: torch.Tensor,
        target: torch.Tensor,
    ) -> torch.Tensor:
        """The loss of the student's ``logits`` (N, C), the teacher's
        logits ``teacher`` (N, C) and the classes ``target`` (N,)."""
        func = "DistillationLoss"
        _check_batch(logits, target, func)
        if not isinstance(teacher, torch.Tensor):
            raise TypeError(
                f"{func}: teacher must be a torch.Tensor, got "
                f"{type(teacher).__name__}"
            )
        if teacher.shape != logits.shape:
            raise ValueError(
                f"{func}: teacher logits must have the student's shape "
                f"{tuple(logits.shape)}, got {tuple(teacher.shape)}"
            )
        t = self.temperature
        hard = F.cross_entropy(logits, target, reduction="none")
        soft = F.kl_div(
            F.log_softmax(logits / t, dim=1),
            F.log_softmax(teacher.detach() / t, dim=1),
            reduction="none",
            log_target=True,
        ).sum(dim=1)
        loss = self.alpha * hard + (1 - self.alpha) * t**2 * soft  # (N,)
        if self.reduction == "mean":
            return loss.mean()
        if self.reduction == "sum":
            return loss.sum()
        return loss

    def extra_repr(self) -> str:
        return (
            f"temperature={self.temperature}, alpha={self.alpha}, "
            f"reduction={self.reduction!r}"
        )
