r"""EfficientNet-B0 ... B7 (Tan and Le, 2019) by compound scaling.

B0 is Table 1 of the paper: a 3 x 3 stem, seven stages of MBConv blocks
(MobileNet v2's inverted residual with squeeze-and-excitation and the
SiLU/"swish" activation), a 1 x 1 convolution to 1280 channels, pooling
and a classifier. B1-B7 scale B0's depth (blocks per stage), width
(channels) and input resolution together. The paper's rule is

.. math::

    d = \alpha^\phi,\quad w = \beta^\phi,\quad r = \gamma^\phi,\qquad
    \alpha = 1.2,\ \beta = 1.1,\ \gamma = 1.15,\
    \alpha\,\beta^2\gamma^2 \approx 2

so each step of :math:`\phi` roughly doubles the FLOPs. The released
models use the rounded coefficients of the authors' code
(``efficientnet_builder.py``), listed in :data:`EFFICIENTNET_SCALING`;
they are the ones torchvision uses, and the ones built here. Channels are
rounded to multiples of 8 and block counts up to integers.

Module names and shapes match ``torchvision.models.efficientnet_b*``.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import torch
import torch.nn as nn

from .._validation import check_int, check_number
from ._base import ImageClassifier
from .layers import ConvBNAct, SqueezeExcitation, make_divisible
from .registry import register

__all__ = [
    "EFFICIENTNET_B0",
    "EFFICIENTNET_SCALING",
    "MBConv",
    "EfficientNet",
    "Scaling",
    "StageSpec",
]


class StageSpec(NamedTuple):
    """A stage of EfficientNet-B0 (Table 1 of Tan and Le, 2019)."""

    expand_ratio: int  # MBConv1 or MBConv6
    kernel_size: int
    stride: int  # of the first block
    in_channels: int
    out_channels: int
    num_layers: int


# Tan and Le (2019), Table 1, stages 2-8 (stage 1 is the 3x3 stem to 32,
# stage 9 the 1x1 convolution to 1280, pooling and classifier).
EFFICIENTNET_B0 = (
    StageSpec(1, 3, 1, 32, 16, 1),
    StageSpec(6, 3, 2, 16, 24, 2),
    StageSpec(6, 5, 2, 24, 40, 2),
    StageSpec(6, 3, 2, 40, 80, 3),
    StageSpec(6, 5, 1, 80, 112, 3),
    StageSpec(6, 5, 2, 112, 192, 4),
    StageSpec(6, 3, 1, 192, 320, 1),
)


class Scaling(NamedTuple):
    """Compound-scaling coefficients of one EfficientNet."""

    width: float  # channel multiplier
    depth: float  # block-count multiplier
    resolution: int  # input side
    dropout: float  # before the classifier


# The authors' released coefficients (as used by torchvision).
EFFICIENTNET_SCALING = {
    "b0": Scaling(1.0, 1.0, 224, 0.2),
    "b1": Scaling(1.0, 1.1, 240, 0.2),
    "b2": Scaling(1.1, 1.2, 260, 0.3),
    "b3": Scaling(1.2, 1.4, 300, 0.3),
    "b4": Scaling(1.4, 1.8, 380, 0.4),
    "b5": Scaling(1.6, 2.2, 456, 0.4),
    "b6": Scaling(1.8, 2.6, 528, 0.5),
    "b7": Scaling(2.0, 3.1, 600, 0.5),
}


class MBConv(nn.Module):
    """Mobile inverted bottleneck with squeeze-and-excitation.

    Expand (1x1, SiLU; skipped when the ratio is 1), depthwise
    ``kernel_size`` (SiLU), SE with ``in_channels / 4`` squeeze channels,
    project (1x1, linear); add the input when stride 1 and shapes agree.
    In training, stochastic depth (Huang et al., 2016) drops the residual
    branch of each example with probability ``drop_prob``, scaling the
    kept ones by ``1 / (1 - drop_prob)``.
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int,
        stride: int,
        expand_ratio: int,
        bn: dict | None = None,
        drop_prob: float = 0.0,
    ):
        super().__init__()
        self.drop_prob = drop_prob
        self.use_res_connect = stride == 1 and in_channels == out_channels
        hidden = make_divisible(in_channels * expand_ratio)
        bn = bn or {}
        layers = []
        if hidden != in_channels:
            layers.append(
                ConvBNAct(in_channels, hidden, 1, activation=nn.SiLU, **bn)
            )
        layers += [
            ConvBNAct(
                hidden,
                hidden,
                kernel_size,
                stride,
                groups=hidden,
                activation=nn.SiLU,
                **bn,
            ),
            SqueezeExcitation(
                hidden, max(1, in_channels // 4), activation=nn.SiLU
            ),
            ConvBNAct(hidden, out_channels, 1, activation=None, **bn),
        ]
        self.block = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.block(x)
        if not self.use_res_connect:
            return out
        if self.training and self.drop_prob > 0:
            keep = 1.0 - self.drop_prob
            mask = torch.empty(
                len(x), 1, 1, 1, dtype=x.dtype, device=x.device
            ).bernoulli_(keep)
            out = out * mask / keep  # (N, C, H, W), whole examples dropped
        return x + out


class EfficientNet(ImageClassifier):
    """EfficientNet from B0's stages and a :class:`Scaling`.

    Parameters
    ----------
    scaling : Scaling
    num_classes : int
    dropout : float, optional
        Default: the scaling's.
    stochastic_depth_prob : float
        Drop probability of the last block; block ``i`` of ``n`` uses
        ``stochastic_depth_prob * i / n`` (0.2, as torchvision).
    in_channels : int
    """

    def __init__(
        self,
        scaling: Scaling,
        num_classes: int = 1000,
        dropout: float | None = None,
        stochastic_depth_prob: float = 0.2,
        in_channels: int = 3,
    ):
        super().__init__()
        func = "EfficientNet"
        num_classes = check_int(num_classes, "num_classes", func, minimum=1)
        self.in_channels = check_int(
            in_channels, "in_channels", func, minimum=1
        )
        dropout = scaling.dropout if dropout is None else dropout
        dropout = check_number(dropout, "dropout", func, minimum=0, maximum=1)
        stochastic_depth_prob = check_number(
            stochastic_depth_prob,
            "stochastic_depth_prob",
            func,
            minimum=0,
            maximum=1,
        )
        self.scaling = scaling
        # torchvision's B5-B7 (weights ported from TensorFlow) use the
        # TensorFlow batch-norm settings; B0-B4 PyTorch's defaults.
        bn = dict(eps=1e-3, momentum=0.01) if scaling.width >= 1.6 else {}

        def width(channels):
            return make_divisible(channels * scaling.width)

        def depth(layers):
            return int(math.ceil(layers * scaling.depth))

        channels = width(EFFICIENTNET_B0[0].in_channels)
        layers = [
            ConvBNAct(
                in_channels, channels, 3, stride=2, activation=nn.SiLU, **bn
            )
        ]
        total = sum(depth(spec.num_layers) for spec in EFFICIENTNET_B0)
        index = 0
        for spec in EFFICIENTNET_B0:
            out = width(spec.out_channels)
            stage = []
            for i in range(depth(spec.num_layers)):
                stage.append(
                    MBConv(
                        channels,
                        out,
                        spec.kernel_size,
                        spec.stride if i == 0 else 1,
                        spec.expand_ratio,
                        bn=bn,
                        drop_prob=stochastic_depth_prob * index / total,
                    )
                )
                channels = out
                index += 1
            layers.append(nn.Sequential(*stage))
        last = 4 * channels  # 1280 for B0
        layers.append(ConvBNAct(channels, last, 1, activation=nn.SiLU, **bn))
        self.features = nn.Sequential(*layers)
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Sequential(
            nn.Dropout(dropout), nn.Linear(last, num_classes)
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.check_input(x)  # rank, channels, size; up front
        x = self.features(x)  # (N, 4 C_last, H/32, W/32)
        x = torch.flatten(self.avgpool(x), 1)
        return self.classifier(x)  # (N, num_classes) logits


def _efficientnet(variant: str, **kwargs) -> EfficientNet:
    return EfficientNet(EFFICIENTNET_SCALING[variant], **kwargs)


@register("efficientnet_b0")
def efficientnet_b0(**kwargs) -> EfficientNet:
    """EfficientNet-B0 (Tan and Le, 2019, Table 1), 224 x 224."""
    return _efficientnet("b0", **kwargs)


@register("efficientnet_b1")
def efficientnet_b1(**kwargs) -> EfficientNet:
    """EfficientNet-B1 (Tan and Le, 2019): B0 with depth x1.1, 240 x 240."""
    return _efficientnet("b1", **kwargs)


@register("efficientnet_b2")
def efficientnet_b2(**kwargs) -> EfficientNet:
    """EfficientNet-B2 (Tan and Le, 2019):
    width x1.1, depth x1.2, 260 x 260."""
    return _efficientnet("b2", **kwargs)


@register("efficientnet_b3")
def efficientnet_b3(**kwargs) -> EfficientNet:
    """EfficientNet-B3 (Tan and Le, 2019):
    width x1.2, depth x1.4, 300 x 300."""
    return _efficientnet("b3", **kwargs)


@register("efficientnet_b4")
def efficientnet_b4(**kwargs) -> EfficientNet:
    """EfficientNet-B4 (Tan and Le, 2019):
    width x1.4, depth x1.8, 380 x 380."""
    return _efficientnet("b4", **kwargs)


@register("efficientnet_b5")
def efficientnet_b5(**kwargs) -> EfficientNet:
    """EfficientNet-B5 (Tan and Le, 2019):
    width x1.6, depth x2.2, 456 x 456."""
    return _efficientnet("b5", **kwargs)


@register("efficientnet_b6")
def efficientnet_b6(**kwargs) -> EfficientNet:
    """EfficientNet-B6 (Tan and Le, 2019):
    width x1.8, depth x2.6, 528 x 528."""
    return _efficientnet("b6", **kwargs)


@register("efficientnet_b7")
def efficientnet_b7(**kwargs) -> EfficientNet:
    """EfficientNet-B7 (Tan and Le, 2019):
    width x2.0, depth x3.1, 600 x 600."""
    return _efficientnet("b7", **kwargs)
