"""cnnbook.summary: counted layer tables. The encyclopedia's tables for
LeNet-5, AlexNet, VGG-16 and ResNet-50 reproduced row by row, totals
pinned, MAC rules checked against their formulas, errors that name the
failing layer."""

import sys

import pytest
import torch
import torch.nn as nn

import cnnbook
from cnnbook.models import get_model
from cnnbook.summary import LayerRow, count_macs, summary


def meta(name, **kwargs):
    with torch.device("meta"):
        return get_model(name, **kwargs)


def rows_of(
    table,
    kinds=(
        "Conv2d",
        "Linear",
        "MaxPool2d",
        "AvgPool2d",
        "Flatten",
        "LocalResponseNorm",
    ),
):
    return [r for r in table.rows if r.kind in kinds]


def test_a_plain_module_reached_without_importing_torch_early():
    import subprocess
    import types

    code = (
        "import sys, types, cnnbook; "
        "assert 'torch' not in sys.modules; "
        "assert type(cnnbook.summary) is types.ModuleType; "
        "assert 'torch' in sys.modules; "
        "from cnnbook.summary import summary; "
        "assert cnnbook.summary.summary is summary"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
    assert type(cnnbook.summary) is types.ModuleType
    assert not callable(cnnbook.summary)


def test_lenet5_rows_as_the_encyclopedia():
    table = summary(get_model("lenet5"), (1, 32, 32))
    rows = [
        (r.name, r.output_shape[1:], r.parameters, r.activations)
        for r in table.rows
        if r.kind != "Flatten"
    ]
    # The encyclopedia's LeNet-5 table (section 6), every row.
    assert rows == [
        ("input", (1, 32, 32), 0, 1_024),
        ("C1", (6, 28, 28), 156, 4_704),
        ("S2", (6, 14, 14), 0, 1_176),
        ("C3", (16, 10, 10), 2_416, 1_600),
        ("S4", (16, 5, 5), 0, 400),
        ("C5", (120, 1, 1), 48_120, 120),
        ("F6", (84,), 10_164, 84),
        ("output", (10,), 850, 10),
    ]
    assert table.parameters == 61_706
    assert (
        table.macs
        == 28 * 28 * 6 * 25
        + 10 * 10 * 16 * 150
        + 120 * 400
        + 84 * 120
        + 10 * 84
        == 416_520
    )


def test_alexnet_two_groups_and_one_device():
    table = summary(meta("alexnet"), (3, 227, 227))
    convs = [r for r in table.rows if r.kind == "Conv2d"]
    assert [r.output_shape[1:] for r in convs] == [
        (96, 55, 55),
        (256, 27, 27),
        (384, 13, 13),
        (384, 13, 13),
        (256, 13, 13),
    ]
    assert [r.macs for r in convs] == [
        105_415_200,
        223_948_800,
        149_520_384,
        112_140_288,
        74_760_192,
    ]
    assert table["flatten"].output_shape == (1, 9216)
    assert table.parameters == 60_965_224
    assert table.macs == 724_406_816
    one = summary(meta("alexnet", groups=1), (3, 227, 227))
    assert [r.macs for r in one.rows if r.kind == "Conv2d"] == [
        105_415_200,
        447_897_600,
        149_520_384,
        224_280_576,
        149_520_384,
    ]
    assert one.parameters == 62_378_344


def test_vgg16_rows_and_totals():
    table = summary(meta("vgg16"), (3, 224, 224))
    assert table.parameters == 138_357_544
    assert table.macs == 15_470_264_320
    assert table.flops == 30_940_528_640
    convs = [r for r in table.rows if r.kind == "Conv2d"]
    assert [r.parameters for r in convs] == [
        1_792,
        36_928,
        73_856,
        147_584,
        295_168,
        590_080,
        590_080,
        1_180_160,
        2_359_808,
        2_359_808,
        2_359_808,
        2_359_808,
        2_359_808,
    ]
    first = convs[0]
    assert first.activations == 224 * 224 * 64 == 3_211_264
    assert first.activation_bytes == 4 * 3_211_264  # float32
    pools = [r.output_shape[1:] for r in table.rows if r.kind == "MaxPool2d"]
    assert pools == [
        (64, 112, 112),
        (128, 56, 56),
        (256, 28, 28),
        (512, 14, 14),
        (512, 7, 7),
    ]
    assert table["input"].activation_bytes == 3 * 224 * 224 * 4
    assert table["flatten"].shares_input  # a view: no new memory
    assert [r.parameters for r in table.rows if r.kind == "Linear"] == [
        102_764_544,
        16_781_312,
        4_097_000,
    ]
    assert table.parameter_bytes == 4 * 138_357_544


def test_resnet50_stage_rows():
    table = summary(meta("resnet50"), (3, 224, 224), depth=1)
    rows = [(r.name, r.output_shape[1:], r.parameters) for r in table]
    assert rows == [
        ("input", (3, 224, 224), 0),
        ("conv1", (64, 112, 112), 9_408),
        ("bn1", (64, 112, 112), 128),
        ("relu", (64, 112, 112), 0),
        ("maxpool", (64, 56, 56), 0),
        ("layer1", (256, 56, 56), 215_808),
        ("layer2", (512, 28, 28), 1_219_584),
        ("layer3", (1024, 14, 14), 7_098_368),
        ("layer4", (2048, 7, 7), 14_964_736),
        ("avgpool", (2048, 1, 1), 0),
        ("fc", (1000,), 2_049_000),
    ]
    assert table.parameters == 25_557_032
    assert table.macs == 3_857_973_248  # v1; the paper's "3.8 x 10^9"
    # The same pass at full depth: identical totals, more rows.
    full = summary(meta("resnet50"), (3, 224, 224))
    assert full.macs == table.macs and len(full) > 150
    assert full.activations == table.activations


def test_mac_rules_are_the_formulas():
    conv = nn.Conv2d(6, 12, (3, 5), stride=2, padding=1, groups=3)
    x = torch.zeros(2, 6, 9, 11)
    y = conv(x)
    assert count_macs(conv, (x,), y) == y.numel() * (6 // 3) * 3 * 5
    fc = nn.Linear(7, 4)
    assert count_macs(fc, (torch.zeros(3, 7),), torch.zeros(3, 4)) == 84
    up = nn.ConvTranspose2d(4, 2, 3)
    x = torch.zeros(1, 4, 5, 5)
    assert count_macs(up, (x,), up(x)) == 25 * 4 * 2 * 9
    relu = nn.ReLU()
    assert count_macs(relu, (x,), relu(x)) == 0


def test_macs_scale_with_the_batch():
    one = summary(get_model("lenet5"), (1, 32, 32))
    four = summary(get_model("lenet5"), (4, 1, 32, 32))
    assert four.macs == 4 * one.macs
    assert four.activations == 4 * one.activations


def test_in_place_and_identity_layers_share_memory():
    table = summary(get_model("mnist_cnn"), (1, 28, 28))
    kinds = {r.kind for r in table if r.shares_input}
    assert kinds == {"Dropout"}  # eval-mode dropout returns its input
    vgg = summary(meta("vgg11"), (3, 32, 32))
    assert all(r.shares_input for r in vgg if r.kind == "ReLU")
    assert vgg.activations == sum(
        r.activations for r in vgg.rows[1:] if not r.shares_input
    )


def test_shared_layer_counts_parameters_once():
    layer = nn.Linear(4, 4)
    net = nn.Sequential(layer, nn.ReLU(), layer)
    table = summary(net, (1, 1, 4))
    assert [r.parameters for r in table.rows[1:]] == [20, 0, 0]
    assert table.parameters == 20
    assert [r.macs for r in table.rows[1:]] == [16, 0, 16]


def test_unused_heads_are_reported():
    table = summary(meta("googlenet"), (3, 224, 224))
    assert table.unused == {"aux1": 3_188_840, "aux2": 3_190_888}
    assert "Not run in this pass: aux1, aux2 (6,379,728" in repr(table)


def test_training_flags_restored_and_no_gradients_kept():
    model = get_model("lenet5").train()
    model.S2.eval()
    summary(model, (1, 32, 32))
    assert model.training and not model.S2.training and model.C1.training
    assert all(p.grad is None for p in model.parameters())


def test_text_and_html_forms():
    table = summary(get_model("lenet5"), (1, 32, 32))
    text = repr(table)
    assert text.splitlines()[0] == "LeNet5, input (1, 1, 32, 32)"
    assert "C3 (Conv2d)" in text and "16 x 10 x 10" in text
    assert "MACs: 416,520 (FLOPs = 2 x MACs = 833,040)" in text
    html = table._repr_html_()
    assert html.startswith('<div class="cnnbook-summary"')
    assert (
        '<td style="text-align:right;padding:1px 0.6em;'
        'white-space:nowrap">2,416</td>' in html
    )
    assert isinstance(table[1], LayerRow) and table["C5"].parameters


def test_lookup_errors():
    table = summary(get_model("lenet5"), (1, 32, 32))
    with pytest.raises(
        KeyError, match="no layer named 'conv1'; layers: input, C1"
    ):
        table["conv1"]


def test_too_small_input_names_the_smallest_size_or_the_layer():
    # A model of the zoo checks its input before any layer runs...
    with pytest.raises(
        ValueError,
        match=r"^AlexNet: expected input of "
        r"shape \(N, 3, H, W\) with H, W >= 63, got "
        r"\(1, 3, 32, 32\)$",
    ):
        summary(meta("alexnet_torchvision"), (3, 32, 32))
    # ... any other module fails in a layer, which the summary names.
    with pytest.raises(ValueError) as info:
        summary(meta("alexnet_torchvision").features, (3, 32, 32))
    message = str(info.value)
    assert message.startswith("summary: layer '12' (MaxPool2d(")
    assert "input of shape (1, 256, 1, 1)" in message
    assert "Output size is too small" in message


def test_wrong_input_arguments():
    with pytest.raises(ValueError, match="input_size must be"):
        summary(get_model("lenet5"), (32, 32))
    with pytest.raises(ValueError, match=r"input_size\[1\] must be >= 1"):
        summary(get_model("lenet5"), (1, 0, 32))
    with pytest.raises(TypeError, match="model must be a torch.nn.Module"):
        summary("lenet5", (1, 32, 32))
    with pytest.raises(ValueError, match="expected input of shape"):
        summary(get_model("lenet5"), (3, 32, 32))
    with pytest.raises(ValueError, match="depth must be >= 1"):
        summary(get_model("lenet5"), (1, 32, 32), depth=0)


def test_plain_modules_without_the_zoo_base_class():
    net = nn.Sequential(nn.Conv2d(3, 8, 3), nn.Flatten(), nn.Linear(8, 2))
    with pytest.raises(ValueError, match=r"layer '2' \(Linear"):
        summary(net, (3, 5, 5))  # 8 x 3 x 3 = 72 features, not 8
    assert summary(net, (3, 3, 3)).macs == 8 * 27 + 16


def test_a_single_layer_is_its_own_row():
    table = summary(nn.Conv2d(256, 64, 1), (256, 56, 56))
    assert [r.name for r in table] == ["input", "Conv2d"]
    assert table.macs == 56 * 56 * 256 * 64 and table.parameters == 16_448
