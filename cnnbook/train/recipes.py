"""Recipes: a configuration plus the transforms it trains with.

A recipe is the answer to "how do I train this model on these images?",
written down so that a chapter, a benchmark and a reader's own run use
exactly the same thing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .config import TrainConfig

if TYPE_CHECKING:
    import torch

    from ..data.transforms import Compose, Normalize

__all__ = ["mnist_cnn_recipe"]


def mnist_cnn_recipe(
    train_images: torch.Tensor, epochs: int = 20, seed: int = 0, **changes: Any
) -> tuple[TrainConfig, Compose, Normalize]:
    """How chapter 7 trains the simple MNIST CNN on 3,500 real digits.

    Chosen on the validation set (never the test set) among a handful of
    variants (Adam/AdamW/SGD, learning rates, 20 or 30 epochs, batch 32
    or 64):

    - augmentation: small random rotations (+-10 degrees), shifts (up to
      10% of the side) and zooms (0.9-1.1), never flips (a mirrored digit
      is another symbol);
    - normalization with the training images' own mean and standard
      deviation;
    - SGD with Nesterov momentum 0.9, weight decay 5e-4, one-cycle
      schedule peaking at lr 0.1;
    - label smoothing 0.1; the model's own dropout (0.5);
    - early stopping with the encyclopedia's patience of 10 epochs.

    Returns
    -------
    config : TrainConfig
    train_transform : augmentation followed by normalization
    eval_transform : normalization only
    """
    from ..data.transforms import Compose, Normalize, RandomAffine

    normalize = Normalize.from_data(train_images)
    augment = Compose(
        [
            RandomAffine(degrees=10, translate=(0.1, 0.1), scale=(0.9, 1.1)),
            normalize,
        ],
        seed=seed,
    )
    options = dict(
        epochs=epochs,
        batch_size=64,
        optimizer="sgd",
        lr=0.1,
        momentum=0.9,
        nesterov=True,
        weight_decay=5e-4,
        scheduler="onecycle",
        label_smoothing=0.1,
        patience=10,
        seed=seed,
    )
    options.update(changes)
    return TrainConfig(**options), augment, normalize
