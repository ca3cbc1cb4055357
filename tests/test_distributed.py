"""Data-parallel training for real, on the CPU: torchrun starts the
processes, gloo all-reduces their gradients over the loopback interface.

Each launch costs seconds (every process imports torch), so there are
three: the uninterrupted run, started as two "machines" on one host,
which both tests compare with; and a run on one machine killed after
step 5 and resumed from its checkpoint. The runs are short (six steps
of the 8 x 8 digits).
"""

import os
import subprocess
import sys

import pytest
import torch
from torch import nn

from cnnbook import distributed
from cnnbook.train.checkpoint import load_checkpoint

STEPS, BATCH, LR = 6, 32, 0.05
# float32 sums in another order (each process sums half the batch, then
# the two halves are added) differ in the last bits; after six steps of
# SGD the weights of the two runs stay within this of each other.
ATOL = 1e-5


def _env():
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONHASHSEED": "0"}
    env.pop("WORLD_SIZE", None)
    return env


def _torchrun(launcher_args, worker_args, timeout=240):
    cmd = [
        sys.executable,
        "-m",
        "torch.distributed.run",
        *launcher_args,
        "-m",
        "cnnbook.distributed",
        *worker_args,
    ]
    return subprocess.Popen(
        cmd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=_env(),
    )


def _finish(proc, timeout=240):
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, _ = proc.communicate()
        pytest.fail(f"torchrun did not finish in {timeout} s:\n{out}")
    assert proc.returncode == 0, out
    return out


def _one_node(tmp, name, *extra, nproc=2):
    out = tmp / f"{name}.pt"
    launcher = [
        f"--nproc_per_node={nproc}",
        "--nnodes=1",
        "--master_addr=127.0.0.1",
        f"--master_port={distributed.free_port()}",
    ]
    worker = [
        "--steps",
        str(STEPS),
        "--batch-size",
        str(BATCH),
        "--lr",
        str(LR),
        "--device",
        "cpu",
        "--log-every",
        "2",
        "--out",
        str(out),
        *extra,
    ]
    log = _finish(_torchrun(launcher, worker))
    return out, log


@pytest.fixture(scope="module")
def two_processes(tmp_path_factory):
    """The uninterrupted run: 2 processes x 16 images per step, started as
    two "machines" on one host: two torchrun launches (--nnodes=2, one
    process each) meeting at a c10d rendezvous on the loopback address.
    (Each launch costs seconds, so this one run serves every test.)"""
    tmp = tmp_path_factory.mktemp("ddp")
    port = distributed.free_port()
    out = tmp / "nodes.pt"
    procs = []
    for node in range(2):
        launcher = [
            "--nnodes=2",
            "--nproc_per_node=1",
            "--rdzv-backend=c10d",
            f"--rdzv-endpoint=127.0.0.1:{port}",
            "--rdzv-id=cnnbook-test",
            f"--rdzv-conf=is_host={int(node == 0)}",
        ]
        worker = [
            "--steps",
            str(STEPS),
            "--batch-size",
            str(BATCH),
            "--lr",
            str(LR),
            "--device",
            "cpu",
            "--log-every",
            "2",
            "--out",
            str(out),
        ]
        procs.append(_torchrun(launcher, worker))
    logs = [_finish(p) for p in procs]
    return load_checkpoint(out), logs


@pytest.fixture(scope="module")
def one_process():
    """The same steps in one process, on the combined batches."""
    return distributed.reference_run(
        "digits8x8", steps=STEPS, global_batch=BATCH, world_size=2, lr=LR
    )


def _max_difference(a: dict, b: dict) -> float:
    assert a.keys() == b.keys()
    return max(float((a[k].float() - b[k].float()).abs().max()) for k in a)


def test_two_machines_equal_one_process_on_the_whole_batch(
    two_processes, one_process
):
    result, logs = two_processes
    assert result["world"]["world_size"] == 2
    assert result["backend"] == "gloo" and result["local_batch"] == 16
    log = "".join(logs)
    assert "step 6/6" in log  # rank 0 logs ...
    assert log.count("validation accuracy") == 1  # ... and only rank 0
    # all-reduce: the mean of the two processes' gradients is the
    # gradient of the mean loss over the 32 images of the global batch
    grad_gap = _max_difference(
        result["first_gradient"], one_process["first_gradient"]
    )
    assert grad_gap < 1e-6
    weight_gap = _max_difference(result["model"], one_process["weights"])
    assert weight_gap < ATOL
    # and the run really moved: the weights are far from the initial ones
    initial = distributed._model("digits8x8", 0, 0.0).state_dict()
    assert _max_difference(result["model"], initial) > 1000 * ATOL
    assert result["losses"] == pytest.approx(one_process["losses"], abs=1e-5)


def test_an_interrupted_and_resumed_run_ends_where_an_uninterrupted_one_does(
    two_processes, tmp_path
):
    # one machine, two processes; killed after step 5: the last
    # checkpoint is the one of step 4
    folder = tmp_path / "ckpt"
    _, log = _one_node(
        tmp_path,
        "stopped",
        "--checkpoint-dir",
        str(folder),
        "--checkpoint-every",
        "2",
        "--stop-after",
        "5",
    )
    assert "stopping after step 5" in log
    assert not (tmp_path / "stopped.pt").exists()
    assert load_checkpoint(folder / "last.pt")["step"] == 4
    out, log = _one_node(
        tmp_path,
        "resumed",
        "--checkpoint-dir",
        str(folder),
        "--checkpoint-every",
        "2",
        "--resume",
    )
    assert "resumed from" in log and "at step 4" in log
    resumed = load_checkpoint(out)
    assert resumed["resumed_from"] == 4
    assert resumed["world"]["world_size"] == 2
    # the same operations in the same order (two ranks, gloo, whether
    # on one machine or two): equal to the last bit
    assert _max_difference(resumed["model"], two_processes[0]["model"]) == 0
    assert resumed["losses"] == two_processes[0]["losses"]


def test_the_global_batches_are_the_ranks_batches_side_by_side():
    n, world, local = 100, 4, 6
    ranks = [
        distributed.rank_batches(n, world, r, local, seed=3, epoch=1)
        for r in range(world)
    ]
    merged = distributed.global_batches(n, world, local, seed=3, epoch=1)
    # 100 images: 25 per rank, 4 local batches of 6 each (1 dropped)
    assert [len(b) for b in ranks] == [4] * 4 and len(merged) == 4
    for step, batch in enumerate(merged):
        assert torch.equal(batch, torch.cat([r[step] for r in ranks]))
    seen = torch.cat(merged)
    assert len(seen) == len(set(seen.tolist())) == 96  # no image twice
    # another epoch, another order; the same epoch, the same order
    other = distributed.global_batches(n, world, local, seed=3, epoch=2)
    assert not torch.equal(torch.cat(other), seen)
    assert torch.equal(
        torch.cat(distributed.global_batches(n, world, local, 3, 1)), seen
    )


def test_world_from_env():
    assert distributed.world_from_env({}) == distributed.World(0, 0, 1)
    w = distributed.world_from_env(
        {"RANK": "3", "LOCAL_RANK": "1", "WORLD_SIZE": "4"}
    )
    assert (w.rank, w.local_rank, w.world_size, w.is_main) == (3, 1, 4, False)
    with pytest.raises(ValueError, match="RANK < WORLD_SIZE"):
        distributed.world_from_env({"RANK": "4", "WORLD_SIZE": "4"})
    with pytest.raises(ValueError, match="integers"):
        distributed.world_from_env({"RANK": "x"})


def test_command_line_and_run_errors():
    for argv in (
        ["--steps", "0"],
        ["--resume"],
        ["--lr", "0"],
        ["--data", "cifar"],
    ):
        with pytest.raises(SystemExit):
            distributed.main(argv)
    with pytest.raises(ValueError, match="must divide by the number"):
        distributed.reference_run(global_batch=33, world_size=2, steps=1)
    with pytest.raises(ValueError, match="larger than the training set"):
        distributed.reference_run(global_batch=4000, world_size=2, steps=1)


def test_training_memory_arithmetic():
    psi = 1_000_000
    ddp = distributed.training_memory(psi, world_size=8)
    assert ddp == {
        "weights": 2 * psi,
        "gradients": 2 * psi,
        "optimizer": 12 * psi,
        "total": 16 * psi,
    }
    zero2 = distributed.training_memory(psi, 8, "grad_op")
    assert zero2["total"] == 2 * psi + 14 * psi / 8
    full = distributed.training_memory(psi, 8, "full")
    assert full["total"] == 16 * psi / 8
    assert distributed.training_memory(psi, 1, "full") == ddp
    with pytest.raises(ValueError, match="sharding must be one of"):
        distributed.training_memory(psi, 2, "zero3")
    with pytest.raises(ValueError, match="world_size"):
        distributed.training_memory(psi, 0)


class _TinyViT(nn.Module):
    """A ViT encoder built from torch layers, to count its parameters."""

    def __init__(self, c: distributed.TransformerConfig):
        super().__init__()
        d, tokens = c.width, (c.image_size // c.patch) ** 2
        self.embed = nn.Conv2d(c.in_channels, d, c.patch, c.patch)
        self.position = nn.Parameter(torch.zeros(tokens, d))
        self.blocks = nn.ModuleList()
        for _ in range(c.depth):
            self.blocks.append(
                nn.ModuleDict(
                    {
                        "norm1": nn.LayerNorm(d),
                        "qkv": nn.Linear(d, 3 * d, bias=False),  # as ViT-22B
                        "out": nn.Linear(d, d),
                        "norm2": nn.LayerNorm(d),
                        "fc1": nn.Linear(d, c.mlp),
                        "fc2": nn.Linear(c.mlp, d),
                    }
                )
            )
        self.norm = nn.LayerNorm(d)
        self.head = nn.Linear(d, c.num_classes)


def test_transformer_parameters_counts_a_built_model():
    config = distributed.TransformerConfig(
        patch=4, width=24, depth=3, mlp=96, image_size=32, num_classes=10
    )
    built = sum(p.numel() for p in _TinyViT(config).parameters())
    assert distributed.transformer_parameters(config) == built
    # ViT-22B: 22 billion to the nearest billion, as its name says
    assert (
        round(distributed.transformer_parameters(distributed.VIT_22B) / 1e9)
        == 22
    )
