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
    assert all(torch.equal(p, q) for p, q in zip(before, weights(trainer),
                                                 strict=True))
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
    assert all(torch.equal(p, q) for p, q in zip(
        weights(trainer), weights(untouched), strict=True))

