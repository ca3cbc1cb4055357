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

from ._validation import check_int, check_number

__all__ = [
    "accuracy",
    "balanced_accuracy",
    "calibration_curve",
    "confusion_matrix",
    "expected_calibration_error",
    "iou_per_class",
    "per_class_recall",
    "predictive_values",
    "roc_auc",
    "roc_curve",
    "sensitivity",
    "specificity",
    "wilson_interval",
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


# --- Binary decisions: screening and diagnosis -------------------------------
#
# A test that says "disease" (1) or "no disease" (0) is judged by how it
# treats the sick and the healthy separately; how often it is right
# overall (accuracy) depends on how many are sick. Scores come from a
# classifier (a probability or any number that grows with the evidence);
# a threshold turns them into decisions.


def _binary_labels(values, name: str, func: str) -> np.ndarray:
    array = np.asarray(values)
    if array.ndim != 1:
        raise ValueError(
            f"{func}: {name} must be a 1-d array of 0/1 "
            f"labels, got shape {array.shape}"
        )
    if array.size and array.dtype.kind not in "iub":
        raise TypeError(
            f"{func}: {name} must hold 0/1 labels (int or "
            f"bool), got dtype {array.dtype}"
        )
    if array.size and not np.all((array == 0) | (array == 1)):
        raise ValueError(
            f"{func}: {name} must hold only 0 and 1, got "
            f"values {np.unique(array)[:5]}"
        )
    return array.astype(np.int64)


def _decisions(pred, target, func: str) -> tuple[np.ndarray, np.ndarray]:
    pred = _binary_labels(pred, "pred", func)
    target = _binary_labels(target, "target", func)
    if pred.shape != target.shape:
        raise ValueError(
            f"{func}: pred and target must have the same "
            f"length, got {pred.size} and {target.size}"
        )
    if pred.size == 0:
        raise ValueError(f"{func}: pred and target are empty")
    return pred, target


def sensitivity(pred: ArrayLike, target: ArrayLike) -> float:
    r"""The fraction of the positives (the sick) that the test finds.

    .. math:: \text{sensitivity} = \frac{TP}{TP + FN}

    Also called recall or the true-positive rate. ``pred`` and ``target``
    are 0/1 arrays, 1 the positive class. NaN if ``target`` has no
    positive.

    >>> sensitivity([1, 0, 1, 0], [1, 1, 1, 0])  # 2 of 3 sick found
    0.6666666666666666
    """
    pred, target = _decisions(pred, target, "sensitivity")
    sick = target == 1
    return float(np.mean(pred[sick] == 1)) if sick.any() else float("nan")


def specificity(pred: ArrayLike, target: ArrayLike) -> float:
    r"""The fraction of the negatives (the healthy) that the test clears.

    .. math:: \text{specificity} = \frac{TN}{TN + FP}

    One minus the false-positive rate. NaN if ``target`` has no negative.

    >>> specificity([1, 0, 0, 0], [1, 1, 0, 0])  # both healthy cleared
    1.0
    """
    pred, target = _decisions(pred, target, "specificity")
    healthy = target == 0
    return (
        float(np.mean(pred[healthy] == 0)) if healthy.any() else float("nan")
    )


def predictive_values(
    sensitivity: float, specificity: float, prevalence: float
) -> tuple[float, float]:
    r"""What a positive and a negative result mean, at a prevalence.

    By Bayes' rule, with :math:`\pi` the prevalence (the fraction of the
    tested who are sick), the positive and negative predictive values
    are

    .. math:: \text{PPV} = P(\text{sick} \mid +) =
        \frac{s_e \pi}{s_e \pi + (1 - s_p)(1 - \pi)}, \qquad
        \text{NPV} = P(\text{healthy} \mid -) =
        \frac{s_p (1 - \pi)}{s_p (1 - \pi) + (1 - s_e) \pi}

    Sensitivity :math:`s_e` and specificity :math:`s_p` belong to the
    test; the predictive values belong to the test *and* the population.
    NaN where the test never says + (PPV) or never says - (NPV).

    >>> predictive_values(0.9, 0.9, 0.5)
    (0.9, 0.9)
    """
    func = "predictive_values"
    se = check_number(sensitivity, "sensitivity", func, minimum=0, maximum=1)
    sp = check_number(specificity, "specificity", func, minimum=0, maximum=1)
    pi = check_number(prevalence, "prevalence", func, minimum=0, maximum=1)
    positive = se * pi + (1 - sp) * (1 - pi)
    negative = sp * (1 - pi) + (1 - se) * pi
    ppv = se * pi / positive if positive > 0 else float("nan")
    npv = sp * (1 - pi) / negative if negative > 0 else float("nan")
    return ppv, npv


def _scored(scores, target, func: str) -> tuple[np.ndarray, np.ndarray]:
    values = np.asarray(scores)
    if values.ndim != 1:
        raise ValueError(
            f"{func}: scores must be a 1-d array, got shape {values.shape}"
        )
    if values.dtype.kind not in "fiu":
        raise TypeError(
            f"{func}: scores must be numbers, got dtype {values.dtype}"
        )
    values = values.astype(np.float64)
    if not np.all(np.isfinite(values)):
        raise ValueError(f"{func}: scores must be finite")
    target = _binary_labels(target, "target", func)
    if values.shape != target.shape:
        raise ValueError(
            f"{func}: scores and target must have the same "
            f"length, got {values.size} and {target.size}"
        )
    if not (target == 1).any() or not (target == 0).any():
        raise ValueError(
            f"{func}: target needs both classes (0 and 1): "
            "the curve relates the two"
        )
    return values, target


def roc_curve(
    scores: ArrayLike, target: ArrayLike
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""The receiver operating characteristic: every threshold's trade-off.

    Deciding "positive" when the score is at least a threshold
    :math:`t`, each distinct score as :math:`t` from the highest down
    gives one point (false-positive rate, true-positive rate), i.e.
    (1 - specificity, sensitivity). The curve starts at (0, 0), for a
    threshold above every score (``inf``), and ends at (1, 1).

    Returns
    -------
    fpr, tpr, thresholds : arrays of one length, ``thresholds``
        decreasing (as ``sklearn.metrics.roc_curve(...,
        drop_intermediate=False)``)
    """
    values, target = _scored(scores, target, "roc_curve")
    order = np.argsort(-values, kind="stable")
    values, target = values[order], target[order]
    # the last index of each run of equal scores: one point per threshold
    last = np.r_[np.flatnonzero(np.diff(values)), values.size - 1]
    tp = np.cumsum(target)[last]
    fp = (last + 1) - tp
    fpr = np.r_[0.0, fp / np.sum(target == 0)]
    tpr = np.r_[0.0, tp / np.sum(target == 1)]
    return fpr, tpr, np.r_[np.inf, values[last]]


def roc_auc(scores: ArrayLike, target: ArrayLike) -> float:
    r"""The area under the ROC curve (AUC).

    The probability that a random positive scores higher than a random
    negative (ties count one half), the Mann-Whitney statistic:

    .. math:: \text{AUC} = \frac{1}{n_+ n_-} \sum_{i: y_i = 1}
        \sum_{j: y_j = 0} \Big([z_i > z_j] + \tfrac12 [z_i = z_j]\Big)

    computed as the trapezoidal area under :func:`roc_curve`. 1 ranks
    every positive first, 0.5 is a coin. It does not depend on a
    threshold nor on the prevalence.

    >>> roc_auc([0.9, 0.8, 0.3, 0.1], [1, 0, 1, 0])  # 3 of 4 pairs right
    0.75
    """
    fpr, tpr, _ = roc_curve(scores, target)
    return float(np.sum(np.diff(fpr) * (tpr[1:] + tpr[:-1]) / 2))


def _probabilities(probs, target, num_bins, func):
    p = np.asarray(probs)
    if p.ndim != 1 or p.dtype.kind not in "f":
        raise ValueError(
            f"{func}: probs must be a 1-d float array, got "
            f"shape {p.shape} and dtype {p.dtype}"
        )
    p = p.astype(np.float64)
    if np.any(~np.isfinite(p)) or np.any((p < 0) | (p > 1)):
        raise ValueError(f"{func}: probs must lie in [0, 1]")
    target = _binary_labels(target, "target", func)
    if p.shape != target.shape:
        raise ValueError(
            f"{func}: probs and target must have the same "
            f"length, got {p.size} and {target.size}"
        )
    if p.size == 0:
        raise ValueError(f"{func}: probs and target are empty")
    num_bins = check_int(num_bins, "num_bins", func, minimum=1)
    edges = np.linspace(0.0, 1.0, num_bins + 1)
    # bin k holds (k/B, (k+1)/B], the first also 0 (as scikit-learn)
    bins = np.searchsorted(edges[1:-1], p)
    return p, target, bins, num_bins


def calibration_curve(
    probs: ArrayLike, target: ArrayLike, num_bins: int = 10
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""The reliability diagram's points: predicted vs observed risk.

    The probabilities are split into ``num_bins`` equal-width bins
    :math:`B_k = (k/B, (k+1)/B]` (the first also holds 0). For each bin
    that is not empty: the mean predicted probability and the fraction of
    its examples that are positive. A calibrated model's points lie on
    the diagonal: of the cases it gives 30%, 30% are positive.

    Returns
    -------
    mean_predicted, fraction_positive, counts : arrays over the non-empty
        bins (the first two as ``sklearn.calibration.calibration_curve``
        returns them, in the other order)
    """
    p, target, bins, num_bins = _probabilities(
        probs, target, num_bins, "calibration_curve"
    )
    counts = np.bincount(bins, minlength=num_bins)
    sum_p = np.bincount(bins, weights=p, minlength=num_bins)
    sum_y = np.bincount(bins, weights=target, minlength=num_bins)
    used = counts > 0
    return (
        sum_p[used] / counts[used],
        sum_y[used] / counts[used],
        counts[used],
    )


def expected_calibration_error(
    probs: ArrayLike, target: ArrayLike, num_bins: int = 10
) -> float:
    r"""How far predicted risks are from observed frequencies, on average.

    .. math:: \text{ECE} = \sum_k \frac{n_k}{N} \,\big|\bar y_k -
        \bar p_k\big|

    over the bins of :func:`calibration_curve`: :math:`n_k` examples,
    mean probability :math:`\bar p_k`, fraction positive :math:`\bar
    y_k`. 0 for a calibrated model (up to sampling noise, which grows as
    bins empty); it is measured on the probability of the positive class
    (Guo et al. 2017 use the predicted class's confidence, which for two
    classes weighs the same gaps).

    >>> ece = expected_calibration_error([.2, .2, .9, .9], [0, 1, 1, 1], 10)
    >>> round(ece, 12)  # |0.5 - 0.2| / 2 + |1 - 0.9| / 2
    0.2
    """
    mean_p, frac_y, counts = calibration_curve(probs, target, num_bins)
    return float(np.sum(counts * np.abs(frac_y - mean_p)) / counts.sum())


def iou_per_class(
    pred: ArrayLike, target: ArrayLike, num_classes: int
) -> np.ndarray:
    r"""Intersection over union of each class, for segmentation.

    .. math:: \text{IoU}_i = \frac{M_{ii}}{\sum_j M_{ij} + \sum_j M_{ji}
        - M_{ii}}

    with :math:`M` the confusion matrix of all pixels: the pixels
    labeled and predicted :math:`i`, over those labeled or predicted
    :math:`i`. NaN for a class neither labeled nor predicted. ``pred``
    and ``target`` are integer arrays of any one shape (they are
    flattened).

    >>> iou_per_class([0, 1, 1, 1], [0, 0, 1, 1], 2)
    array([0.5       , 0.66666667])
    """
    func = "iou_per_class"
    pred, target = np.asarray(pred), np.asarray(target)
    if pred.shape != target.shape:
        raise ValueError(
            f"{func}: pred {pred.shape} and target "
            f"{target.shape} must have the same shape"
        )
    m = confusion_matrix(pred.ravel(), target.ravel(), num_classes)
    inter = np.diagonal(m)
    union = m.sum(0) + m.sum(1) - inter
    with np.errstate(invalid="ignore"):  # 0 / 0 is NaN, on purpose
        return inter / union


def wilson_interval(
    successes: int, total: int, confidence: float = 0.95
) -> tuple[float, float]:
    r"""Confidence interval of a proportion (Wilson's score interval).

    A sensitivity of 96.5% measured on 150 patients is 145 of 150, give
    or take: the interval says how much. With :math:`\hat p = k/n` and
    :math:`z` the normal quantile of the confidence,

    .. math:: \frac{\hat p + \frac{z^2}{2n} \pm z \sqrt{\frac{\hat p
        (1 - \hat p)}{n} + \frac{z^2}{4n^2}}}{1 + \frac{z^2}{n}}

    which, unlike :math:`\hat p \pm z\sqrt{\hat p(1-\hat p)/n}`, stays
    inside [0, 1] and is not zero-width at 0 or n successes.

    >>> [round(v, 3) for v in wilson_interval(145, 150)]
    [0.924, 0.986]
    """
    from statistics import NormalDist

    func = "wilson_interval"
    n = check_int(total, "total", func, minimum=1)
    k = check_int(successes, "successes", func, minimum=0)
    if k > n:
        raise ValueError(f"{func}: successes must be <= total ({n}), got {k}")
    confidence = check_number(
        confidence,
        "confidence",
        func,
        minimum=0,
        maximum=1,
        strict_minimum=True,
    )
    if confidence == 1:
        raise ValueError(f"{func}: confidence must be < 1")
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    p = k / n
    center = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / (1 + z**2 / n)
    return float(max(center - half, 0.0)), float(min(center + half, 1.0))
