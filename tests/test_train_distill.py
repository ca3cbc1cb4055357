"""DistillationTrainer on the real 8x8 digits: the loss it trains with,
the teacher left alone, alpha = 1 as plain training, bad input."""

import copy

import pytest
import torch
from _train_helpers import small_splits, tiny_cnn

from cnnbook.train import (
    DistillationLoss,
    DistillationTrainer,
    TrainConfig,
    Trainer,
    seed_everything,
)


def config(**changes):
    values = dict(epochs=2, batch_size=32, lr=3e-3, progress=False)
    values.update(changes)
    return TrainConfig(**values)


@pytest.fixture(scope="module")
def teacher():
    train, val, _ = small_splits()
    seed_everything(0)
    model = tiny_cnn(width=8)
    Trainer(model, train, val, config(epochs=4)).fit()
    return model.eval()


def student(seed=1):
    seed_everything(seed)
    return tiny_cnn(width=2)


def test_trains_with_the_distillation_loss(teacher):
    train, val, _ = small_splits()
    before = copy.deepcopy(teacher.state_dict())
    trainer = DistillationTrainer(
        student(), teacher, train, val, config(), temperature=4.0, alpha=0.3
    )
    x, y = train[list(range(16))]
    logits = trainer.model(x)
    with torch.no_grad():
        expected = DistillationLoss(4.0, 0.3)(logits, teacher(x), y)
    assert torch.equal(trainer.training_loss(x, logits, y), expected)
    # what the Trainer's loop calls: loss_fn(logits, y) after a forward
    # pass in training mode is the distillation loss of that batch ...
    trainer.model.train()
    logits = trainer.model(x)
    with torch.no_grad():
        expected = DistillationLoss(4.0, 0.3)(logits, teacher(x), y)
    assert torch.allclose(trainer.loss_fn(logits, y), expected)
    # ... and in evaluation mode the plain cross-entropy
    trainer.model.eval()
    logits = trainer.model(x)
    plain = torch.nn.functional.cross_entropy(logits, y)
    assert torch.allclose(trainer.loss_fn(logits, y), plain)
    history = trainer.fit()
    assert len(history) == 2
    assert history["train_loss"][-1] < history["train_loss"][0]
    for name, value in teacher.state_dict().items():
        assert torch.equal(value, before[name]), name
    assert not teacher.training
    assert all(not p.requires_grad for p in teacher.parameters())
    # validation loss is the student's plain cross-entropy
    result = trainer.evaluate(val)
    logits, labels = trainer.predict(val)
    assert result["loss"] == pytest.approx(
        float(torch.nn.functional.cross_entropy(logits, labels)), rel=1e-6
    )


def test_alpha_one_is_plain_training(teacher):
    train, val, _ = small_splits()
    plain = Trainer(student(), train, val, config())
    plain.fit()
    alone = DistillationTrainer(
        student(), teacher, train, val, config(), temperature=4.0, alpha=1.0
    )
    alone.fit()
    for name, value in plain.model.state_dict().items():
        torch.testing.assert_close(
            alone.model.state_dict()[name], value, rtol=1e-6, atol=1e-7
        )


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"teacher": "teacher"}, TypeError, "teacher must be a torch.nn"),
        ({"temperature": 0.0}, ValueError, "temperature must be > 0"),
        ({"alpha": 2.0}, ValueError, "alpha must be <= 1"),
        (
            {"loss_fn": torch.nn.functional.cross_entropy},
            TypeError,
            "loss_fn cannot be set",
        ),
        (
            {"teacher": tiny_cnn(classes=5)},
            ValueError,
            r"teacher returns \(1, 5\) logits",
        ),
    ],
)
def test_bad_input(teacher, kwargs, error, match):
    train, _, _ = small_splits()
    args = {"teacher": teacher, **kwargs}
    with pytest.raises(error, match=match):
        DistillationTrainer(
            student(), args.pop("teacher"), train, config=config(), **args
        )


def test_teacher_must_be_another_network():
    train, _, _ = small_splits()
    model = student()
    with pytest.raises(ValueError, match="another network"):
        DistillationTrainer(model, model, train, config=config())
