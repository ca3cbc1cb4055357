"""GoogLeNet: Table 1 of Szegedy et al., the paper's 5x5 branches against
torchvision's 3x3, auxiliary classifiers, the naive module."""

import torch

from cnnbook.models import get_model
from cnnbook.models.googlenet import (
    INCEPTION_MODULES,
    Inception,
    InceptionNaive,
)


def params(module) -> int:
    return sum(p.numel() for p in module.parameters())


def test_table_one_output_channels():
    outs = [spec.out_channels for spec in INCEPTION_MODULES.values()]
    assert outs == [256, 480, 512, 512, 512, 528, 832, 832, 1024]
    ins = [spec.in_channels for spec in INCEPTION_MODULES.values()]
    assert ins[1:] == outs[:-1]


def test_five_by_five_really_is_five_by_five():
    with torch.device("meta"):
        paper = get_model("googlenet")
        tv = get_model("googlenet_torchvision")
    assert paper.inception3a.branch3[1].conv.kernel_size == (5, 5)
    assert tv.inception3a.branch3[1].conv.kernel_size == (3, 3)


def test_inception_3a_parameters_by_hand():
    spec = INCEPTION_MODULES["inception3a"]
    module = Inception(spec)  # the paper's: biases, no batch norm
    assert params(module) == (
        (192 * 64 + 64)
        + (192 * 96 + 96)
        + (9 * 96 * 128 + 128)
        + (192 * 16 + 16)
        + (25 * 16 * 32 + 32)
        + (192 * 32 + 32)
    )


def test_shapes_through_the_network_on_meta():
    with torch.device("meta"):
        model = get_model("googlenet").eval()
    seen = {}
    for name in (
        "maxpool1",
        "maxpool2",
        "inception3b",
        "maxpool3",
        "inception4e",
        "maxpool4",
        "inception5b",
    ):
        model.get_submodule(name).register_forward_hook(
            lambda m, i, o, name=name: seen.__setitem__(name, tuple(o.shape))
        )
    model(torch.empty(1, 3, 224, 224, device="meta"))
    assert seen == {
        "maxpool1": (1, 64, 56, 56),
        "maxpool2": (1, 192, 28, 28),
        "inception3b": (1, 480, 28, 28),
        "maxpool3": (1, 480, 14, 14),
        "inception4e": (1, 832, 14, 14),
        "maxpool4": (1, 832, 7, 7),
        "inception5b": (1, 1024, 7, 7),
    }


def test_auxiliary_heads_in_training_only():
    torch.manual_seed(0)
    model = get_model("googlenet", num_classes=4)
    with torch.no_grad():
        out = model(torch.randn(2, 3, 224, 224))
        assert out.logits.shape == out.aux1.shape == out.aux2.shape == (2, 4)
        model.eval()
        assert model(torch.randn(1, 3, 224, 224)).shape == (1, 4)
    with torch.device("meta"):
        full = get_model("googlenet")
        without = get_model("googlenet", aux_logits=False)
    assert params(full) - params(without) == 3_188_840 + 3_190_888
    assert params(without) == 6_998_552  # the paper's "about 7 million"


def test_naive_module_passes_the_input_through():
    spec = INCEPTION_MODULES["inception3a"]
    naive = InceptionNaive(spec)
    out = naive(torch.zeros(1, 192, 28, 28))
    assert out.shape == (1, 64 + 128 + 32 + 192, 28, 28)
