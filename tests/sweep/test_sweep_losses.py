"""Sweep of cnnbook.losses: bad targets, reductions and gradients
refused by name; the losses of an empty batch as in PyTorch."""

import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from _cases import case, check

from cnnbook import losses as L

pytestmark = pytest.mark.sweep
SWEEP_MODULE = "losses"
LM = "losses"

ERRORS = [
    case(
        LM,
        "cross_entropy unknown reduction",
        lambda: L.cross_entropy(np.ones((2, 3)), [0, 1], "avg"),
        ValueError,
        "cross_entropy: reduction",
        "'mean', 'sum', 'none'",
    ),
    case(
        LM,
        "cross_entropy no classes",
        lambda: L.cross_entropy(np.ones((2, 0)), [0, 1]),
        ValueError,
        "cross_entropy: input",
        "one column per class",
    ),
    case(
        LM,
        "cross_entropy class out of range",
        lambda: L.cross_entropy(np.ones((2, 3)), [0, 3]),
        ValueError,
        "cross_entropy: target classes",
        "[0, 2]",
    ),
    case(
        LM,
        "cross_entropy float labels of shape (N,)",
        lambda: L.cross_entropy(np.ones((2, 3)), np.array([0.0, 1.0])),
        ValueError,
        "cross_entropy: target",
        "class indices of shape (2,) or probabilities of shape (2, 3)",
    ),
    case(
        LM,
        "cross_entropy bool labels",
        lambda: L.cross_entropy(np.ones((2, 3)), np.array([True, False])),
        TypeError,
        "cross_entropy: target",
        "real numbers",
    ),
    case(
        LM,
        "cross_entropy probabilities not summing to 1",
        lambda: L.cross_entropy(np.ones((2, 3)), np.full((2, 3), 0.5)),
        ValueError,
        "cross_entropy: each row of target",
        "sum to 1",
    ),
    case(
        LM,
        "cross_entropy label_smoothing -0.1",
        lambda: L.cross_entropy(np.ones((2, 3)), [0, 1], label_smoothing=-0.1),
        ValueError,
        "cross_entropy: label_smoothing",
        ">= 0",
    ),
    case(
        LM,
        "cross_entropy 1-d logits",
        lambda: L.cross_entropy(np.ones(3), [0]),
        ValueError,
        "cross_entropy: input",
        "2 dimensions",
    ),
    case(
        LM,
        "cross_entropy_backward grad_output not a scalar",
        lambda: L.cross_entropy_backward(np.ones(2), np.ones((2, 3)), [0, 1]),
        ValueError,
        "cross_entropy_backward: with reduction='mean' grad_output",
        "a scalar",
    ),
    case(
        LM,
        "cross_entropy_backward 'none' with a scalar",
        lambda: L.cross_entropy_backward(1.0, np.ones((2, 3)), [0, 1], "none"),
        ValueError,
        "cross_entropy_backward: with reduction='none' grad_output",
        "shape (2,)",
    ),
    case(
        LM,
        "nll_from_probabilities rows not summing to 1",
        lambda: L.nll_from_probabilities(np.full((2, 3), 0.5), [0, 1]),
        ValueError,
        "nll_from_probabilities: each row of input",
        "sum to 1",
    ),
    case(
        LM,
        "nll_from_probabilities negative probability",
        lambda: L.nll_from_probabilities(np.array([[1.5, -0.5]]), [0]),
        ValueError,
        "nll_from_probabilities: input",
        "[0, 1]",
    ),
    case(
        LM,
        "binary_cross_entropy target above 1",
        lambda: L.binary_cross_entropy(np.full(3, 0.5), np.full(3, 2.0)),
        ValueError,
        "binary_cross_entropy: target",
        "[0, 1]",
    ),
    case(
        LM,
        "binary_cross_entropy shapes differ",
        lambda: L.binary_cross_entropy(np.full(3, 0.5), np.full(2, 0.5)),
        ValueError,
        "binary_cross_entropy: input (3,)",
        "must have the same shape",
    ),
    case(
        LM,
        "binary_cross_entropy_with_logits reduction None",
        lambda: L.binary_cross_entropy_with_logits(
            np.ones(2), np.ones(2), None
        ),
        ValueError,
        "binary_cross_entropy_with_logits: reduction",
        "'mean'",
    ),
    case(
        LM,
        "focal_loss float target",
        lambda: L.focal_loss(np.ones((2, 3)), np.array([0.0, 1.0])),
        TypeError,
        "focal_loss: target",
        "integer class indices",
    ),
    case(
        LM,
        "focal_loss negative gamma",
        lambda: L.focal_loss(np.ones((2, 3)), [0, 1], gamma=-1),
        ValueError,
        "focal_loss: gamma",
        ">= 0",
    ),
    case(
        LM,
        "focal_loss alpha of wrong length",
        lambda: L.focal_loss(np.ones((2, 3)), [0, 1], alpha=np.ones(2)),
        ValueError,
        "focal_loss: alpha",
        "shape (3,)",
    ),
    case(
        LM,
        "focal_loss 2-d alpha",
        lambda: L.focal_loss(np.ones((2, 3)), [0, 1], alpha=np.ones((3, 3))),
        ValueError,
        "focal_loss: alpha",
        "0 or 1 dimensions",
    ),
    case(
        LM,
        "mse_loss shapes differ",
        lambda: L.mse_loss(np.ones(3), np.ones((3, 1))),
        ValueError,
        "mse_loss: input (3,)",
        "must have the same shape",
    ),
    case(
        LM,
        "mse_loss_backward grad_output of wrong shape",
        lambda: L.mse_loss_backward(
            np.ones(2), np.ones(3), np.ones(3), "none"
        ),
        ValueError,
        "mse_loss_backward: with reduction='none' grad_output",
        "shape (3,)",
    ),
    case(
        LM,
        "smooth_labels float num_classes",
        lambda: L.smooth_labels([0, 1], 3.0),
        TypeError,
        "smooth_labels: num_classes",
        "must be an int",
    ),
    case(
        LM,
        "smooth_labels no classes",
        lambda: L.smooth_labels([0, 1], 0),
        ValueError,
        "smooth_labels: num_classes",
        ">= 1",
    ),
    case(
        LM,
        "smooth_labels of a scalar",
        lambda: L.smooth_labels(3, 5),
        ValueError,
        "smooth_labels: target",
        "class indices (N,)",
    ),
]


@pytest.mark.parametrize("c", ERRORS)
def test_bad_input_is_refused_by_name(c):
    check(c)


def t(a, grad=False):
    return torch.tensor(a, dtype=torch.float64, requires_grad=grad)


LOSSES_EMPTY = [
    pytest.param(
        L.cross_entropy,
        L.cross_entropy_backward,
        TF.cross_entropy,
        np.zeros((0, 4)),
        np.zeros(0, np.int64),
        id="cross_entropy",
    ),
    pytest.param(
        L.focal_loss,
        L.focal_loss_backward,
        lambda z, y, reduction: TF.cross_entropy(z, y, reduction=reduction),
        np.zeros((0, 4)),
        np.zeros(0, np.int64),
        id="focal_loss",
    ),
    pytest.param(
        L.mse_loss,
        L.mse_loss_backward,
        TF.mse_loss,
        np.zeros(0),
        np.zeros(0),
        id="mse_loss",
    ),
    pytest.param(
        L.binary_cross_entropy_with_logits,
        L.binary_cross_entropy_with_logits_backward,
        TF.binary_cross_entropy_with_logits,
        np.zeros(0),
        np.zeros(0),
        id="binary_cross_entropy_with_logits",
    ),
]


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("loss, backward, theirs, z, y", LOSSES_EMPTY)
def test_losses_of_an_empty_batch_as_pytorch(
    loss, backward, theirs, z, y, reduction
):
    # the mean of no losses is NaN, their sum 0; the gradient is empty
    target = torch.from_numpy(y) if y.dtype.kind == "i" else t(y)
    tz = t(z, True)
    expected = theirs(tz, target, reduction=reduction)
    ours = loss(z, y, reduction=reduction)
    np.testing.assert_array_equal(np.asarray(ours), expected.detach().numpy())
    grad = backward(np.ones(np.shape(ours)), z, y, reduction=reduction)
    expected.sum().backward()
    assert grad.shape == tz.grad.shape == z.shape
