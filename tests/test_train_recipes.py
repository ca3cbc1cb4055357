"""Chapter 7's recipe: what it configures (training it is the chapter's
job; here only its parts are checked)."""

import torch

from cnnbook import data
from cnnbook.data import transforms
from cnnbook.train import TrainConfig
from cnnbook.train.recipes import mnist_cnn_recipe


def test_recipe_parts():
    train, _, _ = data.mnist_5k_splits()
    config, augment, normalize = mnist_cnn_recipe(train.images, seed=3)
    assert isinstance(config, TrainConfig)
    assert (config.optimizer, config.lr, config.scheduler) == (
        "sgd",
        0.1,
        "onecycle",
    )
    assert config.nesterov and config.label_smoothing == 0.1
    assert config.patience == 10 and config.seed == 3
    # the recipe leaves the progress bar to TrainConfig's default (chapters
    # must show it; CNNBOOK_PROGRESS=0 hides it in make notebooks/nbval)
    assert config.progress == TrainConfig().progress
    # normalization with the training digits' own statistics
    out = normalize(train.images)
    assert abs(float(out.mean())) < 1e-4
    assert abs(float(out.std()) - 1) < 1e-3
    # augmentation never flips: the last step is the normalization, the
    # first a RandomAffine with small ranges
    first, last = augment.transforms
    assert isinstance(first, transforms.RandomAffine) and last is normalize
    assert first.degrees == (-10.0, 10.0) and first.scale == (0.9, 1.1)
    # seeded: two recipes with the same seed augment identically
    again = mnist_cnn_recipe(train.images, seed=3)[1]
    batch = train.images[:8]
    assert torch.equal(augment(batch), again(batch))
    assert (
        mnist_cnn_recipe(train.images, epochs=5, patience=None)[0].patience
        is None
    )
