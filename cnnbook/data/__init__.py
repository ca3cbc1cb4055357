"""Datasets for the book: real images that work offline.

- :mod:`~cnnbook.data.builtin`: MNIST 5k, the 8 x 8 digits, photographs
  and other single real images (shipped inside PyPI packages);
- :mod:`~cnnbook.data.scikit_image`: the labeled sets in scikit-image's
  wheel: 200 face/non-face crops (LFW), a stereo pair with ground-truth
  disparity (Middlebury);
- :mod:`~cnnbook.data.readers`: MNIST IDX files, CIFAR-10 python batches,
  image-folder trees, found through ``root=`` or ``$CNNBOOK_DATA``;
- :mod:`~cnnbook.data.scenes`: scenes composed of real digits at random
  depths, with exact segmentation, boxes and depth;
- :mod:`~cnnbook.data.split`: the stratified train/validation/test split;
- :mod:`~cnnbook.data.datasets` and :mod:`~cnnbook.data.transforms`
  (PyTorch; imported on first use, so ``from cnnbook import data`` stays
  numpy-only): ``Dataset`` wrappers and augmentation on tensors.
"""

import importlib

from .builtin import (
    NOT_SHIPPED,
    PHOTOGRAPH_SOURCES,
    PHOTOGRAPHS,
    load_digits_8x8,
    load_mnist_5k,
    photograph,
)
from .readers import (
    CIFAR10_CLASSES,
    data_root,
    load_cifar10,
    load_image_folder,
    load_mnist,
    read_idx,
)
from .scenes import DigitScenes, compose_digit_scenes
from .scikit_image import (
    StereoPair,
    depth_from_disparity,
    load_lfw_subset,
    load_stereo_motorcycle,
)
from .split import class_counts, split_counts, stratified_split

_LAZY = {
    "ImageDataset": "datasets",
    "mnist_5k_splits": "datasets",
    "stratified_datasets": "datasets",
    "datasets": None,
    "transforms": None,
}

__all__ = [
    "CIFAR10_CLASSES",
    "DigitScenes",
    "NOT_SHIPPED",
    "PHOTOGRAPHS",
    "PHOTOGRAPH_SOURCES",
    "StereoPair",
    "class_counts",
    "compose_digit_scenes",
    "data_root",
    "depth_from_disparity",
    "load_cifar10",
    "load_digits_8x8",
    "load_image_folder",
    "load_lfw_subset",
    "load_mnist",
    "load_mnist_5k",
    "load_stereo_motorcycle",
    "photograph",
    "read_idx",
    "split_counts",
    "stratified_split",
    *_LAZY,
]


def __getattr__(name):
    """Import the PyTorch parts on first use."""
    if name not in _LAZY:
        raise AttributeError(
            f"module 'cnnbook.data' has no attribute {name!r}"
        )
    module = importlib.import_module(f".{_LAZY[name] or name}", __name__)
    return module if _LAZY[name] is None else getattr(module, name)
