"""PyTorch's schedulers, as configured, against the pure formulas of
:mod:`cnnbook.schedules` (the one definition of each)."""

import pytest
import torch

from cnnbook.schedules import cosine_annealing, one_cycle, step_decay
from cnnbook.train import TrainConfig, build_scheduler, lr_trace


def test_step_schedule_is_step_decay_per_epoch():
    config = TrainConfig(
        epochs=7, lr=0.1, scheduler="step", step_size=3, gamma=0.5
    )
    lrs = lr_trace(config, steps_per_epoch=4)
    for k, lr in enumerate(lrs):
        assert lr == pytest.approx(step_decay(k // 4, 0.1, 3, 0.5))


def test_cosine_schedule_is_the_formula_per_batch():
    config = TrainConfig(epochs=5, lr=0.1, scheduler="cosine", min_lr=0.01)
    lrs = lr_trace(config, steps_per_epoch=6)
    for t, lr in enumerate(lrs):
        assert lr == pytest.approx(
            cosine_annealing(t, 0.1, 30, 0.01), rel=1e-9
        )


def test_warmup_then_cosine():
    config = TrainConfig(epochs=5, lr=0.1, scheduler="cosine", warmup_epochs=1)
    lrs = lr_trace(config, steps_per_epoch=10)
    assert lrs[0] == pytest.approx(0.01)  # warm-up starts at lr / 10
    assert max(lrs) == pytest.approx(0.1)
    assert lrs[10] == pytest.approx(0.1)
    assert lrs[-1] < 0.001


def test_onecycle_peaks_at_lr():
    config = TrainConfig(
        epochs=4, lr=0.01, scheduler="onecycle", pct_start=0.25
    )
    lrs = lr_trace(config, steps_per_epoch=25)
    assert len(lrs) == 100
    peak = lrs.index(max(lrs))
    assert max(lrs) == pytest.approx(0.01) and 20 <= peak <= 26
    assert lrs[0] == pytest.approx(0.01 / 25)  # torch's div_factor
    assert lrs[-1] < 1e-6
    for t, lr in enumerate(lrs):
        assert lr == pytest.approx(
            one_cycle(t, 100, 0.01, pct_start=0.25), rel=1e-9
        )


def test_constant_and_plateau():
    assert set(lr_trace(TrainConfig(epochs=2, lr=0.3), 3)) == {0.3}
    config = TrainConfig(scheduler="plateau", gamma=0.5, plateau_patience=1)
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=1.0)
    sched = build_scheduler(opt, config, 1)
    for loss in (1.0, 1.0, 1.0):
        sched.step(loss)
    assert opt.param_groups[0]["lr"] == 0.5
    with pytest.raises(ValueError, match="no fixed trace"):
        lr_trace(config, 1)


def test_schedulers_survive_weights_only_round_trip(tmp_path):
    def make(config):
        opt = torch.optim.Adam([torch.zeros(1, requires_grad=True)])
        return opt, build_scheduler(opt, config, 2)

    for kind in ("step", "cosine", "onecycle", "plateau"):
        config = TrainConfig(
            epochs=4,
            scheduler=kind,
            warmup_epochs=1 if kind == "cosine" else 0,
        )
        opt, sched = make(config)

        def advance(opt, sched, n, kind=kind):
            lrs = []
            for _ in range(n):
                opt.step()
                sched.step(*([1.0] if kind == "plateau" else []))
                lrs.append(opt.param_groups[0]["lr"])
            return lrs

        advance(opt, sched, 3)
        torch.save(sched.state_dict(), tmp_path / "s.pt")
        state = torch.load(tmp_path / "s.pt", weights_only=True)
        opt2, sched2 = make(config)
        opt2.load_state_dict(opt.state_dict())
        sched2.load_state_dict(state)
        assert advance(opt, sched, 4) == advance(opt2, sched2, 4), kind
