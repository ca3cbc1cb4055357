r"""One shared backbone, three heads: segmentation, detection and depth.

The multi-task network of section 9 of the encyclopedia ("Autonomous
Vehicles"), at a size a CPU trains in seconds. A small encoder-decoder
(the *backbone*, shared by every task) turns an image into a feature map
at half its resolution; three *heads*, each a 3 x 3 convolution and a
1 x 1 convolution, read that map:

- **segmentation**: one score per class and pixel, upsampled to the
  input's size (bilinear);
- **detection**, CenterNet-style (Zhou et al. 2019): a center-heatmap
  logit and a box width and height (in input pixels) per pixel of the
  half-resolution map;
- **depth**: one value per pixel, upsampled to the input's size.

:class:`MultiTaskLoss` combines the three task losses with hand-chosen
weights :math:`\alpha, \beta, \gamma` or with learned uncertainty
weights (Kendall, Gal and Cipolla 2018). The formulas are written in
numpy in :mod:`cnnbook.multitask` and :mod:`cnnbook.detection`; the
functions here are their PyTorch twins (the tests check them equal in
float64, values and gradients).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import nn

from .._validation import check_int, check_number
from .registry import register

# center_focal_loss and uncertainty_weighted_loss below are the PyTorch
# twins of the numpy functions of the same names (cnnbook.detection,
# cnnbook.multitask), which own the public names.
__all__ = ["MultiTaskLoss", "MultiTaskNet"]

TASKS = ("segmentation", "detection", "depth")


def _conv_bn_relu(c_in: int, c_out: int) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(c_in, c_out, 3, padding=1, bias=False),
        nn.BatchNorm2d(c_out),
        nn.ReLU(),
    )


def _head(c_in: int, c_out: int) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(c_in, c_in, 3, padding=1),
        nn.ReLU(),
        nn.Conv2d(c_in, c_out, 1),
    )


class MultiTaskNet(nn.Module):
    """A shared encoder-decoder with segmentation, detection and depth
    heads (a toy-size multi-task network in the style of Kendall et al.,
    2018; detection as in CenterNet, Zhou et al., 2019).

    Backbone, with ``c = width``: a 3 x 3 convolution (``c``), max-pool,
    two 3 x 3 convolutions (``2c``) at H/2, max-pool, two (``4c``) at
    H/4, upsampling (nearest) and concatenation with the H/2 features,
    one 3 x 3 convolution (``2c``): the shared features, (N, 2c, H/2,
    W/2). Every backbone convolution is followed by batch norm and ReLU.
    Its receptive field is 32 pixels.

    Parameters
    ----------
    width : int
        Channels ``c`` of the first layer.
    seg_classes : int
        Classes of the segmentation head (2: object or background).
    in_channels : int

    ``forward`` returns a dict: ``segmentation`` (N, seg_classes, H, W)
    logits, ``heatmap`` (N, 1, H/2, W/2) logits, ``box_size`` (N, 2, H/2,
    W/2) widths and heights in input pixels, ``depth`` (N, H, W). H and W
    must be multiples of 4.
    """

    def __init__(
        self, width: int = 8, seg_classes: int = 2, in_channels: int = 1
    ):
        super().__init__()
        func = "MultiTaskNet"
        c = check_int(width, "width", func, minimum=1)
        self.seg_classes = check_int(
            seg_classes, "seg_classes", func, minimum=2
        )
        self.in_channels = check_int(
            in_channels, "in_channels", func, minimum=1
        )
        self.stem = _conv_bn_relu(in_channels, c)
        self.down1 = nn.Sequential(
            _conv_bn_relu(c, 2 * c), _conv_bn_relu(2 * c, 2 * c)
        )
        self.down2 = nn.Sequential(
            _conv_bn_relu(2 * c, 4 * c), _conv_bn_relu(4 * c, 4 * c)
        )
        self.up = _conv_bn_relu(6 * c, 2 * c)
        self.segmentation_head = _head(2 * c, self.seg_classes)
        self.detection_head = _head(2 * c, 3)
        self.depth_head = _head(2 * c, 1)
        # CenterNet starts every pixel at a center probability of 0.1, so
        # that the first steps are not spent learning "mostly background".
        nn.init.constant_(
            self.detection_head[-1].bias[:1], -math.log((1 - 0.1) / 0.1)
        )

    def check_input(self, x: torch.Tensor) -> None:
        if x.ndim != 4 or x.shape[1] != self.in_channels:
            raise ValueError(
                f"MultiTaskNet: input must have shape (N, "
                f"{self.in_channels}, H, W), got "
                f"{tuple(x.shape)}"
            )
        if x.shape[-2] % 4 or x.shape[-1] % 4:
            raise ValueError(
                f"MultiTaskNet: H and W must be multiples of "
                f"4, got {tuple(x.shape[-2:])}"
            )

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """The shared backbone: (N, C, H, W) -> (N, 2c, H/2, W/2)."""
        half = self.down1(F.max_pool2d(self.stem(x), 2))  # (N, 2c, H/2, .)
        quarter = self.down2(F.max_pool2d(half, 2))  # (N, 4c, H/4, W/4)
        up = F.interpolate(quarter, scale_factor=2.0, mode="nearest")
        return self.up(torch.cat([up, half], dim=1))  # (N, 2c, H/2, W/2)

    def forward(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        self.check_input(x)
        f = self.features(x)
        seg = F.interpolate(
            self.segmentation_head(f),
            scale_factor=2.0,
            mode="bilinear",
            align_corners=False,
        )
        det = self.detection_head(f)  # (N, 3, H/2, W/2)
        depth = F.interpolate(
            self.depth_head(f),
            scale_factor=2.0,
            mode="bilinear",
            align_corners=False,
        )
        return {
            "segmentation": seg,
            "heatmap": det[:, :1],
            "box_size": det[:, 1:],
            "depth": depth[:, 0],
        }


@register("multitask_net")
def multitask_net(**kwargs) -> MultiTaskNet:
    """Shared backbone with segmentation, detection (CenterNet-style,
    2019) and depth heads, the multi-task network of the encyclopedia's
    section 9 at toy size (Kendall et al., 2018): 31,566 parameters at
    the default width 8."""
    return MultiTaskNet(**kwargs)


def center_focal_loss(
    logits: torch.Tensor,
    target: torch.Tensor,
    alpha: float = 2.0,
    beta: float = 4.0,
) -> torch.Tensor:
    r"""CenterNet's penalty-reduced focal loss, in PyTorch.

    The formula and its arguments are those of
    :func:`cnnbook.detection.center_focal_loss`:
    :math:`-\frac{1}{N}\sum (1 - \hat Y)^\alpha \log \hat Y` at the
    centers (:math:`Y = 1`), :math:`(1 - Y)^\beta \hat Y^\alpha \log(1 -
    \hat Y)` elsewhere, with :math:`\hat Y = \operatorname{sigmoid}(z)`.
    """
    if logits.shape != target.shape:
        raise ValueError(
            f"center_focal_loss: logits {tuple(logits.shape)} "
            f"and target {tuple(target.shape)} must have the "
            "same shape"
        )
    log_p, log_q = F.logsigmoid(logits), F.logsigmoid(-logits)
    pos = target == 1
    terms = torch.where(
        pos,
        torch.exp(log_q) ** alpha * log_p,
        (1 - target) ** beta * torch.exp(log_p) ** alpha * log_q,
    )
    return -terms.sum() / pos.sum().clamp(min=1)


def uncertainty_weighted_loss(
    losses: torch.Tensor, log_variances: torch.Tensor, regression
) -> torch.Tensor:
    r"""Kendall et al.'s uncertainty weighting, in PyTorch:
    :math:`\sum_i c_i e^{-s_i} \mathcal{L}_i + \frac12 s_i`, with
    :math:`c_i = 1/2` for regression and 1 for classification, as
    :func:`cnnbook.multitask.uncertainty_weighted_loss`."""
    c = torch.tensor(
        [0.5 if r else 1.0 for r in regression],
        dtype=losses.dtype,
        device=losses.device,
    )
    if losses.shape != log_variances.shape or losses.shape != c.shape:
        raise ValueError(
            "uncertainty_weighted_loss: losses, log_variances "
            "and regression need one entry per task, got "
            f"{tuple(losses.shape)}, "
            f"{tuple(log_variances.shape)} and {len(c)}"
        )
    return torch.sum(
        c * torch.exp(-log_variances) * losses + 0.5 * log_variances
    )


class MultiTaskLoss(nn.Module):
    r"""The total loss of :class:`MultiTaskNet`, from its three tasks.

    Task losses, each a mean so that none grows with the image size:

    - segmentation :math:`\mathcal{L}_\text{seg}`: cross-entropy over
      all pixels;
    - detection :math:`\mathcal{L}_\text{det}`: :func:`center_focal_loss`
      of the heatmap plus ``size_weight`` times the L1 error of the box
      width and height at the true centers (CenterNet's 0.1), per center;
    - depth :math:`\mathcal{L}_\text{depth}`: L1 error on the pixels
      that have a depth (``target["depth"] > 0``), in the depth's units.

    Combined with ``weights = (alpha, beta, gamma)``:
    :math:`\alpha \mathcal{L}_\text{seg} + \beta \mathcal{L}_\text{det}
    + \gamma \mathcal{L}_\text{depth}`; or, with
    ``weights="uncertainty"``, with :func:`uncertainty_weighted_loss` and
    learned log-variances (a parameter of this module: give it to the
    optimizer). Segmentation and detection count as classification,
    depth as regression.

    ``forward(outputs, targets)`` returns the total; the three task
    losses of the last call are in ``self.last`` (floats).
    """

    def __init__(
        self,
        weights: Sequence[float] | str = (1.0, 1.0, 1.0),
        size_weight: float = 0.1,
    ):
        super().__init__()
        func = "MultiTaskLoss"
        self.size_weight = check_number(
            size_weight, "size_weight", func, minimum=0
        )
        self.regression = (False, False, True)
        if isinstance(weights, str):
            if weights != "uncertainty":
                raise ValueError(
                    f"{func}: weights must be three numbers "
                    f"or 'uncertainty', got {weights!r}"
                )
            self.weights = None
            self.log_variances = nn.Parameter(torch.zeros(3))
        else:
            if not isinstance(weights, (tuple, list)) or len(weights) != 3:
                raise ValueError(
                    f"{func}: weights must be (alpha, beta, "
                    f"gamma) or 'uncertainty', got "
                    f"{weights!r}"
                )
            self.weights = tuple(
                check_number(w, f"weights[{i}]", func, minimum=0)
                for i, w in enumerate(weights)
            )
            self.log_variances = None
        self.last: dict[str, float] = {}

    def task_losses(self, outputs: dict, targets: dict) -> torch.Tensor:
        """The three task losses, a tensor of shape (3,)."""
        seg = F.cross_entropy(outputs["segmentation"], targets["segmentation"])
        centers = targets["centers"]  # (N, H/2, W/2) bool
        n_centers = centers.sum().clamp(min=1)
        size_error = (outputs["box_size"] - targets["box_size"]).abs()
        size = (size_error * centers[:, None]).sum() / n_centers
        det = center_focal_loss(outputs["heatmap"], targets["heatmap"]) + (
            self.size_weight * size
        )
        has_depth = targets["depth"] > 0
        depth = (outputs["depth"] - targets["depth"]).abs()[has_depth]
        depth = depth.mean() if depth.numel() else depth.sum()
        return torch.stack([seg, det, depth])

    def effective_weights(self) -> tuple[float, float, float]:
        """The weight each task loss has in the total now: the hand
        weights, or :math:`c_i e^{-s_i}`."""
        if self.weights is not None:
            return self.weights
        c = torch.tensor([0.5 if r else 1.0 for r in self.regression])
        w = c * torch.exp(-self.log_variances.detach().cpu())
        return tuple(float(v) for v in w)

    def forward(self, outputs: dict, targets: dict) -> torch.Tensor:
        losses = self.task_losses(outputs, targets)
        self.last = dict(
            zip(TASKS, (float(v) for v in losses.detach()), strict=True)
        )
        if self.weights is None:
            return uncertainty_weighted_loss(
                losses, self.log_variances, self.regression
            )
        w = torch.tensor(
            self.weights, dtype=losses.dtype, device=losses.device
        )
        return torch.sum(w * losses)
