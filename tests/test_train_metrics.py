"""Metrics by hand."""

import math

import pytest
import torch

from cnnbook.train import (
    accuracy,
    balanced_accuracy,
    confusion_matrix,
    per_class_recall,
)

PRED = torch.tensor([0, 0, 0, 0, 1, 1])
TRUE = torch.tensor([0, 0, 0, 0, 0, 1])


def test_by_hand():
    assert accuracy(PRED, TRUE) == pytest.approx(5 / 6)
    assert confusion_matrix(PRED, TRUE, 3).tolist() == [[4, 1, 0],
                                                        [0, 1, 0],
                                                        [0, 0, 0]]
    recall = per_class_recall(PRED, TRUE, 3)
    assert recall[:2].tolist() == [0.8, 1.0] and math.isnan(recall[2])
    assert balanced_accuracy(PRED, TRUE, 3) == pytest.approx(0.9)


def test_a_model_that_ignores_the_rare_class():
    true = torch.tensor([0] * 9 + [1])
    pred = torch.zeros(10, dtype=torch.long)
    assert accuracy(pred, true) == 0.9
    assert balanced_accuracy(pred, true, 2) == 0.5


def test_bad_input():
    with pytest.raises(ValueError, match="same length"):
        accuracy(PRED, TRUE[:3])
    with pytest.raises(ValueError, match="no predictions"):
        accuracy(torch.tensor([]), torch.tensor([]))
    with pytest.raises(ValueError, match=r"labels must lie in 0\.\.0"):
        confusion_matrix(PRED, TRUE, 1)
