"""Figures of chapters 5 and 6, drawn from the data they are given."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from cnnbook import plotting
from cnnbook.models.googlenet import INCEPTION_MODULES


def texts(fig):
    return [t.get_text() for ax in fig.axes for t in ax.texts]


def test_inception_module_figure_shows_the_table_row():
    spec = INCEPTION_MODULES["inception4e"]
    fig = plotting.inception_module_figure(spec, "inception (4e)")
    shown = " ".join(texts(fig))
    for number in (
        spec.in_channels,
        spec.ch1x1,
        spec.ch3x3red,
        spec.ch3x3,
        spec.ch5x5red,
        spec.ch5x5,
        spec.pool_proj,
        spec.out_channels,
    ):
        assert str(number) in shown
    plt.close(fig)


def test_residual_block_figure():
    fig = plotting.residual_block_figure(width=128)
    assert sum("conv 3x3, 128" in t for t in texts(fig)) == 2
    plt.close(fig)


def test_footprints_report_span_and_pixels():
    reach = np.zeros((9, 9))
    reach[2:7:2, 2:7:2] = 1.0  # a dilated 3x3
    fig = plotting.receptive_field_footprints({"d2": reach})
    assert fig.axes[0].get_title() == "d2\nspan 5, 9 pixels"
    plt.close(fig)


def test_separable_speedup_curve_is_the_formula():
    channels = [8, 64, 512]
    fig = plotting.separable_speedup_figure(channels, kernel_size=3)
    curve = fig.axes[0].lines[0].get_ydata()
    np.testing.assert_allclose(curve, [8 * 9 / 17, 64 * 9 / 73, 512 * 9 / 521])
    assert fig.axes[0].lines[1].get_ydata()[0] == 9
    plt.close(fig)


def test_separable_speedup_marks_sit_on_the_curve():
    fig = plotting.separable_speedup_figure(
        [8, 64, 512], kernel_size=3, marked={"block 1": 64}
    )
    mark = fig.axes[0].lines[-1]
    assert mark.get_xdata()[0] == 64
    assert mark.get_ydata()[0] == 64 * 9 / 73
    assert fig.axes[0].texts[0].get_text() == "block 1"
    plt.close(fig)


def test_gradient_norms_figure_keeps_zeros_visible():
    fig = plotting.gradient_norms_figure({"a": [0.0, 1e-3, 1.0]})
    y = fig.axes[0].lines[0].get_ydata()
    assert y[0] > 0 and y[-1] == 1.0  # zeros clipped for the log scale
    plt.close(fig)
