"""LeNet-5 (LeCun, Bottou, Bengio and Haffner, 1998), in two versions.

``lenet5`` is the *common modern variant*, the one most textbooks (and the
encyclopedia's table) draw: every C3 map sees all six S2 maps, pooling is a
plain average, the output is a fully connected layer. 61,706 parameters.

``lenet5_1998`` is the network of the paper, section II.B and Fig. 2:

- C3 connects each of its 16 maps to a *subset* of the 6 S2 maps
  (Table I), which gives 1,516 trainable parameters instead of 2,416;
- S2 and S4 ("sub-sampling") add the 4 inputs of a unit, multiply the sum
  by a trainable coefficient, add a trainable bias and squash: 2
  parameters per map;
- every squashing function is the scaled tanh ``1.7159 tanh(2a/3)``
  (Appendix A);
- the output layer has 10 Euclidean radial basis function (RBF) units
  whose 84 weights each are fixed, not learned.

Together: exactly 60,000 trainable parameters, as the paper states, and
340,908 connections.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import torch
import torch.nn as nn
import torch.nn.functional as F

from .._validation import check_int
from ..sizes import conv_output_size, pool_output_size
from ._base import ImageClassifier
from .registry import register

__all__ = ["LeNet5", "LeNet5_1998", "lenet5", "lenet5_1998"]


class LeNetLayer(NamedTuple):
    """One row of LeNet-5's architecture (the paper's Fig. 2)."""

    name: str  # the paper's label
    kind: str  # "conv", "subsample" or "full"
    channels: int  # feature maps or units
    kernel_size: int = 1


# LeCun et al. (1998), Fig. 2 and section II.B: 32x32 input.
LENET5_LAYERS = (
    LeNetLayer("C1", "conv", 6, 5),
    LeNetLayer("S2", "subsample", 6, 2),
    LeNetLayer("C3", "conv", 16, 5),
    LeNetLayer("S4", "subsample", 16, 2),
    LeNetLayer("C5", "conv", 120, 5),
    LeNetLayer("F6", "full", 84),
)

# Table I of the paper: the S2 maps (0-5) that each C3 map (0-15) reads.
# Maps 0-5 read 3 contiguous maps, 6-11 read 4 contiguous, 12-14 read 4
# non-contiguous, 15 reads all six.
C3_TABLE = (
    (0, 1, 2),
    (1, 2, 3),
    (2, 3, 4),
    (3, 4, 5),
    (0, 4, 5),
    (0, 1, 5),
    (0, 1, 2, 3),
    (1, 2, 3, 4),
    (2, 3, 4, 5),
    (0, 3, 4, 5),
    (0, 1, 4, 5),
    (0, 1, 2, 5),
    (0, 1, 3, 4),
    (1, 2, 4, 5),
    (0, 2, 3, 5),
    (0, 1, 2, 3, 4, 5),
)


class LeNet5(ImageClassifier):
    """LeNet-5, the common modern variant (61,706 parameters at 10 classes).

    LeCun et al. (1998), simplified as textbooks draw it: C3 is an ordinary
    5x5 convolution over all six maps (the paper: a sparse table), the
    pooling layers are plain 2x2 averages (the paper: a trainable
    coefficient and bias per map), tanh activations (the paper: a scaled
    tanh), and a fully connected output layer (the paper: fixed RBF units).
    Module names follow the paper's labels.

    Parameters
    ----------
    num_classes : int
    in_channels : int
    image_size : int
        Side of the square input; 32 in the paper (MNIST's 28 x 28 digits
        padded by 2). C5 then sees 5 x 5 maps and outputs 1 x 1; a larger
        input gives C5 a larger map (36 gives 2 x 2), and F6 more inputs.
    activation : {"tanh", "relu"}
        The non-linearity after C1, C3, C5 and F6: tanh as in the paper's
        family of squashing functions, or ReLU, which AlexNet (2012)
        adopted (chapter 6 trains both).
    """

    def __init__(
        self,
        num_classes: int = 10,
        in_channels: int = 1,
        image_size: int = 32,
        activation: str = "tanh",
    ):
        super().__init__()
        func = "LeNet5"
        if activation not in ("tanh", "relu"):
            raise ValueError(
                f"{func}: activation must be 'tanh' or 'relu', "
                f"got {activation!r}"
            )
        self.activation = activation
        num_classes = check_int(num_classes, "num_classes", func, minimum=1)
        self.in_channels = check_int(
            in_channels, "in_channels", func, minimum=1
        )
        self.image_size = check_int(image_size, "image_size", func, minimum=32)
        c1, _, c3, _, c5, f6 = LENET5_LAYERS
        side = ((image_size - 4) // 2 - 4) // 2 - 4  # after C5: 1 at 32
        self.C1 = nn.Conv2d(in_channels, c1.channels, c1.kernel_size)
        self.S2 = nn.AvgPool2d(2)
        self.C3 = nn.Conv2d(c1.channels, c3.channels, c3.kernel_size)
        self.S4 = nn.AvgPool2d(2)
        self.C5 = nn.Conv2d(c3.channels, c5.channels, c5.kernel_size)
        self.flatten = nn.Flatten()
        self.F6 = nn.Linear(c5.channels * side * side, f6.channels)
        self.output = nn.Linear(f6.channels, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.check_input(x)  # rank, channels, size; up front
        act = torch.tanh if self.activation == "tanh" else torch.relu
        x = self.S2(act(self.C1(x)))  # (N, 6, 14, 14)
        x = self.S4(act(self.C3(x)))  # (N, 16, 5, 5)
        x = act(self.C5(x))  # (N, 120, 1, 1) at 32 x 32
        x = act(self.F6(self.flatten(x)))  # (N, 84)
        return self.output(x)  # (N, num_classes) logits


class ScaledTanh(nn.Module):
    """The paper's squashing function ``A tanh(S a)``, A = 1.7159,
    S = 2/3 (Appendix A), chosen so that f(1) = 1 and f(-1) = -1."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return 1.7159 * torch.tanh(x * (2.0 / 3.0))


class Subsampling(nn.Module):
    r"""LeNet-5's S2/S4: sum a 2x2 window, scale, shift (2 parameters per
    map).

    .. math:: y_c = w_c \sum_{u,v \in 2\times2} x_{c,u,v} + b_c

    The squashing function is applied after it, as a separate module.
    """

    def __init__(self, channels: int):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(channels))
        self.bias = nn.Parameter(torch.zeros(channels))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        window_sum = 4 * F.avg_pool2d(x, 2)  # (N, C, H/2, W/2)
        return (
            window_sum * self.weight[:, None, None] + self.bias[:, None, None]
        )

    def macs(self, inputs, output) -> int:
        """One multiplication by the coefficient per output (the window
        sum is additions only)."""
        return output.numel()


class SparseConv(nn.Module):
    """C3: each output map is a 5x5 convolution of its own subset of the
    input maps (``table``), so only the listed connections have weights.

    One small ``Conv2d`` per output map, so the parameters that exist are
    exactly those of the paper (1,516 for Table I).
    """

    def __init__(self, table, kernel_size: int):
        super().__init__()
        self.table = tuple(tuple(inputs) for inputs in table)
        self.maps = nn.ModuleList(
            nn.Conv2d(len(inputs), 1, kernel_size) for inputs in self.table
        )
        for i, inputs in enumerate(self.table):
            self.register_buffer(
                f"index{i}", torch.tensor(inputs), persistent=False
            )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        outputs = [
            conv(x.index_select(1, getattr(self, f"index{i}")))
            for i, conv in enumerate(self.maps)
        ]
        return torch.cat(outputs, dim=1)  # (N, 16, H-4, W-4)

    def macs(self, inputs, output) -> int:
        """Each output map's positions times its own inputs x kernel."""
        positions = output.shape[0] * output.shape[2] * output.shape[3]
        return positions * sum(
            conv.in_channels * conv.kernel_size[0] * conv.kernel_size[1]
            for conv in self.maps
        )


class RBFOutput(nn.Module):
    r"""The paper's output layer: Euclidean RBF units with fixed weights.

    .. math:: y_i = \sum_j (x_j - w_{ij})^2

    The paper sets each unit's 84 weights by hand to +1/-1, a drawing of
    the character on a 7 x 12 grid, and keeps them fixed; they are not
    trainable parameters. The drawings are not in the paper; this module
    uses a fixed, seeded +1/-1 code per class instead (deviation). It
    returns ``-y`` so that the largest output is the predicted class, as
    for logits; the paper's loss works on ``y`` directly.
    """

    def __init__(self, in_features: int, num_classes: int, seed: int = 0):
        super().__init__()
        generator = torch.Generator().manual_seed(seed)
        codes = (
            torch.randint(
                0, 2, (num_classes, in_features), generator=generator
            )
            * 2.0
            - 1.0
        )
        self.register_buffer("centers", codes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        distance = ((x[:, None, :] - self.centers) ** 2).sum(-1)
        return -distance  # (N, num_classes)

    def macs(self, inputs, output) -> int:
        """One subtract-square-accumulate per (unit, input) pair."""
        return output.numel() * self.centers.shape[1]


class LeNet5_1998(ImageClassifier):
    """LeNet-5 as in LeCun et al. (1998): exactly 60,000 trainable
    parameters at 10 classes.

    Sparse C3 (Table I), trainable sub-sampling layers, the scaled tanh and
    an RBF output layer with fixed weights (see :class:`RBFOutput` for the
    one deviation: the paper's character drawings are replaced by a fixed
    +1/-1 code). Input 32 x 32. Module names follow the paper's labels.
    """

    def __init__(self, num_classes: int = 10, in_channels: int = 1):
        super().__init__()
        func = "LeNet5_1998"
        num_classes = check_int(num_classes, "num_classes", func, minimum=1)
        self.in_channels = check_int(
            in_channels, "in_channels", func, minimum=1
        )
        self.image_size = 32
        c1, s2, c3, s4, c5, f6 = LENET5_LAYERS
        self.C1 = nn.Conv2d(in_channels, c1.channels, c1.kernel_size)
        self.S2 = Subsampling(s2.channels)
        self.C3 = SparseConv(C3_TABLE, c3.kernel_size)
        self.S4 = Subsampling(s4.channels)
        self.C5 = nn.Conv2d(c3.channels, c5.channels, c5.kernel_size)
        self.flatten = nn.Flatten()
        self.F6 = nn.Linear(c5.channels, f6.channels)
        self.output = RBFOutput(f6.channels, num_classes)
        self.squash = ScaledTanh()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.check_input(x)  # rank, channels, size; up front
        f = self.squash
        x = f(self.S2(f(self.C1(x))))  # (N, 6, 14, 14)
        x = f(self.S4(f(self.C3(x))))  # (N, 16, 5, 5)
        x = f(self.C5(x))  # (N, 120, 1, 1)
        x = f(self.F6(self.flatten(x)))  # (N, 84)
        return self.output(x)  # (N, num_classes): minus RBF distances

    def connections(self) -> dict[str, int]:
        """Connections per layer as the paper counts them: for each output
        unit, one per input it reads plus one for its bias (RBF: one per
        weight). The paper's total is 340,908."""
        side = {}
        side["C1"] = conv_output_size(self.image_size, 5)  # 28
        side["S2"] = pool_output_size(side["C1"], 2)  # 14
        side["C3"] = conv_output_size(side["S2"], 5)  # 10
        side["S4"] = pool_output_size(side["C3"], 2)  # 5
        side["C5"] = conv_output_size(side["S4"], 5)  # 1

        def params(module):
            return sum(p.numel() for p in module.parameters())

        counts = {
            "C1": side["C1"] ** 2 * params(self.C1),
            # each unit: 4 inputs + its bias; one unit per position and map
            "S2": side["S2"] ** 2 * self.S2.weight.numel() * (4 + 1),
            "C3": side["C3"] ** 2 * params(self.C3),
            "S4": side["S4"] ** 2 * self.S4.weight.numel() * (4 + 1),
            "C5": side["C5"] ** 2 * params(self.C5),
            "F6": params(self.F6),
            "output": self.output.centers.numel(),
        }
        return counts


@register("lenet5")
def lenet5(**kwargs: Any) -> LeNet5:
    """LeNet-5, common modern variant (LeCun et al., 1998, simplified):
    61,706 parameters."""
    return LeNet5(**kwargs)


@register("lenet5_1998")
def lenet5_1998(**kwargs: Any) -> LeNet5_1998:
    """LeNet-5 as in the 1998 paper: 60,000 trainable parameters."""
    return LeNet5_1998(**kwargs)
