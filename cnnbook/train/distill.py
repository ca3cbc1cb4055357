"""Knowledge distillation with the book's Trainer (chapter 10).

:class:`DistillationTrainer` trains a *student* network to match both the
true labels and a trained *teacher*'s softened predictions, with the loss
of :class:`cnnbook.train.DistillationLoss`. Everything else is the
:class:`~cnnbook.train.Trainer`'s: the validation loss it reports, stops
on and checkpoints is the student's plain cross-entropy on the true
labels, so runs with and without a teacher are measured alike.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn
from torch.utils.data import Dataset

from .._validation import check_number
from .config import TrainConfig
from .criteria import DistillationLoss
from .trainer import Trainer

__all__ = ["DistillationTrainer"]


class DistillationTrainer(Trainer):
    """A :class:`Trainer` whose training loss is the distillation loss.

    Parameters
    ----------
    model : nn.Module
        The student.
    teacher : nn.Module
        A trained network with the same classes; it is put in evaluation
        mode, on the trainer's device, and never updated. It sees each
        training batch as the student does (after ``train_transform``).
    train_data, val_data, config : as for :class:`Trainer`
    temperature : float
        :math:`T > 0`; 1 is the encyclopedia's formula.
    alpha : float
        Weight of the cross-entropy with the true labels, in [0, 1];
        ``alpha=1`` trains the student alone (the teacher is not run).
    **kwargs
        Passed to :class:`Trainer` (transforms, callbacks); a
        ``loss_fn`` is refused, since the loss is the distillation loss.
    """

    def __init__(
        self,
        model: nn.Module,
        teacher: nn.Module,
        train_data: Dataset,
        val_data: Dataset | None = None,
        config: TrainConfig | None = None,
        *,
        temperature: float = 4.0,
        alpha: float = 0.5,
        **kwargs: Any,
    ) -> None:
        func = "DistillationTrainer"
        if not isinstance(teacher, nn.Module):
            raise TypeError(
                f"{func}: teacher must be a torch.nn.Module, "
                f"got {type(teacher).__name__}"
            )
        if teacher is model:
            raise ValueError(
                f"{func}: the teacher must be another network than the student"
            )
        if "loss_fn" in kwargs:
            raise TypeError(
                f"{func}: the loss is the distillation loss; "
                "loss_fn cannot be set"
            )
        self.temperature = check_number(
            temperature, "temperature", func, minimum=0, strict_minimum=True
        )
        self.alpha = check_number(alpha, "alpha", func, minimum=0, maximum=1)
        super().__init__(model, train_data, val_data, config, **kwargs)
        self._loss = DistillationLoss(self.temperature, self.alpha)
        # The Trainer's loop calls loss_fn(logits, y). The teacher needs
        # the batch itself: a pre-hook on the student keeps the input of
        # its last forward pass in training mode (after train_transform).
        self._plain_loss, self.loss_fn = self.loss_fn, self._batch_loss
        self._student_input: torch.Tensor | None = None
        self._hook = self.model.register_forward_pre_hook(self._remember)
        self.teacher = teacher.to(self.device).eval()
        for param in self.teacher.parameters():
            param.requires_grad_(False)
        x, _ = train_data[0]
        with torch.no_grad():
            out = self.teacher(self._probe_input(x))
        if out.shape != (1, self.num_classes):
            raise ValueError(
                f"{func}: the teacher returns {tuple(out.shape)} logits "
                f"for one image, the student (1, {self.num_classes})"
            )

    def _probe_input(self, x) -> torch.Tensor:
        x = torch.as_tensor(x).unsqueeze(0).to(self.device)
        return self.eval_transform(x) if self.eval_transform else x

    def _remember(self, module: nn.Module, inputs: tuple) -> None:
        self._student_input = inputs[0] if module.training else None

    def _batch_loss(
        self, logits: torch.Tensor, y: torch.Tensor
    ) -> torch.Tensor:
        """The distillation loss in training, the plain loss otherwise
        (validation: runs with and without a teacher measured alike)."""
        if self.model.training and self._student_input is not None:
            x, self._student_input = self._student_input, None
            return self.training_loss(x, logits, y)
        return self._plain_loss(logits, y)

    def training_loss(
        self, x: torch.Tensor, logits: torch.Tensor, y: torch.Tensor
    ) -> torch.Tensor:
        """The distillation loss of the student's ``logits`` for the batch
        ``x`` (as the student saw it) with classes ``y``; the teacher
        runs on ``x`` in evaluation mode, without gradients."""
        if self.alpha == 1.0:
            return self._loss(logits, logits.detach(), y)
        self.teacher.eval()
        with torch.no_grad():
            teacher_logits = self.teacher(x)
        return self._loss(logits, teacher_logits, y)
