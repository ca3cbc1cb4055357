"""Benchmarks: cnnbook's numpy code against PyTorch on the CPU, and
training throughput on any device.

``python -m cnnbook.bench train`` times training steps (images per
second) of a bare PyTorch loop and of :class:`cnnbook.train.Trainer`;
see :mod:`cnnbook.throughput`. For example, ResNet-50 at 224 x 224 in
bf16 with channels_last and torch.compile, written to a JSON file::

    python -m cnnbook.bench train --model resnet50_torchvision \\
        --device cuda --precision bf16 --channels-last --compile \\
        --batch-size 256 --json benchmarks/results/h100-rn50-bf16.json

``python -m cnnbook.bench conv`` times :func:`cnnbook.functional.conv2d`
and :func:`cnnbook.functional.conv2d_backward` against PyTorch's
``conv2d`` and its backward (``aten.convolution_backward``, the operation
autograd runs), in float32 (PyTorch's default), on a fixed suite of layers:
the MNIST network's, VGG-16's 3x3 layers and ResNet-50's 7x7/2, 1x1 and
3x3 layers. Both libraries get the same number of threads.

Timings on a shared machine are noisy, so the two libraries are measured
alternately (numpy, torch, numpy, torch, ...) and each layer's ratio is the
median of the ratios of neighboring measurements: a burst of load from
another process slows both sides of a pair. Two more estimates are
printed: the ratio of the best (minimum) times, the least disturbed
samples of each side, and the median ratio of process CPU time (less
sensitive to waiting for a CPU, but it counts threads that spin while
they wait). The summary lines give the median of each over the layers.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TextIO

import numpy as np

from . import functional as cf

__all__ = ["CONV_SUITE", "ConvCase", "main", "run_conv"]


@dataclass(frozen=True)
class ConvCase:
    """One convolution layer of the benchmark suite (square images)."""

    name: str
    batch: int
    in_channels: int
    out_channels: int
    size: int
    kernel_size: int
    stride: int = 1
    padding: int = 0

    @property
    def output_size(self) -> int:
        return (
            self.size + 2 * self.padding - self.kernel_size
        ) // self.stride + 1

    @property
    def flops(self) -> int:
        """Forward FLOPs (2 per multiply-accumulate), bias excluded."""
        return (
            2
            * self.batch
            * self.out_channels
            * self.output_size**2
            * self.in_channels
            * self.kernel_size**2
        )


# VGG-16 (Simonyan & Zisserman 2015, configuration D): the last 3x3 layer
# of each of the five stages, one 224 x 224 image. ResNet-50 (He et al.
# 2016, v1.5: the stride sits in the 3x3 convolution) at batch 4.
CONV_SUITE = (
    ConvCase("mnist conv1", 64, 1, 32, 28, 3, 1, 1),
    ConvCase("mnist conv2", 64, 32, 64, 14, 3, 1, 1),
    ConvCase("vgg16 conv1_2", 1, 64, 64, 224, 3, 1, 1),
    ConvCase("vgg16 conv2_2", 1, 128, 128, 112, 3, 1, 1),
    ConvCase("vgg16 conv3_3", 1, 256, 256, 56, 3, 1, 1),
    ConvCase("vgg16 conv4_3", 1, 512, 512, 28, 3, 1, 1),
    ConvCase("vgg16 conv5_3", 1, 512, 512, 14, 3, 1, 1),
    ConvCase("resnet50 conv1 7x7/2", 4, 3, 64, 224, 7, 2, 3),
    ConvCase("resnet50 layer1 1x1 64->64", 4, 64, 64, 56, 1),
    ConvCase("resnet50 layer1 3x3 64->64", 4, 64, 64, 56, 3, 1, 1),
    ConvCase("resnet50 layer1 1x1 64->256", 4, 64, 256, 56, 1),
    ConvCase("resnet50 layer2 3x3/2 128", 4, 128, 128, 56, 3, 2, 1),
    ConvCase("resnet50 layer2 1x1/2 256->512", 4, 256, 512, 56, 1, 2),
    ConvCase("resnet50 layer3 3x3 256->256", 4, 256, 256, 14, 3, 1, 1),
    ConvCase("resnet50 layer3 1x1 1024->256", 4, 1024, 256, 14, 1),
    ConvCase("resnet50 layer4 3x3 512->512", 4, 512, 512, 7, 3, 1, 1),
    ConvCase("resnet50 layer4 1x1 512->2048", 4, 512, 2048, 7, 1),
)


def _calls_per_sample(func, target_s):
    """How many calls make one timing sample of about ``target_s``."""
    start = time.perf_counter()
    func()
    once = max(time.perf_counter() - start, 1e-6)
    return max(1, int(target_s / once))


def _sample(func, calls):
    """(wall seconds, CPU seconds) per call, over ``calls`` calls."""
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(calls):
        func()
    return (
        (time.perf_counter() - wall) / calls,
        (time.process_time() - cpu) / calls,
    )


def _compare(ours, theirs, repeats, target_s):
    """Alternate the two; per-pair ratios and the median times."""
    ours(), theirs()  # warm up (allocations, lazy initialization)
    calls = max(
        _calls_per_sample(ours, target_s), _calls_per_sample(theirs, target_s)
    )
    ratios, cpu_ratios, t_ours, t_theirs = [], [], [], []
    for i in range(repeats):
        # alternate which goes first, so neither always follows the other
        pair = (ours, theirs) if i % 2 == 0 else (theirs, ours)
        a = _sample(pair[0], calls)
        b = _sample(pair[1], calls)
        mine, other = (a, b) if i % 2 == 0 else (b, a)
        ratios.append(mine[0] / other[0])
        cpu_ratios.append(mine[1] / max(other[1], 1e-9))
        t_ours.append(mine[0])
        t_theirs.append(other[0])
    return dict(
        ours=statistics.median(t_ours),
        theirs=statistics.median(t_theirs),
        ratio=statistics.median(ratios),
        best_ratio=min(t_ours) / min(t_theirs),
        cpu_ratio=statistics.median(cpu_ratios),
    )


def _blas_threads(threads):
    """Limit numpy's BLAS to ``threads``; return a description."""
    try:
        from threadpoolctl import threadpool_info, threadpool_limits
    except ImportError:
        return None, "numpy BLAS threads: not controlled (no threadpoolctl)"
    limiter = threadpool_limits(threads, user_api="blas")
    libs = [
        f"{i['internal_api']} {i['version']} x{i['num_threads']}"
        for i in threadpool_info()
        if i["user_api"] == "blas"
    ]
    return limiter, "numpy BLAS: " + ", ".join(libs)


def run_conv(
    cases: Sequence[ConvCase] = CONV_SUITE,
    repeats: int = 7,
    threads: int = 2,
    target_s: float = 0.05,
    dtype: str = "float32",
    out: TextIO = sys.stdout,
) -> list[dict]:
    """Time forward and backward of every case; print and return a table.

    Returns a list of dicts, one per case, with the median times (seconds)
    and the median per-pair ratios ``numpy / torch`` (wall and CPU time).
    """
    import torch

    torch.set_num_threads(threads)
    limiter, blas = _blas_threads(threads)
    print(
        f"conv2d: cnnbook (numpy {np.__version__}) vs torch "
        f"{torch.__version__}, {dtype}, {platform.machine()}, "
        f"{os.cpu_count()} CPUs",
        file=out,
    )
    print(f"threads: torch {torch.get_num_threads()}; {blas}", file=out)
    print(
        f"each ratio: median of {repeats} alternating pairs, each sample "
        f">= {target_s * 1e3:.0f} ms; ratio = numpy time / torch time",
        file=out,
    )
    print(
        "columns: median ms (numpy, torch); ratio = median of pair "
        "ratios; best = ratio of minimum times; cpu = median CPU-time "
        "ratio",
        file=out,
    )
    header = (
        f"{'layer':30s} {'GFLOP':>5s} | {'fwd np':>7s} {'torch':>7s} "
        f"{'ratio':>5s} {'best':>5s} {'cpu':>5s} | {'bwd np':>7s} "
        f"{'torch':>7s} {'ratio':>5s} {'best':>5s} {'cpu':>5s}"
    )
    print(header, file=out)
    print("-" * len(header), file=out)
    rng = np.random.default_rng(0)
    rows = []
    for case in cases:
        x = rng.standard_normal(
            (case.batch, case.in_channels, case.size, case.size), dtype=dtype
        )
        w = (
            rng.standard_normal(
                (
                    case.out_channels,
                    case.in_channels,
                    case.kernel_size,
                    case.kernel_size,
                ),
                dtype=dtype,
            )
            * 0.1
        )
        b = rng.standard_normal(case.out_channels, dtype=dtype)
        g = rng.standard_normal(
            (
                case.batch,
                case.out_channels,
                case.output_size,
                case.output_size,
            ),
            dtype=dtype,
        )
        tx, tw, tb, tg = (torch.from_numpy(a) for a in (x, w, b, g))
        kw = dict(stride=case.stride, padding=case.padding)
        torch_kw = dict(
            stride=[case.stride] * 2,
            padding=[case.padding] * 2,
            dilation=[1, 1],
            transposed=False,
            output_padding=[0, 0],
            groups=1,
        )

        def np_fwd(x=x, w=w, b=b, kw=kw):
            return cf.conv2d(x, w, b, **kw)

        def torch_fwd(tx=tx, tw=tw, tb=tb, kw=kw):
            with torch.no_grad():
                return torch.nn.functional.conv2d(tx, tw, tb, **kw)

        def np_bwd(g=g, x=x, w=w, kw=kw):
            return cf.conv2d_backward(g, x, w, **kw)

        def torch_bwd(tg=tg, tx=tx, tw=tw, kw=torch_kw, c=case):
            return torch.ops.aten.convolution_backward(
                tg, tx, tw, [c.out_channels], output_mask=[True] * 3, **kw
            )

        check = np.abs(np_fwd() - torch_fwd().numpy()).max()
        scale = np.abs(torch_fwd().numpy()).max()
        if check > 1e-3 * scale:
            raise AssertionError(f"{case.name}: forward differs by {check}")
        fwd = _compare(np_fwd, torch_fwd, repeats, target_s)
        bwd = _compare(np_bwd, torch_bwd, repeats, target_s)
        rows.append(
            dict(name=case.name, flops=case.flops, forward=fwd, backward=bwd)
        )
        cells = []
        for part in (fwd, bwd):
            ms = part["ours"] * 1e3, part["theirs"] * 1e3
            cells.append(
                f"{ms[0]:7.2f} {ms[1]:7.2f} {part['ratio']:5.2f} "
                f"{part['best_ratio']:5.2f} "
                f"{part['cpu_ratio']:5.2f}"
            )
        print(
            f"{case.name:30s} {case.flops / 1e9:5.2f} | {cells[0]} | "
            f"{cells[1]}",
            file=out,
            flush=True,
        )
    print("-" * len(header), file=out)
    for key, what in (
        ("ratio", "wall time, pairs"),
        ("best_ratio", "wall time, best "),
        ("cpu_ratio", "CPU time, pairs "),
    ):
        f_med = statistics.median(r["forward"][key] for r in rows)
        b_med = statistics.median(r["backward"][key] for r in rows)
        print(
            f"median ratio numpy/torch ({what}): forward {f_med:.2f}, "
            f"backward {b_med:.2f}",
            file=out,
        )
    if limiter is not None:
        limiter.restore_original_limits()
    return rows


def _conv_arguments(parser) -> None:
    parser.add_argument(
        "--repeats",
        type=int,
        default=7,
        help="alternating pairs per layer (default 7)",
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=2,
        help="threads for torch and numpy's BLAS",
    )
    parser.add_argument(
        "--target-ms",
        type=float,
        default=50,
        help="minimum duration of one timing sample",
    )
    parser.add_argument(
        "--dtype", choices=["float32", "float64"], default="float32"
    )
    parser.add_argument(
        "--only", default="", help="run only layers whose name contains this"
    )


def _train_arguments(parser) -> None:
    from .throughput import LOOPS, BenchConfig

    d = BenchConfig()
    parser.add_argument(
        "--model",
        default=d.model,
        help=f"a cnnbook model name (default {d.model}: ResNet-50 v1.5)",
    )
    parser.add_argument(
        "--device", default=d.device, help="auto, cpu, cuda, cuda:1, mps"
    )
    parser.add_argument(
        "--precision",
        default=d.precision,
        choices=["fp32", "tf32", "bf16", "fp16", "auto"],
    )
    parser.add_argument("--channels-last", action="store_true")
    parser.add_argument(
        "--compile",
        action="store_true",
        help="torch.compile the model (time in warm-up)",
    )
    parser.add_argument("--batch-size", type=int, default=d.batch_size)
    parser.add_argument("--image-size", type=int, default=None)
    parser.add_argument(
        "--steps",
        type=int,
        default=d.steps,
        help="optimizer steps per timed window",
    )
    parser.add_argument(
        "--windows",
        type=int,
        default=d.windows,
        help="timed windows (the median is reported)",
    )
    parser.add_argument(
        "--warmup",
        type=int,
        default=d.warmup,
        help="warm-up windows, not timed",
    )
    parser.add_argument(
        "--loops",
        default=",".join(LOOPS),
        help="bare, trainer or both (comma-separated)",
    )
    parser.add_argument(
        "--data",
        choices=["host", "device"],
        default=d.data,
        help="synthetic images in host memory (copied "
        "each step) or on the device",
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=None,
        help="torch threads on a CPU (default: torch's)",
    )
    parser.add_argument(
        "--json", default=None, help="also write the result to this JSON file"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m cnnbook.bench",
        description="Benchmarks: cnnbook's numpy code against PyTorch "
        "(conv), training throughput (train).",
    )
    sub = parser.add_subparsers(
        dest="what", required=True, metavar="{conv,train}"
    )
    conv = sub.add_parser("conv", help="numpy conv2d vs torch, CPU")
    _conv_arguments(conv)
    train = sub.add_parser(
        "train", help="training images per second, bare loop vs Trainer"
    )
    _train_arguments(train)
    args = parser.parse_args(argv)
    if args.what == "train":
        return _main_train(train, args, argv)
    if args.repeats < 1 or args.threads < 1 or args.target_ms <= 0:
        parser.error("--repeats, --threads and --target-ms must be positive")
    cases = [c for c in CONV_SUITE if args.only in c.name]
    if not cases:
        parser.error(f"no layer name contains {args.only!r}")
    run_conv(
        cases,
        repeats=args.repeats,
        threads=args.threads,
        target_s=args.target_ms / 1e3,
        dtype=args.dtype,
    )
    return 0


def _main_train(parser, args, argv) -> int:
    import shlex

    from .throughput import BenchConfig, run, write_throughput

    try:
        config = BenchConfig(
            model=args.model,
            device=args.device,
            precision=args.precision,
            channels_last=args.channels_last,
            compile=args.compile,
            batch_size=args.batch_size,
            image_size=args.image_size,
            steps=args.steps,
            windows=args.windows,
            warmup=args.warmup,
            loops=tuple(x.strip() for x in args.loops.split(",")),
            data=args.data,
            threads=args.threads,
        )
    except (TypeError, ValueError) as err:
        parser.error(str(err))
    words = sys.argv[1:] if argv is None else list(argv)
    command = "python -m cnnbook.bench " + shlex.join(words)
    try:
        result = run(config, command=command)
    except ValueError as err:  # a device or precision this machine lacks
        parser.error(str(err))
    if args.json:
        path = write_throughput(result, args.json)
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
