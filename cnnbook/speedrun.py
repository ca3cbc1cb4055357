"""The speed run of chapter 14: the shortest wall time, on 2 CPU cores,
to 99% accuracy on the 750 held-out test digits of MNIST 5k, training on
its 3,500 training digits.

In the spirit of airbench (Jordan, 2024): every part of the recipe
(network, optimizer, schedule, augmentation, evaluation) is chosen for
time to accuracy, and the rules keep it honest:

- a recipe may be chosen on the validation digits only
  (``benchmarks/speedrun_mnist.py search``);
- the final runs (``benchmarks/speedrun_mnist.py final``) train the
  chosen recipe with several seeds and evaluate the test digits once per
  seed, at the end; the time counted is training plus that evaluation
  (reading the dataset from disk is not counted);
- results are written as JSON (:data:`RESULT_FORMAT`) with the machine,
  the date, the command, the PyTorch version and the load average.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import platform
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import torch
import torch.nn.functional as F

from ._atomic import atomic_write_text
from ._validation import check_int

if TYPE_CHECKING:
    from .data.datasets import ImageDataset
    from .train import TrainConfig, Trainer

__all__ = [
    "RECIPE",
    "TTA_SHIFTS",
    "Recipe",
    "tta_accuracy",
    "format_speedrun",
    "load_speedruns",
    "shift_images",
    "timed_run",
    "train",
    "write_speedrun",
]

RESULT_FORMAT = "cnnbook-speedrun-1"
# the image and its four neighbors one pixel away
TTA_SHIFTS = ((0, 0), (1, 0), (-1, 0), (0, 1), (0, -1))


@dataclass(frozen=True)
class Recipe:
    """A speed-run recipe: the network and how to train and test it."""

    widths: tuple[int, int, int] = (32, 64, 128)  # SpeedNet's channels
    extra_convs: bool = False  # SpeedNet's optional second convolutions
    epochs: int = 15
    batch_size: int = 128
    lr: float = 0.2  # the one-cycle schedule's peak
    pct_start: float = 0.2  # fraction of the steps spent warming up
    momentum: float = 0.9  # Nesterov
    weight_decay: float = 5e-4
    label_smoothing: float = 0.1
    max_shift: int = 2  # augmentation: random shifts of up to this (px)
    tta: bool = True  # average the predictions over TTA_SHIFTS
    channels_last: bool = True

    def config(self, seed: int = 0, **changes: object) -> TrainConfig:
        """The :class:`~cnnbook.train.TrainConfig` of this recipe."""
        from .train import TrainConfig

        options = dict(
            epochs=self.epochs,
            batch_size=self.batch_size,
            optimizer="sgd",
            lr=self.lr,
            momentum=self.momentum,
            nesterov=True,
            weight_decay=self.weight_decay,
            scheduler="onecycle",
            pct_start=self.pct_start,
            label_smoothing=self.label_smoothing,
            seed=seed,
            channels_last=self.channels_last,
            device="cpu",
        )
        options.update(changes)
        return TrainConfig(**options)


# Designed for chapter 14 from airbench's ideas. Its variants are scored
# on the validation digits by benchmarks/speedrun_mnist.py search; no
# search result is committed yet, so it was not chosen by one.
RECIPE = Recipe()


def shift_images(
    images: torch.Tensor,
    dx: torch.Tensor | int,
    dy: torch.Tensor | int,
    max_shift: int,
    fill: float = 0.0,
) -> torch.Tensor:
    """Move each image ``dx`` pixels right and ``dy`` down (per image, or
    one shift for all), filling the uncovered border with ``fill``.

    ``images`` is (N, C, H, W); shifts lie in ``[-max_shift, max_shift]``.
    One padding and one gather, whatever the shifts.
    """
    n, c, h, w = images.shape
    m = check_int(max_shift, "max_shift", "shift_images", minimum=0)
    dx = torch.as_tensor(dx).expand(n).reshape(n, 1, 1, 1)
    dy = torch.as_tensor(dy).expand(n).reshape(n, 1, 1, 1)
    if int(dx.abs().max()) > m or int(dy.abs().max()) > m:
        raise ValueError(f"shift_images: shifts must lie in [-{m}, {m}]")
    padded = F.pad(images, (m, m, m, m), value=fill)
    rows = torch.arange(h).reshape(1, 1, h, 1) + m - dy
    cols = torch.arange(w).reshape(1, 1, 1, w) + m - dx
    batch = torch.arange(n).reshape(n, 1, 1, 1)
    channel = torch.arange(c).reshape(1, c, 1, 1)
    return padded[batch, channel, rows, cols]


class RandomShift:
    """Augmentation: shift each image of a batch by a random whole number
    of pixels in ``[-max_shift, max_shift]`` along each axis (zero fill:
    the digits' background)."""

    def __init__(self, max_shift: int, seed: int | None = None):
        self.max_shift = max_shift
        self.generator = torch.Generator()
        if seed is not None:
            self.generator.manual_seed(seed)

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        m, n = self.max_shift, len(x)
        dx, dy = torch.randint(-m, m + 1, (2, n), generator=self.generator)
        return shift_images(x, dx, dy, m)

    def state_dict(self) -> dict:
        return {"generator": self.generator.get_state()}

    def load_state_dict(self, state: dict) -> None:
        self.generator.set_state(state["generator"])


def _transforms(recipe: Recipe, train_data: ImageDataset, seed: int):
    from .data.transforms import Normalize

    normalize = Normalize.from_data(train_data.images)
    shift = RandomShift(recipe.max_shift, seed=seed)

    def augment(x):
        return normalize(shift(x))

    augment.state_dict = shift.state_dict  # resumable, like Compose
    augment.load_state_dict = shift.load_state_dict
    return augment, normalize


def train(
    recipe: Recipe,
    train_data: ImageDataset,
    seed: int = 0,
    val_data: ImageDataset | None = None,
    **changes: object,
) -> Trainer:
    """Train ``recipe`` on ``train_data``; returns the fitted Trainer
    (``changes`` override the TrainConfig, e.g. ``epochs=3``)."""
    from .models import get_model
    from .train import Trainer, seed_everything

    seed_everything(seed)
    model = get_model(
        "mnist_speednet", widths=recipe.widths, extra_convs=recipe.extra_convs
    )
    augment, normalize = _transforms(recipe, train_data, seed)
    trainer = Trainer(
        model,
        train_data,
        val_data,
        recipe.config(seed, **changes),
        train_transform=augment,
        eval_transform=normalize,
    )
    trainer.fit()
    return trainer


@torch.no_grad()
def tta_accuracy(
    model: torch.nn.Module,
    data: ImageDataset,
    transform: Callable[[torch.Tensor], torch.Tensor],
    tta: bool = True,
) -> float:
    """Accuracy of ``model`` on ``data`` (eval mode), the images passed
    through ``transform`` (the normalization); with ``tta`` the logits
    are summed over the image and its copies shifted by :data:`TTA_SHIFTS`.
    """
    model.eval()
    device = next(model.parameters()).device
    images, labels = data.images, data.labels
    logits = 0
    for dx, dy in TTA_SHIFTS if tta else ((0, 0),):
        shifted = shift_images(images, dx, dy, 1) if (dx or dy) else images
        x = transform(shifted.to(device))
        if next(model.parameters()).is_contiguous(
            memory_format=torch.channels_last
        ):
            x = x.contiguous(memory_format=torch.channels_last)
        logits = logits + model(x).float()
    return float((logits.argmax(1).cpu() == labels).double().mean())


def _load() -> list[float] | None:
    try:
        return [round(v, 2) for v in os.getloadavg()]
    except OSError:
        return None


def timed_run(
    recipe: Recipe,
    seed: int,
    train_data: ImageDataset,
    eval_data: ImageDataset,
) -> dict:
    """Train ``recipe`` and score ``eval_data`` once; wall and CPU
    seconds of both together, and the load average before and after."""
    load = _load()
    wall, cpu = time.perf_counter(), time.process_time()
    # no progress bar: its drawing would be timed too
    trainer = train(recipe, train_data, seed, progress=False)
    acc = tta_accuracy(
        trainer.model, eval_data, trainer.eval_transform, recipe.tta
    )
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    correct = round(acc * len(eval_data))
    return {
        "seed": seed,
        "recipe": asdict(recipe),
        "accuracy": acc,
        "correct": correct,
        "total": len(eval_data),
        "evaluations": 1,
        "wall_s": round(wall, 2),
        "cpu_s": round(cpu, 2),
        "load_before": load,
        "load_after": _load(),
    }


def machine() -> dict:
    """What the figures were measured on."""
    from .throughput import _cpu_name

    return {
        "cpu": _cpu_name(),
        "cpu_count": os.cpu_count(),
        "threads": torch.get_num_threads(),
        "torch": torch.__version__,
        "python": platform.python_version(),
    }


def write_speedrun(
    kind: str, command: str, runs: list[dict], path: str | os.PathLike
) -> Path:
    """Write a search or final result file (JSON)."""
    if kind not in ("search", "final"):
        raise ValueError(
            f"write_speedrun: kind must be 'search' or 'final', got {kind!r}"
        )
    result = {
        "format": RESULT_FORMAT,
        "kind": kind,
        "date": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        "command": command,
        "machine": machine(),
        "runs": runs,
    }
    return atomic_write_text(path, json.dumps(result, indent=1) + "\n")


def load_speedruns(folder: str | os.PathLike) -> list[dict]:
    """The speed-run result files in ``folder``, oldest first (by date);
    other JSON files are skipped."""
    found = []
    for path in sorted(Path(folder).glob("*.json")):
        result = json.loads(path.read_text())
        if result.get("format") == RESULT_FORMAT:
            found.append({**result, "file": path.name})
    return sorted(found, key=lambda r: r["date"])


def format_speedrun(result: dict) -> str:
    """A few lines per result file: machine, command, one line per run."""
    m = result["machine"]
    lines = [
        f"{result['file']} ({result['kind']}, {result['date'][:10]}): "
        f"{m['cpu']}, {m['threads']} thread(s), torch {m['torch']}",
        f"  {result['command']}",
    ]
    for r in result["runs"]:
        load = r.get("load_before") or ["?"]
        what = "test" if result["kind"] == "final" else "validation"
        lines.append(
            f"  seed {r['seed']}: {what} {r['correct']}/{r['total']} = "
            f"{r['accuracy']:.2%} in {r['wall_s']:.1f} s wall, "
            f"{r['cpu_s']:.1f} s CPU (load {load[0]})"
        )
    return "\n".join(lines)
