"""The in-memory Dataset: items, batches, subsets, and its checks."""

import numpy as np
import pytest
import torch
from torch.utils.data import DataLoader

from cnnbook import data
from cnnbook.data.transforms import Normalize


def make(n=10, classes=3):
    images = np.arange(n * 4, dtype=np.float32).reshape(n, 1, 2, 2)
    return data.ImageDataset(images, np.arange(n) % classes)


def test_items_and_batches_agree():
    ds = make()
    x, y = ds[3]
    assert x.shape == (1, 2, 2) and int(y) == 0
    xb, yb = ds[[3, 1, 4]]
    assert xb.shape == (3, 1, 2, 2)
    torch.testing.assert_close(xb[0], x)
    assert yb.tolist() == [0, 1, 1]
    # a DataLoader over items gives the same batch
    loader = DataLoader(ds, batch_size=10)
    xl, yl = next(iter(loader))
    torch.testing.assert_close(xl, ds.images)
    assert len(ds) == 10 and ds.num_classes == 3
    assert "10 images of 1x2x2" in repr(ds)


def test_transform_applies_to_items_and_batches():
    norm = Normalize(10.0, 2.0)
    ds = data.ImageDataset(
        np.full((4, 1, 2, 2), 12.0, np.float32), [0, 1, 0, 1], transform=norm
    )
    assert torch.all(ds[0][0] == 1.0) and torch.all(ds[[0, 2]][0] == 1.0)


def test_subset_and_counts_and_splits():
    ds = make(9)
    sub = ds.subset([0, 3, 6])
    assert sub.labels.tolist() == [0, 0, 0] and sub.num_classes == 3
    assert ds.class_counts().tolist() == [3, 3, 3]
    train, val, test = data.mnist_5k_splits()
    assert (len(train), len(val), len(test)) == (3500, 750, 750)
    assert train.classes[7] == "7"
    assert np.array_equal(test.class_counts(), [75] * 10)
    # the parts do not overlap: no test digit is also a training digit
    flat = train.images.flatten(1)
    assert not (
        torch.cdist(test.images[:50].flatten(1), flat).min(1).values == 0
    ).any()


def test_the_arrays_are_copied():
    images = np.zeros((2, 1, 2, 2), np.float32)
    ds = data.ImageDataset(images, [0, 1])
    images[0] = 5
    assert ds.images.max() == 0


def test_bad_input_is_named():
    with pytest.raises(ValueError, match="empty"):
        data.ImageDataset(np.zeros((0, 1, 2, 2)), np.zeros(0, int))
    with pytest.raises(ValueError, match=r"\(N, C, H, W\)"):
        data.ImageDataset(np.zeros((2, 2, 2)), [0, 1])
    with pytest.raises(ValueError, match="one per image"):
        data.ImageDataset(np.zeros((2, 1, 2, 2)), [0, 1, 1])
    with pytest.raises(ValueError, match=r"labels must lie in 0\.\.2"):
        data.ImageDataset(np.zeros((2, 1, 2, 2)), [0, 3], num_classes=3)
    with pytest.raises(ValueError, match="labels must be class indices >= 0"):
        data.ImageDataset(np.zeros((2, 1, 2, 2)), [0, -1])
    with pytest.raises(ValueError, match="labels must lie"):
        data.ImageDataset(np.zeros((2, 1, 2, 2)), torch.tensor([0, -1]))
    with pytest.raises(TypeError, match="numpy array or a torch.Tensor"):
        data.ImageDataset([[0]], [0])
    with pytest.raises(TypeError, match="labels must be integers"):
        data.ImageDataset(np.zeros((2, 1, 2, 2)), np.array([0.0, 1.5]))
    with pytest.raises(ValueError, match="class names"):
        data.ImageDataset(np.zeros((2, 1, 2, 2)), [0, 1], classes=["a"])
