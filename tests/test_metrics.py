"""cnnbook.metrics: by hand, against scikit-learn, and argument errors."""

import math
import subprocess
import sys
import warnings

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from sklearn import metrics as skm

from cnnbook.metrics import (
    accuracy,
    balanced_accuracy,
    confusion_matrix,
    per_class_recall,
)

PRED = [0, 0, 0, 0, 1, 1]
TRUE = [0, 0, 0, 0, 0, 1]


def test_by_hand():
    assert accuracy(PRED, TRUE) == 5 / 6
    assert confusion_matrix(PRED, TRUE, 3).tolist() == [
        [4, 1, 0],
        [0, 1, 0],
        [0, 0, 0],
    ]
    recall = per_class_recall(PRED, TRUE, 3)
    # class 0: 4 of its 5 found; class 1: 1 of 1; class 2: none to find
    assert recall[:2].tolist() == [4 / 5, 1 / 1] and math.isnan(recall[2])
    assert balanced_accuracy(PRED, TRUE, 3) == (4 / 5 + 1 / 1) / 2


def test_a_model_that_ignores_the_rare_class():
    true = [0] * 9 + [1]
    pred = [0] * 10
    assert accuracy(pred, true) == 0.9
    assert balanced_accuracy(pred, true, 2) == 0.5


labels = st.integers(1, 40).flatmap(
    lambda n: st.tuples(
        st.lists(st.integers(0, 4), min_size=n, max_size=n),
        st.lists(st.integers(0, 4), min_size=n, max_size=n),
    )
)


@given(labels)
def test_agrees_with_scikit_learn(pair):
    pred, true = pair
    k = 5
    assert accuracy(pred, true) == pytest.approx(
        skm.accuracy_score(true, pred), abs=1e-15
    )
    assert np.array_equal(
        confusion_matrix(pred, true, k),
        skm.confusion_matrix(true, pred, labels=range(k)),
    )
    present = np.unique(true)
    np.testing.assert_allclose(
        per_class_recall(pred, true, k)[present],
        skm.recall_score(
            true, pred, labels=present, average=None, zero_division=0
        ),
        rtol=1e-15,
    )
    with warnings.catch_warnings():
        # scikit-learn warns when pred holds a class that true lacks
        warnings.simplefilter("ignore")
        expected = skm.balanced_accuracy_score(true, pred)
    assert balanced_accuracy(pred, true, k) == pytest.approx(
        expected, abs=1e-12
    )


def test_accepts_numpy_lists_and_cpu_tensors():
    as_numpy = confusion_matrix(np.array(PRED), np.array(TRUE), 3)
    as_torch = confusion_matrix(torch.tensor(PRED), torch.tensor(TRUE), 3)
    assert isinstance(as_torch, np.ndarray)
    assert np.array_equal(as_numpy, as_torch)
    assert accuracy(torch.tensor(PRED), TRUE) == 5 / 6


def test_imports_numpy_only():
    code = (
        "import sys, cnnbook.metrics; "
        "bad = {'torch', 'matplotlib'} & set(sys.modules); "
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_bad_input_is_named():
    with pytest.raises(
        ValueError,
        match="accuracy: pred and target must "
        "have the same length, got 6 and 3",
    ):
        accuracy(PRED, TRUE[:3])
    with pytest.raises(
        ValueError, match="accuracy: pred and target are empty"
    ):
        accuracy([], [])
    with pytest.raises(
        ValueError,
        match=r"confusion_matrix: pred labels "
        r"must lie in 0\.\.0",
    ):
        confusion_matrix(PRED, TRUE, 1)
    with pytest.raises(
        ValueError,
        match=r"target labels must lie in "
        r"0\.\.1, got -1\.\.0",
    ):
        confusion_matrix([0, 1], [0, -1], 2)
    with pytest.raises(
        TypeError,
        match="accuracy: pred must hold integer "
        "class labels, got dtype float64",
    ):
        accuracy([0.2, 0.8], [0, 1])
    with pytest.raises(ValueError, match=r"target must be a 1-d array"):
        accuracy([0, 1], [[0, 1]])
    with pytest.raises(TypeError, match="num_classes must be an int"):
        per_class_recall(PRED, TRUE, 2.0)
