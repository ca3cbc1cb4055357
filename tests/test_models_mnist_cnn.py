"""The encyclopedia's simple MNIST CNN: counts pinned, numpy == torch."""

import numpy as np
import pytest
import torch

from cnnbook.models import get_model, list_models, mnist_cnn_forward_numpy


def test_parameter_count_and_output_shape():
    model = get_model("mnist_cnn")
    assert sum(p.numel() for p in model.parameters()) == 421_642
    assert model(torch.zeros(2, 1, 28, 28)).shape == (2, 10)
    counts = {
        name: sum(p.numel() for p in m.parameters())
        for name, m in model.named_children()
    }
    assert counts == {
        "conv1": 320,
        "conv2": 18_496,
        "pool": 0,
        "fc1": 401_536,
        "dropout": 0,
        "fc2": 1_290,
    }


def test_numpy_forward_pass_equals_torch():
    torch.manual_seed(0)
    model = get_model("mnist_cnn").double().eval()
    x = torch.rand(3, 1, 28, 28, dtype=torch.float64)
    params = {k: v.numpy() for k, v in model.state_dict().items()}
    probs, acts = mnist_cnn_forward_numpy(
        params, x.numpy(), keep_activations=True
    )
    with torch.no_grad():
        expected = torch.softmax(model(x), 1).numpy()
    np.testing.assert_allclose(probs, expected, rtol=1e-10, atol=1e-14)
    assert acts["pool2"].shape == (3, 64, 7, 7)
    assert acts["flatten"].shape == (3, 3136)


def test_registry_errors_list_the_models():
    assert "mnist_cnn" in list_models()
    with pytest.raises(ValueError, match="unknown model 'lenet'; available"):
        get_model("lenet")
    with pytest.raises(TypeError, match="name must be a str"):
        get_model(5)
    with pytest.raises(
        ValueError,
        match=r"expected input of shape \(N, 1, "
        "28, 28\\)",
    ):
        get_model("mnist_cnn")(torch.zeros(1, 1, 32, 32))
