"""Composing briefings and reading what they say (no Qt)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from briefing.core import briefings as b
from briefing.errors import InputError, NotFound
from briefing.render.briefing import STANCE_COLOURS, html_document, markdown_document
from briefing.store.models import Note, Quote, Source, Stakeholder

pytestmark = pytest.mark.both_databases


def ids(session, model, column, *values):
    return [session.scalars(select(model.id).where(column == v)).one() for v in values]


@pytest.fixture
def composed(demo_store):
    """A briefing: comparison, IBM, Microsoft, one quote, the private topic note."""
    with demo_store.writing() as s:
        ibm, microsoft = ids(s, Stakeholder, Stakeholder.name, "IBM", "Microsoft")
        # A quote of a stakeholder the briefing does not show (one it does is not printed twice).
        (liberty,) = ids(s, Stakeholder, Stakeholder.name, "Liberty")
        quote = s.scalars(
            select(Quote.id).where(Quote.speaker_id == liberty).order_by(Quote.id)
        ).first()
        private = s.scalars(select(Note.id).where(Note.private.is_(True))).one()
        briefing_id, _ = b.create_briefing(
            s,
            1,
            "  Facial recognition:  the state of play ",
            audience="Cllr Jones",
            author="A. Advocate",
            introduction="# Why now\n\nThe council votes **Tuesday**.",
        )
        for kind, target in (
            ("comparison", None),
            ("stakeholder", ibm),
            ("stakeholder", microsoft),
            ("quote", quote),
            ("note", private),
        ):
            b.add_item(s, briefing_id, kind, target)
    return briefing_id


def test_create_list_reorder_remove(demo_store, composed):
    with demo_store.reading() as s:
        summary = b.find_briefing(s, "facial recognition: THE STATE OF PLAY")
        assert summary.title == "Facial recognition: the state of play"
        assert summary.item_count == 5
        items = b.briefing_items(s, composed)
    assert [i.kind for i in items] == ["comparison", "stakeholder", "stakeholder", "quote", "note"]
    assert items[4].private and "(private)" in items[4].label
    with demo_store.writing() as s:
        b.reorder_items(s, composed, [i.id for i in reversed(items)])
    with demo_store.writing() as s:
        assert [i.kind for i in b.briefing_items(s, composed)][0] == "note"
        b.remove_item(s, items[0].id)
    with demo_store.reading() as s:
        assert "comparison" not in [i.kind for i in b.briefing_items(s, composed)]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda s, bid: b.add_item(s, bid, "comparison"), "already in the briefing"),
        (lambda s, bid: b.add_item(s, bid, "quote", 99999), "no quote with id 99999"),
        (lambda s, bid: b.add_item(s, bid, "poem", 1), "not one of"),
        (lambda s, bid: b.update_briefing(s, bid, title="   "), "needs a title"),
        (lambda s, bid: b.update_briefing(s, bid, page_size="A3"), "not one of A4, Letter"),
        (lambda s, bid: b.reorder_items(s, bid, [1]), "every item"),
    ],
)
def test_bad_composing_changes_nothing(demo_store, composed, call, message):
    with demo_store.reading() as s:
        before = b.briefing_items(s, composed), b.get_briefing(s, composed)
    with pytest.raises(InputError, match=message), demo_store.writing() as s:
        call(s, composed)
    with demo_store.reading() as s:
        assert (b.briefing_items(s, composed), b.get_briefing(s, composed)) == before


def test_unknown_briefing_suggests_close_titles(demo_store, composed):
    with pytest.raises(NotFound, match="did you mean"), demo_store.reading() as s:
        b.find_briefing(s, "Facial recognition: state of play")


def test_content_follows_the_items_and_hides_private_notes(demo_store, composed):
    with demo_store.reading() as s:
        content = b.briefing_content(s, composed)
        with_private = b.briefing_content(s, composed, include_private=True)
    titles = content.section_titles
    assert titles[:7] == [
        "Introduction",
        "At a glance",
        b.MAP_TITLE,
        b.TIMELINE_TITLE,
        b.COMPARISON_TITLE,
        "IBM",
        "Microsoft",
    ]
    # the map and the timeline show the briefing's stakeholders only, in its order
    assert [p.name for p in content.stakeholder_map.points] == ["IBM", "Microsoft"]
    assert [lane.name for lane in content.timeline.lanes] == ["IBM", "Microsoft"]
    assert titles[7] == b.QUOTES_TITLE and titles[-2:] == [
        "Appendix A: Sources",
        "Appendix B: Quotes not verified",
    ]
    assert b.NOTES_TITLE not in titles  # the only note item is private
    assert b.NOTES_TITLE in with_private.section_titles
    # The comparison has the chosen stakeholders as columns; answers cite numbered quotes.
    comparison = content.sections[0]
    assert comparison.stakeholders == ("IBM", "Microsoft")
    numbers = [c.quote_number for row in comparison.cells for c in row if c and c.quote_number]
    assert numbers and all(1 <= n <= len(content.all_quotes) for n in numbers)
    assert [q.number for q in content.all_quotes] == list(range(1, len(content.all_quotes) + 1))
    assert content.sources[0].sha256 and len(content.sources[0].sha256) == 64


def test_private_notes_never_leak_into_html_or_markdown(demo_store, composed):
    with demo_store.reading() as s:
        private_body = s.scalars(select(Note.body).where(Note.private.is_(True))).one()
        content = b.briefing_content(s, composed)
        with_private = b.briefing_content(s, composed, include_private=True)
    marker = "Stratford trial: how many"
    assert marker in " ".join(private_body.split())
    for render in (html_document, markdown_document):
        assert marker not in " ".join(re.sub(r"<[^>]+>", "", render(content)).split())
        shown = " ".join(re.sub(r"<[^>]+>", "", render(with_private)).split())
        assert marker in shown and "PRIVATE NOTE" in shown


def test_user_markdown_is_sanitised_and_cannot_pose_as_a_section(demo_store, composed):
    with demo_store.writing() as s:
        b.update_briefing(
            s, composed, introduction="# Fake section\n\n<script>alert(1)</script><img src=x>"
        )
        content = b.briefing_content(s, composed)
    html = html_document(content)
    assert "<script" not in html and "<h1>Fake section" not in html
    assert html.count("<h1") == len(content.section_titles)
    md = markdown_document(content)
    assert "<script" not in md and "\n#### Fake section" in md


def test_every_value_is_escaped(demo_store, composed):
    with demo_store.writing() as s:
        b.update_briefing(s, composed, title="<b>Bold</b> & co", audience="<i>x</i>")
        content = b.briefing_content(s, composed)
    html = html_document(content)
    assert "<b>Bold</b>" not in html and "&lt;b&gt;Bold&lt;/b&gt; &amp; co" in html
    assert "<i>x</i>" not in html


def test_an_empty_briefing_is_refused(demo_store):
    with demo_store.writing() as s:
        empty, _ = b.create_briefing(s, 1, "Nothing yet")
    with pytest.raises(InputError, match="has no items"), demo_store.reading() as s:
        b.briefing_content(s, empty)


def test_a_quote_whose_source_was_removed_is_refused(demo_store):
    with demo_store.writing() as s:
        s.delete(s.scalars(select(Source)).first())
    with pytest.raises(InputError, match="lost its source"), demo_store.reading() as s:
        b.topic_content(s, 1)


def test_topic_content_has_every_stakeholder_and_notes_only_when_asked(demo_store):
    with demo_store.reading() as s:
        content = b.topic_content(s, 1)
        with_notes = b.topic_content(s, 1, with_notes=True)
        quotes = s.scalars(select(Quote.text)).all()
    cited = {q.text for q in content.all_quotes}
    assert set(quotes) <= cited
    assert not [n for sec in content.sections for n in getattr(sec, "notes", ())]
    assert b.NOTES_TITLE not in content.section_titles
    notes = [n for sec in with_notes.sections for n in getattr(sec, "notes", ())]
    assert notes and not any(n.private for n in notes)


def test_stance_colours_are_the_apps():
    theme = pytest.importorskip("briefing.ui.theme")
    assert STANCE_COLOURS == theme.STANCE_COLOURS


def test_quotes_are_numbered_as_read_and_every_reference_leads_somewhere(demo_store):
    with demo_store.writing() as s:
        only_table, _ = b.create_briefing(s, 1, "Just the table")
        b.add_item(s, only_table, "comparison")
        content = b.briefing_content(s, only_table)
        whole = b.topic_content(s, 1)
    # A comparison alone: the quotes it cites are listed right after it.
    assert [sec.title for sec in content.sections] == [
        b.COMPARISON_TITLE,
        b.COMPARISON_QUOTES_TITLE,
    ]
    cited = {
        c.quote_number for row in content.sections[0].cells for c in row if c and c.quote_number
    }
    assert cited == {q.number for q in content.sections[1].quotes}
    # A whole topic: the stakeholder sections read Q1, Q2, ... in order.
    numbers = [q.number for sec in whole.sections for q in getattr(sec, "quotes", ())]
    assert numbers == list(range(1, len(numbers) + 1))
    assert b.COMPARISON_QUOTES_TITLE not in whole.section_titles


def test_exports_choose_notes_by_the_notes_privacy_rule(demo_store, composed):
    """Exports select notes through core.notes' privacy rule, the one packs use: with private
    notes on a stakeholder and on one of its quotes, what an export holds is exactly what that
    rule lets out, and a change to the rule reaches every export."""

    from briefing.core import notes

    with demo_store.writing() as s:
        (ibm,) = ids(s, Stakeholder, Stakeholder.name, "IBM")
        quote = s.scalars(select(Quote.id).where(Quote.text.contains("IBM firmly"))).first()
        for target, body in (
            (("stakeholder", ibm), "Secret about IBM"),
            (("quote", quote), "Secret about a quote"),
        ):
            note_id = notes.add_note(s, target, body, private=True).id
            b.add_item(s, composed, "note", note_id)  # a composed briefing prints what is put in

    def exported(content):
        return {n.body: n.private for sec in content.sections for n in getattr(sec, "notes", ())}

    with demo_store.reading() as s:
        shared = {n.body for n in notes.shareable_notes(s)}
        everything = {n.body for n in notes.shareable_notes(s, include_private=True)}
        for private in (False, True):
            allowed = everything if private else shared
            for content in (
                b.topic_content(s, 1, include_private=private, with_notes=True),
                b.briefing_content(s, composed, include_private=private),
            ):
                found = exported(content)
                assert set(found) <= allowed
                assert all(flag == (body not in shared) for body, flag in found.items())
                secrets = {"Secret about IBM", "Secret about a quote"}
                assert secrets <= set(found) if private else not secrets & set(found)


def test_a_reported_quote_says_reported_once(demo_store):
    """A reported quote with no date of its own is dated by its source: the citation reads
    "reported, about Brad Smith, ..., 9 June 2020", not "..., reported 9 June 2020" again."""
    with demo_store.reading() as s:
        content = b.topic_content(s, 1)
    reported = [
        q for q in content.all_quotes if q.attribution == "reported" and q.when.startswith("rep")
    ]
    assert reported  # the demo has such quotes
    for render in (html_document, markdown_document):
        text = re.sub(r"<[^>]+>|&nbsp;", " ", render(content)).replace("&middot;", "\u00b7")
        text = " ".join(text.split())
        assert "reported, about" in text
        for line in re.findall(r"reported, about[^\u00b7]*", text):
            assert "reported 9 June" not in line, line


def test_the_sources_appendix_says_what_is_not_recorded(demo_store):
    """The demo's report has no known publisher or web address: the appendix says so instead
    of leaving a reader to wonder; a fully described source gets no such line."""
    import dataclasses

    with demo_store.reading() as s:
        content = b.topic_content(s, 1)
    for render in (html_document, markdown_document):
        assert "No publisher or web address recorded." in render(content)
    full = dataclasses.replace(
        content.sources[0], publisher="The Paper", url="https://example.org/report"
    )
    described = dataclasses.replace(content, sources=(full,))
    for render in (html_document, markdown_document):
        text = render(described)
        assert "recorded." not in text and "The Paper" in text
        assert "https://example.org/report" in text


def _printed(content) -> list[str]:
    return [n.body for sec in content.sections for n in getattr(sec, "notes", ())]


def test_a_composed_briefing_prints_exactly_the_notes_put_into_it(demo_store):
    """A stakeholder item brings none of the card's notes; a note put in on purpose is printed
    once, in its stakeholder's section when the briefing shows that stakeholder."""
    from briefing.core import notes

    with demo_store.writing() as s:
        (ibm,) = ids(s, Stakeholder, Stakeholder.name, "IBM")
        chosen = notes.add_note(s, ("stakeholder", ibm), "Chosen note about IBM").id
        notes.add_note(s, ("stakeholder", ibm), "Internal to-do about IBM")
        bid, _ = b.create_briefing(s, 1, "For the committee")
        b.add_item(s, bid, "note", chosen)  # before the stakeholder: still printed once
        b.add_item(s, bid, "stakeholder", ibm)
        content = b.briefing_content(s, bid)
        card_notes = {n.body for n in b.stakeholder_detail(s, 1, ibm).notes}
    assert "Internal to-do about IBM" in card_notes and len(card_notes) > 2
    assert _printed(content) == ["Chosen note about IBM"]
    ibm_section = next(sec for sec in content.sections if sec.title == "IBM")
    assert [n.body for n in ibm_section.notes] == ["Chosen note about IBM"]
    assert b.NOTES_TITLE not in content.section_titles
    for render in (html_document, markdown_document):
        text = render(content)
        assert text.count("Chosen note about IBM") == 1
        assert "Internal to-do" not in text and "check the small print" not in text


def test_a_whole_topic_prints_each_note_once(demo_store):
    with demo_store.reading() as s:
        for private in (False, True):
            printed = _printed(b.topic_content(s, 1, with_notes=True, include_private=private))
            assert printed and len(printed) == len(set(printed))
        # --include-private asks for notes too: the private ones, marked, and the others.
        content = b.topic_content(s, 1, include_private=True)
    flags = [n.private for sec in content.sections for n in getattr(sec, "notes", ())]
    assert True in flags and False in flags


def test_adding_a_private_note_says_it_will_be_left_out(demo_store, composed):
    with demo_store.reading() as s:
        private = s.scalars(select(Note.id).where(Note.private.is_(True))).one()
        shared = s.scalars(select(Note.id).where(Note.private.is_(False))).first()
        assert "left out" in b.private_note_warning(s, private)
        assert "Include private notes" in b.private_note_warning(s, private)
        assert b.private_note_warning(s, shared) is None
        items = b.briefing_items(s, composed)
    assert "left out unless private notes are included" in items[-1].label


def test_every_stakeholder_has_a_column_and_an_unanswered_cell_says_so(demo_store):
    from briefing.core.editing import StakeholderFields, add_stakeholder

    with demo_store.writing() as s:
        new_id = add_stakeholder(s, StakeholderFields("Big Brother Watch", "ngo"), 1).id
        (ibm,) = ids(s, Stakeholder, Stakeholder.name, "IBM")
        bid, _ = b.create_briefing(s, 1, "Two columns")
        b.add_item(s, bid, "comparison")
        b.add_item(s, bid, "stakeholder", ibm)
        b.add_item(s, bid, "stakeholder", new_id)
        composed = b.briefing_content(s, bid)
        whole = b.topic_content(s, 1)
        cards = [c.name for c in b.topic_cards(s, 1)]
    assert composed.sections[0].stakeholders == ("IBM", "Big Brother Watch")
    assert all(row[1] is None for row in composed.sections[0].cells)
    table = next(sec for sec in whole.sections if isinstance(sec, b.ComparisonSection))
    assert sorted(table.stakeholders) == sorted(cards) and "Big Brother Watch" in cards
    html = html_document(composed)
    assert html.count("No answer recorded") == len(composed.sections[0].questions)
    assert "no answer recorded" in markdown_document(composed)


def test_citations_give_the_sources_date_then_when_the_words_were_said(demo_store):
    """An article of 12 June quoting words said on 10 June is cited "12 June 2020 (said 10 June
    2020)", never "10 June 2020" alone as if that were the article's date."""
    import datetime as dt

    from briefing.core.cards import stakeholder_detail

    with demo_store.writing() as s:
        quote = s.scalars(select(Quote).where(Quote.attribution == "direct")).first()
        quote.source.publisher = "Tech Policy Daily"
        quote.source.published = dt.date(2020, 6, 12)
        quote.said_on = dt.date(2020, 6, 10)
        other = s.scalars(select(Quote).where(Quote.id != quote.id)).first()
        other.said_on = None
        speaker_id, text, other_text = quote.speaker_id, quote.text, other.text
        content = b.topic_content(s, 1)
        detail = stakeholder_detail(s, 1, speaker_id)
    cited = next(q for q in content.all_quotes if q.text == text)
    assert cited.dated == "12 June 2020 (said 10 June 2020)"
    undated_words = next(q for q in content.all_quotes if q.text == other_text)
    assert undated_words.dated == "12 June 2020"  # the same source; no date of its own
    for render in (html_document, markdown_document):
        page = " ".join(re.sub(r"<[^>]+>|&nbsp;", " ", render(content)).split())
        assert "12 June 2020 (said 10 June 2020)" in page
        assert "Daily, 10 June" not in page
    line = next(q.line for q in detail.quotes if q.line.text == text)
    assert line.citation.endswith("Tech Policy Daily, 12 June 2020 (said 10 June 2020)")


def test_a_quote_its_stakeholders_section_prints_is_not_printed_again(demo_store):
    with demo_store.writing() as s:
        (ibm,) = ids(s, Stakeholder, Stakeholder.name, "IBM")
        (quote,) = s.scalars(
            select(Quote.id).where(Quote.text.contains("IBM firmly opposes"))
        ).all()
        bid, _ = b.create_briefing(s, 1, "Once each")
        b.add_item(s, bid, "quote", quote)
        b.add_item(s, bid, "stakeholder", ibm)
        content = b.briefing_content(s, bid)
        text = s.get(Quote, quote).text
    printed = [q.text for sec in content.sections for q in getattr(sec, "quotes", ())]
    assert printed.count(text) == 1 and b.QUOTES_TITLE not in content.section_titles
