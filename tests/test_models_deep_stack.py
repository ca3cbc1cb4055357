"""Plain and residual stacks: counts by hand, the shortcut, options."""

import pytest
import torch

from cnnbook.models import get_model


def params(module) -> int:
    return sum(p.numel() for p in module.parameters())


def test_counts_by_hand():
    model = get_model("plain_stack", blocks=12, width=16)
    stem = 9 * 16 + 2 * 16  # conv without bias, batch norm
    block = 2 * (9 * 16 * 16 + 2 * 16)
    assert params(model) == stem + 12 * block + (16 * 10 + 10)
    # Weight layers: stem, two per block, classifier: the paper's 6n + 2.
    convs = sum(isinstance(m, torch.nn.Conv2d) for m in model.modules())
    assert convs + 1 == 2 * 12 + 2
    no_bn = get_model("plain_stack", blocks=2, batch_norm=False)
    assert params(no_bn) == (9 * 16 + 16) + 2 * 2 * (9 * 256 + 16) + 170


def test_residual_adds_the_input():
    torch.manual_seed(0)
    plain = get_model("plain_stack", blocks=1).eval()
    residual = get_model("residual_stack", blocks=1).eval()
    residual.load_state_dict(plain.state_dict())
    x = torch.randn(3, 16, 4, 4)
    block_p, block_r = plain.blocks[0], residual.blocks[0]
    with torch.no_grad():
        inner = block_p.bn2(
            block_p.conv2(torch.relu(block_p.bn1(block_p.conv1(x))))
        )
        torch.testing.assert_close(block_p(x), torch.relu(inner))
        torch.testing.assert_close(block_r(x), torch.relu(inner + x))


def test_trains_on_cpu():
    torch.manual_seed(0)
    model = get_model("residual_stack", blocks=2)
    x, y = torch.randn(8, 1, 8, 8), torch.randint(0, 10, (8,))
    loss = torch.nn.functional.cross_entropy(model(x), y)
    loss.backward()
    assert all(p.grad is not None for p in model.parameters())


def test_bad_arguments():
    with pytest.raises(ValueError, match="blocks must be >= 0"):
        get_model("plain_stack", blocks=-1)
    with pytest.raises(TypeError, match="width must be an int"):
        get_model("residual_stack", width=2.5)
