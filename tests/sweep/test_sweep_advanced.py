"""Sweep of chapter 10's additions: the quantization formulas, the
distillation losses and trainer, weight loading and freezing, and the
paired verdict, each refusing bad input by name."""

import numpy as np
import pytest
import torch
from _cases import case, check

from cnnbook import losses, quantization
from cnnbook.models import freeze, get_model, load_pretrained
from cnnbook.train import DistillationLoss
from cnnbook.train.compare import SeedRuns, paired_verdict

pytestmark = pytest.mark.sweep
SWEEP_MODULE = "advanced"
QZ, LO, MO, CR, CO = (
    "quantization",
    "losses",
    "models.transfer",
    "train.criteria",
    "train.compare",
)

CASES = [
    case(
        QZ,
        "minmax_qparams reversed range",
        lambda: quantization.minmax_qparams(1.0, 0.0),
        ValueError,
        "minmax_qparams",
        "x_min must be <=",
    ),
    case(
        QZ,
        "minmax_qparams unknown scheme",
        lambda: quantization.minmax_qparams(0.0, 1.0, scheme="log"),
        ValueError,
        "scheme",
        "must be one of",
    ),
    case(
        QZ,
        "quantize zero scale",
        lambda: quantization.quantize(np.ones(3), 0.0, 0),
        ValueError,
        "quantize",
        "scale must be positive",
    ),
    case(
        QZ,
        "dequantize float codes",
        lambda: quantization.dequantize(np.array([1.5]), 0.1, 0),
        TypeError,
        "dequantize",
        "integer codes",
    ),
    case(
        LO,
        "distillation_loss teacher of another shape",
        lambda: losses.distillation_loss(
            np.zeros((2, 3)), np.zeros((2, 4)), [0, 1]
        ),
        ValueError,
        "distillation_loss: teacher",
        "student's shape",
    ),
    case(
        LO,
        "distillation_loss temperature 0",
        lambda: losses.distillation_loss(
            np.zeros((2, 3)), np.zeros((2, 3)), [0, 1], temperature=0
        ),
        ValueError,
        "distillation_loss",
        "temperature",
    ),
    case(
        LO,
        "kl_div logits instead of log-probabilities",
        lambda: losses.kl_div(np.ones((2, 3)), np.full((2, 3), 1 / 3)),
        ValueError,
        "kl_div: input",
        "log-probabilities",
    ),
    case(
        CR,
        "DistillationLoss alpha above 1",
        lambda: DistillationLoss(alpha=1.5),
        ValueError,
        "DistillationLoss",
        "alpha",
    ),
    case(
        CR,
        "DistillationLoss numpy teacher",
        lambda: DistillationLoss()(
            torch.zeros(2, 3), np.zeros((2, 3)), torch.tensor([0, 1])
        ),
        TypeError,
        "DistillationLoss: teacher",
        "torch.Tensor",
    ),
    case(
        MO,
        "load_pretrained from a URL",
        lambda: load_pretrained(
            get_model("compact_cnn"), "https://example.org/w-0123abcd.pth"
        ),
        ValueError,
        "load_pretrained",
        "never downloads",
    ),
    case(
        MO,
        "freeze a state dict",
        lambda: freeze({}),
        TypeError,
        "freeze: module",
        "must be",
    ),
    case(
        CO,
        "paired_verdict seeds of different counts",
        lambda: paired_verdict(
            SeedRuns("a", [0.1, 0.2]), SeedRuns("b", [0.1, 0.2, 0.3])
        ),
        ValueError,
        "paired_verdict",
        "same seeds",
    ),
]


@pytest.mark.parametrize("c", CASES)
def test_refused_by_name(c):
    check(c)
