"""Chapter 9's task-weight experiment, at a longer length (not timed).

Chapter 9 trains the multi-task network of section 9 of the encyclopedia
(segmentation, detection and depth heads on one backbone) six times on
600 composed scenes for 6 epochs: equal weights with two seeds, each of
alpha, beta, gamma raised tenfold, and learned uncertainty weights; all
of it within its CPU budget. This script runs the same six runs, with
the same data, seeds and code, at a length the chapter cannot afford
(by default 1,000 scenes and 8 epochs, about 100 CPU seconds), and
writes each run's test metrics to a JSON file the chapter shows, with
the date, the machine and the command.

    python benchmarks/multitask_weights.py [--scenes 1000] [--epochs 8]
        [--out benchmarks/results/multitask_weights.json]
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import sys
from pathlib import Path

import numpy as np
import torch

from cnnbook import data
from cnnbook.data.scenes import compose_digit_scenes
from cnnbook.models import MultiTaskLoss, get_model
from cnnbook.train import seed_everything
from cnnbook.train.multitask import (
    evaluate_multitask,
    fit_multitask,
    scene_targets,
)

RUNS = [
    ("1, 1, 1", (1, 1, 1), 0),
    ("1, 1, 1 (seed 1)", (1, 1, 1), 1),
    ("10, 1, 1", (10, 1, 1), 0),
    ("1, 10, 1", (1, 10, 1), 0),
    ("1, 1, 10", (1, 1, 10), 0),
    ("learned (uncertainty)", "uncertainty", 0),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenes", type=int, default=1000)
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument(
        "--out", default="benchmarks/results/multitask_weights.json"
    )
    args = parser.parse_args()
    torch.set_num_threads(1)  # as the chapter
    images, digits = data.load_mnist_5k()
    # the chapter's split of the digits and its scenes (same seeds)
    order = np.random.default_rng(0).permutation(len(images))
    train_digits, test_digits = order[:4000], order[4000:]
    train_scenes = compose_digit_scenes(
        images[train_digits],
        digits[train_digits],
        args.scenes,
        mask_dilation=2,
        rng=1,
    )
    test_scenes = compose_digit_scenes(
        images[test_digits], digits[test_digits], 500, mask_dilation=2, rng=2
    )
    targets = scene_targets(train_scenes)
    runs = {}
    for name, weights, seed in RUNS:
        seed_everything(seed)
        model = get_model("multitask_net")
        fit_multitask(
            model,
            MultiTaskLoss(weights),
            targets,
            epochs=args.epochs,
            lr=1e-2,
            seed=seed,
            progress=False,
        )
        scores = evaluate_multitask(model, test_scenes)
        runs[name] = {k: round(v, 4) for k, v in scores.items()}
        print(name, runs[name], flush=True)
    result = {
        "date": datetime.date.today().isoformat(),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, "
        f"{platform.system()}, torch {torch.__version__}, 1 thread",
        "command": "python " + " ".join(sys.argv),
        "scenes": args.scenes,
        "epochs": args.epochs,
        "runs": runs,
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp")
    tmp.write_text(json.dumps(result, indent=2) + "\n")
    os.replace(tmp, out)


if __name__ == "__main__":
    main()
