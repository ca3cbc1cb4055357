"""GoogLeNet / Inception v1 (Szegedy et al., 2015).

``googlenet`` is the network of the paper (Table 1, Figures 2b and 3):
convolutions with biases and ReLU, no batch normalization (it came a few
months later), local response normalization after the first max-pool and
after the 3 x 3 stem convolution, 3 x 3 max-pools with stride 2 that round
up (as the authors' Caffe model does, which gives the table's 112 -> 56),
nine Inception modules whose "5 x 5" branches really are 5 x 5, dropout of
40% and the two auxiliary classifiers of section 5 (average pool 5 x 5
stride 3, 1 x 1 convolution to 128, fully connected 1024, dropout 70%).

``googlenet_torchvision`` is torchvision's variant, key for key: batch
normalization after every convolution (and no biases), no local response
normalization, a 2 x 2 fourth max-pool, dropout 20%, and, in every
Inception module, a **3 x 3** convolution in the branch the paper makes
5 x 5 (a known deviation kept for its pretrained weights).

Both have the auxiliary classifiers unless ``aux_logits=False``. In
training mode they return ``GoogLeNetOutputs(logits, aux2, aux1)``; in
evaluation mode the logits only (the auxiliary heads are not run).
"""

from __future__ import annotations

from typing import NamedTuple

import torch
import torch.nn as nn

from .._validation import check_int, check_number
from ._base import ImageClassifier
from .registry import register

__all__ = [
    "INCEPTION_MODULES",
    "GoogLeNet",
    "GoogLeNetOutputs",
    "Inception",
    "InceptionNaive",
    "InceptionSpec",
]


class InceptionSpec(NamedTuple):
    """One Inception module: a row of Table 1 of Szegedy et al. (2015)."""

    in_channels: int
    ch1x1: int  # "#1x1"
    ch3x3red: int  # "#3x3 reduce"
    ch3x3: int  # "#3x3"
    ch5x5red: int  # "#5x5 reduce"
    ch5x5: int  # "#5x5"
    pool_proj: int  # "pool proj"

    @property
    def out_channels(self) -> int:
        return self.ch1x1 + self.ch3x3 + self.ch5x5 + self.pool_proj


# Szegedy et al. (2015), Table 1.
INCEPTION_MODULES = {
    "inception3a": InceptionSpec(192, 64, 96, 128, 16, 32, 32),
    "inception3b": InceptionSpec(256, 128, 128, 192, 32, 96, 64),
    "inception4a": InceptionSpec(480, 192, 96, 208, 16, 48, 64),
    "inception4b": InceptionSpec(512, 160, 112, 224, 24, 64, 64),
    "inception4c": InceptionSpec(512, 128, 128, 256, 24, 64, 64),
    "inception4d": InceptionSpec(512, 112, 144, 288, 32, 64, 64),
    "inception4e": InceptionSpec(528, 256, 160, 320, 32, 128, 128),
    "inception5a": InceptionSpec(832, 256, 160, 320, 32, 128, 128),
    "inception5b": InceptionSpec(832, 384, 192, 384, 48, 128, 128),
}


class GoogLeNetOutputs(NamedTuple):
    """What GoogLeNet returns in training mode."""

    logits: torch.Tensor
    aux2: torch.Tensor | None
    aux1: torch.Tensor | None


class BasicConv2d(nn.Module):
    """Convolution and ReLU; with ``batch_norm``, convolution without bias,
    batch norm (eps 0.001, torchvision's), ReLU."""

    def __init__(
        self, in_channels: int, out_channels: int, batch_norm: bool, **kwargs
    ):
        super().__init__()
        self.conv = nn.Conv2d(
            in_channels, out_channels, bias=not batch_norm, **kwargs
        )
        self.bn = (
            nn.BatchNorm2d(out_channels, eps=0.001) if batch_norm else None
        )
        self.relu = nn.ReLU(inplace=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.conv(x)
        if self.bn is not None:
            x = self.bn(x)
        return self.relu(x)


class Inception(nn.Module):
    """An Inception module with dimension reductions (Figure 2b).

    Four branches, concatenated along the channels: 1x1; 1x1 then 3x3;
    1x1 then ``branch3_kernel`` (5 in the paper, 3 in torchvision); 3x3
    max-pool (stride 1) then 1x1.
    """

    def __init__(
        self,
        spec: InceptionSpec,
        batch_norm: bool = False,
        branch3_kernel: int = 5,
    ):
        super().__init__()
        bn = batch_norm
        self.branch1 = BasicConv2d(
            spec.in_channels, spec.ch1x1, bn, kernel_size=1
        )
        self.branch2 = nn.Sequential(
            BasicConv2d(spec.in_channels, spec.ch3x3red, bn, kernel_size=1),
            BasicConv2d(
                spec.ch3x3red, spec.ch3x3, bn, kernel_size=3, padding=1
            ),
        )
        self.branch3 = nn.Sequential(
            BasicConv2d(spec.in_channels, spec.ch5x5red, bn, kernel_size=1),
            BasicConv2d(
                spec.ch5x5red,
                spec.ch5x5,
                bn,
                kernel_size=branch3_kernel,
                padding=branch3_kernel // 2,
            ),
        )
        self.branch4 = nn.Sequential(
            nn.MaxPool2d(3, stride=1, padding=1, ceil_mode=True),
            BasicConv2d(spec.in_channels, spec.pool_proj, bn, kernel_size=1),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        branches = (self.branch1, self.branch2, self.branch3, self.branch4)
        return torch.cat([b(x) for b in branches], 1)  # (N, C_out, H, W)


class InceptionNaive(nn.Module):
    """The naive Inception module (Figure 2a): 1x1, 3x3 and 5x5
    convolutions and a 3x3 max-pool side by side on the input, no
    reductions. The pooled input passes through, so the module outputs
    ``ch1x1 + ch3x3 + ch5x5 + in_channels`` channels."""

    def __init__(self, spec: InceptionSpec):
        super().__init__()
        c = spec.in_channels
        self.branch1 = BasicConv2d(c, spec.ch1x1, False, kernel_size=1)
        self.branch2 = BasicConv2d(
            c, spec.ch3x3, False, kernel_size=3, padding=1
        )
        self.branch3 = BasicConv2d(
            c, spec.ch5x5, False, kernel_size=5, padding=2
        )
        self.branch4 = nn.MaxPool2d(3, stride=1, padding=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        branches = (self.branch1, self.branch2, self.branch3, self.branch4)
        return torch.cat([b(x) for b in branches], 1)


class InceptionAux(nn.Module):
    """An auxiliary classifier (section 5), on the output of 4a or 4d."""

    def __init__(
        self,
        in_channels: int,
        num_classes: int,
        batch_norm: bool,
        dropout: float,
        paper_pool: bool,
    ):
        super().__init__()
        # The paper: 5x5 average pool, stride 3 (14 -> 4); torchvision:
        # adaptive to 4 x 4, the same at 224 x 224.
        self.pool = (
            nn.AvgPool2d(5, stride=3)
            if paper_pool
            else nn.AdaptiveAvgPool2d((4, 4))
        )
        self.conv = BasicConv2d(in_channels, 128, batch_norm, kernel_size=1)
        self.fc1 = nn.Linear(128 * 4 * 4, 1024)
        self.fc2 = nn.Linear(1024, num_classes)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.conv(self.pool(x))  # (N, 128, 4, 4)
        x = torch.relu(self.fc1(torch.flatten(x, 1)))  # (N, 1024)
        return self.fc2(self.dropout(x))  # (N, num_classes)


class GoogLeNet(ImageClassifier):
    """GoogLeNet (Inception v1), the paper's or torchvision's variant.

    Parameters
    ----------
    num_classes : int
    aux_logits : bool
        Build the two auxiliary classifiers (used in training only).
    torchvision_variant : bool
        Batch norm, 3x3 "5x5" branches, no LRN, torchvision's pools and
        dropout; key for key ``torchvision.models.googlenet``.
    dropout, dropout_aux : float
        Default: the paper's 0.4 and 0.7 (torchvision: 0.2 and 0.7).
    in_channels : int
    """

    def __init__(
        self,
        num_classes: int = 1000,
        aux_logits: bool = True,
        torchvision_variant: bool = False,
        dropout: float | None = None,
        dropout_aux: float = 0.7,
        in_channels: int = 3,
    ):
        super().__init__()
        func = "GoogLeNet"
        num_classes = check_int(num_classes, "num_classes", func, minimum=1)
        self.in_channels = check_int(
            in_channels, "in_channels", func, minimum=1
        )
        tv = bool(torchvision_variant)
        dropout = (0.2 if tv else 0.4) if dropout is None else dropout
        dropout = check_number(dropout, "dropout", func, minimum=0, maximum=1)
        dropout_aux = check_number(
            dropout_aux, "dropout_aux", func, minimum=0, maximum=1
        )
        self.aux_logits = bool(aux_logits)

        def pool(kernel=3):
            return nn.MaxPool2d(kernel, stride=2, ceil_mode=True)

        def lrn():  # the paper's; parameters of the BVLC Caffe model
            return None if tv else nn.LocalResponseNorm(5, 1e-4, 0.75, 1.0)

        self.conv1 = BasicConv2d(
            in_channels, 64, tv, kernel_size=7, stride=2, padding=3
        )
        self.maxpool1 = pool()
        self.norm1 = lrn()
        self.conv2 = BasicConv2d(64, 64, tv, kernel_size=1)
        self.conv3 = BasicConv2d(64, 192, tv, kernel_size=3, padding=1)
        self.norm2 = lrn()
        self.maxpool2 = pool()
        kernel = 3 if tv else 5  # torchvision's "5x5" branch is 3x3
        for name, spec in INCEPTION_MODULES.items():
            setattr(self, name, Inception(spec, tv, kernel))
            if name == "inception3b":
                self.maxpool3 = pool()
            if name == "inception4e":
                self.maxpool4 = pool(2 if tv else 3)
        if self.aux_logits:
            self.aux1 = InceptionAux(
                512, num_classes, tv, dropout_aux, paper_pool=not tv
            )
            self.aux2 = InceptionAux(
                528, num_classes, tv, dropout_aux, paper_pool=not tv
            )
        else:
            self.aux1 = self.aux2 = None
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.dropout = nn.Dropout(dropout)
        self.fc = nn.Linear(1024, num_classes)
        # The smallest side, from the last pool back: maxpool4 needs 1
        # pixel (kernel 2, torchvision) or 2 (kernel 3); maxpool3, 2 and 1
        # (3/2, ceil mode: r outputs from 2r inputs) double it three
        # times, to 8 or 16, and conv1 (7/2, padding 3) makes r from
        # 2r - 1: 15 or 31. (The paper's auxiliary classifiers, run in
        # training only, also fix the size: see InceptionAux.)
        self.min_size = 15 if tv else 31

    def forward(self, x: torch.Tensor) -> torch.Tensor | GoogLeNetOutputs:
        self.check_input(x)  # rank, channels, size; up front
        x = self.maxpool1(self.conv1(x))  # (N, 64, 56, 56)
        if self.norm1 is not None:
            x = self.norm1(x)
        x = self.conv3(self.conv2(x))  # (N, 192, 56, 56)
        if self.norm2 is not None:
            x = self.norm2(x)
        x = self.maxpool2(x)  # (N, 192, 28, 28)
        x = self.inception3b(self.inception3a(x))  # (N, 480, 28, 28)
        x = self.maxpool3(x)  # (N, 480, 14, 14)
        x = self.inception4a(x)  # (N, 512, 14, 14)
        run_aux = self.aux_logits and self.training
        aux1 = self.aux1(x) if run_aux else None
        x = self.inception4d(self.inception4c(self.inception4b(x)))
        aux2 = self.aux2(x) if run_aux else None  # on 4d's (N, 528, ...)
        x = self.maxpool4(self.inception4e(x))  # (N, 832, 7, 7)
        x = self.inception5b(self.inception5a(x))  # (N, 1024, 7, 7)
        x = torch.flatten(self.avgpool(x), 1)  # (N, 1024)
        logits = self.fc(self.dropout(x))  # (N, num_classes)
        if run_aux:
            return GoogLeNetOutputs(logits, aux2, aux1)
        return logits


@register("googlenet")
def googlenet(**kwargs) -> GoogLeNet:
    """GoogLeNet as in Szegedy et al. (2015): 5x5 branches, no batch norm,
    LRN, auxiliary classifiers (``aux_logits=False`` drops them)."""
    return GoogLeNet(**kwargs)


@register("googlenet_torchvision")
def googlenet_torchvision(**kwargs) -> GoogLeNet:
    """torchvision's GoogLeNet: batch norm, 3x3 in the "5x5" branch; key
    for key ``torchvision.models.googlenet``."""
    return GoogLeNet(torchvision_variant=True, **kwargs)
