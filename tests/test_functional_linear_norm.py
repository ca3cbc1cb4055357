"""linear and batch_norm against torch, float64."""

import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from hypothesis import given
from hypothesis import strategies as st
from torch_reference import close, t

from cnnbook.functional import batch_norm, linear


@given(st.lists(st.integers(1, 4), min_size=0, max_size=2),
       st.integers(1, 6), st.integers(1, 6), st.booleans(),
       st.integers(0, 2**31 - 1))
def test_linear_matches_torch(batch, n_in, n_out, bias, seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(*batch, n_in))
    w = rng.normal(size=(n_out, n_in))
    b = rng.normal(size=n_out) if bias else None
    close(linear(x, w, b), TF.linear(t(x), t(w), None if b is None
                                     else t(b)))


def test_linear_shape_errors():
    with pytest.raises(ValueError, match="last dimension must equal "
                       r"weight.shape\[1\] = 3"):
        linear(np.zeros((2, 4)), np.zeros((5, 3)))
    with pytest.raises(ValueError, match=r"bias must have shape \(5,\)"):
        linear(np.zeros((2, 3)), np.zeros((5, 3)), np.zeros(4))


@pytest.mark.parametrize("shape", [(8, 3), (4, 3, 5), (2, 3, 4, 5),
                                   (3, 2, 2, 3, 2)])
@pytest.mark.parametrize("affine", [True, False])
@pytest.mark.parametrize("momentum", [0.1, 0.5])
def test_batch_norm_training_matches_torch(rng, shape, affine, momentum):
    x = rng.normal(2.0, 3.0, size=shape)
    c = shape[1]
    mean, var = rng.normal(size=c), rng.uniform(0.5, 2, size=c)
    gamma, beta = (rng.normal(size=c), rng.normal(size=c)) if affine \
        else (None, None)
    t_mean, t_var = t(mean.copy()), t(var.copy())
    expected = TF.batch_norm(t(x), t_mean, t_var,
                             None if gamma is None else t(gamma),
                             None if beta is None else t(beta),
                             training=True, momentum=momentum, eps=1e-5)
    y = batch_norm(x, mean, var, gamma, beta, training=True,
                   momentum=momentum)
    close(y, expected)
    close(mean, t_mean)  # running statistics updated in place, as torch
    close(var, t_var)


def test_batch_norm_inference_uses_running_statistics(rng):
    x = rng.normal(size=(4, 3, 5, 5))
    mean, var = rng.normal(size=3), rng.uniform(0.5, 2, size=3)
    gamma, beta = rng.normal(size=3), rng.normal(size=3)
    expected = TF.batch_norm(t(x), t(mean), t(var), t(gamma), t(beta),
                             training=False)
    close(batch_norm(x, mean, var, gamma, beta), expected)
    # One example alone gives the same output as inside its batch.
    close(batch_norm(x[:1], mean, var, gamma, beta),
          expected[:1].numpy())


def test_batch_norm_matches_the_module_over_several_steps(rng):
    bn = torch.nn.BatchNorm2d(3, dtype=torch.float64)
    mean, var = np.zeros(3), np.ones(3)
    for _ in range(4):
        x = rng.normal(1.0, 2.0, size=(6, 3, 4, 4))
        close(batch_norm(x, mean, var, bn.weight.detach().numpy(),
                         bn.bias.detach().numpy(), training=True),
              bn(t(x)))
    close(mean, bn.running_mean)
    close(var, bn.running_var)


def test_batch_norm_errors():
    x = np.zeros((4, 3))
    with pytest.raises(ValueError, match="running_mean and running_var "
                       "are required"):
        batch_norm(x, None, None)
    with pytest.raises(ValueError, match=r"weight must have shape \(3,\)"):
        batch_norm(x, None, None, weight=np.ones(2), training=True)
    with pytest.raises(TypeError, match="running_mean must be a numpy "
                       "array"):
        batch_norm(x, [0.0] * 3, np.ones(3))
    with pytest.raises(ValueError, match="more than one value per channel"):
        batch_norm(np.zeros((1, 3)), None, None, training=True)
    with pytest.raises(ValueError, match="eps must be > 0"):
        batch_norm(x, np.zeros(3), np.ones(3), eps=0)
    with pytest.raises(ValueError, match="momentum must be <= 1"):
        batch_norm(x, np.zeros(3), np.ones(3), momentum=2)
