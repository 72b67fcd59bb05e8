"""Anchoring quotes by their words, refusing what is not there, and checking across sources."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from briefing.core.info import counts
from briefing.core.quotes import (
    add_quote,
    add_quote_at,
    check_quotes,
    closest_passage,
    find_occurrences,
)
from briefing.core.sources import import_source
from briefing.core.verify import compare_quotes
from briefing.errors import InputError, NotFound
from briefing.store.models import Quote, Stakeholder

pytestmark = pytest.mark.both_databases

PRIMARY = (
    "IBM no longer offers general purpose IBM facial recognition or analysis software.\n\n"
    "We believe now is the time to begin a national dialogue on whether and how facial "
    "recognition technology should be employed by domestic law enforcement agencies.\n"
)
NEWS = (
    "IBM\u2019s chief executive wrote: \u201cIBM no longer offers general purpose IBM facial "
    "recognition or analysis software.\u201d He added: \u201cWe believe now is the time "
    "\u2014 to begin a national dialogue on whether and how facial recognition technology "
    "should be employed by domestic law enforcement agencies.\u201d Later he said \u201cnow is "
    "the time to begin a national debate on whether facial recognition should be employed by "
    "police.\u201d"
)


@pytest.fixture
def store(empty_store, tmp_path):
    (tmp_path / "primary.txt").write_text(PRIMARY, encoding="utf-8")
    (tmp_path / "news.txt").write_text(NEWS, encoding="utf-8")
    with empty_store.writing() as session:
        ibm = Stakeholder(name="IBM", kind="company")
        session.add_all([ibm, Stakeholder(name="Arvind Krishna", kind="person", parent=ibm)])
        session.add(Stakeholder(name="Microsoft", kind="company"))
        import_source(session, tmp_path / "primary.txt", title="Letter")
        import_source(session, tmp_path / "news.txt", title="News")
    return empty_store


def quote_count(store) -> int:
    with store.reading() as session:
        return counts(session)["quotes"]


def checks_by_id(store):
    with store.reading() as session:
        return {check.id: check for check in check_quotes(session)}


def test_quote_add_anchors_the_words_exactly(store):
    words = "national dialogue on whether and how"
    with store.writing() as session:
        added = add_quote(session, 1, words, "arvind krishna")
    assert PRIMARY[added.start : added.end] == words
    check = checks_by_id(store)[added.id]
    assert check.verification.status == "exact"
    assert check.speaker == "Arvind Krishna"


def test_typed_typography_is_anchored_and_checked_as_normalized(store):
    typed = "IBM's chief executive wrote"
    with store.writing() as session:
        added = add_quote(session, 2, typed, "Arvind Krishna")
    assert NEWS[added.start : added.end] == "IBM\u2019s chief executive wrote"
    assert checks_by_id(store)[added.id].verification.status == "normalized"


def test_occurrence_chooses_among_repeated_words(store):
    with pytest.raises(InputError, match="2 times.*--occurrence"), store.writing() as session:
        add_quote(session, 1, "IBM", "IBM")
    with store.writing() as session:
        second = add_quote(session, 1, "IBM", "IBM", occurrence=2)
    assert second.start == PRIMARY.index("IBM", 1)
    before = quote_count(store)
    with pytest.raises(InputError, match="--occurrence 3"), store.writing() as session:
        add_quote(session, 1, "IBM", "IBM", occurrence=3)
    assert quote_count(store) == before


def test_words_not_in_the_source_are_refused_with_the_closest_passage(store):
    with pytest.raises(InputError) as caught, store.writing() as session:
        add_quote(session, 1, "begin a national debate on whether and how", "IBM")
    assert "not in source 1" in str(caught.value)
    assert "\u201cbegin a national dialogue on whether and how" in str(caught.value)
    assert quote_count(store) == 0


@pytest.mark.parametrize(
    ("source", "speaker", "error", "message"),
    [
        (1, "Arvind Krishnan", NotFound, "did you mean 'Arvind Krishna'"),
        (99, "IBM", NotFound, "no source with id 99"),
        ("x", "IBM", NotFound, "no source with id 'x'"),
    ],
)
def test_unknown_speaker_or_source_is_refused(store, source, speaker, error, message):
    with pytest.raises(error, match=message), store.writing() as session:
        add_quote(session, source, "IBM", speaker, occurrence=1)
    assert quote_count(store) == 0


def test_a_quote_from_a_selection_keeps_exact_offsets_trimmed_to_words(store):
    start = PRIMARY.index("We believe") - 2  # the selection took the blank line before
    end = PRIMARY.index("dialogue") + len("dialogue")
    with store.writing() as session:
        added = add_quote_at(session, 1, start, end, "IBM")
    assert PRIMARY[added.start : added.end] == PRIMARY[start + 2 : end]
    with pytest.raises(InputError, match="not a passage"), store.writing() as session:
        add_quote_at(session, 1, 5, len(PRIMARY) + 1, "IBM")
    with pytest.raises(InputError, match="only white space"), store.writing() as session:
        add_quote_at(session, 1, PRIMARY.index("\n\n"), PRIMARY.index("\n\n") + 2, "IBM")
    assert quote_count(store) == 1


def _quote(session, source_id, words, speaker, **kwargs):
    return add_quote(session, source_id, words, speaker, **kwargs).id


def test_each_status_on_its_own_source(store):
    with store.writing() as session:
        exact = _quote(session, 1, "general purpose IBM facial recognition", "IBM")
        normal = _quote(session, 2, "IBM's chief executive wrote", "IBM")
        altered = _quote(session, 1, "no longer offers general purpose", "IBM")
        gone = _quote(session, 1, "or analysis software.", "IBM")
        # Quotes whose stored words were changed afterwards (by hand or by an old import).
        session.get(Quote, altered).text = "no longer sells general purpose"
        session.get(Quote, gone).text = "something else entirely"
    checks = checks_by_id(store)
    assert checks[exact].verification.status == "exact"
    assert checks[normal].verification.status == "normalized"
    assert checks[altered].verification.status == "altered"
    assert checks[altered].verification.diff == ("no longer [-offers-] {+sells+} general purpose")
    assert checks[gone].verification.status == "not_found"
    assert [checks[i].ok for i in (exact, normal, altered, gone)] == [True, True, False, False]


def test_the_same_words_in_two_sources_agree_once_typography_is_folded(store):
    with store.writing() as session:
        letter = _quote(session, 1, "We believe now is the time to begin", "Arvind Krishna")
        news = _quote(session, 2, "we believe now is the time \u2014 to begin", "IBM")
    checks = checks_by_id(store)
    # The dash is typography: a person and the organisation they speak for agree here.
    assert checks[letter].conflicts == () and checks[news].conflicts == ()
    assert [a.quote_id for a in checks[news].agreements] == [letter]
    assert checks[letter].agreements[0].comparison.kind == "typography"


def test_changed_words_across_sources_are_a_conflict_on_both(store):
    with store.writing() as session:
        letter = _quote(
            session,
            1,
            "now is the time to begin a national dialogue on whether and how facial recognition"
            " technology should be employed",
            "Arvind Krishna",
        )
        news = _quote(
            session,
            2,
            "now is the time to begin a national debate on whether facial recognition should be"
            " employed by police",
            "Arvind Krishna",
        )
        other = _quote(session, 2, "national debate on whether facial recognition", "Microsoft")
    checks = checks_by_id(store)
    assert [c.quote_id for c in checks[letter].conflicts] == [news]
    assert [c.quote_id for c in checks[news].conflicts] == [letter]
    assert checks[news].conflicts[0].comparison.diff == (
        "now is the time to begin a national [-debate-] {+dialogue+} on whether {+and how+} "
        "facial recognition {+technology+} should be employed"
    )
    assert not checks[news].ok and not checks[letter].ok
    # Another speaker's words are not compared; nor are two quotes from the same source.
    assert checks[other].conflicts == ()


def test_different_statements_are_not_compared():
    assert compare_quotes("We oppose a ban on this.", "Sales to police are paused.") is None


def test_different_words_at_the_end_are_compared():
    letter = "should be employed by domestic law enforcement agencies."
    news = "should be employed by police."
    assert compare_quotes(news, letter).diff == (
        "should be employed by [-police.-] {+domestic law enforcement agencies.+}"
    )
    longer = letter + " This is one of many more words that follow in the letter."
    assert compare_quotes(news, longer).diff == (
        "should be employed by [-police.-] {+domestic law enforcement agencies. This+}"
    )


def test_hyphenation_is_typography():
    compared = compare_quotes(
        "how facial-recognition technology", "how facial recognition technology"
    )
    assert compared.kind == "typography" and compared.diff is None


def test_overlapping_quotes_compare_what_both_cover():
    assert compare_quotes("We believe now is the time", "now is the time to begin").kind == "same"


def test_a_part_quoted_is_not_a_conflict():
    whole = "We believe now is the time to begin a national dialogue on whether and how"
    part = "the time to begin a national dialogue"
    assert compare_quotes(whole, part).kind == "same"
    assert compare_quotes(part, whole).kind == "same"


def test_closest_passage_on_an_empty_match():
    assert closest_passage("alpha beta gamma", "zulu yankee") is None


# Offsets count Python characters, whatever the text holds.
UNICODE_TEXT = st.lists(
    st.one_of(
        st.sampled_from(["\r\n", "\n", " ", "\u05e9\u05dc\u05d5\u05dd", "e\u0301", "\U0001f600"]),
        st.characters(blacklist_categories=("Cs",)),
    ),
    min_size=1,
    max_size=30,
).map("".join)


@given(before=UNICODE_TEXT, words=UNICODE_TEXT, after=UNICODE_TEXT)
def test_found_words_are_the_source_at_their_offsets(before, words, after):
    source = before + words + after
    places = find_occurrences(source, words)
    assert (len(before), len(before) + len(words)) in places
    for start, end in places:
        assert source[start:end] == words


PHRASES = st.lists(
    st.sampled_from(
        ["we", "believe", "now", "is", "the", "time", "debate", "\u2014", "time,", "face-to-face"]
    ),
    min_size=1,
    max_size=12,
).map(" ".join)


@given(first=PHRASES, second=PHRASES)
def test_the_quick_word_test_never_skips_a_pair_that_compares(first, second):
    from briefing.core.verify import comparable_words, could_be_same_words

    if compare_quotes(first, second) is not None:
        assert could_be_same_words(comparable_words(first), comparable_words(second))


def test_the_details_panel_shows_conflicts_and_agreements_across_sources(store, tmp_path):
    """A card's quotes carry how other sources report the same words, and say it in words."""
    from briefing.core.cards import stakeholder_detail
    from briefing.render.detail import stakeholder_html
    from briefing.store.models import Topic

    with store.writing() as session:
        topic = Topic(name="Facial recognition")
        ibm = session.query(Stakeholder).filter_by(name="IBM").one()
        topic.stakeholders.extend(session.query(Stakeholder).all())
        session.add(topic)
        session.flush()
        topic_id, ibm_id = topic.id, ibm.id
        letter = _quote(session, 1, "We believe now is the time to begin a national", "IBM")
        changed = _quote(
            session,
            1,
            "now is the time to begin a national dialogue on whether and how facial recognition"
            " technology should be employed",
            "Arvind Krishna",
        )
        typed = _quote(session, 2, "We believe now is the time \u2014 to begin a national", "IBM")
        news = _quote(
            session,
            2,
            "now is the time to begin a national debate on whether facial recognition should be"
            " employed by police",
            "Arvind Krishna",
        )
    with store.reading() as session:
        detail = stakeholder_detail(session, topic_id, ibm_id)
    quotes = {q.line.id: q for q in detail.quotes}
    assert [c.quote_id for c in quotes[changed].conflicts] == [news]
    assert [c.quote_id for c in quotes[news].conflicts] == [changed]
    # The letter's words agree with the report's over the words both cover.
    assert [a.quote_id for a in quotes[letter].agreements] == [typed, news]
    assert quotes[letter].conflicts == ()
    html = stakeholder_html(detail)
    # The conflict names the other source and marks its differing words in type (bold,
    # underlined), not by colour alone; an agreement is said in words too.
    assert "Conflict: <i>News</i> has these words differently" in html
    assert "<b><u>debate</u></b>" in html and "<b><u>dialogue</u></b>" in html
    # A dash the report adds between the words is typography.
    assert "Agrees except for typography with 2 quotes in other sources: <i>News</i>" in html
    assert "Agrees except for typography with 2 quotes in other sources: <i>Letter</i>" in html


def test_a_reported_quote_is_not_said_by_its_speaker(store):
    """The source's words about a stakeholder are "reported", never "said" by them."""
    import datetime as dt

    from briefing.render.quote_check import quote_check_html

    with store.writing() as session:
        reported = add_quote_at(
            session, 2, 0, 26, "IBM", dt.date(2020, 6, 9), attribution="reported"
        ).id
        said = _quote(session, 1, "We believe now is the time", "Arvind Krishna")
        session.get(Quote, said).said_on = dt.date(2020, 6, 8)
    checks = checks_by_id(store)
    assert checks[reported].attribution == "reported"
    reported_html = quote_check_html(checks[reported])
    assert "\u2014 reported, about IBM" in reported_html
    assert "reported 9 June 2020" in reported_html and "said" not in reported_html
    assert "\u2014 Arvind Krishna" in quote_check_html(checks[said])
    assert "said 8 June 2020" in quote_check_html(checks[said])


def test_ligatures_from_a_pdf_are_typography(empty_store, tmp_path):
    """PDF text often holds ligatures ("o\ufb03cers"); typed plainly, the words are found."""
    (tmp_path / "statement.txt").write_text(
        "Today o\ufb03cers deployed the cameras.", encoding="utf-8"
    )
    with empty_store.writing() as session:
        session.add(Stakeholder(name="Metropolitan Police", kind="police"))
        import_source(session, tmp_path / "statement.txt")
        added = add_quote(session, 1, "Today officers deployed", "Metropolitan Police")
    assert (added.start, added.end) == (0, len("Today o\ufb03cers deployed"))
    (check,) = checks_by_id(empty_store).values()
    assert check.verification.status == "normalized"
    assert compare_quotes("o\ufb03cers deployed it", "officers deployed it").kind == "typography"


@pytest.mark.parametrize(
    ("first", "second", "kind"),
    [
        ("now is the time to begin", "now is the time \u2014 to begin", "typography"),
        ("walk away \u2014 this will", "walk away \u2013 this will", "typography"),
        ("walk away \u2014 this will", "walk away \u2014 this will", "same"),
        ("now is the time to begin", "now is the time ... to begin", "typography"),
    ],
)
def test_a_free_standing_dash_or_ellipsis_between_words_is_typography(first, second, kind):
    compared = compare_quotes(first, second)
    assert compared is not None and compared.kind == kind
    # Each quote's words are shown as it has them, dash included.
    assert "".join(s.text for s in compared.second) == second


def test_an_unknown_attribution_is_refused_and_nothing_stored(store):
    with pytest.raises(InputError, match="'direct' or 'reported'"), store.writing() as session:
        add_quote(session, 1, "We believe", "IBM", attribution="hearsay")
    assert quote_count(store) == 0


def test_an_export_flags_quotes_another_source_reports_differently(store):
    """A briefing handed out says which quotes another source has in other words."""
    from briefing.core.briefings import topic_content
    from briefing.render.briefing import html_document, markdown_document
    from briefing.store.models import Topic

    with store.writing() as session:
        ibm = session.query(Stakeholder).filter_by(name="IBM").one()
        topic = Topic(name="Facial recognition", stakeholders=[ibm])
        session.add(topic)
        session.flush()
        topic_id = topic.id
        _quote(session, 1, "We believe now is the time to begin a national dialogue", "IBM")
        _quote(session, 2, "now is the time to begin a national debate", "IBM")
        _quote(session, 1, "IBM no longer offers general purpose", "IBM")
    with store.reading() as session:
        content = topic_content(session, topic_id)
    assert [q.text for q in content.conflicting] == [
        "We believe now is the time to begin a national dialogue",
        "now is the time to begin a national debate",
    ]
    assert content.conflicting[1].conflicts == (
        "Letter has: now is the time to begin a national [-debate-] {+dialogue+}",
    )
    html = html_document(content)
    assert "another source reports these words differently (Appendix B)" in html
    assert "News has: now is the time to begin a national [-dialogue-] {+debate+}" in html
    markdown = markdown_document(content)
    assert "  - `Letter has: now is the time to begin a national [-debate-] {+dialogue+}`" in (
        markdown
    )
    assert markdown.count("another source reports these words differently") == 2


@given(UNICODE_TEXT)
def test_the_fast_fold_is_the_fold(text):
    from briefing.core.quotes import _fold_fast, _fold_with_map

    assert _fold_fast(text) == _fold_with_map(text)[0]


def test_typography_is_found_across_the_chunks_of_a_long_source(monkeypatch):
    from briefing.core import quotes

    monkeypatch.setattr(quotes, "_CHUNK", 64)
    filler = "word \u2014 and  \n  more\u00a0text " * 40
    source = filler + "we believe \u201cnow\u201d is the time" + filler
    start = len(filler)
    places = find_occurrences(source, 'we believe "now" is the time')
    assert places == [(start, start + len('we believe "now" is the time'))]
    assert len(quotes._FoldedIndex(source).bounds) > 10
    bounds = quotes._chunk_bounds(source)
    pieces = [quotes._fold_fast(source[a:b]) for a, b in itertools.pairwise(bounds)]
    assert "".join(pieces) == quotes._fold_fast(source)


def test_the_closest_passage_is_read_around_the_rarest_words():
    source = ("alpha beta gamma delta. " * 500) + "the quick brown fox jumps over the lazy dog"
    near = closest_passage(source, "the quick red fox jumps over a lazy dog")
    assert near is not None and source[near[0] : near[1]].startswith("the quick brown fox")
