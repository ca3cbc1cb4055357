"""SmallCNN: counts by hand, the receptive field it is built for, the
shortcut, the knobs, bad arguments."""

import pytest
import torch

from cnnbook.models import get_model
from cnnbook.receptive_field import receptive_field
from cnnbook.summary import summary


def params(module) -> int:
    return sum(p.numel() for p in module.parameters())


@pytest.mark.parametrize("width", [4, 8, 11])
@pytest.mark.parametrize("kernel_sizes", [(3, 3), (5,), (3,), (3, 3, 3)])
@pytest.mark.parametrize("blocks", [1, (2, 3)])
def test_counts_by_hand(width, kernel_sizes, blocks):
    model = get_model(
        "small_cnn", width=width, kernel_sizes=kernel_sizes, blocks=blocks
    )
    stem = 9 * width + 2 * width  # conv without bias, batch norm
    block = sum(k * k * width * width + 2 * width for k in kernel_sizes)
    n_blocks = 2 * blocks if isinstance(blocks, int) else sum(blocks)
    head = width * 10 + 10
    assert params(model) == stem + n_blocks * block + head


def test_no_batch_norm_gives_biases():
    model = get_model("small_cnn", width=8, batch_norm=False)
    assert params(model) == (9 * 8 + 8) + 2 * 2 * (9 * 64 + 8) + 90


def test_two_3x3_against_one_5x5_weights_and_macs():
    # Same width in and out: 18 C^2 against 25 C^2 weights per block, and
    # the MACs in the same ratio (both keep the size).
    width = 8
    pair = summary(get_model("small_cnn", width=width), (1, 28, 28))
    five = summary(
        get_model("small_cnn", width=width, kernel_sizes=(5,)), (1, 28, 28)
    )
    conv = "stage1.0.convs"
    pair_weights = sum(
        r.parameters for r in pair.rows if r.name.startswith(conv)
    )
    five_weights = sum(
        r.parameters for r in five.rows if r.name.startswith(conv)
    )
    assert (pair_weights, five_weights) == (18 * width**2, 25 * width**2)
    pair_macs = sum(r.macs for r in pair.rows if r.name.startswith(conv))
    five_macs = sum(r.macs for r in five.rows if r.name.startswith(conv))
    assert (pair_macs, five_macs) == (
        14 * 14 * 18 * width**2,
        14 * 14 * 25 * width**2,
    )


def test_receptive_field_covers_the_digit():
    # stem 3x3, pool 2, two 3x3, pool 2, two 3x3: 30 pixels; one 5x5 per
    # block instead of two 3x3 gives the same field.
    pair = [(3, 1), (2, 2), (3, 1), (3, 1), (2, 2), (3, 1), (3, 1)]
    five = [(3, 1), (2, 2), (5, 1), (2, 2), (5, 1)]
    assert receptive_field(pair)[-1].size == 30
    assert receptive_field(five)[-1].size == 30


def test_shapes_through_the_stages():
    model = get_model("small_cnn", blocks=(1, 2, 1)).eval()
    x = torch.zeros(2, 1, 28, 28)
    with torch.no_grad():
        x = model.stem(x)
        assert x.shape == (2, 8, 14, 14)
        x = model.stage2(model.stage1(x))
        assert x.shape == (2, 8, 7, 7)
        assert model.stage3(x).shape == (2, 8, 3, 3)
    assert model(torch.zeros(2, 1, 28, 28)).shape == (2, 10)


def test_residual_adds_the_input():
    torch.manual_seed(0)
    plain = get_model("small_cnn").eval()
    residual = get_model("small_cnn", residual=True).eval()
    residual.load_state_dict(plain.state_dict())
    x = torch.randn(3, 8, 14, 14)
    block_p, block_r = plain.stage1[0], residual.stage1[0]
    with torch.no_grad():
        conv1, conv2 = block_p.convs
        bn1, bn2 = block_p.norms
        inner = bn2(conv2(torch.relu(bn1(conv1(x)))))  # F(x)
        torch.testing.assert_close(block_p(x), torch.relu(inner))
        torch.testing.assert_close(block_r(x), torch.relu(inner + x))


def test_tanh_everywhere():
    torch.manual_seed(0)
    model = get_model("small_cnn", activation="tanh", blocks=(1,)).eval()
    x = torch.randn(2, 1, 8, 8)
    with torch.no_grad():
        h = model.stem[3](torch.tanh(model.stem[1](model.stem[0](x))))
        block = model.stage1[0]
        h1 = torch.tanh(block.norms[0](block.convs[0](h)))
        h2 = torch.tanh(block.norms[1](block.convs[1](h1)))
        logits = model.fc(h2.mean(dim=(2, 3)))
        torch.testing.assert_close(model(x), logits)


def test_trains_on_cpu():
    torch.manual_seed(0)
    model = get_model("small_cnn", blocks=2, residual=True)
    x, y = torch.randn(8, 1, 28, 28), torch.randint(0, 10, (8,))
    torch.nn.functional.cross_entropy(model(x), y).backward()
    assert all(p.grad is not None for p in model.parameters())


def test_bad_arguments():
    with pytest.raises(ValueError, match="kernel_sizes\\[1\\] must be odd"):
        get_model("small_cnn", kernel_sizes=(3, 4))
    with pytest.raises(TypeError, match="kernel_sizes must be a non-empty"):
        get_model("small_cnn", kernel_sizes=3)
    with pytest.raises(TypeError, match="blocks must be an int or"):
        get_model("small_cnn", blocks=())
    with pytest.raises(ValueError, match="blocks\\[0\\] must be >= 0"):
        get_model("small_cnn", blocks=(-1, 1))
    with pytest.raises(ValueError, match="activation must be one of"):
        get_model("small_cnn", activation="gelu")
    with pytest.raises(TypeError, match="width must be an int"):
        get_model("small_cnn", width=2.5)


def test_too_small_an_input_is_refused():
    model = get_model("small_cnn", blocks=(1, 1, 1))
    with pytest.raises(ValueError, match="H, W >= 8, got \\(1, 1, 4, 4\\)"):
        model(torch.zeros(1, 1, 4, 4))
