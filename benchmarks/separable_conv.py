"""Measured speed-up of depthwise separable convolutions (chapter 5).

For a few layer shapes of MobileNet-like networks, times a standard 3 x 3
convolution and its depthwise separable replacement (3 x 3 depthwise +
1 x 1 pointwise) with torch on the CPU, and prints the medians and the
ratio beside the cost formula's prediction C_out K^2 / (K^2 + C_out).

The two are timed in interleaved repeats (standard, separable, standard,
...) so that a change in the machine's load hits both alike. Run on a
quiet machine:

    .venv/bin/python benchmarks/separable_conv.py [--repeats 30]
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch
import torch.nn.functional as F

# (channels in = out, side): MobileNet v1 layers at 224 x 224 input.
SHAPES = ((64, 112), (128, 56), (256, 28), (512, 14), (1024, 7))


def time_pair(channels: int, side: int, repeats: int, kernel_size=3):
    """Median seconds of one standard and one separable forward pass."""
    torch.manual_seed(0)
    x = torch.randn(1, channels, side, side)
    w_std = torch.randn(channels, channels, kernel_size, kernel_size)
    w_dw = torch.randn(channels, 1, kernel_size, kernel_size)
    w_pw = torch.randn(channels, channels, 1, 1)
    pad = kernel_size // 2

    def standard():
        return F.conv2d(x, w_std, padding=pad)

    def separable():
        return F.conv2d(F.conv2d(x, w_dw, padding=pad, groups=channels),
                         w_pw)

    with torch.no_grad():
        for fn in (standard, separable):  # warm up (kernel selection)
            fn()
        times = {standard: [], separable: []}
        for _ in range(repeats):
            for fn in (standard, separable):
                start = time.perf_counter()
                fn()
                times[fn].append(time.perf_counter() - start)
    return statistics.median(times[standard]), statistics.median(
        times[separable])


def predicted(channels: int, kernel_size: int = 3) -> float:
    k2 = kernel_size ** 2
    return channels * k2 / (k2 + channels)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--threads", type=int, default=1,
                        help="torch threads (1: immune to the scheduling "
                        "noise of a shared machine)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, "
          f"{args.repeats} interleaved repeats")
    print(f"{'C':>5} {'side':>4} {'standard ms':>12} {'separable ms':>13}"
          f" {'measured':>9} {'predicted':>9}")
    for channels, side in SHAPES:
        std, sep = time_pair(channels, side, args.repeats)
        print(f"{channels:5d} {side:4d} {std * 1e3:12.3f} {sep * 1e3:13.3f}"
              f" {std / sep:8.2f}x {predicted(channels):8.2f}x")


if __name__ == "__main__":
    main()
