"""Notes use cases: add, update, delete and restore, lists newest first, tags, privacy."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from briefing.core import notes
from briefing.core.changes import Changes
from briefing.core.lookup import find_topic, resolve_target
from briefing.errors import InputError, NotFound
from briefing.store.models import Note, Quote, Stakeholder, Tag, note_tags

pytestmark = pytest.mark.both_databases


def ibm(session):
    return resolve_target(session, "stakeholder:IBM")


def store_rows(store):
    """Every note and note-tag row, to prove that refused input changed nothing."""
    with store.reading() as session:
        rows = session.execute(select(Note.id, Note.uuid, Note.body, Note.private)).all()
        links = session.execute(select(note_tags)).all()
        tags = session.scalars(select(Tag.name)).all()
    return sorted(rows), sorted(links), sorted(tags)


def test_add_lists_newest_first_with_tags(demo_store):
    with demo_store.writing() as session:
        first = notes.add_note(session, ibm(session), "# First\n- one", tags=["Loopholes"])
        second = notes.add_note(session, ibm(session), "Second", private=True, tags=["new tag"])
    assert first.changes == Changes.of("note")  # "loopholes" exists already (any case)
    assert second.changes == Changes.of("note", "tag")
    with demo_store.reading() as session:
        listed = notes.list_notes(session, ibm(session))
    assert [n.id for n in listed[:2]] == [second.id, first.id]
    assert listed[1].tags == ("loopholes",)
    assert listed[1].title == "First"
    assert listed[0].private and listed[0].attached_to == "IBM"
    assert listed[-1].body.startswith("IBM's exit")  # the demo's note is the oldest


def test_card_notes_include_positions_quotes_and_members(demo_store):
    with demo_store.writing() as session:
        topic = find_topic(session, None).id
        krishna_quote = session.scalars(
            select(Quote.id)
            .join(Stakeholder, Stakeholder.id == Quote.speaker_id)
            .where(Stakeholder.name == "Arvind Krishna")
        ).first()
        quote_target = ("quote", krishna_quote)
        krishna = resolve_target(session, "stakeholder:Arvind Krishna")
        position = resolve_target(session, "position:IBM")
        on_quote = notes.add_note(session, quote_target, "On a quote").id
        on_person = notes.add_note(session, krishna, "On Krishna").id
        on_position = notes.add_note(session, position, "On the position").id
        ibm_id = ibm(session)[1]
    with demo_store.reading() as session:
        found = {n.id: n for n in notes.card_notes(session, topic, ibm_id)}
        from briefing.core.cards import topic_cards

        card = next(c for c in topic_cards(session, topic) if c.id == ibm_id)
    assert {on_person, on_position} <= set(found)
    assert found[on_position].attached_to == "IBM's position"
    assert len(found) == card.note_count  # the card's count and the panel's list agree
    assert found[on_quote].attached_to.startswith("a quote by Arvind Krishna")


def test_update_changes_only_what_is_given(demo_store):
    with demo_store.writing() as session:
        added = notes.add_note(session, ibm(session), "Draft", tags=["a", "b"])
    with demo_store.writing() as session:
        before = notes.note_snapshot(session, added.id)
        assert notes.update_note(session, added.id, body="Draft", tags=["B", "a"]) == Changes()
    with demo_store.writing() as session:
        assert notes.update_note(session, added.id, body="Final", private=True)
    with demo_store.writing() as session:
        assert notes.update_note(session, added.id, tags=["c"]) == Changes.of("note", "tag")
    with demo_store.reading() as session:
        after = notes.note_summary(session, added.id)
    assert (after.body, after.private, after.tags) == ("Final", True, ("c",))
    assert after.created_at == before.created_at
    assert after.updated_at > before.updated_at


def test_undoing_a_delete_brings_back_the_note_and_its_place_in_briefings(demo_store):
    from briefing.core import briefings
    from briefing.core.undo import Recorded, dump

    with demo_store.writing() as session:
        added = notes.add_note(session, ibm(session), "Keep me", private=True, tags=["x", "y"])
        topic = find_topic(session, None).id
        briefing, _ = briefings.create_briefing(session, topic, "For the minister")
        briefings.add_item(session, briefing, "note", added.id)
    with demo_store.reading() as session:
        before = dump(session)
    recorded = Recorded(lambda session: notes.delete_note(session, added.id))
    with demo_store.writing() as session:
        recorded.do(session)
    with demo_store.reading() as session, pytest.raises(NotFound):
        notes.note_summary(session, added.id)
    with demo_store.writing() as session:
        recorded.undo(session)
    with demo_store.reading() as session:
        assert dump(session) == before  # the note, its tags and its briefing item, as they were


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda s: notes.add_note(s, ("stakeholder", 1), "   \n"), "needs some text"),
        (lambda s: notes.add_note(s, ("stakeholder", 99999), "x"), "no stakeholder with id"),
        (lambda s: notes.add_note(s, ("answer", 1), "x"), "cannot be attached to"),
        (lambda s: notes.add_note(s, ("stakeholder", 1), "x", tags=[" "]), "cannot be empty"),
        (lambda s: notes.add_note(s, ("stakeholder", 1), "x", tags=["a,b"]), "comma"),
        (lambda s: notes.add_note(s, ("stakeholder", 1), "x", tags=["t" * 101]), "at most"),
        (lambda s: notes.update_note(s, 99999, body="x"), "no note with id"),
        (lambda s: notes.update_note(s, 1, body="x", tags=[""]), "cannot be empty"),
        (lambda s: notes.delete_note(s, 99999), "no note with id"),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(demo_store, call, message):
    before = store_rows(demo_store)
    with pytest.raises(InputError, match=message), demo_store.writing() as session:
        call(session)
    assert store_rows(demo_store) == before


def test_private_notes_stay_out_of_shared_selections_unless_asked_for(demo_store):
    with demo_store.writing() as session:
        open_note = notes.add_note(session, ibm(session), "For the briefing").id
        secret = notes.add_note(session, ibm(session), "Source's name", private=True).id
    with demo_store.reading() as session:
        shared = {n.id for n in notes.shareable_notes(session)}
        everything = {n.id for n in notes.shareable_notes(session, include_private=True)}
        on_ibm = {n.id for n in notes.shareable_notes(session, ibm(session))}
        statement = notes.only_shareable(select(Note.id))
        by_query = set(session.scalars(statement))
        total = session.scalar(select(func.count()).select_from(Note))
    assert open_note in shared and secret not in shared
    assert secret in everything and len(everything) == total
    assert on_ibm.isdisjoint({secret}) and open_note in on_ibm
    assert by_query == shared


def test_tags_for_completion_and_parsing(demo_store):
    assert notes.parse_tags(" follow-up,  New  Tag ,,FOLLOW-UP") == ("follow-up", "New Tag")
    with demo_store.reading() as session:
        names = notes.all_tags(session)
    assert {"follow-up", "loopholes", "regulation"} <= set(names)
    assert names == sorted(names, key=str.casefold)


def test_titles():
    assert notes.note_title("\n\n## Heading  \ntext") == "Heading"
    assert notes.note_title("- item") == "item"
    assert notes.note_title("  ") == "(empty note)"
    assert notes.note_title("x" * 200).endswith("\u2026")


def test_quotes_in_the_detail_panel_say_how_many_notes_they_hold(demo_store):
    from briefing.core.cards import stakeholder_detail
    from briefing.render.detail import stakeholder_html

    with demo_store.writing() as session:
        topic = find_topic(session, None).id
        ibm_id = ibm(session)[1]
        quote = stakeholder_detail(session, topic, ibm_id).quotes[0]
        for body in ("One", "Two"):
            notes.add_note(session, ("quote", quote.line.id), body)
    with demo_store.reading() as session:
        detail = stakeholder_detail(session, topic, ibm_id)
    counts = {q.line.id: q.note_count for q in detail.quotes}
    assert counts[quote.line.id] == 2
    assert sum(counts.values()) == 2
    assert "2 notes" in stakeholder_html(detail)


def test_undoing_a_change_of_tags_brings_the_removed_tag_back(demo_store):
    from briefing.core.undo import Recorded, dump

    with demo_store.writing() as session:
        added = notes.add_note(session, ibm(session), "Tagged", tags=["keep-me", "other"])
    with demo_store.reading() as session:
        before = dump(session)
    recorded = Recorded(lambda session: notes.update_note(session, added.id, tags=["other"]))
    with demo_store.writing() as session:
        recorded.do(session)
    with demo_store.writing() as session:
        recorded.undo(session)
    with demo_store.reading() as session:
        assert dump(session) == before
        assert notes.note_summary(session, added.id).tags == ("keep-me", "other")
