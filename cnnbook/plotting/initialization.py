"""Figures for weight initialization (chapter 4)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np

from ._common import pyplot

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["activation_statistics_figure"]


def activation_statistics_figure(
    stds: Mapping[str, Sequence[float]],
    histograms: Mapping[str, Mapping[int, np.ndarray]] | None = None,
    title: str | None = None,
) -> Figure:
    """How the spread of activations evolves through a deep stack.

    Parameters
    ----------
    stds : dict of scheme -> sequence of floats
        Standard deviation of the activations after each layer.
    histograms : dict of scheme -> dict of layer -> 1-D array, optional
        Activation values to draw as histograms (one row per scheme).
    """
    plt = pyplot()
    if histograms:
        layers = sorted({k for h in histograms.values() for k in h})
        fig = plt.figure(figsize=(11, 3.2 + 1.6 * len(histograms)))
        grid = fig.add_gridspec(
            1 + len(histograms),
            len(layers),
            height_ratios=[2.2] + [1] * len(histograms),
        )
        top = fig.add_subplot(grid[0, :])
    else:
        fig, top = plt.subplots(figsize=(8, 3.6))
    for i, (name, values) in enumerate(stds.items()):
        values = np.asarray(values, dtype=float)
        top.semilogy(
            np.arange(1, len(values) + 1),
            values,
            "-o",
            ms=3,
            color=f"C{i}",
            label=name,
        )
    from matplotlib.ticker import MaxNLocator

    top.xaxis.set_major_locator(MaxNLocator(integer=True))
    top.set_xlabel("layer")
    top.set_ylabel("std of activations")
    top.grid(alpha=0.3, which="both")
    top.legend(fontsize=8)
    if histograms:
        names = list(stds)
        for r, (name, per_layer) in enumerate(histograms.items(), start=1):
            for c, layer in enumerate(layers):
                ax = fig.add_subplot(grid[r, c])
                values = np.asarray(per_layer[layer]).ravel()
                ax.hist(
                    values,
                    bins=60,
                    color=f"C{names.index(name) if name in names else r}",
                )
                ax.set_yticks([])
                ax.tick_params(labelsize=7)
                if r == 1:
                    ax.set_title(f"layer {layer}", fontsize=9)
                if c == 0:
                    ax.set_ylabel(name, fontsize=8)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig
