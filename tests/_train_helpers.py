"""Shared by the trainer tests: the real 8x8 digits and a tiny CNN."""

from functools import cache

import torch.nn as nn

from cnnbook import data
from cnnbook.data import transforms
from cnnbook.train import TrainConfig, Trainer, seed_everything


class Interrupt(Exception):
    """Stands for Ctrl-C or a killed job."""


def tiny_cnn(width=4, classes=10):
    return nn.Sequential(
        nn.Conv2d(1, width, 3, padding=1),
        nn.ReLU(),
        nn.Dropout(0.2),
        nn.Flatten(),
        nn.Linear(width * 64, classes),
    )


@cache
def digit_splits():
    """The 1,797 real 8x8 digits split 70/15/15 (stratified)."""
    images, labels = data.load_digits_8x8()
    return data.stratified_datasets(images, labels, seed=0)


@cache
def small_splits():
    """A quarter of the training digits and half of the validation
    digits: enough to check mechanics, quick on two cores."""
    train, val, test = digit_splits()
    return (
        train.subset(range(0, len(train), 4)),
        val.subset(range(0, len(val), 2)),
        test,
    )


def make_trainer(digits, folder=None, seed_model=0, **changes):
    train, val, _ = digits
    seed_everything(seed_model)
    model = tiny_cnn()
    options = dict(
        epochs=4,
        batch_size=32,
        lr=3e-3,
        scheduler="onecycle",
        patience=3,
        checkpoint_dir=folder,
        progress=False,
        label_smoothing=0.05,
    )
    options.update(changes)
    augment = transforms.Compose(
        [transforms.RandomAffine(10, (0.1, 0.1)), transforms.ColorJitter(0.1)],
        seed=7,
    )
    return Trainer(
        model, train, val, TrainConfig(**options), train_transform=augment
    )


def weights(trainer):
    return [p.detach().clone() for p in trainer.model.state_dict().values()]
