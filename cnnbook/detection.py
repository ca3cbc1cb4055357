r"""Object detection as center points, in numpy.

A detector must say *where* each object is (a box) and *how sure* it is.
CenterNet ("Objects as Points", Zhou, Wang and Krähenbühl 2019) turns this
into dense prediction, the same kind of output as segmentation: for every
pixel, a score :math:`\hat Y_{ij} \in (0, 1)` that an object's center
lies there, and the object's width and height. Training targets:

- a heatmap :math:`Y` with a Gaussian bump of height 1 at each object's
  center pixel (:func:`center_targets`);
- the box size :math:`(w, h)` at each center pixel.

The heatmap is almost all background (2 centers among 1,024 pixels), so
its loss is a *focal* loss (:func:`center_focal_loss`), which
down-weights the easy background pixels, and, near a center, the
pixels the Gaussian marks as almost-centers. Decoding keeps the local
maxima of the heatmap above a threshold (:func:`decode_centers`), and a
detector is scored by its average precision (:func:`average_precision`)
at an intersection-over-union threshold (:func:`box_iou`).

Boxes are ``(x0, y0, x1, y1)`` in pixel-edge coordinates: pixel
``(i, j)`` covers ``[j, j + 1) x [i, i + 1)``.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ._validation import as_array, check_int, check_number

__all__ = [
    "average_precision",
    "box_iou",
    "center_focal_loss",
    "center_focal_loss_backward",
    "center_targets",
    "decode_centers",
]


def _boxes(value, name: str, func: str) -> np.ndarray:
    boxes = as_array(value, name, func, ndim=2)
    if boxes.shape[1] != 4:
        raise ValueError(
            f"{func}: {name} must have shape (M, 4) of "
            f"(x0, y0, x1, y1), got {boxes.shape}"
        )
    if np.any(boxes[:, 2] < boxes[:, 0]) or np.any(boxes[:, 3] < boxes[:, 1]):
        raise ValueError(f"{func}: {name} must have x1 >= x0 and y1 >= y0")
    return boxes


def box_iou(boxes1: ArrayLike, boxes2: ArrayLike) -> np.ndarray:
    r"""Intersection over union of every pair of boxes.

    .. math:: \mathrm{IoU}(A, B) = \frac{|A \cap B|}{|A| + |B| -
        |A \cap B|}

    Parameters
    ----------
    boxes1 : (M, 4), boxes2 : (K, 4), as ``(x0, y0, x1, y1)``

    Returns
    -------
    ndarray, (M, K); 0 for disjoint boxes (and for two empty ones)

    >>> box_iou([[0, 0, 2, 2]], [[1, 0, 3, 2], [4, 4, 5, 5]])
    array([[0.33333333, 0.        ]])
    """
    a = _boxes(boxes1, "boxes1", "box_iou")
    b = _boxes(boxes2, "boxes2", "box_iou")
    w = np.minimum(a[:, None, 2], b[None, :, 2]) - np.maximum(
        a[:, None, 0], b[None, :, 0]
    )
    h = np.minimum(a[:, None, 3], b[None, :, 3]) - np.maximum(
        a[:, None, 1], b[None, :, 1]
    )
    inter = np.clip(w, 0, None) * np.clip(h, 0, None)
    area_a = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])
    area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    union = area_a[:, None] + area_b[None, :] - inter
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(union > 0, inter / np.where(union > 0, union, 1), 0.0)


def center_targets(
    boxes: ArrayLike,
    box_scene: ArrayLike,
    num_scenes: int,
    size: int,
    sigma_fraction: float = 1 / 6,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""CenterNet's training targets for boxes in square images.

    Each box with center :math:`c = ((x_0 + x_1)/2, (y_0 + y_1)/2)` puts
    a Gaussian on the heatmap at its center pixel :math:`p = \lfloor c
    \rfloor`:

    .. math:: Y_{ij} = \max_{\text{boxes}} \exp\!\left(
        -\frac{(j - p_x)^2 + (i - p_y)^2}{2 \sigma^2}\right),
        \quad \sigma = \text{sigma\_fraction} \cdot \sqrt{w h}

    so :math:`Y = 1` exactly at the centers; the box's width and height
    are the size target at :math:`p`.

    Parameters
    ----------
    boxes : (M, 4); box_scene : (M,) ints, the image each box is in
    num_scenes, size : int, the number and side of the images

    Returns
    -------
    heatmap : float32, (num_scenes, 1, size, size)
    box_size : float32, (num_scenes, 2, size, size): (w, h) at centers,
        0 elsewhere
    centers : bool, (num_scenes, size, size): True at the centers
    """
    func = "center_targets"
    boxes = _boxes(boxes, "boxes", func)
    scene = np.asarray(box_scene)
    num_scenes = check_int(num_scenes, "num_scenes", func, minimum=1)
    size = check_int(size, "size", func, minimum=1)
    sigma_fraction = check_number(
        sigma_fraction, "sigma_fraction", func, minimum=0, strict_minimum=True
    )
    if scene.shape != (len(boxes),) or scene.dtype.kind not in "iu":
        raise ValueError(
            f"{func}: box_scene must hold one int per box, "
            f"got shape {scene.shape}"
        )
    if scene.size and (scene.min() < 0 or scene.max() >= num_scenes):
        raise ValueError(f"{func}: box_scene must lie in 0..{num_scenes - 1}")
    if boxes.size and (boxes.min() < 0 or boxes.max() > size):
        raise ValueError(
            f"{func}: boxes must lie inside the {size} x {size} image"
        )
    heatmap = np.zeros((num_scenes, 1, size, size), np.float32)
    box_size = np.zeros((num_scenes, 2, size, size), np.float32)
    centers = np.zeros((num_scenes, size, size), bool)
    rows, cols = np.mgrid[0:size, 0:size]
    for (x0, y0, x1, y1), n in zip(boxes, scene, strict=True):
        w, h = x1 - x0, y1 - y0
        px = min(int((x0 + x1) // 2), size - 1)
        py = min(int((y0 + y1) // 2), size - 1)
        sigma = max(sigma_fraction * np.sqrt(w * h), 1e-3)
        bump = np.exp(-((cols - px) ** 2 + (rows - py) ** 2) / (2 * sigma**2))
        np.maximum(heatmap[n, 0], bump, out=heatmap[n, 0])
        box_size[n, :, py, px] = (w, h)
        centers[n, py, px] = True
    return heatmap, box_size, centers


def _log_sigmoid(z):
    return -np.logaddexp(0.0, -z)


def _focal_args(logits, target, alpha, beta, func):
    z, y = as_array(logits, "logits", func), as_array(target, "target", func)
    if z.shape != y.shape:
        raise ValueError(
            f"{func}: logits {z.shape} and target {y.shape} "
            "must have the same shape"
        )
    if np.any((y < 0) | (y > 1)):
        raise ValueError(
            f"{func}: target must lie in [0, 1] (1 exactly at the centers)"
        )
    alpha = check_number(alpha, "alpha", func, minimum=0)
    beta = check_number(beta, "beta", func, minimum=0)
    return z, y, alpha, beta


def center_focal_loss(
    logits: ArrayLike, target: ArrayLike, alpha: float = 2.0, beta: float = 4.0
) -> float:
    r"""CenterNet's penalty-reduced focal loss of a center heatmap.

    With :math:`\hat Y = \operatorname{sigmoid}(z)` and :math:`N` the
    number of centers (pixels where :math:`Y = 1`, at least 1):

    .. math:: \mathcal{L} = -\frac{1}{N} \sum_{ij} \begin{cases}
        (1 - \hat Y_{ij})^\alpha \log \hat Y_{ij} & Y_{ij} = 1 \\
        (1 - Y_{ij})^\beta\, \hat Y_{ij}^\alpha \log(1 - \hat Y_{ij})
        & \text{otherwise}
        \end{cases}

    :math:`(1 - \hat Y)^\alpha` silences centers already found,
    :math:`\hat Y^\alpha` background already rejected (the focal term
    of Lin et al. 2017), and :math:`(1 - Y)^\beta` spares the pixels next
    to a center, which are almost right.

    Parameters
    ----------
    logits : array, any shape (e.g. (N, 1, H, W)); target : same shape,
        in [0, 1]
    alpha, beta : float, >= 0 (CenterNet: 2 and 4)
    """
    z, y, alpha, beta = _focal_args(
        logits, target, alpha, beta, "center_focal_loss"
    )
    log_p, log_q = _log_sigmoid(z), _log_sigmoid(-z)
    p, q = np.exp(log_p), np.exp(log_q)  # q = 1 - p, computed stably
    pos = y == 1
    terms = np.where(pos, q**alpha * log_p, (1 - y) ** beta * p**alpha * log_q)
    return float(-terms.sum() / max(int(pos.sum()), 1))


def center_focal_loss_backward(
    logits: ArrayLike, target: ArrayLike, alpha: float = 2.0, beta: float = 4.0
) -> np.ndarray:
    r"""Gradient of :func:`center_focal_loss` with respect to the logits.

    With :math:`p = \operatorname{sigmoid}(z)`, :math:`q = 1 - p` and
    :math:`dp/dz = pq`:

    .. math:: \frac{\partial \mathcal{L}}{\partial z} = -\frac{1}{N}
        \begin{cases}
        q^\alpha (q - \alpha p \log p) & Y = 1 \\
        (1 - Y)^\beta p^\alpha (\alpha q \log q - p) & \text{otherwise}
        \end{cases}
    """
    z, y, alpha, beta = _focal_args(
        logits, target, alpha, beta, "center_focal_loss_backward"
    )
    log_p, log_q = _log_sigmoid(z), _log_sigmoid(-z)
    p, q = np.exp(log_p), np.exp(log_q)
    pos = y == 1
    grad = np.where(
        pos,
        q**alpha * (q - alpha * p * log_p),
        (1 - y) ** beta * p**alpha * (alpha * q * log_q - p),
    )
    return -grad / max(int(pos.sum()), 1)


def decode_centers(
    heatmap: ArrayLike,
    box_size: ArrayLike,
    threshold: float = 0.3,
    max_detections: int = 20,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""Boxes from predicted center heatmaps: keep the local maxima.

    A pixel is a detection if its score is the largest in its 3 x 3
    neighborhood (CenterNet's replacement for non-maximum suppression)
    and at least ``threshold``; its box is centered on the pixel's
    center, :math:`(j + 1/2, i + 1/2)`, with the predicted ``(w, h)``.

    Parameters
    ----------
    heatmap : (N, 1, H, W) scores in [0, 1] (after the sigmoid)
    box_size : (N, 2, H, W) predicted widths and heights
    threshold : float in [0, 1]
    max_detections : int, the most boxes kept per image (highest scores)

    Returns
    -------
    boxes : float64, (D, 4); scores : (D,); scene : int64, (D,)
    """
    func = "decode_centers"
    heat = as_array(heatmap, "heatmap", func, ndim=4)
    wh = as_array(box_size, "box_size", func, ndim=4)
    if heat.shape[1] != 1 or wh.shape != (heat.shape[0], 2, *heat.shape[2:]):
        raise ValueError(
            f"{func}: heatmap must be (N, 1, H, W) and "
            f"box_size (N, 2, H, W), got {heat.shape} and "
            f"{wh.shape}"
        )
    threshold = check_number(
        threshold, "threshold", func, minimum=0, maximum=1
    )
    max_detections = check_int(
        max_detections, "max_detections", func, minimum=1
    )
    padded = np.pad(
        heat[:, 0], ((0, 0), (1, 1), (1, 1)), constant_values=-np.inf
    )
    windows = np.lib.stride_tricks.sliding_window_view(
        padded, (3, 3), axis=(1, 2)
    )
    peaks = (heat[:, 0] == windows.max(axis=(-2, -1))) & (
        heat[:, 0] >= threshold
    )
    boxes, scores, scene = [], [], []
    for n in range(heat.shape[0]):
        i, j = np.nonzero(peaks[n])
        order = np.argsort(-heat[n, 0, i, j], kind="stable")
        i, j = i[order][:max_detections], j[order][:max_detections]
        w, h = wh[n, 0, i, j], wh[n, 1, i, j]
        cx, cy = j + 0.5, i + 0.5
        boxes.append(
            np.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], axis=1)
        )
        scores.append(heat[n, 0, i, j])
        scene.append(np.full(len(i), n, np.int64))
    return (
        np.concatenate(boxes).astype(np.float64),
        np.concatenate(scores).astype(np.float64),
        np.concatenate(scene),
    )


def average_precision(
    boxes: ArrayLike,
    scores: ArrayLike,
    scene: ArrayLike,
    true_boxes: ArrayLike,
    true_scene: ArrayLike,
    iou_threshold: float = 0.5,
) -> float:
    r"""Average precision of detections against the true boxes.

    Detections are taken in order of decreasing score; each is a true
    positive if its IoU with a not-yet-matched true box of its image is at
    least ``iou_threshold`` (the best such box is matched), else a false
    positive. After the :math:`k`-th detection, precision :math:`P_k` =
    true positives / :math:`k`, recall :math:`R_k` = true positives /
    number of true boxes. AP is the area under the precision-recall
    curve with precision made monotone (the all-point interpolation of
    PASCAL VOC since 2010):

    .. math:: \mathrm{AP} = \sum_k (R_k - R_{k-1})
        \max_{k' \ge k} P_{k'}

    True boxes never detected keep the recall below 1, and so lower AP.

    Parameters
    ----------
    boxes : (D, 4); scores : (D,); scene : (D,) ints
        The detections (as :func:`decode_centers` returns them).
    true_boxes : (M, 4); true_scene : (M,) ints
    iou_threshold : float in (0, 1]

    >>> average_precision([[0, 0, 2, 2], [5, 5, 6, 6]], [0.9, 0.8], [0, 0],
    ...                   [[0, 0, 2, 2], [3, 3, 4, 4]], [0, 0])
    0.5
    """
    func = "average_precision"
    det = _boxes(boxes, "boxes", func)
    score = as_array(scores, "scores", func, ndim=1)
    det_scene = np.asarray(scene)
    gt = _boxes(true_boxes, "true_boxes", func)
    gt_scene = np.asarray(true_scene)
    if score.shape != (len(det),) or det_scene.shape != (len(det),):
        raise ValueError(
            f"{func}: scores and scene need one entry per "
            f"box ({len(det)}), got {score.shape} and "
            f"{det_scene.shape}"
        )
    if gt_scene.shape != (len(gt),):
        raise ValueError(
            f"{func}: true_scene needs one entry per true box "
            f"({len(gt)}), got {gt_scene.shape}"
        )
    iou_threshold = check_number(
        iou_threshold,
        "iou_threshold",
        func,
        minimum=0,
        maximum=1,
        strict_minimum=True,
    )
    if len(gt) == 0:
        raise ValueError(f"{func}: no true boxes: recall is undefined")
    order = np.argsort(-score, kind="stable")
    matched = np.zeros(len(gt), bool)
    hit = np.zeros(len(det), bool)
    for rank, d in enumerate(order):
        candidates = np.flatnonzero((gt_scene == det_scene[d]) & ~matched)
        if candidates.size == 0:
            continue
        iou = box_iou(det[d : d + 1], gt[candidates])[0]
        best = int(np.argmax(iou))
        if iou[best] >= iou_threshold:
            matched[candidates[best]] = True
            hit[rank] = True
    tp = np.cumsum(hit)
    precision = tp / np.arange(1, len(det) + 1)
    recall = tp / len(gt)
    envelope = np.maximum.accumulate(precision[::-1])[::-1]
    steps = np.diff(np.concatenate([[0.0], recall]))
    return float(np.sum(steps * envelope))
