"""AlexNet: the paper's two-group network, its one-device twin, torchvision's
variant; local response normalization against PyTorch's."""

import math

import pytest
import torch
import torch.nn as nn
from hypothesis import given
from hypothesis import strategies as st

from cnnbook.models import get_model
from cnnbook.models.alexnet import LocalResponseNorm
from cnnbook.sizes import conv_output_size


def params(module) -> int:
    return sum(p.numel() for p in module.parameters())


def test_paper_rows_two_groups():
    with torch.device("meta"):
        model = get_model("alexnet")
    f, c = model.features, model.classifier
    assert [params(f.get_submodule(f"conv{i}")) for i in range(1, 6)] == [
        11 * 11 * 3 * 96 + 96,
        5 * 5 * 48 * 256 + 256,  # each GPU's kernels see 48 maps
        3 * 3 * 256 * 384 + 384,
        3 * 3 * 192 * 384 + 384,
        3 * 3 * 192 * 256 + 256,
    ]
    assert [params(c.fc6), params(c.fc7), params(c.fc8)] == [
        9216 * 4096 + 4096,
        4096 * 4096 + 4096,
        4096 * 1000 + 1000,
    ]
    assert params(model) == 60_965_224


def test_one_device_twin_has_the_ungrouped_counts():
    with torch.device("meta"):
        model = get_model("alexnet", groups=1)
    assert params(model.features.conv2) == 614_656
    assert params(model.features.conv4) == 1_327_488
    assert params(model.features.conv5) == 884_992
    assert params(model) == 62_378_344


def test_227_not_224():
    assert conv_output_size(227, 11, 4) == 55
    assert conv_output_size(224, 11, 4) == 54
    assert conv_output_size(224, 11, 4, padding=2) == 55  # torchvision
    with torch.device("meta"):
        model = get_model("alexnet").eval()
        small = get_model("alexnet", image_size=224)
    assert model(torch.empty(1, 3, 227, 227, device="meta")).shape == (
        1,
        1000,
    )  # 54 -> ... -> 5 x 5
    assert small.classifier.fc6.in_features == 256 * 5 * 5


def test_paper_order_is_relu_norm_pool():
    names = [n for n, _ in get_model("alexnet").features.named_children()]
    assert names[:4] == ["conv1", "relu1", "norm1", "pool1"]
    assert names[-1] == "pool5"


def test_bad_arguments():
    with pytest.raises(ValueError, match="groups must be 1 or 2"):
        get_model("alexnet", groups=4)
    with pytest.raises(ValueError, match="image_size is too small"):
        get_model("alexnet", image_size=40)
    with pytest.raises(ValueError, match="torchvision's layout"):
        get_model("alexnet_torchvision", image_size=224)


@given(
    size=st.sampled_from([1, 3, 5, 7]),
    channels=st.integers(1, 12),
    seed=st.integers(0, 2**31 - 1),
)
def test_lrn_equals_torch_with_alpha_times_n(size, channels, seed):
    generator = torch.Generator().manual_seed(seed)
    a = (
        torch.randn(
            2, channels, 3, 4, generator=generator, dtype=torch.float64
        )
        * 3
    )
    ours = LocalResponseNorm(size, alpha=1e-2, beta=0.75, k=2.0)(a)
    theirs = nn.LocalResponseNorm(size, alpha=size * 1e-2, beta=0.75, k=2.0)(a)
    torch.testing.assert_close(ours, theirs, rtol=1e-12, atol=1e-12)


def test_lrn_formula_by_hand():
    a = torch.arange(1.0, 8.0, dtype=torch.float64).reshape(1, 7, 1, 1)
    b = LocalResponseNorm(5, alpha=1e-4, beta=0.75, k=2.0)(a)
    # Channel 0 sums channels 0..2 (clipped); channel 3 sums 1..5.
    assert math.isclose(
        b[0, 0, 0, 0], 1 / (2 + 1e-4 * (1 + 4 + 9)) ** 0.75, rel_tol=1e-14
    )
    assert math.isclose(
        b[0, 3, 0, 0],
        4 / (2 + 1e-4 * (4 + 9 + 16 + 25 + 36)) ** 0.75,
        rel_tol=1e-14,
    )


def test_forward_cpu():
    torch.manual_seed(0)
    model = get_model("alexnet", num_classes=5).eval()
    with torch.no_grad():
        out = model(torch.randn(1, 3, 227, 227))
    assert out.shape == (1, 5) and torch.isfinite(out).all()
