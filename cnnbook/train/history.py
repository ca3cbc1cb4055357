r"""The record of a training run: one row of metrics per epoch.

Columns the :class:`~cnnbook.train.Trainer` fills: ``epoch``, ``lr``,
``train_loss``, ``train_acc`` (averaged over the epoch's batches, in
training mode: dropout on, augmented images), ``val_loss``, ``val_acc``,
``seconds``, ``images_per_second``, and with ``evaluate_train``
``train_eval_loss``, ``train_eval_acc`` (the training set measured like
the validation set). The encyclopedia's overfitting indicator is
:math:`\mathcal{L}_{val} - \mathcal{L}_{train}`
(:meth:`History.overfitting_gap`).
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._atomic import atomic_write_text
from .._validation import as_list, check_choice

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["History"]


def _check_record(record, name: str, func: str) -> None:
    if not isinstance(record, dict):
        raise TypeError(
            f"{func}: {name} must be a dict of column -> value, got "
            f"{type(record).__name__}"
        )


class History:
    """Epoch records with column access, saving and plotting.

    >>> h = History([{"epoch": 1, "val_loss": 0.5},
    ...              {"epoch": 2, "val_loss": 0.4}])
    >>> h["val_loss"], h.best_epoch()
    ([0.5, 0.4], 2)
    """

    def __init__(self, records: Iterable[dict] | None = None):
        records = as_list(
            records or [], "records", "History", what="dicts (one per epoch)"
        )
        for i, record in enumerate(records):
            _check_record(record, f"records[{i}]", "History")
        self.records: list[dict] = [dict(r) for r in records]

    def append(self, record: dict) -> None:
        _check_record(record, "record", "History.append")
        self.records.append(dict(record))

    def __len__(self) -> int:
        return len(self.records)

    def __getitem__(self, column: str) -> list:
        if not self.records or column not in self.records[0]:
            have = sorted(self.records[0]) if self.records else []
            raise KeyError(
                f"History has no column {column!r}; columns: {have}"
            )
        return [r[column] for r in self.records]

    @property
    def columns(self) -> list[str]:
        return list(self.records[0]) if self.records else []

    def best_epoch(self, column: str = "val_loss", mode: str = "min") -> int:
        """The epoch number with the lowest (or highest) value; ties go to
        the earliest."""
        func = "History.best_epoch"
        check_choice(mode, "mode", func, ("min", "max"))
        values = self[column]
        pick = min if mode == "min" else max
        known = [v for v in values if not math.isnan(v)]
        if not known:
            raise ValueError(
                f"{func}: column {column!r} holds only NaN; there is no "
                "best epoch"
            )
        return self["epoch"][values.index(pick(known))]

    def overfitting_gap(self, train: str = "train_loss") -> list[float]:
        r""":math:`\mathcal{L}_{val} - \mathcal{L}_{train}` per epoch.

        Use ``train="train_eval_loss"`` to compare like with like (both
        losses in eval mode, no augmentation)."""
        return [
            v - t for v, t in zip(self["val_loss"], self[train], strict=True)
        ]

    def to_dict(self) -> dict:
        return {"records": [dict(r) for r in self.records]}

    @classmethod
    def from_dict(cls, data: dict) -> History:
        if not isinstance(data, dict) or not isinstance(
            data.get("records"), list
        ):
            raise ValueError("History.from_dict: expected {'records': [...]}")
        return cls(data["records"])

    def save(self, path: str | os.PathLike) -> Path:
        """Write JSON atomically (a crash never leaves half a file)."""
        path = Path(path)
        atomic_write_text(path, json.dumps(self.to_dict(), indent=1))
        return path

    @classmethod
    def load(cls, path: str | os.PathLike) -> History:
        path = Path(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as err:
            raise ValueError(
                f"History.load: {path} is not a history JSON file ({err})"
            ) from err
        return cls.from_dict(data)

    def table(
        self, columns: Sequence[str] | None = None, digits: int = 4
    ) -> str:
        """The records as a fixed-width text table (rounded)."""
        columns = columns or [
            c
            for c in self.columns
            if c not in ("seconds", "images_per_second")
        ]
        unknown = [c for c in columns if c not in self.columns]
        if unknown:
            raise ValueError(
                f"History.table: columns {unknown} are not in the history; "
                f"its columns are {self.columns}"
            )
        rows = [
            [
                f"{r[c]:.{digits}g}" if isinstance(r[c], float) else str(r[c])
                for c in columns
            ]
            for r in self.records
        ]
        widths = [
            max(len(c), *(len(row[i]) for row in rows))
            for i, c in enumerate(columns)
        ]
        lines = [
            "  ".join(c.rjust(w) for c, w in zip(columns, widths, strict=True))
        ]
        lines += [
            "  ".join(v.rjust(w) for v, w in zip(row, widths, strict=True))
            for row in rows
        ]
        return "\n".join(lines)

    def plot(self, **kwargs: Any) -> Figure:
        """Loss and accuracy curves (see
        :func:`cnnbook.plotting.history_figure`)."""
        from ..plotting.training import history_figure

        return history_figure(self, **kwargs)

    def __repr__(self) -> str:
        return f"History({len(self)} epochs, columns {self.columns})"
