"""The stratified split keeps class proportions and loses nothing."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cnnbook import data


def test_split_counts_worked_examples():
    assert data.split_counts(500, (0.7, 0.15, 0.15)).tolist() == [350, 75, 75]
    # 7 * 0.7 = 4.9, 7 * 0.15 = 1.05: floors 4, 1, 1; one left over goes
    # to the largest remainder (0.9)
    assert data.split_counts(7, (0.7, 0.15, 0.15)).tolist() == [5, 1, 1]
    assert data.split_counts(0, (0.5, 0.5)).tolist() == [0, 0]


@given(
    st.lists(st.integers(0, 6), min_size=1, max_size=300),
    st.integers(0, 2**31),
)
def test_every_index_once_and_proportions_within_one(labels, seed):
    labels = np.array(labels)
    fractions = (0.7, 0.15, 0.15)
    if any(
        0 in data.split_counts((labels == c).sum(), fractions)
        for c in np.unique(labels)
    ):
        # a class too small to appear in every part is refused
        with pytest.raises(ValueError, match="would get none of it"):
            data.stratified_split(labels, fractions, seed)
        return
    parts = data.stratified_split(labels, fractions, seed)
    joined = np.concatenate(parts)
    np.testing.assert_array_equal(np.sort(joined), np.arange(len(labels)))
    for c in np.unique(labels):
        n_c = (labels == c).sum()
        for part, f in zip(parts, (0.7, 0.15, 0.15), strict=True):
            # each class's share of each part is as exact as whole
            # numbers allow
            assert abs((labels[part] == c).sum() - f * n_c) < 1


@given(
    st.lists(st.integers(7, 60), min_size=1, max_size=6), st.integers(0, 2**31)
)
def test_classes_of_seven_or_more_are_in_every_part(sizes, seed):
    # 7 * 0.15 = 1.05: seven examples are the fewest that put one of the
    # class in each 15% part
    labels = np.repeat(np.arange(len(sizes)), sizes)
    parts = data.stratified_split(labels, (0.7, 0.15, 0.15), seed)
    for part in parts:
        assert set(labels[part]) == set(range(len(sizes)))


def test_mnist_5k_split_is_exactly_70_15_15_per_class():
    _, labels = data.load_mnist_5k()
    train, val, test = data.stratified_split(labels)
    for part, n in ((train, 350), (val, 75), (test, 75)):
        np.testing.assert_array_equal(np.bincount(labels[part]), [n] * 10)
    again = data.stratified_split(labels, seed=0)
    assert all(
        np.array_equal(a, b)
        for a, b in zip((train, val, test), again, strict=True)
    )
    other = data.stratified_split(labels, seed=1)
    assert not np.array_equal(train, other[0])


def test_split_rejects_bad_input():
    with pytest.raises(ValueError, match="labels is empty"):
        data.stratified_split([])
    with pytest.raises(ValueError, match="summing to 1"):
        data.stratified_split([0, 1], (0.5, 0.4))
    with pytest.raises(TypeError, match="integers"):
        data.stratified_split([0.5, 1.0])
    with pytest.raises(ValueError, match=">= 0"):
        data.stratified_split([0, -1])
    with pytest.raises(ValueError, match="one-dimensional"):
        data.stratified_split([[0, 1]])


def test_class_counts():
    assert data.class_counts([0, 2, 2], 4).tolist() == [1, 0, 2, 0]
    with pytest.raises(ValueError, match="out of range"):
        data.class_counts([0, 5], 3)
