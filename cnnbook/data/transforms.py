"""Data augmentation on tensors: small, composable, seeded transforms.

Each transform takes a float tensor holding one image ``(C, H, W)`` or a
batch ``(N, C, H, W)`` and returns one of the same kind; on a batch every
image gets its own random parameters, drawn in one go (fast on a CPU, and
the same code runs on a GPU: parameters are drawn on the CPU and moved to
the images' device).

Randomness: a transform built with ``seed=...`` owns a
``torch.Generator`` and repeats exactly; without a seed it draws from
PyTorch's global generator (so ``torch.manual_seed`` governs it). Either
way :meth:`Transform.state_dict` captures where the stream is, so a
training run can be checkpointed and resumed bit for bit.

The geometric transforms map output pixels back to input positions with
one affine matrix per image and sample bilinearly
(``torch.nn.functional.affine_grid`` / ``grid_sample``); points that fall
outside the image take the value ``fill``. Apply them before
:class:`Normalize`, so that ``fill=0`` means black (zero ink).
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence

import torch
import torch.nn.functional as F
from numpy.typing import ArrayLike

from .._validation import as_list, check_int, check_number

__all__ = [
    "ColorJitter",
    "Compose",
    "Normalize",
    "RandomAffine",
    "RandomHorizontalFlip",
    "RandomResizedCrop",
    "RandomRotation",
    "Transform",
    "channel_stats",
]


def _as_batch(x, name: str) -> tuple[torch.Tensor, bool]:
    if not isinstance(x, torch.Tensor):
        raise TypeError(
            f"{name}: expected a torch.Tensor image (C, H, W) or batch "
            f"(N, C, H, W), got {type(x).__name__}"
        )
    if not x.is_floating_point():
        raise TypeError(
            f"{name}: expected a floating-point tensor (values in [0, 1] "
            f"before Normalize), got dtype {x.dtype}"
        )
    if x.ndim == 3:
        return x.unsqueeze(0), True
    if x.ndim == 4:
        return x, False
    raise ValueError(
        f"{name}: expected shape (C, H, W) or (N, C, H, W), got "
        f"{tuple(x.shape)}"
    )


def _range(value, name: str, func: str, *, minimum=None, center=None):
    """``v`` -> ``(center - v, center + v)`` or ``(lo, hi)`` checked."""
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ValueError(f"{func}: {name} must be a number or a pair")
        lo = check_number(value[0], f"{name}[0]", func, minimum=minimum)
        hi = check_number(value[1], f"{name}[1]", func, minimum=minimum)
        if lo > hi:
            raise ValueError(
                f"{func}: {name} must have low <= high, got {value}"
            )
        return lo, hi
    v = check_number(value, name, func, minimum=0)
    c = 0.0 if center is None else center
    lo = c - v if minimum is None else max(minimum, c - v)
    return lo, c + v


class Transform(ABC):
    """Base class: seeding, state, and the image-or-batch convention.

    Subclasses implement ``apply(batch)`` on a ``(N, C, H, W)`` tensor.
    """

    def __init__(self, seed: int | None = None):
        self.generator = None
        if seed is not None:
            seed = check_int(seed, "seed", type(self).__name__, minimum=0)
            self.generator = torch.Generator().manual_seed(seed)

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        batch, single = _as_batch(x, type(self).__name__)
        out = self.apply(batch)
        return out[0] if single else out

    @abstractmethod
    def apply(self, batch: torch.Tensor) -> torch.Tensor:
        """The transformed ``(N, C, H, W)`` batch (a new tensor)."""

    def _uniform(self, n: int, lo: float, hi: float) -> torch.Tensor:
        """``n`` draws from U(lo, hi) on the CPU, float32."""
        u = torch.rand(n, generator=self.generator)
        return lo + (hi - lo) * u

    def state_dict(self) -> dict:
        """The generator's state (empty when using the global one)."""
        if self.generator is None:
            return {}
        return {"generator": self.generator.get_state()}

    def load_state_dict(self, state: dict) -> None:
        func = f"{type(self).__name__}.load_state_dict"
        if not isinstance(state, dict):
            raise TypeError(
                f"{func}: state must be a dict from state_dict(), got "
                f"{type(state).__name__}"
            )
        if self.generator is not None and "generator" in state:
            saved = state["generator"]
            if not (
                isinstance(saved, torch.Tensor) and saved.dtype == torch.uint8
            ):
                raise TypeError(
                    f"{func}: state['generator'] must be the uint8 tensor "
                    f"that state_dict() returns, got {type(saved).__name__}"
                )
            self.generator.set_state(saved)

    def _params(self) -> str:
        return ""

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._params()})"


class Compose(Transform):
    """Apply transforms in order.

    With ``seed``, every transform in the list draws from one shared,
    seeded generator (overriding their own), so one number fixes the
    whole pipeline.
    """

    def __init__(
        self,
        transforms: Sequence[Callable[[torch.Tensor], torch.Tensor]],
        seed: int | None = None,
    ):
        super().__init__(seed)
        self.transforms = as_list(
            transforms, "transforms", "Compose", what="transforms (callables)"
        )
        for i, t in enumerate(self.transforms):
            if not callable(t):
                raise TypeError(
                    f"Compose: transforms[{i}] is not callable: {t!r}"
                )
            if self.generator is not None and isinstance(t, Transform):
                t.generator = self.generator
                if isinstance(t, Compose):
                    t._share(self.generator)

    def _share(self, generator):
        for t in self.transforms:
            if isinstance(t, Transform):
                t.generator = generator
                if isinstance(t, Compose):
                    t._share(generator)

    def apply(self, batch: torch.Tensor) -> torch.Tensor:
        for t in self.transforms:
            batch = t(batch)
        return batch

    def state_dict(self) -> dict:
        return {
            "transforms": [
                t.state_dict() if isinstance(t, Transform) else {}
                for t in self.transforms
            ]
        }

    def load_state_dict(self, state: dict) -> None:
        if not isinstance(state, dict):
            raise TypeError(
                "Compose.load_state_dict: state must be a dict from "
                f"state_dict(), got {type(state).__name__}"
            )
        for t, s in zip(
            self.transforms, state.get("transforms", []), strict=False
        ):
            if isinstance(t, Transform):
                t.load_state_dict(s)

    def __repr__(self) -> str:
        inner = "".join(f"\n    {t!r}," for t in self.transforms)
        return f"Compose([{inner}\n])"


def _warp(
    batch: torch.Tensor,
    theta: torch.Tensor,
    fill: float,
    size: tuple[int, int] | None = None,
) -> torch.Tensor:
    """Sample ``batch`` at ``theta @ [x, y, 1]`` for each output pixel.

    ``theta`` is ``(N, 2, 3)`` in normalized coordinates (-1 .. 1 across
    the image, x to the right, y down), mapping output to input.
    """
    n, c, h, w = batch.shape
    out_h, out_w = size if size is not None else (h, w)
    if n == 0:  # affine_grid refuses an empty batch; nothing to sample
        return batch.new_zeros((0, c, out_h, out_w))
    theta = theta.to(device=batch.device, dtype=batch.dtype)
    grid = F.affine_grid(theta, [n, c, out_h, out_w], align_corners=False)
    # grid_sample pads with zeros: shift so that the padding means `fill`
    shifted = batch - fill if fill else batch
    out = F.grid_sample(
        shifted,
        grid,
        mode="bilinear",
        padding_mode="zeros",
        align_corners=False,
    )
    return out + fill if fill else out


class RandomAffine(Transform):
    r"""Random rotation, translation and scaling about the image center.

    A point :math:`\mathbf{p}` (relative to the center) moves to
    :math:`\mathbf{p}' = s R(\theta) \mathbf{p} + \mathbf{t}`, with
    :math:`R(\theta) = \begin{bmatrix}\cos\theta & -\sin\theta\\
    \sin\theta & \cos\theta\end{bmatrix}` in a frame whose y axis points
    up, so positive angles turn the picture counter-clockwise on screen.
    The output samples the input at the inverse map.

    Parameters
    ----------
    degrees : float or (min, max)
        Angle range; ``15`` means uniform in [-15, 15] degrees.
    translate : (float, float), optional
        Maximum shift as a fraction of width and height.
    scale : (float, float), optional
        Range of the scale factor ``s``.
    fill : float
        Value of pixels that come from outside the image.
    """

    def __init__(
        self,
        degrees: float = 0.0,
        translate: tuple[float, float] | None = None,
        scale: tuple[float, float] | None = None,
        fill: float = 0.0,
        seed: int | None = None,
    ):
        super().__init__(seed)
        func = type(self).__name__
        self.degrees = _range(degrees, "degrees", func)
        if translate is not None and (
            not isinstance(translate, (tuple, list)) or len(translate) != 2
        ):
            raise ValueError(
                f"{func}: translate must be a pair (max shift as a "
                f"fraction of the width, of the height), got {translate!r}"
            )
        self.translate = (
            (0.0, 0.0)
            if translate is None
            else tuple(
                check_number(t, f"translate[{i}]", func, minimum=0, maximum=1)
                for i, t in enumerate(translate)
            )
        )
        self.scale = (
            (1.0, 1.0)
            if scale is None
            else _range(scale, "scale", func, minimum=1e-3)
        )
        self.fill = check_number(fill, "fill", func)

    def matrices(
        self, n: int, height: int = 1, width: int = 1
    ) -> torch.Tensor:
        """``n`` random output-to-input matrices, shape (n, 2, 3), in the
        normalized coordinates of an image of ``height`` x ``width``."""
        angle = torch.deg2rad(self._uniform(n, *self.degrees))
        s = self._uniform(n, *self.scale)
        tx = self._uniform(n, -self.translate[0], self.translate[0]) * width
        ty = self._uniform(n, -self.translate[1], self.translate[1]) * height
        # In pixel units (half-sizes w, h; y pointing down) the forward map
        # is p' = s R(-angle) p + t: a counter-clockwise turn on screen is
        # R(-angle) when y points down. Its inverse is
        # p = R(angle) (p' - t) / s.
        cos, sin = torch.cos(angle) / s, torch.sin(angle) / s
        bx, by = -(cos * tx - sin * ty), -(sin * tx + cos * ty)
        # To normalized units (x / w, y / h): A -> D^-1 A D, b -> D^-1 b.
        w, h = width / 2, height / 2
        return torch.stack(
            [
                torch.stack([cos, -sin * h / w, bx / w], 1),
                torch.stack([sin * w / h, cos, by / h], 1),
            ],
            1,
        )

    def apply(self, batch: torch.Tensor) -> torch.Tensor:
        _, _, h, w = batch.shape
        return _warp(batch, self.matrices(len(batch), h, w), self.fill)

    def _params(self):
        return (
            f"degrees={self.degrees}, translate={self.translate}, "
            f"scale={self.scale}, fill={self.fill}"
        )


class RandomRotation(RandomAffine):
    """Rotate each image by an angle uniform in ``[-degrees, degrees]``
    (or ``degrees=(min, max)``) about its center; positive is
    counter-clockwise. ``torchvision.transforms.RandomRotation`` on
    tensors, with bilinear sampling."""

    def __init__(
        self, degrees: float, fill: float = 0.0, seed: int | None = None
    ):
        super().__init__(degrees, fill=fill, seed=seed)

    def _params(self):
        return f"degrees={self.degrees}, fill={self.fill}"


class RandomHorizontalFlip(Transform):
    """Mirror each image left-right with probability ``p``."""

    def __init__(self, p: float = 0.5, seed: int | None = None):
        super().__init__(seed)
        self.p = check_number(
            p, "p", type(self).__name__, minimum=0, maximum=1
        )

    def apply(self, batch: torch.Tensor) -> torch.Tensor:
        flip = self._uniform(len(batch), 0, 1) < self.p
        flip = flip.to(batch.device).view(-1, 1, 1, 1)
        return torch.where(flip, batch.flip(-1), batch)

    def _params(self):
        return f"p={self.p}"


class RandomResizedCrop(Transform):
    r"""Crop a random part of each image and resize it to ``size``.

    The crop covers a fraction ``a ~ U(scale)`` of the image's area, with
    aspect ratio ``r`` (width / height) log-uniform in ``ratio``: it is
    :math:`\sqrt{a r}` of the width by :math:`\sqrt{a / r}` of the height
    (each at most 1), placed uniformly at random inside the image.
    Sampling is bilinear and continuous (no rounding to whole pixels).
    """

    def __init__(
        self,
        size: int | tuple[int, int],
        scale: tuple[float, float] = (0.08, 1.0),
        ratio: tuple[float, float] = (3 / 4, 4 / 3),
        seed: int | None = None,
    ):
        super().__init__(seed)
        func = type(self).__name__
        if isinstance(size, (tuple, list)):
            self.size = tuple(
                check_int(s, "size", func, minimum=1) for s in size
            )
            if len(self.size) != 2:
                raise ValueError(f"{func}: size must be an int or a pair")
        else:
            s = check_int(size, "size", func, minimum=1)
            self.size = (s, s)
        self.scale = _range(scale, "scale", func, minimum=0)
        if self.scale[1] > 1 or self.scale[1] <= 0:
            raise ValueError(f"{func}: scale must lie in (0, 1], got {scale}")
        self.ratio = _range(ratio, "ratio", func, minimum=1e-3)

    def matrices(self, n: int) -> torch.Tensor:
        area = self._uniform(n, *self.scale)
        log_r = self._uniform(
            n, math.log(self.ratio[0]), math.log(self.ratio[1])
        )
        r = torch.exp(log_r)
        fw = torch.sqrt(area * r).clamp(max=1.0)  # crop width / width
        fh = torch.sqrt(area / r).clamp(max=1.0)
        cx = (self._uniform(n, 0, 1) * 2 - 1) * (1 - fw)
        cy = (self._uniform(n, 0, 1) * 2 - 1) * (1 - fh)
        zero = torch.zeros(n)
        return torch.stack(
            [torch.stack([fw, zero, cx], 1), torch.stack([zero, fh, cy], 1)], 1
        )

    def apply(self, batch: torch.Tensor) -> torch.Tensor:
        return _warp(batch, self.matrices(len(batch)), 0.0, self.size)

    def _params(self):
        return (
            f"size={self.size}, scale={self.scale}, "
            f"ratio=({self.ratio[0]:.4g}, {self.ratio[1]:.4g})"
        )


class ColorJitter(Transform):
    r"""Random brightness, contrast and saturation (in that order).

    With factors :math:`f` drawn per image from
    :math:`[\max(0, 1 - v), 1 + v]` for each given value :math:`v`:

    - brightness: :math:`x \to f x`
    - contrast: :math:`x \to \bar{g} + f (x - \bar{g})`, :math:`\bar{g}`
      the image's mean gray level
    - saturation (3 channels): :math:`x \to g + f (x - g)`, :math:`g` the
      gray image (ITU-R 601 luma)

    then clamped to [0, 1]. As torchvision's, except that the order is
    fixed (torchvision shuffles it) and hue is not offered.
    """

    def __init__(
        self,
        brightness: float = 0.0,
        contrast: float = 0.0,
        saturation: float = 0.0,
        seed: int | None = None,
    ):
        super().__init__(seed)
        func = type(self).__name__
        self.brightness = _range(
            brightness, "brightness", func, minimum=0, center=1.0
        )
        self.contrast = _range(
            contrast, "contrast", func, minimum=0, center=1.0
        )
        self.saturation = _range(
            saturation, "saturation", func, minimum=0, center=1.0
        )

    @staticmethod
    def _gray(batch):
        if batch.shape[1] == 1:
            return batch
        if batch.shape[1] != 3:
            raise ValueError(
                "ColorJitter: contrast and saturation need 1 or 3 "
                f"channels, got {batch.shape[1]}"
            )
        weights = torch.tensor(
            [0.299, 0.587, 0.114], dtype=batch.dtype, device=batch.device
        ).view(1, 3, 1, 1)
        return (batch * weights).sum(1, keepdim=True)

    def _factor(self, batch, bounds):
        f = self._uniform(len(batch), *bounds)
        return f.to(device=batch.device, dtype=batch.dtype).view(-1, 1, 1, 1)

    def apply(self, batch: torch.Tensor) -> torch.Tensor:
        if self.brightness != (1.0, 1.0):
            batch = (batch * self._factor(batch, self.brightness)).clamp(0, 1)
        if self.contrast != (1.0, 1.0):
            mean = self._gray(batch).mean(dim=(1, 2, 3), keepdim=True)
            f = self._factor(batch, self.contrast)
            batch = (mean + f * (batch - mean)).clamp(0, 1)
        if self.saturation != (1.0, 1.0) and batch.shape[1] == 3:
            gray = self._gray(batch)
            f = self._factor(batch, self.saturation)
            batch = (gray + f * (batch - gray)).clamp(0, 1)
        return batch

    def _params(self):
        return (
            f"brightness={self.brightness}, contrast={self.contrast}, "
            f"saturation={self.saturation}"
        )


def channel_stats(
    images: ArrayLike | torch.Tensor,
) -> tuple[tuple[float, ...], tuple[float, ...]]:
    r"""Per-channel mean and standard deviation of a set of images.

    :math:`\mu_c = \frac{1}{NHW}\sum_{n,h,w} x_{nchw}`,
    :math:`\sigma_c = \sqrt{\frac{1}{NHW}\sum (x_{nchw} - \mu_c)^2}`,
    accumulated in float64. Compute them on the training set only.
    """
    x = images if isinstance(images, torch.Tensor) else torch.as_tensor(images)
    if x.ndim != 4 or x.shape[0] == 0:
        raise ValueError(
            "channel_stats: expected a non-empty batch (N, C, H, W), got "
            f"shape {tuple(x.shape)}"
        )
    x = x.detach().to(torch.float64).transpose(0, 1).reshape(x.shape[1], -1)
    mean = x.mean(1)
    std = x.std(1, unbiased=False)
    return (
        tuple(round(float(m), 6) for m in mean),
        tuple(round(float(s), 6) for s in std),
    )


class Normalize(Transform):
    r"""Standardize each channel: :math:`x_c \to (x_c - \mu_c) / \sigma_c`.

    Use :meth:`from_data` to take :math:`\mu, \sigma` from the training
    images rather than from another dataset (ImageNet's
    ``mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225]`` describe
    ImageNet photographs, not your images).
    """

    def __init__(
        self, mean: float | Sequence[float], std: float | Sequence[float]
    ):
        super().__init__(None)
        func = type(self).__name__
        self.mean = tuple(
            check_number(m, "mean", func)
            for m in (mean if isinstance(mean, (tuple, list)) else [mean])
        )
        self.std = tuple(
            check_number(s, "std", func, minimum=0, strict_minimum=True)
            for s in (std if isinstance(std, (tuple, list)) else [std])
        )
        if len(self.mean) != len(self.std) or not self.mean:
            raise ValueError(
                f"{func}: mean and std must have the same length, at least "
                f"1, got {len(self.mean)} and {len(self.std)}"
            )

    @classmethod
    def from_data(cls, images: ArrayLike | torch.Tensor) -> Normalize:
        """Normalization with the statistics of ``images`` (training set)."""
        mean, std = channel_stats(images)
        return cls(mean, std)

    def _stats(self, batch):
        c = batch.shape[1]
        if len(self.mean) not in (1, c):
            raise ValueError(
                f"Normalize: {len(self.mean)} channel statistics for a "
                f"batch with {c} channels"
            )
        kw = {"dtype": batch.dtype, "device": batch.device}
        return (
            torch.tensor(self.mean, **kw).view(1, -1, 1, 1),
            torch.tensor(self.std, **kw).view(1, -1, 1, 1),
        )

    def apply(self, batch: torch.Tensor) -> torch.Tensor:
        mean, std = self._stats(batch)
        return (batch - mean) / std

    def inverse(self, x: torch.Tensor) -> torch.Tensor:
        """Undo the normalization (to display images)."""
        batch, single = _as_batch(x, "Normalize.inverse")
        mean, std = self._stats(batch)
        out = batch * std + mean
        return out[0] if single else out

    def _params(self):
        return f"mean={self.mean}, std={self.std}"
