"""Torch-side losses against PyTorch and against the formulas."""

import math

import pytest
import torch
import torch.nn.functional as TF

from cnnbook.train import losses


@pytest.fixture
def batch():
    g = torch.Generator().manual_seed(0)
    logits = torch.randn(16, 5, generator=g, dtype=torch.float64)
    target = torch.randint(0, 5, (16,), generator=g)
    return logits, target


def test_smooth_targets_formula():
    y = losses.smooth_targets(torch.tensor([2]), 4, 0.1)
    # (1 - 0.1) * 1 + 0.1 / 4 for the true class, 0.1 / 4 elsewhere
    torch.testing.assert_close(
        y, torch.tensor([[0.025, 0.025, 0.925, 0.025]]))
    assert float(y.sum()) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="epsilon"):
        losses.smooth_targets(torch.tensor([0]), 3, 1.5)


@pytest.mark.parametrize("epsilon", [0.0, 0.1, 0.3])
def test_cross_entropy_matches_torch(batch, epsilon):
    logits, target = batch
    ours = losses.cross_entropy(logits, target, epsilon)
    theirs = TF.cross_entropy(logits, target, label_smoothing=epsilon)
    torch.testing.assert_close(ours, theirs, rtol=1e-12, atol=1e-12)


def test_cross_entropy_by_hand():
    logits = torch.tensor([[2.0, 1.0, 0.1]], dtype=torch.float64)
    p = math.exp(2.0) / (math.exp(2.0) + math.exp(1.0) + math.exp(0.1))
    assert float(losses.cross_entropy(logits, torch.tensor([0]))) == (
        pytest.approx(-math.log(p), rel=1e-12))


def test_focal_loss_formula_and_special_cases(batch):
    logits, target = batch
    torch.testing.assert_close(
        losses.focal_loss(logits, target, gamma=0.0),
        TF.cross_entropy(logits, target), rtol=1e-12, atol=1e-12)
    p_t = torch.softmax(logits, 1)[torch.arange(16), target]
    alpha = torch.linspace(0.5, 2.0, 5, dtype=torch.float64)
    expected = -(alpha[target] * (1 - p_t) ** 2 * torch.log(p_t))
    torch.testing.assert_close(
        losses.focal_loss(logits, target, 2.0, alpha, reduction="none"),
        expected, rtol=1e-12, atol=1e-12)
    assert float(losses.focal_loss(logits, target, 2.0, alpha, "sum")) == (
        pytest.approx(float(expected.sum())))
    # easy examples count for less: the loss never exceeds CE
    assert (losses.focal_loss(logits, target, reduction="none")
            <= TF.cross_entropy(logits, target, reduction="none")).all()
    module = losses.FocalLoss(gamma=1.0, alpha=[1.0] * 5)
    assert module(logits.float(), target).ndim == 0


def test_focal_loss_gradient(batch):
    logits, target = batch
    logits = logits.clone().requires_grad_()
    assert torch.autograd.gradcheck(
        lambda z: losses.focal_loss(z, target, 2.0), (logits,))


def test_class_weights_balanced():
    w = losses.class_weights(torch.tensor([0, 0, 0, 1]))
    # N / (C n_c): 4 / (2 * 3) and 4 / (2 * 1)
    torch.testing.assert_close(w, torch.tensor([4 / 6, 2.0]))
    # every class then carries the same total weight, N / C
    assert 3 * float(w[0]) == pytest.approx(1 * float(w[1]))
    with pytest.raises(ValueError, match="class 1 has no examples"):
        losses.class_weights([0, 2, 2])
    with pytest.raises(ValueError, match="out of range"):
        losses.class_weights([0, 3], num_classes=2)
    with pytest.raises(ValueError, match="non-empty"):
        losses.class_weights([])


def test_bad_input_is_named(batch):
    logits, target = batch
    with pytest.raises(ValueError, match=r"target classes must lie in 0\.\.4"):
        losses.focal_loss(logits, target + 5)
    with pytest.raises(ValueError, match=r"logits must be a tensor of shape"):
        losses.cross_entropy(logits[0], target)
    with pytest.raises(ValueError, match="target must be a tensor"):
        losses.cross_entropy(logits, target[:3])
    with pytest.raises(ValueError, match="reduction"):
        losses.focal_loss(logits, target, reduction="max")
    with pytest.raises(ValueError, match="alpha must have shape"):
        losses.focal_loss(logits, target, alpha=[1.0, 2.0])
    with pytest.raises(ValueError, match="gamma must be >= 0"):
        losses.focal_loss(logits, target, gamma=-1)
