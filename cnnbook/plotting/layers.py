"""Figures for the layer types of chapter 3.

The encyclopedia only names these pictures (its ``generated_image``
figures of the convolution operation, activation functions, pooling and
the CNN architecture); these functions draw them from computed values.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike

from ._common import pyplot

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "activation_figure",
    "conv_geometry_figure",
    "convolution_figure",
    "draw_matrix",
    "feature_map_grid",
    "multichannel_conv_figure",
    "pooling_figure",
    "tensor_pipeline_figure",
]


def draw_matrix(
    ax: Axes,
    values: ArrayLike,
    title: str | None = None,
    fmt: str = "{:g}",
    highlight: Sequence[int] | Sequence[Sequence[int]] | None = None,
    cmap: str = "Blues",
    vmin: float | None = None,
    vmax: float | None = None,
    color: str = "#d62728",
) -> Axes:
    """Draw a small matrix with its numbers written in the cells.

    Parameters
    ----------
    highlight : (row, col, height, width) or list of them, optional
        Rectangles to outline, e.g. the window a kernel covers.
    """
    values = np.asarray(values, dtype=float)
    ax.imshow(values, cmap=cmap, vmin=vmin, vmax=vmax)
    lo, hi = np.nanmin(values), np.nanmax(values)
    mid = (lo + hi) / 2
    for (i, j), v in np.ndenumerate(values):
        ax.text(
            j,
            i,
            fmt.format(v),
            ha="center",
            va="center",
            fontsize=10,
            color="white" if v > mid and hi > lo else "black",
        )
    ax.set_xticks(np.arange(values.shape[1]))
    ax.set_yticks(np.arange(values.shape[0]))
    ax.tick_params(length=0, labelsize=8)
    ax.set_xticks(np.arange(values.shape[1] + 1) - 0.5, minor=True)
    ax.set_yticks(np.arange(values.shape[0] + 1) - 0.5, minor=True)
    ax.grid(which="minor", color="white", linewidth=1.5)
    ax.tick_params(which="minor", length=0)
    if title:
        ax.set_title(title, fontsize=11)
    if highlight is not None:
        from matplotlib.patches import Rectangle

        boxes = highlight if isinstance(highlight, list) else [highlight]
        for r, c, h, w in boxes:
            ax.add_patch(
                Rectangle(
                    (c - 0.5, r - 0.5),
                    w,
                    h,
                    fill=False,
                    edgecolor=color,
                    linewidth=3,
                )
            )
    return ax


def convolution_figure(
    image: ArrayLike,
    kernel: ArrayLike,
    output: ArrayLike,
    position: tuple[int, int] = (0, 0),
) -> Figure:
    """One step of a convolution: window, kernel, products, output cell.

    The encyclopedia's "Convolution Operation" figure: the kernel slides
    over the image; at ``position`` the window's values are multiplied by
    the kernel's element by element and summed into one output value.
    """
    plt = pyplot()
    image, kernel, output = (
        np.asarray(a, float) for a in (image, kernel, output)
    )
    i, j = position
    kh, kw = kernel.shape
    window = image[i : i + kh, j : j + kw]
    fig, axes = plt.subplots(
        1, 4, figsize=(11, 3.2), gridspec_kw={"width_ratios": [5, 3, 3, 3]}
    )
    draw_matrix(axes[0], image, "input $I$", highlight=(i, j, kh, kw))
    draw_matrix(
        axes[1], kernel, "kernel $K$", cmap="RdBu", vmin=-1.5, vmax=1.5
    )
    draw_matrix(
        axes[2],
        window * kernel + 0.0,
        "window $\\odot$ $K$",
        cmap="RdBu",
        vmin=-4,
        vmax=4,
    )
    draw_matrix(
        axes[3],
        output,
        f"output $S$; $S({i},{j})$ = sum",
        highlight=(i, j, 1, 1),
    )
    fig.tight_layout()
    return fig


def activation_figure(
    functions: Mapping[str, Callable[[np.ndarray], np.ndarray]],
    derivatives: Mapping[str, Callable[[np.ndarray], np.ndarray]],
    x: ArrayLike | None = None,
) -> Figure:
    """Activation functions (top row) and their derivatives (bottom row).

    Parameters
    ----------
    functions, derivatives : dict of name -> callable
        The same keys in both, e.g. ``{"ReLU": relu}``.
    """
    plt = pyplot()
    x = np.linspace(-5, 5, 1001) if x is None else np.asarray(x)
    names = list(functions)
    fig, axes = plt.subplots(
        2, len(names), figsize=(3 * len(names), 5), sharex=True
    )
    axes = np.atleast_2d(axes).reshape(2, len(names))
    for k, name in enumerate(names):
        for row, (table, label) in enumerate(
            ((functions, "f(x)"), (derivatives, "f'(x)"))
        ):
            ax = axes[row, k]
            ax.axhline(0, color="0.7", linewidth=0.8)
            ax.axvline(0, color="0.7", linewidth=0.8)
            ax.plot(
                x,
                table[name](x),
                color="C0" if row == 0 else "C3",
                linewidth=2,
            )
            ax.set_title(
                name if row == 0 else f"{name}: derivative", fontsize=10
            )
            ax.set_ylabel(label if k == 0 else "")
            ax.grid(alpha=0.3)
        axes[1, k].set_xlabel("x")
    fig.tight_layout()
    return fig


def pooling_figure(
    x: ArrayLike, max_out: ArrayLike, avg_out: ArrayLike, kernel_size: int = 2
) -> Figure:
    """The 4 x 4 pooling example: regions colored, max and average."""
    plt = pyplot()
    from matplotlib.colors import ListedColormap

    x = np.asarray(x, float)
    regions = np.kron(
        np.arange(4).reshape(2, 2), np.ones((kernel_size, kernel_size))
    )
    colors = ListedColormap(["#c6dbef", "#fdd0a2", "#c7e9c0", "#dadaeb"])
    fig, axes = plt.subplots(
        1, 3, figsize=(9, 3.2), gridspec_kw={"width_ratios": [4, 2, 2]}
    )
    axes[0].imshow(regions, cmap=colors)
    for (i, j), v in np.ndenumerate(x):
        is_max = (
            v == x[i - i % 2 : i - i % 2 + 2, j - j % 2 : j - j % 2 + 2].max()
        )
        axes[0].text(
            j,
            i,
            f"{v:g}",
            ha="center",
            va="center",
            fontsize=12,
            fontweight="bold" if is_max else "normal",
        )
    axes[0].set_title("input (4 x 4), 2 x 2 regions\n(max in bold)")
    axes[1].imshow(np.arange(4).reshape(2, 2), cmap=colors)
    axes[2].imshow(np.arange(4).reshape(2, 2), cmap=colors)
    for ax, out, title in (
        (axes[1], max_out, "max pooling"),
        (axes[2], avg_out, "average pooling"),
    ):
        for (i, j), v in np.ndenumerate(np.asarray(out, float)):
            ax.text(j, i, f"{v:g}", ha="center", va="center", fontsize=12)
        ax.set_title(title)
    for ax in axes:
        ax.set_xticks([])
        ax.set_yticks([])
    fig.tight_layout()
    return fig


def feature_map_grid(
    maps: ArrayLike,
    titles: Sequence[str] | None = None,
    ncols: int = 8,
    cmap: str = "gray",
    suptitle: str | None = None,
    size: float = 1.4,
) -> Figure:
    """A grid of 2-D maps (e.g. the channels of one activation)."""
    plt = pyplot()
    maps = np.asarray(maps)
    n = len(maps)
    ncols = min(ncols, n)
    nrows = -(-n // ncols)
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(size * ncols, size * nrows + 0.4), squeeze=False
    )
    for k, ax in enumerate(axes.flat):
        ax.axis("off")
        if k < n:
            ax.imshow(maps[k], cmap=cmap)
            if titles is not None:
                ax.set_title(titles[k], fontsize=8)
    if suptitle:
        fig.suptitle(suptitle)
    fig.tight_layout()
    return fig


def tensor_pipeline_figure(
    stages: Sequence[tuple[str, Sequence[int]]],
) -> Figure:
    """A CNN drawn as the shapes of the tensors flowing through it.

    Parameters
    ----------
    stages : list of (label, shape)
        ``shape`` is ``(C, H, W)`` for feature maps or ``(n,)`` for
        vectors, e.g. computed by running the model once. Box heights grow
        with H (or with n for vectors), depths with log C. Each box is
        labeled with its shape in the book's order, ``C×H×W``.
    """
    plt = pyplot()
    from matplotlib.patches import Polygon, Rectangle

    fig, ax = plt.subplots(figsize=(max(8, 1.6 * len(stages)), 3.6))
    x = 0.0
    tallest = max(s[1] if len(s) == 3 else np.sqrt(s[0]) for _, s in stages)
    for label, shape in stages:
        if len(shape) == 3:
            c, h, _ = shape
            height = 2.2 * h / tallest + 0.3
            depth = 0.12 + 0.18 * np.log2(c + 1)
            face = "#9ecae1"
            text = f"{c}×{h}×{shape[2]}"
        else:
            (n,) = shape
            height = 2.2 * np.sqrt(n) / tallest + 0.3
            depth = 0.12
            face = "#fdae6b"
            text = f"{n:,}"
        width = 0.25
        y0 = -height / 2
        ax.add_patch(
            Rectangle(
                (x, y0),
                width,
                height,
                facecolor=face,
                edgecolor="k",
                linewidth=0.8,
            )
        )
        ax.add_patch(
            Polygon(
                [
                    (x, y0 + height),
                    (x + depth, y0 + height + depth * 0.6),
                    (x + depth + width, y0 + height + depth * 0.6),
                    (x + width, y0 + height),
                ],
                closed=True,
                facecolor=face,
                edgecolor="k",
                linewidth=0.8,
                alpha=0.7,
            )
        )
        ax.add_patch(
            Polygon(
                [
                    (x + width, y0),
                    (x + width + depth, y0 + depth * 0.6),
                    (x + width + depth, y0 + height + depth * 0.6),
                    (x + width, y0 + height),
                ],
                closed=True,
                facecolor=face,
                edgecolor="k",
                linewidth=0.8,
                alpha=0.5,
            )
        )
        ax.text(
            x + width / 2, y0 - 0.25, text, ha="center", va="top", fontsize=10
        )
        ax.text(
            x + width / 2,
            1.75,
            label,
            ha="center",
            va="bottom",
            fontsize=11,
            rotation=0,
        )
        x += width + depth + 0.7
    ax.set_xlim(-0.3, x)
    ax.set_ylim(-1.9, 2.2)
    ax.axis("off")
    fig.tight_layout()
    return fig


def multichannel_conv_figure(
    input: ArrayLike, weight: ArrayLike, bias: ArrayLike
) -> Figure:
    r"""A convolution with several input and output channels, drawn whole.

    Each row is one filter :math:`o` of the bank: its kernel
    :math:`K_{o,c}` for every input channel, the partial map
    :math:`X_c \star K_{o,c}` each kernel makes from its own channel, and
    the output channel, their sum plus the filter's bias,

    .. math:: Y_o = b_o + \sum_c X_c \star K_{o,c} .

    The input channels are drawn above the partial maps they make.

    Parameters
    ----------
    input : array, shape (C_in, H, W)
    weight : array, shape (C_out, C_in, k_h, k_w)
    bias : array, shape (C_out,)
    """
    from ..functional import conv2d

    x = np.asarray(input, dtype=float)
    w = np.asarray(weight, dtype=float)
    b = np.asarray(bias, dtype=float)
    if (
        x.ndim != 3
        or w.ndim != 4
        or w.shape[1] != x.shape[0]
        or (b.shape != (w.shape[0],))
    ):
        raise ValueError(
            "multichannel_conv_figure: expected input (C_in, H, W), weight "
            "(C_out, C_in, k_h, k_w) and bias (C_out,), got "
            f"{x.shape}, {w.shape} and {b.shape}"
        )
    c_out, c_in = w.shape[:2]
    partial = np.array(
        [
            [
                conv2d(x[None, c : c + 1], w[o : o + 1, c : c + 1])[0, 0]
                for c in range(c_in)
            ]
            for o in range(c_out)
        ]
    )
    output = partial.sum(axis=1) + b[:, None, None]
    # Columns: the kernels | gap | partial (+ partial)... | + b = | output.
    kinds = ["kernel"] * c_in + ["gap", "partial"]
    for _ in range(1, c_in):
        kinds += ["plus", "partial"]
    kinds += ["bias", "output"]
    widths = {
        "kernel": 1,
        "gap": 0.35,
        "partial": 1,
        "plus": 0.3,
        "bias": 0.75,
        "output": 1,
    }
    plt = pyplot()
    fig, axes = plt.subplots(
        1 + c_out,
        len(kinds),
        squeeze=False,
        figsize=(1.2 * len(kinds), 1.65 * (1 + c_out)),
        gridspec_kw={
            "width_ratios": [widths[k] for k in kinds],
            "hspace": 0.55,
            "wspace": 0.15,
        },
    )
    for ax in axes.flat:
        ax.axis("off")
    partial_cols = [i for i, kind in enumerate(kinds) if kind == "partial"]
    shade = 1.2 * np.abs(w).max()  # kernels: diverging colors, 0 white
    for c, col in enumerate(partial_cols):
        axes[0, col].axis("on")
        draw_matrix(
            axes[0, col],
            x[c],
            f"input $X_{c}$",
            cmap="Greys",
            vmin=x.min() - 1,
            vmax=x.max() * 1.6,
        )
    axes[0, 0].text(
        0,
        0.5,
        f"input: {c_in} channels\nfilter bank: {c_out} "
        f"filters\nof shape ({c_in}, {w.shape[2]}, "
        f"{w.shape[3]})",
        transform=axes[0, 0].transAxes,
        va="center",
        fontsize=10,
    )
    for o in range(c_out):
        row = axes[1 + o]
        for c in range(c_in):
            row[c].axis("on")
            draw_matrix(
                row[c],
                w[o, c],
                f"$K_{{{o},{c}}}$",
                cmap="RdBu",
                vmin=-shade,
                vmax=shade,
            )
            col = partial_cols[c]
            row[col].axis("on")
            draw_matrix(
                row[col],
                partial[o, c],
                f"$X_{c} \\star K_{{{o},{c}}}$",
                cmap="Blues",
            )
        sign = "+" if b[o] >= 0 else "\u2212"
        for col, kind in enumerate(kinds):
            if kind in ("plus", "bias"):
                text = "+" if kind == "plus" else f"{sign} {abs(b[o]):g}\n="
                row[col].text(
                    0.5,
                    0.5,
                    text,
                    ha="center",
                    va="center",
                    fontsize=18 if kind == "plus" else 14,
                    transform=row[col].transAxes,
                )
        row[-1].axis("on")
        draw_matrix(row[-1], output[o], f"output $Y_{o}$", cmap="Oranges")
        row[0].set_ylabel(f"filter {o}", fontsize=11)
    return fig


def conv_geometry_figure(
    size: int,
    kernel_size: int,
    stride: int = 1,
    padding: int = 0,
    dilation: int = 1,
    output_position: tuple[int, int] = (0, 0),
) -> Figure:
    """Where one output of a 2-D convolution reads its input.

    Draws the ``size x size`` input inside its zero padding, the input
    positions that output ``output_position`` multiplies by the kernel,
    and the output grid with that output marked. Sizes follow
    :func:`cnnbook.sizes.conv_output_size` (which raises ``ValueError``
    when the kernel does not fit).
    """
    plt = pyplot()
    from matplotlib.patches import Rectangle

    from ..sizes import conv_output_size

    out = conv_output_size(size, kernel_size, stride, padding, dilation)
    r, c = (min(max(v, 0), out - 1) for v in output_position)
    full = size + 2 * padding
    taps = np.arange(kernel_size) * dilation
    rows, cols = r * stride + taps, c * stride + taps  # padded coords
    fig, (left, right) = plt.subplots(
        1, 2, figsize=(8, 4), gridspec_kw={"width_ratios": [full, out]}
    )
    for i in range(full):
        for j in range(full):
            inside = (
                padding <= i < padding + size and padding <= j < padding + size
            )
            left.add_patch(
                Rectangle(
                    (j, full - 1 - i),
                    1,
                    1,
                    facecolor="#deebf7" if inside else "#f0f0f0",
                    edgecolor="0.6",
                    hatch="" if inside else "//",
                    linewidth=0.8,
                )
            )
    for i in rows:
        for j in cols:
            left.add_patch(
                Rectangle(
                    (j, full - 1 - i), 1, 1, facecolor="#d62728", alpha=0.6
                )
            )
    left.set_title(
        f"input {size}x{size} with padding {padding}\n"
        f"(red: the {kernel_size}x{kernel_size} taps of output "
        f"({r}, {c}))",
        fontsize=10,
    )
    for i in range(out):
        for j in range(out):
            right.add_patch(
                Rectangle(
                    (j, out - 1 - i),
                    1,
                    1,
                    edgecolor="0.6",
                    linewidth=0.8,
                    facecolor="#d62728" if (i, j) == (r, c) else "#fee6ce",
                )
            )
    right.set_title(f"output {out}x{out}", fontsize=10)
    for ax, n in ((left, full), (right, out)):
        # A small margin so the outer grid lines are not clipped.
        ax.set_xlim(-0.05, n + 0.05)
        ax.set_ylim(-0.05, n + 0.05)
        ax.set_aspect("equal")
        ax.axis("off")
    fig.tight_layout()
    return fig
