"""Measured speed-up and size of post-training int8 quantization (ch. 10).

For the chapter's compact CNN at several widths, quantizes the network
with ``cnnbook.quantization.quantize_static`` (calibrated on 512 real
MNIST digits) and measures, on the CPU:

- the time of one forward pass, float32 and int8, for a batch of 1 and
  of 256 images, with one thread, in pairs (float, then int8, repeated)
  so that a change in the machine's load hits both alike. Two estimates
  of the speed-up: the ratio of the fastest times (the runs least
  disturbed by other processes) and the median of the ratios within
  pairs. On a busy machine the two differ; trust neither much then;
- the bytes of each state dict.

Speed does not depend on the values of the weights, so the networks are
not trained (chapter 10 measures accuracy on a trained one). The results
are printed and written to ``benchmarks/results/quantization.json``,
which the chapter displays. Run on a quiet machine:

    .venv/bin/python benchmarks/quantization.py [--repeats 30]
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import statistics
import time
from pathlib import Path

import torch

from cnnbook import data, quantization
from cnnbook._atomic import atomic_write_text
from cnnbook.data import transforms
from cnnbook.models import get_model

RESULTS = Path(__file__).resolve().parent / "results" / "quantization.json"
WIDTHS = ((16, 32, 64), (32, 64, 128), (64, 128, 256))
BATCHES = (1, 256)


def paired_times(first, second, x, repeats: int):
    """Seconds of ``first(x)`` and ``second(x)``, timed in pairs."""
    a, b = [], []
    torch.set_num_threads(1)
    with torch.no_grad():
        for _ in range(3):  # warm-up: kernels chosen, memory allocated
            first(x)
            second(x)
        for _ in range(repeats):
            start = time.perf_counter()
            first(x)
            middle = time.perf_counter()
            second(x)
            a.append(middle - start)
            b.append(time.perf_counter() - middle)
    return a, b


def measure(widths, images, repeats: int) -> list[dict]:
    torch.manual_seed(0)
    model = get_model("compact_cnn", widths=widths).eval()
    int8 = quantization.quantize_static(model, [images[:256], images[256:512]])
    rows = []
    for batch in BATCHES:
        # more repeats for the fast single-image case
        n = repeats * (10 if batch == 1 else 1)
        float_s, int8_s = paired_times(model, int8, images[:batch], n)
        rows.append(
            {
                "widths": list(widths),
                "parameters": sum(p.numel() for p in model.parameters()),
                "batch": batch,
                "float_ms": round(1e3 * min(float_s), 3),
                "int8_ms": round(1e3 * min(int8_s), 3),
                "speedup": round(min(float_s) / min(int8_s), 2),
                "speedup_paired": round(
                    statistics.median(
                        f / q for f, q in zip(float_s, int8_s, strict=True)
                    ),
                    2,
                ),
                "size_ratio": round(
                    quantization.state_dict_bytes(model)
                    / quantization.state_dict_bytes(int8),
                    2,
                ),
            }
        )
        print(
            f"widths {widths}, batch {batch:3d}: fastest float32 "
            f"{rows[-1]['float_ms']:8.2f} ms, int8 "
            f"{rows[-1]['int8_ms']:8.2f} ms, speed-up "
            f"{rows[-1]['speedup']:.2f}x (median of pairs "
            f"{rows[-1]['speedup_paired']:.2f}x), size ratio "
            f"{rows[-1]['size_ratio']:.2f}x",
            flush=True,
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument(
        "--no-save",
        action="store_true",
        help="print only; do not rewrite the results file",
    )
    args = parser.parse_args()
    train, _, _ = data.mnist_5k_splits()
    images = transforms.Normalize.from_data(train.images)(train.images[:512])
    engine = quantization.quantized_engine()
    rows = [
        row
        for widths in WIDTHS
        for row in measure(widths, images, args.repeats)
    ]
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    machine = (
        f"Measured {datetime.date.today().isoformat()} on "
        f"{platform.machine()} ({torch.backends.cpu.get_cpu_capability()}"
        f"), torch {torch.__version__}, engine {engine}, 1 thread, "
        f"load average {load:.1f}"
        if load is not None
        else ""
    )
    print(machine)
    if not args.no_save:
        RESULTS.parent.mkdir(exist_ok=True)
        atomic_write_text(
            RESULTS,
            json.dumps(
                {"machine": machine, "repeats": args.repeats, "rows": rows},
                indent=1,
            )
            + "\n",
        )
        print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
