"""Receptive fields: the recurrence against a brute-force gradient probe."""

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from cnnbook.receptive_field import Layer, receptive_field


def probe(layers, size=64):
    """Measure the field by backpropagation: which inputs move output 0?"""
    x = torch.zeros(1, 1, size, requires_grad=True)
    y = x
    for layer in layers:
        conv = torch.nn.Conv1d(
            1,
            1,
            layer.kernel_size,
            layer.stride,
            layer.padding,
            layer.dilation,
            bias=False,
        )
        torch.nn.init.constant_(conv.weight, 1.0)
        y = conv(y)
    y[0, 0, 0].backward()
    touched = np.flatnonzero(x.grad[0, 0].numpy())
    return touched


@given(
    st.lists(
        st.tuples(st.integers(1, 4), st.integers(1, 3), st.integers(1, 2)),
        min_size=1,
        max_size=4,
    )
)
def test_recurrence_matches_gradient_probe(spec):
    layers = [Layer(k, s, dilation=d) for k, s, d in spec]
    rf = receptive_field(layers)[-1]
    total = sum(s for _, s, _ in spec) * 40
    touched = probe(layers, size=max(64, total))
    # With unit weights every tap is non-zero, so the first output touches
    # the first rf.size inputs exactly (no padding).
    assert touched[0] == 0 and touched[-1] == rf.size - 1
    assert rf.start == rf.size / 2


def test_encyclopedia_example_three_3x3_convs():
    assert [r.size for r in receptive_field([(3, 1)] * 3)] == [3, 5, 7]


def test_strides_multiply_the_growth():
    # conv 3 s1, pool 2 s2, conv 3 s1: 3, 4, 4 + 2*2 = 8
    sizes = [r.size for r in receptive_field([(3, 1), (2, 2), (3, 1)])]
    assert sizes == [3, 4, 8]
    assert receptive_field([(3, 2), (3, 2)])[-1].jump == 4


def test_dilation_and_padding():
    rf = receptive_field([Layer(3, dilation=2, padding=2)])[0]
    assert rf.size == 5 and rf.start == 0.5  # centered on pixel 0


def test_errors():
    with pytest.raises(ValueError, match="must not be empty"):
        receptive_field([])
    with pytest.raises(TypeError, match=r"layers\[0\] must be a Layer"):
        receptive_field(["3x3"])
    with pytest.raises(ValueError, match="stride must be >= 1"):
        Layer(3, 0)
