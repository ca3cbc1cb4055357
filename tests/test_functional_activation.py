"""Activations, their derivatives and backward passes against torch
(autograd), float64."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, arrays
from torch_reference import close, t

import cnnbook.functional as cf

finite = st.floats(-30, 30, allow_nan=False, width=64)
tensors = arrays(
    np.float64,
    array_shapes(min_dims=1, max_dims=4, max_side=5),
    elements=finite,
)

PAIRS = [
    (cf.relu, cf.relu_derivative, torch.relu),
    (cf.sigmoid, cf.sigmoid_derivative, torch.sigmoid),
    (cf.tanh, cf.tanh_derivative, torch.tanh),
    (
        lambda x: cf.leaky_relu(x, 0.1),
        lambda x: cf.leaky_relu_derivative(x, 0.1),
        lambda x: F.leaky_relu(x, 0.1),
    ),
]


@pytest.mark.parametrize("f, df, reference", PAIRS)
@given(x=tensors)
def test_activation_and_derivative_match_autograd(f, df, reference, x):
    xt = t(x).requires_grad_()
    y = reference(xt)
    y.sum().backward()
    close(f(x), y)
    close(df(x), xt.grad)


def test_leaky_relu_default_slope_is_torchs():
    x = np.linspace(-3, 3, 13)
    close(cf.leaky_relu(x), F.leaky_relu(t(x)))


@pytest.mark.parametrize("dim", [0, 1, -1])
@given(x=arrays(np.float64, (3, 4, 2), elements=finite))
def test_softmax_and_log_softmax_match_torch(dim, x):
    close(cf.softmax(x, dim), torch.softmax(t(x), dim))
    close(cf.log_softmax(x, dim), torch.log_softmax(t(x), dim))


def test_softmax_is_stable_for_huge_logits():
    x = np.array([1000.0, 999.0, -1000.0])
    p = cf.softmax(x)
    assert np.isfinite(p).all()
    close(p, torch.softmax(t(x), 0))
    assert np.isfinite(cf.log_softmax(x)).all()


def test_sigmoid_does_not_overflow():
    with np.errstate(over="raise"):
        close(cf.sigmoid(np.array([-800.0, 800.0])), [0.0, 1.0])


def test_softmax_jacobian_matches_autograd(rng):
    x = rng.normal(size=5)
    jac = torch.autograd.functional.jacobian(
        lambda v: torch.softmax(v, 0), t(x)
    )
    close(cf.softmax_jacobian(x), jac)


def test_activation_errors():
    with pytest.raises(ValueError, match="dim=2 is out of range"):
        cf.softmax(np.zeros((2, 2)), dim=2)
    with pytest.raises(TypeError, match="negative_slope must be a real"):
        cf.leaky_relu(np.zeros(2), negative_slope="0.1")
    with pytest.raises(TypeError, match="input must hold real numbers"):
        cf.relu(np.array(["a"]))


BACKWARD = [
    (cf.relu_backward, torch.relu),
    (cf.sigmoid_backward, torch.sigmoid),
    (cf.tanh_backward, torch.tanh),
    (
        lambda g, x: cf.leaky_relu_backward(g, x, 0.2),
        lambda x: F.leaky_relu(x, 0.2),
    ),
]


@pytest.mark.parametrize("backward, reference", BACKWARD)
@given(x=tensors, seed=st.integers(0, 2**31 - 1))
def test_backward_is_chain_rule_of_autograd(backward, reference, x, seed):
    g = np.random.default_rng(seed).normal(size=x.shape)
    xt = t(x).requires_grad_()
    reference(xt).backward(t(g))
    close(backward(g, x), xt.grad)


@pytest.mark.parametrize("dim", [0, 1, -1])
@given(
    x=arrays(np.float64, (3, 4, 2), elements=finite),
    seed=st.integers(0, 2**31 - 1),
)
def test_softmax_and_log_softmax_backward(dim, x, seed):
    g = np.random.default_rng(seed).normal(size=x.shape)
    for ours, reference in (
        (cf.softmax_backward, torch.softmax),
        (cf.log_softmax_backward, torch.log_softmax),
    ):
        xt = t(x).requires_grad_()
        reference(xt, dim).backward(t(g))
        close(ours(g, x, dim), xt.grad)


def test_softmax_backward_is_the_jacobian_product(rng):
    x, g = rng.normal(size=6), rng.normal(size=6)
    close(cf.softmax_backward(g, x), cf.softmax_jacobian(x) @ g)


def test_relu_backward_at_zero_passes_nothing():
    close(
        cf.relu_backward(np.ones(3), np.array([-1.0, 0.0, 1.0])),
        [0.0, 0.0, 1.0],
    )


def test_backward_shape_mismatch():
    with pytest.raises(
        ValueError,
        match=r"grad_output \(2,\) and input "
        r"\(3,\) must have the same shape",
    ):
        cf.relu_backward(np.zeros(2), np.zeros(3))
