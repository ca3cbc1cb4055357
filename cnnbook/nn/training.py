"""A plain training loop for the numpy layer API."""

from __future__ import annotations

import numpy as np

from .._validation import as_generator

__all__ = ["accuracy", "stratified_split", "train_epoch"]


def stratified_split(labels, test_per_class, rng=None):
    """Indices ``(train, test)`` with ``test_per_class`` of each class held
    out, chosen at random; both shuffled.

    Datasets stored sorted by label (such as ``load_mnist_5k``) need this:
    taking the last rows as a test set would hold out only nines.
    """
    rng = as_generator(rng, "stratified_split")
    labels = np.asarray(labels)
    train, test = [], []
    for c in np.unique(labels):
        members = rng.permutation(np.flatnonzero(labels == c))
        if len(members) <= test_per_class:
            raise ValueError(
                f"stratified_split: class {c} has {len(members)} examples, "
                f"not more than test_per_class={test_per_class}"
            )
        test.append(members[:test_per_class])
        train.append(members[test_per_class:])
    return (rng.permutation(np.concatenate(train)),
            rng.permutation(np.concatenate(test)))


def train_epoch(model, criterion, optimizer, images, labels, batch_size=64,
                rng=None, schedule=None, step=0):
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
        batch = order[start:start + batch_size]
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


def accuracy(model, images, labels, batch_size=500):
    """Fraction of ``images`` classified as ``labels`` (evaluation mode)."""
    model.eval()
    correct = 0
    for start in range(0, len(images), batch_size):
        logits = model(images[start:start + batch_size])
        correct += int((logits.argmax(axis=1)
                        == labels[start:start + batch_size]).sum())
    return correct / len(images)
