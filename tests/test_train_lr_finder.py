"""The learning-rate range test on the real 8x8 digits."""

import pytest
import torch
from _train_helpers import make_trainer, small_splits, weights


@pytest.fixture
def small():
    return small_splits()


def test_lr_finder_leaves_the_trainer_as_it_was(small):
    trainer = make_trainer(small)
    before = weights(trainer)
    rng = torch.get_rng_state()
    result = trainer.find_lr(num_steps=40, end_lr=10.0)
    assert all(
        torch.equal(p, q)
        for p, q in zip(before, weights(trainer), strict=True)
    )
    assert torch.equal(rng, torch.get_rng_state())
    assert trainer.optimizer.state_dict()["state"] == {}
    assert len(result.lrs) >= 10
    assert result.lrs[0] == pytest.approx(1e-6)
    # too small: flat; too large: diverges. The minimum lies in between.
    assert 1e-4 < result.min_loss_lr < 10.0
    assert result.steepest_lr < result.min_loss_lr
    assert result.suggestion() == pytest.approx(result.min_loss_lr / 10)
    assert len(result.plot().axes) == 1
    # and training afterwards is the same as without the finder
    untouched = make_trainer(small)
    trainer.fit()
    untouched.fit()
    assert all(
        torch.equal(p, q)
        for p, q in zip(weights(trainer), weights(untouched), strict=True)
    )


def test_range_test_sweeps_exponentially_and_stops_on_divergence():
    from cnnbook.train import lr_range_test

    calls = []

    def train_step(lr):
        calls.append(lr)
        # a loss that falls from lr = 1e-3 on and blows up past 1e-2
        return 1.0 if lr < 3e-4 else (0.1 if lr < 3e-2 else 100.0)

    result = lr_range_test(train_step, 1e-6, 1.0, num_steps=7, smoothing=1.0)
    # 1e-6 * (1e6)^(k/6): one decade per step, until 100 > 4 x 0.1
    assert calls == pytest.approx(
        [1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1], rel=1e-12
    )
    assert result.losses == [1.0, 1.0, 1.0, 0.1, 0.1, 100.0]
    assert result.smoothed == result.losses  # smoothing 1: no averaging
    assert result.min_loss_lr == pytest.approx(1e-3)
    with pytest.raises(
        TypeError, match="lr_range_test: train_step must be callable"
    ):
        lr_range_test(0.1)
    with pytest.raises(ValueError, match="lr_range_test: end_lr must be >"):
        lr_range_test(train_step, 1.0, 0.5)
    with pytest.raises(ValueError, match="lr_range_test: diverge must be >"):
        lr_range_test(train_step, diverge=0.5)


def test_range_test_uses_the_trainers_progress_bar(small, monkeypatch):
    """The sweep draws the Trainer's bar (a widget removed at the end in a
    notebook, not tqdm's text on stderr), and none under
    CNNBOOK_PROGRESS=0."""
    from cnnbook.train import lr_finder, progress

    made = []

    class Recorder(progress._Progress):
        def __init__(self, total, show, **options):
            made.append((total, show, options))
            super().__init__(total, False, **options)

    monkeypatch.setattr(lr_finder, "_Progress", Recorder)
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setenv("CNNBOOK_PROGRESS", "0")
    make_trainer(small, progress=None).find_lr(num_steps=5)
    monkeypatch.setenv("CNNBOOK_PROGRESS", "1")
    make_trainer(small, progress=None).find_lr(num_steps=5)
    assert [(total, show) for total, show, _ in made] == [
        (5, False),
        (5, True),
    ]
    assert made[0][2] == {"desc": "lr finder"}
