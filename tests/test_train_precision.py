"""Floating-point formats, mantissa rounding and the precision choices."""

import pytest
import torch

from cnnbook.train import precision


@pytest.mark.parametrize(
    "name, dtype",
    [
        ("fp32", torch.float32),
        ("bf16", torch.bfloat16),
        ("fp16", torch.float16),
    ],
)
def test_formats_agree_with_torch_finfo(name, dtype):
    fmt, info = precision.FLOAT_FORMATS[name], torch.finfo(dtype)
    assert fmt.bits == info.bits
    assert fmt.max == info.max
    assert fmt.smallest_normal == info.smallest_normal
    assert fmt.eps == info.eps
    # the smallest subnormal is representable and its half is not
    tiny = torch.tensor(fmt.smallest_subnormal, dtype=dtype)
    assert float(tiny) == fmt.smallest_subnormal
    assert float(torch.tensor(fmt.smallest_subnormal / 2.1, dtype=dtype)) == 0


def test_tf32_is_fp32_range_with_fp16_precision():
    tf32 = precision.FLOAT_FORMATS["tf32"]
    assert tf32.exponent_bits == precision.FLOAT_FORMATS["fp32"].exponent_bits
    assert tf32.eps == precision.FLOAT_FORMATS["fp16"].eps == 2**-10
    assert tf32.bits == 19


def test_round_mantissa_is_bfloat16_rounding(rng):
    values = (
        torch.from_numpy(rng.standard_normal(20_000).astype("float32")) * 1e3
    )
    ties = torch.tensor([1 + 2**-8, 1 + 3 * 2**-8, -(1 + 2**-8)])
    edge = torch.tensor([3.4e38, float("inf"), float("-inf"), 1e-40, 0.0])
    x = torch.cat([values, ties, edge])
    assert torch.equal(
        precision.round_mantissa(x, 7), x.to(torch.bfloat16).float()
    )
    # ties go to the even neighbour: 1 + 2^-8 -> 1, 1 + 3 * 2^-8 -> 1 + 2^-6
    assert precision.round_mantissa(ties, 7).tolist() == [1.0, 1 + 2**-6, -1.0]
    assert torch.isnan(
        precision.round_mantissa(torch.tensor([float("nan")]), 7)
    )


def test_round_mantissa_keeps_bits_bits():
    x = torch.tensor([1 + 2**-10 + 2**-12, 1 + 2**-11])
    assert precision.round_mantissa(x, 10).tolist() == [1 + 2**-10, 1.0]
    assert torch.equal(precision.round_mantissa(x, 23), x)
    with pytest.raises(TypeError, match="float32"):
        precision.round_mantissa(x.double(), 10)
    with pytest.raises(ValueError, match="0..23"):
        precision.round_mantissa(x, 24)


def test_resolve_precision_on_the_cpu():
    cpu = torch.device("cpu")
    for name in ("fp32", "bf16", "fp16"):
        assert precision.resolve_precision(name, cpu) == name
    auto = precision.resolve_precision("auto", cpu)
    assert auto == ("bf16" if precision.cpu_has_native_bf16() else "fp32")
    with pytest.raises(ValueError, match="needs an NVIDIA GPU"):
        precision.resolve_precision("tf32", cpu)
    with pytest.raises(ValueError, match="precision must be one of"):
        precision.resolve_precision("fp8", cpu)


def test_autocast_runs_convolutions_in_the_chosen_type():
    cpu = torch.device("cpu")
    conv = torch.nn.Conv2d(2, 3, 3)
    x = torch.randn(1, 2, 5, 5)
    for name, dtype in (
        ("fp32", torch.float32),
        ("bf16", torch.bfloat16),
        ("fp16", torch.float16),
    ):
        with precision.autocast(cpu, name):
            assert conv(x).dtype == dtype
    assert conv.weight.dtype == torch.float32  # the weights stay float32


def test_grad_scaler_only_for_fp16_and_it_skips_an_overflowing_step():
    cpu = torch.device("cpu")
    assert not precision.grad_scaler(cpu, "bf16").is_enabled()
    scaler = precision.grad_scaler(cpu, "fp16")
    assert scaler.is_enabled() and scaler.get_scale() == 2.0**16
    w = torch.nn.Parameter(torch.ones(2))
    opt = torch.optim.SGD([w], lr=0.1)
    loss = (w * torch.tensor([1.0, float("inf")])).sum()
    scaler.scale(loss).backward()
    scaler.step(opt)  # an inf in the gradient: the step is skipped ...
    scaler.update()
    assert torch.equal(w.detach(), torch.ones(2))
    assert scaler.get_scale() == 2.0**15  # ... and the scale halved
