"""Where the time of an epoch goes: data, forward, backward, optimizer.

:meth:`Trainer.train_epoch <cnnbook.train.Trainer.train_epoch>` marks
the four phases of each step with
:func:`torch.profiler.record_function` ranges (a few microseconds each,
nothing when no profiler listens). :func:`profile_epoch` runs one epoch
under :mod:`torch.profiler` and adds up each phase's ranges. On a GPU the
host only *queues* most work: the ranges then measure the host's time,
and the device's own time of each phase is reported beside it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import torch

if TYPE_CHECKING:
    from .trainer import Trainer

__all__ = ["PHASES", "EpochProfile", "profile_epoch"]

# The range names Trainer.train_epoch opens, in the order of a step.
PHASES = {
    "data": "cnnbook.data",  # next batch, copy to the device, transform
    "forward": "cnnbook.forward",  # model and loss
    "backward": "cnnbook.backward",  # gradients (and DDP's all-reduce)
    "optimizer": "cnnbook.optimizer",  # clipping, step, schedule
}


@dataclass
class EpochProfile:
    """Seconds of one profiled epoch, by phase."""

    wall: float  # the whole epoch, device synchronised at the end
    host: dict[str, float]  # host (CPU) seconds inside each phase's ranges
    device: dict[str, float] = field(default_factory=dict)  # GPU seconds
    steps: int = 0
    top_ops: list[tuple[str, float]] = field(default_factory=list)

    @property
    def other(self) -> float:
        """Wall seconds outside the four phases (loop bookkeeping,
        metrics, and the profiler's own cost)."""
        return max(0.0, self.wall - sum(self.host.values()))

    def shares(self) -> dict[str, float]:
        """Each phase's fraction of the wall time (host time on a CPU;
        the larger of host and device time on a GPU)."""
        return {
            k: max(v, self.device.get(k, 0.0)) / self.wall
            for k, v in self.host.items()
        }


def profile_epoch(trainer: Trainer, top: int = 5) -> EpochProfile:
    """Train one epoch of ``trainer`` under :mod:`torch.profiler`.

    It is a real epoch: the trainer's model, optimizer and schedule move
    on (profile a copy, or count it as part of the run). ``top`` most
    expensive operators (self time on the host) are listed too.
    """
    from torch.profiler import ProfilerActivity, profile

    activities = [ProfilerActivity.CPU]
    cuda = trainer.device.type == "cuda"
    if cuda:
        activities.append(ProfilerActivity.CUDA)
    with profile(activities=activities) as prof:
        start = time.perf_counter()
        result = trainer.train_epoch()
        if cuda:
            torch.cuda.synchronize(trainer.device)
        wall = time.perf_counter() - start
    events = {e.key: e for e in prof.key_averages()}
    host, device = {}, {}
    for phase, name in PHASES.items():
        event = events.get(name)
        host[phase] = event.cpu_time_total / 1e6 if event else 0.0
        if cuda and event is not None:
            device[phase] = getattr(event, "device_time_total", 0.0) / 1e6
    ops = sorted(
        (e for e in events.values() if e.key.startswith("aten::")),
        key=lambda e: e.self_cpu_time_total,
        reverse=True,
    )
    top_ops = [(e.key, e.self_cpu_time_total / 1e6) for e in ops[:top]]
    steps = (
        events[PHASES["forward"]].count if PHASES["forward"] in (events) else 0
    )
    del result
    return EpochProfile(wall, host, device, steps, top_ops)
