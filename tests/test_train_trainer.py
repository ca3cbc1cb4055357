"""The Trainer on the real 8x8 digits with a tiny CNN: it learns,
reproduces, resumes bit for bit, stops early, saves the best weights,
and refuses bad input without losing anything already written."""

import json

import numpy as np
import pytest
import torch
from _train_helpers import (
    Interrupt,
    digit_splits,
    make_trainer,
    small_splits,
    tiny_cnn,
    weights,
)
from torch.utils.data import TensorDataset

from cnnbook.train import (
    TrainConfig,
    Trainer,
    load_checkpoint,
    load_model_weights,
    seed_everything,
)


@pytest.fixture
def digits():
    return digit_splits()


@pytest.fixture
def small():
    return small_splits()


def test_it_learns_the_digits(digits):
    trainer = make_trainer(digits, epochs=6)
    history = trainer.fit()
    assert len(history) == 6 and history.columns[:4] == [
        "epoch",
        "lr",
        "train_loss",
        "train_acc",
    ]
    assert history["val_loss"][-1] < history["val_loss"][0]
    result = trainer.evaluate(digits[2])
    assert result["acc"] > 0.85  # 8x8 digits, a 2.6k-parameter CNN
    assert history["images_per_second"][0] > 0


def test_same_seed_same_run(small):
    a, b = make_trainer(small), make_trainer(small)
    ha, hb = a.fit(), b.fit()
    assert all(
        torch.equal(p, q) for p, q in zip(weights(a), weights(b), strict=True)
    )
    drop = ("seconds", "images_per_second")
    strip = [
        [{k: v for k, v in r.items() if k not in drop} for r in h.records]
        for h in (ha, hb)
    ]
    assert strip[0] == strip[1]


@pytest.mark.parametrize("scheduler", ["onecycle", "plateau", "step"])
def test_interrupted_and_resumed_equals_uninterrupted(
    small, tmp_path, scheduler
):
    whole = make_trainer(small, tmp_path / "whole", scheduler=scheduler)
    whole.fit()

    def interrupt_after_epoch_2(trainer, record):
        if record["epoch"] == 2:
            raise Interrupt

    folder = tmp_path / "cut"
    first = make_trainer(small, folder, scheduler=scheduler)
    first.callbacks.append(interrupt_after_epoch_2)
    with pytest.raises(Interrupt):
        first.fit()
    assert load_checkpoint(folder / "last.pt")["epoch"] == 2
    # a new process: another initialization, other global RNG state
    second = make_trainer(small, folder, seed_model=123, scheduler=scheduler)
    torch.manual_seed(999)
    second.fit(resume_from=folder / "last.pt")
    assert second.epoch == whole.epoch == 4
    assert all(
        torch.equal(p, q)
        for p, q in zip(weights(whole), weights(second), strict=True)
    )
    saved = [
        json.loads((tmp_path / d / "history.json").read_text())
        for d in ("whole", "cut")
    ]
    for a, b in zip(*(s["records"] for s in saved), strict=True):
        for key in ("epoch", "lr", "train_loss", "val_loss", "val_acc"):
            assert a[key] == b[key]
    sa = load_checkpoint(tmp_path / "whole" / "last.pt")
    sb = load_checkpoint(folder / "last.pt")
    assert sa["sampler_rng"].equal(sb["sampler_rng"])
    assert sa["rng"]["torch"].equal(sb["rng"]["torch"])


def test_interrupted_mid_epoch_resumes_from_the_last_epoch(small, tmp_path):
    whole = make_trainer(small, tmp_path / "whole", epochs=3, patience=None)
    whole.fit()
    folder = tmp_path / "cut"
    first = make_trainer(small, folder, epochs=3, patience=None)
    augment = first.train_transform
    stop_at = 2 * len(first.train_loader) + 5  # in the middle of epoch 3

    class Flaky:
        """The same augmentation, until the process dies."""

        calls = 0

        def __call__(self, x):
            self.calls += 1
            if self.calls == stop_at:
                raise Interrupt
            return augment(x)

        def state_dict(self):
            return augment.state_dict()

    first.train_transform = Flaky()
    with pytest.raises(Interrupt):
        first.fit()
    second = make_trainer(small, folder, seed_model=5, epochs=3, patience=None)
    second.fit(resume_from=folder / "last.pt")
    assert all(
        torch.equal(p, q)
        for p, q in zip(weights(whole), weights(second), strict=True)
    )


def test_early_stopping_and_best_checkpoint(digits, tmp_path):
    # 63 training digits and lr 0.02: the network overfits within a few
    # dozen epochs and the validation loss turns up
    train, val, _ = digits
    seed_everything(0)
    trainer = Trainer(
        tiny_cnn(),
        train.subset(range(0, len(train), 20)),
        val.subset(range(0, len(val), 2)),
        TrainConfig(
            epochs=40,
            batch_size=16,
            lr=0.02,
            patience=3,
            checkpoint_dir=tmp_path,
            progress=False,
        ),
    )
    history = trainer.fit()
    assert trainer.stopped_early and len(history) < 40
    best = history.best_epoch()
    assert len(history) - best == 3  # stopped 3 epochs after the best
    losses = history["val_loss"]
    assert min(losses[best:]) > losses[best - 1]
    saved = load_checkpoint(tmp_path / "best.pt")
    assert saved["epoch"] == best
    assert saved["val_loss"] == min(history["val_loss"])
    fresh = tiny_cnn()
    load_model_weights(fresh, tmp_path / "best.pt")
    trainer.model.load_state_dict(fresh.state_dict())
    assert trainer.evaluate(trainer.val_data)["loss"] == pytest.approx(
        saved["val_loss"], rel=1e-5
    )


def test_progress_bar_when_asked(small, capsys):
    make_trainer(small, epochs=1, progress=True).fit()
    assert "training: 100%" in capsys.readouterr().err
    make_trainer(small, epochs=1, progress=False).fit()
    assert capsys.readouterr().err == ""


def test_plain_torch_datasets_work(digits):
    train, val, _ = digits
    seed_everything(0)
    trainer = Trainer(
        tiny_cnn(),
        TensorDataset(train.images, train.labels),
        TensorDataset(val.images, val.labels),
        TrainConfig(
            epochs=2, progress=False, class_weights="balanced", loss="focal"
        ),
    )
    history = trainer.fit()
    assert history["val_acc"][-1] > 0.5
    assert trainer.loss_fn.weights.shape == (10,)


def test_evaluate_train_and_overfitting_gap(small):
    trainer = make_trainer(small, epochs=2, evaluate_train=True)
    history = trainer.fit()
    assert len(history.overfitting_gap("train_eval_loss")) == 2


# --- bad input: clear errors, nothing lost ---------------------------------


def test_empty_and_oversized_and_unlabeled(digits):
    train, val, _ = digits
    empty = TensorDataset(torch.zeros(0, 1, 8, 8), torch.zeros(0).long())
    with pytest.raises(ValueError, match="train_data is empty"):
        Trainer(tiny_cnn(), empty, val)
    with pytest.raises(ValueError, match="val_data is empty"):
        Trainer(tiny_cnn(), train, empty)
    with pytest.raises(
        ValueError,
        match=rf"batch_size=5000 is larger than "
        rf"train_data \({len(train)} examples\)",
    ):
        Trainer(tiny_cnn(), train, val, TrainConfig(batch_size=5000))
    with pytest.raises(ValueError, match="pass val_data"):
        Trainer(tiny_cnn(), train, None, TrainConfig(patience=3))
    with pytest.raises(ValueError, match="model rejected train_data"):
        Trainer(
            tiny_cnn(),
            TensorDataset(torch.zeros(4, 3, 8, 8), torch.zeros(4).long()),
            config=TrainConfig(batch_size=4),
        )
    with pytest.raises(TypeError, match="config must be a TrainConfig"):
        Trainer(tiny_cnn(), train, val, {"epochs": 3})


def test_labels_out_of_range(digits):
    train, val, _ = digits
    with pytest.raises(
        ValueError,
        match=r"train_data has labels 0\.\.9, "
        r"but the model has 5 outputs",
    ):
        Trainer(tiny_cnn(classes=5), train, val)
    # a plain dataset is checked batch by batch, before the step
    x = torch.zeros(40, 1, 8, 8)
    y = torch.arange(40) % 10
    y[37] = 12
    seed_everything(0)
    trainer = Trainer(
        tiny_cnn(),
        TensorDataset(x, y),
        None,
        TrainConfig(epochs=1, batch_size=8, progress=False),
    )
    with pytest.raises(ValueError, match=r"a batch has labels 0\.\.12"):
        trainer.fit()


def test_another_architecture_is_refused_and_nothing_is_lost(small, tmp_path):
    trainer = make_trainer(small, tmp_path, epochs=2)
    trainer.fit()
    files = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    assert set(files) == {"best.pt", "last.pt", "history.json"}
    seed_everything(0)
    wider = Trainer(
        tiny_cnn(width=6),
        small[0],
        small[1],
        TrainConfig(
            epochs=4,
            batch_size=32,
            lr=3e-3,
            scheduler="onecycle",
            patience=3,
            checkpoint_dir=str(tmp_path),
            progress=False,
            label_smoothing=0.05,
        ),
    )
    before = weights(wider)
    with pytest.raises(
        ValueError,
        match=r"another architecture.*different "
        r"shapes.*0\.weight",
    ):
        wider.fit(resume_from=tmp_path / "last.pt")
    with pytest.raises(ValueError, match="another architecture"):
        load_model_weights(tiny_cnn(width=6), tmp_path / "best.pt")
    assert all(
        torch.equal(p, q) for p, q in zip(before, weights(wider), strict=True)
    )
    # a fresh run into the same folder would overwrite: refused
    with pytest.raises(FileExistsError, match="holds another run"):
        make_trainer(small, tmp_path, epochs=2).fit()
    # a different config is refused too
    with pytest.raises(ValueError, match=r"different config: lr=0\.003"):
        make_trainer(small, tmp_path, epochs=2, lr=0.1).fit(
            resume_from=tmp_path / "last.pt"
        )
    with pytest.raises(ValueError, match="best weights only"):
        make_trainer(small, tmp_path, epochs=2).fit(
            resume_from=tmp_path / "best.pt"
        )
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == files


def test_divergence_keeps_the_earlier_checkpoints(small, tmp_path):
    trainer = make_trainer(
        small, tmp_path, epochs=3, patience=None, scheduler=None
    )

    def explode(trainer, record):
        if record["epoch"] == 1:  # as an overflow would
            with torch.no_grad():
                trainer.model[0].weight[0, 0, 0, 0] = float("inf")

    trainer.callbacks.append(explode)
    with pytest.raises(FloatingPointError, match="epoch 2.*kept"):
        trainer.fit()
    state = load_checkpoint(tmp_path / "last.pt")
    assert state["epoch"] == 1
    assert all(torch.isfinite(v).all() for v in state["model"].values())


def test_device_argument(small):
    with pytest.raises(ValueError, match="not a device name"):
        make_trainer(small, device="tpu9")
    trainer = make_trainer(small, device="auto", epochs=1)
    assert next(trainer.model.parameters()).device == trainer.device
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="CUDA is not available"):
            make_trainer(small, device="cuda")


def test_numpy_global_state_is_not_needed(small):
    # the run does not depend on numpy's global generator
    np.random.seed(1)  # noqa: NPY002
    a = make_trainer(small, epochs=1)
    a.fit()
    np.random.seed(2)  # noqa: NPY002
    b = make_trainer(small, epochs=1)
    b.fit()
    assert all(
        torch.equal(p, q) for p, q in zip(weights(a), weights(b), strict=True)
    )
