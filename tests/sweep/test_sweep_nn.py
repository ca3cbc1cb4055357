"""Sweep of cnnbook.nn (the numpy layers): bad arguments refused where a
layer is built, backward() before forward() named, the wrong rank
refused; empty batches and NaN as in PyTorch."""

import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from _cases import case, check

from cnnbook import nn

pytestmark = pytest.mark.sweep
SWEEP_MODULE = "nn"
M = "nn"


def fresh(layer):
    """A layer that has never run forward."""
    return lambda: layer().backward(np.ones((2, 3)))


NEVER_RAN = [
    ("Conv2d", lambda: nn.Conv2d(3, 4, 3)),
    ("Linear", lambda: nn.Linear(3, 2)),
    ("ReLU", nn.ReLU),
    ("Sigmoid", nn.Sigmoid),
    ("Tanh", nn.Tanh),
    ("LeakyReLU", nn.LeakyReLU),
    ("MaxPool2d", lambda: nn.MaxPool2d(2)),
    ("AvgPool2d", lambda: nn.AvgPool2d(2)),
    ("AdaptiveAvgPool2d", lambda: nn.AdaptiveAvgPool2d(1)),
    ("Flatten", nn.Flatten),
    ("Dropout", nn.Dropout),
    ("BatchNorm2d", lambda: nn.BatchNorm2d(3)),
    ("BatchNorm1d", lambda: nn.BatchNorm1d(3)),
    # a Sequential runs its last layer's backward first, which names it
    ("Linear", lambda: nn.Sequential(nn.ReLU(), nn.Linear(3, 2))),
]

ERRORS = [
    case(
        M,
        f"{name} backward before forward",
        fresh(make),
        RuntimeError,
        f"{name}: call forward() before backward()",
        "last forward pass",
    )
    for name, make in NEVER_RAN
] + [
    case(
        M,
        "CrossEntropyLoss backward before the loss",
        lambda: nn.CrossEntropyLoss().backward(),
        RuntimeError,
        "CrossEntropyLoss",
        "before backward()",
    ),
    # the wrong rank for batch norm layers
    case(
        M,
        "BatchNorm2d on (N, C)",
        lambda: nn.BatchNorm2d(3).forward(np.ones((4, 3))),
        ValueError,
        "BatchNorm2d: input",
        "4 dimensions",
        "(4, 3)",
    ),
    case(
        M,
        "BatchNorm2d on (N, C, L)",
        lambda: nn.BatchNorm2d(3).forward(np.ones((4, 3, 5))),
        ValueError,
        "BatchNorm2d: input",
        "4 dimensions",
    ),
    case(
        M,
        "BatchNorm1d on (N, C, H, W)",
        lambda: nn.BatchNorm1d(3).forward(np.ones((4, 3, 5, 5))),
        ValueError,
        "BatchNorm1d: input",
        "2 or 3 dimensions",
    ),
    case(
        M,
        "BatchNorm1d on (C,)",
        lambda: nn.BatchNorm1d(3).forward(np.ones(3)),
        ValueError,
        "BatchNorm1d: input",
        "2 or 3 dimensions",
    ),
    case(
        M,
        "BatchNorm2d channel mismatch",
        lambda: nn.BatchNorm2d(3).forward(np.ones((2, 4, 5, 5))),
        ValueError,
        "batch_norm: running_mean",
        "shape (4,)",
    ),
    # arguments checked when the layer is built
    case(
        M,
        "BatchNorm2d eps 0",
        lambda: nn.BatchNorm2d(3, eps=0),
        ValueError,
        "BatchNorm2d: eps",
        "> 0",
    ),
    case(
        M,
        "BatchNorm1d momentum 2",
        lambda: nn.BatchNorm1d(3, momentum=2),
        ValueError,
        "BatchNorm1d: momentum",
        "<= 1",
    ),
    case(
        M,
        "BatchNorm2d integer dtype",
        lambda: nn.BatchNorm2d(3, dtype=np.int64),
        TypeError,
        "BatchNorm2d: dtype",
        "floating-point dtype",
    ),
    case(
        M,
        "BatchNorm2d no features",
        lambda: nn.BatchNorm2d(0),
        ValueError,
        "BatchNorm2d: num_features",
        ">= 1",
    ),
    case(
        M,
        "Conv2d stride 0",
        lambda: nn.Conv2d(3, 4, 3, stride=0),
        ValueError,
        "Conv2d: stride",
        ">= 1",
    ),
    case(
        M,
        "Conv2d dilation pair of three",
        lambda: nn.Conv2d(3, 4, 3, dilation=(1, 1, 1)),
        ValueError,
        "Conv2d: dilation",
        "an int or a pair of ints",
    ),
    case(
        M,
        "Conv2d unknown padding",
        lambda: nn.Conv2d(3, 4, 3, padding="full"),
        ValueError,
        "Conv2d: padding",
        "'valid' or 'same'",
    ),
    case(
        M,
        "Conv2d 'same' with stride 2",
        lambda: nn.Conv2d(3, 4, 3, stride=2, padding="same"),
        ValueError,
        "Conv2d: padding='same'",
        "needs stride=1",
    ),
    case(
        M,
        "Conv2d kernel_size 0",
        lambda: nn.Conv2d(3, 4, 0),
        ValueError,
        "Conv2d: kernel_size",
        ">= 1",
    ),
    case(
        M,
        "Conv2d groups not dividing",
        lambda: nn.Conv2d(3, 4, 3, groups=2),
        ValueError,
        "Conv2d: in_channels=3 and out_channels=4",
        "divisible by groups=2",
    ),
    case(
        M,
        "Conv2d integer dtype",
        lambda: nn.Conv2d(3, 4, 3, dtype=np.int32),
        TypeError,
        "Conv2d: dtype",
        "floating-point dtype",
    ),
    case(
        M,
        "Conv2d bias as string",
        lambda: nn.Conv2d(3, 4, 3, bias="no"),
        TypeError,
        "Conv2d: bias",
        "True or False",
    ),
    case(
        M,
        "Conv2d float channels",
        lambda: nn.Conv2d(3.0, 4, 3),
        TypeError,
        "Conv2d: in_channels",
        "must be an int",
    ),
    case(
        M,
        "Conv2d seed as string",
        lambda: nn.Conv2d(3, 4, 3, rng="seed"),
        TypeError,
        "layer: rng",
        "Generator, an int seed or None",
    ),
    case(
        M,
        "Linear integer dtype",
        lambda: nn.Linear(3, 2, dtype="int32"),
        TypeError,
        "Linear: dtype",
        "floating-point dtype",
    ),
    case(
        M,
        "Linear unknown dtype",
        lambda: nn.Linear(3, 2, dtype="bogus"),
        TypeError,
        "Linear: dtype",
        "floating-point dtype",
    ),
    case(
        M,
        "Linear bias as int",
        lambda: nn.Linear(3, 2, bias=1),
        TypeError,
        "Linear: bias",
        "True or False",
    ),
    case(
        M,
        "Linear no outputs",
        lambda: nn.Linear(3, 0),
        ValueError,
        "Linear: out_features",
        ">= 1",
    ),
    case(
        M,
        "MaxPool2d kernel_size 0",
        lambda: nn.MaxPool2d(0),
        ValueError,
        "MaxPool2d: kernel_size",
        ">= 1",
    ),
    case(
        M,
        "MaxPool2d ceil_mode as string",
        lambda: nn.MaxPool2d(2, ceil_mode="yes"),
        TypeError,
        "MaxPool2d: ceil_mode",
        "True or False",
    ),
    case(
        M,
        "MaxPool2d negative padding",
        lambda: nn.MaxPool2d(2, padding=-1),
        ValueError,
        "MaxPool2d: padding",
        ">= 0",
    ),
    case(
        M,
        "MaxPool2d dilation 0",
        lambda: nn.MaxPool2d(2, dilation=0),
        ValueError,
        "MaxPool2d: dilation",
        ">= 1",
    ),
    case(
        M,
        "MaxPool2d image too small",
        lambda: nn.MaxPool2d(3).forward(np.ones((1, 1, 2, 2))),
        ValueError,
        "MaxPool2d: along the height",
        "larger than the padded input",
    ),
    case(
        M,
        "AvgPool2d stride 0",
        lambda: nn.AvgPool2d(2, stride=0),
        ValueError,
        "AvgPool2d: stride",
        ">= 1",
    ),
    case(
        M,
        "AvgPool2d count_include_pad as int",
        lambda: nn.AvgPool2d(2, count_include_pad=0),
        TypeError,
        "AvgPool2d: count_include_pad",
        "True or False",
    ),
    case(
        M,
        "AdaptiveAvgPool2d output_size 0",
        lambda: nn.AdaptiveAvgPool2d(0),
        ValueError,
        "AdaptiveAvgPool2d: output_size[0]",
        ">= 1",
    ),
    case(
        M,
        "AdaptiveAvgPool2d output_size triple",
        lambda: nn.AdaptiveAvgPool2d((1, 2, 3)),
        ValueError,
        "AdaptiveAvgPool2d: output_size",
        "an int or a pair",
    ),
    case(
        M,
        "AdaptiveAvgPool2d float output_size",
        lambda: nn.AdaptiveAvgPool2d((None, 2.5)),
        TypeError,
        "AdaptiveAvgPool2d: output_size[1]",
        "must be an int",
    ),
    case(
        M,
        "Dropout p 1.5",
        lambda: nn.Dropout(1.5),
        ValueError,
        "Dropout: p",
        "<= 1",
    ),
    case(
        M,
        "LeakyReLU slope as string",
        lambda: nn.LeakyReLU("0.1"),
        TypeError,
        "LeakyReLU: negative_slope",
        "real number",
    ),
    case(
        M,
        "Flatten of a 1-d input",
        lambda: nn.Flatten().forward(np.ones(3)),
        ValueError,
        "Flatten: input",
        "(N, ...)",
        "(3,)",
    ),
    case(
        M,
        "Flatten of strings",
        lambda: nn.Flatten().forward(np.array([["a"]])),
        TypeError,
        "Flatten: input",
        "real numbers",
    ),
    case(
        M,
        "Sequential of a list",
        lambda: nn.Sequential([nn.ReLU()]),
        TypeError,
        "Sequential: argument 0",
        "must be a Module",
    ),
    case(
        M,
        "Parameter of ints",
        lambda: nn.Parameter([1, 2]),
        TypeError,
        "Parameter: data",
        "floating-point array",
    ),
    case(
        M,
        "Module.astype to int",
        lambda: nn.Linear(3, 2).astype(np.int32),
        TypeError,
        "Linear.astype: dtype",
        "floating-point dtype",
    ),
    case(
        M,
        "load_state_dict with missing names",
        lambda: nn.Linear(3, 2).load_state_dict({}),
        ValueError,
        "load_state_dict",
        "missing ['bias', 'weight']",
    ),
    case(
        M,
        "load_state_dict of a list",
        lambda: nn.Linear(3, 2).load_state_dict([1]),
        TypeError,
        "load_state_dict: state",
        "a dict of arrays by name",
    ),
    case(
        M,
        "load_state_dict wrong shape",
        lambda: nn.Linear(3, 2).load_state_dict(
            {"weight": np.ones((3, 3)), "bias": np.ones(2)}
        ),
        ValueError,
        "load_state_dict: weight",
        "has shape (2, 3)",
    ),
    case(
        M,
        "Conv2d forward of the wrong channels",
        lambda: nn.Conv2d(3, 4, 3).forward(np.ones((1, 2, 5, 5))),
        ValueError,
        "conv2d: input has 2 channels",
        "weight expects 3",
    ),
    case(
        M,
        "CrossEntropyLoss unknown reduction",
        lambda: nn.CrossEntropyLoss(reduction="avg"),
        ValueError,
        "CrossEntropyLoss: reduction",
        "'mean', 'sum', 'none'",
    ),
    case(
        M,
        "CrossEntropyLoss label_smoothing 2",
        lambda: nn.CrossEntropyLoss(label_smoothing=2),
        ValueError,
        "CrossEntropyLoss: label_smoothing",
        "<= 1",
    ),
    case(
        M,
        "small_cnn three channel widths",
        lambda: nn.small_cnn(channels=(8, 16, 32)),
        ValueError,
        "small_cnn: channels",
        "an int or a pair of ints",
    ),
    case(
        M,
        "small_cnn image too small for two poolings",
        lambda: nn.small_cnn(image_size=3),
        ValueError,
        "small_cnn: image_size",
        ">= 4",
    ),
    case(
        M,
        "small_cnn no classes",
        lambda: nn.small_cnn(num_classes=0),
        ValueError,
        "small_cnn: num_classes",
        ">= 1",
    ),
    case(
        M,
        "small_cnn float seed",
        lambda: nn.small_cnn(rng=0.5),
        TypeError,
        "small_cnn: rng",
        "Generator, an int seed or None",
    ),
]


@pytest.mark.parametrize("c", ERRORS)
def test_bad_input_is_refused_by_name(c):
    check(c)


def t(a, grad=False):
    return torch.tensor(a, dtype=torch.float64, requires_grad=grad)


def test_layers_pass_an_empty_batch_as_pytorch_does():
    model = nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1, rng=0),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(4 * 4 * 4, 3, rng=0),
    )
    empty = np.zeros((0, 1, 8, 8), np.float32)
    logits = model(empty)
    assert logits.shape == (0, 3)
    assert model.backward(np.zeros((0, 3), np.float32)).shape == empty.shape
    # no examples, no gradient: every parameter's grad stays zero
    assert all(not p.grad.any() for p in model.parameters())


def test_max_pool_layer_routes_a_nan_winners_gradient_as_pytorch():
    x = np.arange(32, dtype=np.float64).reshape(1, 2, 4, 4)
    x[0, 0, 1, 1] = np.nan
    layer = nn.MaxPool2d(2)
    y = layer.forward(x)
    tx = t(x, True)
    ty = TF.max_pool2d(tx, 2)
    ty.backward(torch.ones_like(ty))
    np.testing.assert_array_equal(np.isnan(y), np.isnan(ty.detach().numpy()))
    np.testing.assert_array_equal(
        layer.backward(np.ones(y.shape)), tx.grad.numpy()
    )
