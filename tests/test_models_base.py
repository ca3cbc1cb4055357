"""Bad input gets an error naming the layer and the shape that failed."""

import pytest
import torch
import torch.nn as nn

from cnnbook.models import get_model
from cnnbook.models._base import ImageClassifier, locate_failure


def test_too_small_for_the_pooling_names_the_layer():
    model = get_model("alexnet_torchvision")
    with pytest.raises(ValueError) as info:
        model(torch.zeros(1, 3, 32, 32))
    message = str(info.value)
    assert message.startswith("AlexNet: layer 'features.12' (MaxPool2d(")
    assert "input of shape (1, 256, 1, 1)" in message
    assert "model's input was (1, 3, 32, 32)" in message
    assert isinstance(info.value.torch_error, RuntimeError)
    assert info.value.__cause__ is None  # a short traceback


def test_smallest_accepted_size_works():
    # conv1 (11/4, pad 2) then three 3/2 pools: 63 is the smallest side.
    model = get_model("alexnet_torchvision").eval()
    assert model(torch.zeros(1, 3, 63, 63)).shape == (1, 1000)
    with pytest.raises(ValueError, match="features.12"):
        model(torch.zeros(1, 3, 62, 62))


def test_wrong_channels_rank_and_type():
    model = get_model("resnet18")
    with pytest.raises(ValueError, match=r"expected input of shape "
                       r"\(N, 3, H, W\), got \(1, 1, 64, 64\)"):
        model(torch.zeros(1, 1, 64, 64))
    with pytest.raises(ValueError, match="needs a batch axis"):
        model(torch.zeros(3, 64, 64))
    with pytest.raises(TypeError, match="must be a torch.Tensor"):
        model([[0.0]])


def test_fixed_size_models_say_which_size():
    with pytest.raises(ValueError, match=r"\(N, 3, 227, 227\), got "
                       r"\(1, 3, 224, 224\); build the model with "
                       "image_size"):
        get_model("alexnet")(torch.zeros(1, 3, 224, 224))
    with pytest.raises(ValueError, match=r"\(N, 1, 32, 32\)") as info:
        get_model("lenet5_1998")(torch.zeros(1, 1, 28, 28))
    assert "image_size" not in str(info.value)  # it has no such argument


def test_failed_call_leaves_running_statistics_as_they_were():
    torch.manual_seed(0)
    model = get_model("vgg11_bn").train()
    with pytest.raises(ValueError, match="features.28"):
        model(torch.randn(2, 3, 16, 16))
    state = model.state_dict()
    # The failed attempt updated the statistics it reached, once; the
    # second run that located the failure did not update them again.
    assert state["features.1.num_batches_tracked"] == 1
    assert state["features.26.num_batches_tracked"] == 1


def test_locate_failure_returns_none_when_nothing_fails():
    net = nn.Sequential(nn.Linear(2, 2))
    assert locate_failure(net, lambda: net(torch.zeros(1, 2))) is None


def test_errors_other_than_shapes_pass_through():
    class Broken(ImageClassifier):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(3, 1)

        def forward(self, x):
            raise RuntimeError("not a layer's fault")

    with pytest.raises(RuntimeError, match="not a layer's fault"):
        Broken()(torch.zeros(1, 3, 4, 4))
