"""The labelled sets read from scikit-image's wheel, never downloaded."""

import socket

import numpy as np
import pytest

from cnnbook import data


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a connection fails the test."""

    def refuse(*args, **kwargs):
        raise AssertionError("a loader tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def test_lfw_subset_faces_then_non_faces(no_network):
    images, labels = data.load_lfw_subset()
    assert images.shape == (200, 1, 25, 25) and images.dtype == np.float32
    assert 0.0 <= images.min() and images.max() <= 1.0
    np.testing.assert_array_equal(labels, [1] * 100 + [0] * 100)
    # Real faces look alike: each correlates with the mean face, the
    # background crops do not.
    faces = images[:100, 0].reshape(100, -1)
    mean_face = faces.mean(0) - faces.mean()

    def correlation(rows):
        rows = rows - rows.mean(1, keepdims=True)
        return (
            rows
            @ mean_face
            / (np.linalg.norm(rows, axis=1) * np.linalg.norm(mean_face))
        )

    assert np.median(correlation(faces)) > 0.4
    assert np.median(correlation(images[100:, 0].reshape(100, -1))) < 0.1
    with pytest.raises(ValueError):
        images[0, 0, 0, 0] = 0.5  # cached and read-only


def test_stereo_motorcycle_matches_its_ground_truth(no_network):
    pair = data.load_stereo_motorcycle()
    assert pair.left.shape == pair.right.shape == (500, 741, 3)
    assert pair.disparity.shape == (500, 741)
    known = np.isfinite(pair.disparity)
    assert 0.9 < known.mean() < 1.0  # a few pixels have no ground truth
    # The left pixel (i, j) shows what the right pixel (i, j - d) shows.
    i, j = np.nonzero(known)
    j_right = np.round(j - pair.disparity[i, j]).astype(int)
    inside = j_right >= 0
    left = pair.left[i[inside], j[inside]]
    matched = np.abs(left - pair.right[i[inside], j_right[inside]]).mean()
    unmatched = np.abs(left - pair.right[i[inside], j[inside]]).mean()
    assert matched < 0.3 * unmatched
    depth = pair.depth()
    assert np.all(np.isinf(depth[~known]))
    # The scene is a motorcycle two to five meters from the cameras.
    assert 1500 < depth[known].min() and depth[known].max() < 6000


def test_depth_from_disparity_is_fb_over_d():
    depth = data.depth_from_disparity(
        np.array([10.0, 40.0, np.inf]),
        focal_length=1000.0,
        baseline=100.0,
        disparity_offset=10.0,
    )
    np.testing.assert_allclose(
        depth, [1000 * 100 / 20, 1000 * 100 / 50, np.inf]
    )
    # float32 stays float32
    assert (
        data.depth_from_disparity(np.ones(3, np.float32), 1, 1).dtype
        == np.float32
    )


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (dict(focal_length=0.0), ValueError, "focal_length must be > 0"),
        (dict(baseline=-1.0), ValueError, "baseline must be > 0"),
        (dict(focal_length="1"), TypeError, "focal_length must be a real"),
        (dict(disparity=[1.0, np.nan]), ValueError, "disparity holds NaN"),
        (
            dict(disparity=[1.0, -5.0]),
            ValueError,
            r"disparity \+ disparity_offset must be > 0",
        ),
        (dict(disparity="near"), TypeError, "disparity must be a numpy"),
    ],
)
def test_depth_from_disparity_bad_input(kwargs, error, match):
    args = dict(disparity=[1.0, 2.0], focal_length=1.0, baseline=1.0)
    args.update(kwargs)
    with pytest.raises(error, match=f"depth_from_disparity: {match}"):
        data.depth_from_disparity(**args)


def test_not_shipped_are_really_not_in_the_wheel():
    import importlib.resources

    import skimage.data

    folder = importlib.resources.files("skimage") / "data"
    shipped = {p.name.split(".")[0] for p in folder.iterdir()}
    for name in data.NOT_SHIPPED:
        assert hasattr(skimage.data, name)  # a real skimage.data loader
        assert name not in shipped
        with pytest.raises(ValueError, match="never downloads"):
            data.photograph(name)
