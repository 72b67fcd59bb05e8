"""The note editor never drops text: failed saves retry, stale editors are told, closing asks."""

from __future__ import annotations

import sqlite3

import pytest

from briefing.core import notes as core
from briefing.core.lookup import resolve_target
from briefing.store import open_store
from briefing.ui import note_editor
from briefing.ui import notes as notes_ui

WAIT = 20_000  # generous: these wait for a state, they do not time anything


@pytest.fixture(autouse=True)
def close_without_asking(monkeypatch):
    """pytest-qt closes the window before fixtures end: words a test left unsaved on purpose
    must not open a modal question then (tests that check the question replace this)."""
    monkeypatch.setattr(notes_ui, "ask_to_close_unsaved", lambda *args: True)


@pytest.fixture
def panel(window, monkeypatch):
    monkeypatch.setattr(note_editor, "RETRY_FIRST_MS", 50)
    window.notes_panel.editor._retry_after = 50
    assert window.select_stakeholder("IBM")
    window.side_tabs.setCurrentWidget(window.notes_panel)
    return window.notes_panel


def write_note(panel, qtbot, text: str) -> int:
    panel.new_button.click()
    qtbot.keyClicks(panel.editor.source, text)
    assert panel.editor.flush()
    return panel.editor.note_id


def stored(store, note_id):
    with store.reading() as session:
        return core.note_snapshot(session, note_id)


def test_two_writers_on_one_note_the_stale_one_is_told_and_keeps_its_text(
    window, panel, demo_store, qtbot, tmp_path
):
    note_id = write_note(panel, qtbot, "First words")
    # Another window (or the command line) changes the same note and makes it private.
    with open_store(demo_store.path) as other, other.writing() as session:
        core.update_note(session, note_id, body="Their words", private=True)
    qtbot.keyClicks(panel.editor.source, " and mine")
    panel.editor.flush()
    editor = panel.editor
    assert editor.conflict and editor.conflict_bar.isVisible()
    assert editor.has_unsaved_changes
    assert editor.source.toPlainText() == "First words and mine"
    assert editor.status.text().startswith("Not saved yet: this note was changed elsewhere")
    theirs = stored(demo_store, note_id)
    assert theirs.body == "Their words" and theirs.private  # nothing overwritten
    editor.grab().save(str(tmp_path / "conflict.png"))
    # The private box of the stale editor does not clear the flag either.
    editor.private.setChecked(False)
    assert stored(demo_store, note_id).private
    editor.private.setChecked(True)

    editor.save_as_new_button.click()
    assert not editor.has_unsaved_changes and not editor.conflict
    assert editor.note_id != note_id
    assert stored(demo_store, editor.note_id).body == "First words and mine"
    assert stored(demo_store, note_id).body == "Their words"


def test_after_a_conflict_the_user_may_replace_or_look_at_the_other_version(
    window, panel, demo_store, qtbot
):
    note_id = write_note(panel, qtbot, "Mine")
    with open_store(demo_store.path) as other, other.writing() as session:
        core.update_note(session, note_id, body="Theirs")
    qtbot.keyClicks(panel.editor.source, " again")
    panel.editor.flush()
    panel.editor.show_other_button.click()
    assert panel.editor.source.toPlainText() == "Theirs"
    from PySide6.QtWidgets import QApplication

    assert QApplication.clipboard().text() == "Mine again"
    qtbot.keyClicks(panel.editor.source, " merged")
    assert panel.editor.flush()
    assert stored(demo_store, note_id).body == "Theirs merged"

    with open_store(demo_store.path) as other, other.writing() as session:
        core.update_note(session, note_id, body="Theirs once more")
    qtbot.keyClicks(panel.editor.source, "!")
    panel.editor.flush()
    assert panel.editor.conflict
    panel.editor.replace_button.click()
    assert not panel.editor.has_unsaved_changes
    assert stored(demo_store, note_id).body == "Theirs merged!"


def test_a_save_refused_by_a_write_lock_is_retried_without_a_keystroke(
    window, panel, demo_store, qtbot
):
    note_id = write_note(panel, qtbot, "Before the lock")
    blocker = sqlite3.connect(demo_store.path, timeout=0, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")  # another program holds the write lock
    qtbot.keyClicks(panel.editor.source, ", during it")
    panel.editor.flush()  # waits out the busy timeout, then fails
    assert panel.editor.has_unsaved_changes
    assert panel.editor.status.text().startswith("Not saved yet")
    blocker.execute("ROLLBACK")
    blocker.close()
    # No keystroke: the retry timer saves it.
    qtbot.waitUntil(lambda: not panel.editor.has_unsaved_changes, timeout=WAIT)
    assert stored(demo_store, note_id).body == "Before the lock, during it"
    assert panel.editor.status.text().startswith("Saved at")


def test_an_unexpected_error_keeps_the_text_and_never_shows_it(
    window, panel, demo_store, qtbot, monkeypatch
):
    note_id = write_note(panel, qtbot, "Secret words")
    calls = []
    original = core.update_note

    def broken(session, *args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise sqlite3.OperationalError("Could not decode: Secret words and more")
        return original(session, *args, **kwargs)

    monkeypatch.setattr(core, "update_note", broken)
    messages = []
    panel.editor.message.connect(messages.append)
    qtbot.keyClicks(panel.editor.source, " and more")
    panel.editor.flush()
    assert panel.editor.has_unsaved_changes
    assert "Secret" not in panel.editor.status.text() and "OperationalError" in messages[-1]
    assert not any("Secret" in message for message in messages)
    qtbot.waitUntil(lambda: not panel.editor.has_unsaved_changes, timeout=WAIT)
    assert stored(demo_store, note_id).body == "Secret words and more"


def test_unsaved_text_keeps_the_editor_from_switching_notes(window, panel, demo_store, qtbot):
    first = write_note(panel, qtbot, "First note")
    second = write_note(panel, qtbot, "Second note")
    with open_store(demo_store.path) as other, other.writing() as session:
        core.update_note(session, second, body="Changed elsewhere")
    qtbot.keyClicks(panel.editor.source, " typed")
    panel.editor.flush()
    assert panel.editor.conflict
    row = panel.model.row_of(first)
    panel.list.setCurrentIndex(panel.model.index(row, 0))
    assert panel.editor.note_id == second
    assert panel.editor.source.toPlainText() == "Second note typed"
    assert first != second


def test_a_note_deleted_elsewhere_while_typing_is_saved_again_as_new(
    window, panel, demo_store, qtbot
):
    note_id = write_note(panel, qtbot, "Kept words")
    uuid = stored(demo_store, note_id).uuid
    with open_store(demo_store.path) as other, other.writing() as session:
        core.delete_note(session, note_id)
    qtbot.keyClicks(panel.editor.source, " and more")
    qtbot.waitUntil(lambda: not panel.editor.has_unsaved_changes, timeout=WAIT)
    again = stored(demo_store, panel.editor.note_id)
    assert again.uuid != uuid  # a new note (SQLite may give it the same id)
    assert again.body == "Kept words and more"


def test_closing_with_unsaved_text_asks(window, panel, demo_store, qtbot, monkeypatch):
    note_id = write_note(panel, qtbot, "Words")
    with open_store(demo_store.path) as other, other.writing() as session:
        core.update_note(session, note_id, body="Other words")
    qtbot.keyClicks(panel.editor.source, " unsaved")
    asked = []
    monkeypatch.setattr(notes_ui, "ask_to_close_unsaved", lambda *a: asked.append(1) or False)
    window.close()
    assert asked and window.isVisible()
    assert panel.editor.source.toPlainText() == "Words unsaved"
    monkeypatch.setattr(notes_ui, "ask_to_close_unsaved", lambda *a: asked.append(2) or True)
    window.close()
    assert asked == [1, 2] and not window.isVisible()
    assert stored(demo_store, note_id).body == "Other words"


def test_a_note_on_a_record_deleted_meanwhile_keeps_its_words(window, panel, demo_store, qtbot):
    from briefing.store.models import Stakeholder

    write_note(panel, qtbot, "On IBM")
    with demo_store.writing() as session:
        session.delete(session.get(Stakeholder, resolve_target(session, "stakeholder:IBM")[1]))
    qtbot.keyClicks(panel.editor.source, " and more")
    panel.editor.flush()
    assert panel.editor.has_unsaved_changes
    assert panel.editor.source.toPlainText() == "On IBM and more"
    qtbot.waitUntil(lambda: "there is no" in panel.editor.status.text(), timeout=WAIT)
