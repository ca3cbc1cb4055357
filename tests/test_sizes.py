"""Size formulas: against the layers themselves and PyTorch."""

import pytest
import torch
import torch.nn as nn
from hypothesis import given
from hypothesis import strategies as st

from cnnbook import sizes


@given(
    st.integers(1, 40),
    st.integers(1, 7),
    st.integers(1, 4),
    st.integers(0, 3),
    st.integers(1, 3),
)
def test_conv_output_size_matches_a_real_conv(n, k, s, p, d):
    span = d * (k - 1) + 1
    if span > n + 2 * p:
        with pytest.raises(ValueError, match="output would be empty"):
            sizes.conv_output_size(n, k, s, p, d)
        return
    conv = nn.Conv2d(1, 1, k, stride=s, padding=p, dilation=d)
    expected = conv(torch.zeros(1, 1, n, n)).shape[-1]
    assert sizes.conv_output_size(n, k, s, p, d) == expected


@given(
    st.integers(1, 30),
    st.integers(1, 6),
    st.integers(1, 4),
    st.integers(0, 3),
    st.booleans(),
)
def test_pool_output_size_matches_max_pool(n, k, s, p, ceil_mode):
    if 2 * p > k or k > n + 2 * p:
        return
    pool = nn.MaxPool2d(k, s, p, ceil_mode=ceil_mode)
    expected = pool(torch.zeros(1, 1, n, n)).shape[-1]
    assert sizes.pool_output_size(n, k, s, p, 1, ceil_mode) == expected


@given(
    st.integers(1, 4),
    st.integers(1, 4),
    st.integers(1, 5),
    st.integers(1, 5),
    st.booleans(),
)
def test_conv2d_parameters_matches_a_real_conv(g, cin, cout, k, bias):
    conv = nn.Conv2d(g * cin, g * cout, k, groups=g, bias=bias)
    expected = sum(p.numel() for p in conv.parameters())
    assert sizes.conv2d_parameters(g * cin, g * cout, k, bias, g) == expected


def test_linear_and_batch_norm_parameters():
    assert sizes.linear_parameters(1024, 512) == sum(
        p.numel() for p in nn.Linear(1024, 512).parameters()
    )
    assert sizes.batch_norm_parameters(64) == sum(
        p.numel() for p in nn.BatchNorm2d(64).parameters()
    )
    assert sizes.linear_parameters(3, 2, bias=False) == 6


def test_conv2d_output_shape():
    assert sizes.conv2d_output_shape((8, 3, 224, 224), 64, 7, 2, 3) == (
        8,
        64,
        112,
        112,
    )
    assert sizes.conv2d_output_shape((1, 3, 32, 31), 6, (5, 4)) == (
        1,
        6,
        28,
        28,
    )


def test_size_errors_name_the_parameter():
    with pytest.raises(ValueError, match="stride must be >= 1"):
        sizes.conv_output_size(32, 3, 0)
    with pytest.raises(TypeError, match="size must be an int"):
        sizes.conv_output_size(32.0, 3)
    with pytest.raises(ValueError, match="in_channels=3 must be divisible"):
        sizes.conv2d_parameters(3, 4, 3, groups=2)
    with pytest.raises(ValueError, match=r"input_shape must be \(N, C, H"):
        sizes.conv2d_output_shape((3, 32, 32), 8, 3)
    with pytest.raises(ValueError, match="padding=2 must be at most half"):
        sizes.pool_output_size(8, 3, padding=2)
