"""Transfer learning with longer runs and more labels (chapter 10).

Chapter 10 transfers a ``compact_cnn`` trained on the real MNIST digits
0-4 to the digits 5-9, with 2, 10 and 50 labeled digits per class and 80
updates of Adam per run (phases of 40, 20 and 20). This script repeats
the comparison with five times as many updates (phases of 200, 100 and
100) and with up to 250 labeled digits per class, to see what a longer
run changes: training from scratch, the encyclopedia's three phases
(learning rates 1e-3, 1e-4, 1e-5; scored after phase 1, feature
extraction, and after phase 3) and fine-tuning everything at once at
1e-3, three seeds each, scored on the 375 validation digits 5-9. The
results are printed and written to ``benchmarks/results/transfer.json``,
which the chapter displays. Several CPU minutes:

    .venv/bin/python benchmarks/transfer.py
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import tempfile
from pathlib import Path

import numpy as np
import torch

from cnnbook import data
from cnnbook._atomic import atomic_write_text
from cnnbook.data import transforms as T
from cnnbook.models import freeze, get_model, load_pretrained, unfreeze
from cnnbook.train import TrainConfig, Trainer, accuracy, seed_everything
from cnnbook.train.compare import SeedRuns, compare_table

RESULTS = Path(__file__).resolve().parent / "results" / "transfer.json"
METHODS = ("from scratch", "phase 1 (feature extraction)", "phase 3",
           "all at once")


def digits(dataset, classes):
    labels = dataset.labels.numpy()
    keep = np.flatnonzero(np.isin(labels, classes))
    return data.ImageDataset(dataset.images[keep],
                             np.searchsorted(classes, labels[keep]),
                             num_classes=len(classes))


class Bench:
    """The chapter's source network, data and training recipe."""

    def __init__(self, folder: Path):
        train, val, _ = data.mnist_5k_splits(seed=0)
        self.normalize = T.Normalize.from_data(train.images)
        self.pool = digits(train, [5, 6, 7, 8, 9])
        self.val = digits(val, [5, 6, 7, 8, 9])
        seed_everything(0)
        source = get_model("compact_cnn", num_classes=5)
        self.fit(source, digits(train, [0, 1, 2, 3, 4]), 3e-3, None, 0,
                 epochs=6, batch=64)
        self.source_file = folder / "source.pth"
        torch.save(source.state_dict(), self.source_file)

    def fit(self, model, dataset, lr, steps, seed, epochs=None, batch=32):
        batch = min(batch, len(dataset))
        if epochs is None:
            epochs = max(1, round(steps / math.ceil(len(dataset) / batch)))
        Trainer(model, dataset, config=TrainConfig(
            epochs=epochs, batch_size=batch, lr=lr, seed=seed,
            progress=False), train_transform=self.normalize,
            eval_transform=self.normalize).fit()
        return model

    def score(self, model):
        model.eval()
        with torch.no_grad():
            pred = model(self.normalize(self.val.images)).argmax(1)
        return accuracy(pred, self.val.labels)

    def transferred(self, seed):
        seed_everything(seed)
        model = get_model("compact_cnn", num_classes=5)
        load_pretrained(model, self.source_file, skip=("classifier.",))
        freeze(model.features)
        return model

    def labeled(self, per_class, seed):
        rng = np.random.default_rng(seed)
        labels = self.pool.labels.numpy()
        return self.pool.subset(np.sort(np.concatenate([
            rng.choice(np.flatnonzero(labels == c), per_class,
                       replace=False) for c in range(5)])))

    def methods(self, dataset, seed, phases):
        seed_everything(seed)
        scratch = self.fit(get_model("compact_cnn", num_classes=5),
                           dataset, 1e-3, sum(phases), seed)
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
        return [self.score(scratch), phase1, self.score(model),
                self.score(once)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--no-save", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(1)
    record = {"date": datetime.date.today().isoformat(),
              "torch": torch.__version__, "seeds": args.seeds, "rows": []}
    with tempfile.TemporaryDirectory() as folder:
        bench = Bench(Path(folder))
        for phases in ((40, 20, 20), (200, 100, 100)):
            for per_class in (10, 50, 250):
                scores = [bench.methods(bench.labeled(per_class, seed), seed,
                                        phases)
                          for seed in range(args.seeds)]
                runs = [SeedRuns(name, [s[k] for s in scores])
                        for k, name in enumerate(METHODS)]
                print(f"\nphases {phases}, {per_class} labeled digits per "
                      "class: validation accuracy on digits 5-9")
                print(compare_table(runs), flush=True)
                record["rows"].append({
                    "updates": sum(phases), "per_class": per_class,
                    "means": {r.name: round(r.mean, 4) for r in runs},
                    "scores": {r.name: [round(x, 4) for x in r.scores]
                               for r in runs}})
    if not args.no_save:
        RESULTS.parent.mkdir(exist_ok=True)
        atomic_write_text(RESULTS, json.dumps(record, indent=1) + "\n")
        print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
