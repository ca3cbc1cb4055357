"""The errata store: records are well formed, quoted verbatim, and each is
shown (and so checked) by exactly one chapter."""

import re
from pathlib import Path

import pytest

from cnnbook import errata

ROOT = Path(__file__).resolve().parents[1]


def test_every_record_loads_with_a_line_number():
    records = errata.load()
    assert records, "the store should hold the errata the chapters found"
    source = errata.encyclopedia_path().read_text().splitlines()
    for record in records:
        first_words = record.quote.split()[0]
        assert first_words in source[record.line - 1], record.id


def test_each_erratum_is_shown_by_its_own_chapter_exactly_once():
    for record in errata.load():
        chapter = ROOT / "chapters" / f"{record.chapter}.md"
        assert chapter.exists(), f"{record.id}: no chapter {chapter.name}"
        calls = re.findall(
            rf"errata\.show\(\s*[\"']{re.escape(record.id)}[\"']",
            chapter.read_text(),
        )
        assert len(calls) == 1, f"{record.id} shown {len(calls)} times"


def test_every_show_call_names_a_record():
    known = {r.id for r in errata.load()}
    for chapter in (ROOT / "chapters").glob("*.md"):
        for erratum_id in re.findall(
            r"errata\.show\(\s*[\"']([\w-]+)", chapter.read_text()
        ):
            assert erratum_id in known, f"{chapter.name}: {erratum_id}"


def test_show_checks_values_against_the_record():
    record = errata.load()[0]
    with pytest.raises(AssertionError, match="does not appear"):
        errata.show(record.id, value="a number nobody wrote 123456789")
    with pytest.raises(ValueError, match="pass the computed values"):
        errata.show(record.id)
    with pytest.raises(KeyError, match="no erratum"):
        errata.get("no-such-erratum")


def test_view_renders_text_and_html():
    view = errata.show(
        "softmax-example", denominator="11.213", rounded="[0.66, 0.24, 0.10]"
    )
    assert "Erratum E3." in repr(view)
    assert 'id="erratum-softmax-example"' in view._repr_html_()


def test_malformed_records_are_rejected(tmp_path):
    (tmp_path / "03_x.toml").write_text(
        '[[erratum]]\nid = "a"\nsection = "s"\nquote = "not in the text '
        'at all, surely"\nsays = "x"\ncorrect = "y"\nhow = "z"\n'
        'kind = "arithmetic"\n'
    )
    with pytest.raises(ValueError, match="not in the encyclopedia"):
        errata.load(tmp_path)
    (tmp_path / "03_x.toml").write_text('[[erratum]]\nid = "a"\n')
    with pytest.raises(ValueError, match="missing fields"):
        errata.load(tmp_path)
