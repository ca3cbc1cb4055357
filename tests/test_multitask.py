"""Task-loss weighting in numpy against its PyTorch twin (float64), the
multi-task network and its loss, and a short training run."""

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from torch_reference import close, t

from cnnbook import multitask as MT
from cnnbook.data import load_mnist_5k
from cnnbook.data.scenes import compose_digit_scenes
from cnnbook.models import MultiTaskLoss, MultiTaskNet
from cnnbook.models.multitask import uncertainty_weighted_loss as torch_uw
from cnnbook.train.multitask import (
    evaluate_multitask,
    fit_multitask,
    scene_targets,
)


@st.composite
def tasks(draw):
    rng = np.random.default_rng(draw(st.integers(0, 2**31 - 1)))
    n = draw(st.integers(1, 5))
    return (
        rng.uniform(0, 5, n),
        rng.normal(size=n) * 2,
        rng.uniform(size=n) < 0.5,
    )


@given(case=tasks())
def test_uncertainty_weighting_matches_torch(case):
    losses, s, regression = case
    tl, ts = t(losses).requires_grad_(), t(s).requires_grad_()
    total = torch_uw(tl, ts, list(regression))
    close(MT.uncertainty_weighted_loss(losses, s, regression), total)
    total.backward()
    grad_losses, grad_s = MT.uncertainty_weighted_loss_backward(
        losses, s, regression
    )
    close(grad_losses, tl.grad)
    close(grad_s, ts.grad)


def test_uncertainty_weighting_formula_by_hand():
    # regression: L / (2 sigma^2) + log sigma; classification:
    # L / sigma^2 + log sigma, with s = log sigma^2
    sigma = np.array([2.0, 0.5])
    losses = np.array([3.0, 0.2])
    by_hand = (3.0 / (2 * 4.0) + np.log(2.0)) + (0.2 / 0.25 + np.log(0.5))
    close(
        MT.uncertainty_weighted_loss(losses, np.log(sigma**2), [True, False]),
        by_hand,
    )


def test_at_the_best_log_variance_each_weighted_loss_is_one_half():
    losses, regression = np.array([0.05, 0.8, 2.5]), [False, False, True]
    c = np.array([1.0, 1.0, 0.5])
    best = np.log(2 * c * losses)
    weights, grad_s = MT.uncertainty_weighted_loss_backward(
        losses, best, regression
    )
    close(grad_s, np.zeros(3), atol=1e-15)
    close(weights * losses, [0.5, 0.5, 0.5])


def test_weighted_task_loss():
    assert MT.weighted_task_loss([0.5, 2.0, 0.1], [1.0, 0.5, 10.0]) == (
        0.5 * 1.0 + 2.0 * 0.5 + 0.1 * 10.0
    )


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: MT.weighted_task_loss([1.0, 2.0], [1.0]), "one weight per"),
        (
            lambda: MT.weighted_task_loss([1.0], [-1.0]),
            "weights must be finite",
        ),
        (lambda: MT.weighted_task_loss([], []), "losses is empty"),
        (
            lambda: MT.uncertainty_weighted_loss([1.0], [0.0, 0.0], [True]),
            "one log-variance per task",
        ),
        (
            lambda: MT.uncertainty_weighted_loss([1.0], [0.0], [1]),
            "regression must hold one bool",
        ),
        (
            lambda: MT.uncertainty_weighted_loss([np.inf], [0.0], [True]),
            "losses must be finite",
        ),
        (
            lambda: torch_uw(torch.ones(2), torch.ones(3), [True, False]),
            "one entry per task",
        ),
    ],
)
def test_weighting_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_network_outputs_and_input_checks():
    net = MultiTaskNet(width=4, seg_classes=11).eval()
    out = net(torch.zeros(3, 1, 24, 40))
    assert {k: tuple(v.shape) for k, v in out.items()} == {
        "segmentation": (3, 11, 24, 40),
        "heatmap": (3, 1, 12, 20),
        "box_size": (3, 2, 12, 20),
        "depth": (3, 24, 40),
    }
    # the heatmap starts at a center probability of 0.1 everywhere
    bias = net.detection_head[-1].bias[0]
    close(torch.sigmoid(bias).item(), 0.1, rtol=1e-6)
    with pytest.raises(ValueError, match="multiples of 4"):
        net(torch.zeros(1, 1, 30, 32))
    with pytest.raises(ValueError, match=r"shape \(N, 1, H, W\)"):
        net(torch.zeros(1, 3, 32, 32))
    with pytest.raises(ValueError, match="seg_classes must be >= 2"):
        MultiTaskNet(seg_classes=1)


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    # tiny layers: one thread is faster, and pytest-xdist runs two workers
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def small_scenes():
    images, labels = load_mnist_5k()
    train = compose_digit_scenes(images[:2500], labels[:2500], 320, rng=0)
    test = compose_digit_scenes(images[2500:], labels[2500:], 60, rng=1)
    return train, test


def test_every_head_trains_the_shared_backbone(small_scenes):
    torch.manual_seed(0)
    net = MultiTaskNet()
    targets = scene_targets(small_scenes[0])
    batch = {k: v[:16] for k, v in targets.items()}
    losses = MultiTaskLoss().task_losses(net(batch["image"]), batch)
    for k in range(3):
        net.zero_grad()
        losses[k].backward(retain_graph=True)
        assert net.stem[0].weight.grad.abs().sum() > 0
        head = (net.segmentation_head, net.detection_head, net.depth_head)[
            (k + 1) % 3
        ]
        assert head[0].weight.grad is None or not head[0].weight.grad.any()


def test_loss_combinations(small_scenes):
    torch.manual_seed(0)
    net = MultiTaskNet()
    targets = scene_targets(small_scenes[0])
    out = net(targets["image"][:8])
    batch = {k: v[:8] for k, v in targets.items()}
    hand = MultiTaskLoss((2.0, 0.5, 3.0))
    losses = hand.task_losses(out, batch).detach().double().numpy()
    # the module's total is the numpy formula of cnnbook.multitask
    close(
        hand(out, batch).item(),
        MT.weighted_task_loss(losses, [2.0, 0.5, 3.0]),
        rtol=1e-6,
    )
    assert list(hand.last) == ["segmentation", "detection", "depth"]
    close(list(hand.last.values()), losses, rtol=1e-6)
    learned = MultiTaskLoss("uncertainty")
    assert [p.shape for p in learned.parameters()] == [(3,)]
    with torch.no_grad():
        learned.log_variances.copy_(torch.tensor([0.3, -1.0, 2.0]))
    close(
        learned(out, batch).item(),
        MT.uncertainty_weighted_loss(
            losses, [0.3, -1.0, 2.0], [False, False, True]
        ),
        rtol=1e-6,
    )
    close(
        learned.effective_weights(),
        [np.exp(-0.3), np.exp(1.0), 0.5 * np.exp(-2.0)],
        rtol=1e-6,
    )
    # depth loss reads the pixels that have a depth only
    assert torch.all(batch["depth"][batch["segmentation"] == 0] == 0)


@pytest.mark.parametrize(
    "weights, match",
    [
        ("learned", "or 'uncertainty'"),
        ((1.0, 2.0), r"\(alpha, beta, gamma\)"),
        ((1.0, -2.0, 1.0), r"weights\[1\] must be >= 0"),
    ],
)
def test_multitask_loss_bad_weights(weights, match):
    with pytest.raises(ValueError, match=f"MultiTaskLoss: .*{match}"):
        MultiTaskLoss(weights)


def test_a_short_run_learns_every_task(small_scenes):
    train, test = small_scenes
    torch.manual_seed(0)
    net = MultiTaskNet()
    before = evaluate_multitask(net, test)
    history = fit_multitask(
        net,
        MultiTaskLoss("uncertainty"),
        scene_targets(train),
        epochs=3,
        lr=1e-2,
        batch_size=32,
        progress=False,
    )
    after = evaluate_multitask(net, test)
    assert [r["epoch"] for r in history] == [1, 2, 3]
    assert history[-1]["depth_loss"] < history[0]["depth_loss"]
    assert history[-1]["depth_weight"] != 0.5  # the weights were learned
    assert after["segmentation_iou"] > before["segmentation_iou"]
    assert after["depth_abs_rel"] < before["depth_abs_rel"]
    assert all(
        0 <= after[k] <= 1 for k in ("segmentation_iou", "detection_ap50")
    )


def test_training_bad_input(small_scenes):
    net, loss = MultiTaskNet(), MultiTaskLoss()
    with pytest.raises(
        ValueError,
        match=r"fit_multitask: targets lack "
        r"\['centers'",
    ):
        fit_multitask(
            net,
            loss,
            {
                "image": torch.zeros(1, 1, 32, 32),
                "segmentation": 0,
                "heatmap": 0,
                "box_size": 0,
                "depth": 0,
            },
        )
    with pytest.raises(ValueError, match="epochs must be >= 1"):
        fit_multitask(net, loss, scene_targets(small_scenes[1]), epochs=0)
    with pytest.raises(TypeError, match="scenes must be DigitScenes"):
        scene_targets({"image": 0})
    with pytest.raises(ValueError, match="'objects' or 'digits'"):
        scene_targets(small_scenes[1], classes="cars")
