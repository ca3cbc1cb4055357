r"""The learning-rate range test ("LR finder", Smith 2017).

Train for a few dozen batches while the learning rate grows
exponentially, :math:`\eta_k = \eta_0 (\eta_1/\eta_0)^{k/(K-1)}`, and
record the loss. The loss first barely moves (the rate is too small),
then falls fast, then blows up (too large). A good rate lies on the
falling part, well below the blow-up: the usual picks are the rate of
steepest descent of the smoothed loss, or a tenth of the rate at the
minimum.

:func:`lr_range_test` is the sweep, given a function that takes one
training step; :meth:`cnnbook.train.Trainer.find_lr` runs it with a
trainer's model, data and optimizer and restores the trainer afterwards,
as if nothing had happened.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .._validation import check_int, check_number
from .progress import _Progress

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["LRFinderResult", "lr_range_test"]


@dataclass
class LRFinderResult:
    """Learning rates tried and the losses measured at each."""

    lrs: list[float]
    losses: list[float]  # raw batch losses
    smoothed: list[float]  # exponentially smoothed, bias-corrected

    def _usable(self) -> int:
        """Points up to the minimum of the smoothed loss (beyond it the
        loss is blowing up)."""
        return self.smoothed.index(min(self.smoothed)) + 1

    @property
    def min_loss_lr(self) -> float:
        """The rate at which the smoothed loss is lowest."""
        return self.lrs[self._usable() - 1]

    @property
    def steepest_lr(self) -> float:
        """The rate where the smoothed loss falls fastest per unit of
        :math:`\\log \\eta` (before the minimum)."""
        end = self._usable()
        if end < 3:
            return self.lrs[0]
        slopes = [
            (self.smoothed[i + 1] - self.smoothed[i - 1])
            / math.log(self.lrs[i + 1] / self.lrs[i - 1])
            for i in range(1, end - 1)
        ]
        return self.lrs[1 + slopes.index(min(slopes))]

    def suggestion(self) -> float:
        """A tenth of :attr:`min_loss_lr` (the classic rule)."""
        return self.min_loss_lr / 10

    def plot(self, **kwargs: Any) -> Figure:
        from ..plotting.training import lr_finder_figure

        return lr_finder_figure(self, **kwargs)


def _check_sweep(func, start_lr, end_lr, num_steps, smoothing, diverge):
    """The sweep's arguments, checked (shared with ``Trainer.find_lr``,
    which checks them before it touches its model)."""
    start_lr = check_number(
        start_lr, "start_lr", func, minimum=0, strict_minimum=True
    )
    end_lr = check_number(
        end_lr, "end_lr", func, minimum=start_lr, strict_minimum=True
    )
    num_steps = check_int(num_steps, "num_steps", func, minimum=3)
    smoothing = check_number(
        smoothing, "smoothing", func, minimum=0, maximum=1, strict_minimum=True
    )
    # the smoothed loss is compared with diverge times its minimum: a
    # factor of at most 1 would stop at the first step
    diverge = check_number(
        diverge, "diverge", func, minimum=1, strict_minimum=True
    )
    return start_lr, end_lr, num_steps, smoothing, diverge


def lr_range_test(
    train_step: Callable[[float], float],
    start_lr: float = 1e-6,
    end_lr: float = 1.0,
    num_steps: int = 100,
    smoothing: float = 0.05,
    diverge: float = 4.0,
    progress: bool = False,
) -> LRFinderResult:
    """Sweep the learning rate exponentially, one training step at each.

    ``train_step(lr)`` takes one training step (one batch) at learning
    rate ``lr`` and returns that batch's loss; it changes the model, so
    the caller saves and restores it around the test
    (:meth:`cnnbook.train.Trainer.find_lr` does, with its own model,
    data and optimizer).

    Parameters
    ----------
    train_step : callable, lr -> loss
    start_lr, end_lr : float
        The range, swept exponentially.
    num_steps : int
        Steps (at most; the sweep stops early when the loss blows up).
    smoothing : float
        Weight of the newest loss in the running average.
    diverge : float
        Stop once the smoothed loss exceeds ``diverge`` times its minimum.
    progress : bool
        Draw the Trainer's progress bar (a text bar in a terminal, a
        widget removed at the end in a notebook);
        :meth:`~cnnbook.train.Trainer.find_lr` passes
        ``config.shows_progress()``, off under ``CNNBOOK_PROGRESS=0``.
    """
    func = "lr_range_test"
    if not callable(train_step):
        raise TypeError(
            f"{func}: train_step must be callable (lr -> "
            f"loss), got {type(train_step).__name__}"
        )
    start_lr, end_lr, num_steps, smoothing, diverge = _check_sweep(
        func, start_lr, end_lr, num_steps, smoothing, diverge
    )
    lrs, losses, smoothed = [], [], []
    average, best = 0.0, math.inf
    # the Trainer's bar: a notebook widget removed at the end (no stderr)
    with _Progress(num_steps, progress, desc="lr finder") as bar:
        for k in range(num_steps):
            lr = start_lr * (end_lr / start_lr) ** (k / (num_steps - 1))
            value = float(train_step(lr))
            average = (1 - smoothing) * average + smoothing * value
            # bias correction: the average starts at 0, not the first loss
            corrected = average / (1 - (1 - smoothing) ** (k + 1))
            lrs.append(lr)
            losses.append(value)
            smoothed.append(corrected)
            best = min(best, corrected)
            bar.update()
            if not math.isfinite(value) or corrected > diverge * best:
                break
    if not math.isfinite(smoothed[-1]):
        lrs, losses, smoothed = lrs[:-1], losses[:-1], smoothed[:-1]
    return LRFinderResult(lrs, losses, smoothed)
