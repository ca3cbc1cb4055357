"""Seed comparisons: means, spreads and verdicts by hand."""

import pytest

from cnnbook.train.compare import SeedRuns, compare_table, run_seeds, verdict


def test_mean_sd_and_run_seeds():
    runs = run_seeds("x", lambda s: [0.90, 0.92, 0.94][s], range(3))
    assert runs.scores == [0.90, 0.92, 0.94]
    assert runs.mean == pytest.approx(0.92)
    assert runs.sd == pytest.approx(0.02)  # sample standard deviation
    assert "0.9200 +- 0.0200" in str(runs)
    assert SeedRuns("one", [0.5]).sd == 0.0


def test_verdict_clear_and_within_noise():
    a = SeedRuns("a", [0.95, 0.96, 0.97])
    b = SeedRuns("b", [0.90, 0.91, 0.92])
    # d = 0.05; s.e. = sqrt(2 * 0.01^2 / 3) = 0.00816; 2 s.e. = 0.0163
    assert verdict(a, b).endswith("clear")
    assert "+0.0500" in verdict(a, b) and "0.0163" in verdict(a, b)
    c = SeedRuns("c", [0.90, 0.95, 1.00])
    assert verdict(c, b).endswith("within noise")
    # a difference smaller than the resolution is never clear
    d = SeedRuns("d", [0.9101, 0.9201, 0.9301])
    assert verdict(d, b, resolution=0.01).endswith("within noise")


def test_table():
    text = compare_table(
        [SeedRuns("long name", [1.0, 2.0]), SeedRuns("b", [3.0, 3.0])],
        digits=1,
    )
    lines = text.splitlines()
    assert lines[0].split() == ["recipe", "mean", "sd", "min", "max"]
    assert lines[1].split()[-4:] == ["1.5", "0.7", "1.0", "2.0"]
