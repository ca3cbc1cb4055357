"""Loss modules ("criteria", as in `torch.nn`) of the numpy layer API; the
formulas are those of :mod:`cnnbook.losses`."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from .. import losses
from .._validation import check_number

__all__ = ["CrossEntropyLoss"]


class CrossEntropyLoss:
    """Cross-entropy of logits (:func:`cnnbook.losses.cross_entropy`).

    ``loss = criterion(logits, labels)`` computes the loss and remembers
    its inputs; ``criterion.backward()`` returns the gradient with respect
    to the logits, to pass to the network's ``backward``.
    """

    def __init__(self, reduction: str = "mean", label_smoothing: float = 0.0):
        func = "CrossEntropyLoss"
        self.reduction = losses._reduction(reduction, func)
        self.label_smoothing = check_number(
            label_smoothing, "label_smoothing", func, minimum=0, maximum=1
        )
        self._input = self._target = None

    def __call__(self, input, target):
        self._input, self._target = input, target
        return losses.cross_entropy(
            input, target, self.reduction, self.label_smoothing
        )

    def backward(self, grad_output: ArrayLike = 1.0) -> np.ndarray:
        if self._input is None:
            raise RuntimeError(
                "CrossEntropyLoss: compute the loss, criterion(logits, "
                "labels), before backward()"
            )
        grad = losses.cross_entropy_backward(
            grad_output,
            self._input,
            self._target,
            self.reduction,
            self.label_smoothing,
        )
        return grad.astype(self._input.dtype, copy=False)
