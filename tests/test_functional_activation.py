"""Activations and their derivatives against torch (autograd), float64."""

import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, arrays
from torch_reference import close, t

from cnnbook import functional as F

finite = st.floats(-30, 30, allow_nan=False, width=64)
tensors = arrays(np.float64, array_shapes(min_dims=1, max_dims=4,
                                          max_side=5), elements=finite)

PAIRS = [
    (F.relu, F.relu_derivative, torch.relu),
    (F.sigmoid, F.sigmoid_derivative, torch.sigmoid),
    (F.tanh, F.tanh_derivative, torch.tanh),
    (lambda x: F.leaky_relu(x, 0.1),
     lambda x: F.leaky_relu_derivative(x, 0.1),
     lambda x: TF.leaky_relu(x, 0.1)),
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
    close(F.leaky_relu(x), TF.leaky_relu(t(x)))


@pytest.mark.parametrize("dim", [0, 1, -1])
@given(x=arrays(np.float64, (3, 4, 2), elements=finite))
def test_softmax_and_log_softmax_match_torch(dim, x):
    close(F.softmax(x, dim), torch.softmax(t(x), dim))
    close(F.log_softmax(x, dim), torch.log_softmax(t(x), dim))


def test_softmax_is_stable_for_huge_logits():
    x = np.array([1000.0, 999.0, -1000.0])
    p = F.softmax(x)
    assert np.isfinite(p).all()
    close(p, torch.softmax(t(x), 0))
    assert np.isfinite(F.log_softmax(x)).all()


def test_sigmoid_does_not_overflow():
    with np.errstate(over="raise"):
        close(F.sigmoid(np.array([-800.0, 800.0])), [0.0, 1.0])


def test_softmax_jacobian_matches_autograd(rng):
    x = rng.normal(size=5)
    jac = torch.autograd.functional.jacobian(lambda v: torch.softmax(v, 0),
                                             t(x))
    close(F.softmax_jacobian(x), jac)


def test_activation_errors():
    with pytest.raises(ValueError, match="dim=2 is out of range"):
        F.softmax(np.zeros((2, 2)), dim=2)
    with pytest.raises(TypeError, match="negative_slope must be a real"):
        F.leaky_relu(np.zeros(2), negative_slope="0.1")
    with pytest.raises(TypeError, match="input must hold real numbers"):
        F.relu(np.array(["a"]))
