"""AlexNet (Krizhevsky, Sutskever and Hinton, 2012), in three versions.

``alexnet``: the paper's network (section 3.5, Figure 2), which was split
over two GPUs. Convolutions 2, 4 and 5 only read the maps on their own GPU,
which is a convolution with ``groups=2``; convolution 3 and the fully
connected layers read everything. Local response normalization follows
convolutions 1 and 2, and max-pooling follows both normalizations and
convolution 5. 60,965,224 parameters at 1,000 classes.

``alexnet(groups=1)``: the same widths (96-256-384-384-256) on one device,
without the split: 62,378,344 parameters. This is the network whose
per-layer counts most tables print (the encyclopedia's among them).

``alexnet_torchvision``: torchvision's single-tower variant, widths
64-192-384-256-256, no normalization, dropout before the fully connected
layers, an adaptive average pool; torchvision's documentation attributes
it to Krizhevsky's "One weird trick" report (2014). Module names and
shapes match ``torchvision.models.alexnet``: 61,100,840 parameters.

The paper says the input is 224 x 224, but an 11 x 11 convolution with
stride 4 and no padding makes 55 x 55 maps (as Figure 2 shows) only from
227 x 227 inputs: (227 - 11) / 4 + 1 = 55, while 224 gives
floor(213 / 4) + 1 = 54. ``alexnet`` therefore takes 227 x 227.
torchvision pads the first convolution by 2 instead: 224 + 4 gives 55.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from typing import Any, NamedTuple

import torch
import torch.nn as nn

from .._validation import check_int, check_number
from ..sizes import conv_output_size, pool_output_size
from ._base import ImageClassifier
from .registry import register

__all__ = [
    "ALEXNET_TRAINING",
    "AlexNet",
    "AlexNetTraining",
    "LocalResponseNorm",
    "alexnet",
    "alexnet_torchvision",
]


class AlexNetConv(NamedTuple):
    """One convolutional layer of AlexNet and what follows it."""

    out_channels: int
    kernel_size: int
    stride: int
    padding: int
    groups: int  # 2: the layer only reads the maps on its own GPU
    lrn: bool  # local response normalization after the ReLU
    pool: bool  # 3x3 max-pool with stride 2 (overlapping) afterwards


# Krizhevsky et al. (2012), section 3.5 and Figure 2.
ALEXNET_PAPER = (
    AlexNetConv(96, 11, 4, 0, 1, lrn=True, pool=True),
    AlexNetConv(256, 5, 1, 2, 2, lrn=True, pool=True),
    AlexNetConv(384, 3, 1, 1, 1, lrn=False, pool=False),
    AlexNetConv(384, 3, 1, 1, 2, lrn=False, pool=False),
    AlexNetConv(256, 3, 1, 1, 2, lrn=False, pool=True),
)


class AlexNetTraining(NamedTuple):
    """How the paper trained AlexNet, in its own figures."""

    gpus: int  # section 3.2: the network is spread across two GPUs
    gpu_memory_gb: int  # section 3.2: "A single GTX 580 GPU has only 3GB"
    batch_size: int  # section 5: "a batch size of 128 examples"
    momentum: float  # section 5
    weight_decay: float  # section 5


# Krizhevsky et al. (2012), sections 3.2 and 5.
ALEXNET_TRAINING = AlexNetTraining(
    gpus=2, gpu_memory_gb=3, batch_size=128, momentum=0.9, weight_decay=0.0005
)

# torchvision.models.alexnet (a one-tower network with different widths).
ALEXNET_TORCHVISION = (
    AlexNetConv(64, 11, 4, 2, 1, lrn=False, pool=True),
    AlexNetConv(192, 5, 1, 2, 1, lrn=False, pool=True),
    AlexNetConv(384, 3, 1, 1, 1, lrn=False, pool=False),
    AlexNetConv(256, 3, 1, 1, 1, lrn=False, pool=False),
    AlexNetConv(256, 3, 1, 1, 1, lrn=False, pool=True),
)


class LocalResponseNorm(nn.Module):
    r"""Local response normalization as written in the AlexNet paper.

    .. math::

        b^i_{x,y} = a^i_{x,y} \Big/ \Big(k + \alpha
            \sum_{j=\max(0,\, i-n/2)}^{\min(N-1,\, i+n/2)}
            (a^j_{x,y})^2\Big)^\beta

    with the paper's :math:`k = 2`, :math:`n = 5`, :math:`\alpha = 10^{-4}`,
    :math:`\beta = 0.75`: each activation is divided by a power of the
    energy of the :math:`n` maps around it at the same position. PyTorch's
    ``nn.LocalResponseNorm`` divides :math:`\alpha` by :math:`n`; this one
    does not, so it equals ``nn.LocalResponseNorm(n, n * alpha, beta, k)``.
    No learned parameters.
    """

    def __init__(
        self,
        size: int = 5,
        alpha: float = 1e-4,
        beta: float = 0.75,
        k: float = 2.0,
    ):
        super().__init__()
        func = "LocalResponseNorm"
        self.size = check_int(size, "size", func, minimum=1)
        self.alpha = check_number(alpha, "alpha", func, minimum=0)
        self.beta = check_number(beta, "beta", func, minimum=0)
        self.k = check_number(k, "k", func, minimum=0)

    def forward(self, a: torch.Tensor) -> torch.Tensor:
        half = self.size // 2
        squares = a.pow(2)  # (N, C, H, W)
        # Sum over channels i - n/2 .. i + n/2 (clipped at the ends): pad
        # the channel axis with zeros and add shifted copies.
        padded = nn.functional.pad(squares, (0, 0, 0, 0, half, half))
        channels = a.shape[1]
        energy = sum(padded[:, j : j + channels] for j in range(2 * half + 1))
        return a / (self.k + self.alpha * energy).pow(self.beta)

    def extra_repr(self) -> str:
        return (
            f"size={self.size}, alpha={self.alpha}, beta={self.beta}, "
            f"k={self.k}"
        )


class AlexNet(ImageClassifier):
    """AlexNet, built from a table of :class:`AlexNetConv` rows.

    Parameters
    ----------
    num_classes : int
    layers : tuple of AlexNetConv
        ``ALEXNET_PAPER`` or ``ALEXNET_TORCHVISION``.
    torchvision_layout : bool
        Lay the modules out as torchvision does (numbered ``features`` and
        ``classifier``, dropout before each hidden fully connected layer,
        an adaptive 6 x 6 average pool that accepts any large enough
        input). Otherwise: named layers (``conv1``, ``norm1``, ``pool1``,
        ..., ``fc6``) in the paper's order, dropout on the outputs of
        fc6 and fc7, and a fixed input size.
    image_size : int, optional
        Input side when the layout is the paper's (default 227). Not
        accepted with torchvision's layout, which takes any size of at
        least 63 x 63.
    dropout : float
    in_channels : int
    """

    def __init__(
        self,
        num_classes: int = 1000,
        layers: Sequence[AlexNetConv] = ALEXNET_PAPER,
        torchvision_layout: bool = False,
        image_size: int | None = None,
        dropout: float = 0.5,
        in_channels: int = 3,
    ):
        super().__init__()
        func = "AlexNet"
        num_classes = check_int(num_classes, "num_classes", func, minimum=1)
        self.in_channels = check_int(
            in_channels, "in_channels", func, minimum=1
        )
        dropout = check_number(dropout, "dropout", func, minimum=0, maximum=1)
        named, channels = [], self.in_channels
        for i, layer in enumerate(layers, start=1):
            named.append(
                (
                    f"conv{i}",
                    nn.Conv2d(
                        channels,
                        layer.out_channels,
                        layer.kernel_size,
                        layer.stride,
                        layer.padding,
                        groups=layer.groups,
                    ),
                )
            )
            named.append((f"relu{i}", nn.ReLU(inplace=True)))
            if layer.lrn:  # the paper: normalization, then pooling
                named.append((f"norm{i}", LocalResponseNorm()))
            if layer.pool:
                named.append((f"pool{i}", nn.MaxPool2d(3, stride=2)))
            channels = layer.out_channels
        hidden = 4096
        self.flatten = nn.Flatten()  # no parameters; a row in summaries
        if torchvision_layout:
            if image_size is not None:
                raise ValueError(
                    "AlexNet: image_size is fixed only by the paper's "
                    "layout; torchvision's layout takes any size"
                )
            self.image_size = None
            self.min_size = self._smallest_side(layers)
            self.features = nn.Sequential(*(m for _, m in named))
            self.avgpool = nn.AdaptiveAvgPool2d((6, 6))
            self.classifier = nn.Sequential(
                nn.Dropout(dropout),
                nn.Linear(channels * 6 * 6, hidden),
                nn.ReLU(inplace=True),
                nn.Dropout(dropout),
                nn.Linear(hidden, hidden),
                nn.ReLU(inplace=True),
                nn.Linear(hidden, num_classes),
            )
            return
        # The paper's "224" does not give 55 x 55 maps; 227 does.
        image_size = 227 if image_size is None else image_size
        self.image_size = check_int(image_size, "image_size", func, minimum=1)
        side = self._feature_side(layers, self.image_size)
        self.features = nn.Sequential(OrderedDict(named))
        self.avgpool = None
        self.classifier = nn.Sequential(
            OrderedDict(
                [
                    ("fc6", nn.Linear(channels * side * side, hidden)),
                    ("relu6", nn.ReLU(inplace=True)),
                    ("drop6", nn.Dropout(dropout)),
                    ("fc7", nn.Linear(hidden, hidden)),
                    ("relu7", nn.ReLU(inplace=True)),
                    ("drop7", nn.Dropout(dropout)),
                    ("fc8", nn.Linear(hidden, num_classes)),
                ]
            )
        )

    @staticmethod
    def _feature_side(layers, size: int) -> int:
        """Side of the last feature map: 6 for a 227 x 227 input."""
        for layer in layers:
            try:
                size = conv_output_size(
                    size, layer.kernel_size, layer.stride, layer.padding
                )
                if layer.pool:
                    size = pool_output_size(size, 3, 2)
            except ValueError:
                raise ValueError(
                    f"AlexNet: image_size is too small; the feature maps "
                    f"vanish at a layer of kernel {layer.kernel_size} "
                    "(227 is the paper's size)"
                ) from None
        return size

    @classmethod
    def _smallest_side(cls, layers) -> int:
        """The smallest input side that leaves a feature map (63 for
        torchvision's layers: conv1 11/4, then three 3/2 max-pools)."""
        side = 1
        while True:
            try:
                cls._feature_side(layers, side)
                return side
            except ValueError:
                side += 1

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.check_input(x)  # rank, channels, size; up front
        x = self.features(x)  # (N, 256, 6, 6)
        if self.avgpool is not None:
            x = self.avgpool(x)
        x = self.flatten(x)  # (N, 9216)
        return self.classifier(x)  # (N, num_classes) logits


@register("alexnet")
def alexnet(groups: int = 2, **kwargs: Any) -> AlexNet:
    """AlexNet as in Krizhevsky et al. (2012): two groups (the two GPUs),
    local response normalization, 227 x 227 input; 60,965,224 parameters.

    ``groups=1`` gives the same widths without the GPU split (62,378,344
    parameters).
    """
    groups = check_int(groups, "groups", "alexnet", minimum=1)
    if groups not in (1, 2):
        raise ValueError(f"alexnet: groups must be 1 or 2, got {groups}")
    layers = tuple(
        layer._replace(groups=min(layer.groups, groups))
        for layer in ALEXNET_PAPER
    )
    return AlexNet(layers=layers, **kwargs)


@register("alexnet_torchvision")
def alexnet_torchvision(**kwargs: Any) -> AlexNet:
    """torchvision's single-tower AlexNet (64-192-384-256-256), key for key
    compatible with ``torchvision.models.alexnet``; 61,100,840 parameters.
    """
    return AlexNet(
        layers=ALEXNET_TORCHVISION, torchvision_layout=True, **kwargs
    )
