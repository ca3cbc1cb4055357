"""Figures of data augmentation (chapter 7): each transform applied
several times to the same real images."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike

from ._common import pyplot

if TYPE_CHECKING:
    import torch
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["augmentation_grid", "show_image"]


def show_image(
    ax: Axes,
    image: ArrayLike | torch.Tensor,
    title: str | None = None,
    cmap: str = "gray_r",
) -> Axes:
    """Draw one image ``(C, H, W)`` (tensor or array; 1 or 3 channels,
    values in [0, 1]) on ``ax``, without axes."""
    array = np.asarray(
        image.detach().cpu() if hasattr(image, "detach") else image,
        dtype=np.float32,
    )
    if array.ndim == 3 and array.shape[0] == 1:
        ax.imshow(array[0], cmap=cmap, vmin=0, vmax=1)
    elif array.ndim == 3 and array.shape[0] == 3:
        ax.imshow(np.clip(array.transpose(1, 2, 0), 0, 1))
    else:
        raise ValueError(
            f"show_image: expected (1, H, W) or (3, H, W), got {array.shape}"
        )
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title, fontsize=8)
    return ax


def augmentation_grid(
    image: torch.Tensor,
    transforms: dict,
    samples: int = 5,
    title: str | None = None,
    size: float = 1.3,
    cmap: str = "gray_r",
) -> Figure:
    """One row per transform: the original, then ``samples`` random draws.

    Parameters
    ----------
    image : tensor (C, H, W), values in [0, 1]
    transforms : dict of label -> callable
        Each maps a batch ``(N, C, H, W)`` to a batch (of any H, W).
    """
    import torch

    plt = pyplot()
    rows = len(transforms)
    fig, axes = plt.subplots(
        rows,
        samples + 1,
        figsize=(size * (samples + 1), size * rows),
        squeeze=False,
    )
    batch = image.unsqueeze(0).expand(samples, *image.shape).clone()
    for r, (label, transform) in enumerate(transforms.items()):
        show_image(axes[r, 0], image, "original" if r == 0 else None, cmap)
        axes[r, 0].set_ylabel(
            label, rotation=0, ha="right", va="center", fontsize=9
        )
        with torch.no_grad():
            out = transform(batch)
        for c in range(samples):
            show_image(axes[r, c + 1], out[c], cmap=cmap)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig
