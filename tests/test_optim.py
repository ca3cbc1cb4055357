"""Optimizers against torch.optim, step by step, in float64."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch_reference import close

from cnnbook import optim
from cnnbook.nn import Parameter


def _grad(w):
    # the gradient of a non-quadratic function, so that every step differs
    return 3 * np.cos(w) + 0.1 * w**3


def _trajectories(ours, theirs, kwargs, steps=25, seed=0):
    w0 = np.random.default_rng(seed).normal(size=(3, 4))
    p = Parameter(w0.copy())
    opt = ours([p], **kwargs)
    tp = torch.tensor(w0.copy(), requires_grad=True)
    topt = theirs([tp], **kwargs)
    mine, reference = [], []
    for _ in range(steps):
        p.grad[...] = _grad(p.data)
        opt.step()
        mine.append(p.data.copy())
        tp.grad = torch.from_numpy(_grad(tp.detach().numpy()))
        topt.step()
        reference.append(tp.detach().numpy().copy())
    return np.array(mine), np.array(reference)


CASES = [
    (optim.SGD, torch.optim.SGD, dict(lr=0.05)),
    (optim.SGD, torch.optim.SGD, dict(lr=0.05, momentum=0.9)),
    (
        optim.SGD,
        torch.optim.SGD,
        dict(lr=0.02, momentum=0.8, dampening=0.3, weight_decay=0.01),
    ),
    (
        optim.SGD,
        torch.optim.SGD,
        dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.1),
    ),
    (optim.Adam, torch.optim.Adam, dict(lr=0.01)),
    (
        optim.Adam,
        torch.optim.Adam,
        dict(lr=0.01, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1),
    ),
    (optim.AdamW, torch.optim.AdamW, dict(lr=0.01)),
    (
        optim.AdamW,
        torch.optim.AdamW,
        dict(lr=0.01, weight_decay=0.3, betas=(0.5, 0.9)),
    ),
]


@pytest.mark.parametrize("ours, theirs, kwargs", CASES)
def test_trajectory_matches_torch_step_by_step(ours, theirs, kwargs):
    mine, reference = _trajectories(ours, theirs, kwargs)
    close(mine, reference, rtol=1e-12, atol=1e-13)


@settings(max_examples=20)
@given(
    lr=st.floats(1e-4, 0.5),
    beta=st.floats(0.01, 0.99),
    seed=st.integers(0, 1000),
)
def test_ema_momentum_is_pytorch_momentum_with_a_scaled_lr(lr, beta, seed):
    # v_t = beta v + (1 - beta) g, w -= lr v   equals
    # b_t = beta b + g,          w -= lr (1 - beta) b
    w0 = np.random.default_rng(seed).normal(size=5)
    a, b = Parameter(w0.copy()), Parameter(w0.copy())
    ema = optim.MomentumEMA([a], lr=lr, beta=beta)
    sgd = optim.SGD(
        [b], lr=optim.ema_lr_to_pytorch_lr(lr, beta), momentum=beta
    )
    for _ in range(20):
        a.grad[...] = _grad(a.data)
        b.grad[...] = _grad(b.data)
        ema.step()
        sgd.step()
        # the buffers differ by exactly the factor 1 / (1 - beta)
        close(
            ema.state[0]["velocity"] / (1 - beta),
            sgd.state[0]["buffer"],
            rtol=1e-9,
            atol=1e-12,
        )
    close(a.data, b.data, rtol=1e-9, atol=1e-12)


def test_ema_with_torch_lr_is_ten_times_slower():
    # Same lr and beta=0.9: the EMA form steps 1 - beta = 1/10 as far.
    w0 = np.array([1.0])
    a, b = Parameter(w0.copy()), Parameter(w0.copy())
    ema, sgd = optim.MomentumEMA([a], 0.1, 0.9), optim.SGD([b], 0.1, 0.9)
    a.grad[...] = b.grad[...] = 2.0
    ema.step()
    sgd.step()
    close(1.0 - a.data, (1.0 - b.data) / 10)


def test_l2_penalty_gradient_has_the_factor_two():
    # d/dw (lam * w^2) = 2 lam w; torch's weight_decay adds wd * w, so
    # weight_decay = 2 lam reproduces L2 with strength lam.
    w = np.array([0.5, -2.0, 3.0])
    lam = 0.01
    tw = torch.tensor(w, requires_grad=True)
    (lam * (tw**2).sum()).backward()
    close(optim.l2_penalty_grad(w, lam), tw.grad)
    assert optim.l2_penalty([w], lam) == pytest.approx(lam * 13.25)
    p, q = Parameter(w.copy()), Parameter(w.copy())
    decayed = optim.SGD([p], lr=0.1, weight_decay=2 * lam)
    explicit = optim.SGD([q], lr=0.1)
    p.grad[...] = 0.3
    q.grad[...] = 0.3 + optim.l2_penalty_grad(q.data, lam)
    decayed.step()
    explicit.step()
    close(p.data, q.data)
    # and the update is w <- (1 - 2 eta lam) w - eta grad
    close(p.data, (1 - 2 * 0.1 * lam) * w - 0.1 * 0.3)


def test_adamw_decay_is_the_same_fraction_for_every_weight():
    # Zero gradients: AdamW still shrinks each weight by eta * lambda;
    # Adam with L2 moves each weight by about eta, whatever its size.
    w = np.array([0.01, 1.0, 100.0])
    a, b = Parameter(w.copy()), Parameter(w.copy())
    adamw = optim.AdamW([a], lr=0.01, weight_decay=0.1)
    adam = optim.Adam([b], lr=0.01, weight_decay=0.1)
    adamw.step()
    adam.step()
    close(a.data / w, np.full(3, 1 - 0.01 * 0.1))
    close(w - b.data, np.full(3, 0.01), rtol=1e-4)


def test_learning_rate_can_be_changed_and_is_checked():
    p = Parameter(np.zeros(2))
    opt = optim.SGD([p], lr=0.1)
    opt.lr = 0.5
    assert opt.lr == 0.5
    with pytest.raises(
        TypeError, match="SGD: lr must be a real number, got str"
    ):
        opt.lr = "fast"
    with pytest.raises(ValueError, match="lr must be >= 0"):
        optim.Adam([p], lr=-1.0)
    with pytest.raises(ValueError, match="lr must be finite"):
        optim.SGD([p], lr=float("nan"))


def test_optimizer_argument_errors():
    p = Parameter(np.zeros(2))
    with pytest.raises(ValueError, match="params is an empty list"):
        optim.SGD([], lr=0.1)
    with pytest.raises(TypeError, match=r"params\[0\] must have .data"):
        optim.SGD([np.zeros(2)], lr=0.1)
    with pytest.raises(ValueError, match="nesterov needs momentum > 0"):
        optim.SGD([p], lr=0.1, nesterov=True)
    with pytest.raises(ValueError, match="betas must be a pair"):
        optim.Adam([p], betas=0.9)
    with pytest.raises(ValueError, match="betas must be < 1"):
        optim.Adam([p], betas=(1.0, 0.9))
    with pytest.raises(ValueError, match="beta must be <= 1"):
        optim.MomentumEMA([p], lr=0.1, beta=1.5)


def test_float32_parameters_stay_float32():
    p = Parameter(np.ones(3, np.float32))
    opt = optim.Adam([p])
    p.grad[...] = 1.0
    opt.step()
    assert p.data.dtype == np.float32
