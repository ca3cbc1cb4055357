"""A compact CNN that trains in seconds on a CPU (chapter 10).

Three blocks of a 3 x 3 convolution with stride 2, batch normalization
and ReLU halve the image three times; a linear classifier reads the last
feature map, flattened::

    input (N, 1, 28, 28)
    features.0: conv 3x3/2, w1 -> BN -> ReLU    (N, w1, 14, 14)
    features.1: conv 3x3/2, w2 -> BN -> ReLU    (N, w2, 7, 7)
    features.2: conv 3x3/2, w3 -> BN -> ReLU    (N, w3, 4, 4)
    classifier: flatten -> linear               (N, num_classes) logits

The names follow torchvision's VGG and AlexNet (``features``,
``classifier``), so "the last convolutional block" is
``model.features[-1]``. Strided convolutions instead of max-pooling make
the network about three times cheaper to train on a CPU at this size.
The convolutions have no bias (batch normalization's shift replaces it).
With the default widths (16, 32, 64) and 10 classes at 28 x 28 it has
176 + 4,672 + 18,560 + 10,250 = 33,658 parameters.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch
from torch import nn

from .._validation import check_int
from ..sizes import conv_output_size
from ._base import ImageClassifier
from .registry import register

__all__ = ["CompactCNN", "compact_cnn"]


def _block(in_channels: int, out_channels: int) -> nn.Sequential:
    """conv 3x3 stride 2 (no bias) -> batch norm -> ReLU."""
    return nn.Sequential(
        nn.Conv2d(
            in_channels, out_channels, 3, stride=2, padding=1, bias=False
        ),
        nn.BatchNorm2d(out_channels),
        nn.ReLU(),
    )


class CompactCNN(ImageClassifier):
    """Stride-2 convolutional blocks and one linear classifier.

    Parameters
    ----------
    widths : sequence of int
        Output channels of each block; one block per entry.
    num_classes : int
    in_channels : int
    image_size : int
        Side of the (square) input; the classifier's input size depends
        on it.
    """

    def __init__(
        self,
        widths: Sequence[int] = (16, 32, 64),
        num_classes: int = 10,
        in_channels: int = 1,
        image_size: int = 28,
    ):
        super().__init__()
        func = "CompactCNN"
        if (
            isinstance(widths, (str, bytes))
            or not isinstance(widths, Sequence)
            or len(widths) == 0
        ):
            raise ValueError(
                f"{func}: widths must be a non-empty sequence of channel "
                f"counts, got {widths!r}"
            )
        widths = tuple(
            check_int(w, f"widths[{i}]", func, minimum=1)
            for i, w in enumerate(widths)
        )
        num_classes = check_int(num_classes, "num_classes", func, minimum=1)
        self.in_channels = check_int(
            in_channels, "in_channels", func, minimum=1
        )
        self.image_size = check_int(image_size, "image_size", func, minimum=1)
        side = self.image_size
        for _ in widths:
            side = conv_output_size(side, 3, stride=2, padding=1)
        self.widths = widths
        self.features = nn.Sequential(
            *(
                _block(c_in, c_out)
                for c_in, c_out in zip(
                    (self.in_channels, *widths[:-1]), widths, strict=True
                )
            )
        )
        self.classifier = nn.Sequential(
            nn.Flatten(), nn.Linear(widths[-1] * side * side, num_classes)
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # A quantized copy (chapter 10) receives int8 codes from its
        # Quantize stub; the float input was checked before it.
        if not (isinstance(x, torch.Tensor) and x.is_quantized):
            self.check_input(x)
        return self.classifier(self.features(x))  # (N, num_classes)


@register("compact_cnn")
def compact_cnn(**kwargs: Any) -> CompactCNN:
    """Compact CNN of chapter 10, the book's own (no paper; module names
    as in torchvision's VGG): three 3x3 stride-2 conv-BN-ReLU blocks and a
    linear classifier, 33,658 parameters for 10 classes at 28 x 28."""
    return CompactCNN(**kwargs)
