"""Figures for optimization: paths on a loss surface, learning-rate
schedules (chapters 4 and 8)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike

from ._common import pyplot

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["loss_surface_figure", "schedule_figure"]


def loss_surface_figure(
    loss: Callable[[np.ndarray, np.ndarray], np.ndarray],
    paths: Mapping[str, ArrayLike],
    xlim: tuple[float, float],
    ylim: tuple[float, float],
    minimum: tuple[float, float] | None = None,
    levels: int = 20,
    title: str | None = None,
    log_levels: bool = True,
) -> Figure:
    """Contours of a 2-D loss with the paths optimizers took over it.

    Parameters
    ----------
    loss : callable
        ``loss(x, y)`` on arrays (vectorized).
    paths : dict of name -> array (steps + 1, 2)
        The points each optimizer visited, the start first.
    xlim, ylim : (float, float)
    minimum : (float, float), optional
        Marked with a star.
    """
    plt = pyplot()
    xs = np.linspace(*xlim, 300)
    ys = np.linspace(*ylim, 300)
    grid_x, grid_y = np.meshgrid(xs, ys)
    values = loss(grid_x, grid_y)
    fig, ax = plt.subplots(figsize=(7.5, 5))
    if log_levels:
        low = max(values.min(), 1e-3)
        contour_levels = np.geomspace(low, values.max(), levels)
    else:
        contour_levels = levels
    ax.contour(
        grid_x,
        grid_y,
        values,
        levels=contour_levels,
        cmap="Greys",
        linewidths=0.7,
    )
    for i, (name, path) in enumerate(paths.items()):
        path = np.asarray(path)
        ax.plot(
            path[:, 0],
            path[:, 1],
            "-o",
            ms=2.5,
            lw=1.3,
            color=f"C{i}",
            label=f"{name} ({len(path) - 1} steps)",
        )
    start = np.asarray(next(iter(paths.values())))[0]
    ax.plot(*start, "ks", ms=7, label="start")
    if minimum is not None:
        ax.plot(*minimum, "*", color="gold", mec="k", ms=15, label="minimum")
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_xlabel("$w_1$")
    ax.set_ylabel("$w_2$")
    ax.legend(fontsize=8, loc="upper right")
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return fig


def schedule_figure(
    schedules: Mapping[str, Sequence[float]],
    xlabel: str = "step",
    log: bool = False,
    title: str | None = None,
) -> Figure:
    """Learning rate against step for several schedules, one panel each.

    ``schedules`` maps a name to a sequence of learning rates.
    """
    plt = pyplot()
    n = len(schedules)
    fig, axes = plt.subplots(1, n, figsize=(3.3 * n, 2.9), squeeze=False)
    for ax, (i, (name, lrs)) in zip(
        axes[0], enumerate(schedules.items()), strict=True
    ):
        ax.plot(np.arange(len(lrs)), lrs, color=f"C{i}")
        ax.set_title(name, fontsize=10)
        ax.set_xlabel(xlabel)
        if log:
            ax.set_yscale("log")
        ax.grid(alpha=0.3)
    axes[0, 0].set_ylabel("learning rate")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig
