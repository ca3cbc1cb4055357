"""Chapter 7's recipe trained with several seeds (not timed).

Chapter 7 trains the simple MNIST CNN with the recipe of
``cnnbook.train.recipes.mnist_cnn_recipe``, shortened to fit the book's
CPU budget, once, with seed 0. How good is the full recipe, and how much
does either number move with the seed? This script trains the recipe
for ``--epochs`` epochs with each seed (same split, one thread, as the
chapter), loads the best checkpoint as the chapter does, and prints the
validation and test accuracy of each seed with their mean and range.

With ``--save`` it stores the results, the command, the machine and the
recipe's configuration in ``cnnbook/train/recipe_runs.json`` (one entry
per number of epochs), where the chapter reads them
(``cnnbook.train.recipes.measured_runs``): numbers measured outside the
chapter, labeled as such, never typed into it. A test checks that the
stored configuration is still the recipe's.

    python benchmarks/recipe_seeds.py [--epochs 20] [--seeds 0 1 2 3 4]
        [--threads 1] [--save]

The full recipe (20 epochs) takes about two CPU-minutes per seed.
"""

from __future__ import annotations

import argparse
import datetime
import platform
import resource
import statistics
import sys
import tempfile

import torch

from cnnbook import data
from cnnbook.models import get_model
from cnnbook.train import Trainer, seed_everything
from cnnbook.train.recipes import (
    RECIPE_RUNS,
    mnist_cnn_recipe,
    save_measured_runs,
)


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def cpu_model() -> str:
    """The processor's name (Linux), else what platform reports."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def train_one(seed: int, epochs: int, splits) -> dict:
    train, val, test = splits
    start = cpu_seconds()
    with tempfile.TemporaryDirectory() as folder:
        config, augment, normalize = mnist_cnn_recipe(
            train.images, epochs=epochs, seed=seed, checkpoint_dir=folder,
            progress=False)
        seed_everything(seed)
        trainer = Trainer(get_model("mnist_cnn"), train, val, config,
                          train_transform=augment, eval_transform=normalize)
        history = trainer.fit()
        best = trainer.load_best()  # as the chapter does
    result = trainer.evaluate(test)
    return {
        "seed": seed,
        "epochs_run": len(history),
        "best_epoch": int(best["epoch"]),
        "val_acc": round(float(best["val_acc"]), 4),
        "test_acc": round(float(result["acc"]), 4),
        "test_mistakes": int((result["pred"] != result["target"]).sum()),
        "cpu_seconds": round(cpu_seconds() - start, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--seeds", type=int, nargs="+",
                        default=[0, 1, 2, 3, 4])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--save", action="store_true",
                        help=f"store the results in {RECIPE_RUNS.name}")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    splits = data.mnist_5k_splits()
    runs = []
    for seed in args.seeds:
        runs.append(train_one(seed, args.epochs, splits))
        r = runs[-1]
        print(f"seed {seed}: {r['epochs_run']} epochs, best epoch "
              f"{r['best_epoch']}, validation {r['val_acc']:.4f}, test "
              f"{r['test_acc']:.4f} ({r['test_mistakes']} wrong), "
              f"{r['cpu_seconds']:.0f} CPU s", flush=True)
    for name in ("val_acc", "test_acc"):
        values = [r[name] for r in runs]
        print(f"{name}: mean {statistics.fmean(values):.4f}, min "
              f"{min(values):.4f}, max {max(values):.4f} over "
              f"{len(values)} seeds")
    if args.save:
        command = "python benchmarks/recipe_seeds.py " + " ".join(
            sys.argv[1:])
        config = mnist_cnn_recipe(splits[0].images, epochs=args.epochs)[0]
        path = save_measured_runs({
            "epochs": args.epochs,
            "command": command,
            "date": datetime.date.today().isoformat(),
            "machine": f"{cpu_model()}, {args.threads} thread(s), "
                       f"torch {torch.__version__}",
            "config": config.to_dict(),
            "runs": runs,
        })
        print(f"saved in {path}")


if __name__ == "__main__":
    main()
