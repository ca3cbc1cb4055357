"""linear and batch_norm, and their backward passes, against torch
(autograd), float64."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st
from torch_reference import close, t

from cnnbook.functional import (
    batch_norm,
    batch_norm_backward,
    linear,
    linear_backward,
)


@given(
    st.lists(st.integers(1, 4), min_size=0, max_size=2),
    st.integers(1, 6),
    st.integers(1, 6),
    st.booleans(),
    st.integers(0, 2**31 - 1),
)
def test_linear_matches_torch(batch, n_in, n_out, bias, seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(*batch, n_in))
    w = rng.normal(size=(n_out, n_in))
    b = rng.normal(size=n_out) if bias else None
    close(linear(x, w, b), F.linear(t(x), t(w), None if b is None else t(b)))


def test_linear_shape_errors():
    with pytest.raises(
        ValueError,
        match="last dimension must equal "
        r"weight.shape\[1\] = 3",
    ):
        linear(np.zeros((2, 4)), np.zeros((5, 3)))
    with pytest.raises(ValueError, match=r"bias must have shape \(5,\)"):
        linear(np.zeros((2, 3)), np.zeros((5, 3)), np.zeros(4))


@pytest.mark.parametrize(
    "shape", [(8, 3), (4, 3, 5), (2, 3, 4, 5), (3, 2, 2, 3, 2)]
)
@pytest.mark.parametrize("affine", [True, False])
@pytest.mark.parametrize("momentum", [0.1, 0.5])
def test_batch_norm_training_matches_torch(rng, shape, affine, momentum):
    x = rng.normal(2.0, 3.0, size=shape)
    c = shape[1]
    mean, var = rng.normal(size=c), rng.uniform(0.5, 2, size=c)
    gamma, beta = (
        (rng.normal(size=c), rng.normal(size=c)) if affine else (None, None)
    )
    t_mean, t_var = t(mean.copy()), t(var.copy())
    expected = F.batch_norm(
        t(x),
        t_mean,
        t_var,
        None if gamma is None else t(gamma),
        None if beta is None else t(beta),
        training=True,
        momentum=momentum,
        eps=1e-5,
    )
    y = batch_norm(x, mean, var, gamma, beta, training=True, momentum=momentum)
    close(y, expected)
    close(mean, t_mean)  # running statistics updated in place, as torch
    close(var, t_var)


def test_batch_norm_inference_uses_running_statistics(rng):
    x = rng.normal(size=(4, 3, 5, 5))
    mean, var = rng.normal(size=3), rng.uniform(0.5, 2, size=3)
    gamma, beta = rng.normal(size=3), rng.normal(size=3)
    expected = F.batch_norm(
        t(x), t(mean), t(var), t(gamma), t(beta), training=False
    )
    close(batch_norm(x, mean, var, gamma, beta), expected)
    # One example alone gives the same output as inside its batch.
    close(batch_norm(x[:1], mean, var, gamma, beta), expected[:1].numpy())


def test_batch_norm_matches_the_module_over_several_steps(rng):
    bn = torch.nn.BatchNorm2d(3, dtype=torch.float64)
    mean, var = np.zeros(3), np.ones(3)
    for _ in range(4):
        x = rng.normal(1.0, 2.0, size=(6, 3, 4, 4))
        close(
            batch_norm(
                x,
                mean,
                var,
                bn.weight.detach().numpy(),
                bn.bias.detach().numpy(),
                training=True,
            ),
            bn(t(x)),
        )
    close(mean, bn.running_mean)
    close(var, bn.running_var)


def test_batch_norm_errors():
    x = np.zeros((4, 3))
    with pytest.raises(
        ValueError, match="running_mean and running_var are required"
    ):
        batch_norm(x, None, None)
    with pytest.raises(ValueError, match=r"weight must have shape \(3,\)"):
        batch_norm(x, None, None, weight=np.ones(2), training=True)
    with pytest.raises(TypeError, match="running_mean must be a numpy array"):
        batch_norm(x, [0.0] * 3, np.ones(3))
    with pytest.raises(ValueError, match="more than one value per channel"):
        batch_norm(np.zeros((1, 3)), None, None, training=True)
    with pytest.raises(ValueError, match="eps must be > 0"):
        batch_norm(x, np.zeros(3), np.ones(3), eps=0)
    with pytest.raises(ValueError, match="momentum must be <= 1"):
        batch_norm(x, np.zeros(3), np.ones(3), momentum=2)


@given(
    st.lists(st.integers(1, 4), min_size=0, max_size=2),
    st.integers(1, 6),
    st.integers(1, 6),
    st.integers(0, 2**31 - 1),
)
def test_linear_backward_matches_autograd(batch, n_in, n_out, seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(*batch, n_in))
    w = rng.normal(size=(n_out, n_in))
    b = rng.normal(size=n_out)
    g = rng.normal(size=(*batch, n_out))
    tx, tw, tb = (t(a).requires_grad_() for a in (x, w, b))
    F.linear(tx, tw, tb).backward(t(g))
    for ours, theirs in zip(
        linear_backward(g, x, w), (tx.grad, tw.grad, tb.grad), strict=True
    ):
        close(ours, theirs)


@pytest.mark.parametrize("shape", [(8, 3), (4, 3, 5), (2, 3, 4, 5)])
@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("affine", [True, False])
def test_batch_norm_backward_matches_autograd(rng, shape, training, affine):
    x = rng.normal(1.0, 2.0, size=shape)
    c = shape[1]
    mean, var = rng.normal(size=c), rng.uniform(0.5, 2, size=c)
    gamma = rng.normal(size=c) if affine else None
    beta = rng.normal(size=c) if affine else None
    g = rng.normal(size=shape)
    tx = t(x).requires_grad_()
    tg = None if gamma is None else t(gamma).requires_grad_()
    tb = None if beta is None else t(beta).requires_grad_()
    F.batch_norm(
        tx, t(mean.copy()), t(var.copy()), tg, tb, training=training, eps=1e-5
    ).backward(t(g))
    grad_x, grad_w, grad_b = batch_norm_backward(
        g, x, gamma, mean, var, training=training
    )
    close(grad_x, tx.grad, rtol=1e-9, atol=1e-11)
    if affine:
        close(grad_w, tg.grad, rtol=1e-9, atol=1e-11)
        close(grad_b, tb.grad, rtol=1e-9, atol=1e-11)


def test_batch_norm_training_gradient_sums_to_zero(rng):
    # The output is invariant to shifting a channel's inputs, so the
    # input gradient of each channel sums to zero.
    x = rng.normal(size=(6, 4, 3, 3))
    grad_x, _, _ = batch_norm_backward(
        rng.normal(size=x.shape), x, rng.normal(size=4)
    )
    close(grad_x.sum(axis=(0, 2, 3)), np.zeros(4), atol=1e-12)


def test_backward_errors():
    with pytest.raises(ValueError, match="same leading shape"):
        linear_backward(np.zeros((2, 5)), np.zeros((3, 4)), np.zeros((5, 4)))
    with pytest.raises(ValueError, match="running_mean and running_var"):
        batch_norm_backward(np.zeros((2, 3)), np.zeros((2, 3)), training=False)
    with pytest.raises(
        ValueError, match="grad_output must have the input's shape"
    ):
        batch_norm_backward(np.zeros((2, 4)), np.zeros((2, 3)))
