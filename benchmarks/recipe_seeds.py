"""The seed-to-seed spread of chapter 7's recipe (not timed).

Chapter 7 trains the simple MNIST CNN once, with seed 0, and asserts at
least 98% test accuracy on 750 held-out real digits. How much does that
number move with the seed? This script trains the same recipe with
several seeds (same split) and prints validation and test accuracy for
each, their mean and range. It takes a few minutes per seed on 2 cores.

    python benchmarks/recipe_seeds.py [--seeds 0 1 2 3 4] [--threads N]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile

import torch

from cnnbook import data
from cnnbook.models import get_model
from cnnbook.train import Trainer, seed_everything
from cnnbook.train.recipes import mnist_cnn_recipe


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+",
                        default=[0, 1, 2, 3, 4])
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    train, val, test = data.mnist_5k_splits()
    vals, tests = [], []
    for seed in args.seeds:
        with tempfile.TemporaryDirectory() as folder:
            config, augment, normalize = mnist_cnn_recipe(
                train.images, seed=seed, checkpoint_dir=folder,
                progress=False)
            seed_everything(seed)
            trainer = Trainer(get_model("mnist_cnn"), train, val, config,
                              train_transform=augment,
                              eval_transform=normalize)
            history = trainer.fit()
            best = trainer.load_best()  # as the chapter does
        vals.append(best["val_acc"])
        tests.append(trainer.evaluate(test)["acc"])
        print(f"seed {seed}: {len(history)} epochs, best epoch "
              f"{best['epoch']}, validation "
              f"{vals[-1]:.4f}, test {tests[-1]:.4f}", flush=True)
    for name, values in (("validation", vals), ("test", tests)):
        print(f"{name}: mean {statistics.fmean(values):.4f}, min "
              f"{min(values):.4f}, max {max(values):.4f} over "
              f"{len(values)} seeds")


if __name__ == "__main__":
    main()
