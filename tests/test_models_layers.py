"""Shared blocks: squeeze-and-excitation as its formula, ConvBNAct."""

import torch
import torch.nn as nn

from cnnbook.models.layers import ConvBNAct, SqueezeExcitation


def test_squeeze_excitation_is_its_formula():
    torch.manual_seed(0)
    se = SqueezeExcitation(8, 2).double()
    x = torch.randn(3, 8, 5, 5, dtype=torch.float64)
    squeezed = x.mean(dim=(2, 3))  # (N, C)
    w1, b1 = se.fc1.weight[:, :, 0, 0], se.fc1.bias
    w2, b2 = se.fc2.weight[:, :, 0, 0], se.fc2.bias
    s = torch.sigmoid(torch.relu(squeezed @ w1.T + b1) @ w2.T + b2)
    torch.testing.assert_close(se(x), x * s[:, :, None, None])


def test_conv_bn_act_layout():
    block = ConvBNAct(4, 6, 3, stride=2, activation=nn.SiLU)
    assert [type(m).__name__ for m in block] == [
        "Conv2d",
        "BatchNorm2d",
        "SiLU",
    ]
    assert block[0].bias is None and block[0].padding == (1, 1)
    assert len(ConvBNAct(4, 6, 1, activation=None)) == 2
