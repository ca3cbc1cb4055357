r"""A small CNN with one knob per design idea, for experiments on digits.

Chapter 6 asks what the design ideas of VGG and ResNet buy, one at a
time, on real 28 x 28 digits that a CPU trains on in seconds.
:class:`SmallCNN` changes one thing at a time:

- ``width``: the channels of every convolution (width);
- ``blocks``: how many blocks each stage stacks (depth);
- ``kernel_sizes``: the convolutions of one block, e.g. ``(3, 3)`` for
  VGG's two stacked 3 x 3 convolutions or ``(5,)`` for one 5 x 5 with the
  same receptive field;
- ``residual``: add each block's input to its output, as ResNet does.

Layout (shapes for a 28 x 28 digit and the default two stages)::

    stem    conv 3x3 (C_in -> width), BN, act, max-pool 2  (N, width, 14, 14)
    stage1  blocks[0] blocks                               (N, width, 14, 14)
    stage2  max-pool 2, blocks[1] blocks                   (N, width, 7, 7)
    head    global average pool, linear                    (N, num_classes)

A block applies its convolutions (padding ``k // 2``: the size is kept),
each followed by batch norm and the activation; with ``residual=True``
the block's input is added before the last activation,
``act(F(x) + x)`` (He et al., 2016, Figure 2). Every convolution maps
``width`` channels to ``width`` channels, so a block of two 3 x 3 has
:math:`2 \cdot 9 C^2 = 18 C^2` weights against :math:`25 C^2` for one
5 x 5, the comparison of Simonyan and Zisserman (2015, section 2.3), and
the identity shortcut needs no projection.

Parameters at the defaults (width 8, one block of two 3 x 3 per stage,
batch norm): stem 9 * 8 + 2 * 8 = 88, each block 2 * (9 * 64 + 2 * 8) =
1,184, head 8 * 10 + 10 = 90; in all 88 + 2 * 1,184 + 90 = 2,546.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch
import torch.nn as nn

from .._validation import check_int
from ._base import ImageClassifier
from .registry import register

# The factory is reached as get_model("small_cnn"); it is not exported, so
# that `small_cnn` names one thing, cnnbook.nn.small_cnn (chapter 4).
__all__ = ["ACTIVATIONS", "SmallBlock", "SmallCNN"]

#: The activations a SmallCNN may use, by name.
ACTIVATIONS = {"relu": torch.relu, "tanh": torch.tanh}


def _check_activation(activation, func: str) -> str:
    if activation not in ACTIVATIONS:
        raise ValueError(
            f"{func}: activation must be one of {sorted(ACTIVATIONS)}, "
            f"got {activation!r}"
        )
    return activation


class SmallBlock(nn.Module):
    r"""Convolutions of ``width`` channels with batch norm and an
    activation; ``act(F(x) + x)`` if ``residual``, else ``act(F(x))``.

    .. math:: F(x) = \mathrm{BN}_n(W_n * \ldots\,
        \mathrm{act}(\mathrm{BN}_1(W_1 * x)))
    """

    def __init__(
        self,
        width: int,
        kernel_sizes: Sequence[int] = (3, 3),
        residual: bool = False,
        batch_norm: bool = True,
        activation: str = "relu",
    ):
        super().__init__()
        self.residual = residual
        self.activation = _check_activation(activation, "SmallBlock")
        self.convs = nn.ModuleList(
            nn.Conv2d(width, width, k, padding=k // 2, bias=not batch_norm)
            for k in kernel_sizes
        )
        self.norms = nn.ModuleList(
            nn.BatchNorm2d(width) if batch_norm else nn.Identity()
            for _ in kernel_sizes
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        act = ACTIVATIONS[self.activation]
        out = x
        for i, conv in enumerate(self.convs):
            out = self.norms[i](conv(out))  # (N, width, H, W): size kept
            if i < len(self.convs) - 1:
                out = act(out)
        return act(out + x if self.residual else out)  # act(F(x) + x)


class SmallCNN(ImageClassifier):
    """A stem, stages of blocks at one width, global average pooling and a
    linear classifier (see the module's docstring for the layout).

    Parameters
    ----------
    width : int
        Channels of every convolution.
    blocks : int or sequence of int
        Blocks in each stage; an int gives two stages of that many. Each
        stage after the first halves the size with a 2 x 2 max-pool.
    kernel_sizes : sequence of odd int
        Kernel sizes of the convolutions of one block, in order.
    residual : bool
        Identity shortcut around each block.
    batch_norm : bool
        Batch norm after each convolution (then the convolutions have no
        bias, which the norm's shift would cancel).
    activation : {"relu", "tanh"}
    num_classes, in_channels : int
    """

    def __init__(
        self,
        width: int = 8,
        blocks: int | Sequence[int] = 1,
        kernel_sizes: Sequence[int] = (3, 3),
        residual: bool = False,
        batch_norm: bool = True,
        activation: str = "relu",
        num_classes: int = 10,
        in_channels: int = 1,
    ):
        super().__init__()
        func = "SmallCNN"
        width = check_int(width, "width", func, minimum=1)
        if isinstance(blocks, (int, bool)):
            blocks = (check_int(blocks, "blocks", func, minimum=0),) * 2
        if not isinstance(blocks, Sequence) or not blocks:
            raise TypeError(
                f"{func}: blocks must be an int or a non-empty sequence of "
                f"ints, got {blocks!r}"
            )
        self.blocks = tuple(
            check_int(b, f"blocks[{i}]", func, minimum=0)
            for i, b in enumerate(blocks)
        )
        if not isinstance(kernel_sizes, Sequence) or not kernel_sizes:
            raise TypeError(
                f"{func}: kernel_sizes must be a non-empty sequence of "
                f"odd ints, got {kernel_sizes!r}"
            )
        for i, k in enumerate(kernel_sizes):
            k = check_int(k, f"kernel_sizes[{i}]", func, minimum=1)
            if k % 2 == 0:
                raise ValueError(
                    f"{func}: kernel_sizes[{i}] must be odd (padding k // 2"
                    f" keeps the size only for odd k), got {k}"
                )
        self.activation = _check_activation(activation, func)
        num_classes = check_int(num_classes, "num_classes", func, minimum=1)
        self.in_channels = check_int(
            in_channels, "in_channels", func, minimum=1
        )
        # The stem and each later stage halve the size.
        self.min_size = 2 ** len(self.blocks)
        self.stem = nn.Sequential(
            nn.Conv2d(in_channels, width, 3, padding=1, bias=not batch_norm),
            nn.BatchNorm2d(width) if batch_norm else nn.Identity(),
            nn.ReLU() if activation == "relu" else nn.Tanh(),
            nn.MaxPool2d(2),
        )
        for s, count in enumerate(self.blocks):
            layers = [nn.MaxPool2d(2)] if s > 0 else []
            layers += [
                SmallBlock(
                    width, kernel_sizes, residual, batch_norm, activation
                )
                for _ in range(count)
            ]
            self.add_module(f"stage{s + 1}", nn.Sequential(*layers))
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(width, num_classes)

    def check_input(self, x: torch.Tensor) -> None:
        """Rank, channels, and a side of at least ``min_size``."""
        super().check_input(x)
        if min(x.shape[2:]) < self.min_size:
            raise ValueError(
                f"SmallCNN: expected input of shape (N, {self.in_channels},"
                f" H, W) with H, W >= {self.min_size}, got "
                f"{tuple(x.shape)}"
            )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.check_input(x)
        x = self.stem(x)  # (N, width, H/2, W/2)
        for s in range(len(self.blocks)):
            x = getattr(self, f"stage{s + 1}")(x)  # (N, width, H/2^(s+1),.)
        return self.fc(torch.flatten(self.pool(x), 1))  # (N, num_classes)


@register("small_cnn")
def small_cnn(**kwargs: Any) -> SmallCNN:
    """A small CNN with one knob per design idea of VGG (Simonyan and
    Zisserman, 2015) and ResNet (He et al., 2016): width, blocks per
    stage, kernel sizes, residual shortcuts; for chapter 6's experiments on
    28 x 28 digits, 2,546 parameters at the defaults."""
    return SmallCNN(**kwargs)
