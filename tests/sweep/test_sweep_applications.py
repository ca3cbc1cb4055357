"""Sweep of chapter 9's modules: the screening metrics of cnnbook.metrics,
cnnbook.detection, cnnbook.multitask (numpy and PyTorch), the composed
scenes and the scikit-image loaders."""

import numpy as np
import pytest
import torch
from _cases import case, check

from cnnbook import detection, metrics, multitask
from cnnbook.data import scikit_image
from cnnbook.data.scenes import compose_digit_scenes
from cnnbook.models.multitask import MultiTaskLoss
from cnnbook.train.multitask import fit_multitask

pytestmark = pytest.mark.sweep
SWEEP_MODULE = "metrics"

ME, DE, MT, SC, SK = (
    "metrics",
    "detection",
    "multitask",
    "data.scenes",
    "data.scikit_image",
)
DIGITS = np.zeros((4, 1, 28, 28), np.float32)

ERRORS = [
    case(
        ME,
        "sensitivity lengths differ",
        lambda: metrics.sensitivity([1, 0], [1]),
        ValueError,
        "sensitivity: pred and target",
        "same length",
    ),
    case(
        ME,
        "sensitivity float decisions",
        lambda: metrics.sensitivity([0.5, 1.0], [1, 0]),
        TypeError,
        "sensitivity: pred",
        "0/1 labels (int or bool)",
    ),
    case(
        ME,
        "specificity a label 2",
        lambda: metrics.specificity([2, 0], [1, 0]),
        ValueError,
        "specificity: pred",
        "only 0 and 1",
    ),
    case(
        ME,
        "predictive_values prevalence above 1",
        lambda: metrics.predictive_values(0.9, 0.9, 1.5),
        ValueError,
        "predictive_values: prevalence",
        "<= 1",
    ),
    case(
        ME,
        "predictive_values a string",
        lambda: metrics.predictive_values("a", 0.9, 0.1),
        TypeError,
        "predictive_values: sensitivity",
        "real number",
    ),
    case(
        ME,
        "roc_curve 2-d scores",
        lambda: metrics.roc_curve([[0.1]], [1]),
        ValueError,
        "roc_curve: scores",
        "1-d array",
    ),
    case(
        ME,
        "roc_auc one class only",
        lambda: metrics.roc_auc([0.1, 0.2], [1, 1]),
        ValueError,
        "target",
        "both classes",
    ),
    case(
        ME,
        "calibration_curve no bins",
        lambda: metrics.calibration_curve([0.1, 0.2], [0, 1], 0),
        ValueError,
        "calibration_curve: num_bins",
        ">= 1",
    ),
    case(
        ME,
        "calibration_curve probability above 1",
        lambda: metrics.calibration_curve([1.5, 0.2], [0, 1], 5),
        ValueError,
        "calibration_curve: probs",
        "[0, 1]",
    ),
    case(
        ME,
        "wilson_interval more successes than trials",
        lambda: metrics.wilson_interval(5, 3),
        ValueError,
        "wilson_interval: successes",
        "<= total",
    ),
    case(
        ME,
        "iou_per_class shapes differ",
        lambda: metrics.iou_per_class([0, 1], [0], 2),
        ValueError,
        "iou_per_class: pred",
        "same shape",
    ),
    case(
        DE,
        "box_iou three coordinates",
        lambda: detection.box_iou([[0, 0, 1]], [[0, 0, 1, 1]]),
        ValueError,
        "box_iou: boxes1",
        "(M, 4)",
    ),
    case(
        DE,
        "box_iou an inverted box",
        lambda: detection.box_iou([[2, 0, 1, 1]], [[0, 0, 1, 1]]),
        ValueError,
        "box_iou: boxes1",
        "x1 >= x0",
    ),
    case(
        DE,
        "center_targets a box outside the image",
        lambda: detection.center_targets([[0, 0, 40, 40]], [0], 1, 32),
        ValueError,
        "center_targets: boxes",
        "inside the 32 x 32 image",
    ),
    case(
        DE,
        "center_focal_loss shapes differ",
        lambda: detection.center_focal_loss(
            np.zeros((1, 1, 4, 4)), np.zeros((1, 1, 4, 3))
        ),
        ValueError,
        "center_focal_loss: logits",
        "same shape",
    ),
    case(
        DE,
        "decode_centers threshold above 1",
        lambda: detection.decode_centers(
            np.zeros((1, 1, 4, 4)), np.zeros((1, 2, 4, 4)), threshold=2
        ),
        ValueError,
        "decode_centers: threshold",
        "<= 1",
    ),
    case(
        DE,
        "average_precision IoU threshold 0",
        lambda: detection.average_precision(
            [[0, 0, 1, 1]], [0.5], [0], [[0, 0, 1, 1]], [0], iou_threshold=0
        ),
        ValueError,
        "average_precision: iou_threshold",
        "> 0",
    ),
    case(
        MT,
        "weighted_task_loss too few weights",
        lambda: multitask.weighted_task_loss([1, 2], [1]),
        ValueError,
        "weighted_task_loss",
        "one weight per task",
    ),
    case(
        MT,
        "uncertainty_weighted_loss too few log-variances",
        lambda: multitask.uncertainty_weighted_loss([1, 2], [0], [0, 1]),
        ValueError,
        "uncertainty_weighted_loss",
        "one log-variance per task",
    ),
    case(
        MT,
        "MultiTaskLoss an unknown weighting",
        lambda: MultiTaskLoss("learned"),
        ValueError,
        "MultiTaskLoss: weights",
        "'uncertainty'",
    ),
    case(
        MT,
        "MultiTaskLoss two weights",
        lambda: MultiTaskLoss((1, 2)),
        ValueError,
        "MultiTaskLoss: weights",
        "(alpha, beta, gamma)",
    ),
    case(
        MT,
        "MultiTaskLoss a negative weight",
        lambda: MultiTaskLoss((1, -2, 1)),
        ValueError,
        "MultiTaskLoss: weights[1]",
        ">= 0",
    ),
    case(
        MT,
        "fit_multitask no epochs",
        lambda: fit_multitask(
            torch.nn.Linear(1, 1), MultiTaskLoss(), {}, epochs=0
        ),
        ValueError,
        "fit_multitask: epochs",
        ">= 1",
    ),
    case(
        MT,
        "fit_multitask targets missing",
        lambda: fit_multitask(torch.nn.Linear(1, 1), MultiTaskLoss(), {}),
        ValueError,
        "fit_multitask: targets lack",
        "scene_targets",
    ),
    case(
        SC,
        "compose_digit_scenes no scenes",
        lambda: compose_digit_scenes(DIGITS, np.arange(4), 0),
        ValueError,
        "compose_digit_scenes: num_scenes",
        ">= 1",
    ),
    case(
        SC,
        "compose_digit_scenes near beyond far",
        lambda: compose_digit_scenes(
            DIGITS, np.arange(4), 2, depth_range=(16, 8)
        ),
        ValueError,
        "compose_digit_scenes: depth_range",
        "near < far",
    ),
    case(
        SC,
        "compose_digit_scenes images without a channel axis",
        lambda: compose_digit_scenes(DIGITS[:, 0], np.arange(4), 2),
        ValueError,
        "compose_digit_scenes: images",
        "(N, 1, h, w)",
    ),
    case(
        SK,
        "depth_from_disparity a negative focal length",
        lambda: scikit_image.depth_from_disparity(np.ones((2, 2)), -1.0, 1.0),
        ValueError,
        "depth_from_disparity: focal_length",
        "> 0",
    ),
]


@pytest.mark.parametrize("c", ERRORS)
def test_bad_input_is_refused_by_name(c):
    check(c)
