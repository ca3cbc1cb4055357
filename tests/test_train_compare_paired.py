"""Paired verdicts: the same seeds in both recipes, by hand."""

import pytest

from cnnbook.train.compare import SeedRuns, paired_verdict, verdict


def test_paired_removes_the_shared_spread():
    # Seeds move both recipes alike; the difference is always 0.02.
    a = SeedRuns("a", [0.86, 0.90, 0.95])
    b = SeedRuns("b", [0.84, 0.88, 0.93])
    assert verdict(a, b).endswith("within noise")
    text = paired_verdict(a, b)
    # d_i = 0.02 each: s_d = 0 up to rounding, so the difference is clear
    assert text.endswith("clear") and "+0.0200" in text
    assert "paired over 3 seeds" in text


def test_paired_by_hand():
    a = SeedRuns("a", [0.867, 0.864, 0.887])
    b = SeedRuns("b", [0.849, 0.841, 0.875])
    # d = (0.018, 0.023, 0.012): mean 0.017667, sd 0.005508,
    # s.e. = 0.005508 / sqrt(3) = 0.00318, 2 s.e. = 0.0064
    text = paired_verdict(a, b)
    assert "+0.0177" in text and "2 x s.e. = 0.0064" in text
    assert text.endswith("clear")
    assert paired_verdict(a, b, resolution=0.05).endswith("within noise")


def test_differences_of_both_signs_are_noise():
    a = SeedRuns("a", [0.90, 0.80, 0.95])
    b = SeedRuns("b", [0.85, 0.86, 0.90])
    assert paired_verdict(a, b).endswith("within noise")


@pytest.mark.parametrize(
    "a, b, error, match",
    [
        (
            SeedRuns("a", [0.9, 0.8]),
            SeedRuns("b", [0.9]),
            ValueError,
            "same seeds, at least 2",
        ),
        (SeedRuns("a", [0.9]), SeedRuns("b", [0.9]), ValueError, "at least 2"),
        (
            [0.9, 0.8],
            SeedRuns("b", [0.9, 0.8]),
            TypeError,
            "a must be SeedRuns",
        ),
    ],
)
def test_bad_input(a, b, error, match):
    with pytest.raises(error, match=match):
        paired_verdict(a, b)
