"""When does knowledge distillation help? Longer and larger runs (ch. 10).

Chapter 10 distils a teacher (``compact_cnn``, trained on the 3,500
training digits of the 5,000 real MNIST digits) into a student eight
times smaller trained on 700 of those digits for 10 epochs. This script
repeats that experiment and varies one thing at a time:

- ``chapter``: the chapter's setting;
- ``30 epochs``: the student trains three times longer;
- ``student on 3,500``: the student trains on the teacher's own 3,500
  digits;
- ``teacher on 700``: the teacher is trained on the student's 700
  digits only (15 epochs).

Each setting trains the student alone (alpha = 1) and distilled at
T = 1, 4 and 8 (alpha = 0.5), with three seeds, and scores it on the 750
validation digits. The results are printed and written to
``benchmarks/results/distillation.json``, which the chapter displays.
It takes several CPU minutes:

    .venv/bin/python benchmarks/distillation.py
"""

from __future__ import annotations

import argparse
import datetime
import json
from pathlib import Path

import numpy as np
import torch

from cnnbook import data
from cnnbook._atomic import atomic_write_text
from cnnbook.data import transforms
from cnnbook.models import get_model
from cnnbook.train import (
    DistillationTrainer,
    TrainConfig,
    Trainer,
    seed_everything,
)
from cnnbook.train.compare import SeedRuns, compare_table, paired_verdict

RESULTS = Path(__file__).resolve().parent / "results" / "distillation.json"
LOSSES = {
    "alone": (1.0, 1.0),
    "T = 1": (1.0, 0.5),
    "T = 4": (4.0, 0.5),
    "T = 8": (8.0, 0.5),
}


def train_teacher(dataset, epochs, normalize):
    seed_everything(0)
    teacher = get_model("compact_cnn")
    Trainer(
        teacher,
        dataset,
        config=TrainConfig(
            epochs=epochs, lr=3e-3, scheduler="onecycle", progress=False
        ),
        train_transform=normalize,
        eval_transform=normalize,
    ).fit()
    return teacher.eval()


def students(teacher, dataset, val_set, epochs, normalize, seeds):
    runs = []
    for name, (temperature, alpha) in LOSSES.items():
        scores = []
        for seed in seeds:
            seed_everything(seed)
            trainer = DistillationTrainer(
                get_model("compact_cnn", widths=(4, 8, 16)),
                teacher,
                dataset,
                config=TrainConfig(
                    epochs=epochs,
                    lr=3e-3,
                    scheduler="onecycle",
                    seed=seed,
                    progress=False,
                ),
                temperature=temperature,
                alpha=alpha,
                train_transform=normalize,
                eval_transform=normalize,
            )
            trainer.fit()
            scores.append(trainer.evaluate(val_set)["acc"])
        runs.append(SeedRuns(name, scores))
    return runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--no-save", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(1)
    train_set, val_set, _ = data.mnist_5k_splits(seed=0)
    normalize = transforms.Normalize.from_data(train_set.images)
    rng = np.random.default_rng(0)  # the chapter's 700 digits
    labels = train_set.labels.numpy()
    few = train_set.subset(
        np.sort(
            np.concatenate(
                [
                    rng.choice(np.flatnonzero(labels == d), 70, replace=False)
                    for d in range(10)
                ]
            )
        )
    )
    teacher = train_teacher(train_set, 4, normalize)
    seeds = range(args.seeds)
    settings = {
        "chapter": (teacher, few, 10),
        "30 epochs": (teacher, few, 30),
        "student on 3,500": (teacher, train_set, 10),
        "teacher on 700": (train_teacher(few, 15, normalize), few, 10),
    }
    record = {
        "date": datetime.date.today().isoformat(),
        "torch": torch.__version__,
        "seeds": args.seeds,
        "settings": {},
    }
    for name, (tutor, dataset, epochs) in settings.items():
        runs = students(tutor, dataset, val_set, epochs, normalize, seeds)
        print(
            f"\n{name}: student on {len(dataset):,} digits, {epochs} "
            "epochs; validation accuracy"
        )
        print(compare_table(runs, digits=4))
        verdicts = [
            paired_verdict(r, runs[0], 1 / len(val_set)) for r in runs[1:]
        ]
        print("\n".join(verdicts), flush=True)
        record["settings"][name] = {
            "student_digits": len(dataset),
            "epochs": epochs,
            "means": {r.name: round(r.mean, 4) for r in runs},
            "scores": {r.name: [round(s, 4) for s in r.scores] for r in runs},
            "verdicts": verdicts,
        }
    if not args.no_save:
        RESULTS.parent.mkdir(exist_ok=True)
        atomic_write_text(RESULTS, json.dumps(record, indent=1) + "\n")
        print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
