"""Quantization formulas (numpy) against PyTorch's observers and quantized
tensors, the half-step bound, and the post-training quantization helpers.

PyTorch quantizes float32 tensors with float32 arithmetic; the book
computes in float64. Where x / s falls within float32 rounding of a half,
the two may round to neighbouring codes: those comparisons allow a
difference of one code at such ties only, and exact agreement is tested
where the arithmetic is exact (scales that are powers of two).
"""

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from cnnbook import quantization
from cnnbook.models import get_model

# PyTorch 2.13 deprecates torch.ao.quantization and quantized tensors
pytestmark = [
    pytest.mark.filterwarnings("ignore:.*deprecated"),
    pytest.mark.filterwarnings("ignore:.*reduce_range"),
]

tq = torch.ao.quantization
TORCH_DTYPE = {
    quantization.UINT8: torch.quint8,
    quantization.INT8: torch.qint8,
}


@st.composite
def arrays(draw, channels=None):
    rng = np.random.default_rng(draw(st.integers(0, 2**31 - 1)))
    shift = draw(st.sampled_from([-3.0, 0.0, 0.5, 4.0]))
    spread = draw(st.sampled_from([1e-3, 0.1, 1.0, 30.0]))
    shape = (channels or draw(st.integers(1, 5)), draw(st.integers(1, 40)))
    return (rng.normal(size=shape) * spread + shift).astype(np.float32)


def near_tie(x, scale, zero_point=0.0):
    """x / s + z within float32 rounding of a half-integer (PyTorch keeps
    x, 1/s and a real-valued zero point in float32)."""
    ratio = np.asarray(x, np.float64) / scale
    u = ratio + zero_point
    tol = 1e-4 + 1.2e-7 * (np.abs(ratio) + np.abs(zero_point))
    return np.abs(np.abs(u - np.floor(u)) - 0.5) < tol


def assert_codes_match(ours, theirs, ties):
    differ = ours != theirs
    assert (np.abs(ours - theirs) <= 1).all()
    assert not (differ & ~ties).any(), np.argwhere(differ & ~ties)[:3]


# --- quantization parameters ------------------------------------------------


@pytest.mark.parametrize(
    "codes, scheme, qscheme",
    [
        (quantization.UINT8, "affine", torch.per_tensor_affine),
        (quantization.INT8, "affine", torch.per_tensor_affine),
        (quantization.UINT8, "symmetric", torch.per_tensor_symmetric),
        (quantization.INT8, "symmetric", torch.per_tensor_symmetric),
    ],
)
@given(x=arrays())
def test_qparams_match_minmax_observer(codes, scheme, qscheme, x):
    observer = tq.MinMaxObserver(dtype=TORCH_DTYPE[codes], qscheme=qscheme)
    observer(torch.from_numpy(x))
    t_scale, t_zero = observer.calculate_qparams()
    scale, zero = quantization.minmax_qparams(
        x.min(), x.max(), *codes, scheme=scheme
    )
    np.testing.assert_allclose(scale, t_scale.item(), rtol=1e-6)
    # the zero point is round(min / s): a tie can go either way
    assert abs(int(zero) - t_zero.item()) <= (
        1 if near_tie(min(x.min(), 0), float(scale)) else 0
    )


@pytest.mark.parametrize(
    "codes, scheme, qscheme",
    [
        (quantization.INT8, "symmetric", torch.per_channel_symmetric),
        (quantization.UINT8, "affine", torch.per_channel_affine),
    ],
)
@given(x=arrays())
def test_per_channel_qparams_match_observer(codes, scheme, qscheme, x):
    observer = tq.PerChannelMinMaxObserver(
        ch_axis=0, dtype=TORCH_DTYPE[codes], qscheme=qscheme
    )
    observer(torch.from_numpy(x))
    t_scale, t_zero = observer.calculate_qparams()
    scale, zero = quantization.minmax_qparams(
        x.min(1), x.max(1), *codes, scheme=scheme
    )
    assert scale.shape == zero.shape == (len(x),)
    np.testing.assert_allclose(scale, t_scale.numpy(), rtol=1e-6)
    assert (np.abs(zero - t_zero.numpy()) <= 1).all()


@given(x=arrays())
def test_float_qparams_match_observer(x):
    observer = tq.PerChannelMinMaxObserver(
        ch_axis=0,
        dtype=torch.quint8,
        qscheme=torch.per_channel_affine_float_qparams,
    )
    observer(torch.from_numpy(x))
    t_scale, t_zero = observer.calculate_qparams()
    scale, zero = quantization.minmax_qparams(
        x.min(1), x.max(1), scheme="float_qparams"
    )
    assert zero.dtype == np.float64
    np.testing.assert_allclose(scale, t_scale.numpy(), rtol=1e-6)
    np.testing.assert_allclose(zero, t_zero.numpy(), rtol=1e-5, atol=1e-4)


def test_qparams_by_hand():
    # affine, [-0.31, 1.2] -> s = 1.51 / 255, z = 0 - round(-0.31 / s)
    scale, zero = quantization.minmax_qparams(-0.31, 1.2)
    assert scale == pytest.approx(1.51 / 255, rel=1e-15)
    assert zero == 52  # round(52.35)
    # the range is widened to include 0: [2, 5] is stored as [0, 5]
    scale, zero = quantization.minmax_qparams(2.0, 5.0)
    assert scale == pytest.approx(5 / 255) and zero == 0
    # symmetric int8: s = max|x| / 127.5, z = 0; uint8: z = 128
    assert quantization.minmax_qparams(
        -3.0, 1.0, *quantization.INT8, scheme="symmetric"
    ) == (
        pytest.approx(3 / 127.5),
        0,
    )
    assert quantization.minmax_qparams(-3.0, 1.0, scheme="symmetric")[1] == 128
    # float_qparams: the encyclopedia's s = (max - min)/255, z = -min/s
    scale, zero = quantization.minmax_qparams(
        -0.31, 1.2, scheme="float_qparams"
    )
    assert zero == pytest.approx(0.31 / (1.51 / 255))
    # a constant tensor: the smallest scale, not a division by zero
    assert quantization.minmax_qparams(0.0, 0.0)[0] == np.finfo(np.float32).eps


# --- quantize, dequantize, fake_quantize -------------------------------------


@pytest.mark.parametrize("codes", [quantization.UINT8, quantization.INT8])
@given(x=arrays(), k=st.integers(-9, 3), zero=st.integers(-20, 300))
def test_quantize_equals_torch_exactly_with_power_of_two_scales(
    codes, x, k, zero
):
    scale = 2.0**k  # x / s is exact in float32 and float64
    zero = int(np.clip(zero, *codes))
    expected = torch.quantize_per_tensor(
        torch.from_numpy(x), scale, zero, TORCH_DTYPE[codes]
    )
    q = quantization.quantize(x, scale, zero, *codes)
    np.testing.assert_array_equal(q, expected.int_repr().numpy())
    np.testing.assert_array_equal(
        quantization.dequantize(q, scale, zero), expected.dequantize().numpy()
    )


def test_ties_round_to_even_as_torch():
    x = np.array([0.5, 1.5, 2.5, -0.5, -1.5, -2.5], dtype=np.float32)
    q = quantization.quantize(x, 1.0, 10)
    np.testing.assert_array_equal(q, [10, 12, 12, 10, 8, 8])
    expected = torch.quantize_per_tensor(
        torch.from_numpy(x), 1.0, 10, torch.quint8
    )
    np.testing.assert_array_equal(q, expected.int_repr().numpy())


@given(x=arrays())
def test_quantize_matches_torch_per_tensor(x):
    scale, zero = quantization.minmax_qparams(x.min(), x.max())
    expected = torch.quantize_per_tensor(
        torch.from_numpy(x), float(scale), int(zero), torch.quint8
    )
    assert_codes_match(
        quantization.quantize(x, scale, zero),
        expected.int_repr().numpy().astype(int),
        near_tie(x, float(scale)),
    )
    fake = torch.fake_quantize_per_tensor_affine(
        torch.from_numpy(x), float(scale), int(zero), 0, 255
    )
    ours = quantization.fake_quantize(x, scale, zero)
    exact = ~near_tie(x, float(scale))
    np.testing.assert_allclose(
        ours[exact], fake.numpy()[exact], rtol=1e-6, atol=1e-6 * float(scale)
    )


@pytest.mark.parametrize(
    "codes, scheme",
    [(quantization.INT8, "symmetric"), (quantization.UINT8, "affine")],
)
@given(x=arrays(channels=4))
def test_quantize_matches_torch_per_channel(codes, scheme, x):
    w = np.stack([x, -x])  # (2, 4, n): quantize along axis 1
    flat = np.moveaxis(w, 1, 0).reshape(4, -1)
    scale, zero = quantization.minmax_qparams(
        flat.min(1), flat.max(1), *codes, scheme=scheme
    )
    expected = torch.quantize_per_channel(
        torch.from_numpy(w),
        torch.from_numpy(scale),
        torch.from_numpy(zero),
        1,
        TORCH_DTYPE[codes],
    )
    ours = quantization.quantize(w, scale, zero, *codes, axis=1)
    assert_codes_match(
        ours,
        expected.int_repr().numpy().astype(int),
        near_tie(w, scale[None, :, None]),
    )
    np.testing.assert_allclose(
        quantization.dequantize(ours, scale, zero, axis=-2),
        scale[None, :, None] * (ours - zero[None, :, None]),
    )


@given(x=arrays())
def test_float_qparams_are_the_encyclopedias_formula(x):
    lo, hi = x.min(1), x.max(1)
    scale, zero = quantization.minmax_qparams(lo, hi, scheme="float_qparams")
    q = quantization.quantize(x, scale, zero, axis=0)
    x64, lo, hi = x.astype(np.float64), lo[:, None], hi[:, None]
    width = np.where(hi - lo > 0, hi - lo, 255.0)  # constant rows: 0
    by_formula = np.round((x64 - lo) / width * 255)
    ties = near_tie(x, scale[:, None], zero[:, None])
    assert_codes_match(q, by_formula.astype(int), ties)
    expected = torch.quantize_per_channel(
        torch.from_numpy(x),
        torch.from_numpy(scale),
        torch.from_numpy(zero.astype(np.float32)),
        0,
        torch.quint8,
    )
    assert expected.qscheme() == torch.per_channel_affine_float_qparams
    assert_codes_match(q, expected.int_repr().numpy().astype(int), ties)
    assert q.min() >= 0 and q.max() <= 255


@pytest.mark.parametrize(
    "scheme, codes",
    [
        ("affine", quantization.UINT8),
        ("affine", quantization.INT8),
        ("symmetric", quantization.INT8),
        ("float_qparams", quantization.UINT8),
    ],
)
@given(x=arrays())
def test_round_trip_error_is_at_most_half_a_step(scheme, codes, x):
    x = x.astype(np.float64)
    scale, zero = quantization.minmax_qparams(
        x.min(), x.max(), *codes, scheme=scheme
    )
    error = np.abs(quantization.fake_quantize(x, scale, zero, *codes) - x)
    assert error.max() <= scale / 2 * (1 + 1e-9) + 1e-12


def test_zero_is_exact_with_an_integer_zero_point():
    x = np.array([-0.31, 0.0, 1.2])
    scale, zero = quantization.minmax_qparams(x.min(), x.max())
    assert quantization.fake_quantize(x, scale, zero)[1] == 0.0
    scale, zero = quantization.minmax_qparams(
        x.min(), x.max(), scheme="float_qparams"
    )
    assert quantization.fake_quantize(x, scale, zero)[1] != 0.0


def test_values_outside_the_range_saturate():
    scale, zero = quantization.minmax_qparams(-1.0, 1.0)
    q = quantization.quantize(np.array([-5.0, 5.0]), scale, zero)
    np.testing.assert_array_equal(q, [0, 255])


@pytest.mark.parametrize(
    "call, error, match",
    [
        (
            lambda: quantization.minmax_qparams(1.0, 0.0),
            ValueError,
            "x_min must be <=",
        ),
        (
            lambda: quantization.minmax_qparams(0.0, 1.0, 5, 5),
            ValueError,
            "qmax must be >",
        ),
        (
            lambda: quantization.minmax_qparams(0.0, 1.0, scheme="log"),
            ValueError,
            "scheme must be one of",
        ),
        (
            lambda: quantization.minmax_qparams(np.zeros(2), np.ones(3)),
            ValueError,
            "same shape",
        ),
        (
            lambda: quantization.minmax_qparams(np.nan, 1.0),
            ValueError,
            "finite",
        ),
        (
            lambda: quantization.minmax_qparams(0.0, 1.0, 0.5, 255),
            TypeError,
            "qmin",
        ),
        (
            lambda: quantization.quantize(np.ones(3), 0.0, 0),
            ValueError,
            "scale must be positive",
        ),
        (
            lambda: quantization.quantize(np.ones(3), [0.1, 0.2], 0),
            ValueError,
            "pass axis=... for per-channel",
        ),
        (
            lambda: quantization.quantize(
                np.ones((2, 3)), [0.1, 0.2, 0.3], [0, 0, 0], axis=0
            ),
            ValueError,
            r"one value per index of axis 0, shape \(2,\)",
        ),
        (
            lambda: quantization.quantize(
                np.ones((2, 3)), [0.1, 0.2], [0, 0], axis=2
            ),
            ValueError,
            "axis 2 is out of range",
        ),
        (
            lambda: quantization.quantize(np.array([np.inf]), 0.1, 0),
            ValueError,
            "finite",
        ),
        (lambda: quantization.quantize("x", 0.1, 0), TypeError, "x must be"),
        (
            lambda: quantization.quantize(np.ones(2), "a", 0),
            TypeError,
            "scale must be",
        ),
        (
            lambda: quantization.dequantize(np.array([1.5]), 0.1, 0),
            TypeError,
            "integer codes",
        ),
    ],
)
def test_bad_input_is_named(call, error, match):
    with pytest.raises(error, match=match):
        call()


# --- post-training static quantization (PyTorch) ----------------------------


def test_fusable_groups():
    model = get_model("compact_cnn")
    assert quantization.fusable_groups(model) == [
        [f"features.{i}.0", f"features.{i}.1", f"features.{i}.2"]
        for i in range(3)
    ]
    mixed = torch.nn.Sequential(
        torch.nn.Conv2d(1, 2, 3),
        torch.nn.ReLU(),
        torch.nn.Conv2d(2, 2, 3),
        torch.nn.BatchNorm2d(2),
        torch.nn.MaxPool2d(2),
        torch.nn.Flatten(),
        torch.nn.Linear(2, 2),
        torch.nn.ReLU(),
        torch.nn.Linear(2, 2),
    )
    assert quantization.fusable_groups(mixed) == [
        ["0", "1"],
        ["2", "3"],
        ["6", "7"],
    ]
    with pytest.raises(TypeError, match="model must be"):
        quantization.fusable_groups("model")


@pytest.fixture(scope="module")
def float_and_int8():
    # Mechanics only (chapter 10 measures a trained network on real
    # digits): an untrained network, blurred noise as images.
    torch.manual_seed(0)
    model = get_model("compact_cnn").eval()
    noise = torch.randn(300, 1, 28, 28)
    images = torch.nn.functional.avg_pool2d(noise, 3, 1, 1) * 3
    return model, quantization.quantize_static(model, [images[:200]]), images


def test_quantize_static_computes_nearly_the_same(float_and_int8):
    model, int8, images = float_and_int8
    with torch.no_grad():
        expected, actual = model(images[200:]), int8(images[200:])
    assert actual.dtype == torch.float32 and actual.shape == (100, 10)
    error = (actual - expected).abs().max() / expected.abs().max()
    assert error < 0.1
    assert (actual.argmax(1) == expected.argmax(1)).float().mean() > 0.9
    layer = int8.module.features[0][0]
    assert layer.weight().dtype == torch.qint8
    assert type(int8.module.features[0][1]) is torch.nn.Identity
    # the float model is untouched
    assert type(model.features[0][0]) is torch.nn.Conv2d


def test_state_dict_bytes(float_and_int8):
    model, int8, _ = float_and_int8
    float_bytes, int8_bytes = (
        quantization.state_dict_bytes(model),
        quantization.state_dict_bytes(int8),
    )
    weights = 144 + 4608 + 18432 + 10240
    assert float_bytes > 4 * weights
    assert 3 < float_bytes / int8_bytes < 4
    with pytest.raises(TypeError, match="model must be"):
        quantization.state_dict_bytes(model.state_dict())


def test_compare_latency_returns_medians_and_restores_threads(float_and_int8):
    model, int8, images = float_and_int8
    threads = torch.get_num_threads()
    times = quantization.compare_latency(
        [model, int8], images[:2], repeats=3, threads=1, warmup=1
    )
    assert len(times) == 2 and all(t > 0 for t in times)
    assert torch.get_num_threads() == threads
    with pytest.raises(TypeError, match="models must be"):
        quantization.compare_latency([], images)
    with pytest.raises(ValueError, match="repeats must be >= 1"):
        quantization.compare_latency([model], images, repeats=0)
    with pytest.raises(TypeError, match="x must be a tensor"):
        quantization.compare_latency([model], images.numpy())


def test_quantize_static_bad_input():
    model = get_model("compact_cnn")
    with pytest.raises(ValueError, match="calibration must be"):
        quantization.quantize_static(model, [])
    with pytest.raises(ValueError, match="calibration must be"):
        quantization.quantize_static(model, [np.zeros((1, 1, 28, 28))])
    with pytest.raises(TypeError, match="model must be"):
        quantization.quantize_static(
            model.state_dict(), [torch.zeros(1, 1, 28, 28)]
        )
    with pytest.raises(ValueError, match="backend 'tpu' is not supported"):
        quantization.quantized_engine("tpu")


def test_import_stays_numpy_only():
    import subprocess
    import sys

    code = (
        "import sys, cnnbook.quantization as q; "
        "assert 'torch' not in sys.modules, 'torch imported'; "
        "q.fake_quantize([0.5], 0.1, 0)"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
