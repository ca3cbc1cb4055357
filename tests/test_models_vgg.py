"""VGG: Table 1 of Simonyan and Zisserman, counts per layer, batch norm."""

import pytest
import torch

from cnnbook.models import get_model
from cnnbook.models.vgg import VGG_CONFIGS


def params(module) -> int:
    return sum(p.numel() for p in module.parameters())


def test_weight_layers_match_the_names():
    for name, config in VGG_CONFIGS.items():
        assert sum(config.convs_per_stage) + 3 == config.weight_layers
        assert name == f"vgg{config.weight_layers}"


def test_vgg16_layer_by_layer():
    with torch.device("meta"):
        model = get_model("vgg16")
    convs = [m for m in model.features if isinstance(m, torch.nn.Conv2d)]
    widths = [64] * 2 + [128] * 2 + [256] * 3 + [512] * 6
    expected, c_in = [], 3
    for c_out in widths:
        expected.append(3 * 3 * c_in * c_out + c_out)
        c_in = c_out
    assert [params(c) for c in convs] == expected
    assert expected[:3] == [1_792, 36_928, 73_856]
    fcs = [
        params(m) for m in model.classifier if isinstance(m, torch.nn.Linear)
    ]
    assert fcs == [102_764_544, 16_781_312, 4_097_000]
    assert sum(fcs) == 123_642_856  # 89% of the 138,357,544


def test_paper_table_2_millions():
    # Simonyan and Zisserman, Table 2: 133, 133, 138, 144 million.
    with torch.device("meta"):
        counts = {n: params(get_model(n)) for n in VGG_CONFIGS}
    assert {n: round(c / 1e6) for n, c in counts.items()} == {
        "vgg11": 133,
        "vgg13": 133,
        "vgg16": 138,
        "vgg19": 144,
    }


def test_batch_norm_adds_two_per_channel():
    with torch.device("meta"):
        plain, bn = get_model("vgg16"), get_model("vgg16_bn")
    channels = 2 * 64 + 2 * 128 + 3 * 256 + 6 * 512
    assert params(bn) - params(plain) == 2 * channels


@pytest.mark.parametrize("side", [32, 224])
def test_any_size_reaches_the_classifier(side):
    with torch.device("meta"):
        model = get_model("vgg11").eval()
    x = torch.empty(1, 3, side, side, device="meta")
    assert model(x).shape == (1, 1000)


def test_forward_cpu_small():
    torch.manual_seed(0)
    model = get_model("vgg11", num_classes=10).eval()
    with torch.no_grad():
        out = model(torch.randn(2, 3, 32, 32))
    assert out.shape == (2, 10) and torch.isfinite(out).all()
