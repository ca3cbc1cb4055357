r"""Early stopping with patience, and the encyclopedia's rule beside it.

The patience rule: with validation losses :math:`L_1, L_2, \dots`, stop
after epoch :math:`t` when the best loss so far was reached at epoch
:math:`t^* \le t - p`, that is when the last :math:`p` epochs brought no
improvement:

.. math:: \min_{t-p < k \le t} L_k \;\ge\; \min_{k \le t-p} L_k - \delta

(:math:`\delta` is ``min_delta``). It never stops while the loss is still
reaching new lows, and always stops :math:`p` epochs after the last one.

The encyclopedia's criterion, "stop if
:math:`L^{(t)} > \min_{k < t-p} L^{(k)}`", compares only the *current*
loss with an *old* minimum: one noisy epoch can stop a run that improved
a moment ago. :func:`encyclopedia_stop_epoch` implements it so the book
can show where the two disagree.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from .._validation import check_int, check_keys, check_number

__all__ = ["EarlyStopping", "encyclopedia_stop_epoch", "patience_stop_epoch"]


class EarlyStopping:
    """Patience on a metric to minimize (the validation loss).

    >>> stopper = EarlyStopping(patience=2)
    >>> [stopper.step(v) for v in [1.0, 0.8, 0.9, 0.85, 0.7]]
    [False, False, False, True, False]

    ``step`` returns True when training should stop (here after the 4th
    epoch: two epochs without beating 0.8). ``improved`` says whether the
    last value was a new best (used to save the best checkpoint).
    """

    def __init__(self, patience: int, min_delta: float = 0.0):
        self.patience = check_int(
            patience, "patience", "EarlyStopping", minimum=1
        )
        self.min_delta = check_number(
            min_delta, "min_delta", "EarlyStopping", minimum=0
        )
        self.best = math.inf
        self.best_epoch = 0  # 1-based epoch of the best value; 0: none
        self.epochs_seen = 0
        self.bad_epochs = 0
        self.improved = False

    def step(self, value: float) -> bool:
        try:  # float() also takes a 0-d tensor or numpy scalar
            value = float(value)
        except (TypeError, ValueError):
            raise TypeError(
                "EarlyStopping.step: value must be a number (the "
                f"validation loss), got {type(value).__name__} {value!r}"
            ) from None
        if math.isnan(value):
            raise ValueError("EarlyStopping: the monitored value is NaN")
        self.epochs_seen += 1
        self.improved = value < self.best - self.min_delta
        if self.improved:
            self.best, self.best_epoch, self.bad_epochs = (
                value,
                self.epochs_seen,
                0,
            )
        else:
            self.bad_epochs += 1
        return self.bad_epochs >= self.patience

    def state_dict(self) -> dict:
        return {
            "best": self.best,
            "best_epoch": self.best_epoch,
            "epochs_seen": self.epochs_seen,
            "bad_epochs": self.bad_epochs,
            "improved": self.improved,
        }

    def load_state_dict(self, state: dict) -> None:
        keys = ("best", "best_epoch", "epochs_seen", "bad_epochs", "improved")
        check_keys(state, keys, "state", "EarlyStopping.load_state_dict")
        for key in keys:
            setattr(self, key, state[key])


def patience_stop_epoch(
    losses: Sequence[float], patience: int, min_delta: float = 0.0
) -> int | None:
    """The 1-based epoch after which :class:`EarlyStopping` stops, or
    None if it never does within ``losses``."""
    stopper = EarlyStopping(patience, min_delta)
    for epoch, value in enumerate(losses, start=1):
        if stopper.step(value):
            return epoch
    return None


def encyclopedia_stop_epoch(
    losses: Sequence[float], patience: int
) -> int | None:
    r"""The first 1-based epoch :math:`t` with
    :math:`L^{(t)} > \min_{k < t-p} L^{(k)}` (the encyclopedia's rule,
    taken literally: epochs counted from 1, an empty minimum is
    :math:`+\infty`), or None."""
    patience = check_int(
        patience, "patience", "encyclopedia_stop_epoch", minimum=0
    )
    for t in range(1, len(losses) + 1):
        earlier = losses[: max(0, t - patience - 1)]  # k = 1 .. t-p-1
        if earlier and losses[t - 1] > min(earlier):
            return t
    return None
