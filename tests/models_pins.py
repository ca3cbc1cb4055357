"""Pinned structure of every model of the zoo, shared by the test files.

name -> (parameters, MACs at the native input, input side, classes).
Parameter counts agree with the papers where they state them exactly
(LeNet-5 1998: 60,000; VGG-16: 138,357,544 is the paper's 138M) and with
torchvision's models key for key (tests/test_models_torchvision_compat.py).
MACs are counted by cnnbook.summary; where torchvision documents GFLOPS
for the same network they agree to its two decimals.
"""

import torch

from cnnbook.models import get_model

PINS = {
    "alexnet": (60_965_224, 724_406_816, 227, 1000),
    "alexnet_torchvision": (61_100_840, 714_188_480, 224, 1000),
    "compact_cnn": (33_658, 559_168, 28, 10),
    "efficientnet_b0": (5_288_548, 385_814_752, 224, 1000),
    "efficientnet_b1": (7_794_184, 686_802_832, 240, 1000),
    "efficientnet_b2": (9_109_994, 993_561_872, 260, 1000),
    "efficientnet_b3": (12_233_232, 1_827_141_392, 300, 1000),
    "efficientnet_b4": (19_341_616, 4_393_771_024, 380, 1000),
    "efficientnet_b5": (30_389_784, 10_266_384_752, 456, 1000),
    "efficientnet_b6": (43_040_704, 19_067_593_536, 528, 1000),
    "efficientnet_b7": (66_347_960, 37_745_884_192, 600, 1000),
    "googlenet": (13_378_280, 1_582_671_872, 224, 1000),
    "googlenet_torchvision": (13_004_888, 1_498_376_192, 224, 1000),
    "lenet5": (61_706, 416_520, 32, 10),
    "lenet5_1998": (60_000, 328_096, 32, 10),
    "mnist_cnn": (421_642, 4_241_152, 28, 10),
    "mnist_speednet": (104_416, 7_462_656, 28, 10),
    "plain_stack": (14_362, 223_648, 8, 10),
    "residual_stack": (14_362, 223_648, 8, 10),
    "mobilenet_v1": (4_231_976, 568_740_352, 224, 1000),
    # several outputs: their shapes are in OUTPUT_SHAPES
    "multitask_net": (31_566, 5_406_720, 32, None),
    "mobilenet_v2": (3_504_872, 300_774_272, 224, 1000),
    "resnet18": (11_689_512, 1_814_073_344, 224, 1000),
    "resnet34": (21_797_672, 3_663_761_408, 224, 1000),
    "resnet50": (25_557_032, 3_857_973_248, 224, 1000),
    "resnet101": (44_549_160, 7_570_194_432, 224, 1000),
    "resnet152": (60_192_808, 11_282_415_616, 224, 1000),
    "resnet50_torchvision": (25_557_032, 4_089_184_256, 224, 1000),
    "resnet101_torchvision": (44_549_160, 7_801_405_440, 224, 1000),
    "resnet152_torchvision": (60_192_808, 11_513_626_624, 224, 1000),
    "se_resnet50": (28_088_024, 3_860_488_192, 224, 1000),
    "small_cnn": (2_546, 338_768, 28, 10),
    "vgg11": (132_863_336, 7_609_090_048, 224, 1000),
    "vgg11_bn": (132_868_840, 7_609_090_048, 224, 1000),
    "vgg13": (133_047_848, 11_308_466_176, 224, 1000),
    "vgg13_bn": (133_053_736, 11_308_466_176, 224, 1000),
    "vgg16": (138_357_544, 15_470_264_320, 224, 1000),
    "vgg16_bn": (138_365_992, 15_470_264_320, 224, 1000),
    "vgg19": (143_667_240, 19_632_062_464, 224, 1000),
    "vgg19_bn": (143_678_248, 19_632_062_464, 224, 1000),
}


# Models with several outputs (a dict): name -> {output: shape without N}.
OUTPUT_SHAPES = {
    "multitask_net": {
        "segmentation": (2, 32, 32),
        "heatmap": (1, 16, 16),
        "box_size": (2, 16, 16),
        "depth": (32, 32),
    },
}


def channels(name: str) -> int:
    gray = (
        "lenet",
        "mnist",
        "plain",
        "residual",
        "small",
        "multitask",
        "compact",
    )
    return 1 if name.startswith(gray) else 3


def on_meta(name: str, **kwargs):
    """The model on PyTorch's meta device: exact shapes, no arithmetic."""
    with torch.device("meta"):
        return get_model(name, **kwargs).eval()


def count(model) -> int:
    return sum(p.numel() for p in model.parameters())


def check_pins(name: str) -> None:
    """Parameters, output shape and MACs of ``name`` at its native size."""
    from cnnbook.summary import summary

    params, macs, side, classes = PINS[name]
    model = on_meta(name)
    assert count(model) == params, name
    x = torch.empty(2, channels(name), side, side, device="meta")
    if name in OUTPUT_SHAPES:
        shapes = {key: tuple(value.shape) for key, value in model(x).items()}
        assert shapes == {
            key: (2, *shape) for key, shape in OUTPUT_SHAPES[name].items()
        }, name
    else:
        assert model(x).shape == (2, classes), name
    table = summary(model, (channels(name), side, side))
    assert table.parameters == params and table.macs == macs, name
