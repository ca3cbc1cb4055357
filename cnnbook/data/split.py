"""A stratified train/validation/test split (numpy only).

Stratified means each class is split separately, so every part keeps the
class proportions of the whole: for class :math:`i`,
:math:`n_i^{train} / n_i \\approx 0.70`, exactly when :math:`0.70\\,n_i` is
a whole number.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike

from .._validation import as_labels, as_list, check_int, check_number

__all__ = ["class_counts", "split_counts", "stratified_split"]


def split_counts(n: int, fractions: Sequence[float]) -> np.ndarray:
    """Split ``n`` items into parts of sizes as close to ``n * f`` as
    whole numbers allow (largest remainders; ties go to earlier parts).

    >>> split_counts(500, (0.7, 0.15, 0.15)).tolist()
    [350, 75, 75]
    >>> split_counts(7, (0.7, 0.15, 0.15)).tolist()
    [5, 1, 1]
    """
    func = "split_counts"
    n = check_int(n, "n", func, minimum=0)
    fractions = _fractions(fractions, func)
    ideal = n * np.asarray(fractions, dtype=np.float64)
    counts = np.floor(ideal + 1e-9).astype(np.int64)
    remainder = ideal - counts
    # stable argsort on -remainder: the largest remainders first
    for k in np.argsort(-remainder, kind="stable")[: n - counts.sum()]:
        counts[k] += 1
    return counts


def _fractions(fractions, func: str) -> list[float]:
    """Two or more fractions in [0, 1] summing to 1: the parts must hold
    every item exactly once, no more, no fewer."""
    values = [
        check_number(f, f"fractions[{i}]", func, minimum=0, maximum=1)
        for i, f in enumerate(
            as_list(fractions, "fractions", func, what="numbers")
        )
    ]
    if len(values) < 2 or abs(sum(values) - 1) > 1e-9:
        raise ValueError(
            f"{func}: fractions must be two or more numbers summing to 1, "
            f"got {values}"
        )
    return values


def _check_labels(labels, func: str) -> np.ndarray:
    array = as_labels(labels, "labels", func)
    if array.size == 0:
        raise ValueError(f"{func}: labels is empty (nothing to split)")
    return array


def class_counts(
    labels: ArrayLike, num_classes: int | None = None
) -> np.ndarray:
    """How many examples of each class (``np.bincount`` with checks)."""
    array = _check_labels(labels, "class_counts")
    if num_classes is not None:
        num_classes = check_int(
            num_classes, "num_classes", "class_counts", minimum=1
        )
        if array.max() >= num_classes:
            raise ValueError(
                f"class_counts: label {int(array.max())} is out of range "
                f"for num_classes={num_classes}"
            )
    return np.bincount(array, minlength=num_classes or 0)


def stratified_split(
    labels: ArrayLike,
    fractions: Sequence[float] = (0.7, 0.15, 0.15),
    seed: int = 0,
) -> tuple[np.ndarray, ...]:
    """Indices of a stratified split into parts of the given fractions.

    Each class is shuffled (seeded) and cut into parts of sizes
    :func:`split_counts` ``(n_class, fractions)``, so every part holds
    each class in (as nearly as whole numbers allow) the same proportion
    as the whole dataset.

    Parameters
    ----------
    labels : 1-d int array
    fractions : sequence of floats summing to 1
        Default: the encyclopedia's 70% train, 15% validation, 15% test.
        Every class must be large enough to put at least one example in
        each part of a positive fraction (else ``ValueError``).
    seed : int
        Seed of the shuffle; the same seed gives the same split.

    Returns
    -------
    tuple of int64 index arrays, one per fraction, each sorted; together
    they hold every index exactly once.
    """
    func = "stratified_split"
    array = _check_labels(labels, func)
    fractions = _fractions(fractions, func)
    seed = check_int(seed, "seed", func, minimum=0)
    rng = np.random.default_rng(seed)
    parts: list[list[np.ndarray]] = [[] for _ in fractions]
    for c in np.unique(array):
        members = rng.permutation(np.flatnonzero(array == c))
        counts = split_counts(len(members), fractions)
        empty = [
            k
            for k, (n, f) in enumerate(zip(counts, fractions, strict=True))
            if n == 0 and f > 0
        ]
        if empty:
            # the split would not be stratified: this class would be
            # missing from a part (a class of one example lands in one)
            raise ValueError(
                f"{func}: class {int(c)} has {len(members)} example(s), "
                f"too few for fractions {fractions}: parts {empty} would "
                "get none of it; every class needs an example in every "
                "part (drop or merge rare classes, or use fewer parts)"
            )
        bounds = np.cumsum(counts)[:-1]
        for k, piece in enumerate(np.split(members, bounds)):
            parts[k].append(piece)
    return tuple(np.sort(np.concatenate(p)) for p in parts)
