"""The numpy layer API against the same network in torch.nn, float64."""

import numpy as np
import pytest
import torch
from torch import nn
from torch_reference import close, t

import cnnbook.nn as cnn
from cnnbook import data, metrics, optim
from cnnbook.data import load_mnist_5k


def _torch_small_cnn():
    return nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(32 * 7 * 7, 10),
    ).double()


def test_small_cnn_parameter_count_and_names_are_torchs():
    model = cnn.small_cnn(rng=0)
    reference = _torch_small_cnn()
    assert (
        model.num_parameters()
        == 20_490
        == sum(p.numel() for p in reference.parameters())
    )
    # 160 + 4,640 + 15,690: (9 + 1) x 16, (16 x 9 + 1) x 32, (1568 + 1) x 10
    assert [p.data.size for p in model.parameters()] == [
        144,
        16,
        4608,
        32,
        15680,
        10,
    ]
    assert list(model.state_dict()) == list(reference.state_dict())
    assert model(np.zeros((2, 1, 28, 28), np.float32)).shape == (2, 10)


def test_forward_and_backward_match_torch(rng):
    model = cnn.small_cnn(rng=0).astype(np.float64)
    reference = _torch_small_cnn()
    reference.load_state_dict({k: t(v) for k, v in model.state_dict().items()})
    x = rng.normal(size=(5, 1, 28, 28))
    y = np.array([0, 3, 9, 3, 1])
    criterion = cnn.CrossEntropyLoss()
    loss = criterion(model(x), y)
    model.zero_grad()
    grad_x = model.backward(criterion.backward())
    tx = t(x).requires_grad_()
    tloss = torch.nn.functional.cross_entropy(
        reference(tx), torch.from_numpy(y)
    )
    tloss.backward()
    close(loss, tloss)
    close(grad_x, tx.grad)
    for p, tp in zip(model.parameters(), reference.parameters(), strict=True):
        close(p.grad, tp.grad)


def test_every_layer_against_torch(rng):
    torch.manual_seed(0)
    pairs = [
        (
            cnn.Conv2d(4, 6, 3, stride=2, padding=1, groups=2, rng=0),
            nn.Conv2d(4, 6, 3, stride=2, padding=1, groups=2),
        ),
        (cnn.Linear(7, 3, rng=0), nn.Linear(7, 3)),
        (cnn.BatchNorm2d(4), nn.BatchNorm2d(4)),
        (cnn.BatchNorm1d(7), nn.BatchNorm1d(7)),
        (cnn.AvgPool2d(3, 2, 1), nn.AvgPool2d(3, 2, 1)),
        (cnn.AdaptiveAvgPool2d(1), nn.AdaptiveAvgPool2d(1)),
        (cnn.MaxPool2d(3, 2, 1), nn.MaxPool2d(3, 2, 1)),
        (cnn.LeakyReLU(0.1), nn.LeakyReLU(0.1)),
        (cnn.Sigmoid(), nn.Sigmoid()),
        (cnn.Tanh(), nn.Tanh()),
        (cnn.Flatten(), nn.Flatten()),
    ]
    for ours, theirs in pairs:
        ours.astype(np.float64)
        theirs.double()
        theirs.load_state_dict(
            {k: t(v) for k, v in ours.state_dict().items()}, strict=False
        )
        for mode in ("train", "eval"):
            getattr(ours, mode)()
            getattr(theirs, mode)()
            shape = (
                (6, 7)
                if isinstance(ours, (cnn.Linear, cnn.BatchNorm1d))
                else (3, 4, 9, 8)
            )
            x = rng.normal(size=shape)
            tx = t(x).requires_grad_()
            ty = theirs(tx)
            y = ours(x)
            close(y, ty)
            g = rng.normal(size=y.shape)
            ty.backward(t(g))
            ours.zero_grad()
            close(ours.backward(g), tx.grad)
            for p, tp in zip(
                ours.parameters(), theirs.parameters(), strict=True
            ):
                close(p.grad, tp.grad)
                tp.grad = None
        for name, value in ours.buffers().items():
            close(value, theirs.state_dict()[name])


def test_dropout_layer_train_and_eval(rng):
    layer = cnn.Dropout(0.5, rng=0)
    x = rng.normal(size=(100, 10))
    y = layer(x)
    assert 0.4 < (y == 0).mean() < 0.6
    g = layer.backward(np.ones_like(x))
    close(g, np.where(y != 0, 2.0, 0.0))
    layer.eval()
    assert layer(x) is x


def test_sequential_skips_the_first_input_gradient(rng):
    model = cnn.Sequential(
        cnn.Conv2d(1, 2, 3, rng=0), cnn.ReLU(), cnn.Flatten()
    )
    x = rng.normal(size=(2, 1, 5, 5)).astype(np.float32)
    y = model(x)
    assert model.backward(np.ones_like(y), input_grad=False) is None
    assert model.backward(np.ones_like(y)).shape == x.shape


def test_state_dict_round_trip_and_errors():
    a, b = cnn.small_cnn(rng=0), cnn.small_cnn(rng=1)
    b.load_state_dict(a.state_dict())
    for p, q in zip(a.parameters(), b.parameters(), strict=True):
        assert np.array_equal(p.data, q.data)
    state = a.state_dict()
    state["0.weight"] = np.zeros((1, 1))
    with pytest.raises(ValueError, match=r"0.weight has shape"):
        b.load_state_dict(state)
    with pytest.raises(ValueError, match="missing"):
        b.load_state_dict({})


def test_training_steps_reduce_the_loss_on_real_digits():
    images, labels = load_mnist_5k()
    train, _ = data.stratified_split(labels, (0.8, 0.2), seed=0)
    # the split's indices are sorted, and the digits stored by label
    train = np.random.default_rng(0).permutation(train)[:512]
    x, y = images[train], labels[train]
    model = cnn.small_cnn(rng=0)
    opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    criterion = cnn.CrossEntropyLoss()
    before = float(criterion(model(x), y))
    for _ in range(3):
        cnn.train_epoch(model, criterion, opt, x, y, batch_size=64, rng=0)
    after = float(criterion(model.eval()(x), y))
    assert after < 0.5 * before
    assert metrics.accuracy(cnn.predict(model, x), y) > 0.5  # chance: 0.1


def test_predict_gives_the_argmax_batch_by_batch(rng):
    model = cnn.small_cnn(rng=0)
    x = rng.normal(size=(7, 1, 28, 28)).astype(np.float32)
    whole = model.eval()(x).argmax(axis=1)
    assert np.array_equal(cnn.predict(model, x, batch_size=3), whole)
    assert not model.training
    with pytest.raises(ValueError, match="predict: images is empty"):
        cnn.predict(model, x[:0])
    with pytest.raises(ValueError, match="batch_size must be >= 1"):
        cnn.predict(model, x, batch_size=0)


def test_layer_argument_errors():
    with pytest.raises(ValueError, match="divisible by groups=2"):
        cnn.Conv2d(3, 4, 3, groups=2)
    with pytest.raises(ValueError, match="kernel_size must be >= 1"):
        cnn.Conv2d(3, 4, 0)
    with pytest.raises(TypeError, match="argument 1 must be a Module"):
        cnn.Sequential(cnn.ReLU(), "relu")
    with pytest.raises(TypeError, match="floating-point"):
        cnn.Parameter(np.zeros(3, int))


def test_the_numpy_engine_imports_neither_torch_nor_matplotlib():
    import subprocess
    import sys

    code = (
        "import sys; import cnnbook.functional, cnnbook.losses, "
        "cnnbook.init, cnnbook.optim, cnnbook.schedules, "
        "cnnbook.gradcheck, cnnbook.nn, cnnbook.metrics; "
        "bad = {'torch', 'matplotlib'} & set(sys.modules); "
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
