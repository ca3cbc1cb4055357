"""Small networks built from the numpy layers."""

from __future__ import annotations

import numpy as np
from numpy.typing import DTypeLike

from .._validation import as_generator, check_int, check_pair
from .layers import Conv2d, Flatten, Linear, MaxPool2d, ReLU
from .module import Sequential

__all__ = ["small_cnn"]


def small_cnn(
    num_classes: int = 10,
    channels: tuple[int, int] = (16, 32),
    image_size: int = 28,
    rng: np.random.Generator | int | None = None,
    dtype: DTypeLike = np.float32,
) -> Sequential:
    """A two-block CNN for 1-channel digits, in numpy.

    ``conv 3x3 (pad 1) -> ReLU -> max-pool 2 -> conv 3x3 (pad 1) -> ReLU
    -> max-pool 2 -> flatten -> linear``. With the defaults (28 x 28
    digits, 16 and 32 channels) it has 20,490 parameters:
    160 + 4,640 + 15,690.
    """
    func = "small_cnn"
    rng = as_generator(rng, func)
    num_classes = check_int(num_classes, "num_classes", func, minimum=1)
    c1, c2 = check_pair(channels, "channels", func, minimum=1)
    # two 2x2 poolings must leave at least one pixel
    image_size = check_int(image_size, "image_size", func, minimum=4)
    side = image_size // 2 // 2
    return Sequential(
        Conv2d(1, c1, 3, padding=1, rng=rng, dtype=dtype),
        ReLU(),
        MaxPool2d(2),
        Conv2d(c1, c2, 3, padding=1, rng=rng, dtype=dtype),
        ReLU(),
        MaxPool2d(2),
        Flatten(),
        Linear(c2 * side * side, num_classes, rng=rng, dtype=dtype),
    )
