"""Figures of training runs: they draw the numbers they are given."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pytest

from cnnbook import plotting
from cnnbook.train import History, LRFinderResult, TrainConfig, lr_trace


def history():
    return History(
        [
            {
                "epoch": e,
                "train_loss": 1 / e,
                "val_loss": 0.5 + abs(e - 3) / 10,
                "train_acc": 0.5 + e / 20,
                "val_acc": 0.6 + e / 30,
                "train_eval_loss": 0.9 / e,
                "train_eval_acc": 0.55 + e / 20,
            }
            for e in range(1, 7)
        ]
    )


def test_history_figure_draws_each_curve():
    fig = plotting.history_figure(history(), stopped_at=6, gap=True)
    loss_ax, acc_ax, gap_ax = fig.axes
    labels = [line.get_label() for line in loss_ax.lines]
    assert labels[:3] == [
        "training (train mode)",
        "training (eval mode)",
        "validation",
    ]
    np.testing.assert_allclose(
        loss_ax.lines[2].get_ydata(), history()["val_loss"]
    )
    assert any(
        "best val loss (epoch 3)" == line.get_label() for line in loss_ax.lines
    )
    np.testing.assert_allclose(
        gap_ax.lines[0].get_ydata(), history().overfitting_gap()
    )
    assert len(acc_ax.lines) == 5
    plt.close(fig)


def test_lr_schedule_figure_x_is_in_epochs():
    config = TrainConfig(epochs=4, lr=0.1, scheduler="cosine")
    fig = plotting.lr_schedule_figure({"cosine": lr_trace(config, 10)}, 10)
    x = fig.axes[0].lines[0].get_xdata()
    assert x[0] == 0 and x[-1] == pytest.approx(3.9)
    plt.close(fig)


def test_lr_finder_figure_marks_the_picks():
    lrs = list(np.logspace(-5, 0, 30))
    losses = [2.3 - np.exp(-((np.log10(lr) + 2) ** 2)) for lr in lrs]
    losses[-5:] = [5, 6, 7, 8, 9]
    result = LRFinderResult(lrs, losses, losses)
    fig = plotting.lr_finder_figure(result)
    labels = [line.get_label() for line in fig.axes[0].lines]
    assert any(label.startswith("steepest descent") for label in labels)
    assert result.min_loss_lr == pytest.approx(1e-2, rel=0.5)
    plt.close(fig)
