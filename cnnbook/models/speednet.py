"""A small, fast CNN for 28 x 28 digits: the speed-run network of
chapter 14.

Each block is a 3 x 3 convolution (no bias: batch normalization follows),
a 2 x 2 max-pool, batch normalization and ReLU. Pooling *before*
normalizing is the order of airbench's blocks (Jordan, 2024): the
normalization and the activation then work on a quarter of the values,
and max-pooling commutes with ReLU and (for a positive scale) with the
normalization, so little changes but the cost::

    input (N, 1, 28, 28)
    conv 3x3, c1 -> max-pool 2 -> BN -> ReLU     (N, c1, 14, 14)
    conv 3x3, c2 -> max-pool 2 -> BN -> ReLU     (N, c2, 7, 7)
    [conv 3x3, c2 -> BN -> ReLU]                 (extra_convs)
    conv 3x3, c3 -> max-pool 2 -> BN -> ReLU     (N, c3, 3, 3)
    [conv 3x3, c3 -> BN -> ReLU]                 (extra_convs)
    flatten -> linear (no bias)                  (N, 10) logits
"""

from __future__ import annotations

import torch
import torch.nn as nn

from .._validation import check_int
from ._base import ImageClassifier
from .registry import register

__all__ = ["SpeedNet"]


def _block(c_in: int, c_out: int, pool: bool) -> list[nn.Module]:
    layers = [nn.Conv2d(c_in, c_out, 3, padding=1, bias=False)]
    if pool:
        layers.append(nn.MaxPool2d(2))
    return [*layers, nn.BatchNorm2d(c_out), nn.ReLU(inplace=True)]


class SpeedNet(ImageClassifier):
    """Three conv-pool-BN-ReLU blocks and a linear layer, for 28 x 28
    images (widths ``c1, c2, c3``)."""

    in_channels = 1
    image_size = 28

    def __init__(
        self,
        widths: tuple[int, int, int] = (32, 64, 128),
        extra_convs: bool = False,
        num_classes: int = 10,
    ):
        super().__init__()
        func = "SpeedNet"
        if len(widths) != 3:
            raise ValueError(
                f"{func}: widths must be three channel counts, got {widths!r}"
            )
        c1, c2, c3 = (
            check_int(c, f"widths[{i}]", func, minimum=1)
            for i, c in enumerate(widths)
        )
        num_classes = check_int(num_classes, "num_classes", func, minimum=1)
        layers = [*_block(1, c1, True), *_block(c1, c2, True)]
        if extra_convs:
            layers += _block(c2, c2, False)
        layers += _block(c2, c3, True)
        if extra_convs:
            layers += _block(c3, c3, False)
        self.features = nn.Sequential(*layers)
        self.classifier = nn.Linear(c3 * 3 * 3, num_classes, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.check_input(x)
        x = self.features(x)  # (N, c3, 3, 3)
        return self.classifier(torch.flatten(x, 1))  # (N, classes)


@register("mnist_speednet")
def mnist_speednet(**kwargs) -> SpeedNet:
    """The speed-run network of chapter 14: conv-pool-BN-ReLU blocks
    (batch normalization: Ioffe and Szegedy, 2015) of 32, 64 and 128
    channels, 104,416 parameters."""
    return SpeedNet(**kwargs)
