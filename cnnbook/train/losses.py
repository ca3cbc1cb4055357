r"""Classification losses in PyTorch (section 7, step 3).

Cross-entropy over :math:`N` examples and :math:`C` classes, with targets
:math:`y_{i,c}` and predicted probabilities :math:`\hat y_{i,c}`:

.. math:: \mathcal{L}_{CE} = -\frac{1}{N}\sum_i \sum_c y_{i,c}
          \log \hat y_{i,c}

Label smoothing replaces the one-hot target by
:math:`(1 - \epsilon) y + \epsilon / K`; focal loss down-weights easy
examples, :math:`-\alpha_t (1 - p_t)^\gamma \log p_t`. These are written
out from the formulas so the book can show them; training uses
``torch.nn.functional.cross_entropy`` where it computes the same thing.
(The numpy losses of chapter 4 live in ``cnnbook.losses``.)
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as TF

__all__ = [
    "FocalLoss",
    "class_weights",
    "cross_entropy",
    "distillation_loss",
    "focal_loss",
    "smooth_targets",
]


def _check(logits, target, func: str) -> None:
    if not isinstance(logits, torch.Tensor) or logits.ndim != 2:
        raise ValueError(
            f"{func}: logits must be a tensor of shape (N, C), got "
            f"{getattr(logits, 'shape', type(logits).__name__)}"
        )
    if not isinstance(target, torch.Tensor) or target.shape != (
            logits.shape[0],):
        raise ValueError(
            f"{func}: target must be a tensor of shape "
            f"({logits.shape[0]},), got "
            f"{getattr(target, 'shape', type(target).__name__)}"
        )
    if target.numel() and (target.min() < 0
                           or target.max() >= logits.shape[1]):
        raise ValueError(
            f"{func}: target classes must lie in 0..{logits.shape[1] - 1},"
            f" got {int(target.min())}..{int(target.max())}"
        )


def smooth_targets(target: torch.Tensor, num_classes: int,
                   epsilon: float = 0.1, dtype=None) -> torch.Tensor:
    r"""Label-smoothed targets :math:`(1 - \epsilon)\,y + \epsilon / K`.

    The true class gets :math:`1 - \epsilon + \epsilon / K`, every other
    class :math:`\epsilon / K`; each row still sums to 1.
    """
    if not 0 <= epsilon <= 1:
        raise ValueError(
            f"smooth_targets: epsilon must lie in [0, 1], got {epsilon}"
        )
    one_hot = TF.one_hot(target, num_classes).to(
        dtype or torch.get_default_dtype())
    return (1 - epsilon) * one_hot + epsilon / num_classes


def cross_entropy(logits: torch.Tensor, target: torch.Tensor,
                  label_smoothing: float = 0.0) -> torch.Tensor:
    r"""Mean cross-entropy, written from the formula.

    :math:`-\frac{1}{N}\sum_i \sum_c y_{i,c}\log \mathrm{softmax}(z_i)_c`
    with :math:`y` one-hot or label-smoothed. Equals
    ``F.cross_entropy(logits, target, label_smoothing=...)``.
    """
    _check(logits, target, "cross_entropy")
    y = smooth_targets(target, logits.shape[1], label_smoothing,
                       logits.dtype)
    return -(y * TF.log_softmax(logits, dim=1)).sum(1).mean()


def focal_loss(logits: torch.Tensor, target: torch.Tensor,
               gamma: float = 2.0, alpha=None,
               reduction: str = "mean") -> torch.Tensor:
    r"""Focal loss (Lin et al., 2017): :math:`-\alpha_t(1-p_t)^\gamma
    \log p_t`.

    Parameters
    ----------
    logits : (N, C) tensor
    target : (N,) int tensor
    gamma : float
        Focusing parameter; ``gamma = 0`` and no ``alpha`` is
        cross-entropy. 2 is the paper's choice.
    alpha : (C,) tensor or sequence, optional
        Per-class weight :math:`\alpha_t = \alpha[y]` (e.g. from
        :func:`class_weights`).
    reduction : "mean", "sum" or "none"
        "mean" divides by N (not by the sum of the weights).
    """
    _check(logits, target, "focal_loss")
    if gamma < 0:
        raise ValueError(f"focal_loss: gamma must be >= 0, got {gamma}")
    log_p = TF.log_softmax(logits, dim=1).gather(1, target[:, None])[:, 0]
    p = log_p.exp()
    loss = -((1 - p) ** gamma) * log_p  # (N,)
    if alpha is not None:
        alpha = torch.as_tensor(alpha, dtype=logits.dtype,
                                device=logits.device)
        if alpha.shape != (logits.shape[1],):
            raise ValueError(
                f"focal_loss: alpha must have shape ({logits.shape[1]},), "
                f"got {tuple(alpha.shape)}"
            )
        loss = alpha[target] * loss
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    if reduction == "none":
        return loss
    raise ValueError(
        f"focal_loss: reduction must be 'mean', 'sum' or 'none', got "
        f"{reduction!r}"
    )


class FocalLoss(nn.Module):
    """:func:`focal_loss` as a module (a drop-in for
    ``nn.CrossEntropyLoss``)."""

    def __init__(self, gamma: float = 2.0, alpha=None,
                 reduction: str = "mean"):
        super().__init__()
        self.gamma = float(gamma)
        self.reduction = reduction
        self.register_buffer(
            "alpha", None if alpha is None else torch.as_tensor(
                alpha, dtype=torch.float32))

    def forward(self, logits, target):
        return focal_loss(logits, target, self.gamma, self.alpha,
                          self.reduction)


def class_weights(labels, num_classes: int | None = None) -> torch.Tensor:
    r""""Balanced" class weights :math:`w_c = N / (C\, n_c)`.

    Every class then carries the same total weight :math:`N / C`, as
    scikit-learn's ``class_weight="balanced"``. A class with no examples
    has no defined weight: that is an error, naming the class.
    """
    array = labels.cpu().numpy() if isinstance(labels, torch.Tensor) \
        else np.asarray(labels)
    if array.ndim != 1 or array.size == 0:
        raise ValueError(
            "class_weights: labels must be a non-empty 1-d array, got "
            f"shape {array.shape}"
        )
    if array.min() < 0:
        raise ValueError(f"class_weights: labels must be >= 0, got "
                         f"{int(array.min())}")
    counts = np.bincount(array, minlength=num_classes or 0)
    if num_classes is not None and len(counts) > num_classes:
        raise ValueError(
            f"class_weights: label {len(counts) - 1} is out of range for "
            f"num_classes={num_classes}"
        )
    empty = np.flatnonzero(counts == 0)
    if empty.size:
        raise ValueError(
            f"class_weights: class {int(empty[0])} has no examples, so it "
            "has no balanced weight"
        )
    weights = array.size / (len(counts) * counts)
    return torch.tensor(weights, dtype=torch.float32)


def distillation_loss(input: torch.Tensor, teacher: torch.Tensor,
                      target: torch.Tensor, temperature: float = 1.0,
                      alpha: float = 0.5,
                      reduction: str = "mean") -> torch.Tensor:
    r"""Knowledge-distillation loss (Hinton et al. 2015), in PyTorch.

    :math:`\alpha\,\mathcal{L}_\text{CE}(y, \operatorname{softmax}(z)) +
    (1 - \alpha)\,T^2\,\mathrm{KL}(\operatorname{softmax}(z_t/T) \,\|\,
    \operatorname{softmax}(z/T))` per example, the twin of
    :func:`cnnbook.losses.distillation_loss` (same arguments: the
    student's logits ``input``, the teacher's logits ``teacher``, class
    indices ``target``). No gradient flows into ``teacher``.
    """
    func = "distillation_loss"
    _check(input, target, func)
    if not isinstance(teacher, torch.Tensor) or teacher.shape != \
            input.shape:
        raise ValueError(
            f"{func}: teacher logits must be a tensor of the student's "
            f"shape {tuple(input.shape)}, got "
            f"{getattr(teacher, 'shape', type(teacher).__name__)}")
    if not temperature > 0:
        raise ValueError(f"{func}: temperature must be > 0, got "
                         f"{temperature}")
    if not 0 <= alpha <= 1:
        raise ValueError(f"{func}: alpha must lie in [0, 1], got {alpha}")
    hard = TF.cross_entropy(input, target, reduction="none")
    soft = TF.kl_div(TF.log_softmax(input / temperature, dim=1),
                     TF.log_softmax(teacher.detach() / temperature, dim=1),
                     reduction="none", log_target=True).sum(dim=1)
    loss = alpha * hard + (1 - alpha) * temperature ** 2 * soft  # (N,)
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    if reduction == "none":
        return loss
    raise ValueError(f"{func}: reduction must be 'mean', 'sum' or 'none', "
                     f"got {reduction!r}")
