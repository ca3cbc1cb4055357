"""Central-difference gradient checking."""

import numpy as np
import pytest

import cnnbook.functional as cf
from cnnbook import losses
from cnnbook.gradcheck import gradcheck, numerical_gradient


def test_central_difference_of_a_polynomial_is_exact_to_rounding():
    # f(x) = sum x^3, f' = 3 x^2; the central difference of a cubic has
    # error h^2 * f'''/6 = h^2 exactly
    x = np.array([0.5, -1.0, 2.0])
    grad = numerical_gradient(lambda v: np.sum(v**3), x, eps=1e-3)
    np.testing.assert_allclose(grad, 3 * x**2 + 1e-6, rtol=1e-9)


def test_input_is_left_unchanged():
    x = np.array([1.0, 2.0])
    numerical_gradient(lambda v: float(v @ v), x)
    assert np.array_equal(x, [1.0, 2.0])


def test_conv2d_backward_passes_the_check(rng):
    x = rng.normal(size=(1, 2, 5, 5))
    w = rng.normal(size=(3, 2, 3, 3))
    g = rng.normal(size=(1, 3, 2, 2))

    def loss_of_x(v):
        return float(np.sum(cf.conv2d(v, w, stride=2) * g))

    def loss_of_w(v):
        return float(np.sum(cf.conv2d(x, v, stride=2) * g))

    grad_x, grad_w, _ = cf.conv2d_backward(g, x, w, stride=2)
    assert gradcheck(loss_of_x, x, grad_x).ok
    assert gradcheck(loss_of_w, w, grad_w).max_rel_error < 1e-7


def test_a_wrong_gradient_fails(rng):
    z = rng.normal(size=(3, 4))
    y = np.array([0, 3, 1])
    right = losses.cross_entropy_backward(1.0, z, y)

    def loss(v):
        return float(losses.cross_entropy(v, y))

    assert gradcheck(loss, z, right).ok
    wrong = right.copy()
    wrong[0, 0] *= -1  # one sign flipped
    result = gradcheck(loss, z, wrong, raise_exception=False)
    assert not result.ok and result.max_rel_error > 0.5
    assert "FAILS" in str(result)
    with pytest.raises(AssertionError, match="gradient check FAILS"):
        gradcheck(loss, z, wrong)


def test_errors():
    with pytest.raises(TypeError, match="input must be float64"):
        numerical_gradient(np.sum, np.ones(3, np.float32))
    with pytest.raises(ValueError, match="eps must be > 0"):
        numerical_gradient(np.sum, np.ones(3), eps=0)
    with pytest.raises(ValueError, match="analytic gradient"):
        gradcheck(np.sum, np.ones(3), np.ones(4))
