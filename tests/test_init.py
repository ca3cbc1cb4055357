"""Initialisers: fans, gains and distributions against torch.nn.init."""

import math

import numpy as np
import pytest
import torch

from cnnbook import init

SHAPES = [(64, 3, 7, 7), (128, 64, 3, 3), (10, 1568), (256, 256, 1, 1)]


@pytest.mark.parametrize("shape", SHAPES)
def test_fans_match_torch(shape):
    expected = torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(shape))
    assert init.calculate_fan_in_and_fan_out(shape) == expected


def test_fan_of_a_3x3_conv_is_arithmetic():
    # 64 input channels x 3 x 3 kernel positions feed every output
    assert init.calculate_fan_in_and_fan_out((128, 64, 3, 3)) == (
        64 * 3 * 3,
        128 * 3 * 3,
    )


@pytest.mark.parametrize(
    "name, param",
    [
        ("linear", None),
        ("conv2d", None),
        ("sigmoid", None),
        ("tanh", None),
        ("relu", None),
        ("leaky_relu", None),
        ("leaky_relu", 0.2),
        ("leaky_relu", math.sqrt(5)),
        ("selu", None),
    ],
)
def test_gains_match_torch(name, param):
    assert init.calculate_gain(name, param) == pytest.approx(
        torch.nn.init.calculate_gain(name, param), rel=1e-15
    )


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("mode", ["fan_in", "fan_out"])
@pytest.mark.parametrize("nonlinearity", ["relu", "leaky_relu", "tanh"])
def test_kaiming_matches_torch_in_distribution(shape, mode, nonlinearity):
    # Different random generators, so compare the distributions: the
    # formula for the standard deviation exactly (through the spread of a
    # large torch sample), and the sample statistics of ours.
    torch.manual_seed(0)
    big = (2000,) + shape[1:]  # many samples, same fan-in
    ours_std = init.kaiming_std(shape, mode=mode, nonlinearity=nonlinearity)
    sample = init.kaiming_normal(
        shape, mode=mode, nonlinearity=nonlinearity, rng=0
    )
    assert sample.shape == shape
    if mode == "fan_in":
        w = torch.nn.init.kaiming_normal_(
            torch.empty(big), mode=mode, nonlinearity=nonlinearity
        )
        assert float(w.std()) == pytest.approx(ours_std, rel=0.01)
    n = sample.size
    assert sample.std() == pytest.approx(ours_std, rel=5 / math.sqrt(n))
    u = init.kaiming_uniform(
        shape, mode=mode, nonlinearity=nonlinearity, rng=1
    )
    bound = math.sqrt(3) * ours_std
    assert np.abs(u).max() <= bound
    tu = torch.nn.init.kaiming_uniform_(
        torch.empty(shape), mode=mode, nonlinearity=nonlinearity
    )
    assert float(tu.abs().max()) <= bound * (1 + 1e-6)
    assert float(tu.abs().max()) > 0.9 * bound


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("gain", [1.0, 5 / 3])
def test_xavier_matches_torch_in_distribution(shape, gain):
    torch.manual_seed(0)
    std = init.xavier_std(shape, gain)
    fan_in, fan_out = init.calculate_fan_in_and_fan_out(shape)
    assert std == pytest.approx(gain * math.sqrt(2 / (fan_in + fan_out)))
    tw = torch.nn.init.xavier_normal_(torch.empty(shape), gain=gain)
    assert float(tw.std()) == pytest.approx(std, rel=5 / math.sqrt(tw.numel()))
    w = init.xavier_normal(shape, gain, rng=2)
    assert w.std() == pytest.approx(std, rel=5 / math.sqrt(w.size))
    bound = gain * math.sqrt(6 / (fan_in + fan_out))
    u = init.xavier_uniform(shape, gain, rng=3)
    tu = torch.nn.init.xavier_uniform_(torch.empty(shape), gain=gain)
    assert np.abs(u).max() <= bound
    assert float(tu.abs().max()) <= bound * (1 + 1e-6)


def test_he_is_variance_two_over_fan_in():
    shape = (256, 100)
    w = init.he_normal(shape, rng=0)
    # Var(w) = 2 / n_in = 0.02, standard deviation sqrt(0.02) = 0.141
    assert init.kaiming_std(shape, nonlinearity="relu") ** 2 == pytest.approx(
        2 / 100
    )
    assert w.var() == pytest.approx(0.02, rel=0.05)
    u = init.he_uniform(shape, rng=0)
    assert np.abs(u).max() <= math.sqrt(6 / 100)
    assert u.var() == pytest.approx(0.02, rel=0.05)


def test_same_seed_same_weights():
    assert np.array_equal(
        init.xavier_uniform((3, 4), rng=5), init.xavier_uniform((3, 4), rng=5)
    )
    assert (
        init.kaiming_normal((3, 4), rng=5, dtype=np.float32).dtype
        == np.float32
    )


def test_errors_name_the_argument():
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        init.calculate_fan_in_and_fan_out((5,))
    with pytest.raises(ValueError, match="mode must be 'fan_in' or"):
        init.kaiming_normal((3, 4), mode="fan_avg")
    with pytest.raises(ValueError, match="unsupported nonlinearity 'gelu'"):
        init.calculate_gain("gelu")
    with pytest.raises(TypeError, match="shape must be a tuple of ints"):
        init.xavier_normal("3x4")
    with pytest.raises(TypeError, match="rng must be a numpy Generator"):
        init.he_normal((3, 4), rng=1.5)
