"""Dropout in both forms: masks, scaling, expectations, gradients."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch_reference import close, t

from cnnbook.functional import (
    dropout,
    dropout_backward,
    dropout_scale_at_test,
    dropout_scale_at_test_backward,
)


@pytest.mark.parametrize("p", [0.0, 0.2, 0.5, 0.9])
def test_inverted_dropout_scales_as_torch_does(rng, p):
    x = rng.uniform(1, 2, size=(4, 5, 6))  # no zeros: a zero marks a drop
    y, keep = dropout(x, p, rng=1, return_mask=True)
    close(y[keep], x[keep] / (1 - p))
    assert np.all(y[~keep] == 0)
    # torch draws its own mask; given that mask, the same formula holds,
    # forward and backward
    tx = t(x).requires_grad_()
    torch.manual_seed(0)
    ty = F.dropout(tx, p, training=True)
    torch_keep = ty.detach().numpy() != 0
    close(np.where(torch_keep, x / (1 - p), 0), ty)
    g = rng.normal(size=x.shape)
    ty.backward(t(g))
    close(dropout_backward(g, torch_keep, p), tx.grad)


def test_keep_fraction_and_expectation(rng):
    x = np.full(200_000, 3.0)
    y, keep = dropout(x, 0.3, rng=rng, return_mask=True)
    assert abs(keep.mean() - 0.7) < 0.005
    assert abs(y.mean() - 3.0) < 0.03  # E[y] = x


def test_evaluation_mode_is_the_identity(rng):
    x = rng.normal(size=(3, 4))
    assert dropout(x, 0.5, training=False) is x
    close(dropout_scale_at_test(x, 0.6, training=False), 0.6 * x)


def test_p_one_drops_everything():
    assert np.all(dropout(np.ones(10), 1.0, rng=0) == 0)


def test_the_two_forms_agree_in_expectation(rng):
    # Averaged over many masks, inverted dropout in training equals its
    # test output x; the encyclopedia's form in training equals q * x, its
    # test output. The two differ by the constant factor q.
    x = rng.normal(size=50)
    q = 0.5
    masks = 20_000
    inv = np.mean([dropout(x, 1 - q, rng=rng) for _ in range(masks)], axis=0)
    classic = np.mean(
        [dropout_scale_at_test(x, q, rng=rng) for _ in range(masks)], axis=0
    )
    close(inv, dropout(x, 1 - q, training=False), atol=0.05, rtol=0)
    close(
        classic, dropout_scale_at_test(x, q, training=False), atol=0.03, rtol=0
    )
    close(inv * q, classic, atol=0.05, rtol=0)


def test_backward_uses_the_mask(rng):
    x = rng.normal(size=(6, 7))
    g = rng.normal(size=(6, 7))
    y, keep = dropout(x, 0.25, rng=3, return_mask=True)
    # d y_i / d x_i = keep_i / (1 - p): autograd of y = x * mask / (1 - p)
    tx = t(x).requires_grad_()
    (tx * t(keep.astype(float)) / 0.75).backward(t(g))
    close(dropout_backward(g, keep, 0.25), tx.grad)
    _, keep2 = dropout_scale_at_test(x, 0.6, rng=4, return_mask=True)
    close(dropout_scale_at_test_backward(g, keep2), np.where(keep2, g, 0))


def test_same_seed_same_mask(rng):
    x = rng.normal(size=100)
    close(dropout(x, 0.5, rng=7), dropout(x, 0.5, rng=7))


def test_dropout_errors():
    with pytest.raises(ValueError, match="p must be <= 1"):
        dropout(np.ones(3), 1.5)
    with pytest.raises(TypeError, match="rng must be a numpy Generator"):
        dropout(np.ones(3), 0.5, rng="seed")
    with pytest.raises(ValueError, match="mask must be a boolean array"):
        dropout_backward(np.ones(3), np.ones(3), 0.5)
    with pytest.raises(ValueError, match="keep_prob must be >= 0"):
        dropout_scale_at_test(np.ones(3), -0.1)
