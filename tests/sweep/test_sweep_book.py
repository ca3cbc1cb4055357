"""Sweep of cnnbook.errata and cnnbook.book (the chapters' helpers)."""

import pytest
from _cases import case, check, counts_as

from cnnbook import book, errata

pytestmark = pytest.mark.sweep
SWEEP_MODULE = "errata"
ER, BK = "errata", "book"

RECORD = """[[erratum]]
id = "x"
section = "s"
quote = "{quote}"
says = "s"
correct = "c"
how = "h"
kind = "{kind}"
"""


def erratum_file(folder, name, text):
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text)
    errata.load.cache_clear()  # load() caches by folder
    return folder


FILES = {
    # name: (file name, text, error, fragments)
    "a file not named after its chapter": (
        "notes.toml",
        "",
        ValueError,
        ("errata.load: notes.toml", "NN_slug.toml"),
    ),
    "invalid TOML": (
        "03_how_cnns_work.toml",
        "[[erratum]\nid = ",
        ValueError,
        ("errata.load:", "03_how_cnns_work.toml is not valid TOML"),
    ),
    "a record without its fields": (
        "03_how_cnns_work.toml",
        "[[erratum]]\nid = 'x'\n",
        ValueError,
        ("03_how_cnns_work.toml erratum 1", "missing fields ['section'"),
    ),
    "an unknown kind": (
        "03_how_cnns_work.toml",
        RECORD.format(quote="Convolution", kind="typo"),
        ValueError,
        ("03_how_cnns_work.toml erratum 1: kind", "'arithmetic'"),
    ),
    "a quote not in the encyclopedia": (
        "03_how_cnns_work.toml",
        RECORD.format(quote="no such words, anywhere", kind="claim"),
        ValueError,
        (
            "03_how_cnns_work.toml erratum 1: quote",
            "not in the encyclopedia verbatim",
        ),
    ),
    "an unknown table": (
        "03_how_cnns_work.toml",
        "[[errors]]\nid = 'x'\n",
        ValueError,
        ("03_how_cnns_work.toml: unknown tables", "['errors']"),
    ),
}


@pytest.mark.parametrize("name", list(FILES))
def test_bad_errata_files_are_named(tmp_path, name):
    file_name, text, error, fragments = FILES[name]
    folder = erratum_file(tmp_path / "errata", file_name, text)
    try:
        check(
            case(
                ER, name, lambda: errata.load(folder), error, *fragments
            ).values[0]
        )
    finally:
        errata.load.cache_clear()


def some_id():
    return errata.load()[0].id


ERRORS = [
    case(
        ER,
        "load of a missing folder",
        lambda: errata.load("/nonexistent-errata"),
        FileNotFoundError,
        "errata.load: /nonexistent-errata is not a folder",
        "NN_slug.toml",
    ),
    case(
        ER,
        "show an unknown id",
        lambda: errata.show("nope", x=1),
        KeyError,
        "no erratum 'nope'",
        "known: ",
    ),
    case(
        ER,
        "show an id that is not a str",
        lambda: errata.show(5, x=1),
        TypeError,
        "errata: an erratum id",
        "is a str",
    ),
    case(
        ER,
        "show without values",
        lambda: errata.show(some_id()),
        ValueError,
        "pass the computed values",
        "so they are checked",
    ),
    case(
        ER,
        "show a value the record does not state",
        lambda: errata.show("softmax-example", total="99.99"),
        AssertionError,
        "computed total = '99.99'",
        "does not appear in the record's correct text",
    ),
    case(
        BK,
        "agrees with a claim that is not a number",
        lambda: book.agrees("abc", 1),
        ValueError,
        "agrees: claimed",
        "'0.67', '1,234' or '45%'",
    ),
    case(
        BK,
        "agrees with half an exponent",
        lambda: book.agrees("1e", 1),
        ValueError,
        "agrees: claimed",
        "a number as printed",
    ),
    case(
        BK,
        "agrees with a computed string",
        lambda: book.agrees("0.5", "x"),
        TypeError,
        "agrees: computed",
        "must be a number",
    ),
    case(
        BK,
        "agrees with a computed None",
        lambda: book.agrees(3, None),
        TypeError,
        "agrees: computed",
        "must be a number",
    ),
    case(
        BK,
        "Comparison.check of one label as a str",
        lambda: book.Comparison("t").add("a", 1, 2).check("a"),
        TypeError,
        "Comparison.check: expected_disagreements",
        "a list of row labels",
        "write ['a']",
    ),
    case(
        BK,
        "Comparison.check the wrong rows",
        lambda: book.Comparison("t").add("a", 1, 2).check(["b"]),
        AssertionError,
        "t: expected disagreements ['b']",
        "found ['a']",
    ),
    case(
        BK,
        "Comparison.add a bad format",
        lambda: book.Comparison("t").add("a", 1, 2, fmt="zz"),
        ValueError,
        "Comparison.add: fmt='zz'",
        "cannot format",
    ),
    case(
        BK,
        "Comparison.add a label that is not a str",
        lambda: book.Comparison("t").add(5, 1, 1),
        TypeError,
        "Comparison.add: label",
        "must be a str",
    ),
    case(
        BK,
        "Comparison without a title",
        lambda: book.Comparison(None),
        TypeError,
        "Comparison: title",
        "must be a str",
    ),
    case(
        BK,
        "show_source of a number",
        lambda: book.show_source(5),
        TypeError,
        "show_source: obj",
        "written in Python",
    ),
    case(
        BK,
        "show_source of a builtin",
        lambda: book.show_source(len),
        TypeError,
        "show_source: obj",
        "written in Python",
    ),
    case(
        BK,
        "glue a name that is not a str",
        lambda: book.glue(5, 1),
        TypeError,
        "glue: name",
        "non-empty str",
    ),
    case(
        BK,
        "glue an empty name",
        lambda: book.glue("", 1),
        TypeError,
        "glue: name",
        "non-empty str",
    ),
    case(
        BK,
        "checked without facts",
        lambda: book.checked(),
        ValueError,
        "checked: say what was verified",
        "checked('",
    ),
    case(
        BK,
        "checked a fact of two lines",
        lambda: book.checked("a\nb"),
        ValueError,
        "checked: each fact",
        "one non-empty line",
    ),
    case(
        BK,
        "checked a number",
        lambda: book.checked(3),
        TypeError,
        "checked: each fact",
        "a str or a Comparison",
    ),
]


@pytest.mark.parametrize("c", ERRORS)
def test_bad_input_is_refused_by_name(c):
    check(c)


@pytest.mark.parametrize(
    "claimed, computed, expected",
    [
        ("inf", float("inf"), True),
        ("nan", float("nan"), True),
        ("inf", 1e308, False),
        (float("inf"), float("inf"), True),
        (float("-inf"), 3.0, False),
    ],
)
@counts_as(BK)
def test_agrees_with_non_finite_claims(claimed, computed, expected):
    # these raised a TypeError from Decimal's exponent before
    assert book.agrees(claimed, computed) is expected
