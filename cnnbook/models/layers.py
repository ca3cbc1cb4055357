"""Building blocks shared by several families of the zoo.

They are laid out as their torchvision counterparts
(``torchvision.ops.Conv2dNormActivation``, ``torchvision.ops.
SqueezeExcitation``), so the models built from them have torchvision's
parameter names.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn as nn

__all__ = ["ConvBNAct", "SqueezeExcitation", "make_divisible"]


class ConvBNAct(nn.Sequential):
    """Convolution (no bias), batch normalization, activation.

    Indices 0, 1, 2 as in ``torchvision.ops.Conv2dNormActivation``; the
    padding ``(kernel_size - 1) // 2`` keeps the size at stride 1.
    ``activation=None`` leaves the activation out (a linear projection).
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int = 3,
        stride: int = 1,
        groups: int = 1,
        activation: Callable[[], nn.Module] | None = nn.ReLU,
        eps: float = 1e-5,
        momentum: float = 0.1,
    ):
        layers = [
            nn.Conv2d(
                in_channels,
                out_channels,
                kernel_size,
                stride,
                (kernel_size - 1) // 2,
                groups=groups,
                bias=False,
            ),
            nn.BatchNorm2d(out_channels, eps=eps, momentum=momentum),
        ]
        if activation is not None:
            layers.append(activation(inplace=True))
        super().__init__(*layers)
        self.out_channels = out_channels


class SqueezeExcitation(nn.Module):
    r"""Squeeze-and-excitation (Hu et al., 2018): reweight the channels.

    .. math::

        s = \sigma\big(W_2\, \delta(W_1\, \bar x)\big), \qquad
        y_c = s_c\, x_c

    where :math:`\bar x` is the global average of each channel ("squeeze"),
    :math:`W_1` reduces :math:`C` channels to ``squeeze_channels``,
    :math:`\delta` is ReLU (SiLU in EfficientNet) and :math:`W_2` restores
    :math:`C`; the sigmoid gates ("excites") each channel. The two fully
    connected layers are 1 x 1 convolutions with bias, as in torchvision.
    """

    def __init__(
        self,
        channels: int,
        squeeze_channels: int,
        activation: Callable[[], nn.Module] = nn.ReLU,
    ):
        super().__init__()
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc1 = nn.Conv2d(channels, squeeze_channels, 1)
        self.fc2 = nn.Conv2d(squeeze_channels, channels, 1)
        self.activation = activation(inplace=True)
        self.scale_activation = nn.Sigmoid()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        scale = self.avgpool(x)  # (N, C, 1, 1)
        scale = self.fc2(self.activation(self.fc1(scale)))
        return self.scale_activation(scale) * x  # (N, C, H, W)


def make_divisible(value: float, divisor: int = 8) -> int:
    """Round a scaled channel count to a multiple of ``divisor`` (as the
    MobileNet and EfficientNet reference code does), never going more than
    10% below ``value``."""
    rounded = max(divisor, int(value + divisor / 2) // divisor * divisor)
    if rounded < 0.9 * value:
        rounded += divisor
    return rounded
