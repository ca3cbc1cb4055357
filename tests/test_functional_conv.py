"""conv2d against torch.nn.functional.conv2d, float64."""

import numpy as np
import pytest
import torch.nn.functional as TF
from hypothesis import given
from hypothesis import strategies as st
from torch_reference import close, t

from cnnbook.functional import conv2d


@st.composite
def conv_cases(draw):
    groups = draw(st.integers(1, 3))
    c_in = groups * draw(st.integers(1, 3))
    c_out = groups * draw(st.integers(1, 3))
    kh, kw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    padding = (draw(st.integers(0, 3)), draw(st.integers(0, 3)))
    dilation = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    sizes = []
    for k, p, d in zip((kh, kw), padding, dilation, strict=True):
        smallest = max(1, d * (k - 1) + 1 - 2 * p)
        sizes.append(draw(st.integers(smallest, smallest + 8)))
    n = draw(st.integers(1, 3))
    seed = draw(st.integers(0, 2**31 - 1))
    bias = draw(st.booleans())
    return dict(shape=(n, c_in, *sizes), wshape=(c_out, c_in // groups, kh,
                kw), stride=stride, padding=padding, dilation=dilation,
                groups=groups, seed=seed, bias=bias)


@given(conv_cases())
def test_conv2d_matches_torch(case):
    rng = np.random.default_rng(case["seed"])
    x = rng.normal(size=case["shape"])
    w = rng.normal(size=case["wshape"])
    b = rng.normal(size=case["wshape"][0]) if case["bias"] else None
    kw = {k: case[k] for k in ("stride", "padding", "dilation", "groups")}
    expected = TF.conv2d(t(x), t(w), None if b is None else t(b), **kw)
    close(conv2d(x, w, b, **kw), expected)


@pytest.mark.parametrize("kernel", [(1, 1), (2, 2), (3, 3), (2, 5), (4, 1)])
@pytest.mark.parametrize("dilation", [1, 2])
def test_padding_strings_match_torch(rng, kernel, dilation):
    x = rng.normal(size=(2, 4, 9, 10))
    w = rng.normal(size=(6, 2, *kernel))
    for padding in ("same", "valid"):
        expected = TF.conv2d(t(x), t(w), padding=padding, groups=2,
                             dilation=dilation)
        close(conv2d(x, w, padding=padding, groups=2, dilation=dilation),
              expected)


def test_depthwise_is_groups_equal_channels(rng):
    x = rng.normal(size=(1, 5, 7, 7))
    w = rng.normal(size=(5, 1, 3, 3))
    y = conv2d(x, w, padding=1, groups=5)
    # Each channel convolved with its own kernel, independently.
    for c in range(5):
        close(y[:, c:c + 1], conv2d(x[:, c:c + 1], w[c:c + 1], padding=1))


def test_float32_stays_float32(rng):
    x = rng.normal(size=(1, 2, 5, 5)).astype(np.float32)
    w = rng.normal(size=(3, 2, 3, 3)).astype(np.float32)
    assert conv2d(x, w).dtype == np.float32


def test_integer_input_computes_exactly():
    x = np.arange(16).reshape(1, 1, 4, 4)
    w = np.ones((1, 1, 2, 2), dtype=int)
    y = conv2d(x, w)
    assert y.dtype == np.float64
    assert y[0, 0, 0, 0] == 0 + 1 + 4 + 5


@pytest.mark.parametrize(
    "kwargs, exception, message",
    [
        (dict(stride=0), ValueError, "stride must be >= 1"),
        (dict(stride=1.5), TypeError, "stride must be an int"),
        (dict(padding=-1), ValueError, "padding must be >= 0"),
        (dict(padding="full"), ValueError, "'valid' or 'same'"),
        (dict(padding="same", stride=2), ValueError, "needs stride=1"),
        (dict(dilation=(1, 2, 3)), ValueError, "dilation must be an int"),
        (dict(groups=3), ValueError, "divisible by groups=3"),
        (dict(bias=np.zeros(3)), ValueError, "bias must have shape (4,)"),
    ],
)
def test_bad_arguments_name_the_parameter(kwargs, exception, message):
    x = np.zeros((1, 3, 5, 5))
    w = np.zeros((4, 3, 3, 3))
    with pytest.raises(exception, match=message.replace("(", r"\(")
                       .replace(")", r"\)")):
        conv2d(x, w, **kwargs)


def test_kernel_larger_than_padded_input_is_a_clear_error():
    x = np.zeros((1, 1, 4, 4))
    w = np.zeros((1, 1, 7, 3))
    with pytest.raises(ValueError, match="kernel height 7 .* larger than the"
                       " padded input height 6"):
        conv2d(x, w, padding=1)


def test_wrong_types_and_ranks():
    with pytest.raises(TypeError, match="input must be a numpy array"):
        conv2d("image", np.zeros((1, 1, 1, 1)))
    with pytest.raises(ValueError, match="input must have 4 dimensions"):
        conv2d(np.zeros((5, 5)), np.zeros((1, 1, 3, 3)))
    with pytest.raises(TypeError, match="weight must hold real numbers"):
        conv2d(np.zeros((1, 1, 5, 5)), np.zeros((1, 1, 3, 3), dtype=bool))
    with pytest.raises(ValueError, match="input has 2 channels but weight "
                       "expects 3"):
        conv2d(np.zeros((1, 2, 5, 5)), np.zeros((1, 3, 3, 3)))
