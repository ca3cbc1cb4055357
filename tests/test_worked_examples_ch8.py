"""The worked examples of encyclopedia section 8, as tests."""

import math

import numpy as np
import torch

from cnnbook import optim, schedules
from cnnbook.nn import Parameter


def test_l2_update_factor_is_one_minus_two_eta_lambda():
    eta, lam = 0.1, 0.01
    w = torch.tensor([0.5, -2.0, 3.0], dtype=torch.float64, requires_grad=True)
    (lam * (w**2).sum()).backward()
    step = w.detach() - eta * w.grad
    np.testing.assert_allclose(
        step.numpy(), (1 - 2 * eta * lam) * np.array([0.5, -2.0, 3.0])
    )
    assert f"{1 - 2 * eta * lam:.3f}" == "0.998"
    assert f"{1 - eta * lam:.3f}" == "0.999"  # the encyclopedia's factor


def test_one_cycle_from_0_001_to_0_1_to_0_0001():
    lrs = [
        schedules.one_cycle(
            t, 91, 0.1, pct_start=31 / 91, div_factor=100, final_div_factor=10
        )
        for t in range(91)
    ]
    assert math.isclose(lrs[0], 0.1 / 100)
    assert math.isclose(lrs[30], 0.1)
    assert math.isclose(lrs[90], 0.1 / 100 / 10)


def test_warmup_formula():
    # eta_t = eta_max * min(1, t / T): 0 at t = 0, the maximum from t = T
    assert [schedules.linear_warmup(t, 0.1, 4) for t in (0, 2, 4, 9)] == [
        0.0,
        0.05,
        0.1,
        0.1,
    ]


def test_adamw_identical_paths_for_rescaled_gradients():
    noise = np.random.default_rng(0)
    p = Parameter(np.array([1.0, 1.0]))
    opt = optim.AdamW([p], lr=0.01, weight_decay=0.2)
    for _ in range(100):
        p.grad[...] = noise.normal() * np.array([10.0, 0.01])
        opt.step()
    assert abs(p.data[0] - p.data[1]) < 1e-6


def test_running_mean_weight_decays_like_0_9_to_the_k():
    k = math.ceil(math.log(0.01) / math.log(0.9))
    assert k == 44 and 0.9**44 < 0.01 < 0.9**43
