"""Scenes composed of real digits: their labels are exact."""

import numpy as np
import pytest

from cnnbook.data import load_mnist_5k
from cnnbook.data.scenes import compose_digit_scenes


@pytest.fixture(scope="module")
def digits():
    images, labels = load_mnist_5k()
    return images[:1000], labels[:1000]


def test_shapes_and_label_consistency(digits):
    scenes = compose_digit_scenes(*digits, 50, rng=0)
    assert scenes.images.shape == (50, 1, 32, 32) and len(scenes) == 50
    assert scenes.images.dtype == np.float32
    assert 0 <= scenes.images.min() and scenes.images.max() <= 1
    assert scenes.segmentation.max() <= 10
    # depth is given exactly on the object pixels, inside depth_range
    objects = scenes.segmentation > 0
    np.testing.assert_array_equal(scenes.depth > 0, objects)
    assert 8 <= scenes.depth[objects].min()
    assert scenes.depth.max() <= 16
    # every box lies in the canvas; one to two per scene
    assert scenes.boxes.min() >= 0 and scenes.boxes.max() <= 32
    counts = np.bincount(scenes.box_scene, minlength=50)
    assert counts.min() >= 1 and counts.max() <= 2
    # every ink pixel of the image belongs to a digit
    assert objects[scenes.images[:, 0] > 0.5].all()
    # each box's digit class is the class of pixels inside it
    for box, n, label in zip(
        scenes.boxes.astype(int),
        scenes.box_scene,
        scenes.box_labels,
        strict=True,
    ):
        inside = scenes.segmentation[n, box[1] : box[3], box[0] : box[2]]
        assert (inside == 1 + label).any()


def test_single_digit_scenes_are_exact(digits):
    images, labels = digits
    scenes = compose_digit_scenes(
        images, labels, 30, digits_per_scene=(1, 1), mask_dilation=0, rng=1
    )
    ratios = []
    for n in range(30):
        ink = scenes.images[n, 0] > 0.5
        np.testing.assert_array_equal(scenes.segmentation[n] > 0, ink)
        rows, cols = np.nonzero(ink)
        np.testing.assert_array_equal(
            scenes.scene_boxes(n),
            [[cols.min(), rows.min(), cols.max() + 1, rows.max() + 1]],
        )
        # the apparent size follows the pinhole camera: side = f / z
        side = round(192.0 / scenes.box_depth[n])
        height = scenes.boxes[n, 3] - scenes.boxes[n, 1]
        assert height <= side
        ratios.append(height / side)
    # MNIST draws a digit about 20 pixels tall in its 28-pixel frame
    assert 0.6 < np.median(ratios) < 0.8


def test_mask_dilation_grows_the_regions(digits):
    thin = compose_digit_scenes(*digits, 20, mask_dilation=0, rng=2)
    wide = compose_digit_scenes(*digits, 20, mask_dilation=2, rng=2)
    np.testing.assert_array_equal(thin.images, wide.images)
    assert ((thin.segmentation > 0) <= (wide.segmentation > 0)).all()
    assert (wide.segmentation > 0).sum() > 2 * (thin.segmentation > 0).sum()


def test_nearer_digits_hide_farther_ones(digits):
    scenes = compose_digit_scenes(
        *digits,
        200,
        digits_per_scene=(2, 2),
        max_overlap=0.6,
        mask_dilation=0,
        rng=3,
    )
    # where two digits' boxes overlap and both have ink, the pixel's
    # depth is the nearer one's
    checked = 0
    for n in range(200):
        index = np.flatnonzero(scenes.box_scene == n)
        if len(index) < 2:
            continue
        near = index[np.argmin(scenes.box_depth[index])]
        x0, y0, x1, y1 = scenes.boxes[near].astype(int)
        region = scenes.segmentation[n, y0:y1, x0:x1]
        owned_by_near = region == 1 + scenes.box_labels[near]
        depth = scenes.depth[n, y0:y1, x0:x1]
        if scenes.box_labels[index[0]] != scenes.box_labels[index[1]]:
            np.testing.assert_array_equal(
                depth[owned_by_near], scenes.box_depth[near]
            )
            checked += 1
    assert checked > 50


def test_same_seed_same_scenes(digits):
    a = compose_digit_scenes(*digits, 10, rng=5)
    b = compose_digit_scenes(*digits, 10, rng=5)
    np.testing.assert_array_equal(a.images, b.images)
    np.testing.assert_array_equal(a.boxes, b.boxes)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (
            dict(images=np.zeros((3, 28, 28), np.float32)),
            ValueError,
            r"images must have shape \(N, 1, h, w\)",
        ),
        (
            dict(images=np.zeros((3, 1, 28, 28), np.uint8)),
            TypeError,
            "images must be floats",
        ),
        (
            dict(labels=np.zeros(2, int)),
            ValueError,
            "labels must be 3 integer",
        ),
        (dict(depth_range=(16.0, 8.0)), ValueError, "near < far"),
        (dict(depth_range=(4.0, 8.0)), ValueError, "larger than the 32-pixel"),
        (dict(depth_range=(8.0, 100.0)), ValueError, "under 4 pixels"),
        (dict(digits_per_scene=(2, 1)), ValueError, r"\(fewest, most\)"),
        (
            dict(digits_per_scene=3),
            ValueError,
            "digits_per_scene must be a pair",
        ),
        (dict(mask_dilation=-1), ValueError, "mask_dilation must be >= 0"),
        (dict(num_scenes=0), ValueError, "num_scenes must be >= 1"),
    ],
)
def test_bad_input(kwargs, error, match):
    args = dict(
        images=np.zeros((3, 1, 28, 28), np.float32),
        labels=np.zeros(3, int),
        num_scenes=2,
    )
    args.update(kwargs)
    with pytest.raises(error, match=f"compose_digit_scenes: .*{match}"):
        compose_digit_scenes(**args)
