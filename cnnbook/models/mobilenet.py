"""MobileNet v1 (Howard et al., 2017) and MobileNet v2 (Sandler et al.,
2018).

v1 replaces every convolution after the first by a *depthwise separable*
one: a 3 x 3 depthwise convolution (one filter per channel, ``groups`` =
channels) then a 1 x 1 pointwise convolution, each followed by batch norm
and ReLU (the paper's Fig. 3 and Table 1). torchvision has no v1; module
names here are the book's.

v2 stacks *inverted residual* blocks: a 1 x 1 expansion by ``t``, a 3 x 3
depthwise convolution, a linear 1 x 1 projection, with a shortcut when the
shape allows (Table 2 of the paper). Module names and shapes match
``torchvision.models.mobilenet_v2``.
"""

from __future__ import annotations

from typing import NamedTuple

import torch
import torch.nn as nn

from .._validation import check_int, check_number
from ._base import ImageClassifier
from .layers import ConvBNAct, make_divisible
from .registry import register

__all__ = [
    "MOBILENET_V1",
    "MOBILENET_V1_TABLE4",
    "MOBILENET_V2",
    "DepthwiseSeparable",
    "InvertedResidual",
    "MobileNetV1",
    "MobileNetV2",
]


class SeparableSpec(NamedTuple):
    """A depthwise + pointwise pair of Table 1 of Howard et al. (2017)."""

    out_channels: int  # of the pointwise convolution
    stride: int  # of the depthwise convolution


# Howard et al. (2017), Table 1, after the first 3x3 convolution (32, s2).
MOBILENET_V1 = (
    SeparableSpec(64, 1),
    SeparableSpec(128, 2),
    SeparableSpec(128, 1),
    SeparableSpec(256, 2),
    SeparableSpec(256, 1),
    SeparableSpec(512, 2),
    *[SeparableSpec(512, 1)] * 5,
    SeparableSpec(1024, 2),
    # Table 1 prints "Conv dw / s2" here, but its input and output are
    # both 7 x 7: the stride is 1 (as every implementation has it).
    SeparableSpec(1024, 1),
)


class PaperResult(NamedTuple):
    """One row of Table 4 of Howard et al. (2017), as printed there."""

    imagenet_accuracy: float  # top-1, percent
    mult_adds_millions: int
    parameters_millions: float


# Howard et al. (2017), Table 4, "Depthwise Separable vs Full Convolution
# MobileNet": the paper's figures, held here once so that chapters compare
# their counts with them (the accuracies are the paper's, not measured).
MOBILENET_V1_TABLE4 = {
    "Conv MobileNet": PaperResult(71.7, 4866, 29.3),
    "MobileNet": PaperResult(70.6, 569, 4.2),
}


class DepthwiseSeparable(nn.Module):
    """3x3 depthwise conv + BN + ReLU, then 1x1 pointwise conv + BN + ReLU.

    Multiply-accumulates per output position: ``9 C_in`` (depthwise) plus
    ``C_in C_out`` (pointwise), against ``9 C_in C_out`` for a standard
    3 x 3 convolution.
    """

    def __init__(self, in_channels: int, out_channels: int, stride: int):
        super().__init__()
        self.depthwise = ConvBNAct(
            in_channels, in_channels, 3, stride, groups=in_channels
        )
        self.pointwise = ConvBNAct(in_channels, out_channels, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.pointwise(self.depthwise(x))


class MobileNetV1(ImageClassifier):
    """MobileNet v1 (Howard et al., 2017), Table 1.

    Parameters
    ----------
    num_classes : int
    width_mult : float
        The paper's width multiplier alpha: every layer's channels times
        alpha (truncated to an int, as the reference code does).
    in_channels : int
    """

    def __init__(
        self,
        num_classes: int = 1000,
        width_mult: float = 1.0,
        in_channels: int = 3,
    ):
        super().__init__()
        func = "MobileNetV1"
        num_classes = check_int(num_classes, "num_classes", func, minimum=1)
        self.in_channels = check_int(
            in_channels, "in_channels", func, minimum=1
        )
        width_mult = check_number(
            width_mult, "width_mult", func, minimum=0, strict_minimum=True
        )

        def scaled(channels):
            return max(1, int(channels * width_mult))

        channels = scaled(32)
        layers = [ConvBNAct(in_channels, channels, 3, stride=2)]
        for spec in MOBILENET_V1:
            layers.append(
                DepthwiseSeparable(
                    channels, scaled(spec.out_channels), spec.stride
                )
            )
            channels = scaled(spec.out_channels)
        self.features = nn.Sequential(*layers)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.classifier = nn.Linear(channels, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.check_input(x)  # rank, channels, size; up front
        x = self.features(x)  # (N, 1024, H/32, W/32)
        x = torch.flatten(self.avgpool(x), 1)  # (N, 1024)
        return self.classifier(x)  # (N, num_classes) logits


class BottleneckSpec(NamedTuple):
    """A row of Table 2 of Sandler et al. (2018)."""

    t: int  # expansion factor
    c: int  # output channels
    n: int  # repeats
    s: int  # stride of the first repeat


# Sandler et al. (2018), Table 2, between the first 3x3 convolution (32,
# s2) and the last 1x1 convolution (1280).
MOBILENET_V2 = (
    BottleneckSpec(1, 16, 1, 1),
    BottleneckSpec(6, 24, 2, 2),
    BottleneckSpec(6, 32, 3, 2),
    BottleneckSpec(6, 64, 4, 2),
    BottleneckSpec(6, 96, 3, 1),
    BottleneckSpec(6, 160, 3, 2),
    BottleneckSpec(6, 320, 1, 1),
)


class InvertedResidual(nn.Module):
    """MobileNet v2's block: expand (1x1, ReLU6), depthwise 3x3 (ReLU6),
    project (1x1, linear); add the input when stride 1 and shapes agree.
    Layout of torchvision's ``InvertedResidual`` (``conv.0``, ...)."""

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        stride: int,
        expand_ratio: int,
    ):
        super().__init__()
        hidden = int(round(in_channels * expand_ratio))
        self.use_res_connect = stride == 1 and in_channels == out_channels
        layers = []
        if expand_ratio != 1:
            layers.append(
                ConvBNAct(in_channels, hidden, 1, activation=nn.ReLU6)
            )
        layers += [
            ConvBNAct(
                hidden, hidden, 3, stride, groups=hidden, activation=nn.ReLU6
            ),
            nn.Conv2d(hidden, out_channels, 1, bias=False),  # linear
            nn.BatchNorm2d(out_channels),
        ]
        self.conv = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.conv(x)
        return x + out if self.use_res_connect else out


class MobileNetV2(ImageClassifier):
    """MobileNet v2 (Sandler et al., 2018), Table 2; key for key
    ``torchvision.models.mobilenet_v2``.

    Parameters
    ----------
    num_classes : int
    width_mult : float
        Channels times this, rounded to a multiple of 8; the last layer's
        1280 channels are never reduced.
    dropout : float
        Before the classifier (torchvision's 0.2).
    in_channels : int
    """

    def __init__(
        self,
        num_classes: int = 1000,
        width_mult: float = 1.0,
        dropout: float = 0.2,
        in_channels: int = 3,
    ):
        super().__init__()
        func = "MobileNetV2"
        num_classes = check_int(num_classes, "num_classes", func, minimum=1)
        self.in_channels = check_int(
            in_channels, "in_channels", func, minimum=1
        )
        width_mult = check_number(
            width_mult, "width_mult", func, minimum=0, strict_minimum=True
        )
        dropout = check_number(dropout, "dropout", func, minimum=0, maximum=1)
        channels = make_divisible(32 * width_mult)
        last = make_divisible(1280 * max(1.0, width_mult))
        layers = [
            ConvBNAct(in_channels, channels, 3, stride=2, activation=nn.ReLU6)
        ]
        for spec in MOBILENET_V2:
            out = make_divisible(spec.c * width_mult)
            for i in range(spec.n):
                layers.append(
                    InvertedResidual(
                        channels, out, spec.s if i == 0 else 1, spec.t
                    )
                )
                channels = out
        layers.append(ConvBNAct(channels, last, 1, activation=nn.ReLU6))
        self.features = nn.Sequential(*layers)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.classifier = nn.Sequential(
            nn.Dropout(dropout), nn.Linear(last, num_classes)
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.check_input(x)  # rank, channels, size; up front
        x = self.features(x)  # (N, 1280, H/32, W/32)
        x = torch.flatten(self.avgpool(x), 1)  # (N, 1280)
        return self.classifier(x)  # (N, num_classes) logits


@register("mobilenet_v1")
def mobilenet_v1(**kwargs) -> MobileNetV1:
    """MobileNet v1 (Howard et al., 2017), 1.0 width, Table 1."""
    return MobileNetV1(**kwargs)


@register("mobilenet_v2")
def mobilenet_v2(**kwargs) -> MobileNetV2:
    """MobileNet v2 (Sandler et al., 2018), 1.0 width, Table 2;
    torchvision-compatible."""
    return MobileNetV2(**kwargs)
