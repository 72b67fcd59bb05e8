"""The note editor at the keyboard: formatting keys toggle, tags are taken whole, notes are listed
and chosen as plain text, search snippets keep a link's words apart from its address."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QFocusEvent, QTextCursor
from PySide6.QtWidgets import QApplication

from briefing.core import briefings as briefings_core
from briefing.core import notes as core
from briefing.core.lookup import resolve_target
from briefing.core.search import plain_words
from briefing.ui import notes as notes_ui


@pytest.fixture
def panel(window):
    window.side_tabs.setCurrentWidget(window.notes_panel)
    window.select_stakeholder("IBM")
    return window.notes_panel


def test_ctrl_b_again_ends_the_bold_and_on_a_selection_takes_it_off(panel, qtbot):
    panel.new_button.click()
    source = panel.editor.source
    qtbot.keyClicks(source, "A ")
    qtbot.keyClick(source, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(source, "big")
    qtbot.keyClick(source, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(source, " day")
    assert source.toPlainText() == "A **big** day"
    # Pressed twice with nothing typed between: no empty pair left behind.
    qtbot.keyClick(source, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(source, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)
    assert source.toPlainText() == "A **big** day"
    # Italic the same way, and it is not fooled by the bold's stars.
    qtbot.keyClick(source, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(source, "x")
    qtbot.keyClick(source, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(source, "!")
    assert source.toPlainText() == "A **big** day*x*!"
    # A bold selection loses its marks.
    cursor = source.textCursor()
    cursor.setPosition(2)
    cursor.setPosition(9, QTextCursor.MoveMode.KeepAnchor)
    source.setTextCursor(cursor)
    assert cursor.selectedText() == "**big**"
    notes_ui.make_bold(source)
    assert source.toPlainText() == "A big day*x*!"
    assert source.textCursor().selectedText() == "big"
    notes_ui.make_bold(source)
    assert source.toPlainText() == "A **big** day*x*!"
    notes_ui.make_bold(source)  # the selection sits between marks: they go
    assert source.toPlainText() == "A big day*x*!"


def test_tags_are_taken_on_comma_enter_or_leaving_not_per_key(panel, demo_store, qtbot):
    panel.new_button.click()
    qtbot.keyClicks(panel.editor.source, "Tagged as I type")
    panel.editor.flush()
    tags = panel.editor.tags
    tags.setFocus()
    qtbot.keyClicks(tags, "amaz")
    panel.editor.flush()
    with demo_store.reading() as session:
        assert "amaz" not in core.all_tags(session)
    qtbot.keyClicks(tags, "on,")
    panel.editor.flush()
    qtbot.keyClicks(tags, " lo")
    panel.editor.flush()
    with demo_store.reading() as session:
        names = core.all_tags(session)
    assert "amazon" in names and "lo" not in names and "amaz" not in names
    qtbot.keyClicks(tags, "opholes")
    qtbot.keyClick(tags, Qt.Key.Key_Return)
    panel.editor.flush()
    with demo_store.reading() as session:
        assert {"amazon", "loopholes"} <= set(core.all_tags(session))
        assert "lo" not in core.all_tags(session)
    qtbot.keyClicks(tags, ", zoning")
    # Leaving the field (Tab) takes the last tag; the event itself, as the window may not be
    # active under the offscreen platform.
    QApplication.sendEvent(tags, QFocusEvent(QEvent.Type.FocusOut, Qt.FocusReason.TabFocusReason))
    panel.editor.flush()
    with demo_store.reading() as session:
        assert "zoning" in core.all_tags(session)


def test_lists_and_choosers_show_notes_as_plain_text(window, panel, demo_store):
    body = "## The **Stratford** trial\n\nSee [the report](https://example.org/r)."
    with demo_store.writing() as session:
        target = resolve_target(session, "stakeholder:IBM")
        note = core.add_note(session, target, body)
    panel.refresh()
    row = panel.model.row_of(note.id)
    shown = panel.model.index(row, 0).data()
    assert shown.startswith("The Stratford trial") and "#" not in shown and "*" not in shown
    with demo_store.reading() as session:
        labels = [
            c.label
            for c in briefings_core.candidates(
                session, window.topic_id, window.selected_stakeholder_id()
            )
            if c.kind == "note" and c.target_id == note.id
        ]
    assert labels and "##" not in labels[0] and "**" not in labels[0]
    assert "The Stratford trial See the report." in labels[0]
    assert "https" not in labels[0]


def test_a_snippet_keeps_link_words_apart_from_the_address():
    assert plain_words("read the post<https://x.org/a>") == "read the post https://x.org/a"
    assert plain_words("see [the post](https://x.org/p) now") == "see the post now"
    assert plain_words("(<https://x.org/a>)") == "(https://x.org/a)"
