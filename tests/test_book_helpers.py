"""cnnbook.book: comparisons of the encyclopedia's values with the book's."""

import pytest

from cnnbook.book import Comparison, agrees


@pytest.mark.parametrize(
    "claimed, computed, expected",
    [
        ("0.67", 0.659, False),  # rounds to 0.66
        ("0.10", 0.0986, True),
        (28, 28, True),
        (28, 27, False),
        ("45%", 44.9, True),
        ("1,024", 1024, True),
        (0.51, 0.5108, True),
        (0.51, 0.5151, False),
        ("1e-08", 1e-8, True),  # scientific notation: 8 decimal places
        ("1e-08", 2e-8, False),
        (1e-5, 1e-5, True),
        ("2.5e-3", 0.0025, True),
    ],
)
def test_agrees_at_the_printed_precision(claimed, computed, expected):
    assert agrees(claimed, computed) is expected


def test_comparison_reports_and_checks_disagreements():
    c = (
        Comparison("softmax")
        .add("p0", "0.67", 0.659)
        .add("p2", "0.10", 0.0986)
    )
    assert c.disagreements == ["p0"]
    c.check(["p0"])
    with pytest.raises(AssertionError, match="expected disagreements"):
        c.check([])
    text = repr(c)
    assert "DIFFERS" in text and "agrees" in text
    assert 'class="cnnbook-differs"' in c._repr_html_()
