"""One spelling, American, in everything a reader sees.

The chapters, the book's pages, the README and CONTRIBUTING, and the
package's docstrings and comments (learners read them). Quotes of the
encyclopedia (the errata's ``quote`` fields) and titles in the
bibliography are cited as written, so they are not checked.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# British form -> American form. Word stems, matched at a word start.
BRITISH = {
    r"normalis": "normaliz",
    r"initialis": "initializ",
    r"regularis": "regulariz",
    # not optimism, optimist(ic): the same stem, American too
    r"optimis(?!m|t)": "optimiz",
    r"visualis": "visualiz",
    r"generalis": "generaliz",
    r"summaris": "summariz",
    r"recognis": "recogniz",
    r"minimis": "minimiz",
    r"maximis": "maximiz",
    r"parameteris": "parameteriz",
    r"characteris(?!tic)": "characteriz",  # not "characteristic"
    r"organis": "organiz",
    r"realis": "realiz",
    r"utilis": "utiliz",
    r"standardis": "standardiz",
    r"vectoris": "vectoriz",
    r"serialis": "serializ",
    r"categoris": "categoriz",
    r"randomis": "randomiz",
    r"specialis": "specializ",
    r"memoris": "memoriz",
    r"quantis": "quantiz",
    r"discretis": "discretiz",
    r"emphasis(?:e|es|ed|ing)\b": "emphasiz",
    r"analys(?:e|es|ed|ing)\b": "analyz",
    r"behaviour": "behavior",
    r"colour": "color",
    r"neighbour": "neighbor",
    r"favour": "favor",
    r"honour": "honor",
    r"labour": "labor",
    r"flavour": "flavor",
    r"centre": "center",
    r"grey": "gray",
    r"labell": "label",
    r"modell": "model",
    r"travell": "travel",
    r"cancell": "cancel",
    r"signall": "signal",
    r"catalogue": "catalog",
    r"programme": "program",
    r"licence": "license",
    r"defence": "defense",
    r"whilst\b": "while",
    r"amongst\b": "among",
    r"learnt\b": "learned",
    r"judgement": "judgment",
    r"artefact": "artifact",
    r"practise": "practice",
    r"focuss": "focus",
    r"fulfil\b": "fulfill",
    r"towards\b": "toward",
}
PATTERN = re.compile(r"\b(" + "|".join(BRITISH) + r")", re.IGNORECASE)
# Names that are not the book's prose: names in other libraries (spelled
# by their authors) and inline code.
ALLOWED = re.compile(
    r"rgb2grey|skimage\.data\.\w+|`[^`]*`"
    r"|label(?:left|right|top|bottom)"  # matplotlib's tick_params keywords
    r"|[\"']Greys(?:_r)?[\"']"
)  # a matplotlib colormap's name


def prose_files() -> list[Path]:
    files = [
        *(ROOT / "chapters").glob("*.md"),
        *(ROOT / "book").glob("*.md"),
        ROOT / "README.md",
        ROOT / "CONTRIBUTING.md",
        *(ROOT / "cnnbook").rglob("*.py"),
        *(ROOT / "tools").glob("*.py"),
    ]
    return sorted(files)


def readable_text(path: Path) -> str:
    text = path.read_text("utf-8")
    return ALLOWED.sub("", text)


def errata_text(path: Path) -> str:
    data = tomllib.loads(path.read_text("utf-8"))
    return "\n".join(
        str(value)
        for entry in data.get("erratum", [])
        for key, value in entry.items()
        if key != "quote"
    )


def british_words(text: str) -> list[str]:
    found = []
    for line in text.splitlines():
        for match in PATTERN.finditer(line):
            word = re.match(r"\w+", line[match.start() :]).group(0)
            found.append(word)
    return found


@pytest.mark.parametrize(
    "path", prose_files(), ids=lambda p: str(p.relative_to(ROOT))
)
def test_american_spelling(path):
    words = british_words(readable_text(path))
    assert not words, (
        f"{path.relative_to(ROOT)}: British spellings {sorted(set(words))}"
        " (the book spells American: normalization, color, gray)"
    )


@pytest.mark.parametrize(
    "path",
    sorted((ROOT / "cnnbook" / "errata").glob("*.toml")),
    ids=lambda p: p.name,
)
def test_american_spelling_in_errata(path):
    words = british_words(errata_text(path))
    assert not words, f"{path.name}: British spellings {sorted(set(words))}"


def test_the_check_finds_british_spellings():
    assert british_words("Batch normalisation: the colour grey") == [
        "normalisation",
        "colour",
        "grey",
    ]
    assert british_words("batch normalization, color, gray, emphasis") == []
    assert british_words("characterise; the ROC characteristic") == [
        "characterise"
    ]


def test_optimism_is_not_british():
    # "optimis" starts optimise/optimisation, but also optimism and
    # optimistic, which are American spellings as well
    assert british_words("Optimism, optimistic, an optimist") == []
    assert british_words("optimise, optimised, Optimisation") == [
        "optimise",
        "optimised",
        "Optimisation",
    ]
