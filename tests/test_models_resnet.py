"""ResNet and SE-ResNet: Table 1 of He et al., v1 against v1.5, SE."""

import pytest
import torch

from cnnbook.models import get_model
from cnnbook.summary import summary


def params(module) -> int:
    return sum(p.numel() for p in module.parameters())


def test_resnet50_stages_as_the_encyclopedia_lists():
    with torch.device("meta"):
        model = get_model("resnet50")
    assert params(model.conv1) == 7 * 7 * 3 * 64 == 9_408
    assert params(model.bn1) == 128
    assert [params(model.get_submodule(f"layer{i}")) for i in range(1, 5)] == [
        215_808,
        1_219_584,
        7_098_368,
        14_964_736,
    ]
    assert params(model.fc) == 2_049_000


def test_bottleneck_by_hand():
    block = get_model("resnet50").layer1[1]  # identity shortcut, 256-d
    convs = 256 * 64 + 9 * 64 * 64 + 64 * 256
    assert convs == 69_632
    assert params(block) == convs + 2 * (64 + 64 + 256)  # + batch norms


@pytest.mark.parametrize("depth", [50, 101, 152])
def test_stride_sits_in_the_1x1_for_v1_and_the_3x3_for_v1_5(depth):
    with torch.device("meta"):
        v1 = get_model(f"resnet{depth}").layer2[0]
        v15 = get_model(f"resnet{depth}_torchvision").layer2[0]
    assert (v1.conv1.stride, v1.conv2.stride) == ((2, 2), (1, 1))
    assert (v15.conv1.stride, v15.conv2.stride) == ((1, 1), (2, 2))


def test_v1_and_v1_5_share_weights_but_not_outputs():
    torch.manual_seed(0)
    v1 = get_model("resnet50").eval()
    v15 = get_model("resnet50_torchvision").eval()
    v15.load_state_dict(v1.state_dict())
    x = torch.randn(1, 3, 32, 32)
    with torch.no_grad():
        assert not torch.allclose(v1(x), v15(x))


def test_v1_5_costs_more_macs_at_the_same_parameters():
    with torch.device("meta"):
        v1, v15 = get_model("resnet50"), get_model("resnet50_torchvision")
    a, b = (summary(m, (3, 224, 224)) for m in (v1, v15))
    assert a.parameters == b.parameters
    assert b.macs - a.macs == 231_211_008


def test_se_adds_two_fully_connected_layers_per_block():
    with torch.device("meta"):
        plain, se = get_model("resnet50"), get_model("se_resnet50")
    stages = zip((3, 4, 6, 3), (256, 512, 1024, 2048), strict=True)
    # Hu et al. (2018): 2/r * sum_s N_s C_s^2 weights, plus the biases.
    extra = sum(n * (2 * c * c // 16 + c // 16 + c) for n, c in stages)
    assert params(se) - params(plain) == extra == 2_530_992
    assert se.layer1[0].se.fc1.out_channels == 256 // 16


def test_forward_backward_cpu():
    torch.manual_seed(0)
    model = get_model("resnet18", num_classes=3)
    out = model(torch.randn(2, 3, 32, 32))
    assert out.shape == (2, 3)
    out.sum().backward()
    assert model.conv1.weight.grad.abs().sum() > 0


def test_se_gate_runs_on_cpu():
    torch.manual_seed(0)
    model = get_model("se_resnet50", num_classes=3).eval()
    with torch.no_grad():
        assert model(torch.randn(1, 3, 32, 32)).shape == (1, 3)


def test_bad_stride_position():
    from cnnbook.models.resnet import Bottleneck

    with pytest.raises(ValueError, match="stride_on must be"):
        Bottleneck(64, 64, 2, stride_on="5x5")
