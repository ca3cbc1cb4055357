"""A plain training loop for the numpy layer API."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from .._validation import as_generator, check_int

if TYPE_CHECKING:
    from ..optim import Optimizer
    from .criteria import CrossEntropyLoss
    from .module import Module

__all__ = ["predict", "train_epoch"]


def train_epoch(
    model: Module,
    criterion: CrossEntropyLoss,
    optimizer: Optimizer,
    images: np.ndarray,
    labels: np.ndarray,
    batch_size: int = 64,
    rng: np.random.Generator | int | None = None,
    schedule: Callable[[int], float] | None = None,
    step: int = 0,
) -> tuple[float, int]:
    """One pass over the data in shuffled mini-batches; returns the mean
    loss and the next step number.

    Each step is the whole of training: forward, loss, backward (from the
    loss's gradient to every parameter), optimizer step. ``schedule``, a
    function step -> learning rate (see :mod:`cnnbook.schedules`), sets the
    learning rate before each step.
    """
    rng = as_generator(rng, "train_epoch")
    model.train()
    order = rng.permutation(len(images))
    total = 0.0
    for start in range(0, len(order), batch_size):
        batch = order[start : start + batch_size]
        if schedule is not None:
            optimizer.lr = schedule(step)
        optimizer.zero_grad()
        logits = model(images[batch])
        loss = criterion(logits, labels[batch])
        model.backward(criterion.backward(), input_grad=False)
        optimizer.step()
        total += float(loss) * len(batch)
        step += 1
    return total / len(order), step


def predict(
    model: Module, images: np.ndarray, batch_size: int = 500
) -> np.ndarray:
    """The class the model predicts for each image (evaluation mode).

    The index of the largest logit, computed ``batch_size`` images at a
    time so that the activations of a large set need not fit in memory at
    once. Score them with :mod:`cnnbook.metrics`:
    ``metrics.accuracy(predict(model, images), labels)``.
    """
    batch_size = check_int(batch_size, "batch_size", "predict", minimum=1)
    if len(images) == 0:
        raise ValueError("predict: images is empty (nothing to classify)")
    model.eval()
    classes = [
        model(images[start : start + batch_size]).argmax(axis=1)
        for start in range(0, len(images), batch_size)
    ]
    return np.concatenate(classes)
