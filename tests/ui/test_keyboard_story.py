"""The issue's Done-when, at the keyboard alone: add a topic, a stakeholder, a dated position
and a note, compose a briefing, undo three steps and redo them. Every step is a key press or
typed text sent to the widget that has the focus; nothing is clicked."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

from briefing.core import briefings as briefings_core
from briefing.core.cards import topic_cards

CTRL = Qt.KeyboardModifier.ControlModifier
CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


def focused():
    return QApplication.focusWidget()


def press(qtbot, key, modifiers=Qt.KeyboardModifier.NoModifier):
    if focused() is None or not focused().window().isVisible():
        # A closed dialog gave the focus back to no window (offscreen has no window manager).
        _main[0].activateWindow()
        qtbot.waitUntil(lambda: focused() is not None and focused().window() is _main[0])
    qtbot.keyClick(focused(), key, modifiers)


_main: list = []


def in_next_dialog(qtbot, steps):
    """Run `steps(dialog)` once the modal form opened by the next key is showing."""
    done = []

    def run():
        dialog = QApplication.activeModalWidget()
        if dialog is None:
            QTimer.singleShot(10, run)
            return
        try:
            dialog.activateWindow()
            qtbot.waitUntil(lambda: focused() is dialog._inputs[0])
            steps(dialog)
        except BaseException as error:  # never leave a modal dialog open: the test would hang
            done.append(error)
            dialog.reject()
            raise
        done.append(dialog)

    QTimer.singleShot(0, run)
    return done


def test_the_whole_story_by_keyboard(window, qtbot, tmp_path):
    _main[:] = [window]
    window.activateWindow()
    window.grid.setFocus()
    qtbot.waitUntil(lambda: focused() is window.grid)

    # A topic: Ctrl+Shift+T, the name, Enter.
    def topic(form):
        assert focused() is form.name  # the cursor is in the first field
        qtbot.keyClicks(focused(), "Protest policing")
        press(qtbot, Qt.Key.Key_Return)

    in_next_dialog(qtbot, topic)
    press(qtbot, Qt.Key.Key_T, CTRL_SHIFT)
    assert window.topics.currentText() == "Protest policing"
    assert window.empty.isVisible()

    # A stakeholder: Ctrl+Shift+N; Enter first says what is missing, then saves.
    def stakeholder(form):
        press(qtbot, Qt.Key.Key_Return)
        assert form.isVisible() and "needs a name" in form.status.text()
        qtbot.keyClicks(focused(), "Netpol")
        press(qtbot, Qt.Key.Key_Tab)
        assert focused() is form.kind
        press(qtbot, Qt.Key.Key_Return)

    in_next_dialog(qtbot, stakeholder)
    press(qtbot, Qt.Key.Key_N, CTRL_SHIFT)
    assert window.cards.rowCount() == 1 and window.cards.card(0).name == "Netpol"
    window.grid.setFocus()

    # A dated position: Ctrl+Shift+P; the date typed in words over the old one.
    def position(form):
        assert focused() is form.stance
        press(qtbot, Qt.Key.Key_O)  # "Opposes"
        press(qtbot, Qt.Key.Key_Tab)
        assert focused() is form.as_of
        qtbot.waitUntil(lambda: form.as_of.selectedText() == form.as_of.text())
        qtbot.keyClicks(focused(), "9 June 2020")
        press(qtbot, Qt.Key.Key_Tab)
        qtbot.keyClicks(focused(), "Against facial recognition at protests")
        press(qtbot, Qt.Key.Key_Return)

    in_next_dialog(qtbot, position)
    press(qtbot, Qt.Key.Key_P, CTRL_SHIFT)
    with window.store.reading() as session:
        netpol = topic_cards(session, window.topic_id)[0]
    assert (netpol.stance, str(netpol.as_of)) == ("opposes", "2020-06-09")

    # A note: Ctrl+N, words; it saves itself.
    press(qtbot, Qt.Key.Key_N, CTRL)
    editor = window.notes_panel.editor
    assert focused() is editor.source
    qtbot.keyClicks(focused(), "Ask about the ")
    press(qtbot, Qt.Key.Key_B, CTRL)
    qtbot.keyClicks(focused(), "Coronation")
    press(qtbot, Qt.Key.Key_B, CTRL)
    qtbot.keyClicks(focused(), " arrests")
    editor.flush()
    assert editor.source.toPlainText() == "Ask about the **Coronation** arrests"

    # A briefing: Ctrl+4 (Briefings), a title and Enter, then the card's stakeholder.
    press(qtbot, Qt.Key.Key_4, CTRL)
    panel = window.briefings
    panel.new_title.setFocus()
    qtbot.keyClicks(focused(), "For the committee")
    press(qtbot, Qt.Key.Key_Return)
    panel.choose_notes = lambda labels: [0]  # the tick box dialog: take the note
    panel.add_stakeholder()
    with window.store.reading() as session:
        (briefing,) = briefings_core.list_briefings(session)
        kinds = [i.kind for i in briefings_core.briefing_items(session, briefing.id)]
    assert kinds == ["stakeholder", "note"]
    content = panel.content(include_private=False, page_size="A4")
    assert content is not None

    # Undo three steps (the briefing's item, the briefing, the position) and redo them.
    # Ctrl+0 first: in a text box Ctrl+Z undoes its typing, as in every desktop app.
    press(qtbot, Qt.Key.Key_0, CTRL)
    assert focused() is window.grid
    names = []
    for _ in range(3):
        names.append(window.undo_action.text())
        press(qtbot, Qt.Key.Key_Z, CTRL)
    assert names == [
        "&Undo Add stakeholder to briefing For the committee",
        "&Undo New briefing For the committee",
        "&Undo Set position of Netpol",
    ]
    assert window.statusBar().currentMessage() == "Undid Set position of Netpol"
    with window.store.reading() as session:
        assert briefings_core.list_briefings(session) == []
        assert topic_cards(session, window.topic_id)[0].stance != "opposes"
    for _ in range(3):
        press(qtbot, Qt.Key.Key_Z, CTRL_SHIFT)
    with window.store.reading() as session:
        (briefing,) = briefings_core.list_briefings(session)
        kinds = [i.kind for i in briefings_core.briefing_items(session, briefing.id)]
        assert topic_cards(session, window.topic_id)[0].stance == "opposes"
    assert kinds == ["stakeholder", "note"]
    assert editor.source.toPlainText() == "Ask about the **Coronation** arrests"  # nothing lost
    window.grab().save(str(tmp_path / "keyboard-story.png"))
