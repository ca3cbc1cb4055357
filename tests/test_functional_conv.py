"""conv2d, its backward pass, the loop reference and the transposed
convolution against torch (float64, autograd) and scipy.signal."""

import numpy as np
import pytest
import scipy.signal
import torch.nn.functional as F
from hypothesis import assume, given
from hypothesis import strategies as st
from torch_reference import close, t

from cnnbook.functional import (
    _conv_fast,
    _conv_geometry,
    conv2d,
    conv2d_backward,
    conv2d_backward_reference,
    conv2d_reference,
    conv_transpose2d,
    conv_transpose2d_backward,
    convolve2d,
    correlate2d,
)


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
    return dict(
        shape=(n, c_in, *sizes),
        wshape=(c_out, c_in // groups, kh, kw),
        stride=stride,
        padding=padding,
        dilation=dilation,
        groups=groups,
        seed=seed,
        bias=bias,
    )


@given(conv_cases())
def test_conv2d_matches_torch(case):
    rng = np.random.default_rng(case["seed"])
    x = rng.normal(size=case["shape"])
    w = rng.normal(size=case["wshape"])
    b = rng.normal(size=case["wshape"][0]) if case["bias"] else None
    kw = {k: case[k] for k in ("stride", "padding", "dilation", "groups")}
    expected = F.conv2d(t(x), t(w), None if b is None else t(b), **kw)
    close(conv2d(x, w, b, **kw), expected)


@pytest.mark.parametrize("kernel", [(1, 1), (2, 2), (3, 3), (2, 5), (4, 1)])
@pytest.mark.parametrize("dilation", [1, 2])
def test_padding_strings_match_torch(rng, kernel, dilation):
    x = rng.normal(size=(2, 4, 9, 10))
    w = rng.normal(size=(6, 2, *kernel))
    for padding in ("same", "valid"):
        expected = F.conv2d(
            t(x), t(w), padding=padding, groups=2, dilation=dilation
        )
        close(
            conv2d(x, w, padding=padding, groups=2, dilation=dilation),
            expected,
        )


def test_depthwise_is_groups_equal_channels(rng):
    x = rng.normal(size=(1, 5, 7, 7))
    w = rng.normal(size=(5, 1, 3, 3))
    y = conv2d(x, w, padding=1, groups=5)
    # Each channel convolved with its own kernel, independently.
    for c in range(5):
        close(
            y[:, c : c + 1], conv2d(x[:, c : c + 1], w[c : c + 1], padding=1)
        )


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
    with pytest.raises(
        exception, match=message.replace("(", r"\(").replace(")", r"\)")
    ):
        conv2d(x, w, **kwargs)


def test_kernel_larger_than_padded_input_is_a_clear_error():
    x = np.zeros((1, 1, 4, 4))
    w = np.zeros((1, 1, 7, 3))
    with pytest.raises(
        ValueError,
        match="kernel height 7 .* larger than the padded input height 6",
    ):
        conv2d(x, w, padding=1)


def test_wrong_types_and_ranks():
    with pytest.raises(TypeError, match="input must be a numpy array"):
        conv2d("image", np.zeros((1, 1, 1, 1)))
    with pytest.raises(ValueError, match="input must have 4 dimensions"):
        conv2d(np.zeros((5, 5)), np.zeros((1, 1, 3, 3)))
    with pytest.raises(TypeError, match="weight must hold real numbers"):
        conv2d(np.zeros((1, 1, 5, 5)), np.zeros((1, 1, 3, 3), dtype=bool))
    with pytest.raises(
        ValueError, match="input has 2 channels but weight expects 3"
    ):
        conv2d(np.zeros((1, 2, 5, 5)), np.zeros((1, 3, 3, 3)))


# ---------------------------------------------------------------------------
# Backward passes, the loop reference, transposed convolution, 2-D
# correlation and convolution.


def _autograd_conv(x, w, b, g, **kw):
    tx, tw = t(x).requires_grad_(), t(w).requires_grad_()
    tb = t(b).requires_grad_()
    F.conv2d(tx, tw, tb, **kw).backward(t(g))
    return tx.grad, tw.grad, tb.grad


@given(conv_cases())
def test_conv2d_backward_matches_autograd(case):
    rng = np.random.default_rng(case["seed"])
    x = rng.normal(size=case["shape"])
    w = rng.normal(size=case["wshape"])
    b = rng.normal(size=case["wshape"][0])
    kw = {k: case[k] for k in ("stride", "padding", "dilation", "groups")}
    g = rng.normal(size=conv2d(x, w, **kw).shape)
    expected = _autograd_conv(x, w, b, g, **kw)
    for ours, theirs in zip(
        conv2d_backward(g, x, w, **kw), expected, strict=True
    ):
        close(ours, theirs)


@given(conv_cases())
def test_loop_reference_is_the_same_formula(case):
    rng = np.random.default_rng(case["seed"])
    x = rng.normal(size=case["shape"])
    w = rng.normal(size=case["wshape"])
    b = rng.normal(size=case["wshape"][0]) if case["bias"] else None
    kw = {k: case[k] for k in ("stride", "padding", "dilation", "groups")}
    y = conv2d(x, w, b, **kw)
    close(conv2d_reference(x, w, b, **kw), y)
    g = rng.normal(size=y.shape)
    for ours, fast in zip(
        conv2d_backward_reference(g, x, w, **kw),
        conv2d_backward(g, x, w, **kw),
        strict=True,
    ):
        close(ours, fast)


@pytest.mark.parametrize("tile_elements", [7, 100, 1000])
def test_every_tiling_gives_the_same_result(rng, monkeypatch, tile_elements):
    # Tiny tiles force bands of rows within an image and groups of
    # images; both paths must agree with torch.
    monkeypatch.setattr(_conv_fast, "_TILE_ELEMENTS", tile_elements)
    x = rng.normal(size=(5, 4, 9, 8))
    w = rng.normal(size=(6, 2, 3, 2))
    b = rng.normal(size=6)
    for kw in (
        dict(padding=1, groups=2),
        dict(stride=2, padding=(2, 1), dilation=(1, 2), groups=2),
    ):
        y = conv2d(x, w, b, **kw)
        close(y, F.conv2d(t(x), t(w), t(b), **kw))
        g = rng.normal(size=y.shape)
        for ours, theirs in zip(
            conv2d_backward(g, x, w, **kw),
            _autograd_conv(x, w, b, g, **kw),
            strict=True,
        ):
            close(ours, theirs)


@pytest.mark.parametrize("padding", ["same", "valid"])
def test_backward_with_padding_strings(rng, padding):
    x = rng.normal(size=(2, 3, 7, 6))
    w = rng.normal(size=(4, 3, 4, 2))
    b = rng.normal(size=4)
    g = rng.normal(size=conv2d(x, w, padding=padding).shape)
    for ours, theirs in zip(
        conv2d_backward(g, x, w, padding=padding),
        _autograd_conv(x, w, b, g, padding=padding),
        strict=True,
    ):
        close(ours, theirs)


def test_input_gradient_is_full_correlation_with_rot180_kernel(rng):
    # dL/dx = delta (full) correlated with the kernel rotated by 180
    # degrees, in/out channels swapped: for one channel, plain numpy.
    x = rng.normal(size=(1, 1, 6, 7))
    w = rng.normal(size=(1, 1, 3, 2))
    delta = rng.normal(size=conv2d(x, w).shape)
    grad_x, _, _ = conv2d_backward(delta, x, w)
    rot = w[0, 0, ::-1, ::-1]
    close(grad_x[0, 0], correlate2d(delta[0, 0], rot, mode="full"))
    # ... which is the true convolution of delta with the kernel itself
    close(grad_x[0, 0], convolve2d(delta[0, 0], w[0, 0], mode="full"))
    # and the weight gradient is the input correlated with delta
    _, grad_w, _ = conv2d_backward(delta, x, w)
    close(grad_w[0, 0], correlate2d(x[0, 0], delta[0, 0]))


def test_skipping_the_input_gradient(rng):
    x = rng.normal(size=(2, 3, 5, 5))
    w = rng.normal(size=(4, 3, 3, 3))
    g = rng.normal(size=(2, 4, 3, 3))
    full = conv2d_backward(g, x, w)
    partial_ = conv2d_backward(g, x, w, input_grad=False)
    assert partial_[0] is None
    close(partial_[1], full[1])
    close(partial_[2], full[2])


def test_backward_keeps_float32(rng):
    x = rng.normal(size=(2, 3, 6, 6)).astype(np.float32)
    w = rng.normal(size=(4, 3, 3, 3)).astype(np.float32)
    g = np.ones((2, 4, 3, 3), np.float32)
    for grad in conv2d_backward(g, x, w, stride=2, padding=1):
        assert grad.dtype == np.float32


def test_backward_checks_grad_output_shape():
    with pytest.raises(
        ValueError,
        match=r"grad_output must have the "
        r"output's shape \(1, 4, 3, 3\)",
    ):
        conv2d_backward(
            np.zeros((1, 4, 4, 4)),
            np.zeros((1, 3, 5, 5)),
            np.zeros((4, 3, 3, 3)),
        )
    # transposed: (1, 4, 3, 3) -> (1, 2, 5, 5) with a (4, 2, 3, 3) weight
    with pytest.raises(
        ValueError,
        match=r"^conv_transpose2d_backward: "
        r"grad_output must have the output's shape "
        r"\(1, 2, 5, 5\), got \(1, 2, 4, 4\)$",
    ):
        conv_transpose2d_backward(
            np.zeros((1, 2, 4, 4)),
            np.zeros((1, 4, 3, 3)),
            np.zeros((4, 2, 3, 3)),
        )


@st.composite
def transpose_cases(draw):
    groups = draw(st.integers(1, 2))
    c_in = groups * draw(st.integers(1, 3))
    c_out = groups * draw(st.integers(1, 3))
    k = (draw(st.integers(1, 4)), draw(st.integers(1, 4)))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    dilation = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    padding = (draw(st.integers(0, 2)), draw(st.integers(0, 2)))
    output_padding = tuple(
        draw(st.integers(0, max(s, d) - 1))
        for s, d in zip(stride, dilation, strict=True)
    )
    size = tuple(draw(st.integers(1, 6)) for _ in range(2))
    for n, s, p, kk, d, op in zip(
        size, stride, padding, k, dilation, output_padding, strict=True
    ):
        assume((n - 1) * s - 2 * p + d * (kk - 1) + op + 1 >= 1)
    return dict(
        shape=(draw(st.integers(1, 2)), c_in, *size),
        wshape=(c_in, c_out // groups, *k),
        kw=dict(
            stride=stride,
            padding=padding,
            output_padding=output_padding,
            groups=groups,
            dilation=dilation,
        ),
        seed=draw(st.integers(0, 2**31 - 1)),
    )


@given(transpose_cases())
def test_conv_transpose2d_matches_torch_forward_and_backward(case):
    rng = np.random.default_rng(case["seed"])
    x = rng.normal(size=case["shape"])
    w = rng.normal(size=case["wshape"])
    b = rng.normal(size=case["wshape"][1] * case["kw"]["groups"])
    tx, tw = t(x).requires_grad_(), t(w).requires_grad_()
    tb = t(b).requires_grad_()
    ty = F.conv_transpose2d(tx, tw, tb, **case["kw"])
    y = conv_transpose2d(x, w, b, **case["kw"])
    close(y, ty)
    g = rng.normal(size=y.shape)
    ty.backward(t(g))
    for ours, theirs in zip(
        conv_transpose2d_backward(g, x, w, **case["kw"]),
        (tx.grad, tw.grad, tb.grad),
        strict=True,
    ):
        close(ours, theirs)


def test_conv_transpose2d_is_the_input_gradient(rng):
    x = rng.normal(size=(2, 4, 9, 9))
    w = rng.normal(size=(6, 2, 3, 3))
    kw = dict(stride=2, padding=1, groups=2)
    g = rng.normal(size=conv2d(x, w, **kw).shape)
    grad_x, _, _ = conv2d_backward(g, x, w, **kw)
    close(conv_transpose2d(g, w, **kw), grad_x)


def test_conv_transpose2d_errors():
    x = np.zeros((1, 4, 3, 3))
    with pytest.raises(
        ValueError,
        match=r"input has 4 channels but "
        r"weight.shape\[0\] = 3",
    ):
        conv_transpose2d(x, np.zeros((3, 2, 3, 3)))
    with pytest.raises(ValueError, match="output_padding along the height"):
        conv_transpose2d(x, np.zeros((4, 2, 3, 3)), stride=2, output_padding=2)
    with pytest.raises(ValueError, match="output height would be -3"):
        conv_transpose2d(x, np.zeros((4, 2, 1, 1)), padding=3)


@pytest.mark.parametrize("mode", ["valid", "full"])
@pytest.mark.parametrize("ksize", [(1, 1), (2, 3), (3, 3), (4, 2)])
def test_correlate_and_convolve_match_scipy(rng, mode, ksize):
    image = rng.normal(size=(6, 7))
    kernel = rng.normal(size=ksize)
    close(
        correlate2d(image, kernel, mode),
        scipy.signal.correlate2d(image, kernel, mode),
    )
    close(
        convolve2d(image, kernel, mode),
        scipy.signal.convolve2d(image, kernel, mode),
    )


def test_convolution_flips_the_kernel_and_commutes(rng):
    image, kernel = rng.normal(size=(5, 5)), rng.normal(size=(3, 3))
    close(convolve2d(image, kernel), correlate2d(image, kernel[::-1, ::-1]))
    close(convolve2d(image, kernel, "full"), convolve2d(kernel, image, "full"))
    # correlation does not commute: it flips the result instead
    close(
        correlate2d(kernel, image, "full"),
        correlate2d(image, kernel, "full")[::-1, ::-1],
    )
    symmetric = np.array([[1.0, 2, 1], [0, 5, 0], [1, 2, 1]])
    close(convolve2d(image, symmetric), correlate2d(image, symmetric))


def test_correlate2d_errors():
    with pytest.raises(ValueError, match="mode must be 'valid' or 'full'"):
        correlate2d(np.zeros((3, 3)), np.zeros((2, 2)), mode="same")
    with pytest.raises(ValueError, match=r"kernel \(4, 4\) must fit"):
        convolve2d(np.zeros((3, 3)), np.zeros((4, 4)))
    with pytest.raises(ValueError, match="image must have 2 dimensions"):
        correlate2d(np.zeros((1, 3, 3)), np.zeros((2, 2)))


def test_pointwise_convolution_is_a_matrix_product(rng):
    x = rng.normal(size=(2, 6, 4, 5))
    w = rng.normal(size=(3, 6, 1, 1))
    close(conv2d(x, w), np.einsum("oc,nchw->nohw", w[:, :, 0, 0], x))
    g = rng.normal(size=(2, 3, 4, 5))
    b = rng.normal(size=3)
    for ours, theirs in zip(
        conv2d_backward(g, x, w), _autograd_conv(x, w, b, g), strict=True
    ):
        close(ours, theirs)


@pytest.mark.parametrize("block_elements", [1 << 22, 50, 3000])
@given(
    n=st.integers(1, 3),
    c_in=st.integers(1, 5),
    c_out=st.integers(1, 5),
    h=st.integers(1, 11),
    w=st.integers(1, 11),
    padding=st.tuples(st.integers(0, 2), st.integers(0, 2)),
    seed=st.integers(0, 2**31 - 1),
)
def test_winograd_path_matches_torch(
    block_elements, n, c_in, c_out, h, w, padding, seed
):
    # Force the Winograd F(2x2, 3x3) path (normally for >= 128 channels),
    # and small blocks so that images and tile rows are split.
    from cnnbook.functional import _winograd

    assume(h + 2 * padding[0] >= 3 and w + 2 * padding[1] >= 3)
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, c_in, h, w))
    wt = rng.normal(size=(c_out, c_in, 3, 3))
    b = rng.normal(size=c_out)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_conv_fast, "_WINOGRAD_MIN_CHANNELS", 1)
        patch.setattr(_conv_fast, "_WINOGRAD_MIN_TILES", 1)
        patch.setattr(_winograd, "_BLOCK_ELEMENTS", block_elements)
        y = conv2d(x, wt, b, padding=padding)
        g = rng.normal(size=y.shape)
        grads = conv2d_backward(g, x, wt, padding=padding)
    close(y, F.conv2d(t(x), t(wt), t(b), padding=padding))
    for ours, theirs in zip(
        grads, _autograd_conv(x, wt, b, g, padding=padding), strict=True
    ):
        close(ours, theirs)


def test_winograd_is_used_for_wide_layers_and_stays_accurate(rng):
    x = rng.normal(size=(2, 128, 16, 16)).astype(np.float32)
    w = (rng.normal(size=(128, 128, 3, 3)) * 0.03).astype(np.float32)
    geo = _conv_geometry.geometry("conv2d", x.shape, w.shape, 1, 1, 1, 1)
    assert _conv_fast.uses_winograd(geo)
    exact = F.conv2d(t(x), t(w), padding=1).numpy()
    y = conv2d(x, w, padding=1)
    assert y.dtype == np.float32
    # float32 rounding: within a few units in the last place of the sum
    assert np.abs(y - exact).max() < 1e-5 * np.abs(exact).max()
