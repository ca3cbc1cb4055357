"""Chapter 2's figures and the published results they draw."""

import matplotlib

matplotlib.use("Agg")
import re
from pathlib import Path

import matplotlib.pyplot as plt

from cnnbook import plotting
from cnnbook.plotting.history import HUMAN_TOP5, IMAGENET_TOP5, PUBLISHED

BIB = (
    Path(__file__).resolve().parents[1] / "book" / "references.bib"
).read_text()


def test_every_result_cites_a_bibliography_entry():
    keys = set(re.findall(r"^@\w+\{([\w-]+),", BIB, flags=re.M))
    for result in (*IMAGENET_TOP5, HUMAN_TOP5):
        assert result.source in keys, result
        assert result.split in ("test", "val")
        assert 0 < result.top5_error < 30


def test_error_figure_draws_every_result():
    fig = plotting.imagenet_error_figure()
    ax = fig.axes[0]
    assert len(ax.collections) == len(IMAGENET_TOP5)
    labels = [t.get_text() for t in ax.texts]
    assert "ResNet, 6 models: 3.57%" in labels
    assert any("human annotator: 5.1%" in t for t in labels)
    plt.close(fig)


def test_costs_figure_plots_what_it_is_given():
    points = [(1998, "A", 6e4, 3e5), (2012, "B", 6e7, 7e8)]
    fig = plotting.model_costs_figure(points)
    left, right = fig.axes
    assert list(left.collections[0].get_offsets()[:, 1]) == [6e4, 6e7]
    assert list(right.collections[0].get_offsets()[:, 1]) == [3e5, 7e8]
    plt.close(fig)


def test_every_quoted_figure_cites_a_bibliography_entry():
    keys = set(re.findall(r"^@\w+\{([\w-]+),", BIB, flags=re.M))
    assert len(PUBLISHED) > 30
    for name, figure in PUBLISHED.items():
        assert figure.source in keys, name
        assert figure.value > 0 and figure.where, name
