"""The issue's Done-when, at the keyboard alone: add a topic, a stakeholder, a dated position, a
source and a quote from it, and a note; compose a briefing and export it through the export
dialog; undo three steps and redo them. Every step is a key press or typed text sent to the
widget that has the focus (dialogs included, the file chooser too); nothing is clicked and no
panel method is called in place of a key."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QFileDialog, QPushButton

from briefing.core import briefings as briefings_core
from briefing.core.cards import topic_cards
from briefing.store.models import Note, Quote
from briefing.ui.briefings import ExportDialog, ExportedDialog
from briefing.ui.sources import NewQuoteDialog, SourceFactsDialog

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier
CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
WORDS = "Facial recognition at protests chills the right to assemble"
STATEMENT = (
    "Statement of the Network for Police Monitoring, 9 June 2020.\n\n"
    f"Netpol said: {WORDS}. We ask the committee to stop its use at every demonstration.\n"
)


def focused():
    return QApplication.focusWidget()


def press(qtbot, key, modifiers=Qt.KeyboardModifier.NoModifier):
    if focused() is None or not focused().window().isVisible():
        # A closed dialog gave the focus back to no window (offscreen has no window manager).
        _main[0].activateWindow()
        qtbot.waitUntil(lambda: focused() is not None and focused().window() is _main[0])
    qtbot.keyClick(focused(), key, modifiers)


_main: list = []


def in_next_dialog(qtbot, steps, kind: type = QDialog):
    """Run `steps(dialog)` once a modal `kind` is showing (opened by the next key, perhaps
    after a background job); it is made the active window, as a window manager would."""
    done = []

    def run():
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, kind) or not dialog.isVisible():
            QTimer.singleShot(10, run)
            return
        try:
            dialog.activateWindow()
            qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
            inputs = getattr(dialog, "_inputs", None)
            if inputs:
                qtbot.waitUntil(lambda: focused() is inputs[0])
            steps(dialog)
        except BaseException as error:  # never leave a modal dialog open: the test would hang
            done.append(error)
            dialog.reject()
            raise
        done.append(dialog)

    QTimer.singleShot(0, run)
    return done


def type_over(qtbot, text: str) -> None:
    press(qtbot, Qt.Key.Key_A, CTRL)
    qtbot.keyClicks(focused(), text)


def tab_to(qtbot, widget, limit: int = 40) -> None:
    for _ in range(limit):
        if focused() is widget:
            return
        press(qtbot, Qt.Key.Key_Tab)
    raise AssertionError(f"Tab never reached {widget.accessibleName()}")


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

    # A source: Ctrl+Shift+I, the file's name typed into the file chooser, then what the file
    # does not say about itself (publisher and date) in the next dialog.
    statement = tmp_path / "netpol-statement.txt"
    statement.write_text(STATEMENT, encoding="utf-8")

    def choose_file(chooser):
        type_over(qtbot, str(statement))
        press(qtbot, Qt.Key.Key_Return)

    def facts(dialog):
        assert focused() is dialog.title
        press(qtbot, Qt.Key.Key_Tab)
        qtbot.keyClicks(focused(), "Netpol")
        press(qtbot, Qt.Key.Key_B, Qt.KeyboardModifier.AltModifier)  # Pu&blished
        assert focused() is dialog.date
        qtbot.keyClicks(focused(), "9/6/2020")
        press(qtbot, Qt.Key.Key_Return)

    chose = in_next_dialog(qtbot, choose_file, QFileDialog)
    told = in_next_dialog(qtbot, facts, SourceFactsDialog)
    press(qtbot, Qt.Key.Key_I, CTRL_SHIFT)
    sources = window.sources_panel
    qtbot.waitUntil(lambda: sources.importing is None and bool(told), timeout=20000)
    assert [type(d) for d in chose + told] == [QFileDialog, SourceFactsDialog]
    assert window.side_tabs.currentWidget() is sources

    # A quote: into the reader with Tab, the words selected with Shift+Ctrl+Right, then
    # Ctrl+Shift+Q; the speaker is found in the text, the date typed.
    tab_to(qtbot, sources.reader)
    press(qtbot, Qt.Key.Key_Home, CTRL)
    start = sources.document.text.index(WORDS)
    while sources.reader.textCursor().position() < start:
        press(qtbot, Qt.Key.Key_Right, CTRL)
    while len(sources.reader.textCursor().selectedText()) < len(WORDS):
        press(qtbot, Qt.Key.Key_Right, CTRL_SHIFT)
    assert sources.reader.textCursor().selectedText().strip() == WORDS

    def quote(dialog):
        assert dialog.speaker.currentText() == "Netpol"
        press(qtbot, Qt.Key.Key_O, Qt.KeyboardModifier.AltModifier)  # Said &on
        assert focused() is dialog.date
        qtbot.keyClicks(focused(), "9 June 2020")
        press(qtbot, Qt.Key.Key_Return)

    quoted = in_next_dialog(qtbot, quote, NewQuoteDialog)
    press(qtbot, Qt.Key.Key_Q, CTRL_SHIFT)
    assert quoted and isinstance(quoted[0], NewQuoteDialog)
    with window.store.reading() as session:
        (made,) = session.query(Quote).all()[-1:]
        assert (made.text.strip(), str(made.said_on)) == (WORDS, "2020-06-09")

    # A note on the card: back to the cards (Ctrl+0), Ctrl+N, words; it saves itself.
    press(qtbot, Qt.Key.Key_0, CTRL)
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
    with window.store.reading() as session:  # on the card, as the action says, not the source
        (note,) = session.query(Note).filter(Note.body.contains("Coronation")).all()
        assert note.stakeholder_id == netpol.id and note.source_id is None
    assert window.cards.card(0).note_count == 1

    # A briefing: back to the card (Ctrl+0), the Briefings tab (Ctrl+5), a title and Enter,
    # then Add stakeholder, ticking the card's note with Space.
    press(qtbot, Qt.Key.Key_0, CTRL)
    briefings_index = window.side_tabs.indexOf(window.briefings)
    press(qtbot, Qt.Key(Qt.Key.Key_1 + briefings_index), CTRL)
    panel = window.briefings
    assert window.side_tabs.currentWidget() is panel
    tab_to(qtbot, panel.new_title)
    qtbot.keyClicks(focused(), "For the committee")
    press(qtbot, Qt.Key.Key_Return)
    add_stakeholder = next(
        b for b in panel.findChildren(QPushButton) if b.text() == "Add sta&keholder"
    )

    def tick_note(dialog):
        press(qtbot, Qt.Key.Key_Down)
        press(qtbot, Qt.Key.Key_Space)
        press(qtbot, Qt.Key.Key_Return)

    ticked = in_next_dialog(qtbot, tick_note)
    tab_to(qtbot, add_stakeholder)
    press(qtbot, Qt.Key.Key_Space)
    assert ticked
    with window.store.reading() as session:
        (briefing,) = briefings_core.list_briefings(session)
        kinds = [i.kind for i in briefings_core.briefing_items(session, briefing.id)]
    assert kinds == ["stakeholder", "note"]

    # Export: Ctrl+E, the file's name typed over the offered one, Enter; then Escape on the
    # offer to open it.
    exported = tmp_path / "for-the-committee.md"

    def export(dialog):
        assert focused() is dialog.path
        type_over(qtbot, str(exported))
        press(qtbot, Qt.Key.Key_Return)

    asked = in_next_dialog(qtbot, export, ExportDialog)
    panel.offer = None
    press(qtbot, Qt.Key.Key_E, CTRL)
    assert asked and isinstance(asked[0], ExportDialog)
    # The offer to open the file does not stop the user working; Escape closes it.
    qtbot.waitUntil(lambda: isinstance(panel.offer, ExportedDialog), timeout=20000)
    offer = panel.offer
    qtbot.waitUntil(offer.isVisible)
    offer.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is offer)
    press(qtbot, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not offer.isVisible())
    written = exported.read_text(encoding="utf-8")
    for made_here in ("Netpol", "Opposes", "Against facial recognition at protests", WORDS):
        assert made_here in written, made_here
    assert "**Coronation**" in written or "Coronation" in written

    # Undo three steps and redo them, by keys. Ctrl+0 first: in a text box Ctrl+Z undoes its
    # typing, as in every desktop app.
    press(qtbot, Qt.Key.Key_0, CTRL)
    assert focused() is window.grid
    names = []
    for _ in range(3):
        names.append(window.undo_action.text())
        press(qtbot, Qt.Key.Key_Z, CTRL)
    assert names == [
        "&Undo Add stakeholder to briefing For the committee",
        "&Undo New briefing For the committee",
        "&Undo New quote",
    ]
    assert window.statusBar().currentMessage() == "Undid New quote"
    with window.store.reading() as session:
        assert briefings_core.list_briefings(session) == []
        assert session.query(Quote).filter(Quote.text.contains("chills the right")).count() == 0
    for _ in range(3):
        press(qtbot, Qt.Key.Key_Z, CTRL_SHIFT)
    with window.store.reading() as session:
        (briefing,) = briefings_core.list_briefings(session)
        kinds = [i.kind for i in briefings_core.briefing_items(session, briefing.id)]
        assert session.query(Quote).filter(Quote.text.contains("chills the right")).count() == 1
        assert topic_cards(session, window.topic_id)[0].stance == "opposes"
    assert kinds == ["stakeholder", "note"]
    assert editor.source.toPlainText() == "Ask about the **Coronation** arrests"  # nothing lost
    assert window.cards.card(0).note_count == 1 and window.cards.card(0).quote_count == 1
    window.grab().save(str(tmp_path / "keyboard-story.png"))
