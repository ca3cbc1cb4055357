"""Sweep of cnnbook.train (besides checkpoints): TrainConfig, what the
Trainer accepts as data, and the helpers around the loop."""

import numpy as np
import pytest
import torch
import torch.nn as nn
from _cases import case, check, counts_as
from torch.utils.data import DataLoader, TensorDataset

from cnnbook.data import ImageDataset
from cnnbook.train import (
    EarlyStopping,
    History,
    TrainConfig,
    Trainer,
    lr_range_test,
    lr_trace,
    seed_everything,
    set_rng_state,
)
from cnnbook.train.compare import SeedRuns, compare_table, run_seeds, verdict

pytestmark = pytest.mark.sweep
SWEEP_MODULE = "train"
TC, TT, TH = "train.config", "train.trainer", "train"


def config_case(name, error, *fragments, **fields):
    return case(TC, name, lambda: TrainConfig(**fields), error, *fragments)


CONFIG = [
    config_case(
        "negative gamma trains with a negative lr",
        ValueError,
        "TrainConfig: gamma",
        "> 0",
        gamma=-0.1,
        scheduler="step",
    ),
    config_case("gamma 0", ValueError, "TrainConfig: gamma", "> 0", gamma=0),
    config_case(
        "plateau factor 1.5 would raise the lr",
        ValueError,
        "TrainConfig: gamma",
        "must be < 1",
        scheduler="plateau",
        gamma=1.5,
    ),
    config_case(
        "negative min_lr",
        ValueError,
        "TrainConfig: min_lr",
        ">= 0",
        min_lr=-1e-3,
        scheduler="cosine",
    ),
    config_case(
        "min_lr above lr",
        ValueError,
        "TrainConfig: min_lr",
        "<= lr (0.1)",
        min_lr=1.0,
        lr=0.1,
        scheduler="cosine",
    ),
    config_case(
        "negative plateau_patience",
        ValueError,
        "TrainConfig: plateau_patience",
        ">= 0",
        plateau_patience=-1,
    ),
    config_case(
        "negative focal_gamma",
        ValueError,
        "TrainConfig: focal_gamma",
        ">= 0",
        focal_gamma=-1,
    ),
    config_case(
        "negative eps", ValueError, "TrainConfig: eps", ">= 0", eps=-1
    ),
    config_case(
        "momentum 1.5",
        ValueError,
        "TrainConfig: momentum",
        "<= 1",
        momentum=1.5,
    ),
    config_case(
        "negative momentum",
        ValueError,
        "TrainConfig: momentum",
        ">= 0",
        momentum=-0.5,
    ),
    config_case(
        "one beta",
        ValueError,
        "TrainConfig: betas",
        "a pair (beta_1, beta_2)",
        betas=(0.9,),
    ),
    config_case(
        "beta 1.5",
        ValueError,
        "TrainConfig: betas[0]",
        "< 1",
        betas=(1.5, 0.9),
    ),
    config_case(
        "nesterov as string",
        TypeError,
        "TrainConfig: nesterov",
        "True or False",
        nesterov="yes",
    ),
    config_case(
        "nesterov without momentum",
        ValueError,
        "TrainConfig: nesterov=True",
        "momentum > 0",
        optimizer="sgd",
        nesterov=True,
        momentum=0.0,
    ),
    config_case(
        "drop_last as string",
        TypeError,
        "TrainConfig: drop_last",
        "True or False",
        drop_last="no",
    ),
    config_case(
        "progress as string",
        TypeError,
        "TrainConfig: progress",
        "True or False",
        progress="no",
    ),
    config_case(
        "evaluate_train as int",
        TypeError,
        "TrainConfig: evaluate_train",
        "True or False",
        evaluate_train=1,
    ),
    config_case(
        "device as int",
        TypeError,
        "TrainConfig: device",
        "a str such as 'cpu'",
        device=0,
    ),
    config_case(
        "a negative class weight",
        ValueError,
        "TrainConfig: class_weights[1]",
        ">= 0",
        class_weights=(1.0, -1.0),
    ),
    config_case(
        "class weights all zero",
        ValueError,
        "TrainConfig: class_weights",
        "all zero",
        class_weights=(0, 0),
    ),
    config_case(
        "a class weight as string",
        TypeError,
        "TrainConfig: class_weights[0]",
        "real number",
        class_weights=("a",),
    ),
    config_case(
        "infinite lr", ValueError, "TrainConfig: lr", "finite", lr=float("inf")
    ),
    config_case(
        "unknown optimizer",
        ValueError,
        "TrainConfig: optimizer",
        "'sgd', 'adam', 'adamw'",
        optimizer="rmsprop",
    ),
    config_case(
        "unknown scheduler",
        ValueError,
        "TrainConfig: scheduler",
        "'step', 'cosine'",
        scheduler="linear",
    ),
    config_case(
        "epochs 0", ValueError, "TrainConfig: epochs", ">= 1", epochs=0
    ),
    config_case(
        "warm-up without cosine",
        ValueError,
        "TrainConfig: warmup_epochs",
        "applies to scheduler='cosine' only",
        warmup_epochs=1,
    ),
    config_case(
        "checkpoint_dir as int",
        TypeError,
        "TrainConfig: checkpoint_dir",
        "must be a path",
        checkpoint_dir=3,
    ),
    case(
        TC,
        "from_dict with an unknown field",
        lambda: TrainConfig.from_dict({"epoch": 3}),
        ValueError,
        "TrainConfig: unknown fields",
        "['epoch']",
    ),
]


def tiny():
    seed_everything(0)
    images = torch.rand(12, 1, 4, 4)
    labels = torch.arange(12) % 3
    model = nn.Sequential(nn.Flatten(), nn.Linear(16, 3))
    return model, images, labels, ImageDataset(images, labels)


CFG = TrainConfig(epochs=1, batch_size=4, progress=False)
ACCEPTS = "a map-style torch Dataset of (image, label) pairs"


def trainer_case(name, error, make_args, *fragments, **kwargs):
    def call():
        model, images, labels, data = tiny()
        Trainer(model, *make_args(images, labels, data), **kwargs)

    return case(TT, name, call, error, *fragments)


class Triples(torch.utils.data.Dataset):
    def __len__(self):
        return 4

    def __getitem__(self, i):
        return torch.zeros(1, 4, 4), 0, "extra"


TRAINER = [
    trainer_case(
        "train_data an (images, labels) tuple",
        TypeError,
        lambda x, y, d: ((x, y),),
        "Trainer: train_data",
        ACCEPTS,
        "wrap (images, labels) as ImageDataset",
        config=CFG,
    ),
    trainer_case(
        "train_data a bare array",
        TypeError,
        lambda x, y, d: (x.numpy(),),
        "Trainer: train_data",
        ACCEPTS,
        "got ndarray",
        config=CFG,
    ),
    trainer_case(
        "train_data a bare tensor",
        TypeError,
        lambda x, y, d: (x,),
        "Trainer: train_data",
        ACCEPTS,
        "got Tensor",
        config=CFG,
    ),
    trainer_case(
        "train_data a list of pairs",
        TypeError,
        lambda x, y, d: ([(x[0], 0)] * 8,),
        "Trainer: train_data",
        ACCEPTS,
        "got list",
        config=CFG,
    ),
    trainer_case(
        "train_data a DataLoader",
        TypeError,
        lambda x, y, d: (DataLoader(d, 4),),
        "Trainer: train_data",
        "got a DataLoader",
        "pass its .dataset",
        config=CFG,
    ),
    trainer_case(
        "val_data a tuple",
        TypeError,
        lambda x, y, d: (d, (x, y)),
        "Trainer: val_data",
        ACCEPTS,
        config=CFG,
    ),
    trainer_case(
        "items of three values",
        TypeError,
        lambda x, y, d: (Triples(),),
        "Trainer: train_data[0]",
        "an (image, label) pair",
        "tuple of length 3",
        config=CFG,
    ),
    trainer_case(
        "an empty dataset",
        ValueError,
        lambda x, y, d: (TensorDataset(x[:0], y[:0]),),
        "Trainer: train_data",
        "empty (0 examples)",
        config=CFG,
    ),
    trainer_case(
        "a batch larger than the data",
        ValueError,
        lambda x, y, d: (d,),
        "Trainer: batch_size=64",
        "at most 12",
        config=TrainConfig(progress=False),
    ),
    trainer_case(
        "config as a dict",
        TypeError,
        lambda x, y, d: (d, None, {"epochs": 1}),
        "Trainer: config",
        "must be a TrainConfig",
    ),
    trainer_case(
        "callbacks None",
        TypeError,
        lambda x, y, d: (d,),
        "Trainer: callbacks",
        "f(trainer, record)",
        config=CFG,
        callbacks=None,
    ),
    trainer_case(
        "a callback that is not callable",
        TypeError,
        lambda x, y, d: (d,),
        "Trainer: callbacks[1]",
        "must be callable",
        config=CFG,
        callbacks=[print, "print"],
    ),
    trainer_case(
        "loss_fn not callable",
        TypeError,
        lambda x, y, d: (d,),
        "Trainer: loss_fn",
        "must be callable",
        config=CFG,
        loss_fn=3,
    ),
    trainer_case(
        "labels beyond the model's outputs",
        ValueError,
        lambda x, y, d: (ImageDataset(x, y + 1),),
        "Trainer: train_data has labels 1..3",
        "the model has 3 outputs",
        config=CFG,
    ),
    trainer_case(
        "patience without val_data",
        ValueError,
        lambda x, y, d: (d,),
        "Trainer: patience",
        "pass val_data",
        config=TrainConfig(epochs=1, batch_size=4, patience=2),
    ),
    trainer_case(
        "unknown device",
        ValueError,
        lambda x, y, d: (d,),
        "Trainer: device 'gpu0'",
        "is not a device name",
        config=TrainConfig(batch_size=4, device="gpu0"),
    ),
]


def trainer():
    model, _, _, data = tiny()
    return Trainer(model, data, None, CFG)


HELPERS = [
    case(
        TH,
        "EarlyStopping.step of a string",
        lambda: EarlyStopping(2).step("x"),
        TypeError,
        "EarlyStopping.step: value",
        "must be a number",
    ),
    case(
        TH,
        "EarlyStopping.step of NaN",
        lambda: EarlyStopping(2).step(float("nan")),
        ValueError,
        "EarlyStopping",
        "is NaN",
    ),
    case(
        TH,
        "EarlyStopping.load_state_dict of {}",
        lambda: EarlyStopping(2).load_state_dict({}),
        ValueError,
        "EarlyStopping.load_state_dict: state lacks the keys",
        "'best_epoch'",
    ),
    case(
        TH,
        "EarlyStopping patience 0",
        lambda: EarlyStopping(0),
        ValueError,
        "EarlyStopping: patience",
        ">= 1",
    ),
    case(
        TH,
        "History of ints",
        lambda: History([1, 2]),
        TypeError,
        "History: records[0]",
        "a dict of column -> value",
    ),
    case(
        TH,
        "History.append of a list",
        lambda: History().append([("epoch", 1)]),
        TypeError,
        "History.append: record",
        "a dict of column -> value",
    ),
    case(
        TH,
        "History.best_epoch mode 'median'",
        lambda: History([{"epoch": 1, "v": 1.0}]).best_epoch("v", "median"),
        ValueError,
        "History.best_epoch: mode",
        "'min', 'max'",
    ),
    case(
        TH,
        "History.best_epoch of only NaN",
        lambda: History([{"epoch": 1, "v": float("nan")}]).best_epoch("v"),
        ValueError,
        "History.best_epoch: column 'v' holds only NaN",
        "no best epoch",
    ),
    case(
        TH,
        "History.table of an unknown column",
        lambda: History([{"epoch": 1}]).table(["nope"]),
        ValueError,
        "History.table: columns ['nope']",
        "its columns are ['epoch']",
    ),
    case(
        TH,
        "History column that is not there",
        lambda: History([{"epoch": 1}])["val_loss"],
        KeyError,
        "History has no column 'val_loss'",
        "columns: ['epoch']",
    ),
    case(
        TH,
        "History.from_dict of a list",
        lambda: History.from_dict([]),
        ValueError,
        "History.from_dict",
        "{'records': [...]}",
    ),
    case(
        TH,
        "set_rng_state of {}",
        lambda: set_rng_state({}),
        ValueError,
        "set_rng_state: state lacks the keys",
        "'torch'",
    ),
    case(
        TH,
        "seed_everything negative",
        lambda: seed_everything(-1),
        ValueError,
        "seed_everything: seed",
        ">= 0",
    ),
    case(
        TH,
        "SeedRuns of no scores",
        lambda: SeedRuns("a", []),
        ValueError,
        "SeedRuns: scores is empty",
        "at least one seed",
    ),
    case(
        TH,
        "SeedRuns a NaN score",
        lambda: SeedRuns("a", [0.9, np.nan]),
        ValueError,
        "SeedRuns: scores[1]",
        "finite",
    ),
    case(
        TH,
        "SeedRuns name as int",
        lambda: SeedRuns(1, [0.9]),
        TypeError,
        "SeedRuns: name",
        "must be a str",
    ),
    case(
        TH,
        "run_seeds of a number",
        lambda: run_seeds("a", 5, [0]),
        TypeError,
        "run_seeds: train_and_score",
        "must be callable",
    ),
    case(
        TH,
        "run_seeds seeds None",
        lambda: run_seeds("a", float, None),
        TypeError,
        "run_seeds: seeds",
        "int seeds",
    ),
    case(
        TH,
        "verdict of lists",
        lambda: verdict([1.0], SeedRuns("b", [1.0])),
        TypeError,
        "verdict: a",
        "must be SeedRuns",
    ),
    case(
        TH,
        "verdict negative resolution",
        lambda: verdict(SeedRuns("a", [1.0]), SeedRuns("b", [1.0]), -1),
        ValueError,
        "verdict: resolution",
        ">= 0",
    ),
    case(
        TH,
        "compare_table of nothing",
        lambda: compare_table([]),
        ValueError,
        "compare_table: runs is empty",
        "at least one",
    ),
    case(
        TH,
        "compare_table of a dict",
        lambda: compare_table([{"name": "a"}]),
        TypeError,
        "compare_table: runs[0]",
        "must be SeedRuns",
    ),
    case(
        TH,
        "lr_range_test of something other than a step function",
        lambda: lr_range_test(5),
        TypeError,
        "lr_range_test: train_step",
        "must be callable",
    ),
    case(
        TH,
        "find_lr end below start",
        lambda: trainer().find_lr(start_lr=1.0, end_lr=0.1),
        ValueError,
        "Trainer.find_lr: end_lr",
        "> 1.0",
    ),
    case(
        TH,
        "find_lr diverge 0",
        lambda: trainer().find_lr(diverge=0),
        ValueError,
        "Trainer.find_lr: diverge",
        "> 1",
    ),
    case(
        TH,
        "find_lr two steps",
        lambda: trainer().find_lr(num_steps=2),
        ValueError,
        "Trainer.find_lr: num_steps",
        ">= 3",
    ),
    case(
        TH,
        "lr_trace of a plateau schedule",
        lambda: lr_trace(TrainConfig(scheduler="plateau"), 10),
        ValueError,
        "lr_trace: 'plateau'",
        "depends on the validation losses",
    ),
    case(
        TH,
        "load_best without a checkpoint_dir",
        lambda: trainer().load_best(),
        ValueError,
        "Trainer.load_best",
        "no checkpoint_dir in the config",
    ),
]


@pytest.mark.parametrize("c", CONFIG + TRAINER + HELPERS)
def test_bad_input_is_refused_by_name(c):
    check(c)


@counts_as(TT)
def test_a_dataset_of_tensors_is_accepted():
    # what the refusals point to works: the same arrays, wrapped
    model, images, labels, _ = tiny()
    history = Trainer(model, TensorDataset(images, labels), None, CFG).fit()
    assert len(history) == 1
