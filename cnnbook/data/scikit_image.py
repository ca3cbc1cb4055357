r"""Real datasets inside scikit-image's wheel, beyond single images.

scikit-image (pinned in ``requirements.txt``, 0.26.0) installs a folder
``skimage/data``. Its ``skimage.data`` functions read some files from
that folder and *download* others on first use; this module reads only
files that are in the wheel, from the installed package, so it never
touches the network. Single images (a retina, a slide, textures) are
read by :func:`cnnbook.data.photograph`; here are the two sets that come
with labels:

- :func:`load_lfw_subset`: 200 gray 25 x 25 crops from Labeled Faces in
  the Wild, 100 faces and 100 non-faces. A face/non-face task; no
  identities, so no face recognition.
- :func:`load_stereo_motorcycle`: a rectified stereo pair from the
  Middlebury 2014 benchmark with its ground-truth disparity and the
  camera's calibration, hence depth (:func:`depth_from_disparity`). One
  scene.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
from numpy.typing import ArrayLike

from .._validation import as_array, check_number
from .builtin import _package_file

__all__ = [
    "StereoPair",
    "depth_from_disparity",
    "load_lfw_subset",
    "load_stereo_motorcycle",
]


def _read(relative: str, func: str) -> np.ndarray:
    from PIL import Image

    path = _package_file("skimage", relative)
    try:
        with Image.open(path) as image:
            array = np.asarray(image.convert("RGB"), dtype=np.float32)
    except OSError as err:
        raise ValueError(
            f"{func}: {path} is not a readable image: {err}"
        ) from err
    return array / 255.0


@cache
def _lfw_arrays() -> tuple[np.ndarray, np.ndarray]:
    path = _package_file("skimage", "data/lfw_subset.npy")
    images = np.load(path, allow_pickle=False)
    if images.shape != (200, 25, 25):
        raise ValueError(
            f"{path}: expected 200 images of 25 x 25, got shape {images.shape}"
        )
    images = images.astype(np.float32)[:, None]
    # scikit-image documents the order: 100 faces, then 100 non-faces.
    labels = np.repeat(np.array([1, 0], dtype=np.int64), 100)
    images.setflags(write=False)
    labels.setflags(write=False)
    return images, labels


def load_lfw_subset() -> tuple[np.ndarray, np.ndarray]:
    """200 real 25 x 25 gray crops: 100 faces, 100 non-faces.

    The faces were drawn at random from Labeled Faces in the Wild (LFW,
    Huang et al.), photographs of people found on news websites; the
    non-faces were cropped from the backgrounds of the same photographs;
    all were resized to 25 x 25 (scikit-image's ``lfw_subset``). The
    crops carry no identity, so they support face *detection*
    (face or not), not face *recognition* (whose face).

    Returns
    -------
    images : float32 array, shape (200, 1, 25, 25), values in [0, 1]
    labels : int64 array, shape (200,): 1 for a face (the first 100), 0
        for a non-face

    The arrays are read-only (cached); copy them to modify.
    """
    return _lfw_arrays()


@dataclass(frozen=True)
class StereoPair:
    """A rectified stereo pair with ground-truth disparity.

    ``left`` and ``right`` are float32 (H, W, 3) in [0, 1]; ``disparity``
    is float32 (H, W) in pixels: the left pixel ``(i, j)`` shows the same
    point as the right pixel ``(i, j - disparity[i, j])``; ``inf`` where
    the benchmark has no ground truth. ``focal_length`` and
    ``disparity_offset`` (the difference of the two cameras' principal
    points) are in pixels, ``baseline`` in millimeters.
    """

    left: np.ndarray
    right: np.ndarray
    disparity: np.ndarray
    focal_length: float
    baseline: float
    disparity_offset: float

    def depth(self) -> np.ndarray:
        """Depth in millimeters of every left pixel (``inf`` where the
        disparity is unknown); see :func:`depth_from_disparity`."""
        return depth_from_disparity(
            self.disparity,
            self.focal_length,
            self.baseline,
            self.disparity_offset,
        )


def load_stereo_motorcycle() -> StereoPair:
    """The Middlebury 2014 "Motorcycle" stereo pair, with ground truth.

    A real scene photographed by two cameras 193 mm apart; the benchmark
    measured the disparity of every pixel with structured light
    (Scharstein et al., GCPR 2014). scikit-image ships the images
    downsampled four times (500 x 741) with the disparity and the
    calibration valid at that size: focal length 994.978 px, baseline
    193.001 mm, principal-point offset 31.086 px.

    Returns
    -------
    StereoPair
        Fresh arrays on every call.
    """
    left = _read("data/motorcycle_left.png", "load_stereo_motorcycle")
    right = _read("data/motorcycle_right.png", "load_stereo_motorcycle")
    path = _package_file("skimage", "data/motorcycle_disp.npz")
    with np.load(path, allow_pickle=False) as archive:
        disparity = archive["arr_0"].astype(np.float32)
    if disparity.shape != left.shape[:2] or left.shape != right.shape:
        raise ValueError(
            f"{path}: shapes disagree: left {left.shape}, "
            f"right {right.shape}, disparity "
            f"{disparity.shape}"
        )
    return StereoPair(
        left,
        right,
        disparity,
        focal_length=994.978,
        baseline=193.001,
        disparity_offset=31.086,
    )


def depth_from_disparity(
    disparity: ArrayLike,
    focal_length: float,
    baseline: float,
    disparity_offset: float = 0.0,
) -> np.ndarray:
    r"""Depth of each pixel of a rectified stereo pair.

    A point at depth :math:`Z` seen by two cameras of focal length
    :math:`f` (pixels) whose centers are :math:`B` apart appears shifted
    by :math:`d = fB/Z - d_0` pixels between the two images (similar
    triangles; :math:`d_0` is the offset between the cameras' principal
    points), so

    .. math:: Z = \frac{f B}{d + d_0}

    in the unit of :math:`B`. Near points have large disparities; depth
    resolution falls as :math:`Z^2`.

    Parameters
    ----------
    disparity : array of float, pixels; ``inf`` (unknown) gives ``inf``
    focal_length : float, > 0, pixels
    baseline : float, > 0
    disparity_offset : float, pixels

    Returns
    -------
    array of float, the shape and dtype of ``disparity``

    >>> depth_from_disparity([10.0, 20.0], focal_length=1000, baseline=100)
    array([10000.,  5000.])
    """
    func = "depth_from_disparity"
    d = as_array(disparity, "disparity", func)
    f = check_number(
        focal_length, "focal_length", func, minimum=0, strict_minimum=True
    )
    b = check_number(
        baseline, "baseline", func, minimum=0, strict_minimum=True
    )
    d0 = check_number(disparity_offset, "disparity_offset", func)
    shifted = d + d0
    known = np.isfinite(shifted)
    if np.any(np.isnan(d)):
        raise ValueError(
            f"{func}: disparity holds NaN; mark unknown pixels with inf"
        )
    if np.any(shifted[known] <= 0):
        raise ValueError(
            f"{func}: disparity + disparity_offset must be "
            f"> 0 (a point in front of the cameras), got "
            f"{float(shifted[known].min())}"
        )
    with np.errstate(divide="ignore"):
        depth = np.where(known, f * b / np.where(known, shifted, 1.0), np.inf)
    return depth.astype(d.dtype, copy=False)
