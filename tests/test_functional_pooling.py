"""Pooling and its backward passes against torch (autograd), float64."""

import numpy as np
import pytest
import torch.nn.functional as F
from hypothesis import assume, given
from hypothesis import strategies as st
from torch_reference import close, t

from cnnbook.functional import (
    adaptive_avg_pool2d,
    adaptive_avg_pool2d_backward,
    avg_pool2d,
    avg_pool2d_backward,
    max_pool2d,
    max_pool2d_backward,
)


@st.composite
def pool_cases(draw, with_dilation=True):
    kernel = (draw(st.integers(1, 4)), draw(st.integers(1, 4)))
    stride = draw(
        st.one_of(st.none(), st.tuples(st.integers(1, 3), st.integers(1, 3)))
    )
    padding = tuple(draw(st.integers(0, k // 2)) for k in kernel)
    dilation = (
        (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
        if with_dilation
        else (1, 1)
    )
    sizes = []
    for k, p, d in zip(kernel, padding, dilation, strict=True):
        smallest = max(1, d * (k - 1) + 1 - 2 * p)
        sizes.append(draw(st.integers(smallest, smallest + 7)))
    return dict(
        shape=(draw(st.integers(1, 2)), draw(st.integers(1, 3)), *sizes),
        kernel_size=kernel,
        stride=stride,
        padding=padding,
        dilation=dilation,
        ceil_mode=draw(st.booleans()),
        seed=draw(st.integers(0, 2**31 - 1)),
    )


@given(pool_cases())
def test_max_pool2d_matches_torch(case):
    x = np.random.default_rng(case.pop("seed")).normal(size=case.pop("shape"))
    y, idx = max_pool2d(x, return_indices=True, **case)
    ty, tidx = F.max_pool2d(t(x), return_indices=True, **case)
    close(y, ty)
    # A dilated window can fall entirely in the padding: its max is -inf
    # in both libraries and its index meaningless, so skip those.
    real = np.isfinite(y)
    np.testing.assert_array_equal(idx[real], tidx.numpy()[real])


@given(pool_cases(with_dilation=False), st.booleans())
def test_avg_pool2d_matches_torch(case, count_include_pad):
    case.pop("dilation")
    x = np.random.default_rng(case.pop("seed")).normal(size=case.pop("shape"))
    expected = F.avg_pool2d(t(x), count_include_pad=count_include_pad, **case)
    close(avg_pool2d(x, count_include_pad=count_include_pad, **case), expected)


def test_avg_pool2d_divisor_override(rng):
    x = rng.normal(size=(1, 2, 6, 6))
    close(
        avg_pool2d(x, 3, 2, 1, divisor_override=5),
        F.avg_pool2d(t(x), 3, 2, 1, divisor_override=5),
    )


@given(
    st.integers(1, 12),
    st.integers(1, 12),
    st.integers(1, 12),
    st.integers(1, 12),
)
def test_adaptive_avg_pool2d_matches_torch(h, w, ho, wo):
    assume(ho <= h and wo <= w)
    x = np.random.default_rng(h * 100 + w).normal(size=(2, 3, h, w))
    close(
        adaptive_avg_pool2d(x, (ho, wo)), F.adaptive_avg_pool2d(t(x), (ho, wo))
    )


def test_global_average_pooling_is_the_mean(rng):
    x = rng.normal(size=(2, 5, 7, 3))
    close(adaptive_avg_pool2d(x, 1)[..., 0, 0], x.mean(axis=(2, 3)))
    close(
        adaptive_avg_pool2d(x, (None, 1)),
        F.adaptive_avg_pool2d(t(x), (None, 1)),
    )


def test_three_dimensional_input_is_one_unbatched_image(rng):
    x = rng.normal(size=(3, 6, 6))
    close(max_pool2d(x, 2), F.max_pool2d(t(x), 2))
    close(avg_pool2d(x, 3, 1, 1), F.avg_pool2d(t(x), 3, 1, 1))


def test_pooling_errors_name_the_parameter():
    x = np.zeros((1, 1, 4, 4))
    with pytest.raises(ValueError, match="padding=2 must be at most half"):
        max_pool2d(x, 3, padding=2)
    with pytest.raises(ValueError, match="along the height: .*kernel_size=5"):
        max_pool2d(x, 5)
    with pytest.raises(TypeError, match="kernel_size must be an int"):
        avg_pool2d(x, 2.0)
    with pytest.raises(ValueError, match="kernel_size must be >= 1"):
        avg_pool2d(x, 0)
    with pytest.raises(ValueError, match="input must have 3 or 4"):
        max_pool2d(np.zeros(4), 2)
    with pytest.raises(ValueError, match="output_size must be >= 1"):
        adaptive_avg_pool2d(x, 0)


def _autograd(func, x, g, **kw):
    tx = t(x).requires_grad_()
    func(tx, **kw).backward(t(g))
    return tx.grad


@given(pool_cases(), st.booleans())
def test_max_pool2d_backward_matches_autograd(case, ties):
    rng = np.random.default_rng(case.pop("seed"))
    x = rng.normal(size=case.pop("shape"))
    if ties:  # rounded values tie often; the first maximum must win
        x = np.round(x)
    y = max_pool2d(x, **case)
    assume(np.isfinite(y).all())  # no window entirely in the padding
    g = rng.normal(size=y.shape)
    expected = _autograd(F.max_pool2d, x, g, **case)
    close(max_pool2d_backward(g, x, **case), expected)
    _, indices = max_pool2d(x, return_indices=True, **case)
    close(max_pool2d_backward(g, x, indices=indices, **case), expected)


@given(
    pool_cases(with_dilation=False), st.booleans(), st.sampled_from([None, 3])
)
def test_avg_pool2d_backward_matches_autograd(
    case, count_include_pad, divisor_override
):
    case.pop("dilation")
    rng = np.random.default_rng(case.pop("seed"))
    x = rng.normal(size=case.pop("shape"))
    kw = dict(
        case,
        count_include_pad=count_include_pad,
        divisor_override=divisor_override,
    )
    g = rng.normal(size=avg_pool2d(x, **kw).shape)
    close(avg_pool2d_backward(g, x, **kw), _autograd(F.avg_pool2d, x, g, **kw))


@given(
    st.integers(1, 12),
    st.integers(1, 12),
    st.integers(1, 12),
    st.integers(1, 12),
)
def test_adaptive_avg_pool2d_backward_matches_autograd(h, w, ho, wo):
    assume(ho <= h and wo <= w)
    rng = np.random.default_rng(h * 100 + w)
    x = rng.normal(size=(2, 3, h, w))
    g = rng.normal(size=(2, 3, ho, wo))
    close(
        adaptive_avg_pool2d_backward(g, x),
        _autograd(F.adaptive_avg_pool2d, x, g, output_size=(ho, wo)),
    )


def test_global_average_pooling_spreads_the_gradient_evenly(rng):
    x = rng.normal(size=(2, 3, 4, 5))
    g = rng.normal(size=(2, 3, 1, 1))
    close(adaptive_avg_pool2d_backward(g, x), np.broadcast_to(g / 20, x.shape))


def test_max_pool_gradient_goes_to_the_winner_only():
    x = np.array([[[[1.0, 5.0], [3.0, 2.0]]]])
    g = np.array([[[[10.0]]]])
    close(max_pool2d_backward(g, x, 2), [[[[0.0, 10.0], [0.0, 0.0]]]])


def test_pooling_backward_errors():
    x = np.zeros((1, 1, 4, 4))
    with pytest.raises(
        ValueError,
        match=r"grad_output must have the "
        r"output's shape \(1, 1, 2, 2\)",
    ):
        max_pool2d_backward(np.zeros((1, 1, 3, 3)), x, 2)
    with pytest.raises(
        ValueError,
        match=r"^avg_pool2d_backward: "
        r"grad_output must have the output's shape "
        r"\(1, 1, 2, 2\), got \(2, 2\)$",
    ):
        avg_pool2d_backward(np.zeros((2, 2)), x, 2)
    with pytest.raises(ValueError, match="indices must be integers"):
        max_pool2d_backward(
            np.zeros((1, 1, 2, 2)), x, 2, indices=np.zeros((1, 1, 2, 2))
        )
    with pytest.raises(ValueError, match="grad_output must have the"):
        avg_pool2d_backward(np.zeros((1, 1, 3, 3)), x, 2)
    with pytest.raises(ValueError, match="must agree"):
        adaptive_avg_pool2d_backward(np.zeros((1, 2, 1, 1)), x)
