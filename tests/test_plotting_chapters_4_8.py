"""The figures of chapters 4 and 8: they draw what they are given."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

import cnnbook.functional as cf
from cnnbook import plotting


def test_rot180_figure_outlines_the_window_of_one_entry(rng):
    x = rng.normal(size=(5, 5))
    w = np.array([[1.0, -1.0], [2.0, 0.0]])
    delta = rng.normal(size=(4, 4))
    grad_x = cf.correlate2d(delta, w[::-1, ::-1], "full")
    fig = plotting.rot180_figure(delta, w, grad_x, position=(2, 1))
    padded, kernel, rotated, result = fig.axes
    # the rotated kernel is drawn: its top-left cell shows w[1, 1]
    texts = [t.get_text() for t in rotated.texts]
    assert texts[0] == f"{w[1, 1]:.1f}" and texts[-1] == f"{w[0, 0]:.1f}"
    assert len(padded.texts) == 6 * 6  # delta padded by k - 1 = 1
    assert len(result.patches) == 1 and len(padded.patches) == 1
    plt.close(fig)
    assert x.shape == (5, 5)


def test_loss_surface_draws_one_line_per_path():
    paths = {
        "a": np.array([[1.0, 1.0], [0.5, 0.5], [0.0, 0.0]]),
        "b": np.array([[1.0, 1.0], [0.0, 0.9]]),
    }
    fig = plotting.loss_surface_figure(
        lambda u, v: u**2 + v**2 + 0.01,
        paths,
        (-2, 2),
        (-2, 2),
        minimum=(0, 0),
    )
    ax = fig.axes[0]
    labels = [line.get_label() for line in ax.get_lines()]
    assert "a (2 steps)" in labels and "b (1 steps)" in labels
    np.testing.assert_array_equal(
        ax.get_lines()[0].get_xdata(), paths["a"][:, 0]
    )
    plt.close(fig)


def test_schedule_figure_one_panel_per_schedule():
    fig = plotting.schedule_figure({"a": [1, 2, 3], "b": [3, 2]}, log=True)
    assert len(fig.axes) == 2
    assert fig.axes[0].get_yscale() == "log"
    assert list(fig.axes[1].get_lines()[0].get_ydata()) == [3, 2]
    plt.close(fig)


def test_activation_statistics_with_and_without_histograms():
    stds = {"He": [1.0, 0.9, 1.1], "small": [1e-2, 1e-4, 1e-6]}
    fig = plotting.activation_statistics_figure(stds)
    assert len(fig.axes) == 1 and len(fig.axes[0].get_lines()) == 2
    plt.close(fig)
    hist = {"He": {1: np.ones(10), 3: np.arange(5.0)}}
    fig = plotting.activation_statistics_figure(stds, histograms=hist)
    assert len(fig.axes) == 1 + 2  # the curves, one histogram per layer
    plt.close(fig)


def test_loss_curves_with_a_second_panel():
    x = np.linspace(0.1, 1, 5)
    fig = plotting.loss_curves_figure(
        {"ce": (x, -np.log(x))},
        "p",
        ylim=(0, 3),
        second={"g": (x, x)},
        second_ylabel="grad",
    )
    first, second = fig.axes
    assert first.get_ylim() == (0, 3)
    assert second.get_ylabel() == "grad"
    plt.close(fig)
