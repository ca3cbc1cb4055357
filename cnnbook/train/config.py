"""The training configuration: one dataclass, every default commented."""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from typing import Any

from .._validation import check_bool, check_choice, check_int, check_number

__all__ = ["OPTIMIZERS", "SCHEDULERS", "TrainConfig"]

OPTIMIZERS = ("sgd", "adam", "adamw")
SCHEDULERS = (None, "step", "cosine", "onecycle", "plateau")
LOSSES = ("cross_entropy", "focal")


def _check_plain(value, name: str, func: str) -> None:
    """Only values that ``torch.load(weights_only=True)`` reads back."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return
    if isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            _check_plain(v, f"{name}[{i}]", func)
        return
    if isinstance(value, dict):
        for k, v in value.items():
            if not isinstance(k, str):
                raise TypeError(f"{func}: keys of {name} must be str")
            _check_plain(v, f"{name}[{k!r}]", func)
        return
    raise TypeError(
        f"{func}: {name} must hold plain values (str, numbers, "
        f"lists, dicts), got {type(value).__name__}"
    )


@dataclass
class TrainConfig:
    """Everything a run needs besides the model and the data.

    The defaults are the encyclopedia's (section 7) where it gives one:
    Adam with lr 1e-3, betas (0.9, 0.999), eps 1e-8; step decay by 0.1
    every 30 epochs; label smoothing 0.1 when enabled; patience 10.
    """

    # --- the loop ---
    epochs: int = 10  # passes over the training set
    batch_size: int = 64  # images per gradient step
    drop_last: bool = False  # drop a final, smaller batch
    seed: int = 0  # seeds weights' RNG, shuffling, dropout, augmentation
    device: str = "cpu"  # "cpu", "cuda", "cuda:1", "mps" or "auto"

    # --- speed (chapter 14) ---
    precision: str = "fp32"  # "fp32", "tf32", "bf16", "fp16" or "auto"
    channels_last: bool = False  # NHWC weights and batches
    compile: bool = False  # torch.compile the model (first batch compiles)
    num_workers: int = 0  # DataLoader worker processes
    pin_memory: bool | None = None  # page-locked batches; None: on CUDA

    # --- optimizer (section 7, step 4) ---
    optimizer: str = "adam"  # one of OPTIMIZERS
    lr: float = 1e-3  # learning rate eta (the peak rate for "onecycle")
    betas: tuple[float, float] = (0.9, 0.999)  # Adam's beta_1, beta_2
    eps: float = 1e-8  # Adam's epsilon
    momentum: float = 0.9  # SGD only
    nesterov: bool = False  # SGD only
    weight_decay: float = 0.0  # L2 (adam, sgd) or decoupled (adamw)
    grad_clip: float | None = None  # clip the gradient norm to this

    # --- learning-rate schedule (section 7, step 5) ---
    scheduler: str | None = None  # one of SCHEDULERS; None: constant lr
    step_size: int = 30  # "step": epochs between decays (s)
    gamma: float = 0.1  # "step": decay factor; "plateau": factor
    min_lr: float = 0.0  # "cosine": eta_min
    warmup_epochs: int = 0  # "cosine": linear warm-up first
    pct_start: float = 0.3  # "onecycle": fraction of steps going up
    plateau_patience: int = 2  # "plateau": epochs without improvement

    # --- loss (section 7, step 3) ---
    loss: str = "cross_entropy"  # or "focal"
    label_smoothing: float = 0.0  # epsilon; 0.1 is the usual choice
    focal_gamma: float = 2.0  # "focal": gamma of (1 - p_t)^gamma
    class_weights: str | tuple[float, ...] | None = None  # or "balanced"

    # --- monitoring, early stopping, checkpoints (section 7) ---
    patience: int | None = None  # stop after this many epochs without
    #                              a new best validation loss; None: never
    min_delta: float = 0.0  # an improvement must beat the best by this
    evaluate_train: bool = False  # also measure the training loss in eval
    #                               mode without augmentation, each epoch
    checkpoint_dir: str | None = None  # best.pt, last.pt, history.json
    progress: bool | None = None  # tqdm bars; None: on unless $CI is set
    #                               or $CNNBOOK_PROGRESS=0
    extra: dict = field(default_factory=dict)  # free-form notes, saved

    def __post_init__(self):
        func = "TrainConfig"
        check_int(self.epochs, "epochs", func, minimum=1)
        check_int(self.batch_size, "batch_size", func, minimum=1)
        check_int(self.seed, "seed", func, minimum=0)
        check_int(self.num_workers, "num_workers", func, minimum=0)
        from .precision import PRECISIONS

        check_choice(self.precision, "precision", func, PRECISIONS)
        check_bool(self.channels_last, "channels_last", func)
        check_bool(self.compile, "compile", func)
        if self.pin_memory is not None:
            check_bool(self.pin_memory, "pin_memory", func)
        check_number(self.lr, "lr", func, minimum=0, strict_minimum=True)
        check_number(self.weight_decay, "weight_decay", func, minimum=0)
        check_number(
            self.label_smoothing, "label_smoothing", func, minimum=0, maximum=1
        )
        check_number(self.min_delta, "min_delta", func, minimum=0)
        check_int(self.warmup_epochs, "warmup_epochs", func, minimum=0)
        check_int(self.step_size, "step_size", func, minimum=1)
        check_number(self.pct_start, "pct_start", func, minimum=0, maximum=1)
        check_choice(self.optimizer, "optimizer", func, OPTIMIZERS)
        check_choice(self.scheduler, "scheduler", func, SCHEDULERS)
        check_choice(self.loss, "loss", func, LOSSES)
        self._check_hyperparameters(func)
        if self.patience is not None:
            check_int(self.patience, "patience", func, minimum=1)
        if self.grad_clip is not None:
            check_number(
                self.grad_clip,
                "grad_clip",
                func,
                minimum=0,
                strict_minimum=True,
            )
        if self.warmup_epochs and self.scheduler != "cosine":
            raise ValueError(
                f"{func}: warmup_epochs applies to scheduler='cosine' only"
            )
        if self.warmup_epochs >= self.epochs:
            raise ValueError(f"{func}: warmup_epochs must be < epochs")
        weights = self.class_weights
        if isinstance(weights, list):
            self.class_weights = weights = tuple(weights)
        if not (
            weights is None
            or weights == "balanced"
            or isinstance(weights, tuple)
        ):
            raise ValueError(
                f"{func}: class_weights must be None, "
                f"'balanced' or a sequence, got {weights!r}"
            )
        self.betas = tuple(self.betas)
        if self.checkpoint_dir is not None:
            if not isinstance(self.checkpoint_dir, (str, os.PathLike)):
                raise TypeError(
                    f"{func}: checkpoint_dir must be a path, "
                    f"got {type(self.checkpoint_dir).__name__}"
                )
            self.checkpoint_dir = os.fspath(self.checkpoint_dir)
        _check_plain(self.extra, "extra", func)

    def _check_hyperparameters(self, func: str) -> None:
        """The values PyTorch's optimizers and schedulers would take
        without complaint and then train with a negative or growing
        learning rate, or that they refuse with a message that does not
        name the config's field."""
        for name in ("drop_last", "nesterov", "evaluate_train"):
            check_bool(getattr(self, name), name, func)
        if self.progress is not None:
            check_bool(self.progress, "progress", func)
        if not isinstance(self.device, str):
            raise TypeError(
                f"{func}: device must be a str such as 'cpu', "
                f"'cuda' or 'auto', got "
                f"{type(self.device).__name__}"
            )
        # gamma multiplies the learning rate: <= 0 makes it 0 or negative
        check_number(self.gamma, "gamma", func, minimum=0, strict_minimum=True)
        if self.scheduler == "plateau" and self.gamma >= 1:
            raise ValueError(
                f"{func}: gamma is the factor that "
                "scheduler='plateau' shrinks the learning rate "
                f"by, so it must be < 1, got {self.gamma}"
            )
        check_number(self.min_lr, "min_lr", func, minimum=0)
        if self.min_lr > self.lr:  # a floor above the peak
            raise ValueError(
                f"{func}: min_lr must be <= lr ({self.lr}), got {self.min_lr}"
            )
        check_int(self.plateau_patience, "plateau_patience", func, minimum=0)
        check_number(self.focal_gamma, "focal_gamma", func, minimum=0)
        check_number(self.eps, "eps", func, minimum=0)
        check_number(self.momentum, "momentum", func, minimum=0, maximum=1)
        if self.nesterov and self.optimizer == "sgd" and not self.momentum:
            raise ValueError(f"{func}: nesterov=True needs momentum > 0")
        if not isinstance(self.betas, (tuple, list)) or len(self.betas) != 2:
            raise ValueError(
                f"{func}: betas must be a pair (beta_1, "
                f"beta_2), got {self.betas!r}"
            )
        for i, beta in enumerate(self.betas):
            check_number(beta, f"betas[{i}]", func, minimum=0)
            if beta >= 1:
                raise ValueError(f"{func}: betas[{i}] must be < 1, got {beta}")
        if isinstance(self.class_weights, (tuple, list)):
            for i, w in enumerate(self.class_weights):
                check_number(w, f"class_weights[{i}]", func, minimum=0)
            if not any(self.class_weights):
                raise ValueError(f"{func}: class_weights are all zero")

    def to_dict(self) -> dict:
        """Plain values only (saved in checkpoints)."""
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, values: dict) -> TrainConfig:
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"TrainConfig: unknown fields {unknown}")
        return cls(**values)

    def replace(self, **changes: Any) -> TrainConfig:
        """A copy with some fields changed (``dataclasses.replace``)."""
        return dataclasses.replace(self, **changes)

    def shows_progress(self) -> bool:
        """Whether to draw progress bars: ``progress`` if set, else yes
        unless the environment says otherwise ($CI set, as on CI
        machines, where bars only fill the log; or $CNNBOOK_PROGRESS=0).
        """
        if self.progress is not None:
            return bool(self.progress)
        return (
            not os.environ.get("CI")
            and os.environ.get("CNNBOOK_PROGRESS", "1") != "0"
        )
