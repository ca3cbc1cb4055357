"""The offline datasets shipped inside Python packages."""

import numpy as np
import pytest

from cnnbook import data


def test_mnist_5k_is_real_mnist_shaped_and_balanced():
    images, labels = data.load_mnist_5k()
    assert images.shape == (5000, 1, 28, 28)
    assert images.dtype == np.float32
    assert 0.0 == images.min() and images.max() == 1.0
    np.testing.assert_array_equal(np.bincount(labels), [500] * 10)
    # Real digits: a few percent of the pixels are ink, centered.
    ink = images[:, 0] > 0.5
    assert 0.05 < ink.mean() < 0.3
    assert ink[:, 10:18, 10:18].mean() > ink[:, :4, :].mean()
    with pytest.raises(ValueError):
        images[0, 0, 0, 0] = 1.0  # the cached arrays are read-only


def test_digits_8x8():
    images, labels = data.load_digits_8x8()
    assert images.shape == (1797, 1, 8, 8)
    assert images.max() == 1.0 and set(labels) == set(range(10))


@pytest.mark.parametrize("name", sorted(data.PHOTOGRAPHS))
def test_photographs(name):
    photo = data.photograph(name)
    assert photo.dtype == np.float32 and photo.ndim in (2, 3)
    assert 0 <= photo.min() < photo.max() <= 1
    gray = data.photograph(name, gray=True)
    assert gray.ndim == 2 and gray.shape == photo.shape[:2]


def test_unknown_photograph_lists_the_names():
    with pytest.raises(ValueError, match="available: .*camera"):
        data.photograph("mona-lisa")


def test_every_photograph_says_what_it_is_and_where_it_comes_from():
    assert set(data.PHOTOGRAPH_SOURCES) == set(data.PHOTOGRAPHS)
    for name, (what, source) in data.PHOTOGRAPH_SOURCES.items():
        assert what and source, name
        shape = data.photograph(name).shape[:2]
        assert f"{shape[0]} x {shape[1]}" in what, (name, shape)


def test_photograph_name_must_be_a_string():
    with pytest.raises(TypeError, match="photograph: name must be a str"):
        data.photograph(3)
