"""Sweep of cnnbook.models: the registry and every model's constructor
arguments. (What a built model says about a malformed input batch is
left to the models' own tests while the input checks move from the base
class's ``__call__`` into ``forward``.)"""

import pytest
from _cases import case, check

from cnnbook.models import describe, get_model, list_models

pytestmark = pytest.mark.sweep
SWEEP_MODULE = "models"
MD = "models"

REGISTRY = [
    case(
        MD,
        "get_model of an int",
        lambda: get_model(5),
        TypeError,
        "get_model: name",
        "must be a str",
    ),
    case(
        MD,
        "get_model of an unknown name",
        lambda: get_model("vgg17"),
        ValueError,
        "get_model: unknown model 'vgg17'",
        "available: ",
    ),
    case(
        MD,
        "describe an unknown name",
        lambda: describe("resnet20"),
        ValueError,
        "unknown model 'resnet20'",
        "available: ",
    ),
    case(
        MD,
        "get_model an unknown keyword",
        lambda: get_model("vgg16", color=3),
        TypeError,
        "get_model('vgg16')",
        "unexpected keyword argument 'color'",
    ),
    case(
        MD,
        "mnist_cnn dropout 2",
        lambda: get_model("mnist_cnn", dropout=2),
        ValueError,
        "MnistCNN: dropout",
        "<= 1",
    ),
    case(
        MD,
        "resnet18 no input channels",
        lambda: get_model("resnet18", in_channels=0),
        ValueError,
        "ResNet: in_channels",
        ">= 1",
    ),
    case(
        MD,
        "lenet5 no input channels",
        lambda: get_model("lenet5", in_channels=0),
        ValueError,
        "LeNet5: in_channels",
        ">= 1",
    ),
]

CLASSES = [
    case(
        MD,
        f"{name} num_classes {value!r}",
        lambda name=name, value=value: get_model(name, num_classes=value),
        error,
        ": num_classes",
        expected,
    )
    for name in list_models()
    if name != "multitask_net"  # no classes: see its seg_classes below
    for value, error, expected in (
        (0, ValueError, ">= 1"),
        (2.5, TypeError, "must be an int"),
    )
] + [
    case(
        MD,
        f"multitask_net seg_classes {value!r}",
        lambda value=value: get_model("multitask_net", seg_classes=value),
        error,
        "MultiTaskNet: seg_classes",
        expected,
    )
    for value, error, expected in (
        (1, ValueError, ">= 2"),
        (2.5, TypeError, "must be an int"),
    )
]


@pytest.mark.parametrize("c", REGISTRY + CLASSES)
def test_bad_arguments_are_refused_by_name(c):
    check(c)
