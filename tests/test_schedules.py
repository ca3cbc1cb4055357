"""Learning-rate schedules against torch.optim.lr_scheduler, every step."""

import math

import pytest
import torch

from cnnbook import schedules

L = torch.optim.lr_scheduler


def _torch_lrs(make, steps, lr=0.1):
    p = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([p], lr=lr, momentum=0.9)
    scheduler = make(opt)
    values = []
    for t in range(steps):
        values.append(opt.param_groups[0]["lr"])
        opt.step()
        if t < steps - 1:
            scheduler.step()
    return values


def _same(ours, theirs):
    assert len(ours) == len(theirs)
    for t, (a, b) in enumerate(zip(ours, theirs, strict=True)):
        assert a == pytest.approx(b, rel=1e-12, abs=1e-15), f"step {t}"


@pytest.mark.parametrize("step_size, gamma", [(1, 0.5), (7, 0.1), (30, 0.1)])
def test_step_decay_is_steplr(step_size, gamma):
    _same(
        [schedules.step_decay(t, 0.1, step_size, gamma) for t in range(90)],
        _torch_lrs(lambda o: L.StepLR(o, step_size, gamma), 90),
    )


@pytest.mark.parametrize("t_max, lr_min", [(10, 0.0), (20, 0.001), (50, 1e-4)])
def test_cosine_annealing_is_cosineannealinglr(t_max, lr_min):
    n = 2 * t_max + 3  # past t_max the cosine rises again in both
    _same(
        [schedules.cosine_annealing(t, 0.1, t_max, lr_min) for t in range(n)],
        _torch_lrs(lambda o: L.CosineAnnealingLR(o, t_max, lr_min), n),
    )


@pytest.mark.parametrize("warmup", [1, 5, 8])
def test_linear_warmup_is_lambdalr_of_the_encyclopedias_factor(warmup):
    _same(
        [schedules.linear_warmup(t, 0.1, warmup) for t in range(20)],
        _torch_lrs(
            lambda o: L.LambdaLR(o, lambda t: min(1.0, t / warmup)), 20
        ),
    )
    assert schedules.linear_warmup(0, 0.1, warmup) == 0.0


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        dict(pct_start=0.25, anneal_strategy="linear"),
        dict(three_phase=True),
        dict(
            three_phase=True,
            anneal_strategy="linear",
            div_factor=10,
            final_div_factor=100,
        ),
    ],
)
@pytest.mark.parametrize("total", [10, 37, 91, 100])
def test_one_cycle_is_onecyclelr(kwargs, total):
    _same(
        [schedules.one_cycle(t, total, 0.1, **kwargs) for t in range(total)],
        _torch_lrs(
            lambda o: L.OneCycleLR(o, max_lr=0.1, total_steps=total, **kwargs),
            total,
        ),
    )


def test_one_cycle_reproduces_the_encyclopedias_numbers():
    # "Epoch 0 -> 30: 0.001 to 0.1; epoch 30 -> 90: 0.1 to 0.0001 (cosine)"
    lrs = [
        schedules.one_cycle(
            t,
            91,
            max_lr=0.1,
            pct_start=31 / 91,
            div_factor=100,
            final_div_factor=10,
        )
        for t in range(91)
    ]
    assert lrs[0] == pytest.approx(0.001)
    assert lrs[30] == pytest.approx(0.1)
    assert max(lrs) == lrs[30]
    assert lrs[90] == pytest.approx(0.0001)


def test_warmup_cosine():
    lrs = [schedules.warmup_cosine(t, 0.1, 5, 25) for t in range(25)]
    assert lrs[0] == pytest.approx(0.02)
    assert lrs[4] == pytest.approx(0.1) == max(lrs)
    assert lrs[5] == pytest.approx(0.1)
    assert lrs[24] == pytest.approx(0.05 * (1 + math.cos(math.pi * 19 / 20)))


def test_schedule_errors():
    with pytest.raises(ValueError, match="step must be >= 0"):
        schedules.step_decay(-1, 0.1, 10)
    with pytest.raises(TypeError, match="lr0 must be a real number"):
        schedules.step_decay(0, "0.1", 10)
    with pytest.raises(ValueError, match="step=100 is past the last step"):
        schedules.one_cycle(100, 100, 0.1)
    with pytest.raises(ValueError, match="anneal_strategy must be"):
        schedules.one_cycle(0, 100, 0.1, anneal_strategy="exp")
    with pytest.raises(ValueError, match="t_max must be >= 1"):
        schedules.cosine_annealing(0, 0.1, 0)
