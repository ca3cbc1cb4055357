"""Figures and widgets: built from the same tested functions."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pytest

import cnnbook.functional as cf
from cnnbook import plotting, widgets


def test_conv_explorer_text_substitutes_the_numbers():
    assert widgets.conv_explorer_text(32, 3, 2, 1, 1) == (
        "floor((32 + 2*1 - 3) / 2) + 1 = floor(31 / 2) + 1 = 16"
    )
    assert "spans 5" in widgets.conv_explorer_text(7, 3, 1, 0, 2)
    assert widgets.conv_explorer_text(3, 7, 1, 0, 1).startswith("No output: ")


def test_conv_explorer_redraws_when_a_slider_moves():
    box = widgets.conv_explorer(size=7, kernel_size=3)
    controls, formula = box.children[0], box.children[1]
    assert "= 5</code>" in formula.value
    stride = controls.children[0].children[2]
    stride.value = 2
    assert "= 3</code>" in formula.value


def explorer_controls(box):
    """(geometry sliders by name, output row slider, column slider)."""
    geometry, position = box.children[0].children
    names = ("size", "kernel_size", "stride", "padding", "dilation")
    return dict(zip(names, geometry.children, strict=True)), *position.children


def test_conv_explorer_position_sliders_span_the_output():
    box = widgets.conv_explorer(size=7, kernel_size=3, stride=2, padding=1)
    geometry, row, col = explorer_controls(box)
    assert (row.max, col.max) == (3, 3)  # a 4 x 4 output
    row.value, col.value = 3, 2
    geometry["stride"].value = 3  # 3 x 3 output: row 3 no longer exists
    assert (row.max, col.max) == (2, 2)
    assert (row.value, col.value) == (2, 2)
    assert "= 3</code>" in box.children[1].value
    geometry["size"].value = 12
    geometry["stride"].value = 1
    geometry["padding"].value = 3  # 16 x 16 output
    assert (row.max, col.max) == (15, 15)
    assert (row.value, col.value) == (2, 2)  # growing keeps the position
    assert not row.disabled


def test_conv_explorer_position_sliders_are_disabled_without_output():
    box = widgets.conv_explorer(size=3, kernel_size=3)
    geometry, row, col = explorer_controls(box)
    assert (row.max, row.disabled) == (0, False)  # one output
    geometry["dilation"].value = 2  # a 5-wide kernel on 3 inputs
    assert box.children[1].value.startswith("<code>No output")
    assert (row.max, col.max, row.value) == (0, 0, 0)
    assert row.disabled and col.disabled
    geometry["dilation"].value = 1
    assert not (row.disabled or col.disabled)


def test_conv_explorer_draws_each_change_once(monkeypatch):
    drawn = []
    real = plotting.conv_geometry_figure

    def spy(*args, output_position):
        drawn.append((args, output_position))
        return real(*args, output_position=output_position)

    monkeypatch.setattr(plotting, "conv_geometry_figure", spy)
    box = widgets.conv_explorer(size=7, kernel_size=3, stride=2, padding=1)
    geometry, row, col = explorer_controls(box)
    row.value, col.value = 3, 3
    assert drawn[-1] == ((7, 3, 2, 1, 1), (3, 3))
    del drawn[:]
    geometry["stride"].value = 3  # moves row and col: one drawing
    assert drawn == [((7, 3, 3, 1, 1), (2, 2))]
    plt.close("all")


def test_conv_geometry_marks_the_taps():
    fig = plotting.conv_geometry_figure(5, 3, 2, 1, 1, (1, 1))
    left, right = fig.axes
    red = [
        p
        for p in left.patches
        if p.get_facecolor()[0] > 0.8 and p.get_facecolor()[1] < 0.3
    ]
    assert len(red) == 9  # the 3 x 3 taps of one output
    assert len(right.patches) == 9  # a 3 x 3 output
    plt.close(fig)
    with pytest.raises(ValueError, match="output would be empty"):
        plotting.conv_geometry_figure(3, 7)


def test_figures_have_their_panels():
    image = np.arange(25.0).reshape(5, 5)
    kernel = np.ones((3, 3))
    out = cf.conv2d(image[None, None], kernel[None, None])[0, 0]
    assert len(plotting.convolution_figure(image, kernel, out).axes) == 4
    fns = {"ReLU": cf.relu, "tanh": cf.tanh}
    dfs = {"ReLU": cf.relu_derivative, "tanh": cf.tanh_derivative}
    assert len(plotting.activation_figure(fns, dfs).axes) == 4
    x = np.arange(16.0).reshape(4, 4)
    assert len(plotting.pooling_figure(x, x[:2, :2], x[:2, :2]).axes) == 3
    fig = plotting.tensor_pipeline_figure(
        [("in", (1, 28, 28)), ("fc", (128,))]
    )
    assert len(fig.axes[0].patches) == 6  # three faces per box
    labels = [t.get_text() for t in fig.axes[0].texts]
    assert "1×28×28" in labels and "128" in labels  # C x H x W, as printed
    assert (
        len(plotting.feature_map_grid(np.zeros((5, 4, 4)), ncols=3).axes) == 6
    )
    plt.close("all")


def test_multichannel_figure_draws_each_filter_as_a_sum():
    x = np.arange(18.0).reshape(2, 3, 3)
    w = np.ones((3, 2, 2, 2))
    fig = plotting.multichannel_conv_figure(x, w, np.array([1.0, 0, -1]))
    rows = np.asarray(fig.axes).reshape(4, -1)  # inputs + 3 filters
    # Columns: 2 kernels, a gap, partial + partial, "+ b =", the output.
    assert rows.shape[1] == 2 + 1 + 3 + 1 + 1
    out = cf.conv2d(x[None], w, np.array([1.0, 0, -1]))[0]
    shown = [float(t.get_text()) for t in rows[3, -1].texts]
    assert shown == out[2].ravel().tolist()  # filter 2's output channel
    assert rows[3, -2].texts[0].get_text() == "\u2212 1\n="
    with pytest.raises(ValueError, match="multichannel_conv_figure"):
        plotting.multichannel_conv_figure(x, np.ones((3, 1, 2, 2)), [0] * 3)
    plt.close("all")
