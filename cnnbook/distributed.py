r"""Data-parallel training with PyTorch's own engine: torchrun and DDP.

``torchrun`` starts one process per device and tells each who it is
through environment variables: ``RANK`` (0 .. W-1 over all machines),
``LOCAL_RANK`` (the device on its machine), ``WORLD_SIZE`` (W) and the
address of a rendezvous where the processes meet. Each process holds a
full copy of the model and reads its own share of every batch
(:class:`~torch.utils.data.DistributedSampler`); after ``backward``,
:class:`~torch.nn.parallel.DistributedDataParallel` averages the
gradients over the processes (an *all-reduce*), so every copy takes the
same step. With W processes each reading a local batch of b = B / W
images, the mean loss of each process has the gradient

    g_r = (1/b) sum_{i in batch_r} grad l_i,

and their average is the gradient of the mean loss over the global batch
of B images, what one process computing on all B images gets:

    (1/W) sum_r g_r = (1/B) sum_{i in global batch} grad l_i.

This module is the book's worker script for such runs and the pieces a
chapter needs to check it: :func:`global_batches` (which images one
process would see at each step to reproduce a W-process run) and
:func:`reference_run` (that single process). Run it with::

    # one machine, 2 processes (CPU: gloo; GPUs: nccl, one per process)
    torchrun --nproc_per_node=2 -m cnnbook.distributed --steps 40 \
        --out run.pt

    # two machines: the same command on each, with its --node_rank
    torchrun --nnodes=2 --nproc_per_node=8 --node_rank=0 \
        --master_addr=HOST0 --master_port=29500 -m cnnbook.distributed ...

:func:`training_memory` holds the memory arithmetic of sharded training
(ZeRO, FSDP) for models that do not fit one device.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ._validation import check_int, check_number

if TYPE_CHECKING:
    import torch

__all__ = [
    "DATASETS",
    "SHARDING",
    "VIT_22B",
    "TransformerConfig",
    "World",
    "free_port",
    "global_batches",
    "init_distributed",
    "rank_batches",
    "reference_run",
    "step_seed",
    "training_memory",
    "transformer_parameters",
    "world_from_env",
]

DATASETS = ("digits8x8", "mnist5k")


@dataclass(frozen=True)
class World:
    """Who this process is in a distributed run."""

    rank: int = 0  # 0 .. world_size - 1, over every machine
    local_rank: int = 0  # the device index on this machine
    world_size: int = 1  # processes in the whole run

    @property
    def is_main(self) -> bool:
        """Rank 0 logs and writes checkpoints; the others stay quiet."""
        return self.rank == 0


def world_from_env(environ: Mapping[str, str] | None = None) -> World:
    """Read ``RANK``, ``LOCAL_RANK`` and ``WORLD_SIZE`` (set by torchrun);
    a process started without torchrun is rank 0 of a world of 1."""
    env = os.environ if environ is None else environ
    try:
        world = World(
            int(env.get("RANK", 0)),
            int(env.get("LOCAL_RANK", 0)),
            int(env.get("WORLD_SIZE", 1)),
        )
    except ValueError as err:
        raise ValueError(
            f"world_from_env: RANK, LOCAL_RANK and WORLD_SIZE "
            f"must be integers: {err}"
        ) from err
    if world.world_size < 1 or not 0 <= world.rank < world.world_size:
        raise ValueError(
            f"world_from_env: need 0 <= RANK < WORLD_SIZE, got "
            f"RANK={world.rank}, WORLD_SIZE={world.world_size}"
        )
    return world


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that is free on ``host`` now (for a rendezvous on one
    machine; another program could take it before it is used)."""
    import socket

    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def init_distributed(
    device: str = "auto", backend: str | None = None, timeout_s: float = 300.0
) -> tuple[World, torch.device]:
    """Join the run torchrun started; returns ``(world, device)``.

    The backend is NCCL on GPUs and gloo on CPUs unless given. Each
    process of a GPU run takes the GPU of its ``LOCAL_RANK``. A process
    started without torchrun (world of 1) joins no group.
    """
    from datetime import timedelta

    import torch
    import torch.distributed as dist

    world = world_from_env()
    cuda = torch.cuda.is_available() and device in ("auto", "cuda")
    if device not in ("auto", "cuda", "cpu"):
        raise ValueError(
            f"init_distributed: device must be 'auto', 'cuda' "
            f"or 'cpu', got {device!r}"
        )
    if device == "cuda" and not torch.cuda.is_available():
        raise ValueError(
            "init_distributed: device 'cuda' requested but "
            "CUDA is not available"
        )
    if cuda:
        torch.cuda.set_device(world.local_rank)
        where = torch.device("cuda", world.local_rank)
    else:
        where = torch.device("cpu")
    if world.world_size > 1 and not dist.is_initialized():
        dist.init_process_group(
            backend or ("nccl" if cuda else "gloo"),
            timeout=timedelta(seconds=timeout_s),
        )
    return world, where


def rank_batches(
    n: int, world_size: int, rank: int, local_batch: int, seed: int, epoch: int
) -> list[torch.Tensor]:
    """The batches of indices process ``rank`` reads in ``epoch``.

    A :class:`~torch.utils.data.DistributedSampler` shuffles the indices
    ``0 .. n-1`` with a generator seeded by ``seed + epoch`` (the same
    permutation in every process), drops the tail that does not divide by
    ``world_size`` and gives process ``rank`` every ``world_size``-th
    index from position ``rank``; consecutive ``local_batch`` of them
    form its batches (an incomplete last one is dropped).
    """
    import torch
    from torch.utils.data import DistributedSampler

    sampler = DistributedSampler(
        range(n),
        num_replicas=world_size,
        rank=rank,
        shuffle=True,
        seed=seed,
        drop_last=True,
    )
    sampler.set_epoch(epoch)
    order = torch.tensor(list(sampler), dtype=torch.int64)
    whole = len(order) // local_batch
    return list(order[: whole * local_batch].split(local_batch))


def global_batches(
    n: int, world_size: int, local_batch: int, seed: int, epoch: int
) -> list[torch.Tensor]:
    """The global batches of a ``world_size``-process epoch: at each step,
    the local batches of ranks 0, 1, ... concatenated. One process
    training on these batches sees exactly the images the W processes see
    together."""
    per_rank = [
        rank_batches(n, world_size, r, local_batch, seed, epoch)
        for r in range(world_size)
    ]
    import torch

    return [torch.cat(step) for step in zip(*per_rank, strict=True)]


def step_seed(seed: int, step: int, rank: int) -> int:
    """The seed of process ``rank`` at ``step`` (dropout, augmentation):
    a function of the step, so a resumed run draws the same numbers as an
    uninterrupted one, and of the rank, so processes draw different
    masks."""
    return (seed * 1_000_003 + step * 1_009 + rank) % 2**63


# --- the worker's data, model and step ---------------------------------


def _datasets(name: str, seed: int):
    """Training and validation sets of a built-in real dataset,
    normalized with the training images' statistics."""
    from .data import mnist_5k_splits, stratified_datasets
    from .data.builtin import load_digits_8x8

    if name == "digits8x8":
        train, val, _ = stratified_datasets(*load_digits_8x8(), seed=seed)
    elif name == "mnist5k":
        train, val, _ = mnist_5k_splits(seed)
    else:
        raise ValueError(
            f"cnnbook.distributed: unknown dataset {name!r}; "
            f"choose one of {DATASETS}"
        )
    mean, std = train.images.mean(), train.images.std()
    for part in (train, val):
        part.images = (part.images - mean) / std
    return train, val


def _model(data_name: str, seed: int, dropout: float):
    """The simple MNIST CNN of chapter 3 sized for the images; the same
    initial weights in every process (seeded), as DDP also enforces by
    broadcasting rank 0's weights when it wraps the model."""
    import torch

    from .models import get_model

    torch.manual_seed(seed)
    size = 8 if data_name == "digits8x8" else 28
    return get_model("mnist_cnn", image_size=size, dropout=dropout)


def _sgd(model, lr: float, momentum: float):
    import torch

    return torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum)


def _step(model, optimizer, x, y):
    """Forward, loss (mean over the local batch), backward, update;
    returns the local loss. Under DDP, ``backward`` also averages the
    gradients over the processes."""
    import torch.nn.functional as F

    loss = F.cross_entropy(model(x), y)
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    optimizer.step()
    return loss.detach()


def _batches_from(n, world_size, rank, local_batch, seed, start_step):
    """Endless (epoch, step, indices) from ``start_step`` on: the epochs'
    batches in order, skipping the steps already done."""
    step, epoch = 0, 0
    while True:
        for batch in rank_batches(
            n, world_size, rank, local_batch, seed, epoch
        ):
            if step >= start_step:
                yield epoch, step, batch
            step += 1
        epoch += 1


def _check_run(steps, global_batch, world_size, n):
    check_int(steps, "steps", "cnnbook.distributed", minimum=1)
    check_int(global_batch, "global_batch", "cnnbook.distributed", minimum=1)
    if global_batch % world_size:
        raise ValueError(
            f"cnnbook.distributed: the global batch "
            f"({global_batch}) must divide by the number of "
            f"processes ({world_size})"
        )
    if global_batch > n:
        raise ValueError(
            f"cnnbook.distributed: the global batch "
            f"({global_batch}) is larger than the training "
            f"set ({n} images)"
        )
    return global_batch // world_size


def reference_run(
    data: str = "digits8x8",
    steps: int = 10,
    global_batch: int = 64,
    world_size: int = 2,
    lr: float = 0.05,
    momentum: float = 0.9,
    seed: int = 0,
    dropout: float = 0.0,
) -> dict:
    """One process training on the global batches of a ``world_size``-
    process run (:func:`global_batches`), with the worker's model, data,
    optimizer and seeds.

    Returns ``weights`` (the final state_dict), ``first_gradient`` (the
    gradient of the first step, by parameter name) and ``losses`` (the
    mean loss of each global batch).
    """
    import torch

    train, _ = _datasets(data, seed)
    local = _check_run(steps, global_batch, world_size, len(train))
    model = _model(data, seed, dropout)
    optimizer = _sgd(model, lr, momentum)
    losses, first = [], None
    epoch, batches = 0, []
    for step in range(steps):
        if not batches:
            batches = global_batches(
                len(train), world_size, local, seed, epoch
            )
            epoch += 1
        idx = batches.pop(0)
        x, y = train[idx]
        # the per-rank masks of a W-process run cannot be replayed by one
        # process: compare with dropout off
        torch.manual_seed(step_seed(seed, step, 0))
        # each process takes the mean over its own b images; with equal
        # local batches the mean of those means is the mean over B
        losses.append(float(_step(model, optimizer, x, y)))
        if first is None:
            first = {
                k: p.grad.detach().clone() for k, p in model.named_parameters()
            }
    return {
        "weights": {
            k: v.detach().clone() for k, v in model.state_dict().items()
        },
        "first_gradient": first,
        "losses": losses,
    }


# --- the worker ----------------------------------------------------------


def _save(path: Path, state: dict) -> None:
    from .train.checkpoint import save_checkpoint

    save_checkpoint(path, state)


def _load(path: Path, device):
    from .train.checkpoint import load_checkpoint

    return load_checkpoint(path, map_location=device)


def train(args: argparse.Namespace) -> dict | None:
    """The worker: every process runs this; rank 0 returns the result
    (and writes it to ``args.out``), the others return None."""
    import torch
    import torch.distributed as dist
    from torch.nn.parallel import DistributedDataParallel as DDP

    world, device = init_distributed(args.device, timeout_s=args.timeout)
    try:
        train_set, val_set = _datasets(args.data, args.seed)
        local = _check_run(
            args.steps, args.batch_size, world.world_size, len(train_set)
        )
        model = _model(args.data, args.seed, args.dropout).to(device)
        optimizer = _sgd(model, args.lr, args.momentum)
        folder = Path(args.checkpoint_dir) if args.checkpoint_dir else None
        start, losses = 0, []
        if (
            folder is not None
            and args.resume
            and (folder / "last.pt").exists()
        ):
            state = _load(folder / "last.pt", device)
            if (state["world_size"], state["batch_size"]) != (
                world.world_size,
                args.batch_size,
            ):
                raise ValueError(
                    f"cnnbook.distributed: {folder / 'last.pt'} was written "
                    f"by {state['world_size']} processes with global batch "
                    f"{state['batch_size']}; resume with the same (now "
                    f"{world.world_size}, {args.batch_size})"
                )
            model.load_state_dict(state["model"])
            optimizer.load_state_dict(state["optimizer"])
            start, losses = state["step"], list(state["losses"])
            if world.is_main:
                print(
                    f"resumed from {folder / 'last.pt'} at step {start}",
                    flush=True,
                )
        # one process per device: DDP broadcasts rank 0's weights and,
        # during backward, all-reduces the gradients bucket by bucket
        ddp = DDP(model) if world.world_size > 1 else model
        first, began = None, time.perf_counter()
        for epoch, step, idx in _batches_from(
            len(train_set),
            world.world_size,
            world.rank,
            local,
            args.seed,
            start,
        ):
            if step >= args.steps:
                break
            x, y = train_set[idx]
            x = x.to(device, non_blocking=True)
            y = y.to(device, non_blocking=True)
            torch.manual_seed(step_seed(args.seed, step, world.rank))
            loss = _step(ddp, optimizer, x, y)
            if step == 0:
                first = {
                    k: p.grad.detach().cpu().clone()
                    for k, p in model.named_parameters()
                }
            if world.world_size > 1:  # the mean over the global batch
                dist.all_reduce(loss)
                loss /= world.world_size
            losses.append(float(loss))
            done = step + 1
            if world.is_main and (
                done % args.log_every == 0 or done == args.steps
            ):
                rate = (
                    (done - start)
                    * args.batch_size
                    / (time.perf_counter() - began)
                )
                print(
                    f"step {done}/{args.steps} (epoch {epoch + 1}): "
                    f"loss {losses[-1]:.4f}, {rate:.0f} images/s",
                    flush=True,
                )
            if (
                folder is not None
                and args.checkpoint_every
                and (done % args.checkpoint_every == 0)
            ):
                if world.is_main:  # one writer; the others wait for it
                    folder.mkdir(parents=True, exist_ok=True)
                    _save(
                        folder / "last.pt",
                        {
                            "kind": "ddp",
                            "step": done,
                            "model": model.state_dict(),
                            "optimizer": optimizer.state_dict(),
                            "world_size": world.world_size,
                            "batch_size": args.batch_size,
                            "losses": losses,
                        },
                    )
                if world.world_size > 1:
                    dist.barrier()
            if args.stop_after and done == args.stop_after:
                if world.is_main:
                    print(
                        f"stopping after step {done} (--stop-after), as "
                        "if the job had been killed",
                        flush=True,
                    )
                return None
        if not world.is_main:
            return None
        result = _evaluate(model, val_set, device)
        result.update(
            world=asdict(world),
            steps=args.steps,
            batch_size=args.batch_size,
            local_batch=local,
            losses=losses,
            resumed_from=start,
            backend=dist.get_backend() if world.world_size > 1 else None,
            device=str(device),
        )
        print(
            f"validation accuracy {result['val_acc']:.4f} after "
            f"{args.steps} steps of {args.batch_size} images "
            f"({world.world_size} process(es) x {local})",
            flush=True,
        )
        if args.out:
            _save(
                Path(args.out),
                {
                    "kind": "ddp-result",
                    "model": model.state_dict(),
                    "first_gradient": first,
                    **{k: v for k, v in result.items() if k != "model"},
                },
            )
        if args.json:
            Path(args.json).write_text(json.dumps(result, indent=1) + "\n")
        return result
    finally:
        if world.world_size > 1 and dist.is_initialized():
            dist.destroy_process_group()


def _evaluate(model, data, device) -> dict:
    import torch

    model.eval()
    with torch.no_grad():
        x, y = data[torch.arange(len(data))]
        pred = model(x.to(device)).argmax(1).cpu()
    return {"val_acc": float((pred == y).double().mean())}


# --- memory of sharded training ------------------------------------------

# Bytes per parameter of mixed-precision training with Adam (Rajbhandari
# et al. 2020, section 3.1): bf16/fp16 weights (2) and gradients (2); the
# optimizer keeps an fp32 master copy of the weights and Adam's two
# moments (4 + 4 + 4).
SHARDING = ("none", "grad_op", "full")


def training_memory(
    n_params: int,
    world_size: int = 1,
    sharding: str = "none",
    weight_bytes: int = 2,
    grad_bytes: int = 2,
    optimizer_bytes: int = 12,
) -> dict:
    r"""Bytes each device holds for the model state of data-parallel
    training (activations excluded).

    ``sharding``:

    - ``"none"`` (DDP): every device holds everything,
      :math:`(w + g + o)\Psi` for :math:`\Psi` parameters;
    - ``"grad_op"`` (FSDP ``SHARD_GRAD_OP``, ZeRO stage 2): weights whole,
      gradients and optimizer state split W ways,
      :math:`w\Psi + (g + o)\Psi / W`;
    - ``"full"`` (FSDP ``FULL_SHARD``, ZeRO stage 3): everything split,
      :math:`(w + g + o)\Psi / W` (each layer's weights are gathered just
      before they are used and freed after).

    Returns a dict of ``weights``, ``gradients``, ``optimizer`` and
    ``total`` bytes per device.
    """
    func = "training_memory"
    check_int(n_params, "n_params", func, minimum=1)
    check_int(world_size, "world_size", func, minimum=1)
    for name, v in (
        ("weight_bytes", weight_bytes),
        ("grad_bytes", grad_bytes),
        ("optimizer_bytes", optimizer_bytes),
    ):
        check_number(v, name, func, minimum=0)
    if sharding not in SHARDING:
        raise ValueError(
            f"{func}: sharding must be one of {SHARDING}, got {sharding!r}"
        )
    w = weight_bytes * n_params
    g = grad_bytes * n_params
    o = optimizer_bytes * n_params
    if sharding in ("grad_op", "full"):
        g, o = g / world_size, o / world_size
    if sharding == "full":
        w = w / world_size
    return {"weights": w, "gradients": g, "optimizer": o, "total": w + g + o}


@dataclass(frozen=True)
class TransformerConfig:
    """A vision transformer's size: patch size, width, depth, MLP width."""

    patch: int
    width: int
    depth: int
    mlp: int
    image_size: int = 224
    in_channels: int = 3
    num_classes: int = 1000


# ViT-22B (Dehghani et al. 2023, Table 1): width 6144, depth 48, MLP 24576,
# patch 14. The count below is the standard ViT layout with these sizes;
# ViT-22B's own changes (parallel attention and MLP, query/key
# normalization, fewer biases) move it by less than 0.1%: all its norms
# and biases together are about a hundredth of a percent.
VIT_22B = TransformerConfig(patch=14, width=6144, depth=48, mlp=24576)


def transformer_parameters(config: TransformerConfig) -> int:
    r"""Parameters of a ViT encoder, counted layer by layer: per block the
    query/key/value and output projections (:math:`4d^2`, output bias
    :math:`d`), the MLP (:math:`2dm` plus biases :math:`m + d`) and two
    layer norms (:math:`4d`); the patch embedding, the position
    embeddings, a final norm and the classifier."""
    d, m = config.width, config.mlp
    block = 4 * d * d + d + 2 * d * m + m + d + 4 * d
    tokens = (config.image_size // config.patch) ** 2
    embed = config.patch**2 * config.in_channels * d + d + tokens * d
    head = 2 * d + d * config.num_classes + config.num_classes
    return config.depth * block + embed + head


# --- the command line -----------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="torchrun --nproc_per_node=N -m cnnbook.distributed",
        description="Data-parallel training of the simple MNIST CNN on the "
        "book's real digits with DistributedDataParallel.",
    )
    p.add_argument("--data", choices=DATASETS, default="digits8x8")
    p.add_argument(
        "--steps", type=int, default=40, help="optimizer steps in all"
    )
    p.add_argument(
        "--batch-size",
        type=int,
        default=64,
        help="the GLOBAL batch (each process reads batch/W)",
    )
    p.add_argument(
        "--lr",
        type=float,
        default=0.05,
        help="learning rate for the global batch",
    )
    p.add_argument("--momentum", type=float, default=0.9)
    p.add_argument("--dropout", type=float, default=0.0)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--device", choices=("auto", "cuda", "cpu"), default="auto")
    p.add_argument(
        "--checkpoint-dir", default=None, help="rank 0 writes last.pt here"
    )
    p.add_argument(
        "--checkpoint-every",
        type=int,
        default=0,
        help="steps between checkpoints (0: none)",
    )
    p.add_argument(
        "--resume",
        action="store_true",
        help="continue from checkpoint-dir/last.pt if present",
    )
    p.add_argument(
        "--stop-after",
        type=int,
        default=0,
        help="stop after this step without finishing (to "
        "simulate a job that was killed)",
    )
    p.add_argument("--log-every", type=int, default=10)
    p.add_argument(
        "--out",
        default=None,
        help="rank 0 writes the final weights and log here",
    )
    p.add_argument(
        "--json", default=None, help="rank 0 writes the log here as JSON"
    )
    p.add_argument(
        "--timeout",
        type=float,
        default=300.0,
        help="seconds to wait for the other processes",
    )
    return p


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    for name in ("steps", "batch_size", "log_every"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be >= 1")
    if args.lr <= 0 or args.checkpoint_every < 0 or args.stop_after < 0:
        parser.error(
            "--lr must be > 0; --checkpoint-every and --stop-after >= 0"
        )
    if args.resume and not args.checkpoint_dir:
        parser.error("--resume needs --checkpoint-dir")
    train(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
