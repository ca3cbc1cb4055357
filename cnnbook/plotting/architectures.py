"""Figures for the architecture chapters (5 and 6).

They draw the figures the encyclopedia only names, the residual block
(``generated_image:231``) and the Inception module
(``generated_image:234``), and what chapter 5 computes: where a
dilated kernel reads, how the separable speed-up grows with the number of
channels, and how large the gradients are that reach each layer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike

from ._common import pyplot

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from ..models.googlenet import InceptionSpec

__all__ = [
    "gradient_norms_figure",
    "inception_module_figure",
    "receptive_field_footprints",
    "residual_block_figure",
    "separable_speedup_figure",
]

_BOX = dict(boxstyle="round,pad=0.35", linewidth=1.2)


def _box(ax, x, y, text, color="#deebf7", size=9):
    ax.text(
        x,
        y,
        text,
        ha="center",
        va="center",
        fontsize=size,
        bbox=dict(_BOX, facecolor=color, edgecolor="0.3"),
    )


def _arrow(ax, start, end, **kwargs):
    style = dict(arrowstyle="->", color="0.25", linewidth=1.3)
    style.update(kwargs)
    ax.annotate("", xy=end, xytext=start, arrowprops=style)


def residual_block_figure(width: int = 64) -> Figure:
    """A basic residual block: two 3 x 3 convolutions with batch norm, the
    identity shortcut around them, the addition and the last ReLU."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(5.2, 6.2))
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 13)
    ax.axis("off")
    steps = [
        (12, "input $x$", "#f0f0f0"),
        (10.4, f"conv 3x3, {width}", "#deebf7"),
        (9.2, "batch norm", "#e5f5e0"),
        (8.0, "ReLU", "#fee6ce"),
        (6.8, f"conv 3x3, {width}", "#deebf7"),
        (5.6, "batch norm", "#e5f5e0"),
        (3.6, "add: $\\mathcal{F}(x) + x$", "#fde0dd"),
        (2.2, "ReLU", "#fee6ce"),
        (0.8, "output $y$", "#f0f0f0"),
    ]
    for y, text, color in steps:
        _box(ax, 4, y, text, color)
    for (y0, _, _), (y1, _, _) in zip(steps, steps[1:], strict=False):
        _arrow(ax, (4, y0 - 0.45), (4, y1 + 0.45))
    # The shortcut: out of the input, down the right side, into the add.
    ax.plot([5.2, 8.3, 8.3], [12, 12, 3.6], color="C3", linewidth=2)
    _arrow(ax, (8.3, 3.6), (6.1, 3.6), color="C3", linewidth=2)
    ax.text(
        8.5, 8, "identity\nshortcut $x$", color="C3", fontsize=9, va="center"
    )
    ax.text(1.2, 8, "$\\mathcal{F}(x)$", fontsize=12, va="center", color="C0")
    ax.plot([1.9, 1.9], [10.6, 5.4], color="C0", linewidth=1)
    ax.set_title(
        "Residual block: $y = \\mathrm{ReLU}(\\mathcal{F}(x) + x)$",
        fontsize=11,
    )
    return fig


def inception_module_figure(
    spec: InceptionSpec, name: str = "inception (3a)"
) -> Figure:
    """An Inception module with its channel counts (Figure 2b of Szegedy
    et al.), from an :class:`~cnnbook.models.googlenet.InceptionSpec`."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(9, 5.2))
    ax.set_xlim(0, 16)
    ax.set_ylim(0, 10)
    ax.axis("off")
    _box(ax, 8, 9.2, f"input: {spec.in_channels} channels", "#f0f0f0", 10)
    columns = [
        (2, [f"1x1 conv, {spec.ch1x1}"]),
        (6, [f"1x1 conv, {spec.ch3x3red}", f"3x3 conv, {spec.ch3x3}"]),
        (10, [f"1x1 conv, {spec.ch5x5red}", f"5x5 conv, {spec.ch5x5}"]),
        (14, ["3x3 max-pool", f"1x1 conv, {spec.pool_proj}"]),
    ]
    for x, boxes in columns:
        ys = [6.9, 4.6] if len(boxes) == 2 else [5.75]
        _arrow(ax, (8, 8.75), (x, ys[0] + 0.45))
        for y, text in zip(ys, boxes, strict=True):
            color = (
                "#fee6ce"
                if "pool" in text
                else ("#e5f5e0" if text.startswith("1x1") else "#deebf7")
            )
            _box(ax, x, y, text, color)
        if len(boxes) == 2:
            _arrow(ax, (x, ys[0] - 0.45), (x, ys[1] + 0.45))
        _arrow(ax, (x, ys[-1] - 0.45), (8, 2.45))
    _box(
        ax, 8, 2.0, f"concatenate: {spec.out_channels} channels", "#fde0dd", 10
    )
    ax.text(
        8,
        0.8,
        "green: 1x1 reductions (the bottlenecks); the pooling "
        "branch is projected by a 1x1 as well",
        ha="center",
        fontsize=8.5,
        color="0.3",
    )
    ax.set_title(
        f"Inception module with dimension reductions: {name}", fontsize=11
    )
    return fig


def receptive_field_footprints(footprints: dict, title: str = "") -> Figure:
    """Draw which input pixels reach one output unit, one panel per stack.

    Parameters
    ----------
    footprints : dict of str -> 2-D array
        For each stack, the absolute gradient of the center output with
        respect to the input (non-zero where the unit reads).
    """
    plt = pyplot()
    names = list(footprints)
    fig, axes = plt.subplots(1, len(names), figsize=(2.9 * len(names), 3.3))
    axes = np.atleast_1d(axes)
    for ax, name in zip(axes, names, strict=True):
        reach = np.asarray(footprints[name]) > 0
        ax.imshow(reach, cmap="Blues", vmin=0, vmax=1.4)
        size = reach.shape[0]
        ax.set_xticks(np.arange(size + 1) - 0.5, minor=True)
        ax.set_yticks(np.arange(size + 1) - 0.5, minor=True)
        ax.grid(which="minor", color="white", linewidth=0.6)
        ax.tick_params(
            which="both", length=0, labelbottom=False, labelleft=False
        )
        rows = np.flatnonzero(reach.any(axis=1))
        span = rows[-1] - rows[0] + 1 if len(rows) else 0
        ax.set_title(
            f"{name}\nspan {span}, {int(reach.sum())} pixels", fontsize=9
        )
    if title:
        fig.suptitle(title, fontsize=11)
    fig.tight_layout(rect=(0, 0, 1, 0.9 if title else 1))
    return fig


def separable_speedup_figure(
    out_channels: ArrayLike,
    kernel_size: int = 3,
    marked: dict | None = None,
) -> Figure:
    r"""Predicted speed-up of a depthwise separable convolution,
    :math:`C_\text{out}k^2 / (k^2 + C_\text{out})`, against the number of
    output channels, with its limit :math:`k^2`.

    ``marked`` maps labels to output-channel counts to point out on the
    curve (the widths of a real network's layers, say).
    """
    plt = pyplot()
    c = np.asarray(out_channels, dtype=float)
    k2 = kernel_size**2
    ratio = c * k2 / (k2 + c)
    fig, ax = plt.subplots(figsize=(6.4, 3.8))
    ax.plot(c, ratio, "-", label="$C_{out}k^2/(k^2 + C_{out})$")
    ax.axhline(k2, color="C3", linestyle="--", label=f"limit $k^2$ = {k2}")
    ax.plot(
        c,
        c,
        color="0.6",
        linestyle=":",
        label="$C_{out}$ (the encyclopedia's limit)",
    )
    for label, channels in (marked or {}).items():
        value = channels * k2 / (k2 + channels)
        ax.plot([channels], [value], "o", color="C1")
        ax.annotate(
            label,
            (channels, value),
            textcoords="offset points",
            xytext=(0, -14),
            ha="center",
            fontsize=8,
        )
    ax.set_xscale("log", base=2)
    ax.set_ylim(0, 2 * k2)
    ax.set_xlabel("output channels $C_{out}$")
    ax.set_ylabel("standard / separable cost")
    ax.set_title(
        f"{kernel_size}x{kernel_size} depthwise separable "
        "convolution: predicted speed-up",
        fontsize=11,
    )
    ax.legend(fontsize=8, loc="upper left")
    ax.grid(alpha=0.3)
    return fig


def gradient_norms_figure(curves: dict, title: str = "") -> Figure:
    """Gradient norm of each block's first convolution, one line per
    network (log scale), so that vanishing and exploding show as slopes.

    Parameters
    ----------
    curves : dict of str -> sequence of float
        Label -> norms, first block first.
    """
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(7, 4))
    for label, norms in curves.items():
        norms = np.asarray(norms, dtype=float)
        blocks = np.arange(1, len(norms) + 1)
        ax.semilogy(
            blocks, np.maximum(norms, 1e-30), "o-", markersize=3, label=label
        )
    ax.set_xlabel("block (1 = nearest the input)")
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.set_ylabel("gradient norm of the block's first conv")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=8)
    if title:
        ax.set_title(title, fontsize=11)
    return fig
