"""The PyTorch side of the losses against the numpy formulas of
cnnbook.losses, in float64, forward and backward."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st
from torch import nn

from cnnbook import losses
from cnnbook.train.criteria import FocalLoss, class_weights


def _batch(seed, n=16, k=5):
    g = torch.Generator().manual_seed(seed)
    logits = 3 * torch.randn(n, k, generator=g, dtype=torch.float64)
    target = torch.randint(0, k, (n,), generator=g)
    return logits, target


@given(
    seed=st.integers(0, 2**16),
    epsilon=st.sampled_from([0.0, 0.05, 0.1, 0.3, 1.0]),
    reduction=st.sampled_from(["mean", "sum", "none"]),
)
def test_torch_label_smoothing_is_the_numpy_formula(seed, epsilon, reduction):
    # Training in torch uses F.cross_entropy(label_smoothing=...): it is
    # the book's (1 - eps) y + eps / K, forward and backward.
    logits, target = _batch(seed)
    z = logits.clone().requires_grad_()
    theirs = F.cross_entropy(
        z, target, label_smoothing=epsilon, reduction=reduction
    )
    upstream = torch.randn(theirs.shape, dtype=torch.float64)
    theirs.backward(upstream)
    x, y = logits.numpy(), target.numpy()
    ours = losses.cross_entropy(x, y, reduction, label_smoothing=epsilon)
    np.testing.assert_allclose(
        ours, theirs.detach().numpy(), rtol=1e-12, atol=1e-14
    )
    grad = losses.cross_entropy_backward(
        upstream.numpy(), x, y, reduction, label_smoothing=epsilon
    )
    np.testing.assert_allclose(grad, z.grad.numpy(), rtol=1e-12, atol=1e-14)
    # and the smoothed targets are smooth_labels, term by term
    smoothed = losses.smooth_labels(y, 5, epsilon)
    per_example = -(smoothed * F.log_softmax(logits, 1).numpy()).sum(1)
    if reduction == "none":
        np.testing.assert_allclose(ours, per_example, rtol=1e-12)


@given(
    seed=st.integers(0, 2**16),
    gamma=st.sampled_from([0.0, 0.5, 1.0, 2.0, 5.0]),
    alpha=st.sampled_from([None, 0.25, (0.5, 1.0, 1.5, 2.0, 0.1)]),
    reduction=st.sampled_from(["mean", "sum", "none"]),
)
def test_focal_loss_module_is_the_numpy_formula(seed, gamma, alpha, reduction):
    logits, target = _batch(seed)
    z = logits.clone().requires_grad_()
    # alpha in float64 here too (as a list it would be float32)
    weights = None if alpha is None else torch.tensor(alpha, dtype=z.dtype)
    theirs = FocalLoss(gamma, weights, reduction)(z, target)
    upstream = torch.randn(theirs.shape, dtype=torch.float64)
    theirs.backward(upstream)
    x, y = logits.numpy(), target.numpy()
    ours = losses.focal_loss(x, y, gamma, alpha, reduction)
    np.testing.assert_allclose(
        ours, theirs.detach().numpy(), rtol=1e-12, atol=1e-14
    )
    grad = losses.focal_loss_backward(
        upstream.numpy(), x, y, gamma, alpha, reduction
    )
    np.testing.assert_allclose(grad, z.grad.numpy(), rtol=1e-10, atol=1e-14)


def test_focal_loss_special_cases():
    logits, target = _batch(0)
    torch.testing.assert_close(
        FocalLoss(gamma=0.0)(logits, target),
        F.cross_entropy(logits, target),
        rtol=1e-12,
        atol=1e-12,
    )
    # easy examples count for less: the loss never exceeds CE
    focal = FocalLoss(reduction="none")(logits, target)
    assert (focal <= F.cross_entropy(logits, target, reduction="none")).all()
    # a drop-in for nn.CrossEntropyLoss: float32, on a batch, a buffer
    module = FocalLoss(gamma=1.0, alpha=[1.0] * 5)
    assert module(logits.float(), target).dtype == torch.float32
    assert "alpha" in dict(module.named_buffers())
    assert isinstance(module, nn.Module)


def test_class_weights_balanced():
    w = class_weights(torch.tensor([0, 0, 0, 1]))
    # N / (C n_c): 4 / (2 * 3) and 4 / (2 * 1)
    torch.testing.assert_close(w, torch.tensor([4 / 6, 2.0]))
    # every class then carries the same total weight, N / C
    assert 3 * float(w[0]) == pytest.approx(1 * float(w[1]))
    with pytest.raises(ValueError, match="class 1 has no examples"):
        class_weights([0, 2, 2])
    with pytest.raises(ValueError, match="out of range"):
        class_weights([0, 3], num_classes=2)
    with pytest.raises(ValueError, match="non-empty"):
        class_weights([])
    with pytest.raises(TypeError, match="labels must be integers"):
        class_weights([0.5, 1.0])


def test_bad_input_is_named():
    logits, target = _batch(0)
    with pytest.raises(
        ValueError,
        match=r"FocalLoss: target classes must "
        r"lie in 0\.\.4",
    ):
        FocalLoss()(logits, target + 5)
    with pytest.raises(ValueError, match=r"logits must be a tensor of shape"):
        FocalLoss()(logits[0], target)
    with pytest.raises(ValueError, match="target must be a tensor"):
        FocalLoss()(logits, target[:3])
    with pytest.raises(ValueError, match="reduction"):
        FocalLoss(reduction="max")
    with pytest.raises(ValueError, match="alpha has 2 weights for 5"):
        FocalLoss(alpha=[1.0, 2.0])(logits, target)
    with pytest.raises(ValueError, match="gamma must be >= 0"):
        FocalLoss(gamma=-1)
