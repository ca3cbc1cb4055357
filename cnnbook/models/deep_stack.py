"""Plain and residual stacks of 3 x 3 convolutions, for experiments on
depth.

He et al. (2016) compare "plain" networks with their "residual"
counterparts that differ only by identity shortcuts (section 3.3 and the
CIFAR-10 networks of section 4.2). :class:`DeepStack` is that pair at a
size a CPU trains in seconds: a 3 x 3 stem, ``blocks`` blocks of two 3 x 3
convolutions of ``width`` channels (each followed by batch norm, if
enabled, and ReLU), global average pooling and a linear classifier; with
``residual=True`` each block adds its input before its last ReLU. It has
``2 * blocks + 2`` weight layers, like the paper's ``6n + 2``.

Chapter 2 trains it to show the degradation problem; chapter 5 measures
the gradients that reach its first layers.
"""

from __future__ import annotations

import torch
import torch.nn as nn

from .._validation import check_int
from ._base import ImageClassifier
from .registry import register

__all__ = ["DeepStack", "StackBlock"]


class StackBlock(nn.Module):
    """Two 3 x 3 convolutions; ``relu(F(x) + x)`` if residual, else
    ``relu(F(x))``."""

    def __init__(self, width: int, residual: bool, batch_norm: bool):
        super().__init__()
        self.residual = residual
        self.conv1 = nn.Conv2d(width, width, 3, padding=1, bias=not batch_norm)
        self.bn1 = nn.BatchNorm2d(width) if batch_norm else nn.Identity()
        self.conv2 = nn.Conv2d(width, width, 3, padding=1, bias=not batch_norm)
        self.bn2 = nn.BatchNorm2d(width) if batch_norm else nn.Identity()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = torch.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))  # F(x)
        return torch.relu(out + x if self.residual else out)


class DeepStack(ImageClassifier):
    """A plain or residual stack of 3 x 3 convolutions (He et al., 2016,
    section 3.3, at toy size).

    Parameters
    ----------
    blocks : int
        Blocks of two convolutions; ``2 * blocks + 2`` weight layers.
    width : int
        Channels of every convolution.
    residual : bool
        Identity shortcut around each block.
    batch_norm : bool
        Batch norm after each convolution (as in the paper).
    stem_stride : int
        Stride of the first convolution (2 halves an 8 x 8 digit to 4 x 4).
    num_classes, in_channels : int
    """

    def __init__(
        self,
        blocks: int = 3,
        width: int = 16,
        residual: bool = False,
        batch_norm: bool = True,
        stem_stride: int = 2,
        num_classes: int = 10,
        in_channels: int = 1,
    ):
        super().__init__()
        func = "DeepStack"
        blocks = check_int(blocks, "blocks", func, minimum=0)
        width = check_int(width, "width", func, minimum=1)
        stem_stride = check_int(stem_stride, "stem_stride", func, minimum=1)
        num_classes = check_int(num_classes, "num_classes", func, minimum=1)
        self.in_channels = check_int(
            in_channels, "in_channels", func, minimum=1
        )
        self.stem = nn.Sequential(
            nn.Conv2d(
                in_channels, width, 3, stem_stride, 1, bias=not batch_norm
            ),
            nn.BatchNorm2d(width) if batch_norm else nn.Identity(),
            nn.ReLU(),
        )
        self.blocks = nn.Sequential(
            *(StackBlock(width, residual, batch_norm) for _ in range(blocks))
        )
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(width, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.check_input(x)  # rank, channels, size; up front
        x = self.blocks(self.stem(x))  # (N, width, H/s, W/s)
        return self.fc(torch.flatten(self.pool(x), 1))  # (N, classes)


@register("plain_stack")
def plain_stack(**kwargs) -> DeepStack:
    """Plain stack of 3 x 3 convolutions (He et al., 2016, section 3.3, at
    toy size): no shortcuts."""
    return DeepStack(residual=False, **kwargs)


@register("residual_stack")
def residual_stack(**kwargs) -> DeepStack:
    """Residual stack of 3 x 3 convolutions (He et al., 2016, section 3.3,
    at toy size): an identity shortcut around every two convolutions."""
    return DeepStack(residual=True, **kwargs)
