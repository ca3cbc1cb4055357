"""EfficientNet B0-B7: Table 1 of Tan and Le, compound scaling."""

import math

import pytest
import torch

from cnnbook.models import efficientnet, get_model
from cnnbook.models.efficientnet import (
    EFFICIENTNET_B0,
    EFFICIENTNET_SCALING,
    MBConv,
)
from cnnbook.models.layers import make_divisible


def test_b0_stages_and_resolutions():
    with torch.device("meta"):
        model = get_model("efficientnet_b0").eval()
    x = torch.empty(1, 3, 224, 224, device="meta")
    sides = []
    for stage in model.features:
        x = stage(x)
        sides.append((x.shape[1], x.shape[2]))
    # Tan and Le (2019), Table 1: channels and resolution of stages 1-9.
    assert sides == [
        (32, 112),
        (16, 112),
        (24, 56),
        (40, 28),
        (80, 14),
        (112, 14),
        (192, 7),
        (320, 7),
        (1280, 7),
    ]


@pytest.mark.parametrize("variant", sorted(EFFICIENTNET_SCALING))
def test_blocks_per_stage_are_rounded_up(variant):
    scaling = EFFICIENTNET_SCALING[variant]
    with torch.device("meta"):
        model = get_model(f"efficientnet_{variant}")
    blocks = [len(stage) for stage in model.features[1:-1]]
    assert blocks == [
        math.ceil(s.num_layers * scaling.depth) for s in EFFICIENTNET_B0
    ]


@pytest.mark.parametrize("variant", sorted(EFFICIENTNET_SCALING))
def test_docstrings_state_the_table_coefficients(variant):
    scaling = EFFICIENTNET_SCALING[variant]
    doc = " ".join(
        getattr(efficientnet, f"efficientnet_{variant}").__doc__.split()
    )
    side = scaling.resolution
    assert f"{side} x {side}" in doc
    for factor in ("width", "depth"):
        value = getattr(scaling, factor)
        assert (f"{factor} x{value}" in doc) == (value != 1.0), doc


def test_b7_widths():
    with torch.device("meta"):
        model = get_model("efficientnet_b7")
    assert model.features[0][0].out_channels == 64  # 32 x 2.0
    assert model.classifier[1].in_features == 2560  # 4 x 640


def test_make_divisible():
    assert [make_divisible(v) for v in (32, 35.2, 38.4, 12, 3)] == [
        32,
        32,
        40,
        16,
        8,
    ]


def test_compound_rule_roughly_doubles_flops():
    alpha, beta, gamma = 1.2, 1.1, 1.15  # section 3.3 of the paper
    assert abs(alpha * beta**2 * gamma**2 - 2) < 0.1


def test_stochastic_depth_probabilities_rise_to_0_2():
    with torch.device("meta"):
        model = get_model("efficientnet_b0")
    probs = [b.drop_prob for stage in model.features[1:-1] for b in stage]
    assert probs == [0.2 * i / 16 for i in range(16)]


def test_stochastic_depth_drops_whole_examples_in_training_only():
    torch.manual_seed(0)
    block = MBConv(8, 8, 3, 1, 6, drop_prob=0.5)
    x = torch.randn(64, 8, 4, 4)
    block.eval()
    with torch.no_grad():
        torch.testing.assert_close(block(x), x + block.block(x))
        block.train()
        residual = block(x) - x
    dropped = residual.abs().amax(dim=(1, 2, 3)) == 0
    assert 10 < dropped.sum() < 54  # about half of 64 examples


def test_forward_backward_cpu():
    torch.manual_seed(0)
    model = get_model("efficientnet_b0", num_classes=3)
    out = model(torch.randn(2, 3, 32, 32))
    assert out.shape == (2, 3)
    out.sum().backward()
    assert model.features[0][0].weight.grad.abs().sum() > 0
