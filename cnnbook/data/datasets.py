"""``torch.utils.data.Dataset`` wrappers for images held in memory.

:class:`ImageDataset` holds images ``(N, C, H, W)`` and integer labels as
tensors. Besides the usual ``dataset[i]`` it answers a whole batch at once
(``dataset[[3, 1, 4]]`` or a tensor of indices), which is how
:class:`cnnbook.train.Trainer` reads it: one indexing operation per batch
instead of one call per image and a ``torch.stack``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import torch
from numpy.typing import ArrayLike
from torch.utils.data import Dataset

from .._validation import as_indices, as_labels, check_int
from .split import stratified_split

__all__ = ["ImageDataset", "mnist_5k_splits", "stratified_datasets"]


def _as_tensor(value, name: str, dtype) -> torch.Tensor:
    if name == "labels" and isinstance(value, torch.Tensor):
        if (
            value.dtype.is_floating_point
            or value.dtype.is_complex
            or (value.dtype == torch.bool)
        ):
            # a float label would be truncated to a class, a bool read as
            # class 0 or 1
            raise TypeError(
                "ImageDataset: labels must be integers (class indices), "
                f"got dtype {value.dtype}"
            )
    elif name == "labels" and isinstance(value, (list, tuple, np.ndarray)):
        value = as_labels(value, "labels", "ImageDataset")
    if isinstance(value, torch.Tensor):
        return value.detach().to(dtype)
    if isinstance(value, np.ndarray):
        return torch.from_numpy(np.array(value, copy=True)).to(dtype)
    raise TypeError(
        f"ImageDataset: {name} must be a numpy array or a torch.Tensor"
        f"{' (or a list)' if name == 'labels' else ''}, got "
        f"{type(value).__name__}"
    )


class ImageDataset(Dataset):
    """Images and labels in memory, as a ``Dataset``.

    Parameters
    ----------
    images : array or tensor, shape (N, C, H, W)
        Stored as float32.
    labels : int array or tensor, shape (N,)
        Class indices ``0 .. num_classes - 1``.
    transform : callable, optional
        Applied to each item, or to each batch when indexed by a list (the
        transforms of :mod:`cnnbook.data.transforms` accept both).
    num_classes : int, optional
        Default: ``labels.max() + 1``.
    classes : sequence of str, optional
        Class names, ``classes[label]``.
    """

    #: Trainer may index this dataset with a batch of indices.
    supports_batch_indexing = True

    def __init__(
        self,
        images: ArrayLike | torch.Tensor,
        labels: ArrayLike | torch.Tensor,
        transform: Callable[[torch.Tensor], torch.Tensor] | None = None,
        num_classes: int | None = None,
        classes: Sequence[str] | None = None,
    ):
        images = _as_tensor(images, "images", torch.float32)
        labels = _as_tensor(labels, "labels", torch.int64)
        if images.ndim != 4:
            raise ValueError(
                "ImageDataset: images must have shape (N, C, H, W), got "
                f"{tuple(images.shape)}"
            )
        if labels.ndim != 1 or len(labels) != len(images):
            raise ValueError(
                f"ImageDataset: labels must have shape ({len(images)},), "
                f"one per image, got {tuple(labels.shape)}"
            )
        if len(images) == 0:
            raise ValueError("ImageDataset: images is empty (0 images)")
        if num_classes is None:
            num_classes = int(labels.max()) + 1
        num_classes = check_int(
            num_classes, "num_classes", "ImageDataset", minimum=1
        )
        if labels.min() < 0 or labels.max() >= num_classes:
            raise ValueError(
                f"ImageDataset: labels must lie in 0..{num_classes - 1}, "
                f"got min {int(labels.min())}, max {int(labels.max())}"
            )
        if classes is not None and (
            isinstance(classes, str)
            or not all(isinstance(c, str) for c in classes)
        ):
            raise TypeError(
                "ImageDataset: classes must be a list of class names "
                f"(str), got {classes!r}"
            )
        if classes is not None and len(classes) != num_classes:
            raise ValueError(
                f"ImageDataset: {len(classes)} class names for "
                f"{num_classes} classes"
            )
        if transform is not None and not callable(transform):
            raise TypeError("ImageDataset: transform must be callable")
        self.images = images
        self.labels = labels
        self.transform = transform
        self.num_classes = int(num_classes)
        self.classes = list(classes) if classes is not None else None

    def __len__(self) -> int:
        return len(self.labels)

    def __getitem__(self, index):
        if isinstance(index, (list, tuple, np.ndarray)):
            index = torch.from_numpy(
                as_indices(index, "index", "ImageDataset", len(self))
            )
        x, y = self.images[index], self.labels[index]
        if self.transform is not None:
            x = self.transform(x)
        return x, y

    def subset(self, indices: ArrayLike) -> ImageDataset:
        """A new dataset holding ``indices`` (same transform and classes)."""
        func = "ImageDataset.subset"
        index = as_indices(np.asarray(indices), "indices", func, len(self))
        if index.size == 0:
            raise ValueError(
                f"{func}: indices is empty; a dataset needs at least one image"
            )
        index = torch.from_numpy(index)
        return ImageDataset(
            self.images[index],
            self.labels[index],
            self.transform,
            self.num_classes,
            self.classes,
        )

    def class_counts(self) -> np.ndarray:
        """Number of images of each class."""
        return np.bincount(self.labels.numpy(), minlength=self.num_classes)

    def __repr__(self) -> str:
        shape = "x".join(str(s) for s in self.images.shape[1:])
        return (
            f"ImageDataset({len(self)} images of {shape}, "
            f"{self.num_classes} classes)"
        )


def stratified_datasets(
    images: ArrayLike | torch.Tensor,
    labels: ArrayLike | torch.Tensor,
    fractions: Sequence[float] = (0.7, 0.15, 0.15),
    seed: int = 0,
    **kwargs: Any,
) -> tuple[ImageDataset, ...]:
    """Split arrays with :func:`~cnnbook.data.stratified_split` into
    :class:`ImageDataset` objects (``kwargs`` go to each)."""
    parts = stratified_split(labels, fractions, seed)
    full = ImageDataset(images, labels, **kwargs)
    return tuple(full.subset(p) for p in parts)


def mnist_5k_splits(seed: int = 0) -> tuple[ImageDataset, ...]:
    """The 5,000 real MNIST digits, split 70/15/15 with stratification:
    3,500 training, 750 validation and 750 test digits, 10% of each
    digit in every part."""
    from .builtin import load_mnist_5k

    images, labels = load_mnist_5k()
    return stratified_datasets(
        images, labels, seed=seed, classes=[str(d) for d in range(10)]
    )
