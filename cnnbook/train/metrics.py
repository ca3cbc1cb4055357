r"""Classification metrics from predicted and true labels.

- accuracy: the fraction of correct predictions;
- confusion matrix :math:`M_{ij}`: how many examples of class :math:`i`
  were predicted as :math:`j`;
- recall of class :math:`i`: :math:`M_{ii} / \sum_j M_{ij}`;
- balanced accuracy: the mean recall over classes, which (unlike
  accuracy) a model cannot raise by ignoring a rare class.
"""

from __future__ import annotations

import torch

__all__ = ["accuracy", "balanced_accuracy", "confusion_matrix",
           "per_class_recall"]


def _pair(pred, target, func: str):
    pred, target = torch.as_tensor(pred), torch.as_tensor(target)
    if pred.shape != target.shape or pred.ndim != 1:
        raise ValueError(f"{func}: pred and target must be 1-d of the same "
                         f"length, got {tuple(pred.shape)} and "
                         f"{tuple(target.shape)}")
    if pred.numel() == 0:
        raise ValueError(f"{func}: no predictions")
    return pred.long().cpu(), target.long().cpu()


def accuracy(pred, target) -> float:
    """Fraction of ``pred == target``."""
    pred, target = _pair(pred, target, "accuracy")
    return float((pred == target).double().mean())


def confusion_matrix(pred, target, num_classes: int) -> torch.Tensor:
    """``(num_classes, num_classes)`` counts; rows are true classes."""
    pred, target = _pair(pred, target, "confusion_matrix")
    if max(int(pred.max()), int(target.max())) >= num_classes or min(
            int(pred.min()), int(target.min())) < 0:
        raise ValueError(f"confusion_matrix: labels must lie in "
                         f"0..{num_classes - 1}")
    flat = target * num_classes + pred
    return torch.bincount(flat, minlength=num_classes ** 2).view(
        num_classes, num_classes)


def per_class_recall(pred, target, num_classes: int) -> torch.Tensor:
    """Recall of each class (NaN for a class absent from ``target``)."""
    m = confusion_matrix(pred, target, num_classes).double()
    return m.diagonal() / m.sum(1)


def balanced_accuracy(pred, target, num_classes: int) -> float:
    """Mean recall over the classes present in ``target``."""
    recall = per_class_recall(pred, target, num_classes)
    return float(recall[~recall.isnan()].mean())
