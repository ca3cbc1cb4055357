r"""Scenes composed of real digits, with exact masks, boxes and depth.

A driving dataset labels every pixel with a class, every object with a
box and every point with its distance. No such dataset ships with the
book's packages, so these scenes are *built*: real handwritten MNIST
digits placed on a dark canvas, each at a depth :math:`z` drawn at
random and drawn at the size a pinhole camera would give it,

.. math:: \text{side} = \frac{f}{z}

(in pixels, for a digit 1 unit tall and a focal length :math:`f` in
pixels), nearer digits painted over farther ones. Because the scene is
composed, its labels are exact, not annotated:

- **segmentation**: each pixel's class, 0 for background and
  :math:`1 + d` where digit :math:`d` is the nearest one whose ink
  (intensity above 0.5) covers the pixel, or, where no ink does, the
  nearest one whose region (its ink grown by ``mask_dilation`` pixels)
  does;
- **boxes**: each digit's ink bounding box, in pixel-edge coordinates
  ``(x0, y0, x1, y1)`` (column ``x0`` is the first inked column,
  ``x1`` one past the last), the whole digit even where a nearer one
  hides part of it;
- **depth**: the depth :math:`z` of the digit that owns each pixel,
  0 on the background (no depth there: losses and metrics use the
  object pixels only, as with the sparse depth a lidar gives).

What the scenes cannot show: real scenes have many more object classes,
clutter, lighting and many depth cues (perspective, texture, shading,
parallax); here the only cue to depth is apparent size.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from .._validation import as_generator, check_int, check_number

__all__ = ["DigitScenes", "compose_digit_scenes"]

INK = 0.5  # a pixel belongs to a digit where its intensity exceeds this


@dataclass(frozen=True)
class DigitScenes:
    """Composed scenes and their exact labels (see the module docstring).

    Attributes
    ----------
    images : float32, (N, 1, H, W) in [0, 1]
    segmentation : int64, (N, H, W): 0 background, 1 + digit class
    depth : float32, (N, H, W): depth of the visible digit, 0 on
        background
    boxes : float32, (M, 4): ``(x0, y0, x1, y1)`` of all M digits
    box_scene : int64, (M,): the scene each box belongs to
    box_labels : int64, (M,): the digit class of each box
    box_depth : float32, (M,): the depth of each digit
    """

    images: np.ndarray
    segmentation: np.ndarray
    depth: np.ndarray
    boxes: np.ndarray
    box_scene: np.ndarray
    box_labels: np.ndarray
    box_depth: np.ndarray

    def __len__(self) -> int:
        return len(self.images)

    def scene_boxes(self, index: int) -> np.ndarray:
        """The boxes of scene ``index``, shape (k, 4)."""
        return self.boxes[self.box_scene == index]


def _resize(digit: np.ndarray, side: int) -> np.ndarray:
    """A square 2-d image resized to ``side`` x ``side`` (PIL, bilinear
    with antialiasing when shrinking)."""
    from PIL import Image

    image = Image.fromarray(np.ascontiguousarray(digit, np.float32), mode="F")
    out = np.asarray(image.resize((side, side), Image.Resampling.BILINEAR))
    return np.clip(out, 0.0, 1.0)


def _dilate(mask: np.ndarray, radius: int) -> np.ndarray:
    """Pixels within ``radius`` (chessboard distance) of a True pixel."""
    if radius == 0:
        return mask
    padded = np.pad(mask, radius)
    side = 2 * radius + 1
    windows = np.lib.stride_tricks.sliding_window_view(padded, (side, side))
    return windows.any(axis=(-2, -1))


def _iou(a, b) -> float:
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    inter = max(w, 0) * max(h, 0)
    area = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1])
    return inter / (area - inter)


def compose_digit_scenes(
    images: ArrayLike,
    labels: ArrayLike,
    num_scenes: int,
    size: int = 32,
    digits_per_scene: tuple[int, int] = (1, 2),
    depth_range: tuple[float, float] = (8.0, 16.0),
    focal_length: float = 192.0,
    max_overlap: float = 0.2,
    mask_dilation: int = 1,
    rng: int | np.random.Generator | None = None,
) -> DigitScenes:
    r"""Compose ``num_scenes`` scenes of real digits at random depths.

    Parameters
    ----------
    images : float array, (N, 1, h, w), values in [0, 1]
        The digits to draw from (white ink on black, as MNIST). Use
        disjoint digits for training and test scenes.
    labels : int array, (N,)
    num_scenes : int
    size : int
        Side of the square canvas in pixels.
    digits_per_scene : (int, int)
        Fewest and most digits in a scene (each count equally likely).
    depth_range : (float, float)
        Depths are drawn uniformly from this interval (meters, say).
    focal_length : float
        Pixels per unit of height at depth 1: a digit at depth ``z`` is
        drawn ``round(focal_length / z)`` pixels tall (its 28-pixel
        frame is), so the default draws digits 24 pixels tall at 8 m and
        12 at 16 m.
    max_overlap : float
        Largest intersection-over-union allowed between two digits'
        frames in one scene (placement is retried until it holds).
    mask_dilation : int
        A digit's region (its segmentation mask and where its depth is
        given) is its ink grown by this many pixels, as a car's mask
        covers its windows and not only its paint; 0 keeps the ink
        only. Ink always wins over another digit's grown border.
    rng : numpy Generator, int seed or None

    Returns
    -------
    DigitScenes
    """
    func = "compose_digit_scenes"
    images = np.asarray(images)
    labels = np.asarray(labels)
    if images.ndim != 4 or images.shape[1] != 1:
        raise ValueError(
            f"{func}: images must have shape (N, 1, h, w), got {images.shape}"
        )
    if images.dtype.kind != "f":
        raise TypeError(
            f"{func}: images must be floats in [0, 1], got "
            f"dtype {images.dtype}"
        )
    if labels.shape != images.shape[:1] or labels.dtype.kind not in "iu":
        raise ValueError(
            f"{func}: labels must be {images.shape[0]} "
            f"integer classes, got shape {labels.shape} and "
            f"dtype {labels.dtype}"
        )
    if len(images) == 0:
        raise ValueError(f"{func}: no digits to compose from")
    num_scenes = check_int(num_scenes, "num_scenes", func, minimum=1)
    size = check_int(size, "size", func, minimum=8)
    lo, hi = (
        check_int(v, f"digits_per_scene[{i}]", func, minimum=1)
        for i, v in enumerate(
            _pair(digits_per_scene, "digits_per_scene", func)
        )
    )
    if lo > hi:
        raise ValueError(
            f"{func}: digits_per_scene must be (fewest, most),"
            f" got {digits_per_scene!r}"
        )
    z_near, z_far = (
        check_number(
            v, f"depth_range[{i}]", func, minimum=0, strict_minimum=True
        )
        for i, v in enumerate(_pair(depth_range, "depth_range", func))
    )
    if z_near >= z_far:
        raise ValueError(
            f"{func}: depth_range must be (near, far) with "
            f"near < far, got {depth_range!r}"
        )
    focal_length = check_number(
        focal_length, "focal_length", func, minimum=0, strict_minimum=True
    )
    if round(focal_length / z_near) > size:
        raise ValueError(
            f"{func}: a digit at depth {z_near} would be "
            f"{round(focal_length / z_near)} pixels, larger "
            f"than the {size}-pixel canvas"
        )
    if round(focal_length / z_far) < 4:
        raise ValueError(
            f"{func}: a digit at depth {z_far} would be "
            f"under 4 pixels; lower depth_range or raise "
            "focal_length"
        )
    max_overlap = check_number(
        max_overlap, "max_overlap", func, minimum=0, maximum=1
    )
    mask_dilation = check_int(mask_dilation, "mask_dilation", func, minimum=0)
    rng = as_generator(rng, func)

    canvas = np.zeros((num_scenes, 1, size, size), np.float32)
    segmentation = np.zeros((num_scenes, size, size), np.int64)
    depth = np.zeros((num_scenes, size, size), np.float32)
    boxes, box_scene, box_labels, box_depth = [], [], [], []
    for n in range(num_scenes):
        placed = []  # (z, frame, digit index)
        for _ in range(int(rng.integers(lo, hi + 1))):
            for _attempt in range(100):
                z = float(rng.uniform(z_near, z_far))
                side = round(focal_length / z)
                y, x = rng.integers(0, size - side + 1, size=2)
                frame = (int(x), int(y), int(x) + side, int(y) + side)
                if all(_iou(frame, f) <= max_overlap for _, f, _ in placed):
                    placed.append((z, frame, int(rng.integers(len(images)))))
                    break
        far_to_near = sorted(placed, reverse=True)
        inks = [
            _resize(images[k, 0], x1 - x0)
            for _, (x0, y0, x1, y1), k in far_to_near
        ]
        # Nearer digits are painted over farther ones: first every
        # digit's halo, then every digit's ink, so that ink is never
        # covered by another digit's halo.
        for halo in (True, False):
            for (z, (x0, y0, x1, y1), k), ink in zip(
                far_to_near, inks, strict=True
            ):
                owned = ink > INK
                if halo:
                    owned = _dilate(owned, mask_dilation)
                else:
                    frame = canvas[n, 0, y0:y1, x0:x1]
                    frame[...] = ink + (1.0 - ink) * frame  # white "over"
                segmentation[n, y0:y1, x0:x1][owned] = 1 + labels[k]
                depth[n, y0:y1, x0:x1][owned] = z
        for (z, (x0, y0, _, _), k), ink in zip(far_to_near, inks, strict=True):
            rows, cols = np.nonzero(ink > INK)
            if rows.size == 0:  # an empty glyph has no box
                continue
            boxes.append(
                (
                    x0 + cols.min(),
                    y0 + rows.min(),
                    x0 + cols.max() + 1,
                    y0 + rows.max() + 1,
                )
            )
            box_scene.append(n)
            box_labels.append(int(labels[k]))
            box_depth.append(z)
    return DigitScenes(
        images=canvas,
        segmentation=segmentation,
        depth=depth,
        boxes=np.array(boxes, np.float32).reshape(-1, 4),
        box_scene=np.array(box_scene, np.int64),
        box_labels=np.array(box_labels, np.int64),
        box_depth=np.array(box_depth, np.float32),
    )


def _pair(value, name: str, func: str):
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        raise ValueError(f"{func}: {name} must be a pair, got {value!r}")
    return value
