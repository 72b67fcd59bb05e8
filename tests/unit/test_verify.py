"""Quote verification: exact, normalised typography, altered with a diff, not found."""

from __future__ import annotations

import pytest

from briefing.core.verify import normalize, verify_quote, word_diff

SOURCE = "Smith said: \u201cWe believe now is the time \u2014 to begin a national dialogue.\u201d"


def span(words: str) -> tuple[int, int]:
    start = SOURCE.index(words)
    return start, start + len(words)


def test_exact():
    words = "We believe now is the time \u2014 to begin a national dialogue."
    assert verify_quote(words, SOURCE, *span(words)).status == "exact"


@pytest.mark.parametrize(
    "typed",
    [
        "We believe now is the time - to begin a national dialogue.",  # plain dash
        "we believe now is the time \u2014 to begin a national dialogue.",  # first letter
        "We believe  now is the\ntime \u2014 to begin a national dialogue.",  # white space
        "We believe now is the time -- to begin a national dialogue.".replace("--", "\u2013"),
    ],
)
def test_typography_only_is_normalized(typed):
    words = "We believe now is the time \u2014 to begin a national dialogue."
    result = verify_quote(typed, SOURCE, *span(words))
    assert result.status == "normalized"
    assert result.verified


def test_curly_and_straight_quotation_marks_are_the_same():
    assert normalize("\u201cit\u2019s\u201d") == normalize('"it\'s"')
    assert normalize("wait\u2026") == normalize("wait...")


def test_changed_words_are_altered_with_a_word_diff():
    words = "We believe now is the time \u2014 to begin a national dialogue."
    typed = "We believe now is the time \u2014 to begin a national debate."
    result = verify_quote(typed, SOURCE, *span(words))
    assert result.status == "altered"
    assert not result.verified
    assert (
        result.diff
        == "We believe now is the time \u2014 to begin a national [-dialogue.-] {+debate.+}"
    )


def test_unrelated_words_are_not_found():
    words = "We believe now is the time \u2014 to begin a national dialogue."
    result = verify_quote("Facial recognition is harmless.", SOURCE, *span(words))
    assert result.status == "not_found"


def test_a_quote_whose_source_is_gone_is_not_found():
    assert verify_quote("anything", None, 0, 8).status == "not_found"


def test_stale_offsets_still_find_the_exact_words():
    words = "national dialogue"
    result = verify_quote(words, SOURCE, 0, len(words))
    assert result.status == "exact"
    assert result.found_at == span(words)


def test_word_diff_marks_insertions_and_deletions():
    assert word_diff("a b c", "a c d") == "a [-b-] c {+d+}"
