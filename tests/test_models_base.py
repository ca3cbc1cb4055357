"""Bad input is rejected up front, naming the model, the expected and the
given shape; locate_failure names the layer where a pass fails."""

import pytest
import torch
from torch import nn

from cnnbook.models import get_model
from cnnbook.models._base import ImageClassifier, locate_failure


def meta(name, **kwargs):
    with torch.device("meta"):
        return get_model(name, **kwargs).eval()


def test_too_small_for_the_pooling_is_rejected_up_front():
    model = get_model("alexnet_torchvision")
    with pytest.raises(ValueError) as info:
        model(torch.zeros(1, 3, 32, 32))
    assert str(info.value) == (
        "AlexNet: expected input of shape (N, 3, H, W) with H, W >= 63, "
        "got (1, 3, 32, 32)"
    )
    assert info.value.__cause__ is None  # a short traceback


# Each family's smallest side, and one less: the check must accept the
# first and the layers must reject the second. 1 means any size.
SMALLEST = [
    ("alexnet_torchvision", 63),
    ("vgg11", 32),
    ("vgg16_bn", 32),
    ("googlenet", 31),
    ("googlenet_torchvision", 15),
    ("resnet18", 1),
    ("resnet50", 1),
    ("mobilenet_v1", 1),
    ("mobilenet_v2", 1),
    ("efficientnet_b0", 1),
    ("plain_stack", 1),
]


@pytest.mark.parametrize("name, side", SMALLEST)
def test_min_size_is_the_smallest_side_the_layers_accept(name, side):
    model = meta(name)
    assert model.min_size == side
    c = model.in_channels
    assert model(torch.zeros(2, c, side, side, device="meta")).shape[0] == 2
    if side == 1:
        return
    too_small = torch.zeros(2, c, side - 1, side - 1, device="meta")
    with pytest.raises(ValueError, match=f">= {side}, got"):
        model(too_small)
    model.min_size = 1  # without the check, a layer fails
    assert locate_failure(model, too_small) is not None


def test_locate_failure_names_the_layer_and_its_input():
    features = get_model("alexnet_torchvision").features
    failure = locate_failure(features, torch.zeros(1, 3, 32, 32))
    # conv1 11/4 (7 x 7), pool (3 x 3), conv2, pool (1 x 1), conv3-5, pool
    assert failure.name == "12"
    assert isinstance(failure.module, nn.MaxPool2d)
    assert failure.input_shape == (1, 256, 1, 1)
    assert failure.describe("AlexNet").startswith(
        "AlexNet: layer '12' (MaxPool2d(kernel_size=3, stride=2"
    )
    assert "Output size is too small" in failure.message


def test_locate_failure_leaves_running_statistics_as_they_were():
    torch.manual_seed(0)
    features = get_model("vgg11_bn").features.train()
    before = {k: v.clone() for k, v in features.state_dict().items()}
    failure = locate_failure(features, torch.randn(2, 3, 16, 16))
    assert failure.name == "28"  # the fifth pool: 1 x 1 in, nothing out
    for key, value in features.state_dict().items():
        assert torch.equal(value, before[key]), key


def test_locate_failure_returns_none_when_nothing_fails():
    net = nn.Sequential(nn.Linear(2, 2))
    assert locate_failure(net, torch.zeros(1, 2)) is None
    with pytest.raises(TypeError, match="model must be a torch.nn.Module"):
        locate_failure("net", torch.zeros(1, 2))


def test_wrong_channels_rank_and_type():
    model = get_model("resnet18")
    with pytest.raises(
        ValueError,
        match=r"^ResNet: expected input of shape "
        r"\(N, 3, H, W\), got \(1, 1, 64, 64\)$",
    ):
        model(torch.zeros(1, 1, 64, 64))
    with pytest.raises(ValueError, match="needs a batch axis"):
        model(torch.zeros(3, 64, 64))
    with pytest.raises(TypeError, match="must be a torch.Tensor"):
        model([[0.0]])


def test_fixed_size_models_say_which_size():
    with pytest.raises(
        ValueError,
        match=r"\(N, 3, 227, 227\), got "
        r"\(1, 3, 224, 224\); build the model with "
        "image_size",
    ):
        get_model("alexnet")(torch.zeros(1, 3, 224, 224))
    with pytest.raises(ValueError, match=r"\(N, 1, 32, 32\)") as info:
        get_model("lenet5_1998")(torch.zeros(1, 1, 28, 28))
    assert "image_size" not in str(info.value)  # it has no such argument


def test_a_rejected_input_changes_nothing():
    torch.manual_seed(0)
    model = get_model("vgg11_bn").train()
    with pytest.raises(ValueError, match=">= 32"):
        model(torch.randn(2, 3, 16, 16))
    state = model.state_dict()
    assert state["features.1.num_batches_tracked"] == 0


# Models of the zoo that are not image classifiers: chapter 9's network
# returns a segmentation, a heatmap, boxes and depth, not class logits.
NOT_CLASSIFIERS = {"multitask_net"}


def test_every_model_of_the_zoo_checks_its_input():
    from cnnbook.models import list_models

    for name in list_models():
        model = meta(name)
        assert isinstance(model, ImageClassifier) != (name in NOT_CLASSIFIERS)
        message = (
            f"^{type(model).__name__}: input must have shape"
            if name in NOT_CLASSIFIERS
            else f"^{type(model).__name__}: expected input of shape"
        )
        with pytest.raises(ValueError, match=message):
            model(torch.zeros(1, model.in_channels + 1, 64, 64, device="meta"))


def test_errors_other_than_shapes_pass_through():
    class Broken(ImageClassifier):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(3, 1)

        def forward(self, x):
            self.check_input(x)
            raise RuntimeError("not a layer's fault")

    with pytest.raises(RuntimeError, match="not a layer's fault"):
        Broken()(torch.zeros(1, 3, 4, 4))
    assert locate_failure(Broken(), torch.zeros(1, 3, 4, 4)) is None
