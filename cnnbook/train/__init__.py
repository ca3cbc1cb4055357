"""Training in PyTorch: a configurable, resumable, device-agnostic loop.

``Trainer(model, train_data, val_data, TrainConfig(...)).fit()`` returns a
:class:`History`; see :mod:`cnnbook.train.trainer`. Importing this package
imports torch (``import cnnbook`` alone does not). The formulas it
trains with are written once, in numpy: learning-rate schedules in
:mod:`cnnbook.schedules`, losses in :mod:`cnnbook.losses` (PyTorch's
modules for them in :mod:`cnnbook.train.criteria`), metrics in
:mod:`cnnbook.metrics`.
"""

from .checkpoint import (
    check_compatible,
    load_checkpoint,
    load_model_weights,
    save_checkpoint,
)
from .config import OPTIMIZERS, SCHEDULERS, TrainConfig
from .criteria import DistillationLoss, FocalLoss, class_weights
from .distill import DistillationTrainer
from .early_stopping import (
    EarlyStopping,
    encyclopedia_stop_epoch,
    patience_stop_epoch,
)
from .history import History
from .lr_finder import LRFinderResult, lr_range_test
from .schedules import PER_BATCH, build_scheduler, lr_trace
from .seeding import get_rng_state, seed_everything, set_rng_state
from .trainer import Criterion, Trainer, build_optimizer, resolve_device

__all__ = [
    "OPTIMIZERS",
    "PER_BATCH",
    "SCHEDULERS",
    "Criterion",
    "DistillationLoss",
    "DistillationTrainer",
    "EarlyStopping",
    "FocalLoss",
    "History",
    "LRFinderResult",
    "TrainConfig",
    "Trainer",
    "build_optimizer",
    "build_scheduler",
    "check_compatible",
    "class_weights",
    "encyclopedia_stop_epoch",
    "get_rng_state",
    "load_checkpoint",
    "load_model_weights",
    "lr_range_test",
    "lr_trace",
    "patience_stop_epoch",
    "resolve_device",
    "save_checkpoint",
    "seed_everything",
    "set_rng_state",
]
