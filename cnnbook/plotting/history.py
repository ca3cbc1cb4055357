"""Figures for chapter 2, the history of CNNs, and the published results
they draw.

:data:`IMAGENET_TOP5` lists ImageNet (ILSVRC) classification results as
their papers or the challenge's report give them, each with its source
(a key of ``book/references.bib``), whether it is an ensemble, and on
which split it was measured. The results are what was published; nothing
here is measured by the book.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from ._common import pyplot

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "IMAGENET_TOP5",
    "HUMAN_TOP5",
    "PUBLISHED",
    "Published",
    "Result",
    "imagenet_error_figure",
    "model_costs_figure",
]


class Result(NamedTuple):
    """One published ImageNet top-5 classification error."""

    year: float  # when it was published (fractional: month / 12)
    name: str
    top5_error: float  # percent
    ensemble: bool | None  # several models combined; None: a challenge
    # entry whose make-up the source does not break down
    split: str  # "test" or "val"
    source: str  # bibtex key


IMAGENET_TOP5 = (
    Result(
        2010.9,
        "NEC-UIUC (ILSVRC 2010)",
        28.2,
        None,
        "test",
        "russakovsky2015imagenet",
    ),
    Result(
        2011.9,
        "XRCE (ILSVRC 2011)",
        25.8,
        None,
        "test",
        "russakovsky2015imagenet",
    ),
    Result(
        2012.9, "AlexNet, 7 CNNs", 15.3, True, "test", "krizhevsky2012imagenet"
    ),
    Result(
        2012.9, "AlexNet, 1 CNN", 18.2, False, "val", "krizhevsky2012imagenet"
    ),
    Result(
        2013.9,
        "Clarifai (ILSVRC 2013)",
        11.7,
        None,
        "test",
        "russakovsky2015imagenet",
    ),
    Result(
        2014.7,
        "VGG, 7 nets (ILSVRC 2014)",
        7.3,
        True,
        "test",
        "simonyan2015very",
    ),
    Result(
        2014.7, "GoogLeNet, 7 models", 6.67, True, "test", "szegedy2015going"
    ),
    Result(2015.1, "PReLU-net", 4.94, True, "test", "he2015delving"),
    Result(2015.2, "BN-Inception", 4.8, True, "test", "ioffe2015batch"),
    Result(2015.9, "ResNet, 6 models", 3.57, True, "test", "he2016deep"),
    Result(2015.9, "ResNet-152, 1 model", 4.49, False, "val", "he2016deep"),
    Result(2017.7, "SENet (ILSVRC 2017)", 2.25, True, "test", "hu2018squeeze"),
    Result(
        2019.4,
        "EfficientNet-B7, 1 model",
        2.9,
        False,
        "val",
        "tan2019efficientnet",
    ),
)

# One trained annotator, 1,500 test images (Russakovsky et al., 2015).
HUMAN_TOP5 = Result(
    2014.7, "human annotator", 5.1, False, "test", "russakovsky2015imagenet"
)


class Published(NamedTuple):
    """One figure quoted from a paper: its value, the paper (a key of
    ``book/references.bib``) and where in it the figure stands."""

    value: float
    source: str
    where: str


# Figures that chapter 2 quotes and cannot recompute (results on data it
# does not have, counts stated by the papers). Each is typed here once;
# the chapter and its errata read them from this table.
PUBLISHED = {
    # LeCun et al. (1989): "1256 units, 64,660 connections, and 9760
    # independent parameters".
    "zipcode_units": Published(1256, "lecun1989backpropagation", "sec. 5"),
    "zipcode_connections": Published(
        64_660, "lecun1989backpropagation", "sec. 5"
    ),
    "zipcode_parameters": Published(
        9_760, "lecun1989backpropagation", "sec. 5"
    ),
    # LeNet-5 test error on MNIST (%), without and with distortions.
    "lenet5_error": Published(0.95, "lecun1998gradient", "sec. III.C"),
    "lenet5_error_distorted": Published(
        0.8, "lecun1998gradient", "sec. III.C"
    ),
    # Training-set sizes: MNIST's 60,000 digits, ILSVRC's 1.28 million
    # images.
    "mnist_train": Published(60_000, "lecun1998gradient", "sec. III.A"),
    "ilsvrc_train": Published(1_281_167, "russakovsky2015imagenet", "Table 2"),
    # AlexNet (ILSVRC 2012), top-5 and top-1 errors in %.
    "alexnet_ensemble_cnns": Published(7, "krizhevsky2012imagenet", "Tab. 2"),
    "alexnet_runner_up": Published(26.2, "krizhevsky2012imagenet", "Tab. 2"),
    "alexnet_top1_2010": Published(37.5, "krizhevsky2012imagenet", "Tab. 1"),
    "alexnet_top5_2010": Published(17.0, "krizhevsky2012imagenet", "Tab. 1"),
    "alexnet_top1_2012": Published(36.7, "krizhevsky2012imagenet", "Tab. 2"),
    "alexnet_relu_speedup": Published(6, "krizhevsky2012imagenet", "Fig. 1"),
    "alexnet_gpu_memory_gb": Published(
        3, "krizhevsky2012imagenet", "sec. 3.2"
    ),
    "alexnet_batch": Published(128, "krizhevsky2012imagenet", "sec. 5"),
    "alexnet_augmentation": Published(
        2048, "krizhevsky2012imagenet", "sec. 4.1"
    ),
    # VGG: 7 networks in the challenge, 2 after it (top-5 test, %).
    "vgg_challenge_nets": Published(7, "simonyan2015very", "Table 7"),
    "vgg_two_nets_top5": Published(6.8, "simonyan2015very", "Table 7"),
    # GoogLeNet: the winning entry and one model on one crop (top-5, %).
    "googlenet_models": Published(7, "szegedy2015going", "Table 3"),
    "googlenet_crops": Published(144, "szegedy2015going", "Table 3"),
    "googlenet_single_top5": Published(10.07, "szegedy2015going", "Table 3"),
    # ResNet: GFLOPs (multiply-adds) of Table 1; top-5 errors (%, val):
    # 10-crop of Table 3, single model of Table 4.
    "resnet18_gflops": Published(1.8, "he2016deep", "Table 1"),
    "resnet34_gflops": Published(3.6, "he2016deep", "Table 1"),
    "resnet50_gflops": Published(3.8, "he2016deep", "Table 1"),
    "resnet101_gflops": Published(7.6, "he2016deep", "Table 1"),
    "resnet152_gflops": Published(11.3, "he2016deep", "Table 1"),
    "resnet34_top5_10crop": Published(7.76, "he2016deep", "Table 3"),
    "resnet50_top5_10crop": Published(6.71, "he2016deep", "Table 3"),
    "resnet101_top5_10crop": Published(6.05, "he2016deep", "Table 3"),
    "resnet101_top5_single": Published(4.60, "he2016deep", "Table 4"),
    "resnet_ensemble_models": Published(6, "he2016deep", "Table 5"),
    # SENet: SE-ResNet-50's parameters (millions) and the 2017 entry.
    "se_resnet50_params_m": Published(28.09, "hu2018squeeze", "Table 2"),
    "senet_entry_top5": Published(2.251, "hu2018squeeze", "sec. 7"),
    # EfficientNet (Table 2): parameters (millions), FLOPs (billions of
    # multiply-adds); B7 top-5 accuracy (%) of arXiv v1.
    "efficientnet_b0_params_m": Published(
        5.3, "tan2019efficientnet", "Table 2"
    ),
    "efficientnet_b0_gflops": Published(
        0.39, "tan2019efficientnet", "Table 2"
    ),
    "efficientnet_b7_params_m": Published(
        66, "tan2019efficientnet", "Table 2"
    ),
    "efficientnet_b7_gflops": Published(37, "tan2019efficientnet", "Table 2"),
    "efficientnet_b7_top5_acc": Published(
        97.1, "tan2019efficientnet", "abstract, v1"
    ),
}


def imagenet_error_figure(
    results: Sequence[Result] = IMAGENET_TOP5, human: Result = HUMAN_TOP5
) -> Figure:
    """Published ImageNet top-5 error by year: ensembles (filled circles),
    single models (open circles) and challenge entries not broken down
    (gray squares), on a log scale, with the human reference."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(8.5, 4.6))
    for r in results:
        if r.ensemble is None:
            style = dict(marker="s", facecolors="0.6", edgecolors="0.4")
        elif r.ensemble:
            style = dict(marker="o", facecolors="C0", edgecolors="C0")
        else:
            style = dict(marker="o", facecolors="white", edgecolors="C3")
        ax.scatter(
            r.year, r.top5_error, s=45, zorder=3, linewidths=1.6, **style
        )
        # Two results of early 2015 sit on top of each other: one label
        # goes left.
        left = r.name == "BN-Inception"
        ax.annotate(
            f"{r.name}: {r.top5_error:g}%",
            (r.year, r.top5_error),
            xytext=(-6 if left else 6, -3 if left else 3),
            textcoords="offset points",
            fontsize=7.5,
            va="center",
            ha="right" if left else "left",
        )
    ax.axhline(human.top5_error, color="0.4", linestyle="--", linewidth=1)
    ax.text(
        2010.1,
        human.top5_error * 1.05,
        f"{human.name}: {human.top5_error:g}%",
        fontsize=8,
        color="0.3",
    )
    ax.set_yscale("log")
    ax.set_yticks([2, 3, 5, 10, 20, 30])
    ax.set_yticklabels(["2", "3", "5", "10", "20", "30"])
    ax.set_yticks([], minor=True)
    ax.set_xlim(2010, 2021.5)
    ax.set_xlabel("year published")
    ax.set_ylabel("top-5 error (%)")
    ax.set_title(
        "ImageNet top-5 error as published (filled: ensembles, "
        "open: single models, squares: challenge entries)",
        fontsize=10,
    )
    ax.grid(alpha=0.3, which="both")
    return fig


def model_costs_figure(
    points: Sequence[tuple[float, str, int, int]],
) -> Figure:
    """Parameters and MACs of each model against its year.

    Parameters
    ----------
    points : sequence of (year, name, parameters, macs)
        Computed by the book from the instantiated models.
    """
    plt = pyplot()
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    years = np.array([p[0] for p in points], dtype=float)
    for ax, column, label in (
        (axes[0], 2, "parameters"),
        (axes[1], 3, "MACs per image"),
    ):
        values = np.array([p[column] for p in points], dtype=float)
        ax.scatter(years, values, color="C0", zorder=3)
        placed = []
        for year, value, point in zip(years, values, points, strict=True):
            # Move a label down when an earlier one sits close by.
            near = sum(
                1
                for y, v in placed
                if abs(y - year) <= 1 and abs(np.log(v / value)) < 0.3
            )
            placed.append((year, value))
            ax.annotate(
                point[1],
                (year, value),
                xytext=(5, 2 - 9 * near),
                textcoords="offset points",
                fontsize=7.5,
            )
        ax.set_yscale("log")
        ax.set_xlabel("year")
        ax.set_ylabel(label)
        ax.set_xlim(years.min() - 1, years.max() + 3)
        ax.grid(alpha=0.3, which="both")
    axes[0].set_title("Parameters (computed from the models)", fontsize=10)
    axes[1].set_title(
        "MACs at each model's input size (computed)", fontsize=10
    )
    fig.tight_layout()
    return fig
