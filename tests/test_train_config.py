"""The config checks its fields and survives a round trip."""

import pytest

from cnnbook.train import TrainConfig


def test_defaults_are_the_encyclopedias():
    c = TrainConfig()
    assert (c.optimizer, c.lr, c.betas, c.eps) == (
        "adam",
        1e-3,
        (0.9, 0.999),
        1e-8,
    )
    assert (c.step_size, c.gamma) == (30, 0.1)


def test_round_trip_and_replace():
    c = TrainConfig(epochs=3, class_weights=[1.0, 2.0], scheduler="step")
    assert c.class_weights == (1.0, 2.0)
    assert TrainConfig.from_dict(c.to_dict()) == c
    assert c.replace(epochs=5).epochs == 5 and c.epochs == 3
    from pathlib import Path

    assert TrainConfig(checkpoint_dir=Path("runs")).checkpoint_dir == "runs"
    with pytest.raises(ValueError, match=r"unknown fields \['epoch'\]"):
        TrainConfig.from_dict({"epoch": 3})


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("epochs", 0, "epochs must be >= 1"),
        ("batch_size", 2.5, "batch_size must be an int"),
        ("lr", 0.0, "lr must be > 0"),
        ("optimizer", "rmsprop", "optimizer must be one of"),
        ("scheduler", "linear", "scheduler must be one of"),
        ("loss", "mse", "loss must be one of"),
        ("label_smoothing", 1.5, "label_smoothing must be <= 1"),
        ("patience", 0, "patience must be >= 1"),
        ("class_weights", "inverse", "class_weights must be"),
        ("warmup_epochs", 2, "warmup_epochs applies to scheduler='cosine'"),
        ("grad_clip", -1.0, "grad_clip must be > 0"),
        ("checkpoint_dir", 3, "checkpoint_dir must be a path"),
        ("extra", {"f": print}, r"extra\['f'\] must hold plain values"),
    ],
)
def test_bad_fields_are_named(field, value, message):
    with pytest.raises((TypeError, ValueError), match=message):
        TrainConfig(**{field: value})
