"""Recipes: a configuration plus the transforms it trains with.

A recipe is the answer to "how do I train this model on these images?",
written down so that a chapter, a benchmark and a reader's own run use
exactly the same thing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from .._atomic import atomic_write_text
from .._validation import check_int
from .config import TrainConfig

__all__ = [
    "RECIPE_RUNS",
    "MeasuredRuns",
    "measured_runs",
    "mnist_cnn_recipe",
    "save_measured_runs",
]

# Results of benchmarks/recipe_seeds.py --save, one entry per length.
RECIPE_RUNS = Path(__file__).with_name("recipe_runs.json")


def mnist_cnn_recipe(train_images, epochs: int = 20, seed: int = 0,
                     **changes):
    """How chapter 7 trains the simple MNIST CNN on 3,500 real digits.

    Chosen on the validation set (never the test set) among a handful of
    variants (Adam/AdamW/SGD, learning rates, 20 or 30 epochs, batch 32
    or 64):

    - augmentation: small random rotations (+-10 degrees), shifts (up to
      10% of the side) and zooms (0.9-1.1), never flips (a mirrored digit
      is another symbol);
    - normalisation with the training images' own mean and standard
      deviation;
    - SGD with Nesterov momentum 0.9, weight decay 5e-4, one-cycle
      schedule peaking at lr 0.1;
    - label smoothing 0.1; the model's own dropout (0.5);
    - early stopping with the encyclopedia's patience of 10 epochs.

    Returns
    -------
    config : TrainConfig
    train_transform : augmentation followed by normalisation
    eval_transform : normalisation only
    """
    from ..data.transforms import Compose, Normalize, RandomAffine

    normalize = Normalize.from_data(train_images)
    augment = Compose([RandomAffine(degrees=10, translate=(0.1, 0.1),
                                    scale=(0.9, 1.1)), normalize],
                      seed=seed)
    options = dict(epochs=epochs, batch_size=64, optimizer="sgd", lr=0.1,
                   momentum=0.9, nesterov=True, weight_decay=5e-4,
                   scheduler="onecycle", label_smoothing=0.1, patience=10,
                   seed=seed)
    options.update(changes)
    return TrainConfig(**options), augment, normalize


@dataclass(frozen=True)
class MeasuredRuns:
    """The recipe trained with several seeds by
    ``benchmarks/recipe_seeds.py``, outside the book's chapters.

    ``runs`` holds one dict per seed: ``seed``, ``epochs_run``,
    ``best_epoch``, ``val_acc`` and ``test_acc`` (of the best
    checkpoint), ``test_mistakes`` (of 750), ``cpu_seconds``.
    """

    epochs: int
    command: str
    date: str
    machine: str
    config: dict
    runs: tuple[dict, ...]

    def test_accuracies(self) -> list[float]:
        return [r["test_acc"] for r in self.runs]

    def val_accuracies(self) -> list[float]:
        return [r["val_acc"] for r in self.runs]

    def __str__(self) -> str:
        lines = [
            f"mnist_cnn_recipe, {self.epochs} epochs, "
            f"{len(self.runs)} seeds (measured {self.date}; {self.machine})",
            f"  $ {self.command}",
        ]
        for r in self.runs:
            lines.append(
                f"  seed {r['seed']}: best epoch {r['best_epoch']:2d}, "
                f"validation {r['val_acc']:.2%}, test {r['test_acc']:.2%} "
                f"({r['test_mistakes']} of 750 wrong)")
        return "\n".join(lines)


def _load_runs(path: Path) -> dict:
    try:
        stored = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, json.JSONDecodeError) as err:
        raise ValueError(
            f"measured_runs: {path} is not a JSON file of recipe runs "
            f"({err}); run benchmarks/recipe_seeds.py --save again") from err
    if not isinstance(stored, dict):
        raise ValueError(f"measured_runs: {path} holds no entries")
    return stored


def measured_runs(epochs: int = 20, path: str | Path = RECIPE_RUNS
                  ) -> MeasuredRuns:
    """The stored results of the recipe run for ``epochs`` epochs."""
    epochs = check_int(epochs, "epochs", "measured_runs", minimum=1)
    stored = _load_runs(Path(path))
    if str(epochs) not in stored:
        have = sorted(int(k) for k in stored)
        raise ValueError(
            f"measured_runs: no stored runs of {epochs} epochs (stored: "
            f"{have}); run python benchmarks/recipe_seeds.py --epochs "
            f"{epochs} --save")
    entry = stored[str(epochs)]
    fields = ("epochs", "command", "date", "machine", "config", "runs")
    missing = [f for f in fields if f not in entry]
    if missing or not entry["runs"]:
        raise ValueError(
            f"measured_runs: the entry for {epochs} epochs in {path} lacks "
            f"{missing or ['runs']}")
    return MeasuredRuns(**{f: entry[f] for f in fields[:-1]},
                        runs=tuple(entry["runs"]))


def save_measured_runs(entry: dict, path: str | Path = RECIPE_RUNS
                       ) -> Path:
    """Store one entry (replacing any of the same length), atomically."""
    path = Path(path)
    stored = _load_runs(path)
    stored[str(int(entry["epochs"]))] = entry
    ordered = {k: stored[k] for k in sorted(stored, key=int)}
    return atomic_write_text(path, json.dumps(ordered, indent=1) + "\n")
