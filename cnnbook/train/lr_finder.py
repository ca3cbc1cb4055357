r"""The learning-rate range test ("LR finder", Smith 2017).

Train for a few dozen batches while the learning rate grows
exponentially, :math:`\eta_k = \eta_0 (\eta_1/\eta_0)^{k/(K-1)}`, and
record the loss. The loss first barely moves (the rate is too small),
then falls fast, then blows up (too large). A good rate lies on the
falling part, well below the blow-up: the usual picks are the rate of
steepest descent of the smoothed loss, or a tenth of the rate at the
minimum. The trainer is restored afterwards, as if nothing had happened.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .._validation import check_int, check_number

__all__ = ["LRFinderResult", "find_lr"]


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
        slopes = [(self.smoothed[i + 1] - self.smoothed[i - 1])
                  / math.log(self.lrs[i + 1] / self.lrs[i - 1])
                  for i in range(1, end - 1)]
        return self.lrs[1 + slopes.index(min(slopes))]

    def suggestion(self) -> float:
        """A tenth of :attr:`min_loss_lr` (the classic rule)."""
        return self.min_loss_lr / 10

    def plot(self, **kwargs):
        from ..plotting.training import lr_finder_figure

        return lr_finder_figure(self, **kwargs)


def find_lr(trainer, start_lr: float = 1e-6, end_lr: float = 1.0,
            num_steps: int = 100, smoothing: float = 0.05,
            diverge: float = 4.0) -> LRFinderResult:
    """Run the range test with ``trainer``'s model, data, optimizer and
    augmentation, then restore all of them (weights, optimizer and
    scheduler state, random generators).

    Parameters
    ----------
    start_lr, end_lr : float
        The range, swept exponentially.
    num_steps : int
        Batches (the training data is cycled if it has fewer).
    smoothing : float
        Weight of the newest loss in the running average.
    diverge : float
        Stop once the smoothed loss exceeds ``diverge`` times its minimum.
    """
    func = "find_lr"
    from .trainer import Trainer

    if not isinstance(trainer, Trainer):
        raise TypeError(f"{func}: trainer must be a cnnbook.train.Trainer, "
                        f"got {type(trainer).__name__}")
    start_lr = check_number(start_lr, "start_lr", func, minimum=0,
                            strict_minimum=True)
    end_lr = check_number(end_lr, "end_lr", func, minimum=start_lr,
                          strict_minimum=True)
    num_steps = check_int(num_steps, "num_steps", func, minimum=3)
    smoothing = check_number(smoothing, "smoothing", func, minimum=0,
                             maximum=1, strict_minimum=True)
    # the smoothed loss is compared with diverge times its minimum: a
    # factor of at most 1 would stop at the first step
    diverge = check_number(diverge, "diverge", func, minimum=1,
                           strict_minimum=True)
    from tqdm import tqdm

    from .seeding import get_rng_state, set_rng_state
    from .trainer import _progress_default

    snapshot = trainer.snapshot()
    outside = get_rng_state(trainer.device)  # the caller's global streams
    set_rng_state(trainer._rng_state, trainer.device)
    model, optimizer = trainer.model, trainer.optimizer
    show = _progress_default() if trainer.config.progress is None else (
        trainer.config.progress)
    lrs, losses, smoothed = [], [], []
    average, best = 0.0, math.inf
    try:
        model.train()
        batches = iter(trainer.train_loader)
        for k in range(num_steps) if not show else tqdm(
                range(num_steps), desc="lr finder", leave=False):
            lr = start_lr * (end_lr / start_lr) ** (k / (num_steps - 1))
            for group in optimizer.param_groups:
                group["lr"] = lr
            try:
                x, y = next(batches)
            except StopIteration:
                batches = iter(trainer.train_loader)
                x, y = next(batches)
            x, y = trainer._to_device(x, y, trainer.train_data)
            if trainer.train_transform is not None:
                x = trainer.train_transform(x)
            loss = trainer.loss_fn(model(x), y)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            value = loss.item()
            average = (1 - smoothing) * average + smoothing * value
            corrected = average / (1 - (1 - smoothing) ** (k + 1))
            lrs.append(lr)
            losses.append(value)
            smoothed.append(corrected)
            best = min(best, corrected)
            if not math.isfinite(value) or corrected > diverge * best:
                break
    finally:
        trainer.restore(snapshot)
        set_rng_state(outside, trainer.device)
    if not math.isfinite(smoothed[-1]):
        lrs, losses, smoothed = lrs[:-1], losses[:-1], smoothed[:-1]
    return LRFinderResult(lrs, losses, smoothed)
