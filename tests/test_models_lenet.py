"""LeNet-5: the 1998 network's counts from the paper, the modern variant's
from the encyclopedia's table, and a real forward pass."""

import pytest
import torch

from cnnbook.models import get_model
from cnnbook.models.lenet import C3_TABLE


def params(module) -> int:
    return sum(p.numel() for p in module.parameters())


def test_1998_trainable_parameters_per_layer_match_the_paper():
    model = get_model("lenet5_1998")
    # LeCun et al. (1998), section II.B, layer by layer.
    assert params(model.C1) == (5 * 5 * 1 + 1) * 6 == 156
    assert params(model.S2) == 2 * 6 == 12
    assert (
        params(model.C3)
        == (
            6 * (3 * 25 + 1)
            + 6 * (4 * 25 + 1)
            + 3 * (4 * 25 + 1)
            + (6 * 25 + 1)
        )
        == 1516
    )
    assert params(model.S4) == 2 * 16 == 32
    assert params(model.C5) == (5 * 5 * 16 + 1) * 120 == 48_120
    assert params(model.F6) == (120 + 1) * 84 == 10_164
    assert params(model.output) == 0  # fixed RBF centers: a buffer
    assert params(model) == 60_000


def test_1998_connections_match_the_paper():
    counts = get_model("lenet5_1998").connections()
    assert counts == {
        "C1": 122_304,
        "S2": 5_880,
        "C3": 151_600,
        "S4": 2_000,
        "C5": 48_120,
        "F6": 10_164,
        "output": 840,
    }
    assert sum(counts.values()) == 340_908


def test_c3_table_is_table_one():
    assert [len(c) for c in C3_TABLE] == [3] * 6 + [4] * 9 + [6]
    # Every S2 map feeds 10 of the 16 C3 maps.
    assert [sum(m in c for c in C3_TABLE) for m in range(6)] == [10] * 6


def test_sparse_conv_reads_only_its_inputs():
    torch.manual_seed(0)
    model = get_model("lenet5_1998").eval()
    x = torch.randn(1, 6, 14, 14)
    base = model.C3(x)
    x2 = x.clone()
    x2[:, 3] += 1.0  # change S2 map 3
    changed = (model.C3(x2) - base).abs().amax(dim=(0, 2, 3)) > 0
    expected = torch.tensor([3 in c for c in C3_TABLE])
    assert torch.equal(changed, expected)


def test_modern_rows_and_total():
    model = get_model("lenet5")
    rows = {name: params(m) for name, m in model.named_children()}
    assert rows == {
        "C1": 156,
        "S2": 0,
        "C3": 2_416,
        "S4": 0,
        "C5": 48_120,
        "flatten": 0,
        "F6": 10_164,
        "output": 850,
    }
    assert params(model) == 61_706


@pytest.mark.parametrize("name", ["lenet5", "lenet5_1998"])
def test_forward_and_backward_on_cpu(name):
    torch.manual_seed(0)
    model = get_model(name)
    x = torch.randn(4, 1, 32, 32)
    out = model(x)
    assert out.shape == (4, 10) and torch.isfinite(out).all()
    out.sum().backward()
    assert all(p.grad is not None for p in model.parameters())


def test_rbf_output_is_minus_squared_distance():
    model = get_model("lenet5_1998")
    x = torch.randn(2, 84)
    expected = -((x[:, None] - model.output.centers) ** 2).sum(-1)
    torch.testing.assert_close(model.output(x), expected)
    assert set(model.output.centers.unique().tolist()) == {-1.0, 1.0}


def test_scaled_tanh_maps_one_to_one():
    f = get_model("lenet5_1998").squash
    torch.testing.assert_close(
        f(torch.tensor([1.0, -1.0])),
        torch.tensor([1.0, -1.0]),
        atol=2e-4,
        rtol=0,
    )


def test_modern_variant_other_sizes():
    model = get_model("lenet5", image_size=36, num_classes=3).eval()
    assert model(torch.zeros(2, 1, 36, 36)).shape == (2, 3)
    with pytest.raises(ValueError, match="image_size must be >= 32"):
        get_model("lenet5", image_size=28)


def test_modern_variant_with_relu():
    torch.manual_seed(0)
    tanh = get_model("lenet5").eval()
    relu = get_model("lenet5", activation="relu").eval()
    relu.load_state_dict(tanh.state_dict())
    x = torch.randn(2, 1, 32, 32)
    with torch.no_grad():
        h = relu.S4(torch.relu(relu.C3(relu.S2(torch.relu(relu.C1(x))))))
        h = torch.relu(relu.F6(torch.relu(relu.C5(h)).flatten(1)))
        torch.testing.assert_close(relu(x), relu.output(h))
        assert not torch.allclose(relu(x), tanh(x))
    with pytest.raises(ValueError, match="activation must be 'tanh'"):
        get_model("lenet5", activation="gelu")


def test_c5_map_grows_with_the_input():
    # C5's 5x5 kernel covers its whole 5x5 input at 32 x 32; at 36 x 36
    # its input is 6 x 6 and it outputs a 2 x 2 map.
    model = get_model("lenet5", image_size=36).eval()
    with torch.no_grad():
        x = model.S4(model.C3(model.S2(model.C1(torch.zeros(1, 1, 36, 36)))))
        assert model.C5(x).shape == (1, 120, 2, 2)
    assert model.F6.in_features == 120 * 2 * 2
