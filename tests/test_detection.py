"""Center-point detection in numpy: IoU, targets, focal loss (against its
PyTorch twin in float64), decoding and average precision."""

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from torch_reference import close, t

from cnnbook import detection as D
from cnnbook.models.multitask import center_focal_loss as torch_focal


@st.composite
def integer_boxes(draw, n):
    rng = np.random.default_rng(draw(st.integers(0, 2**31 - 1)))
    corner = rng.integers(0, 10, size=(n, 2))
    size = rng.integers(1, 6, size=(n, 2))
    return np.hstack([corner, corner + size]).astype(float)


@given(a=integer_boxes(3), b=integer_boxes(4))
def test_box_iou_counts_pixels(a, b):
    # Integer boxes cover whole pixels: count them.
    def mask(box):
        m = np.zeros((16, 16), bool)
        x0, y0, x1, y1 = box.astype(int)
        m[y0:y1, x0:x1] = True
        return m

    expected = [
        [(mask(p) & mask(q)).sum() / (mask(p) | mask(q)).sum() for q in b]
        for p in a
    ]
    close(D.box_iou(a, b), expected)
    close(D.box_iou(b, a), np.transpose(expected))


def test_box_iou_worked_example():
    # [0,2]x[0,2] and [1,3]x[0,2] share 2 of 6 square pixels
    close(
        D.box_iou([[0, 0, 2, 2]], [[1, 0, 3, 2], [4, 4, 5, 5]]), [[2 / 6, 0.0]]
    )


@pytest.mark.parametrize(
    "boxes, match",
    [
        ([[0, 0, 1]], r"shape \(M, 4\)"),
        ([[2, 0, 1, 1]], "x1 >= x0"),
        ("box", "must be a numpy array"),
    ],
)
def test_box_iou_bad_input(boxes, match):
    with pytest.raises((ValueError, TypeError), match=f"box_iou: .*{match}"):
        D.box_iou(boxes, [[0, 0, 1, 1]])


def test_center_targets_put_a_peak_of_one_at_each_center():
    boxes = np.array([[2, 4, 10, 12], [12, 1, 15, 4]], float)
    heat, size, centers = D.center_targets(boxes, [0, 0], 2, 16)
    assert heat.shape == (2, 1, 16, 16) and size.shape == (2, 2, 16, 16)
    assert centers.sum() == 2 and not centers[1].any()
    assert heat[0, 0, 8, 6] == 1 and heat[0, 0, 2, 13] == 1  # (y, x)
    assert heat[1].max() == 0 and 0 < heat[0, 0, 8, 7] < 1
    np.testing.assert_array_equal(size[0, :, 8, 6], [8, 8])
    np.testing.assert_array_equal(size[0, :, 2, 13], [3, 3])
    assert np.count_nonzero(size) == 4


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(box_scene=[0, 5]), r"box_scene must lie in 0\.\.1"),
        (dict(box_scene=[0]), "one int per box"),
        (dict(boxes=[[0, 0, 20, 4], [0, 0, 1, 1]]), "inside the 16 x 16"),
        (dict(num_scenes=0), "num_scenes must be >= 1"),
    ],
)
def test_center_targets_bad_input(kwargs, match):
    args = dict(
        boxes=[[0, 0, 4, 4], [1, 1, 3, 3]],
        box_scene=[0, 1],
        num_scenes=2,
        size=16,
    )
    args.update(kwargs)
    with pytest.raises(ValueError, match=f"center_targets: .*{match}"):
        D.center_targets(**args)


@st.composite
def heatmaps(draw):
    rng = np.random.default_rng(draw(st.integers(0, 2**31 - 1)))
    shape = (
        draw(st.integers(1, 3)),
        1,
        draw(st.integers(2, 7)),
        draw(st.integers(2, 7)),
    )
    target = rng.uniform(0, 1, shape) ** 3
    target[rng.uniform(size=shape) < 0.1] = 1.0  # some centers
    scale = draw(st.sampled_from([0.5, 3.0, 12.0]))
    return rng.normal(size=shape) * scale, target


@pytest.mark.parametrize("alpha, beta", [(2.0, 4.0), (0.0, 0.0), (1.5, 2.0)])
@given(case=heatmaps())
def test_center_focal_loss_matches_torch(alpha, beta, case):
    z, y = case
    tz = t(z).requires_grad_()
    loss = torch_focal(tz, t(y), alpha, beta)
    close(D.center_focal_loss(z, y, alpha, beta), loss)
    loss.backward()
    close(D.center_focal_loss_backward(z, y, alpha, beta), tz.grad)


def test_center_focal_loss_with_alpha_0_is_binary_cross_entropy():
    # alpha = beta = 0: every pixel weighs 1, summed and divided by the
    # number of centers.
    rng = np.random.default_rng(0)
    z = rng.normal(size=(2, 1, 4, 4))
    y = (rng.uniform(size=z.shape) < 0.3).astype(float)
    bce = (
        torch.nn.functional.binary_cross_entropy_with_logits(
            t(z), t(y), reduction="sum"
        )
        / y.sum()
    )
    close(D.center_focal_loss(z, y, 0.0, 0.0), bce)


def test_center_focal_loss_bad_input():
    with pytest.raises(
        ValueError,
        match="center_focal_loss: target must "
        r"lie in \[0, 1\]",
    ):
        D.center_focal_loss(np.zeros(3), np.array([0.0, 2.0, 1.0]))
    with pytest.raises(ValueError, match="same shape"):
        D.center_focal_loss(np.zeros(3), np.zeros(4))
    with pytest.raises(ValueError, match="alpha must be >= 0"):
        D.center_focal_loss(np.zeros(3), np.zeros(3), alpha=-1.0)
    with pytest.raises(ValueError, match="center_focal_loss: logits"):
        torch_focal(torch.zeros(3), torch.zeros(4))


def test_decoding_the_targets_gives_back_the_boxes():
    boxes = np.array([[2, 4, 10, 12], [12, 1, 15, 4], [3, 3, 9, 7]], float)
    scene = np.array([0, 0, 1])
    heat, size, _ = D.center_targets(boxes, scene, 2, 16)
    found, scores, found_scene = D.decode_centers(heat, size, 0.5)
    assert len(found) == 3 and np.all(scores == 1.0)
    np.testing.assert_array_equal(found_scene, [0, 0, 1])
    # centers are quantized to a pixel: half a pixel off at most
    order = np.lexsort((found[:, 0], found_scene))
    truth = np.lexsort((boxes[:, 0], scene))
    assert np.abs(found[order] - boxes[truth]).max() <= 0.5
    assert D.average_precision(found, scores, found_scene, boxes, scene) == 1.0


def test_decode_keeps_local_maxima_only():
    heat = np.zeros((1, 1, 5, 5))
    heat[0, 0, 2, 2], heat[0, 0, 2, 3], heat[0, 0, 0, 0] = 0.9, 0.8, 0.4
    boxes, scores, _ = D.decode_centers(heat, np.ones((1, 2, 5, 5)), 0.3)
    np.testing.assert_array_equal(scores, [0.9, 0.4])  # 0.8 is no peak
    close(boxes[0], [2.0, 2.0, 3.0, 3.0])
    with pytest.raises(ValueError, match="decode_centers: heatmap must"):
        D.decode_centers(heat, np.ones((1, 3, 5, 5)))


def test_average_precision_worked_example():
    truth = np.array([[0, 0, 2, 2], [4, 4, 6, 6], [8, 8, 10, 10]], float)
    # ranked: hit, miss (nothing there), duplicate of the first, hit
    det = np.array(
        [[0, 0, 2, 2], [20, 20, 22, 22], [0, 0, 2, 2], [4, 4, 6, 6]], float
    )
    scores = np.array([0.9, 0.8, 0.7, 0.6])
    # precision 1, 1/2, 1/3, 2/4 at recall 1/3, 1/3, 1/3, 2/3; made
    # monotone: 1 up to recall 1/3, then 1/2 up to 2/3; the third box is
    # never found.
    expected = 1 / 3 * 1 + 1 / 3 * 2 / 4
    ap = D.average_precision(
        det, scores, np.zeros(4, int), truth, np.zeros(3, int)
    )
    assert ap == pytest.approx(expected, rel=1e-12)


def test_average_precision_agrees_with_scikit_learn_when_monotone():
    # When every hit outranks every miss, precision is already monotone
    # and AP is scikit-learn's average precision of the hits, scaled by
    # the fraction of true boxes found.
    from sklearn.metrics import average_precision_score

    rng = np.random.default_rng(3)
    truth = np.array([[4 * k, 0, 4 * k + 2, 2] for k in range(6)], float)
    hits = truth[:4] + rng.uniform(-0.1, 0.1, (4, 4))
    misses = truth[:3] + [0, 10, 0, 10]
    det = np.vstack([hits, misses])
    scores = np.r_[rng.uniform(0.6, 1, 4), rng.uniform(0, 0.5, 3)]
    hit = np.r_[np.ones(4), np.zeros(3)]
    ap = D.average_precision(
        det, scores, np.zeros(7, int), truth, np.zeros(6, int)
    )
    assert ap == pytest.approx(
        average_precision_score(hit, scores) * 4 / 6, rel=1e-12
    )


def test_average_precision_bad_input():
    with pytest.raises(ValueError, match="average_precision: no true boxes"):
        D.average_precision(np.zeros((0, 4)), [], [], np.zeros((0, 4)), [])
    with pytest.raises(ValueError, match="one entry per box"):
        D.average_precision(
            [[0, 0, 1, 1]], [0.5, 0.4], [0], [[0, 0, 1, 1]], [0]
        )
    with pytest.raises(ValueError, match=r"iou_threshold must be > 0"):
        D.average_precision(
            [[0, 0, 1, 1]], [0.5], [0], [[0, 0, 1, 1]], [0], iou_threshold=0
        )
