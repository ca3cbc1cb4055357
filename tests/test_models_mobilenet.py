"""MobileNet v1 (Table 1 of Howard et al.) and v2 (Table 2 of Sandler et
al.): counts, shapes, width multiplier, the depthwise arithmetic."""

import pytest
import torch

from cnnbook.models import get_model
from cnnbook.models.mobilenet import (
    MOBILENET_V1,
    MOBILENET_V1_TABLE4,
    DepthwiseSeparable,
)
from cnnbook.summary import summary


def params(module) -> int:
    return sum(p.numel() for p in module.parameters())


def test_v1_paper_numbers():
    # Howard et al. (2017), Tables 4 and 8: 1.0 MobileNet-224, 4.2 million
    # parameters and 569 million mult-adds.
    paper = MOBILENET_V1_TABLE4["MobileNet"]
    with torch.device("meta"):
        model = get_model("mobilenet_v1")
    table = summary(model, (3, 224, 224))
    assert round(table.parameters / 1e6, 1) == paper.parameters_millions
    assert round(table.macs / 1e6) == paper.mult_adds_millions == 569
    assert len(MOBILENET_V1) == 13


def test_v1_ends_at_7x7_because_the_last_stride_is_1():
    with torch.device("meta"):
        features = get_model("mobilenet_v1").features
    out = features(torch.empty(1, 3, 224, 224, device="meta"))
    assert out.shape == (1, 1024, 7, 7)


def test_separable_block_costs():
    block = DepthwiseSeparable(32, 64, 1)
    table = summary(block, (32, 112, 112))
    # 9 C_in (depthwise) + C_in C_out (pointwise) per output position.
    assert table.macs == 112 * 112 * (9 * 32 + 32 * 64)
    assert params(block) == 9 * 32 + 2 * 32 + 32 * 64 + 2 * 64


def test_v2_paper_numbers():
    # Sandler et al. (2018), Table 4: 300 million multiply-adds.
    with torch.device("meta"):
        table = summary(get_model("mobilenet_v2"), (3, 224, 224))
    assert round(table.macs / 1e6) == 301
    assert table.parameters == 3_504_872


@pytest.mark.parametrize(
    "name, width, expected",
    [("mobilenet_v1", 0.5, 1_331_592), ("mobilenet_v2", 0.5, 1_968_680)],
)
def test_width_multiplier(name, width, expected):
    with torch.device("meta"):
        model = get_model(name, width_mult=width)
    assert params(model) == expected
    with pytest.raises(ValueError, match="width_mult must be > 0"):
        get_model(name, width_mult=0)


def test_residual_only_where_shapes_agree():
    with torch.device("meta"):
        model = get_model("mobilenet_v2")
    uses = [b.use_res_connect for b in model.features[1:-1]]
    assert uses == [
        False,
        False,
        True,
        False,
        True,
        True,
        False,
        True,
        True,
        True,
        False,
        True,
        True,
        False,
        True,
        True,
        False,
    ]


@pytest.mark.parametrize("name", ["mobilenet_v1", "mobilenet_v2"])
def test_forward_cpu(name):
    torch.manual_seed(0)
    model = get_model(name, num_classes=4).eval()
    with torch.no_grad():
        out = model(torch.randn(2, 3, 32, 32))
    assert out.shape == (2, 4) and torch.isfinite(out).all()
