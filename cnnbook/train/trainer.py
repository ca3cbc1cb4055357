"""The Trainer: the training loop of section 7, step 6, with what a
practitioner needs around it.

Each epoch: shuffle, then for every batch forward, loss, backward, update
(and step the schedule); then measure the validation set, record a row in
the :class:`~cnnbook.train.History`, save ``last.pt`` (everything needed
to resume) and, on a new best validation loss, ``best.pt``; stop early when
the validation loss has not improved for ``patience`` epochs.

Device-agnostic: the model and each batch go to ``config.device``; random
parameters are drawn on the CPU. Reproducible on a CPU: one seed fixes the
shuffling, dropout and augmentation, and a resumed run continues the same
random streams, so an interrupted and resumed run ends with the same
weights, bit for bit, as an uninterrupted one.
"""

from __future__ import annotations

import copy
import math
import os
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.profiler import record_function
from torch.utils.data import (
    BatchSampler,
    DataLoader,
    Dataset,
    RandomSampler,
    SequentialSampler,
)

from .. import metrics
from .._atomic import check_writable_folder, remove_leftovers
from .._validation import as_list, check_callable, check_keys
from .checkpoint import (
    check_compatible,
    load_checkpoint,
    save_checkpoint,
)
from .config import TrainConfig
from .criteria import FocalLoss, class_weights
from .early_stopping import EarlyStopping
from .history import History
from .lr_finder import LRFinderResult, _check_sweep, lr_range_test
from .precision import autocast, grad_scaler, resolve_precision, use_tf32
from .progress import _Progress
from .schedules import PER_BATCH, build_scheduler
from .seeding import get_rng_state, seed_everything, set_rng_state

__all__ = ["Criterion", "Trainer", "build_optimizer", "resolve_device"]

# Fields that may differ between a checkpoint's config and a resumed run.
# (How fast a run computes may change between machines; what it
# computes may not.)
_RESUMABLE = {
    "progress",
    "device",
    "checkpoint_dir",
    "extra",
    "precision",
    "channels_last",
    "compile",
    "num_workers",
    "pin_memory",
}
# The files a run writes in its checkpoint folder.
_FILES = ("best.pt", "last.pt", "history.json")
# What state_dict() saves in last.pt, all of which resuming reads.
_LAST_KEYS = (
    "kind",
    "epoch",
    "model",
    "optimizer",
    "scheduler",
    "stopper",
    "best_val_loss",
    "stopped_early",
    "history",
    "config",
    "rng",
    "sampler_rng",
    "transforms",
    "scaler",
)


def resolve_device(name: str | torch.device) -> torch.device:
    """``"auto"`` -> CUDA if present, else Apple's MPS, else the CPU."""
    if name == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        mps = getattr(torch.backends, "mps", None)
        if mps is not None and mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    try:
        device = torch.device(name)
    except (RuntimeError, TypeError) as err:
        raise ValueError(
            f"Trainer: device {name!r} is not a device name "
            "('cpu', 'cuda', 'cuda:1', 'mps', 'auto')"
        ) from err
    if device.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(
            f"Trainer: device {name!r} requested but CUDA is "
            "not available; use 'cpu' or 'auto'"
        )
    return device


def build_optimizer(
    params: Iterable[torch.nn.Parameter], config: TrainConfig
) -> torch.optim.Optimizer:
    """The optimizer ``config.optimizer`` names, with the config's
    hyperparameters."""
    if config.optimizer == "sgd":
        return torch.optim.SGD(
            params,
            lr=config.lr,
            momentum=config.momentum,
            nesterov=config.nesterov,
            weight_decay=config.weight_decay,
        )
    cls = (
        torch.optim.Adam if config.optimizer == "adam" else (torch.optim.AdamW)
    )
    return cls(
        params,
        lr=config.lr,
        betas=config.betas,
        eps=config.eps,
        weight_decay=config.weight_decay,
    )


class Criterion(nn.Module):
    """The configured loss: cross-entropy (optionally label-smoothed and
    class-weighted) or focal loss.

    Always the *mean over the batch's examples*; with class weights each
    example's loss is multiplied by its class weight before the mean
    (PyTorch's weighted ``cross_entropy`` divides by the sum of the
    weights instead; with "balanced" weights both average to the same
    scale over an epoch, but only this one makes batch means add up to
    the epoch mean).
    """

    def __init__(
        self, config: TrainConfig, weights: torch.Tensor | None = None
    ):
        super().__init__()
        self.kind = config.loss
        self.label_smoothing = config.label_smoothing
        self.register_buffer("weights", weights)
        # focal loss weighs each example by its class weight, alpha_t
        self.focal = (
            FocalLoss(config.focal_gamma, weights)
            if (self.kind == "focal")
            else None
        )

    def forward(
        self, logits: torch.Tensor, target: torch.Tensor
    ) -> torch.Tensor:
        if self.focal is not None:
            return self.focal(logits, target)
        if self.weights is None:
            return F.cross_entropy(
                logits, target, label_smoothing=self.label_smoothing
            )
        return F.cross_entropy(
            logits,
            target,
            weight=self.weights,
            label_smoothing=self.label_smoothing,
            reduction="none",
        ).mean()


def _dataset_labels(dataset):
    for name in ("labels", "targets"):
        labels = getattr(dataset, name, None)
        if isinstance(labels, torch.Tensor):
            return labels
    return None


def _on_host(data) -> bool:
    images = getattr(data, "images", None)
    return not isinstance(images, torch.Tensor) or images.device.type == (
        "cpu"
    )


class Trainer:
    """Train a classifier on a dataset, validating every epoch.

    Parameters
    ----------
    model : nn.Module
        Maps a batch of images ``(N, C, H, W)`` to logits ``(N, classes)``.
    train_data, val_data : Dataset
        A map-style ``torch.utils.data.Dataset`` whose items are
        ``(image, label)`` pairs. An :class:`~cnnbook.data.ImageDataset`
        is read a whole batch at a time. Nothing else is accepted (a
        ``TypeError`` says so): arrays or an ``(images, labels)`` tuple go
        into ``ImageDataset(images, labels)``, and a ``DataLoader`` is
        replaced by its dataset, since the Trainer batches and shuffles
        itself (``config.batch_size``, ``config.seed``).
    config : TrainConfig
    train_transform, eval_transform : callable, optional
        Applied to each batch on the device: augmentation (+
        normalization) for training, normalization for evaluation.
    loss_fn : callable, optional
        ``loss_fn(logits, target)`` -> mean loss; replaces the configured
        :class:`Criterion`.
    callbacks : list of callables
        ``callback(trainer, record)`` after each epoch's checkpoint.

    Notes
    -----
    A ``checkpoint_dir`` that cannot be written (a file in its place, no
    permission, a read-only disk) is refused when the Trainer is built
    and, by writing a test file, when ``fit`` starts: before the first
    epoch, not after it.

    Construction seeds Python, numpy and PyTorch with ``config.seed`` and
    keeps its own copy of the generators' state for the run; build the
    model after ``seed_everything(seed)`` so that its initial weights are
    reproducible too.
    """

    def __init__(
        self,
        model: nn.Module,
        train_data: Dataset,
        val_data: Dataset | None = None,
        config: TrainConfig | None = None,
        *,
        train_transform: Callable[[torch.Tensor], torch.Tensor] | None = None,
        eval_transform: Callable[[torch.Tensor], torch.Tensor] | None = None,
        loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
        | None = None,
        callbacks: Sequence[Callable[[Trainer, dict], None]] = (),
    ):
        self.config = config = (
            config if config is not None else (TrainConfig())
        )
        if not isinstance(config, TrainConfig):
            raise TypeError(
                "Trainer: config must be a TrainConfig, got "
                f"{type(config).__name__}"
            )
        if not isinstance(model, nn.Module):
            raise TypeError(
                "Trainer: model must be a torch.nn.Module, got "
                f"{type(model).__name__}"
            )
        self._check_data(train_data, "train_data")
        if val_data is not None:
            self._check_data(val_data, "val_data")
        if config.batch_size > len(train_data):
            raise ValueError(
                f"Trainer: batch_size={config.batch_size} is larger than "
                f"train_data ({len(train_data)} examples); use a batch size "
                f"of at most {len(train_data)}"
            )
        if val_data is None and (
            config.patience or config.scheduler == "plateau"
        ):
            raise ValueError(
                "Trainer: patience and scheduler='plateau' "
                "watch the validation loss: pass val_data"
            )
        for name, t in (
            ("train_transform", train_transform),
            ("eval_transform", eval_transform),
            ("loss_fn", loss_fn),
        ):
            if t is not None:
                check_callable(t, name, "Trainer")
        callbacks = as_list(
            callbacks,
            "callbacks",
            "Trainer",
            what="callables f(trainer, record)",
        )
        for i, callback in enumerate(callbacks):
            check_callable(callback, f"callbacks[{i}]", "Trainer")
        if config.checkpoint_dir is not None:
            check_writable_folder(
                config.checkpoint_dir, "Trainer: checkpoint_dir", create=False
            )
        self.device = resolve_device(config.device)
        self.precision = resolve_precision(config.precision, self.device)
        if self.device.type == "cuda":
            use_tf32(self.precision)
        self.memory_format = (
            torch.channels_last
            if config.channels_last
            else torch.contiguous_format
        )
        self.model = model.to(self.device, memory_format=self.memory_format)
        # the compiled module shares the model's parameters; state_dicts
        # and checkpoints use the model itself
        self.forward = (
            torch.compile(self.model) if config.compile else (self.model)
        )
        self.pin_memory = (
            self.device.type == "cuda"
            if (config.pin_memory is None)
            else config.pin_memory
        )
        self.scaler = grad_scaler(self.device, self.precision)
        self.train_data, self.val_data = train_data, val_data
        self.train_transform = train_transform
        self.eval_transform = eval_transform
        self.callbacks = callbacks
        self.num_classes = self._probe_num_classes()
        self._labels_checked = set()
        for name, data in (("train_data", train_data), ("val_data", val_data)):
            labels = _dataset_labels(data) if data is not None else None
            if labels is not None:
                self._check_labels(labels, name)
                self._labels_checked.add(id(data))
        seed_everything(config.seed)
        # The run's own copy of the global generators (dropout and unseeded
        # transforms draw from them): fit() swaps it in, so two trainers
        # alive at once do not disturb each other's streams.
        self._rng_state = get_rng_state(self.device)
        self.generator = torch.Generator().manual_seed(config.seed)
        self.train_loader = self._loader(train_data, shuffle=True)
        self.optimizer = build_optimizer(self.model.parameters(), config)
        self.scheduler = build_scheduler(
            self.optimizer, config, len(self.train_loader)
        )
        self.loss_fn = (
            loss_fn
            if loss_fn is not None
            else Criterion(config, self._class_weights()).to(self.device)
        )
        self.stopper = (
            EarlyStopping(config.patience, config.min_delta)
            if config.patience
            else None
        )
        self.history = History()
        self.epoch = 0  # epochs completed
        self.best_val_loss = math.inf
        self.stopped_early = False

    # --- checks -----------------------------------------------------------

    @staticmethod
    def _check_data(data, name: str) -> None:
        accepts = (
            "a map-style torch Dataset of (image, label) pairs, such "
            "as cnnbook.data.ImageDataset(images, labels) or "
            "torch.utils.data.TensorDataset(images, labels)"
        )
        if isinstance(data, DataLoader):
            raise TypeError(
                f"Trainer: {name} must be {accepts}; got a DataLoader: "
                "pass its .dataset (the Trainer batches and shuffles with "
                "config.batch_size and config.seed)"
            )
        if not isinstance(data, Dataset):
            hint = ""
            if (
                isinstance(data, (tuple, list))
                and len(data) == 2
                and all(
                    isinstance(v, (torch.Tensor, np.ndarray)) for v in data
                )
            ):
                hint = (
                    ": wrap (images, labels) as ImageDataset(images, labels)"
                )
            raise TypeError(
                f"Trainer: {name} must be {accepts}; got "
                f"{type(data).__name__}{hint}"
            )
        try:
            n = len(data)
        except TypeError as err:
            raise TypeError(
                f"Trainer: {name} must be a map-style Dataset with a length"
            ) from err
        if n == 0:
            raise ValueError(f"Trainer: {name} is empty (0 examples)")
        # Reading an item runs the dataset's own transform, which may draw
        # from a seeded generator: only a dataset without one is read
        # here (train_data[0] is read anyway, by _probe_num_classes).
        if getattr(data, "transform", None) is None:
            Trainer._check_item(data[0], name)

    @staticmethod
    def _check_item(item, name: str) -> None:
        if not isinstance(item, (tuple, list)) or len(item) != 2:
            raise TypeError(
                f"Trainer: {name}[0] must be an (image, label) pair, got "
                f"{type(item).__name__}"
                + (
                    f" of length {len(item)}"
                    if isinstance(item, (tuple, list))
                    else ""
                )
            )

    def _probe_num_classes(self) -> int:
        """One example through the model (eval mode, no gradient): checks
        that the model accepts the data and finds its number of outputs."""
        item = self.train_data[0]
        self._check_item(item, "train_data")
        x, _ = item
        x = torch.as_tensor(x).unsqueeze(0).to(self.device)
        if self.eval_transform is not None:
            x = self.eval_transform(x)
        was_training = self.model.training
        self.model.eval()
        try:
            with torch.no_grad():
                out = self.model(x)
        except Exception as err:
            raise ValueError(
                f"Trainer: the model rejected train_data[0] (as a batch of "
                f"shape {tuple(x.shape)}): {err}"
            ) from err
        finally:
            self.model.train(was_training)
        if out.ndim != 2:
            raise ValueError(
                "Trainer: the model must return logits of "
                f"shape (N, classes), got {tuple(out.shape)}"
            )
        return out.shape[1]

    def _check_labels(self, labels: torch.Tensor, name: str) -> None:
        if labels.numel() and (
            int(labels.min()) < 0 or int(labels.max()) >= self.num_classes
        ):
            raise ValueError(
                f"Trainer: {name} has labels "
                f"{int(labels.min())}..{int(labels.max())}, but the model "
                f"has {self.num_classes} outputs (classes 0.."
                f"{self.num_classes - 1})"
            )

    def _class_weights(self):
        weights = self.config.class_weights
        if weights is None:
            return None
        if weights == "balanced":
            labels = _dataset_labels(self.train_data)
            if labels is None:
                labels = torch.as_tensor(
                    [
                        int(self.train_data[i][1])
                        for i in range(len(self.train_data))
                    ]
                )
            return class_weights(labels, self.num_classes)
        if len(weights) != self.num_classes:
            raise ValueError(
                f"Trainer: class_weights has {len(weights)} "
                f"entries for {self.num_classes} classes"
            )
        return torch.tensor(weights, dtype=torch.float32)

    # --- data -------------------------------------------------------------

    def _loader(self, data, shuffle: bool, batch_size: int | None = None):
        bs = batch_size or self.config.batch_size
        sampler = (
            RandomSampler(data, generator=self.generator)
            if shuffle
            else SequentialSampler(data)
        )
        drop_last = self.config.drop_last and shuffle
        workers = self.config.num_workers
        options = dict(
            num_workers=workers,
            generator=self.generator,
            persistent_workers=workers > 0,
            # only host memory can be page-locked
            pin_memory=self.pin_memory and _on_host(data),
        )
        if getattr(data, "supports_batch_indexing", False):
            # one indexing operation per batch (no per-item collation)
            return DataLoader(
                data,
                batch_size=None,
                sampler=BatchSampler(sampler, bs, drop_last),
                **options,
            )
        return DataLoader(
            data,
            batch_size=bs,
            sampler=sampler,
            drop_last=drop_last,
            **options,
        )

    def _to_device(self, x, y, data):
        if id(data) not in self._labels_checked:
            self._check_labels(y, "a batch")
        # non_blocking: from page-locked memory the copy is queued and the
        # host goes on (from ordinary memory it is a plain copy)
        return (
            x.to(self.device, non_blocking=True),
            y.to(self.device, non_blocking=True),
        )

    def _batch(self, x, y, data, transform):
        """A batch from the loader, ready for the model: on the device,
        transformed, in the model's memory format."""
        x, y = self._to_device(x, y, data)
        if transform is not None:
            x = transform(x)
        return x.contiguous(memory_format=self.memory_format), y

    # --- one epoch ----------------------------------------------------------

    def train_epoch(self, progress: _Progress | None = None) -> dict:
        """One pass over the training data; returns its loss, accuracy,
        number of images and seconds."""
        model, optimizer, scheduler = (
            self.model,
            self.optimizer,
            self.scheduler,
        )
        per_batch = scheduler is not None and (
            self.config.scheduler in PER_BATCH
        )
        model.train()
        total = torch.zeros((), device=self.device)
        correct = torch.zeros((), dtype=torch.int64, device=self.device)
        n = 0
        start = time.perf_counter()
        batches = iter(self.train_loader)
        # the four phases of a step, named for torch.profiler (see
        # cnnbook.train.profiling); free when no profiler listens
        while True:
            with record_function("cnnbook.data"):
                item = next(batches, None)
                if item is None:
                    break
                x, y = self._batch(
                    *item, self.train_data, self.train_transform
                )
            with (
                record_function("cnnbook.forward"),
                autocast(self.device, self.precision),
            ):
                logits = self.forward(x)
                loss = self.loss_fn(logits, y)
            with record_function("cnnbook.backward"):
                optimizer.zero_grad(set_to_none=True)
                # fp16: the loss times the scale (no-op otherwise)
                self.scaler.scale(loss).backward()
            with record_function("cnnbook.optimizer"):
                if self.config.grad_clip is not None:
                    self.scaler.unscale_(optimizer)  # clip true gradients
                    nn.utils.clip_grad_norm_(
                        model.parameters(), self.config.grad_clip
                    )
                # fp16: unscale, skip the step on inf/NaN, adapt the scale
                self.scaler.step(optimizer)
                self.scaler.update()
                if per_batch:
                    scheduler.step()
            total += loss.detach().float() * len(y)
            correct += (logits.detach().argmax(1) == y).sum()
            n += len(y)
            if progress is not None:
                progress.update(1)
        seconds = time.perf_counter() - start
        loss = total.item() / n
        if not math.isfinite(loss):
            raise FloatingPointError(
                f"Trainer: the training loss is {loss} in epoch "
                f"{self.epoch + 1}: training diverged (lower lr?). The "
                "checkpoints of earlier epochs are kept."
            )
        return {
            "loss": loss,
            "acc": correct.item() / n,
            "images": n,
            "seconds": seconds,
        }

    @torch.no_grad()
    def predict(
        self,
        data: Dataset,
        transform: Callable[[torch.Tensor], torch.Tensor]
        | str
        | None = "eval",
    ) -> tuple[torch.Tensor, ...]:
        """Logits and labels for every example of ``data`` (on the CPU),
        in order, in eval mode. ``transform`` defaults to the eval
        transform."""
        self._check_data(data, "data")
        transform = self.eval_transform if transform == "eval" else (transform)
        self.model.eval()
        logits, labels = [], []
        batch = max(self.config.batch_size, 256)
        for x, y in self._loader(data, shuffle=False, batch_size=batch):
            x, y = self._batch(x, y, data, transform)
            with autocast(self.device, self.precision):
                out = self.forward(x)
            logits.append(out.float().cpu())
            labels.append(y.cpu())
        return torch.cat(logits), torch.cat(labels)

    def evaluate(
        self,
        data: Dataset,
        transform: Callable[[torch.Tensor], torch.Tensor]
        | str
        | None = "eval",
    ) -> dict:
        """Loss (the training criterion, mean over examples) and accuracy
        on ``data``, in eval mode."""
        logits, labels = self.predict(data, transform)
        with torch.no_grad():
            loss = float(
                self.loss_fn(logits.to(self.device), labels.to(self.device))
            )
        pred = logits.argmax(1)
        return {
            "loss": loss,
            "acc": metrics.accuracy(pred, labels),
            "pred": pred,
            "target": labels,
        }

    # --- the run ----------------------------------------------------------

    def fit(self, resume_from: str | os.PathLike | None = None) -> History:
        """Train until ``config.epochs`` (or early stopping); returns the
        History. With ``resume_from`` (a ``last.pt``), continue that run."""
        if resume_from is not None:
            self.load_checkpoint(resume_from)
        folder = self._checkpoint_folder(resume_from)
        config = self.config
        show = config.shows_progress()
        steps = len(self.train_loader)
        set_rng_state(self._rng_state, self.device)
        with _Progress((config.epochs - self.epoch) * steps, show) as bar:
            while self.epoch < config.epochs and not self.stopped_early:
                record = self._run_epoch(bar)
                self._rng_state = get_rng_state(self.device)
                if folder is not None:
                    self._save(folder, record)
                for callback in self.callbacks:
                    callback(self, record)
        return self.history

    def _run_epoch(self, bar) -> dict:
        config = self.config
        lr = self.optimizer.param_groups[0]["lr"]
        train = self.train_epoch(bar)
        record = {
            "epoch": self.epoch + 1,
            "lr": lr,
            "train_loss": train["loss"],
            "train_acc": train["acc"],
        }
        if config.evaluate_train:
            ev = self.evaluate(self.train_data)
            record.update(train_eval_loss=ev["loss"], train_eval_acc=ev["acc"])
        self._improved = False
        if self.val_data is not None:
            val = self.evaluate(self.val_data)
            record.update(val_loss=val["loss"], val_acc=val["acc"])
            self._improved = val["loss"] < self.best_val_loss
            if self._improved:
                self.best_val_loss = val["loss"]
            if self.stopper is not None:
                self.stopped_early = self.stopper.step(val["loss"])
        record.update(
            seconds=train["seconds"],
            images_per_second=(train["images"] / train["seconds"]),
        )
        if self.scheduler is not None and config.scheduler == "plateau":
            self.scheduler.step(record["val_loss"])
        elif self.scheduler is not None and (
            config.scheduler not in PER_BATCH
        ):
            self.scheduler.step()
        self.history.append(record)
        self.epoch += 1
        bar.set_postfix(
            {
                k: f"{record[k]:.4g}"
                for k in ("train_loss", "val_loss", "val_acc")
                if k in record
            }
        )
        return record

    # --- checkpoints --------------------------------------------------------

    def _checkpoint_folder(self, resume_from) -> Path | None:
        if self.config.checkpoint_dir is None:
            return None
        folder = Path(self.config.checkpoint_dir)
        last = folder / "last.pt"
        resuming_here = resume_from is not None and (
            Path(resume_from).resolve() == last.resolve()
        )
        if last.exists() and not resuming_here and self.epoch == 0:
            raise FileExistsError(
                f"Trainer: {last} holds another run; resume it with "
                f"fit(resume_from={str(last)!r}) or choose another "
                "checkpoint_dir (nothing was overwritten)"
            )
        # a test file now, so that an unwritable folder fails before the
        # first epoch rather than when its checkpoint is saved
        check_writable_folder(folder, "Trainer: checkpoint_dir", create=True)
        # temporary files of writes a killed run left unfinished (each
        # write also removes its own file's; best.pt may not be written
        # again for a long time)
        for name in _FILES:
            remove_leftovers(folder / name)
        return folder

    def state_dict(self) -> dict:
        """Everything needed to continue this run."""
        transforms = {}
        for name in ("train_transform", "eval_transform"):
            t = getattr(self, name)
            if hasattr(t, "state_dict"):
                transforms[name] = t.state_dict()
        data_t = getattr(self.train_data, "transform", None)
        if hasattr(data_t, "state_dict"):
            transforms["train_data.transform"] = data_t.state_dict()
        return {
            "kind": "last",
            "epoch": self.epoch,
            "model_class": type(self.model).__name__,
            "model": self.model.state_dict(),
            "optimizer": self.optimizer.state_dict(),
            "scheduler": None
            if self.scheduler is None
            else self.scheduler.state_dict(),
            "stopper": None
            if self.stopper is None
            else self.stopper.state_dict(),
            "best_val_loss": self.best_val_loss,
            "stopped_early": self.stopped_early,
            "history": self.history.to_dict(),
            "config": self.config.to_dict(),
            "rng": self._rng_state,
            "sampler_rng": self.generator.get_state(),
            "transforms": transforms,
            "scaler": self.scaler.state_dict(),
        }

    def _save(self, folder: Path, record: dict) -> None:
        if self._improved:
            save_checkpoint(
                folder / "best.pt",
                {
                    "kind": "best",
                    "epoch": self.epoch,
                    "model_class": type(self.model).__name__,
                    "model": self.model.state_dict(),
                    "val_loss": record["val_loss"],
                    "val_acc": record["val_acc"],
                    "config": self.config.to_dict(),
                },
            )
        save_checkpoint(folder / "last.pt", self.state_dict())
        self.history.save(folder / "history.json")

    def load_checkpoint(self, path: str | os.PathLike) -> None:
        """Restore a ``last.pt`` (checked against this model and config
        first; on any mismatch nothing is changed)."""
        state = load_checkpoint(path, map_location=self.device)
        if state.get("kind") == "best":
            raise ValueError(
                f"Trainer: {path} holds the best weights only; resume from "
                "the last.pt written next to it"
            )
        if state.get("kind") != "last":
            raise ValueError(
                f"Trainer: {path} is not a last.pt written by a Trainer "
                f"(kind {state.get('kind')!r}, not 'last'); resume from the "
                "last.pt in the run's checkpoint folder"
            )
        check_keys(
            state,
            _LAST_KEYS,
            f"the checkpoint {path}",
            "Trainer.load_checkpoint",
        )
        check_compatible(self.model, state["model"], str(path))
        saved = TrainConfig.from_dict(state["config"]).to_dict()
        current = self.config.to_dict()
        differ = sorted(
            k
            for k in current
            if k not in _RESUMABLE and saved[k] != current[k]
        )
        if differ:
            raise ValueError(
                f"Trainer: {path} was trained with a different config: "
                + ", ".join(
                    f"{k}={saved[k]!r} (now {current[k]!r})" for k in differ
                )
            )
        self.model.load_state_dict(state["model"])
        self.optimizer.load_state_dict(state["optimizer"])
        if self.scheduler is not None:
            self.scheduler.load_state_dict(state["scheduler"])
        if self.stopper is not None:
            self.stopper.load_state_dict(state["stopper"])
        self.epoch = state["epoch"]
        self.best_val_loss = state["best_val_loss"]
        self.stopped_early = state["stopped_early"]
        self.history = History.from_dict(state["history"])
        self._rng_state = state["rng"]
        self.generator.set_state(state["sampler_rng"])
        if self.scaler.is_enabled() and state.get("scaler"):
            self.scaler.load_state_dict(state["scaler"])
        for name, value in state["transforms"].items():
            owner = self.train_data if name.startswith("train_data") else self
            t = getattr(owner, name.rsplit(".", 1)[-1], None)
            if hasattr(t, "load_state_dict"):
                t.load_state_dict(value)

    def load_best(self) -> dict:
        """Put the weights of ``best.pt`` (lowest validation loss) into
        the model; returns that checkpoint (its epoch, val_loss, ...)."""
        if self.config.checkpoint_dir is None:
            raise ValueError(
                "Trainer.load_best: no checkpoint_dir in the "
                "config, so no best.pt was written"
            )
        path = Path(self.config.checkpoint_dir) / "best.pt"
        state = load_checkpoint(path, map_location=self.device)
        check_keys(
            state, ("model",), f"the checkpoint {path}", "Trainer.load_best"
        )
        check_compatible(self.model, state["model"], str(path))
        self.model.load_state_dict(state["model"])
        return state

    def snapshot(self) -> dict:
        """An in-memory copy of the whole state (used by the LR finder to
        leave the trainer exactly as it found it)."""
        return copy.deepcopy(self.state_dict())

    def restore(self, snapshot: dict) -> None:
        """Undo everything since :meth:`snapshot`."""
        self.model.load_state_dict(snapshot["model"])
        self.optimizer.load_state_dict(snapshot["optimizer"])
        if self.scheduler is not None:
            self.scheduler.load_state_dict(snapshot["scheduler"])
        self._rng_state = snapshot["rng"]
        self.generator.set_state(snapshot["sampler_rng"])
        for name, value in snapshot["transforms"].items():
            owner = self.train_data if name.startswith("train_data") else self
            t = getattr(owner, name.rsplit(".", 1)[-1], None)
            if hasattr(t, "load_state_dict"):
                t.load_state_dict(value)

    def find_lr(
        self,
        start_lr: float = 1e-6,
        end_lr: float = 1.0,
        num_steps: int = 100,
        smoothing: float = 0.05,
        diverge: float = 4.0,
    ) -> LRFinderResult:
        """The learning-rate range test
        (:func:`~cnnbook.train.lr_range_test`) with this trainer's model,
        data, optimizer and augmentation; then everything is restored
        (weights, optimizer and scheduler state, random generators), as if
        it had not run.

        The arguments are those of ``lr_range_test``; the training data is
        cycled if it has fewer than ``num_steps`` batches.
        """
        start_lr, end_lr, num_steps, smoothing, diverge = _check_sweep(
            "Trainer.find_lr", start_lr, end_lr, num_steps, smoothing, diverge
        )
        snapshot = self.snapshot()
        outside = get_rng_state(self.device)  # the caller's streams
        set_rng_state(self._rng_state, self.device)
        batches = iter(self.train_loader)

        def train_step(lr: float) -> float:
            nonlocal batches
            for group in self.optimizer.param_groups:
                group["lr"] = lr
            try:
                x, y = next(batches)
            except StopIteration:
                batches = iter(self.train_loader)
                x, y = next(batches)
            x, y = self._to_device(x, y, self.train_data)
            if self.train_transform is not None:
                x = self.train_transform(x)
            loss = self.loss_fn(self.model(x), y)
            self.optimizer.zero_grad(set_to_none=True)
            loss.backward()
            self.optimizer.step()
            return loss.item()

        self.model.train()
        try:
            return lr_range_test(
                train_step,
                start_lr,
                end_lr,
                num_steps,
                smoothing,
                diverge,
                progress=self.config.shows_progress(),
            )
        finally:
            self.restore(snapshot)
            set_rng_state(outside, self.device)
