"""VGG (Simonyan and Zisserman, 2015): configurations A, B, D and E.

Five stages of 3 x 3 convolutions (stride 1, padding 1) with widths
64-128-256-512-512, each stage closed by a 2 x 2 max-pool with stride 2,
then three fully connected layers (4096, 4096, classes) with dropout after
the first two. ``vgg11``/``13``/``16``/``19`` are the paper's columns A, B,
D, E of Table 1; ``*_bn`` add batch normalization after each convolution
(not in the paper, which predates it; torchvision's variants).

Module names and shapes match ``torchvision.models.vgg*``. torchvision adds
an adaptive 7 x 7 average pool before the classifier: at the paper's
224 x 224 the maps are already 7 x 7 and it does nothing; at other sizes it
lets the classifier run (the paper instead evaluated its fully connected
layers as convolutions over larger images).
"""

from __future__ import annotations

from typing import NamedTuple

import torch
import torch.nn as nn

from .._validation import check_int, check_number
from ._base import ImageClassifier
from .registry import register

__all__ = ["VGG", "VGG_CONFIGS", "VGGConfig"]

STAGE_WIDTHS = (64, 128, 256, 512, 512)


class VGGConfig(NamedTuple):
    """One column of Table 1 of Simonyan and Zisserman (2015)."""

    column: str  # the paper's letter
    weight_layers: int  # convolutions + 3 fully connected layers
    convs_per_stage: tuple  # 3 x 3 convolutions in each of the 5 stages


VGG_CONFIGS = {
    "vgg11": VGGConfig("A", 11, (1, 1, 2, 2, 2)),
    "vgg13": VGGConfig("B", 13, (2, 2, 2, 2, 2)),
    "vgg16": VGGConfig("D", 16, (2, 2, 3, 3, 3)),
    "vgg19": VGGConfig("E", 19, (2, 2, 4, 4, 4)),
}


class VGG(ImageClassifier):
    """A VGG network from a :class:`VGGConfig`.

    Parameters
    ----------
    config : VGGConfig
    num_classes : int
    batch_norm : bool
        Batch normalization after every convolution (torchvision's
        ``vgg16_bn``; not in the paper).
    dropout : float
    in_channels : int
    """

    def __init__(
        self,
        config: VGGConfig,
        num_classes: int = 1000,
        batch_norm: bool = False,
        dropout: float = 0.5,
        in_channels: int = 3,
    ):
        super().__init__()
        func = "VGG"
        num_classes = check_int(num_classes, "num_classes", func, minimum=1)
        self.in_channels = check_int(
            in_channels, "in_channels", func, minimum=1
        )
        dropout = check_number(dropout, "dropout", func, minimum=0, maximum=1)
        self.config = config
        layers, channels = [], self.in_channels
        for width, convs in zip(
            STAGE_WIDTHS, config.convs_per_stage, strict=True
        ):
            for _ in range(convs):
                layers.append(nn.Conv2d(channels, width, 3, padding=1))
                if batch_norm:
                    layers.append(nn.BatchNorm2d(width))
                layers.append(nn.ReLU(inplace=True))
                channels = width
            layers.append(nn.MaxPool2d(2, stride=2))
        self.features = nn.Sequential(*layers)
        # Each stage ends in a 2x2 max-pool that halves the side (rounding
        # down): 2^5 = 32 pixels leave one after the fifth.
        self.min_size = 2 ** len(config.convs_per_stage)
        # torchvision's addition: the identity at 224 x 224 (see above).
        self.avgpool = nn.AdaptiveAvgPool2d((7, 7))
        self.flatten = nn.Flatten()  # no parameters; a row in summaries
        self.classifier = nn.Sequential(
            nn.Linear(channels * 7 * 7, 4096),
            nn.ReLU(inplace=True),
            nn.Dropout(dropout),
            nn.Linear(4096, 4096),
            nn.ReLU(inplace=True),
            nn.Dropout(dropout),
            nn.Linear(4096, num_classes),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.check_input(x)  # rank, channels, size; up front
        x = self.features(x)  # (N, 512, H/32, W/32)
        x = self.avgpool(x)  # (N, 512, 7, 7)
        x = self.flatten(x)  # (N, 25088)
        return self.classifier(x)  # (N, num_classes) logits


def _vgg(name: str, batch_norm: bool, **kwargs) -> VGG:
    return VGG(VGG_CONFIGS[name], batch_norm=batch_norm, **kwargs)


@register("vgg11")
def vgg11(**kwargs) -> VGG:
    """VGG-11, configuration A of Simonyan and Zisserman (2015)."""
    return _vgg("vgg11", False, **kwargs)


@register("vgg11_bn")
def vgg11_bn(**kwargs) -> VGG:
    """VGG-11 with batch normalization (torchvision's variant)."""
    return _vgg("vgg11", True, **kwargs)


@register("vgg13")
def vgg13(**kwargs) -> VGG:
    """VGG-13, configuration B of Simonyan and Zisserman (2015)."""
    return _vgg("vgg13", False, **kwargs)


@register("vgg13_bn")
def vgg13_bn(**kwargs) -> VGG:
    """VGG-13 with batch normalization (torchvision's variant)."""
    return _vgg("vgg13", True, **kwargs)


@register("vgg16")
def vgg16(**kwargs) -> VGG:
    """VGG-16, configuration D of Simonyan and Zisserman (2015):
    138,357,544 parameters."""
    return _vgg("vgg16", False, **kwargs)


@register("vgg16_bn")
def vgg16_bn(**kwargs) -> VGG:
    """VGG-16 with batch normalization (torchvision's variant)."""
    return _vgg("vgg16", True, **kwargs)


@register("vgg19")
def vgg19(**kwargs) -> VGG:
    """VGG-19, configuration E of Simonyan and Zisserman (2015)."""
    return _vgg("vgg19", False, **kwargs)


@register("vgg19_bn")
def vgg19_bn(**kwargs) -> VGG:
    """VGG-19 with batch normalization (torchvision's variant)."""
    return _vgg("vgg19", True, **kwargs)
