"""Knowledge distillation with the book's Trainer (chapter 10).

:class:`DistillationTrainer` trains a *student* network to match both the
true labels and a trained *teacher*'s softened predictions, with the loss
of :class:`cnnbook.train.DistillationLoss`. Everything else is the
:class:`~cnnbook.train.Trainer`'s: the validation loss it reports, stops
on and checkpoints is the student's plain cross-entropy on the true
labels, so runs with and without a teacher are measured alike.
"""

from __future__ import annotations

import torch
import torch.nn as nn

from .._validation import check_number
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
        train_data,
        val_data=None,
        config=None,
        *,
        temperature: float = 4.0,
        alpha: float = 0.5,
        **kwargs,
    ):
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

    def training_loss(self, x, logits, y) -> torch.Tensor:
        if self.alpha == 1.0:
            return self._loss(logits, logits.detach(), y)
        self.teacher.eval()
        with torch.no_grad():
            teacher_logits = self.teacher(x)
        return self._loss(logits, teacher_logits, y)
