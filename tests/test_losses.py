"""Losses and their gradients against torch (autograd), float64."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st
from torch_reference import close, t

from cnnbook import losses

REDUCTIONS = ["mean", "sum", "none"]


@st.composite
def logits_and_labels(draw):
    n, k = draw(st.integers(1, 6)), draw(st.integers(2, 7))
    rng = np.random.default_rng(draw(st.integers(0, 2**31 - 1)))
    scale = draw(st.sampled_from([0.1, 1.0, 10.0]))
    return rng.normal(size=(n, k)) * scale, rng.integers(0, k, n), rng


def _grad_of(loss, *tensors, go):
    loss.backward(torch.as_tensor(np.asarray(go, dtype=np.float64)))
    return [x.grad for x in tensors]


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("smoothing", [0.0, 0.1, 0.4])
@given(case=logits_and_labels())
def test_cross_entropy_matches_torch(reduction, smoothing, case):
    z, y, rng = case
    tz = t(z).requires_grad_()
    loss = F.cross_entropy(
        tz, torch.from_numpy(y), reduction=reduction, label_smoothing=smoothing
    )
    close(losses.cross_entropy(z, y, reduction, smoothing), loss)
    go = rng.normal(size=loss.shape)
    (expected,) = _grad_of(loss, tz, go=go)
    close(
        losses.cross_entropy_backward(go, z, y, reduction, smoothing), expected
    )


@given(case=logits_and_labels())
def test_cross_entropy_with_probability_targets(case):
    z, _, rng = case
    y = rng.dirichlet(np.ones(z.shape[1]), z.shape[0])
    tz = t(z).requires_grad_()
    loss = F.cross_entropy(tz, t(y))
    close(losses.cross_entropy(z, y), loss)
    (expected,) = _grad_of(loss, tz, go=np.array(1.0))
    close(losses.cross_entropy_backward(1.0, z, y), expected)


def test_label_smoothing_is_the_encyclopedias_formula():
    # y_smooth = (1 - eps) y + eps / K
    smooth = losses.smooth_labels(np.array([2]), 5, 0.1)
    close(smooth, [[0.02, 0.02, 0.92, 0.02, 0.02]])
    z = np.array([[1.0, -2.0, 0.5, 3.0, 0.0]])
    close(
        losses.cross_entropy(z, np.array([2]), label_smoothing=0.1),
        losses.cross_entropy(z, smooth),
    )


def test_gradient_is_prediction_minus_target(rng):
    z = rng.normal(size=(4, 3))
    y = np.array([0, 2, 1, 1])
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    close(losses.cross_entropy_backward(1.0, z, y, "sum"), p - np.eye(3)[y])


@pytest.mark.parametrize("reduction", REDUCTIONS)
@given(case=logits_and_labels())
def test_nll_from_probabilities_matches_torch(reduction, case):
    z, y, rng = case
    p = rng.dirichlet(np.ones(z.shape[1]), z.shape[0])
    tp = t(p).requires_grad_()
    loss = F.nll_loss(torch.log(tp), torch.from_numpy(y), reduction=reduction)
    close(losses.nll_from_probabilities(p, y, reduction), loss)
    go = rng.normal(size=loss.shape)
    (expected,) = _grad_of(loss, tp, go=go)
    close(
        losses.nll_from_probabilities_backward(go, p, y, reduction), expected
    )


def test_encyclopedia_cross_entropy_example():
    # -(0 log 0.1 + 0 log 0.2 + 1 log 0.6 + 0 log 0.05 + 0 log 0.05)
    p = np.array([[0.1, 0.2, 0.6, 0.05, 0.05]])
    loss = losses.nll_from_probabilities(p, np.array([2]))
    close(loss, -np.log(0.6))
    assert round(float(loss), 2) == 0.51
    assert (
        losses.nll_from_probabilities(
            np.array([[0.0, 0, 1, 0, 0]]), np.array([2])
        )
        == 0.0
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
@given(case=logits_and_labels())
def test_binary_cross_entropy_matches_torch(reduction, case):
    z, _, rng = case
    p = rng.uniform(size=z.shape)
    y = rng.uniform(size=z.shape)
    tp = t(p).requires_grad_()
    loss = F.binary_cross_entropy(tp, t(y), reduction=reduction)
    close(losses.binary_cross_entropy(p, y, reduction), loss)
    go = rng.normal(size=loss.shape)
    (expected,) = _grad_of(loss, tp, go=go)
    close(losses.binary_cross_entropy_backward(go, p, y, reduction), expected)
    tz = t(z).requires_grad_()
    loss = F.binary_cross_entropy_with_logits(tz, t(y), reduction=reduction)
    close(losses.binary_cross_entropy_with_logits(z, y, reduction), loss)
    (expected,) = _grad_of(loss, tz, go=go)
    close(
        losses.binary_cross_entropy_with_logits_backward(go, z, y, reduction),
        expected,
    )


def test_binary_cross_entropy_clamps_like_torch():
    p, y = np.array([0.0, 1.0]), np.array([1.0, 0.0])
    close(
        losses.binary_cross_entropy(p, y, "none"),
        F.binary_cross_entropy(t(p), t(y), reduction="none"),
    )


def _torch_focal(tz, y, gamma, alpha):
    log_pt = torch.log_softmax(tz, 1)[
        torch.arange(len(y)), torch.from_numpy(y)
    ]
    alpha_t = (
        1.0
        if alpha is None
        else torch.as_tensor(np.broadcast_to(alpha, (tz.shape[1],))[y])
    )
    return -alpha_t * (1 - log_pt.exp()) ** gamma * log_pt


@pytest.mark.parametrize("gamma", [0.0, 0.5, 1.0, 2.0, 5.0])
@pytest.mark.parametrize("alpha", [None, 0.25, "per-class"])
@given(case=logits_and_labels())
def test_focal_loss_matches_autograd(gamma, alpha, case):
    z, y, rng = case
    if alpha == "per-class":
        alpha = rng.uniform(size=z.shape[1])
    tz = t(z).requires_grad_()
    per_example = _torch_focal(tz, y, gamma, alpha)
    close(losses.focal_loss(z, y, gamma, alpha, "none"), per_example)
    loss = per_example.mean()
    (expected,) = _grad_of(loss, tz, go=np.array(1.0))
    close(
        losses.focal_loss_backward(1.0, z, y, gamma, alpha),
        expected,
        rtol=1e-9,
        atol=1e-13,
    )


def test_focal_loss_with_gamma_zero_is_cross_entropy(rng):
    z, y = rng.normal(size=(5, 4)), rng.integers(0, 4, 5)
    close(losses.focal_loss(z, y, gamma=0.0), losses.cross_entropy(z, y))


def test_focal_loss_down_weights_easy_examples():
    z = np.array([[4.0, 0.0], [0.2, 0.0]])  # easy, hard (true class 0)
    y = np.array([0, 0])
    ce = losses.cross_entropy(z, y, reduction="none")
    fl = losses.focal_loss(z, y, gamma=2.0, reduction="none")
    assert fl[0] / ce[0] < 0.001 < 0.2 < fl[1] / ce[1]


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_mse_matches_torch(rng, reduction):
    x, y = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    tx = t(x).requires_grad_()
    loss = F.mse_loss(tx, t(y), reduction=reduction)
    close(losses.mse_loss(x, y, reduction), loss)
    go = rng.normal(size=loss.shape)
    (expected,) = _grad_of(loss, tx, go=go)
    close(losses.mse_loss_backward(go, x, y, reduction), expected)


def test_float32_logits_keep_float32_gradients(rng):
    z = rng.normal(size=(3, 4)).astype(np.float32)
    y = np.array([0, 1, 3])
    g = losses.cross_entropy_backward(1.0, z, y)
    assert np.allclose(
        g, losses.cross_entropy_backward(1.0, z.astype(float), y), atol=1e-6
    )


@pytest.mark.parametrize(
    "call, message",
    [
        (
            lambda: losses.nll_from_probabilities(
                np.array([[-0.1, 1.1]]), np.array([0])
            ),
            "input must hold probabilities in \\[0, 1\\]",
        ),
        (
            lambda: losses.nll_from_probabilities(
                np.array([[0.5, 0.4]]), np.array([0])
            ),
            "each row of input must sum to 1",
        ),
        (
            lambda: losses.cross_entropy(np.zeros((2, 3)), np.array([0, 3])),
            "target classes must be in \\[0, 2\\]",
        ),
        (
            lambda: losses.cross_entropy(np.zeros((2, 3)), np.array([0])),
            "target of class indices must have shape \\(2,\\)",
        ),
        (
            lambda: losses.cross_entropy(
                np.zeros((2, 3)), np.array([0, 1]), reduction="avg"
            ),
            "reduction must be one of",
        ),
        (
            lambda: losses.binary_cross_entropy(
                np.array([0.5]), np.array([2.0])
            ),
            "target must hold probabilities",
        ),
        (
            lambda: losses.mse_loss(np.zeros(3), np.zeros(4)),
            r"^mse_loss: input \(3,\) and target \(4,\) must have the same "
            "shape$",
        ),
        (
            lambda: losses.mse_loss_backward(
                1.0, np.zeros((2, 2)), np.zeros(4)
            ),
            r"^mse_loss_backward: input \(2, 2\) and target \(4,\) must",
        ),
        (
            lambda: losses.binary_cross_entropy(np.full(3, 0.5), np.ones(2)),
            r"^binary_cross_entropy: input \(3,\) and target \(2,\) must",
        ),
        (
            lambda: losses.focal_loss(
                np.zeros((2, 3)), np.array([0, 1]), alpha=[1, 2]
            ),
            "alpha must be a number or one weight per class",
        ),
        (
            lambda: losses.cross_entropy_backward(
                np.ones(2), np.zeros((2, 3)), np.array([0, 1])
            ),
            "grad_output must be a scalar",
        ),
    ],
)
def test_bad_input_is_a_clear_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_wrong_types():
    with pytest.raises(
        TypeError, match="focal_loss: target must be integer class indices"
    ):
        losses.focal_loss(np.zeros((2, 3)), np.array([0.0, 1.0]))
    with pytest.raises(TypeError, match="label_smoothing must be a real"):
        losses.cross_entropy(
            np.zeros((1, 2)), np.array([0]), label_smoothing="0.1"
        )
