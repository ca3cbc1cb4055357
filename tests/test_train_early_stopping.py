"""Patience, stated correctly, and the encyclopedia's rule beside it."""

import pytest

from cnnbook.train import (
    EarlyStopping,
    encyclopedia_stop_epoch,
    patience_stop_epoch,
)


def test_patience_counts_epochs_without_a_new_best():
    losses = [1.0, 0.8, 0.9, 0.85, 0.7]
    assert patience_stop_epoch(losses, 2) == 4  # best 0.8 at epoch 2
    assert patience_stop_epoch(losses, 3) is None
    stopper = EarlyStopping(2)
    flags = [stopper.step(v) for v in losses[:3]]
    assert flags == [False, False, False]
    assert stopper.best == 0.8 and stopper.best_epoch == 2
    assert not stopper.improved and stopper.bad_epochs == 1


def test_min_delta_demands_a_real_improvement():
    losses = [1.0, 0.999, 0.998, 0.997]
    assert patience_stop_epoch(losses, 2) is None
    assert patience_stop_epoch(losses, 2, min_delta=0.01) == 3


def test_a_run_that_keeps_improving_is_never_stopped():
    assert patience_stop_epoch([1 / k for k in range(1, 50)], 1) is None


def test_the_encyclopedia_rule_stops_on_one_noisy_epoch():
    # improving steadily, one bad epoch (6) right after a new best (5):
    # patience 3 waits; the encyclopedia's rule stops at once, because at
    # t = 6 it compares L_6 = 0.85 with min over k < 3 of L_k = 0.8.
    losses = [1.0, 0.8, 0.6, 0.5, 0.45, 0.85, 0.4, 0.35]
    assert encyclopedia_stop_epoch(losses, 3) == 6
    assert patience_stop_epoch(losses, 3) is None
    # with no noise the two agree to within an epoch
    flat = [1.0, 0.8, 0.6] + [0.7] * 10
    assert patience_stop_epoch(flat, 3) == 6
    assert encyclopedia_stop_epoch(flat, 3) == 7


def test_state_round_trip_and_checks():
    a = EarlyStopping(3, 0.1)
    for v in (1.0, 0.5, 0.6):
        a.step(v)
    b = EarlyStopping(3, 0.1)
    b.load_state_dict(a.state_dict())
    assert [a.step(0.55), a.step(0.52)] == [b.step(0.55), b.step(0.52)]
    with pytest.raises(ValueError, match="patience must be >= 1"):
        EarlyStopping(0)
    with pytest.raises(ValueError, match="NaN"):
        EarlyStopping(1).step(float("nan"))
