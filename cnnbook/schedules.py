r"""Learning-rate schedules as pure functions: step -> learning rate.

Each function takes the step (or epoch) number :math:`t = 0, 1, 2, \dots`
and returns :math:`\eta_t`; a training loop sets ``optimizer.lr =
schedule(t)`` before step :math:`t`. Where PyTorch has the same schedule
(``torch.optim.lr_scheduler``) the values agree with it at every step, and
the tests check that.
"""

from __future__ import annotations

import math

from ._validation import check_bool, check_choice, check_int, check_number

__all__ = [
    "cosine_annealing",
    "linear_warmup",
    "one_cycle",
    "step_decay",
    "warmup_cosine",
]


def _step(step, func):
    return check_int(step, "step", func, minimum=0)


def step_decay(
    step: int, lr0: float, step_size: int, gamma: float = 0.1
) -> float:
    r"""Step decay, as ``StepLR``:
    :math:`\eta_t = \eta_0\, \gamma^{\lfloor t / s \rfloor}`.

    >>> [step_decay(t, 0.1, step_size=30) for t in (0, 29, 30, 60)]
    [0.1, 0.1, 0.010000000000000002, 0.0010000000000000002]
    """
    func = "step_decay"
    t = _step(step, func)
    lr0 = check_number(lr0, "lr0", func, minimum=0)
    step_size = check_int(step_size, "step_size", func, minimum=1)
    gamma = check_number(gamma, "gamma", func, minimum=0)
    return lr0 * gamma ** (t // step_size)


def cosine_annealing(
    step: int, lr_max: float, t_max: int, lr_min: float = 0.0
) -> float:
    r"""Cosine annealing, as ``CosineAnnealingLR``.

    .. math::

        \eta_t = \eta_{\min} + \tfrac12(\eta_{\max} - \eta_{\min})
            \left(1 + \cos\frac{t\pi}{T_{\max}}\right)

    From :math:`\eta_{\max}` at :math:`t = 0` to :math:`\eta_{\min}` at
    :math:`t = T_{\max}` (and, like PyTorch's, back up after that).

    >>> [round(cosine_annealing(t, 0.1, t_max=10), 4) for t in (0, 5, 10)]
    [0.1, 0.05, 0.0]
    """
    func = "cosine_annealing"
    t = _step(step, func)
    lr_max = check_number(lr_max, "lr_max", func, minimum=0)
    lr_min = check_number(lr_min, "lr_min", func, minimum=0)
    t_max = check_int(t_max, "t_max", func, minimum=1)
    return lr_min + 0.5 * (lr_max - lr_min) * (
        1 + math.cos(math.pi * t / t_max)
    )


def linear_warmup(step: int, lr_max: float, warmup_steps: int) -> float:
    r"""Linear warm-up, the encyclopedia's rule:
    :math:`\eta_t = \eta_{\max} \min(1, t / T_\text{warmup})`.

    Note that :math:`\eta_0 = 0`: the first step does not move the weights.
    (``LambdaLR`` with this factor reproduces it; ``LinearLR`` cannot
    start at 0.)
    """
    func = "linear_warmup"
    t = _step(step, func)
    lr_max = check_number(lr_max, "lr_max", func, minimum=0)
    warmup_steps = check_int(warmup_steps, "warmup_steps", func, minimum=1)
    return lr_max * min(1.0, t / warmup_steps)


def warmup_cosine(
    step: int,
    lr_max: float,
    warmup_steps: int,
    total_steps: int,
    lr_min: float = 0.0,
) -> float:
    r"""Linear warm-up to :math:`\eta_{\max}`, then cosine annealing to
    :math:`\eta_{\min}` at ``total_steps``; a common recipe.

    The warm-up starts at :math:`\eta_{\max}/T_\text{warmup}` rather than 0,
    so that no step is wasted.
    """
    func = "warmup_cosine"
    t = _step(step, func)
    check_number(lr_max, "lr_max", func, minimum=0)
    check_number(lr_min, "lr_min", func, minimum=0)
    warmup_steps = check_int(warmup_steps, "warmup_steps", func, minimum=0)
    total_steps = check_int(
        total_steps, "total_steps", func, minimum=warmup_steps + 1
    )
    if t < warmup_steps:
        return linear_warmup(t + 1, lr_max, warmup_steps)
    return cosine_annealing(
        t - warmup_steps, lr_max, total_steps - warmup_steps, lr_min
    )


def one_cycle(
    step: int,
    total_steps: int,
    max_lr: float,
    pct_start: float = 0.3,
    div_factor: float = 25.0,
    final_div_factor: float = 1e4,
    anneal_strategy: str = "cos",
    three_phase: bool = False,
) -> float:
    r"""The one-cycle policy (Smith & Topin 2019), as ``OneCycleLR``.

    The learning rate rises from :math:`\eta_{\max}/\text{div\_factor}` to
    :math:`\eta_{\max}` over the first ``pct_start`` of the steps, then
    falls to :math:`\eta_{\max}/(\text{div\_factor} \cdot
    \text{final\_div\_factor})` at the last step. Each phase follows a
    half cosine (``anneal_strategy="cos"``) or a straight line
    (``"linear"``); ``three_phase`` falls back to the initial rate
    symmetrically first, then to the final one, as in Smith's paper.
    (PyTorch also cycles the momentum inversely; this function gives the
    learning rate only.)

    With :math:`\text{pct} \in [0, 1]` the position within a phase that goes
    from :math:`a` to :math:`b`, the cosine phase is
    :math:`b + \tfrac12(a - b)(1 + \cos \pi\,\text{pct})`.
    """
    func = "one_cycle"
    t = _step(step, func)
    total_steps = check_int(total_steps, "total_steps", func, minimum=2)
    if t >= total_steps:
        raise ValueError(
            f"{func}: step={t} is past the last step ({total_steps - 1}) of "
            f"total_steps={total_steps}"
        )
    max_lr = check_number(max_lr, "max_lr", func, minimum=0)
    pct_start = check_number(
        pct_start, "pct_start", func, minimum=0, maximum=1
    )
    div_factor = check_number(
        div_factor, "div_factor", func, minimum=0, strict_minimum=True
    )
    final_div_factor = check_number(
        final_div_factor,
        "final_div_factor",
        func,
        minimum=0,
        strict_minimum=True,
    )
    check_choice(anneal_strategy, "anneal_strategy", func, ("cos", "linear"))
    three_phase = check_bool(three_phase, "three_phase", func)
    initial = max_lr / div_factor
    final = initial / final_div_factor
    # Phase boundaries exactly as torch.optim.lr_scheduler.OneCycleLR.
    if three_phase:
        ends = [
            float(pct_start * total_steps) - 1,
            float(2 * pct_start * total_steps) - 2,
            total_steps - 1,
        ]
        levels = [(initial, max_lr), (max_lr, initial), (initial, final)]
    else:
        ends = [float(pct_start * total_steps) - 1, total_steps - 1]
        levels = [(initial, max_lr), (max_lr, final)]
    if ends[0] == 0:
        # Step 0 would sit at the start and the end of the warm-up at
        # once (PyTorch divides by zero there): say which arguments do it.
        raise ValueError(
            f"{func}: pct_start * total_steps must not be 1 (the warm-up "
            f"would have no length), got pct_start={pct_start}, "
            f"total_steps={total_steps}"
        )
    start = 0.0
    for i, (end, (a, b)) in enumerate(zip(ends, levels, strict=True)):
        if t <= end or i == len(ends) - 1:
            pct = (t - start) / (end - start)
            if anneal_strategy == "cos":
                return b + (a - b) / 2 * (math.cos(math.pi * pct) + 1)
            return (b - a) * pct + a
        start = end
    raise AssertionError("unreachable")  # pragma: no cover
