r"""Learning-rate schedules (section 7, step 5): PyTorch's schedulers,
built from a :class:`~cnnbook.train.TrainConfig`.

=============  ==========================================  ============
``scheduler``  PyTorch class                               steps once a
=============  ==========================================  ============
``"step"``     ``StepLR(step_size, gamma)``                epoch
``"cosine"``   ``CosineAnnealingLR`` (after ``LinearLR``   batch
               warm-up if ``warmup_epochs``)
``"onecycle"`` ``OneCycleLR(max_lr=lr, pct_start)``        batch
``"plateau"``  ``ReduceLROnPlateau(factor=gamma)`` on the  epoch
               validation loss
=============  ==========================================  ============

The formulas, with :math:`t` counted in the unit of the last column:

- step decay :math:`\eta_t = \eta_0 \gamma^{\lfloor t / s \rfloor}`
- cosine annealing :math:`\eta_t = \eta_{\min} + \tfrac12(\eta_{\max} -
  \eta_{\min})(1 + \cos(\pi t / T_{\max}))`

:func:`cnnbook.schedules.step_decay` and
:func:`cnnbook.schedules.cosine_annealing` compute them directly (pure
functions, one definition each), so the book and the tests can check
PyTorch against the text.
"""

from __future__ import annotations

import torch

from .._validation import check_int
from .config import TrainConfig

__all__ = ["PER_BATCH", "build_scheduler", "lr_trace"]

PER_BATCH = ("cosine", "onecycle")  # these step after every batch


def _check_config(config, func: str) -> TrainConfig:
    if not isinstance(config, TrainConfig):
        raise TypeError(
            f"{func}: config must be a cnnbook.train.TrainConfig, got "
            f"{type(config).__name__} (build one: TrainConfig(scheduler="
            "..., epochs=..., lr=...))"
        )
    return config


def build_scheduler(
    optimizer: torch.optim.Optimizer, config: TrainConfig, steps_per_epoch: int
) -> (
    torch.optim.lr_scheduler.LRScheduler
    | torch.optim.lr_scheduler.ReduceLROnPlateau
    | None
):
    """The scheduler ``config.scheduler`` names, or None for a constant
    learning rate."""
    func = "build_scheduler"
    if not isinstance(optimizer, torch.optim.Optimizer):
        raise TypeError(
            f"{func}: optimizer must be a torch.optim.Optimizer, got "
            f"{type(optimizer).__name__}"
        )
    config = _check_config(config, func)
    steps_per_epoch = check_int(
        steps_per_epoch, "steps_per_epoch", func, minimum=1
    )
    kind = config.scheduler
    sched = torch.optim.lr_scheduler
    total = config.epochs * steps_per_epoch
    if kind is None:
        return None
    if kind == "step":
        return sched.StepLR(optimizer, config.step_size, config.gamma)
    if kind == "onecycle":
        return sched.OneCycleLR(
            optimizer,
            max_lr=config.lr,
            total_steps=total,
            pct_start=config.pct_start,
        )
    if kind == "plateau":
        return sched.ReduceLROnPlateau(
            optimizer, factor=config.gamma, patience=config.plateau_patience
        )
    # cosine, with an optional linear warm-up from lr / 10
    warm = config.warmup_epochs * steps_per_epoch
    cosine = sched.CosineAnnealingLR(
        optimizer, T_max=total - warm, eta_min=config.min_lr
    )
    if not warm:
        return cosine
    warmup = sched.LinearLR(optimizer, start_factor=0.1, total_iters=warm)
    return sched.SequentialLR(optimizer, [warmup, cosine], milestones=[warm])


def lr_trace(config: TrainConfig, steps_per_epoch: int) -> list[float]:
    """The learning rate at every batch of a run with this config (for
    plots; "plateau" depends on the losses and is not traced)."""
    func = "lr_trace"
    config = _check_config(config, func)
    steps_per_epoch = check_int(
        steps_per_epoch, "steps_per_epoch", func, minimum=1
    )
    if config.scheduler == "plateau":
        raise ValueError(
            "lr_trace: 'plateau' depends on the validation "
            "losses; it has no fixed trace"
        )
    param = torch.zeros(1, requires_grad=True)
    optimizer = torch.optim.SGD([param], lr=config.lr)
    scheduler = build_scheduler(optimizer, config, steps_per_epoch)
    lrs = []
    for _ in range(config.epochs):
        for _ in range(steps_per_epoch):
            lrs.append(optimizer.param_groups[0]["lr"])
            optimizer.step()
            if scheduler is not None and config.scheduler in PER_BATCH:
                scheduler.step()
        if scheduler is not None and config.scheduler not in PER_BATCH:
            scheduler.step()
    return lrs
