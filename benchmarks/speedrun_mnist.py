"""The MNIST 5k speed run of chapter 14: time to 99% on the test digits.

Two steps, kept apart so the test digits cannot steer the recipe:

    # 1. choose: train candidate recipes, score the VALIDATION digits
    python benchmarks/speedrun_mnist.py search [--seeds 0 1 2] \
        [--candidates baseline wide20 ...] [--threads 2]

    # 2. measure: train cnnbook.speedrun.RECIPE with several seeds and
    #    score the TEST digits once per seed
    python benchmarks/speedrun_mnist.py final [--seeds 0 1 2 3 4]

Each writes a JSON file to benchmarks/results/ (the machine, the date,
the command, the PyTorch version, and per run the accuracy, wall and CPU
seconds and the load average before and after). Wall time on a shared
machine depends on the load; CPU time much less.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shlex
import statistics
import sys
from dataclasses import replace
from pathlib import Path

import torch

from cnnbook import data, speedrun

RESULTS = Path(__file__).resolve().parent / "results"

# The candidates of the search: each a change to the default Recipe.
CANDIDATES = {
    "baseline": {},
    "narrow": dict(widths=(24, 48, 96)),
    "narrow20": dict(widths=(24, 48, 96), epochs=20),
    "deeper": dict(widths=(24, 48, 96), extra_convs=True),
    "epochs10": dict(epochs=10),
    "epochs20": dict(epochs=20),
    "lr0.1": dict(lr=0.1),
    "lr0.4": dict(lr=0.4),
    "no-tta": dict(tta=False),
    "no-shift": dict(max_shift=0),
    "batch256": dict(batch_size=256, lr=0.4),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("step", choices=["search", "final"])
    parser.add_argument("--seeds", type=int, nargs="+", default=None)
    parser.add_argument(
        "--candidates", nargs="+", default=None, choices=sorted(CANDIDATES)
    )
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--out", default=None, help="result file")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    train, val, test = data.mnist_5k_splits(seed=0)
    command = "python benchmarks/speedrun_mnist.py " + shlex.join(sys.argv[1:])
    runs = []
    if args.step == "search":
        seeds = args.seeds or [0, 1, 2]
        for name in args.candidates or list(CANDIDATES):
            recipe = replace(speedrun.RECIPE, **CANDIDATES[name])
            for seed in seeds:
                run = speedrun.timed_run(recipe, seed, train, val)
                runs.append({"candidate": name, **run})
                print(
                    f"{name:10s} seed {seed}: validation "
                    f"{run['accuracy']:.2%}, {run['wall_s']:.1f} s wall, "
                    f"{run['cpu_s']:.1f} s CPU",
                    flush=True,
                )
            accs = [r["accuracy"] for r in runs if r["candidate"] == name]
            print(f"{name:10s} mean {statistics.fmean(accs):.2%}", flush=True)
    else:
        seeds = args.seeds or [0, 1, 2, 3, 4]
        for seed in seeds:
            run = speedrun.timed_run(speedrun.RECIPE, seed, train, test)
            runs.append(run)
            print(
                f"seed {seed}: test {run['accuracy']:.2%} "
                f"({run['correct']}/{run['total']}), {run['wall_s']:.1f} "
                f"s wall, {run['cpu_s']:.1f} s CPU, load "
                f"{run['load_before']}",
                flush=True,
            )
        accs = [r["accuracy"] for r in runs]
        print(
            f"test accuracy: mean {statistics.fmean(accs):.2%}, min "
            f"{min(accs):.2%} over {len(accs)} seeds"
        )
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M")
    out = args.out or RESULTS / f"speedrun-{args.step}-{stamp}.json"
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    speedrun.write_speedrun(args.step, command, runs, out)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
