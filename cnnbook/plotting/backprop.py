"""Figures for backpropagation through a convolution (chapter 4)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike

from ._common import pyplot
from .layers import draw_matrix

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["rot180_figure"]


def rot180_figure(
    delta: ArrayLike,
    kernel: ArrayLike,
    grad_input: ArrayLike,
    position: tuple[int, int] = (0, 0),
) -> Figure:
    """The input gradient as a full correlation with the rotated kernel.

    Draws the output gradient zero-padded by ``k - 1`` on every side, the
    kernel, the kernel rotated by 180 degrees, and the resulting input
    gradient, with the window that produces ``grad_input[position]``
    outlined.
    """
    plt = pyplot()
    delta = np.asarray(delta, dtype=float)
    kernel = np.asarray(kernel, dtype=float)
    kh, kw = kernel.shape
    padded = np.pad(delta, ((kh - 1, kh - 1), (kw - 1, kw - 1)))
    rotated = kernel[::-1, ::-1]
    fig, axes = plt.subplots(
        1,
        4,
        figsize=(13, 3.6),
        gridspec_kw={
            "width_ratios": [padded.shape[1], kw, kw, grad_input.shape[1]]
        },
    )
    r, c = position
    fmt = "{:.1f}"
    draw_matrix(
        axes[0],
        padded,
        r"$\delta$ padded by $k-1$",
        fmt=fmt,
        highlight=(r, c, kh, kw),
        cmap="RdBu_r",
        vmin=-np.abs(padded).max(),
        vmax=np.abs(padded).max(),
    )
    draw_matrix(axes[1], kernel, "kernel $w$", fmt=fmt, cmap="PuOr")
    draw_matrix(axes[2], rotated, "rot180($w$)", fmt=fmt, cmap="PuOr")
    limit = np.abs(grad_input).max()
    draw_matrix(
        axes[3],
        grad_input,
        r"$\partial\mathcal{L}/\partial x$",
        fmt=fmt,
        highlight=(r, c, 1, 1),
        cmap="RdBu_r",
        vmin=-limit,
        vmax=limit,
    )
    fig.suptitle(
        r"$\partial\mathcal{L}/\partial x$ = full correlation of "
        r"$\delta$ with the kernel rotated by 180°"
        " (outlined: one window and the entry it gives)",
        fontsize=10,
    )
    fig.tight_layout()
    return fig
