"""Augmentation grids show the original and each random draw."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch

from cnnbook import plotting
from cnnbook.data import transforms


def test_grid_has_a_row_per_transform_and_shows_the_draws():
    image = torch.rand(1, 8, 8)
    flip = transforms.RandomHorizontalFlip(p=1.0)
    fig = plotting.augmentation_grid(
        image,
        {"flip": flip, "crop": transforms.RandomResizedCrop(8, seed=0)},
        samples=3,
    )
    assert len(fig.axes) == 2 * 4
    shown = fig.axes[1].images[0].get_array()
    np.testing.assert_allclose(shown, image[0].flip(-1).numpy())
    plt.close(fig)


def test_show_image_color_and_errors():
    fig, ax = plt.subplots()
    plotting.show_image(ax, torch.rand(3, 4, 5))
    assert ax.images[0].get_array().shape == (4, 5, 3)
    with pytest.raises(ValueError, match=r"\(1, H, W\) or \(3, H, W\)"):
        plotting.show_image(ax, np.zeros((2, 4, 4)))
    plt.close(fig)
