"""ResNet (He, Zhang, Ren and Sun, 2016) and SE-ResNet (Hu et al., 2018).

``resnet18`` ... ``resnet152`` follow Table 1 of the ResNet paper: a 7 x 7
stride-2 stem and a 3 x 3 max-pool, four stages of residual blocks with
widths 64-128-256-512 (times 4 at the output of a bottleneck), global
average pooling and one fully connected layer. Projection shortcuts
(1 x 1 convolution + batch norm) where the shape changes, identity
elsewhere: the paper's option B.

Where a stage halves the resolution, the paper's bottleneck block (v1)
puts the stride in its first 1 x 1 convolution; torchvision's (the "v1.5"
of NVIDIA's and others' reference code) puts it in the 3 x 3. The
parameters are identical, so the state dicts are interchangeable, but the
computation is not: v1.5 costs more MACs (its 3 x 3 runs at the higher
resolution) and was reported to be slightly more accurate. ``resnet50``,
``resnet101``, ``resnet152`` are v1; ``resnet50_torchvision`` and friends
are v1.5, for torchvision's weights. Basic blocks (ResNet-18/34) have the
stride in their first 3 x 3 in both.

Module names and shapes match ``torchvision.models.resnet*``.
"""

from __future__ import annotations

from typing import NamedTuple

import torch
import torch.nn as nn

from .._validation import check_int
from ._base import ImageClassifier
from .layers import SqueezeExcitation
from .registry import register

__all__ = [
    "RESNET_CONFIGS",
    "BasicBlock",
    "Bottleneck",
    "ResNet",
    "ResNetConfig",
]


class ResNetConfig(NamedTuple):
    """One column of Table 1 of He et al. (2016)."""

    block: str  # "basic" (two 3x3) or "bottleneck" (1x1, 3x3, 1x1)
    blocks_per_stage: tuple  # conv2_x ... conv5_x


RESNET_CONFIGS = {
    "resnet18": ResNetConfig("basic", (2, 2, 2, 2)),
    "resnet34": ResNetConfig("basic", (3, 4, 6, 3)),
    "resnet50": ResNetConfig("bottleneck", (3, 4, 6, 3)),
    "resnet101": ResNetConfig("bottleneck", (3, 4, 23, 3)),
    "resnet152": ResNetConfig("bottleneck", (3, 8, 36, 3)),
}
STAGE_WIDTHS = (64, 128, 256, 512)


def _shortcut(in_channels: int, out_channels: int, stride: int):
    """Projection (option B) where the shape changes, else None
    (identity)."""
    if stride == 1 and in_channels == out_channels:
        return None
    return nn.Sequential(
        nn.Conv2d(in_channels, out_channels, 1, stride, bias=False),
        nn.BatchNorm2d(out_channels),
    )


class BasicBlock(nn.Module):
    """Two 3 x 3 convolutions and a shortcut (ResNet-18/34).

    ``y = relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x))``
    """

    expansion = 1

    def __init__(self, in_channels: int, width: int, stride: int = 1):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, width, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(width, width, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(width)
        self.downsample = _shortcut(in_channels, width, stride)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        identity = x if self.downsample is None else self.downsample(x)
        return self.relu(out + identity)


class Bottleneck(nn.Module):
    """1 x 1 (reduce), 3 x 3, 1 x 1 (expand x4) and a shortcut
    (ResNet-50/101/152).

    ``stride_on`` says which convolution carries a stage's stride: "1x1"
    (the paper, v1) or "3x3" (torchvision, v1.5). ``se_reduction`` adds a
    squeeze-and-excitation gate on the residual branch before the addition
    (SE-ResNet; Hu et al. 2018, Fig. 3).
    """

    expansion = 4

    def __init__(
        self,
        in_channels: int,
        width: int,
        stride: int = 1,
        stride_on: str = "1x1",
        se_reduction: int | None = None,
    ):
        super().__init__()
        if stride_on not in ("1x1", "3x3"):
            raise ValueError(
                f"Bottleneck: stride_on must be '1x1' or '3x3', got "
                f"{stride_on!r}"
            )
        out_channels = width * self.expansion
        s1, s3 = (stride, 1) if stride_on == "1x1" else (1, stride)
        self.conv1 = nn.Conv2d(in_channels, width, 1, s1, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.conv2 = nn.Conv2d(width, width, 3, s3, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(width)
        self.conv3 = nn.Conv2d(width, out_channels, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(out_channels)
        self.relu = nn.ReLU(inplace=True)
        self.se = (
            None
            if se_reduction is None
            else SqueezeExcitation(out_channels, out_channels // se_reduction)
        )
        self.downsample = _shortcut(in_channels, out_channels, stride)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.relu(self.bn1(self.conv1(x)))  # (N, w, H', W')
        out = self.relu(self.bn2(self.conv2(out)))  # (N, w, H', W')
        out = self.bn3(self.conv3(out))  # (N, 4w, H', W')
        if self.se is not None:
            out = self.se(out)
        identity = x if self.downsample is None else self.downsample(x)
        return self.relu(out + identity)


class ResNet(ImageClassifier):
    """A ResNet from a :class:`ResNetConfig`.

    Parameters
    ----------
    config : ResNetConfig
    num_classes : int
    stride_on : {"1x1", "3x3"}
        Where a bottleneck carries its stride: "1x1" is the paper (v1),
        "3x3" torchvision (v1.5). Ignored by basic blocks.
    se_reduction : int, optional
        Squeeze-and-excitation in every bottleneck with this reduction
        ratio (16 in Hu et al. 2018).
    in_channels : int
    """

    def __init__(
        self,
        config: ResNetConfig,
        num_classes: int = 1000,
        stride_on: str = "1x1",
        se_reduction: int | None = None,
        in_channels: int = 3,
    ):
        super().__init__()
        func = "ResNet"
        num_classes = check_int(num_classes, "num_classes", func, minimum=1)
        self.in_channels = check_int(
            in_channels, "in_channels", func, minimum=1
        )
        self.config = config
        self.conv1 = nn.Conv2d(in_channels, 64, 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(3, stride=2, padding=1)
        channels = 64
        for i, (width, blocks) in enumerate(
            zip(STAGE_WIDTHS, config.blocks_per_stage, strict=True)
        ):
            stage = []
            for j in range(blocks):
                stride = 2 if i > 0 and j == 0 else 1
                if config.block == "basic":
                    block = BasicBlock(channels, width, stride)
                else:
                    block = Bottleneck(
                        channels, width, stride, stride_on, se_reduction
                    )
                stage.append(block)
                channels = width * block.expansion
            setattr(self, f"layer{i + 1}", nn.Sequential(*stage))
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(channels, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.check_input(x)  # rank, channels, size; up front
        x = self.relu(self.bn1(self.conv1(x)))  # (N, 64, H/2, W/2)
        x = self.maxpool(x)  # (N, 64, H/4, W/4)
        x = self.layer1(x)  # (N, 64 or 256, H/4, W/4)
        x = self.layer2(x)  # (N, 128 or 512, H/8, W/8)
        x = self.layer3(x)  # (N, 256 or 1024, H/16, W/16)
        x = self.layer4(x)  # (N, 512 or 2048, H/32, W/32)
        x = torch.flatten(self.avgpool(x), 1)
        return self.fc(x)  # (N, num_classes) logits


def _resnet(name: str, **kwargs) -> ResNet:
    return ResNet(RESNET_CONFIGS[name], **kwargs)


@register("resnet18")
def resnet18(**kwargs) -> ResNet:
    """ResNet-18 (He et al., 2016, Table 1): 11,689,512 parameters."""
    return _resnet("resnet18", **kwargs)


@register("resnet34")
def resnet34(**kwargs) -> ResNet:
    """ResNet-34 (He et al., 2016, Table 1): 21,797,672 parameters."""
    return _resnet("resnet34", **kwargs)


@register("resnet50")
def resnet50(**kwargs) -> ResNet:
    """ResNet-50 v1 as in He et al. (2016): stride in the first 1 x 1 of
    a bottleneck; 25,557,032 parameters."""
    return _resnet("resnet50", **kwargs)


@register("resnet101")
def resnet101(**kwargs) -> ResNet:
    """ResNet-101 v1 (He et al., 2016): stride in the 1 x 1."""
    return _resnet("resnet101", **kwargs)


@register("resnet152")
def resnet152(**kwargs) -> ResNet:
    """ResNet-152 v1 (He et al., 2016): stride in the 1 x 1."""
    return _resnet("resnet152", **kwargs)


@register("resnet50_torchvision")
def resnet50_torchvision(**kwargs) -> ResNet:
    """ResNet-50 v1.5, torchvision's: stride in the 3 x 3 of a
    bottleneck. Same parameters as v1, more MACs."""
    return _resnet("resnet50", stride_on="3x3", **kwargs)


@register("resnet101_torchvision")
def resnet101_torchvision(**kwargs) -> ResNet:
    """ResNet-101 v1.5, torchvision's: stride in the 3 x 3."""
    return _resnet("resnet101", stride_on="3x3", **kwargs)


@register("resnet152_torchvision")
def resnet152_torchvision(**kwargs) -> ResNet:
    """ResNet-152 v1.5, torchvision's: stride in the 3 x 3."""
    return _resnet("resnet152", stride_on="3x3", **kwargs)


@register("se_resnet50")
def se_resnet50(**kwargs) -> ResNet:
    """SE-ResNet-50 (Hu et al., 2018): ResNet-50 with a squeeze-and-
    excitation gate (reduction 16) in every bottleneck; stride in the 1 x 1
    as in the authors' Caffe models (v1). 28,088,024 parameters."""
    return _resnet("resnet50", se_reduction=16, **kwargs)
