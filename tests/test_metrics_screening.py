"""Screening and diagnosis metrics against scikit-learn and SciPy."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.stats import binomtest
from sklearn import metrics as sk
from sklearn.calibration import calibration_curve as sk_calibration

from cnnbook import metrics as M


@st.composite
def scored(draw):
    """Scores with ties (rounded) and labels holding both classes."""
    rng = np.random.default_rng(draw(st.integers(0, 2**31 - 1)))
    n = draw(st.integers(2, 80))
    target = rng.integers(0, 2, n)
    target[:2] = [0, 1]
    decimals = draw(st.sampled_from([1, 2, 6]))
    scores = np.round(rng.uniform(size=n) + 0.3 * target, decimals)
    return np.clip(scores, 0, 1), target


@given(case=scored())
def test_sensitivity_and_specificity_are_recalls(case):
    scores, target = case
    pred = (scores >= 0.5).astype(int)
    assert M.sensitivity(pred, target) == pytest.approx(
        sk.recall_score(target, pred), abs=1e-15
    )
    assert M.specificity(pred, target) == pytest.approx(
        sk.recall_score(target, pred, pos_label=0), abs=1e-15
    )


@given(case=scored())
def test_roc_curve_and_auc_match_scikit_learn(case):
    scores, target = case
    fpr, tpr, thresholds = M.roc_curve(scores, target)
    sk_fpr, sk_tpr, sk_thresholds = sk.roc_curve(
        target, scores, drop_intermediate=False
    )
    np.testing.assert_allclose(fpr, sk_fpr, atol=1e-15)
    np.testing.assert_allclose(tpr, sk_tpr, atol=1e-15)
    np.testing.assert_array_equal(thresholds, sk_thresholds)
    assert M.roc_auc(scores, target) == pytest.approx(
        sk.roc_auc_score(target, scores), abs=1e-12
    )


@given(case=scored())
def test_auc_is_the_probability_a_positive_outranks_a_negative(case):
    scores, target = case
    pos, neg = scores[target == 1], scores[target == 0]
    pairs = (pos[:, None] > neg[None, :]) + 0.5 * (
        pos[:, None] == neg[None, :]
    )
    assert M.roc_auc(scores, target) == pytest.approx(pairs.mean(), abs=1e-12)


def test_predictive_values_at_the_sample_prevalence_are_counts():
    rng = np.random.default_rng(0)
    target = (rng.uniform(size=500) < 0.12).astype(int)
    pred = np.where(rng.uniform(size=500) < 0.85, target, 1 - target)
    se, sp = M.sensitivity(pred, target), M.specificity(pred, target)
    ppv, npv = M.predictive_values(se, sp, target.mean())
    assert ppv == pytest.approx(sk.precision_score(target, pred), abs=1e-12)
    assert npv == pytest.approx(
        sk.precision_score(target, pred, pos_label=0), abs=1e-12
    )


def test_predictive_values_worked_example():
    # 1,000 people, 10 sick; the test finds 9 and flags 5% of the 990
    ppv, npv = M.predictive_values(0.9, 0.95, 0.01)
    assert ppv == pytest.approx(9 / (9 + 49.5))
    assert npv == pytest.approx(940.5 / (940.5 + 1))
    assert np.isnan(M.predictive_values(0.0, 1.0, 0.3)[0])  # never +


@pytest.mark.parametrize("num_bins", [1, 5, 10, 15])
@given(case=scored())
def test_calibration_curve_matches_scikit_learn(num_bins, case):
    probs, target = case
    mean_p, frac_y, counts = M.calibration_curve(probs, target, num_bins)
    sk_true, sk_pred = sk_calibration(target, probs, n_bins=num_bins)
    np.testing.assert_allclose(mean_p, sk_pred, atol=1e-12)
    np.testing.assert_allclose(frac_y, sk_true, atol=1e-12)
    assert counts.sum() == len(probs)
    ece = M.expected_calibration_error(probs, target, num_bins)
    assert ece == pytest.approx(
        np.sum(counts * np.abs(frac_y - mean_p)) / len(probs), abs=1e-15
    )


def test_expected_calibration_error_by_hand():
    # bin (0.1, 0.2]: predicted 0.2, observed 1/2; bin (0.8, 0.9]:
    # predicted 0.9, observed 1: 2/4 * 0.3 + 2/4 * 0.1
    ece = M.expected_calibration_error([0.2, 0.2, 0.9, 0.9], [0, 1, 1, 1])
    assert ece == pytest.approx(0.2, abs=1e-15)
    # a model that says 30% and is right 30% of the time is calibrated
    probs, target = np.full(10, 0.3), np.r_[np.ones(3), np.zeros(7)]
    assert M.expected_calibration_error(probs, target.astype(int)) == (
        pytest.approx(0.0, abs=1e-15)
    )


def test_iou_per_class_matches_jaccard():
    rng = np.random.default_rng(1)
    pred, target = rng.integers(0, 4, (3, 8, 8)), rng.integers(0, 4, (3, 8, 8))
    np.testing.assert_allclose(
        M.iou_per_class(pred, target, 4),
        sk.jaccard_score(target.ravel(), pred.ravel(), average=None),
    )
    iou = M.iou_per_class([0, 0], [0, 0], 2)
    assert iou[0] == 1.0 and np.isnan(iou[1])


@pytest.mark.parametrize("k, n", [(0, 10), (3, 10), (145, 150), (20, 20)])
def test_wilson_interval_matches_scipy(k, n):
    low, high = M.wilson_interval(k, n, 0.95)
    expected = binomtest(k, n).proportion_ci(0.95, method="wilson")
    assert (low, high) == pytest.approx(
        (expected.low, expected.high), abs=1e-12
    )


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: M.sensitivity([1, 0], [1]), ValueError, "same length"),
        (lambda: M.sensitivity([1, 2], [1, 0]), ValueError, "only 0 and 1"),
        (lambda: M.specificity([0.5, 1.0], [1, 0]), TypeError, "0/1 labels"),
        (lambda: M.sensitivity([], []), ValueError, "empty"),
        (
            lambda: M.roc_curve([0.1, 0.2], [1, 1]),
            ValueError,
            "needs both classes",
        ),
        (lambda: M.roc_auc([0.1, np.nan], [0, 1]), ValueError, "finite"),
        (lambda: M.roc_auc(["a", "b"], [0, 1]), TypeError, "numbers"),
        (
            lambda: M.calibration_curve([0.1, 1.2], [0, 1]),
            ValueError,
            r"lie in \[0, 1\]",
        ),
        (
            lambda: M.expected_calibration_error([0.1, 0.2], [0, 1], 0),
            ValueError,
            "num_bins must be >= 1",
        ),
        (
            lambda: M.predictive_values(0.9, 1.5, 0.1),
            ValueError,
            "specificity must be <= 1",
        ),
        (lambda: M.wilson_interval(5, 4), ValueError, "successes must be <="),
        (
            lambda: M.wilson_interval(1, 4, 1.0),
            ValueError,
            "confidence must be",
        ),
        (lambda: M.iou_per_class([0, 1], [0], 2), ValueError, "same shape"),
    ],
)
def test_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()
