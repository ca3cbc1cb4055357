"""Figures for loss functions (chapter 4)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike

from ._common import pyplot

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["loss_curves_figure"]


def loss_curves_figure(
    curves: Mapping[str, tuple[ArrayLike, ArrayLike]],
    xlabel: str,
    ylim: tuple[float, float] | None = None,
    title: str | None = None,
    second: Mapping[str, tuple[ArrayLike, ArrayLike]] | None = None,
    second_ylabel: str = "gradient",
) -> Figure:
    """Losses as functions of one variable, on shared axes.

    Parameters
    ----------
    curves : dict of name -> (x, y)
    second : dict of name -> (x, y), optional
        Drawn in a second panel (e.g. the gradients), labeled
        ``second_ylabel``.
    ylim : (float, float), optional
        Limits of the first panel's vertical axis.
    """
    plt = pyplot()
    panels = [curves] if second is None else [curves, second]
    fig, axes = plt.subplots(
        1, len(panels), figsize=(5.2 * len(panels), 3.8), squeeze=False
    )
    for ax, panel in zip(axes[0], panels, strict=True):
        for i, (name, (x, y)) in enumerate(panel.items()):
            ax.plot(np.asarray(x), np.asarray(y), color=f"C{i}", label=name)
        ax.set_xlabel(xlabel)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    if ylim is not None:
        axes[0, 0].set_ylim(*ylim)
    axes[0, 0].set_ylabel("loss")
    if second is not None:
        axes[0, 1].set_ylabel(second_ylabel)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig
