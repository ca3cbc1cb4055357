"""Figures of a training run (chapters 7 and 11): learning curves, the
overfitting gap, learning-rate schedules and the LR finder."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._common import pyplot

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from ..train.history import History
    from ..train.lr_finder import LRFinderResult

__all__ = ["history_figure", "lr_finder_figure", "lr_schedule_figure"]


def history_figure(
    history: History,
    title: str | None = None,
    best: bool = True,
    stopped_at: int | None = None,
    gap: bool = False,
) -> Figure:
    """Loss and accuracy per epoch, training beside validation.

    Parameters
    ----------
    history : cnnbook.train.History
    best : bool
        Mark the epoch of the lowest validation loss.
    stopped_at : int, optional
        Mark where early stopping stopped.
    gap : bool
        Add a third panel with the overfitting indicator
        ``val_loss - train_loss`` (and its eval-mode version if recorded).
    """
    plt = pyplot()
    ncols = 3 if gap else 2
    fig, axes = plt.subplots(1, ncols, figsize=(4.6 * ncols, 3.6))
    epochs = history["epoch"]
    columns = history.columns
    pairs = [("loss", axes[0]), ("acc", axes[1])]
    for metric, ax in pairs:
        for prefix, style, label in (
            ("train", "-", "training (train mode)"),
            ("train_eval", ":", "training (eval mode)"),
            ("val", "-", "validation"),
        ):
            key = f"{prefix}_{metric}"
            if key in columns:
                ax.plot(
                    epochs,
                    history[key],
                    style,
                    marker="o",
                    markersize=3,
                    label=label,
                    color={"train": "C0", "train_eval": "C0", "val": "C1"}[
                        prefix
                    ],
                )
        ax.set_xlabel("epoch")
        ax.set_ylabel("loss" if metric == "loss" else "accuracy")
        ax.grid(alpha=0.3)
    if best and "val_loss" in columns:
        b = history.best_epoch("val_loss")
        for ax in axes[:2]:
            ax.axvline(
                b,
                color="C2",
                linestyle="--",
                linewidth=1,
                label=f"best val loss (epoch {b})",
            )
    if stopped_at is not None:
        for ax in axes[:2]:
            ax.axvline(
                stopped_at,
                color="C3",
                linestyle=":",
                linewidth=1.5,
                label=f"early stop (epoch {stopped_at})",
            )
    if gap:
        ax = axes[2]
        ax.plot(
            epochs,
            history.overfitting_gap(),
            marker="o",
            markersize=3,
            label="val - train (train mode)",
            color="C4",
        )
        if "train_eval_loss" in columns:
            ax.plot(
                epochs,
                history.overfitting_gap("train_eval_loss"),
                marker="s",
                markersize=3,
                color="C5",
                label="val - train (eval mode)",
            )
        ax.axhline(0, color="black", linewidth=0.8)
        ax.set_xlabel("epoch")
        ax.set_ylabel(r"$\mathcal{L}_{val} - \mathcal{L}_{train}$")
        ax.set_title("overfitting indicator", fontsize=10)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    axes[0].legend(fontsize=7)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def lr_schedule_figure(
    traces: dict,
    steps_per_epoch: int,
    title: str | None = None,
    styles: dict | None = None,
) -> Figure:
    """Learning rate against epoch for several schedules.

    ``traces`` maps a label to the per-batch rates
    (:func:`cnnbook.train.lr_trace`); ``styles`` optionally maps a label
    to a matplotlib line style (to tell overlapping lines apart)."""
    plt = pyplot()
    styles = styles or {}
    fig, ax = plt.subplots(figsize=(7, 3.6))
    for label, lrs in traces.items():
        ax.plot(
            [k / steps_per_epoch for k in range(len(lrs))],
            lrs,
            styles.get(label, "-"),
            label=label,
        )
    ax.set_xlabel("epoch")
    ax.set_ylabel("learning rate")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return fig


def lr_finder_figure(
    result: LRFinderResult, title: str = "Learning-rate range test"
) -> Figure:
    """Loss against learning rate (log scale), with the usual picks."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6.5, 3.6))
    ax.plot(
        result.lrs,
        result.losses,
        color="0.75",
        linewidth=0.8,
        label="batch loss",
    )
    ax.plot(result.lrs, result.smoothed, color="C0", label="smoothed")
    for lr, style, label in (
        (result.steepest_lr, "--", "steepest descent"),
        (result.suggestion(), ":", "min-loss rate / 10"),
    ):
        ax.axvline(lr, color="C3", linestyle=style, label=f"{label}: {lr:.1e}")
    ax.set_xscale("log")
    top = max(result.smoothed[0] * 1.5, min(result.smoothed) * 2)
    ax.set_ylim(min(result.losses) * 0.9, top)
    ax.set_xlabel("learning rate")
    ax.set_ylabel("training loss")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig
