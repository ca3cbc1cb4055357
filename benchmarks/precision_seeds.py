"""The seed-to-seed spread of fp32, bf16 and fp16 in chapter 14.

Chapter 14 trains one small CNN on the 1,797 8 x 8 digits three times
(fp32, bf16 autocast, fp16 autocast with a gradient scaler), seed 0,
and asserts that the 16-bit runs end within a few validation digits of
the fp32 run. This script measures how far apart they end for several
seeds, which is where that margin comes from, and writes the result as
JSON:

    python benchmarks/precision_seeds.py [--seeds 0 1 2 3 4] \
        [--out benchmarks/results/precision-seeds.json]

The network and the recipe are the chapter's (``digits_cnn`` and
``train_digits`` in its section "fp32, bf16 and fp16 side by side").
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shlex
import sys
from pathlib import Path

import torch
from torch import nn

from cnnbook import data, speedrun
from cnnbook._atomic import atomic_write_text
from cnnbook.data import transforms
from cnnbook.train import TrainConfig, Trainer, seed_everything

RESULTS = Path(__file__).resolve().parent / "results"
PRECISIONS = ("fp32", "bf16", "fp16")


def digits_cnn() -> nn.Sequential:
    """The chapter's network: 8x8 -> 4x4 -> 2x2 -> 10 logits."""
    return nn.Sequential(
        nn.Conv2d(1, 8, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(16 * 2 * 2, 10),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4]
    )
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--out", default=str(RESULTS / "precision-seeds.json"))
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    train, val, _ = data.stratified_datasets(*data.load_digits_8x8(), seed=0)
    normalize = transforms.Normalize.from_data(train.images)
    runs = []
    for seed in args.seeds:
        correct = {}
        for precision in PRECISIONS:
            seed_everything(seed)
            config = TrainConfig(
                epochs=15,
                batch_size=64,
                lr=3e-3,
                seed=seed,
                precision=precision,
                progress=False,
            )
            trainer = Trainer(
                digits_cnn(),
                train,
                val,
                config,
                train_transform=normalize,
                eval_transform=normalize,
            )
            history = trainer.fit()
            correct[precision] = round(history["val_acc"][-1] * len(val))
        gap = max(abs(correct[p] - correct["fp32"]) for p in PRECISIONS)
        runs.append({"seed": seed, "correct": correct, "largest_gap": gap})
        print(f"seed {seed}: {correct} of {len(val)}; gap {gap}", flush=True)
    result = {
        "format": "cnnbook-precision-seeds-1",
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "command": "python benchmarks/precision_seeds.py "
        + shlex.join(sys.argv[1:]),
        "machine": speedrun.machine(),
        "validation_digits": len(val),
        "runs": runs,
        "largest_gap": max(r["largest_gap"] for r in runs),
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(args.out, json.dumps(result, indent=1) + "\n")
    print(f"largest gap over the seeds: {result['largest_gap']} digits")


if __name__ == "__main__":
    main()
