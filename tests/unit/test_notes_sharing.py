"""Exports follow the notes' one sharing rule: what `shareable_notes` returns, nothing else."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from briefing.core import briefings as b
from briefing.core import notes
from briefing.render.briefing import html_document, markdown_document
from briefing.store.models import Note, Position, Quote, Stakeholder

pytestmark = pytest.mark.both_databases

ON_CARDS = ("topic", "stakeholder", "position", "quote")


def _bodies(content: b.BriefingContent) -> set[str]:
    found = set()
    for section in content.sections:
        found |= {n.body for n in getattr(section, "notes", ())}
    return found


@pytest.fixture
def noted(demo_store):
    """A private and a shareable note on each kind of record a topic export shows."""
    with demo_store.writing() as s:
        ibm = s.scalars(select(Stakeholder.id).where(Stakeholder.name == "IBM")).one()
        position = s.scalars(select(Position.id).where(Position.stakeholder_id == ibm)).first()
        quote = s.scalars(select(Quote.id).where(Quote.speaker_id == ibm)).first()
        for target in (
            ("topic", 1),
            ("stakeholder", ibm),
            ("position", position),
            ("quote", quote),
        ):
            for private in (False, True):
                word = "secret" if private else "open"
                notes.add_note(s, target, f"{word} note on {target[0]}", private=private)
    return demo_store


@pytest.mark.parametrize("include_private", [False, True])
def test_topic_export_holds_exactly_the_shareable_notes(noted, include_private):
    with noted.reading() as s:
        content = b.topic_content(s, 1, include_private=include_private, with_notes=True)
        expected = {
            n.body
            for n in notes.shareable_notes(s, include_private=include_private)
            if n.target[0] in ON_CARDS
        }
    assert _bodies(content) == expected
    assert any(body.startswith("secret") for body in expected) == include_private
    for render in (html_document, markdown_document):
        assert ("secret note" in render(content)) == include_private


@pytest.mark.parametrize("include_private", [False, True])
def test_briefing_of_single_notes_holds_exactly_the_shareable_ones(noted, include_private):
    with noted.writing() as s:
        briefing_id, _ = b.create_briefing(s, 1, "Every note")
        for note_id in s.scalars(select(Note.id).order_by(Note.id)):
            b.add_item(s, briefing_id, "note", note_id)
    with noted.reading() as s:
        content = b.briefing_content(s, briefing_id, include_private=include_private)
        expected = {n.body for n in notes.shareable_notes(s, include_private=include_private)}
    assert _bodies(content) == expected


def test_the_rule_in_python_matches_the_rule_in_sql(noted):
    with noted.reading() as s:
        every = notes.list_notes(s)
        for include_private in (False, True):
            kept = notes.keep_shareable(every, include_private=include_private)
            assert [n.id for n in kept] == [
                n.id for n in notes.shareable_notes(s, include_private=include_private)
            ]
    assert any(n.private for n in every) and not all(n.private for n in every)


def test_exports_mark_private_notes_in_words_that_every_font_has(noted):
    with noted.reading() as s:
        content = b.topic_content(s, 1, include_private=True)
    for render in (html_document, markdown_document):
        text = render(content)
        assert "PRIVATE NOTE" in text and "\U0001f512" not in text
