"""Transfer learning with longer runs and more labels (chapter 10).

Chapter 10 trains a ``compact_cnn`` on the 3,500 training digits of the
5,000 real MNIST digits (the source) and transfers it to another real
data set, scikit-learn's 1,797 8 x 8 digits upsampled to 28 x 28 (the
target), with 2 and 20 labeled target digits per class and 80 updates
of Adam per run (phases of 40, 20 and 20). This script repeats the
comparison with 2, 5, 20 and 50 labeled digits per class, and with five
times as many updates (phases of 200, 100 and 100), to see what a
longer run changes: training from scratch, the encyclopedia's three
phases (learning rates 1e-3, 1e-4, 1e-5; scored after phase 1, feature
extraction, and after phase 3) and fine-tuning everything at once at
1e-3, three seeds each, scored on the 270 validation digits of the
target. The results are printed and written to
``benchmarks/results/transfer.json``, which the chapter displays.
About five CPU minutes:

    .venv/bin/python benchmarks/transfer.py
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import os
import platform
import tempfile
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from cnnbook import data
from cnnbook._atomic import atomic_write_text
from cnnbook.data import transforms
from cnnbook.metrics import accuracy
from cnnbook.models import freeze, get_model, load_pretrained, unfreeze
from cnnbook.train import TrainConfig, Trainer, seed_everything
from cnnbook.train.compare import SeedRuns, compare_table

RESULTS = Path(__file__).resolve().parent / "results" / "transfer.json"
METHODS = (
    "from scratch",
    "phase 1 (feature extraction)",
    "phase 3",
    "all at once",
)


def target_splits():
    """scikit-learn's 8 x 8 digits, upsampled to 28 x 28, split 70/15/15."""
    small, labels = data.load_digits_8x8()
    big = F.interpolate(
        torch.from_numpy(small),
        size=(28, 28),
        mode="bilinear",
        align_corners=False,
    )
    return data.stratified_datasets(big.numpy(), labels, seed=0)


class Bench:
    """The chapter's source network, data and training recipe."""

    def __init__(self, folder: Path):
        train, _, _ = data.mnist_5k_splits(seed=0)
        source_normalize = transforms.Normalize.from_data(train.images)
        seed_everything(0)
        source = get_model("compact_cnn")
        Trainer(
            source,
            train,
            config=TrainConfig(
                epochs=4, lr=3e-3, scheduler="onecycle", progress=False
            ),
            train_transform=source_normalize,
            eval_transform=source_normalize,
        ).fit()
        self.source_file = folder / "source.pth"
        torch.save(source.state_dict(), self.source_file)
        self.pool, self.val, _ = target_splits()
        self.normalize = transforms.Normalize.from_data(self.pool.images)

    def fit(self, model, dataset, lr, steps, seed):
        batch = min(32, len(dataset))
        epochs = max(1, round(steps / math.ceil(len(dataset) / batch)))
        config = TrainConfig(
            epochs=epochs, batch_size=batch, lr=lr, seed=seed, progress=False
        )
        Trainer(
            model,
            dataset,
            config=config,
            train_transform=self.normalize,
            eval_transform=self.normalize,
        ).fit()
        return model

    def score(self, model):
        model.eval()
        with torch.no_grad():
            pred = model(self.normalize(self.val.images)).argmax(1)
        return accuracy(pred, self.val.labels)

    def transferred(self, seed):
        seed_everything(seed)
        model = get_model("compact_cnn")
        load_pretrained(model, self.source_file, skip=("classifier.",))
        freeze(model.features)
        return model

    def labeled(self, per_class, seed):
        rng = np.random.default_rng(seed)
        labels = self.pool.labels.numpy()
        picked = [
            rng.choice(np.flatnonzero(labels == c), per_class, replace=False)
            for c in range(10)
        ]
        return self.pool.subset(np.sort(np.concatenate(picked)))

    def methods(self, dataset, seed, phases):
        seed_everything(seed)
        scratch = self.fit(
            get_model("compact_cnn"), dataset, 1e-3, sum(phases), seed
        )
        model = self.transferred(seed)
        self.fit(model, dataset, 1e-3, phases[0], seed)
        phase1 = self.score(model)
        unfreeze(model.features[-1])
        self.fit(model, dataset, 1e-4, phases[1], seed)
        unfreeze(model.features)
        self.fit(model, dataset, 1e-5, phases[2], seed)
        once = self.transferred(seed)
        unfreeze(once.features)
        self.fit(once, dataset, 1e-3, sum(phases), seed)
        return [
            self.score(scratch),
            phase1,
            self.score(model),
            self.score(once),
        ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--no-save", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(1)
    record = {
        "date": datetime.date.today().isoformat(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
        f"load average {os.getloadavg()[0]:.1f} at the start",
        "torch": torch.__version__,
        "command": "python benchmarks/transfer.py",
        "seeds": args.seeds,
        "rows": [],
    }
    with tempfile.TemporaryDirectory() as folder:
        bench = Bench(Path(folder))
        for phases in ((40, 20, 20), (200, 100, 100)):
            for per_class in (2, 5, 20, 50):
                scores = [
                    bench.methods(bench.labeled(per_class, seed), seed, phases)
                    for seed in range(args.seeds)
                ]
                runs = [
                    SeedRuns(name, [s[k] for s in scores])
                    for k, name in enumerate(METHODS)
                ]
                print(
                    f"\nphases {phases}, {per_class} labeled digits per "
                    "class: validation accuracy on the 8x8 digits"
                )
                print(compare_table(runs), flush=True)
                record["rows"].append(
                    {
                        "updates": sum(phases),
                        "per_class": per_class,
                        "means": {r.name: round(r.mean, 4) for r in runs},
                        "scores": {
                            r.name: [round(x, 4) for x in r.scores]
                            for r in runs
                        },
                    }
                )
    if not args.no_save:
        RESULTS.parent.mkdir(exist_ok=True)
        atomic_write_text(RESULTS, json.dumps(record, indent=1) + "\n")
        print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
