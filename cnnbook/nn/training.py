"""A plain training loop for the numpy layer API."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from .._validation import (
    as_array,
    as_generator,
    as_labels,
    check_callable,
    check_int,
)

if TYPE_CHECKING:
    from ..optim import Optimizer
    from .criteria import CrossEntropyLoss
    from .module import Module

__all__ = ["predict", "train_epoch"]


def _check_model(model, func: str) -> None:
    from .module import Module

    if not isinstance(model, Module):
        raise TypeError(
            f"{func}: model must be a cnnbook.nn.Module (layers of the numpy "
            f"API), got {type(model).__name__}"
        )


def _check_images(images, func: str) -> np.ndarray:
    images = as_array(images, "images", func)
    if images.ndim < 2:
        raise ValueError(
            f"{func}: images must have a batch axis, (N, ...), got shape "
            f"{images.shape}"
        )
    if len(images) == 0:
        raise ValueError(f"{func}: images is empty (no examples)")
    return images


def _check_parts(model, criterion, optimizer, images, labels):
    """``train_epoch``'s model, criterion, optimizer and data, checked;
    returns the images and labels as arrays."""
    func = "train_epoch"
    _check_model(model, func)
    for name, value, methods, example in (
        ("criterion", criterion, ("__call__", "backward"), "CrossEntropyLoss"),
        ("optimizer", optimizer, ("zero_grad", "step"), "cnnbook.optim.SGD"),
    ):
        if not all(callable(getattr(value, m, None)) for m in methods):
            raise TypeError(
                f"{func}: {name} must have the methods "
                f"{' and '.join(methods)} (such as {example}), got "
                f"{type(value).__name__}"
            )
    images = _check_images(images, func)
    labels = as_labels(labels, "labels", func)
    if len(labels) != len(images):
        raise ValueError(
            f"{func}: labels must hold one class per image, got "
            f"{len(labels)} labels for {len(images)} images"
        )
    return images, labels


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
    func = "train_epoch"
    images, labels = _check_parts(model, criterion, optimizer, images, labels)
    batch_size = check_int(batch_size, "batch_size", func, minimum=1)
    step = check_int(step, "step", func, minimum=0)
    if schedule is not None:
        check_callable(schedule, "schedule", func)
    rng = as_generator(rng, func)
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
    func = "predict"
    _check_model(model, func)
    batch_size = check_int(batch_size, "batch_size", func, minimum=1)
    images = _check_images(images, func)
    model.eval()
    classes = [
        model(images[start : start + batch_size]).argmax(axis=1)
        for start in range(0, len(images), batch_size)
    ]
    return np.concatenate(classes)
