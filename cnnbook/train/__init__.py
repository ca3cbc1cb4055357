"""Training in PyTorch: a configurable, resumable, device-agnostic loop.

``Trainer(model, train_data, val_data, TrainConfig(...)).fit()`` returns a
:class:`History`; see :mod:`cnnbook.train.trainer`. Importing this package
imports torch (``import cnnbook`` alone does not).
"""

from .checkpoint import (
    check_compatible,
    load_checkpoint,
    load_model_weights,
    save_checkpoint,
)
from .config import OPTIMIZERS, SCHEDULERS, TrainConfig
from .distill import DistillationTrainer
from .early_stopping import (
    EarlyStopping,
    encyclopedia_stop_epoch,
    patience_stop_epoch,
)
from .history import History
from .losses import (
    FocalLoss,
    class_weights,
    distillation_loss,
    focal_loss,
    smooth_targets,
)
from .lr_finder import LRFinderResult, find_lr
from .metrics import (
    accuracy,
    balanced_accuracy,
    confusion_matrix,
    per_class_recall,
)
from .schedules import build_scheduler, cosine_annealing, lr_trace, step_decay
from .seeding import get_rng_state, seed_everything, set_rng_state
from .trainer import Criterion, Trainer, build_optimizer, resolve_device

__all__ = [
    "OPTIMIZERS",
    "SCHEDULERS",
    "Criterion",
    "DistillationTrainer",
    "EarlyStopping",
    "FocalLoss",
    "History",
    "LRFinderResult",
    "TrainConfig",
    "Trainer",
    "accuracy",
    "balanced_accuracy",
    "build_optimizer",
    "build_scheduler",
    "check_compatible",
    "class_weights",
    "confusion_matrix",
    "cosine_annealing",
    "distillation_loss",
    "encyclopedia_stop_epoch",
    "find_lr",
    "focal_loss",
    "get_rng_state",
    "load_checkpoint",
    "load_model_weights",
    "lr_trace",
    "patience_stop_epoch",
    "per_class_recall",
    "resolve_device",
    "save_checkpoint",
    "seed_everything",
    "set_rng_state",
    "smooth_targets",
    "step_decay",
]
