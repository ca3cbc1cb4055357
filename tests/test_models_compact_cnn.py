"""The compact CNN of chapter 10: counts by hand, shapes, bad input."""

import pytest
import torch

from cnnbook.models import CompactCNN, get_model


def params(module) -> int:
    return sum(p.numel() for p in module.parameters())


def test_counts_by_hand():
    model = get_model("compact_cnn")
    block1 = 1 * 9 * 16 + 2 * 16  # conv without bias, batch norm
    block2 = 16 * 9 * 32 + 2 * 32
    block3 = 32 * 9 * 64 + 2 * 64
    classifier = 64 * 4 * 4 * 10 + 10  # 28 -> 14 -> 7 -> 4
    assert params(model) == block1 + block2 + block3 + classifier == 33_658
    assert params(model.features[-1]) == block3
    student = get_model("compact_cnn", widths=(4, 8, 16))
    assert params(student) == (9 * 4 + 8) + (4 * 9 * 8 + 16) + (
        8 * 9 * 16 + 32
    ) + (16 * 16 * 10 + 10)


@pytest.mark.parametrize("side, last", [(28, 4), (8, 1), (32, 4), (5, 1)])
def test_output_shapes(side, last):
    model = CompactCNN(image_size=side, num_classes=5).eval()
    x = torch.zeros(3, 1, side, side)
    assert model.features(x).shape == (3, 64, last, last)
    assert model(x).shape == (3, 5)


def test_widths_set_the_blocks():
    model = CompactCNN(widths=(8, 8), in_channels=3, image_size=16)
    assert len(model.features) == 2
    assert model.features[0][0].in_channels == 3
    assert model.classifier[1].in_features == 8 * 4 * 4
    assert model(torch.zeros(1, 3, 16, 16)).shape == (1, 10)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"widths": ()}, "widths must be a non-empty sequence"),
        ({"widths": "16"}, "widths must be a non-empty sequence"),
        ({"widths": (16, 0)}, r"widths\[1\]"),
        ({"widths": (16.5,)}, r"widths\[0\]"),
        ({"num_classes": 0}, "num_classes"),
        ({"image_size": 0}, "image_size"),
    ],
)
def test_bad_arguments(kwargs, match):
    with pytest.raises((TypeError, ValueError), match=match):
        CompactCNN(**kwargs)


def test_wrong_input_is_named():
    model = get_model("compact_cnn")
    with pytest.raises(
        ValueError,
        match=r"CompactCNN: expected input of "
        r"shape \(N, 1, 28, 28\), got \(1, 1, 32, 32\)",
    ):
        model(torch.zeros(1, 1, 32, 32))
