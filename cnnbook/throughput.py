"""Training throughput: images per second, measured the same way on any
device, for a bare PyTorch loop and for :class:`cnnbook.train.Trainer`.

``python -m cnnbook.bench train ...`` runs :func:`run`. Both loops train
the same model from the same initial weights on the same synthetic
images (random pixels and labels, held in host memory like a real
dataset, or on the device with ``data="device"``: the standard synthetic
benchmark) with SGD and momentum, the same precision, memory format and
compilation. The bare loop is what one writes by hand; the Trainer adds
what it always does (label checks, per-epoch loss and accuracy, the
History), so the ratio of the two is the Trainer's overhead.

Timing: each loop runs ``warmup`` windows (allocation, cuDNN autotuning,
compilation) and then ``windows`` timed windows of ``steps`` optimizer
steps; the device is synchronised at the ends of each window, so the
time of work still queued on a GPU is counted. A window's throughput is
``steps * batch_size / seconds``; the result is the median over windows
(the spread says how steady the machine was). Process CPU seconds are
recorded beside wall seconds, and on a CPU the load average.
"""

from __future__ import annotations

import copy
import datetime as _dt
import json
import os
import platform
import statistics
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from ._atomic import atomic_write_text
from ._validation import check_int, check_number

if TYPE_CHECKING:
    import torch

__all__ = [
    "RESULT_FORMAT",
    "LOOPS",
    "PUBLISHED_A100",
    "BenchConfig",
    "device_description",
    "format_throughput",
    "load_throughputs",
    "run",
    "write_throughput",
]

RESULT_FORMAT = "cnnbook-bench-train-1"
LOOPS = ("bare", "trainer")
DATA_PLACES = ("host", "device")

# Published ResNet-50 v1.5 training throughput of one NVIDIA A100 80GB
# (DGX A100, batch 256, PyTorch 21.03 NGC container), images/s; NVIDIA
# DeepLearningExamples, PyTorch/Classification/ConvNets/resnet50v1.5,
# README, "Training performance: NVIDIA DGX A100 (8x A100 80GB)".
PUBLISHED_A100 = {
    "source": "NVIDIA DeepLearningExamples, ResNet50 v1.5 for PyTorch, "
    "README (training performance, DGX A100, 1 GPU)",
    "url": "https://github.com/NVIDIA/DeepLearningExamples/tree/master/"
    "PyTorch/Classification/ConvNets/resnet50v1.5",
    "device": "NVIDIA A100 80GB",
    "model": "resnet50 v1.5",
    "batch_size": 256,
    "images_per_second": {"tf32": 938, "mixed precision": 2470},
}


@dataclass
class BenchConfig:
    """What to time. ``image_size`` and ``num_classes`` default to the
    model's usual input (28 x 28 x 1 and 10 classes for the MNIST
    networks, 224 x 224 x 3 and 1,000 for the ImageNet ones)."""

    model: str = "resnet50_torchvision"  # v1.5, the standard benchmark
    device: str = "auto"
    precision: str = "fp32"  # see cnnbook.train.precision
    channels_last: bool = False
    compile: bool = False
    batch_size: int = 64
    image_size: int | None = None
    num_classes: int | None = None
    warmup: int = 1  # windows, not timed
    windows: int = 5  # timed windows
    steps: int = 10  # optimizer steps per window
    loops: tuple[str, ...] = LOOPS
    data: str = "host"  # synthetic images in host memory or on the device
    threads: int | None = None  # torch.set_num_threads (CPU)
    lr: float = 0.01
    seed: int = 0
    extra: dict = field(default_factory=dict)

    def __post_init__(self):
        func = "BenchConfig"
        for name in ("batch_size", "windows", "steps"):
            check_int(getattr(self, name), name, func, minimum=1)
        check_int(self.warmup, "warmup", func, minimum=0)
        check_number(self.lr, "lr", func, minimum=0, strict_minimum=True)
        if self.threads is not None:
            check_int(self.threads, "threads", func, minimum=1)
        self.loops = tuple(self.loops)
        if not self.loops or any(lp not in LOOPS for lp in self.loops):
            raise ValueError(
                f"{func}: loops must be some of {LOOPS}, got {self.loops!r}"
            )
        if self.data not in DATA_PLACES:
            raise ValueError(
                f"{func}: data must be one of {DATA_PLACES}, got {self.data!r}"
            )


def _input_shape(model, config: BenchConfig) -> tuple[int, int, int]:
    """(channels, side, classes) of the model's native input: from the
    model (its first convolution, its ``image_size``, its last linear
    layer), 224 x 224 for networks that take any size."""
    import torch.nn as nn

    layers = list(model.modules())
    conv = next(m for m in layers if isinstance(m, nn.Conv2d))
    last = [m for m in layers if isinstance(m, nn.Linear)][-1]
    size = config.image_size or getattr(model, "image_size", None) or 224
    return conv.in_channels, size, last.out_features


def _cpu_name() -> str:
    try:
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def device_description(device: torch.device) -> dict:
    """The device's name and what a reader needs to compare figures."""
    import torch

    info = {
        "type": device.type,
        "torch": torch.__version__,
        "python": platform.python_version(),
        "cpu": _cpu_name(),
        "cpu_count": os.cpu_count(),
        "threads": torch.get_num_threads(),
    }
    if device.type == "cuda":
        props = torch.cuda.get_device_properties(device)
        info.update(
            name=torch.cuda.get_device_name(device),
            capability=".".join(map(str, (props.major, props.minor))),
            memory_gib=round(props.total_memory / 2**30, 1),
            cuda=torch.version.cuda,
            cudnn=torch.backends.cudnn.version(),
        )
    else:
        info["name"] = info["cpu"]
    return info


def _load() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def _sync(device) -> None:
    import torch

    if device.type == "cuda":
        torch.cuda.synchronize(device)


def _synthetic(config, device, shape):
    """Random images and labels (the standard synthetic benchmark: what
    is timed is the training step, not reading files)."""
    import torch

    from .data.datasets import ImageDataset

    channels, size, classes = shape
    n = config.steps * config.batch_size
    g = torch.Generator().manual_seed(config.seed)
    images = torch.randn(n, channels, size, size, generator=g)
    labels = torch.randint(0, classes, (n,), generator=g)
    data = ImageDataset(images, labels, num_classes=classes)
    if config.channels_last:
        data.images = data.images.contiguous(memory_format=torch.channels_last)
    if config.data == "device":
        data.images = data.images.to(device)
        data.labels = data.labels.to(device)
    elif device.type == "cuda":
        # page-locked once, so each batch's copy can be asynchronous
        data.images = data.images.pin_memory()
        data.labels = data.labels.pin_memory()
    return data


def _window_stamps(device):
    """(wall, cpu) now, after the device has finished its queue."""
    _sync(device)
    return time.perf_counter(), time.process_time()


def _bare(model, data, config, device, precision) -> list[tuple]:
    """The loop one writes by hand; returns (wall, cpu) seconds of each
    window, warm-up windows first."""
    import torch
    import torch.nn.functional as F

    from .train.precision import autocast, grad_scaler

    if config.compile:
        model = torch.compile(model)
    optimizer = torch.optim.SGD(model.parameters(), lr=config.lr, momentum=0.9)
    scaler = grad_scaler(device, precision)
    g = torch.Generator().manual_seed(config.seed)
    fmt = (
        torch.channels_last
        if config.channels_last
        else (torch.contiguous_format)
    )
    model.train()
    times = []
    for _ in range(config.warmup + config.windows):
        start = _window_stamps(device)
        order = torch.randperm(len(data), generator=g)
        for i in range(config.steps):
            idx = order[i * config.batch_size : (i + 1) * config.batch_size]
            x, y = data[idx.to(data.images.device)]
            x = x.to(device, non_blocking=True).contiguous(memory_format=fmt)
            y = y.to(device, non_blocking=True)
            with autocast(device, precision):
                loss = F.cross_entropy(model(x), y)
            optimizer.zero_grad(set_to_none=True)
            scaler.scale(loss).backward()
            scaler.step(optimizer)
            scaler.update()
        end = _window_stamps(device)
        times.append((end[0] - start[0], end[1] - start[1]))
    return times


def _trainer(model, data, config, device, precision) -> list[tuple]:
    """The same with :class:`cnnbook.train.Trainer`: one epoch is one
    window; a callback stamps the end of each."""
    from .train import TrainConfig, Trainer

    stamps = []
    train_config = TrainConfig(
        epochs=config.warmup + config.windows,
        batch_size=config.batch_size,
        optimizer="sgd",
        lr=config.lr,
        momentum=0.9,
        seed=config.seed,
        device=str(device),
        precision=precision,
        channels_last=config.channels_last,
        compile=config.compile,
        progress=False,
    )
    trainer = Trainer(
        model,
        data,
        None,
        train_config,
        callbacks=[lambda t, r: stamps.append(_window_stamps(device))],
    )
    stamps.append(_window_stamps(device))
    trainer.fit()
    return [
        (b[0] - a[0], b[1] - a[1])
        for a, b in zip(stamps[:-1], stamps[1:], strict=True)
    ]


def _summary(times, warmup, images) -> dict:
    """Rates of the timed windows; the warm-up windows' seconds (which
    hold any compilation and autotuning) are kept apart."""
    warm, times = times[:warmup], times[warmup:]
    rates = [images / wall for wall, _ in times]
    return {
        "warmup_wall_seconds": round(sum(w for w, _ in warm), 4),
        "warmup_cpu_seconds": round(sum(c for _, c in warm), 4),
        "images_per_second": statistics.median(rates),
        "min": min(rates),
        "max": max(rates),
        "windows": [round(r, 2) for r in rates],
        "wall_seconds": [round(w, 4) for w, _ in times],
        "cpu_seconds": [round(c, 4) for _, c in times],
    }


def run(
    config: BenchConfig,
    command: str | None = None,
    out: TextIO | bool | None = None,
) -> dict:
    """Time the loops of ``config``; returns the result (JSON-ready) and
    prints a summary to ``out`` (default stdout; None to stay quiet is
    ``out=False``)."""
    import torch

    from .models import get_model
    from .train import resolve_device
    from .train.precision import resolve_precision, use_tf32

    if config.threads is not None:
        torch.set_num_threads(config.threads)
    device = resolve_device(config.device)
    precision = resolve_precision(config.precision, device)
    if device.type == "cuda":
        use_tf32(precision)
        torch.backends.cudnn.benchmark = True  # autotune each conv shape
    torch.manual_seed(config.seed)
    kwargs = {}
    if config.num_classes is not None:
        kwargs["num_classes"] = config.num_classes
    if config.image_size is not None and config.model == "mnist_cnn":
        kwargs["image_size"] = config.image_size  # its linear layer's size
    initial = get_model(config.model, **kwargs)
    channels, size, classes = _input_shape(initial, config)
    data = _synthetic(config, device, (channels, size, classes))
    load_before = _load()
    results = {}
    for loop in config.loops:
        model = copy.deepcopy(initial).to(device)
        if config.channels_last:
            model = model.to(memory_format=torch.channels_last)
        timer = _bare if loop == "bare" else _trainer
        times = timer(model, data, config, device, precision)
        results[loop] = _summary(
            times, config.warmup, config.steps * config.batch_size
        )
        del model
        if device.type == "cuda":
            torch.cuda.empty_cache()
    result = {
        "format": RESULT_FORMAT,
        "date": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        "command": command
        or "python -m cnnbook.bench train " + " ".join(sys.argv[1:]),
        "device": device_description(device),
        "config": {
            **asdict(config),
            "precision": precision,
            "loops": list(config.loops),
            "image_size": size,
            "in_channels": channels,
            "num_classes": classes,
        },
        "load_average": {"before": load_before, "after": _load()},
        "results": results,
    }
    if "bare" in results and "trainer" in results:
        result["trainer_vs_bare"] = (
            results["trainer"]["images_per_second"]
            / results["bare"]["images_per_second"]
        )
    if out is not False:
        print(format_throughput(result), file=out or sys.stdout, flush=True)
    return result


def format_throughput(result: dict) -> str:
    """The lines the command prints."""
    c, d = result["config"], result["device"]
    lines = [
        f"{result['date'][:16].replace('T', ' ')} UTC: {result['command']}",
        f"model {c['model']}, batch {c['batch_size']}, "
        f"{c['in_channels']}x{c['image_size']}x{c['image_size']}, "
        f"precision {c['precision']}"
        + (", channels_last" if c["channels_last"] else "")
        + (", compiled" if c["compile"] else ""),
        f"device: {d['name']} ({d['type']}), torch {d['torch']}, "
        f"{d['threads']} thread(s)",
        f"{c['windows']} windows of {c['steps']} steps after "
        f"{c['warmup']} warm-up window(s); median images/s (min-max):",
    ]
    for loop, r in result["results"].items():
        lines.append(
            f"  {loop:8s} {r['images_per_second']:10.1f} "
            f"images/s ({r['min']:.1f}-{r['max']:.1f}); warm-up "
            f"{r['warmup_wall_seconds']:.1f} s"
        )
    if "trainer_vs_bare" in result:
        lines.append(f"  Trainer / bare loop: {result['trainer_vs_bare']:.3f}")
    load = result.get("load_average") or {}
    if d["type"] == "cpu" and load.get("before"):
        lines.append(
            f"load average before/after: {load['before'][0]} / "
            f"{load['after'][0]} on {d['cpu_count']} CPUs"
        )
    return "\n".join(lines)


def write_throughput(result: dict, path: str | os.PathLike) -> Path:
    """Write ``result`` as JSON (atomically)."""
    _check_result(result, str(path))
    return atomic_write_text(path, json.dumps(result, indent=1) + "\n")


_REQUIRED = ("format", "date", "command", "device", "config", "results")


def _check_result(result: dict, where: str) -> None:
    if not isinstance(result, dict) or result.get("format") != RESULT_FORMAT:
        raise ValueError(
            f"{where}: not a cnnbook training benchmark "
            f"(format {RESULT_FORMAT!r})"
        )
    missing = [k for k in _REQUIRED if k not in result]
    if missing:
        raise ValueError(f"{where}: missing fields {missing}")
    for loop, r in result["results"].items():
        if loop not in LOOPS or not r.get("images_per_second", 0) > 0:
            raise ValueError(
                f"{where}: results[{loop!r}] has no positive images_per_second"
            )


def load_throughputs(
    folder: str | os.PathLike, pattern: str = "*.json"
) -> list[dict]:
    """Every benchmark result in ``folder`` (sorted by file name), each
    checked and with its ``file`` name added. Files of another kind (the
    speed-run results) are skipped."""
    found = []
    for path in sorted(Path(folder).glob(pattern)):
        result = json.loads(path.read_text())
        if result.get("format") != RESULT_FORMAT:
            continue
        _check_result(result, str(path))
        found.append({**result, "file": path.name})
    return found
