r"""Classification metrics from predicted and true class labels, in numpy.

Every function takes the predicted classes ``pred`` and the true classes
``target`` as 1-d integer arrays of one length (a list, a numpy array, a
CPU ``torch.Tensor``: anything ``np.asarray`` accepts) and returns plain
numbers or numpy arrays. Predictions are classes, not scores: take the
``argmax`` of the logits first.

For :math:`N` examples and :math:`K` classes:

- accuracy, the fraction of correct predictions;
- the confusion matrix :math:`M_{ij}`, how many examples of class
  :math:`i` were predicted as :math:`j`;
- the recall of class :math:`i`, :math:`M_{ii} / \sum_j M_{ij}`;
- balanced accuracy, the mean recall over the classes, which (unlike
  accuracy) a model cannot raise by ignoring a rare class.

This module imports numpy only.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ._validation import check_int

__all__ = [
    "accuracy",
    "balanced_accuracy",
    "confusion_matrix",
    "per_class_recall",
]


def _labels(pred, target, func: str) -> tuple[np.ndarray, np.ndarray]:
    """``pred`` and ``target`` as int64 arrays, checked."""
    arrays = []
    for name, value in (("pred", pred), ("target", target)):
        array = np.asarray(value)
        if array.ndim != 1:
            raise ValueError(
                f"{func}: {name} must be a 1-d array of class labels, got "
                f"shape {array.shape}"
            )
        if array.size and array.dtype.kind not in "iu":
            raise TypeError(
                f"{func}: {name} must hold integer class labels, got dtype "
                f"{array.dtype} (take the argmax of scores first)"
            )
        arrays.append(array.astype(np.int64))
    pred, target = arrays
    if pred.shape != target.shape:
        raise ValueError(
            f"{func}: pred and target must have the same length, got "
            f"{pred.shape[0]} and {target.shape[0]}"
        )
    if pred.size == 0:
        raise ValueError(
            f"{func}: pred and target are empty (no predictions to score)"
        )
    return pred, target


def accuracy(pred: ArrayLike, target: ArrayLike) -> float:
    r"""The fraction of correct predictions.

    .. math:: \text{accuracy} = \frac{1}{N} \sum_{n=1}^{N}
        [\hat y_n = y_n]

    >>> accuracy([0, 1, 1, 2], [0, 1, 2, 2])  # 3 of 4 right
    0.75
    """
    pred, target = _labels(pred, target, "accuracy")
    return float(np.mean(pred == target))


def confusion_matrix(
    pred: ArrayLike, target: ArrayLike, num_classes: int
) -> np.ndarray:
    r"""Counts :math:`M_{ij}` of examples of true class :math:`i`
    predicted as class :math:`j`.

    .. math:: M_{ij} = \sum_{n=1}^{N} [y_n = i]\, [\hat y_n = j]

    Rows are true classes, columns predictions; the diagonal holds the
    correct ones, and the matrix sums to :math:`N`.

    Returns
    -------
    ndarray of int64, shape (num_classes, num_classes)

    >>> confusion_matrix([0, 1, 1, 2], [0, 1, 2, 2], 3)
    array([[1, 0, 0],
           [0, 1, 0],
           [0, 1, 1]])
    """
    func = "confusion_matrix"
    pred, target = _labels(pred, target, func)
    num_classes = check_int(num_classes, "num_classes", func, minimum=1)
    for name, array in (("pred", pred), ("target", target)):
        if array.min() < 0 or array.max() >= num_classes:
            raise ValueError(
                f"{func}: {name} labels must lie in 0..{num_classes - 1}, "
                f"got {int(array.min())}..{int(array.max())}"
            )
    flat = target * num_classes + pred  # row-major index of (i, j)
    counts = np.bincount(flat, minlength=num_classes**2)
    return counts.reshape(num_classes, num_classes)


def per_class_recall(
    pred: ArrayLike, target: ArrayLike, num_classes: int
) -> np.ndarray:
    r"""The recall of each class: the fraction of its examples found.

    .. math:: \text{recall}_i = \frac{M_{ii}}{\sum_j M_{ij}}

    NaN for a class with no examples in ``target`` (0 / 0: nothing to
    find, so no recall).

    >>> per_class_recall([0, 1, 1, 2], [0, 1, 2, 2], 4)
    array([1. , 1. , 0.5, nan])
    """
    m = confusion_matrix(pred, target, num_classes)
    with np.errstate(invalid="ignore"):  # 0 / 0 is NaN, on purpose
        return np.diagonal(m) / m.sum(axis=1)


def balanced_accuracy(
    pred: ArrayLike, target: ArrayLike, num_classes: int
) -> float:
    r"""The mean recall over the classes present in ``target``.

    .. math:: \text{balanced accuracy} = \frac{1}{|K'|}
        \sum_{i \in K'} \text{recall}_i

    with :math:`K'` the classes that occur in ``target``. A model that
    always predicts the majority class of a 9:1 dataset has accuracy 0.9
    but balanced accuracy 0.5:

    >>> balanced_accuracy([0] * 10, [0] * 9 + [1], 2)
    0.5
    """
    recall = per_class_recall(pred, target, num_classes)
    return float(np.mean(recall[~np.isnan(recall)]))
