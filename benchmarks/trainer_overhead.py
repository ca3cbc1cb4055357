"""Images per second: cnnbook's Trainer against a bare PyTorch loop.

Both train the same model (the simple MNIST CNN, 421,642 parameters) from
the same initial weights on the same 3,500 real MNIST digits, with the
same batch size, optimizer and shuffling, for the same number of epochs.
The Trainer adds what it always does: label checks, per-epoch metrics
(loss and accuracy accumulated on the device), the learning-rate
schedule, the progress bar (disabled) and the History. Checkpoints and
validation are off, so only the loop's own overhead is measured.

Repeats are interleaved (bare, Trainer, bare, Trainer, ... with the order
alternating) so that a busy machine slows both alike; the medians and
their ratio are printed. Target: Trainer >= 90% of the bare loop.

    python benchmarks/trainer_overhead.py [--repeats 7] [--epochs 1]
        [--threads N] [--device cpu]
"""

from __future__ import annotations

import argparse
import copy
import statistics
import time

import torch
import torch.nn.functional as F

from cnnbook import data
from cnnbook.models import get_model
from cnnbook.train import TrainConfig, Trainer


def bare_loop(model, images, labels, epochs, batch_size, lr, device, seed):
    """What one writes by hand: shuffle, slice, forward, loss, step."""
    model = model.to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    generator = torch.Generator().manual_seed(seed)
    model.train()
    start = time.perf_counter()
    for _ in range(epochs):
        order = torch.randperm(len(labels), generator=generator)
        for i in range(0, len(order), batch_size):
            idx = order[i:i + batch_size]
            x, y = images[idx].to(device), labels[idx].to(device)
            loss = F.cross_entropy(model(x), y)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
    if device.type == "cuda":
        torch.cuda.synchronize()
    return epochs * len(labels) / (time.perf_counter() - start)


def with_trainer(model, dataset, epochs, batch_size, lr, device, seed):
    config = TrainConfig(epochs=epochs, batch_size=batch_size, lr=lr,
                         seed=seed, device=str(device), progress=False)
    trainer = Trainer(model, dataset, None, config)
    start = time.perf_counter()
    trainer.fit()
    if device.type == "cuda":
        torch.cuda.synchronize()
    return epochs * len(dataset) / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--threads", type=int, default=None,
                        help="torch.set_num_threads (default: torch's)")
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    train, _, _ = data.mnist_5k_splits()
    torch.manual_seed(0)
    initial = get_model("mnist_cnn")
    lr = 1e-3
    # one warm-up of each (allocator, kernels), not timed
    bare_loop(copy.deepcopy(initial), train.images, train.labels, 1,
              args.batch_size, lr, device, 0)
    with_trainer(copy.deepcopy(initial), train, 1, args.batch_size, lr,
                 device, 0)
    bare, ours = [], []
    for r in range(args.repeats):
        runs = [("bare", bare), ("trainer", ours)]
        for name, store in runs if r % 2 == 0 else runs[::-1]:
            model = copy.deepcopy(initial)
            if name == "bare":
                speed = bare_loop(model, train.images, train.labels,
                                  args.epochs, args.batch_size, lr, device,
                                  r)
            else:
                speed = with_trainer(model, train, args.epochs,
                                     args.batch_size, lr, device, r)
            store.append(speed)
        print(f"repeat {r + 1}: bare {bare[-1]:7.0f} img/s, "
              f"Trainer {ours[-1]:7.0f} img/s", flush=True)
    mb, mt = statistics.median(bare), statistics.median(ours)
    print(f"\n{len(train)} MNIST digits x {args.epochs} epoch(s), batch "
          f"{args.batch_size}, {torch.get_num_threads()} thread(s), "
          f"{device}, torch {torch.__version__}")
    print(f"median bare loop: {mb:.0f} images/s")
    print(f"median Trainer:   {mt:.0f} images/s")
    print(f"ratio Trainer / bare: {mt / mb:.3f} (target >= 0.90)")
    ratios = sorted(t / b for b, t in zip(bare, ours, strict=True))
    print(f"per-repeat ratios: min {ratios[0]:.3f}, "
          f"median {statistics.median(ratios):.3f}, max {ratios[-1]:.3f}")


if __name__ == "__main__":
    main()
