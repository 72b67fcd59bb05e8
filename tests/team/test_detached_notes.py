"""Nothing lost when another member deletes: a note on a record someone else deletes is kept,
detached, with what it was on (`0013_detached_notes`); the deleting member's own notes go with
the record, as on a store file, where nothing changes."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select

from briefing.cli import main
from briefing.core.corrections import delete_source
from briefing.core.editing import delete_stakeholder, deletion_consequences
from briefing.core.notes import (
    add_note,
    delete_note,
    detached_notes,
    list_notes,
    note_summary,
    update_note,
)
from briefing.core.search import search
from briefing.errors import NotFound
from briefing.store import open_store
from briefing.store.models import Note, Position, Quote, Stakeholder


def _run(capsys, *args) -> tuple[int, str, str]:
    status = main(list(args))
    out, err = capsys.readouterr()
    return status, out, err


def _ibm(session) -> tuple[int, int, int, int]:
    """IBM's id, one of its positions, one of its quotes and that quote's source."""
    ibm = session.scalars(select(Stakeholder).where(Stakeholder.name == "IBM")).one()
    position = session.scalars(select(Position.id).where(Position.stakeholder_id == ibm.id)).first()
    quote = session.scalars(select(Quote).where(Quote.speaker_id == ibm.id)).first()
    return ibm.id, position, quote.id, quote.source_id


def test_a_delete_keeps_other_members_notes_detached_and_the_deleters_own_go(team, members, capsys):
    alice, bob = members
    today = dt.datetime.now(dt.UTC).strftime("%-d %b %Y")
    with open_store(team.url(alice)) as store, store.writing() as session:
        ibm, position, _quote, _source = _ibm(session)
        on_it = add_note(session, ("stakeholder", ibm), "Quokkaprivate on IBM", private=True).id
        on_position = add_note(
            session, ("position", position), "Quokkaposition thought", private=True
        ).id
        shared = add_note(session, ("stakeholder", ibm), "Quokkashared for all").id
    with open_store(team.url(bob)) as store, store.writing() as session:
        bobs = add_note(session, ("stakeholder", ibm), "Bob's own quokkabob").id
        # Bob's confirmation counts what is his to lose, not Alice's private notes.
        consequences = " ".join(deletion_consequences(session, ibm))
        assert "1 note on it" in consequences  # his own: the others stay
        delete_stakeholder(session, ibm)

    # Bob: his own note went with IBM; Alice's private notes are nowhere for him, SQL included.
    with open_store(team.url(bob)) as store, store.reading() as session:
        assert session.get(Note, bobs) is None
        seen = {n.id for n in list_notes(session)} | {n.id for n in detached_notes(session)}
        assert on_it not in seen and on_position not in seen
        assert search(session, "quokkaprivate") == [] and search(session, "quokkaposition") == []
        # Alice's shared note (and the owner's demo note on IBM) are detached, in the open.
        found = {n.id: n for n in detached_notes(session)}
        assert shared in found and found[shared].detached and len(found) == 2
    assert team.sql(bob, "SELECT count(*) FROM notes WHERE body LIKE '%%Quokkaprivate%%'") == [(0,)]
    assert team.sql(bob, "SELECT count(*) FROM notes WHERE id = %s", (on_position,)) == [(0,)]
    assert team.sql(alice, "SELECT count(*) FROM notes WHERE id = %s", (bobs,)) == [(0,)]

    # Alice: both private notes are still hers, detached, saying what they were on.
    with open_store(team.url(alice)) as store, store.reading() as session:
        detached = {n.id: n for n in detached_notes(session)}
        assert set(detached) >= {on_it, on_position, shared} and len(detached) == 4
        said = f"stakeholder \u2018IBM\u2019, deleted {today} by {bob}"
        assert detached[on_it].detached_from == said
        assert detached[on_it].attached_to == detached[on_it].detached_from
        assert detached[on_it].private and detached[on_it].target is None
        assert detached[on_it].changed_by == bob and detached[on_it].added_by == alice
        # The position went by cascade: its own trigger kept the note, naming the position.
        assert detached[on_position].detached_from.startswith("position \u2018")
        assert detached[on_position].detached_from.endswith(f"deleted {today} by {bob}")
        (hit,) = search(session, "quokkaprivate")
        assert hit.id == on_it and hit.title == f"Detached note, was on {said}"
        assert on_it in {n.id for n in list_notes(session)}  # every note, detached too

    # Alice edits one (the version moved with the detachment) and deletes another.
    with open_store(team.url(alice)) as store, store.writing() as session:
        version = session.get(Note, on_it).updated_at
        update_note(session, on_it, body="Quokkaprivate, still mine", expected_version=version)
        delete_note(session, on_position)
    with open_store(team.url(alice)) as store, store.reading() as session:
        assert note_summary(session, on_it).body == "Quokkaprivate, still mine"
        assert note_summary(session, on_it).detached
        with pytest.raises(NotFound):
            note_summary(session, on_position)

    # The CLI lists them under their own heading, with what they were on.
    status, out, err = _run(capsys, "--db", team.url(alice), "notes")
    assert status == 0, err
    assert "Detached notes" in out and f"was on stakeholder \u2018IBM\u2019, deleted {today}" in out
    status, out, _ = _run(capsys, "--db", team.url(alice), "notes", "--json")
    rows = {row["id"]: row for row in json.loads(out)}
    assert rows[on_it]["on"] is None and rows[on_it]["detached_from"].startswith("stakeholder")
    status, out, _ = _run(capsys, "--db", team.url(bob), "notes")
    assert "Quokkaprivate" not in out and "Quokkashared" in out


def test_a_note_on_a_quote_survives_its_sources_delete_by_another_member(team, members):
    alice, bob = members
    with open_store(team.url(alice)) as store, store.writing() as session:
        _ibm_id, _position, quote, source = _ibm(session)
        kept = add_note(session, ("quote", quote), "Quokkaquote reading", private=True).id
    with open_store(team.url(bob)) as store, store.writing() as session:
        delete_source(session, source)  # source -> its quotes -> notes on them
    assert team.sql(bob, "SELECT count(*) FROM notes WHERE id = %s", (kept,)) == [(0,)]
    with open_store(team.url(alice)) as store, store.reading() as session:
        (note,) = detached_notes(session)
        assert note.id == kept and note.private
        assert note.detached_from.startswith("quote \u2018") and f"by {bob}" in note.detached_from


def test_deleting_alone_on_a_store_file_deletes_the_notes_as_before(demo_path):
    with open_store(demo_path) as store, store.writing() as session:
        ibm, position, quote, source = _ibm(session)
        added = {
            add_note(session, ("stakeholder", ibm), "on IBM", private=True).id,
            add_note(session, ("position", position), "on its position").id,
            add_note(session, ("quote", quote), "on its quote").id,
        }
        delete_stakeholder(session, ibm)
        delete_source(session, source)
    with open_store(demo_path) as store, store.reading() as session:
        assert added.isdisjoint(n.id for n in list_notes(session))
        assert detached_notes(session) == []
        # The check still holds a note to exactly one record.
        note = Note(body="on nothing")
        session.add(note)
        with pytest.raises(Exception, match="CHECK constraint failed"):
            session.flush()


def test_the_notes_panel_lists_detached_notes_under_their_heading(
    team, members, qtbot, tmp_path, open_window
):
    from briefing.ui import notes as notes_ui

    alice, bob = members
    with open_store(team.url(alice)) as store, store.writing() as session:
        ibm = _ibm(session)[0]
        kept = add_note(
            session, ("stakeholder", ibm), "# Quokka plan\n\nAsk IBM again.", private=True
        ).id
    with open_store(team.url(bob)) as store, store.writing() as session:
        delete_stakeholder(session, ibm)

    store = open_store(team.url(alice))
    window = open_window(store)
    try:
        panel = window.notes_panel
        window.side_tabs.setCurrentWidget(panel)
        panel.refresh()
        entries = [panel.scope.itemText(row) for row in range(panel.scope.count())]
        assert "Detached notes (2)" in entries  # hers and the owner's demo note on IBM
        assert panel.show_note(kept)  # as search opens it
        assert panel.scope.currentText() == "Detached notes (2)"
        assert panel.detached_heading.isVisible()
        assert not panel.new_button.isEnabled()  # nothing to write a new note on
        row = panel.model.row_of(kept)
        meta = notes_ui.note_meta(panel.model.note(row))
        assert "Private" in meta and "was on stakeholder \u2018IBM\u2019, deleted" in meta
        assert f"by {bob}" in meta
        assert panel.editor.note_id == kept
        assert panel.editor.source.isEnabled() and not panel.editor.source.isReadOnly()
        window.grab().save(str(tmp_path / "detached-notes.png"))

        # Editable: the words save into the same detached note.
        panel.editor.source.setPlainText("# Quokka plan\n\nAsk IBM again, in writing.")
        assert panel.editor.flush()
        panel.editor.wait_for_save()
        with open_store(team.url(alice)) as other, other.reading() as session:
            assert note_summary(session, kept).body.endswith("in writing.")
            assert note_summary(session, kept).detached
    finally:
        window.close()
        store.close()


def test_the_database_keeps_them_for_any_client_through_cascades(team, members):
    """Plain SQL, no app: a topic deleted by Bob cascades to its positions, whose own triggers
    keep Alice's private note on one of them; Bob's own note on the topic goes."""
    alice, bob = members
    with open_store(team.url(alice)) as store, store.writing() as session:
        position = session.scalars(select(Position)).first()
        topic, position_id = position.topic_id, position.id
        kept = add_note(session, ("position", position_id), "Quokka cascade", private=True).id
    with open_store(team.url(bob)) as store, store.writing() as session:
        bobs = add_note(session, ("topic", topic), "Bob's quokka topic note").id
    team.sql(bob, "DELETE FROM topics WHERE id = %s", (topic,))
    assert team.sql(bob, "SELECT count(*) FROM notes WHERE id IN (%s, %s)", (kept, bobs)) == [(0,)]
    assert team.sql(alice, "SELECT count(*) FROM notes WHERE id = %s", (bobs,)) == [(0,)]
    ((private, detached_from, position_column),) = team.sql(
        alice, "SELECT private, detached_from, position_id FROM notes WHERE id = %s", (kept,)
    )
    assert private and position_column is None
    assert detached_from.startswith("position \u2018") and detached_from.endswith(f"by {bob}")
    # Neither can a member write a note on nothing, nor forge a detachment onto a live record.
    with pytest.raises(Exception, match="ck_notes_one_target"):
        team.sql(alice, "UPDATE notes SET detached_from = 'x' WHERE id <> %s", (kept,))
    with pytest.raises(Exception, match="ck_notes_one_target"):
        team.sql(alice, "INSERT INTO notes (uuid, body, private, created_at, updated_at) "
                 "VALUES ('u', 'b', false, now(), now())")  # fmt: skip


def test_a_detached_notes_description_keeps_names_in_any_script_and_cuts_long_words_whole(
    team, members
):
    """What a note was on is written by the database: names outside ASCII stay whole, and a
    long quote is cut by characters (never inside one) with an ellipsis."""
    from briefing.core.editing import StakeholderFields, add_stakeholder

    alice, bob = members
    name = "Ліга свободи 人権 — Liberté"
    long_quote = "人権を守る" * 40  # 200 characters, 600 bytes in UTF-8
    with open_store(team.url(alice)) as store, store.writing() as session:
        added = add_stakeholder(session, StakeholderFields(name, "ngo")).id
        on_name = add_note(session, ("stakeholder", added), "Ноты", private=True).id
        quote = session.scalars(select(Quote)).first()
        quote.text = long_quote
        on_quote = add_note(session, ("quote", quote.id), "引用について", private=True).id
        source = quote.source_id
    with open_store(team.url(bob)) as store, store.writing() as session:
        delete_stakeholder(session, added)
        delete_source(session, source)
    with open_store(team.url(alice)) as store, store.reading() as session:
        kept = {note.id: note.detached_from for note in detached_notes(session)}
    assert kept[on_name].startswith(f"stakeholder \u2018{name}\u2019, deleted ")
    cut = kept[on_quote].split("\u2018", 1)[1].split("\u2019", 1)[0]
    assert cut == long_quote[:59] + "\u2026"
