r"""Training and measuring the multi-task network on composed scenes.

:func:`scene_targets` turns :class:`~cnnbook.data.scenes.DigitScenes`
into the tensors :class:`~cnnbook.models.multitask.MultiTaskLoss` reads;
:func:`fit_multitask` trains a network and its loss (whose learned
weights, if any, train with it); :func:`evaluate_multitask` measures
each task on held-out scenes with the metric its field uses:

- segmentation: intersection over union (IoU) of each class, averaged
  over the classes (mIoU); for two classes, the IoU of the objects;
- detection: average precision at IoU 0.5 (AP50) of the decoded boxes;
- depth: mean absolute relative error :math:`|\hat z - z| / z` on the
  pixels that have a depth.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from .._validation import check_int, check_number
from ..data.scenes import DigitScenes
from ..detection import average_precision, center_targets, decode_centers
from ..metrics import iou_per_class
from .config import TrainConfig
from .progress import _Progress
from .seeding import seed_everything

__all__ = ["evaluate_multitask", "fit_multitask", "scene_targets"]

STRIDE = 2  # the detection head's resolution is half the image's


def scene_targets(
    scenes: DigitScenes, classes: str = "objects"
) -> dict[str, torch.Tensor]:
    """The training targets of composed scenes, as tensors.

    Parameters
    ----------
    scenes : DigitScenes
    classes : "objects" or "digits"
        Segmentation classes: object (1) or background (0); or the 11
        classes background, digit 0, ..., digit 9.

    Returns
    -------
    dict with ``image`` (N, 1, H, W), ``segmentation`` (N, H, W) int64,
    ``heatmap`` (N, 1, H/2, W/2), ``box_size`` (N, 2, H/2, W/2) in input
    pixels, ``centers`` (N, H/2, W/2) bool, ``depth`` (N, H, W)
    """
    if not isinstance(scenes, DigitScenes):
        raise TypeError(
            f"scene_targets: scenes must be DigitScenes, got "
            f"{type(scenes).__name__}"
        )
    if classes not in ("objects", "digits"):
        raise ValueError(
            f"scene_targets: classes must be 'objects' or "
            f"'digits', got {classes!r}"
        )
    size = scenes.images.shape[-1]
    if size % 4 or scenes.images.shape[-2] != size:
        raise ValueError(
            f"scene_targets: scenes must be square with a side "
            f"that is a multiple of 4, got "
            f"{scenes.images.shape[-2:]}"
        )
    heatmap, box_size, centers = center_targets(
        scenes.boxes / STRIDE, scenes.box_scene, len(scenes), size // STRIDE
    )
    segmentation = scenes.segmentation
    if classes == "objects":
        segmentation = (segmentation > 0).astype(np.int64)
    return {
        "image": torch.from_numpy(scenes.images.copy()),
        "segmentation": torch.from_numpy(segmentation.copy()),
        "heatmap": torch.from_numpy(heatmap),
        "box_size": torch.from_numpy(box_size * STRIDE),
        "centers": torch.from_numpy(centers),
        "depth": torch.from_numpy(scenes.depth.copy()),
    }


def fit_multitask(
    model: nn.Module,
    criterion: nn.Module,
    targets: dict,
    epochs: int = 8,
    lr: float = 1e-2,
    batch_size: int = 64,
    seed: int = 0,
    progress: bool | None = None,
) -> list[dict]:
    """Train ``model`` on ``criterion`` (a MultiTaskLoss) with Adam and a
    one-cycle schedule peaking at ``lr``.

    The criterion's own parameters (the log-variances of uncertainty
    weighting) are optimized with the network's. Returns one record per
    epoch: the mean of each task loss over the epoch's batches (before
    weighting) and each task's weight at the end of the epoch.
    """
    func = "fit_multitask"
    epochs = check_int(epochs, "epochs", func, minimum=1)
    batch_size = check_int(batch_size, "batch_size", func, minimum=1)
    lr = check_number(lr, "lr", func, minimum=0, strict_minimum=True)
    seed = check_int(seed, "seed", func, minimum=0)
    missing = {
        "image",
        "segmentation",
        "heatmap",
        "box_size",
        "centers",
        "depth",
    } - set(targets)
    if missing:
        raise ValueError(
            f"{func}: targets lack {sorted(missing)} (build "
            "them with scene_targets)"
        )
    seed_everything(seed)
    n = len(targets["image"])
    steps = -(-n // batch_size)
    params = list(model.parameters()) + list(criterion.parameters())
    optimizer = torch.optim.Adam(params, lr=lr)
    schedule = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=lr, total_steps=epochs * steps
    )
    show = TrainConfig(progress=progress).shows_progress()
    history = []
    model.train()
    # the Trainer's bar: a notebook widget removed at the end of the run
    with _Progress(epochs * steps, show) as bar:
        for epoch in range(epochs):
            order = torch.randperm(n)
            sums = np.zeros(3)
            for start in range(0, n, batch_size):
                batch = order[start : start + batch_size]
                outputs = model(targets["image"][batch])
                loss = criterion(
                    outputs, {k: v[batch] for k, v in targets.items()}
                )
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                schedule.step()
                sums += [
                    criterion.last[t]
                    for t in ("segmentation", "detection", "depth")
                ]
                bar.update()
            record = {"epoch": epoch + 1}
            for task, total, weight in zip(
                ("segmentation", "detection", "depth"),
                sums / steps,
                criterion.effective_weights(),
                strict=True,
            ):
                record[f"{task}_loss"] = float(total)
                record[f"{task}_weight"] = float(weight)
            history.append(record)
            bar.set_postfix(
                {
                    task: f"{record[f'{task}_loss']:.3g}"
                    for task in ("segmentation", "detection", "depth")
                }
            )
    model.eval()
    return history


def _segmentation_iou(pred, target, num_classes: int) -> float:
    """IoU of the objects (two classes), or the mean over the classes
    present (more)."""
    iou = iou_per_class(pred, target, num_classes)
    return float(iou[1] if num_classes == 2 else np.nanmean(iou))


@torch.no_grad()
def evaluate_multitask(
    model: nn.Module,
    scenes: DigitScenes,
    classes: str = "objects",
    threshold: float = 0.3,
    batch_size: int = 256,
) -> dict[str, float]:
    """Each task's metric on ``scenes``, the network in eval mode.

    Returns
    -------
    dict: ``segmentation_iou`` (IoU of the objects for two classes, else
    the mean IoU over the classes present), ``detection_ap50`` (boxes
    decoded at ``threshold``), ``depth_abs_rel`` (on the pixels that
    have a depth)
    """
    targets = scene_targets(scenes, classes)
    threshold = check_number(
        threshold, "threshold", "evaluate_multitask", minimum=0, maximum=1
    )
    model.eval()
    outputs = {}
    for start in range(0, len(scenes), batch_size):
        batch = model(targets["image"][start : start + batch_size])
        for key, value in batch.items():
            outputs.setdefault(key, []).append(value)
    outputs = {key: torch.cat(value).numpy() for key, value in outputs.items()}
    seg_pred = outputs["segmentation"].argmax(1)
    seg_true = targets["segmentation"].numpy()
    boxes, scores, scene = decode_centers(
        1 / (1 + np.exp(-outputs["heatmap"])),
        outputs["box_size"] / STRIDE,
        threshold=threshold,
    )
    has_depth = scenes.depth > 0
    error = np.abs(outputs["depth"] - scenes.depth)[has_depth]
    return {
        "segmentation_iou": _segmentation_iou(
            seg_pred, seg_true, outputs["segmentation"].shape[1]
        ),
        "detection_ap50": average_precision(
            boxes * STRIDE,
            scores,
            scene,
            scenes.boxes,
            scenes.box_scene,
            iou_threshold=0.5,
        ),
        "depth_abs_rel": float(np.mean(error / scenes.depth[has_depth])),
    }
