"""Finding quotations and their speakers in news-style text (no store)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from briefing.core.suggestions import find_quotations, match_stakeholder

CORPUS = Path(__file__).parent.parent / "data" / "suggestions"
LABELS = json.loads((CORPUS / "labels.json").read_text(encoding="utf-8"))


def _found(text: str) -> list[tuple[str, str | None]]:
    return [(" ".join(q.text.split()), q.speaker) for q in find_quotations(text)]


DOE = "We will not sell it to police forces"
OFF = "the cameras are never switched off"
PATTERNS = [
    (f'"{DOE}," said Jane Doe.', DOE, "Jane Doe"),
    (f"\u201c{DOE},\u201d Jane Doe said.", DOE, "Jane Doe"),
    (f"Jane Doe told reporters: \u201c{DOE}.\u201d", DOE + ".", "Jane Doe"),
    (f"According to Jane Doe, \u201c{OFF}.\u201d", OFF + ".", "Jane Doe"),
    (f"\u201cThe {OFF[4:]},\u201d Jane Doe, the company\u2019s president, said.", "The " + OFF[4:], "Jane Doe"),  # noqa: E501
    ("The firm, Doe said, \u201cwill leave the market this year.\u201d", "will leave the market this year.", "Doe"),  # noqa: E501
    ("\u00ab Nous ne vendrons plus ce logiciel, \u00bb a dit Am\u00e9lie Roux.", "Nous ne vendrons plus ce logiciel", None),  # noqa: E501
]  # fmt: skip


@pytest.mark.parametrize("sentence, words, speaker", PATTERNS)
def test_speaker_patterns(sentence, words, speaker):
    found = _found(sentence)
    assert found[0][0] == words
    if speaker is not None:
        assert found[0][1] == speaker


def test_scare_quotes_of_one_to_three_words_are_not_suggested():
    text = 'The mayor called it a "robust" and "very good plan", said Ann Lee. "It is not a ban."'
    assert _found(text) == [("It is not a ban.", "Ann Lee")]


def test_quotes_across_line_breaks_and_continued_paragraphs():
    text = (
        "“We are leaving this market because\nthe rules are not there yet,” said Ravi Patel.\n\n"
        "“We will not come back until they are.\n\n"
        "“And we urge others to follow,” he added."
    )
    found = find_quotations(text)
    assert [(" ".join(q.text.split()), q.speaker) for q in found] == [
        ("We are leaving this market because the rules are not there yet", "Ravi Patel"),
        ("We will not come back until they are.", "Ravi Patel"),
        ("And we urge others to follow", "Ravi Patel"),
    ]
    for q in found:  # offsets are the words themselves, marks excluded
        assert text[q.start : q.end] == q.text


def test_a_surname_is_given_in_full_when_the_article_names_the_person():
    text = (
        "Chief Constable Daniel Hughes spoke first. According to Hughes, the force has "
        '"no intention of building a database."'
    )
    assert _found(text) == [("no intention of building a database.", "Daniel Hughes")]


def test_a_sentence_with_an_unnamed_speaker_names_none():
    text = (
        '"We have heard the concerns of many residents," said Ann Lee. A police spokesperson '
        'said the request was "routine and concerned a few incidents".'
    )
    assert _found(text)[1] == ("routine and concerned a few incidents", None)


@pytest.mark.parametrize("part", ["development", "held_out"])
def test_the_labelled_corpus_is_mostly_found(part):
    """Regression floor; the benchmark prints the figures (bench_suggestions.py)."""
    truth = found = right_text = right_speaker = 0
    for name, labels in LABELS[part].items():
        got = _found((CORPUS / name).read_text(encoding="utf-8"))
        labelled = {text: speaker for text, speaker in labels}
        truth += len(labels)
        found += len(got)
        for text, speaker in got:
            if text in labelled:
                right_text += 1
                right_speaker += labelled[text] == speaker
    assert right_text / found >= 0.9 and right_text / truth >= 0.9
    assert right_speaker / truth >= 0.85


def test_stakeholders_are_matched_by_name_surname_or_acronym():
    people = [(1, "Arvind Krishna"), (2, "IBM"), (3, "American Civil Liberties Union (ACLU)")]
    assert match_stakeholder("ibm", people) == (2, "IBM")
    assert match_stakeholder("Krishna", people) == (1, "Arvind Krishna")
    assert match_stakeholder("ACLU", people) == (3, "American Civil Liberties Union (ACLU)")
    assert match_stakeholder("Smith", people) is None
    two = [*people, (4, "Priya Krishna")]
    assert match_stakeholder("Krishna", two) is None  # which one? the user says


def test_quotations_are_the_same_however_the_text_is_scanned(monkeypatch):
    """The marks are found a stretch at a time (so a 30 MB report never holds Python's lock
    for long); a stretch of a few characters finds exactly what one pass over the whole does,
    on every article of the corpus and on quotes left open across paragraphs."""
    from briefing.core import suggestions

    names = [name for part in ("development", "held_out") for name in LABELS[part]]
    texts = [(CORPUS / name).read_text(encoding="utf-8") for name in names]
    texts.append('\u201cOpen to the end of its paragraph\n\n"and one never closed, said Jane Doe')
    texts.append("No quotation marks at all.\n\nNone here either.")
    whole = [find_quotations(text) for text in texts]
    assert sum(len(found) for found in whole) > 50
    monkeypatch.setattr(suggestions, "_SCAN", 7)
    assert [find_quotations(text) for text in texts] == whole
