"""KL divergence and the distillation loss: numpy against PyTorch in
float64 (forward and backward), the torch twin, worked cases by hand."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st
from torch_reference import close, t

from cnnbook import losses as L
from cnnbook.functional import log_softmax, softmax
from cnnbook.train import DistillationLoss


def twin(input, teacher, target, temperature=1.0, alpha=0.5, reduction="mean"):
    """The torch module, called like the numpy function."""
    return DistillationLoss(temperature, alpha, reduction)(
        input, teacher, target
    )


@st.composite
def student_teacher(draw):
    n, k = draw(st.integers(1, 6)), draw(st.integers(2, 7))
    rng = np.random.default_rng(draw(st.integers(0, 2**31 - 1)))
    scale = draw(st.sampled_from([0.1, 1.0, 8.0]))
    return (
        rng.normal(size=(n, k)) * scale,
        rng.normal(size=(n, k)) * scale * 2,
        rng.integers(0, k, n),
        rng,
    )


@pytest.mark.filterwarnings("ignore:reduction. 'mean' divides")
@given(
    case=student_teacher(),
    reduction=st.sampled_from(["batchmean", "sum", "mean", "none"]),
    log_target=st.booleans(),
)
def test_kl_div_matches_torch(case, reduction, log_target):
    z_s, z_t, _, rng = case
    log_q = log_softmax(z_s, dim=1)
    target = log_softmax(z_t, dim=1) if log_target else softmax(z_t, dim=1)
    x = t(log_q).requires_grad_()
    expected = F.kl_div(
        x, t(target), reduction=reduction, log_target=log_target
    )
    close(L.kl_div(log_q, target, reduction, log_target), expected)
    go = rng.normal(size=expected.shape)
    expected.backward(torch.as_tensor(np.asarray(go)))
    close(L.kl_div_backward(go, log_q, target, reduction, log_target), x.grad)


def test_kl_div_by_hand():
    # KL(p || q) = sum p log(p / q); PyTorch's order: kl_div(log q, p)
    p = np.array([[0.5, 0.5, 0.0]])
    q = np.array([[0.25, 0.5, 0.25]])
    assert L.kl_div(np.log(q), p) == pytest.approx(0.5 * np.log(2))
    assert L.kl_div(np.log(p + 1e-300), p) == pytest.approx(0.0, abs=1e-12)
    # "batchmean" divides by the batch, "mean" by the number of elements
    two = np.vstack([p, p])
    assert L.kl_div(np.log(np.vstack([q, q])), two) == pytest.approx(
        0.5 * np.log(2)
    )
    assert L.kl_div(np.log(np.vstack([q, q])), two, "mean") == (
        pytest.approx(0.5 * np.log(2) / 3)
    )


def torch_distillation(z_s, z_t, y, temperature, alpha, reduction):
    """The formula written with PyTorch's own functions."""
    hard = F.cross_entropy(z_s, y, reduction="none")
    soft = F.kl_div(
        F.log_softmax(z_s / temperature, 1),
        F.softmax(z_t / temperature, 1),
        reduction="none",
    ).sum(1)
    loss = alpha * hard + (1 - alpha) * temperature**2 * soft
    return {"mean": loss.mean(), "sum": loss.sum(), "none": loss}[reduction]


@given(
    case=student_teacher(),
    reduction=st.sampled_from(["mean", "sum", "none"]),
    temperature=st.sampled_from([1.0, 2.0, 4.0, 8.0]),
    alpha=st.sampled_from([0.0, 0.1, 0.5, 0.9, 1.0]),
)
def test_distillation_loss_matches_torch(case, reduction, temperature, alpha):
    z_s, z_t, y, rng = case
    x = t(z_s).requires_grad_()
    expected = torch_distillation(
        x, t(z_t), torch.from_numpy(y), temperature, alpha, reduction
    )
    ours = L.distillation_loss(z_s, z_t, y, temperature, alpha, reduction)
    close(ours, expected)
    ours_torch = twin(
        x, t(z_t), torch.from_numpy(y), temperature, alpha, reduction
    )
    close(ours_torch.detach().numpy(), expected)
    go = rng.normal(size=expected.shape)
    expected.backward(torch.as_tensor(np.asarray(go)), retain_graph=True)
    close(
        L.distillation_loss_backward(
            go, z_s, z_t, y, temperature, alpha, reduction
        ),
        x.grad,
    )
    # the torch twin's gradient (its teacher gets none)
    x2, teacher = t(z_s).requires_grad_(), t(z_t).requires_grad_()
    twin(
        x2, teacher, torch.from_numpy(y), temperature, alpha, reduction
    ).backward(torch.as_tensor(np.asarray(go)))
    close(x2.grad, x.grad)
    assert teacher.grad is None


def test_temperature_one_is_the_encyclopedias_formula():
    # alpha CE(y, p_s) + (1 - alpha) sum p_t log(p_t / p_s)
    z_t = np.array([[9.0, 4.0, 2.0, 0.0]])
    z_s = np.array([[4.0, 1.0, 1.5, 0.0]])
    p_t, p_s = softmax(z_t, dim=1), softmax(z_s, dim=1)
    by_hand = 0.3 * -np.log(p_s[0, 0]) + 0.7 * (p_t * np.log(p_t / p_s)).sum()
    close(L.distillation_loss(z_s, z_t, np.array([0]), 1.0, 0.3), by_hand)


def test_alpha_one_is_cross_entropy_and_gradient_formula(rng):
    z_s, z_t = rng.normal(size=(5, 4)), rng.normal(size=(5, 4)) * 3
    y = np.array([0, 3, 1, 1, 2])
    close(L.distillation_loss(z_s, z_t, y, 4.0, 1.0), L.cross_entropy(z_s, y))
    # d/dz = alpha (p - y) + (1 - alpha) T (p_T - p_T,teacher), per example
    T_, a = 4.0, 0.25
    expected = a * (softmax(z_s, dim=1) - np.eye(4)[y]) + (1 - a) * T_ * (
        softmax(z_s / T_, dim=1) - softmax(z_t / T_, dim=1)
    )
    close(
        L.distillation_loss_backward(1.0, z_s, z_t, y, T_, a, "sum"), expected
    )


@pytest.mark.parametrize(
    "call, error, match",
    [
        (
            lambda: L.kl_div(np.zeros((2, 3)), np.ones((2, 3)) / 3, "avg"),
            ValueError,
            "reduction must be one of",
        ),
        (
            lambda: L.kl_div(np.ones((1, 2)), np.ones((1, 2)) / 2),
            ValueError,
            "log-probabilities",
        ),
        (
            lambda: L.kl_div(np.zeros((1, 2)), np.array([[1.5, -0.5]])),
            ValueError,
            "probabilities in",
        ),
        (
            lambda: L.kl_div(np.zeros((1, 2)), np.ones((1, 3))),
            ValueError,
            "same shape",
        ),
        (
            lambda: L.kl_div(np.zeros((1, 2)), np.ones((1, 2)), log_target=1),
            TypeError,
            "log_target must be a bool",
        ),
        (
            lambda: L.distillation_loss(
                np.zeros((2, 3)), np.zeros((2, 4)), np.array([0, 1])
            ),
            ValueError,
            "teacher logits",
        ),
        (
            lambda: L.distillation_loss(
                np.zeros((2, 3)),
                np.zeros((2, 3)),
                np.array([0, 1]),
                temperature=0,
            ),
            ValueError,
            "temperature must be > 0",
        ),
        (
            lambda: L.distillation_loss(
                np.zeros((2, 3)), np.zeros((2, 3)), np.array([0, 1]), alpha=1.5
            ),
            ValueError,
            "alpha must be <= 1",
        ),
        (
            lambda: L.distillation_loss(
                np.zeros((2, 3)), np.zeros((2, 3)), np.array([0, 3])
            ),
            ValueError,
            r"target classes must be in \[0, 2\]",
        ),
        (
            lambda: L.distillation_loss_backward(
                np.ones(3),
                np.zeros((2, 3)),
                np.zeros((2, 3)),
                np.array([0, 1]),
            ),
            ValueError,
            "grad_output must be a scalar",
        ),
    ],
)
def test_bad_input_numpy(call, error, match):
    with pytest.raises(error, match=match):
        call()


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (
            {"teacher": torch.zeros(2, 4)},
            ValueError,
            r"teacher logits must have the student's shape \(2, 3\)",
        ),
        (
            {"teacher": np.zeros((2, 3))},
            TypeError,
            "teacher must be a torch.Tensor",
        ),
        ({"temperature": -1.0}, ValueError, "temperature"),
        ({"alpha": -0.1}, ValueError, "alpha"),
        (
            {"target": torch.tensor([0, 5])},
            ValueError,
            "target classes must lie",
        ),
        (
            {"target": torch.tensor([0.0, 1.0])},
            TypeError,
            "integer class indices",
        ),
        ({"reduction": "batchmean"}, ValueError, "reduction must be"),
    ],
)
def test_bad_input_torch(kwargs, error, match):
    args = {
        "input": torch.zeros(2, 3),
        "teacher": torch.zeros(2, 3),
        "target": torch.tensor([0, 1]),
    }
    args.update(kwargs)
    with pytest.raises(error, match=match) as info:
        twin(**args)
    assert "DistillationLoss" in str(info.value)
