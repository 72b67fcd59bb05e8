"""The Notes tab: list, editor, saving as you type, tags, privacy, delete and undo, links."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt, QUrl
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QAbstractButton, QComboBox, QLabel, QWidget

from briefing.core import notes as core
from briefing.core.lookup import resolve_target
from briefing.ui import browser
from briefing.ui import notes as notes_ui
from briefing.ui.main_window import MainWindow

WAIT = 10_000  # generous: these wait for a state, they do not time anything


@pytest.fixture
def panel(window):
    assert window.select_stakeholder("IBM")
    window.side_tabs.setCurrentWidget(window.notes_panel)
    return window.notes_panel


def stored(store, target=("stakeholder", None)):
    with store.reading() as session:
        if target[1] is None:
            target = resolve_target(session, "stakeholder:IBM")
        return core.list_notes(session, target)


def ibm_card(window):
    return next(
        window.cards.card(row)
        for row in range(window.cards.rowCount())
        if window.cards.card(row).name == "IBM"
    )


def settle(qtbot, panel) -> None:
    """Wait for the list to be read again after a change (it refreshes on the next loop turn)."""
    qtbot.waitUntil(lambda: not panel.refresh_pending, timeout=WAIT)


def add(store, body, spec="stakeholder:IBM", **kwargs) -> int:
    with store.writing() as session:
        return core.add_note(session, resolve_target(session, spec), body, **kwargs).id


def test_the_tab_lists_the_cards_notes_newest_first_with_privacy(
    window, panel, demo_store, tmp_path, qtmodeltester, qtbot
):
    add(demo_store, "# Older\nshareable", tags=["follow-up"])
    secret = add(demo_store, "# Newer\nwho told us", private=True, tags=["source"])
    window.show_topic(window.topic_id)  # read the store again, as View > Refresh would
    settle(qtbot, panel)
    titles = [panel.model.note(row).title for row in range(panel.model.rowCount())]
    assert titles[:2] == ["Newer", "Older"]
    first = panel.model.index(0, 0)
    assert first.data(notes_ui.NoteIdRole) == secret
    assert "Private" in first.data() and "#source" in first.data()
    assert "UTC" in first.data()  # the date
    assert not first.data(Qt.ItemDataRole.DecorationRole).isNull()  # the padlock
    assert panel.model.index(1, 0).data(Qt.ItemDataRole.DecorationRole) is None
    assert "Shareable" in panel.model.index(1, 0).data()
    assert first.data(Qt.ItemDataRole.AccessibleTextRole).startswith("Private note: Newer")
    assert panel.model.rowCount() == ibm_card(window).note_count
    qtmodeltester.check(panel.model)
    panel.list.setCurrentIndex(first)
    assert panel.editor.source.toPlainText() == "# Newer\nwho told us"
    assert panel.editor.private.isChecked()
    assert "Newer" in panel.editor.preview.toPlainText()
    window.grab().save(str(tmp_path / "notes-tab.png"))
    panel.grab().save(str(tmp_path / "notes-panel.png"))


def test_typing_saves_itself_and_cards_count_the_new_note(window, panel, demo_store, qtbot):
    before = ibm_card(window).note_count
    window.activateWindow()
    qtbot.waitActive(window)
    panel.new_button.click()
    panel.editor.source.setFocus()
    assert panel.editor.note_id is None
    qtbot.keyClicks(panel.editor.source, "# Call IBM")
    qtbot.waitUntil(lambda: not panel.editor.has_unsaved_changes, timeout=WAIT)
    settle(qtbot, panel)
    assert panel.editor.source.hasFocus()  # saving and refreshing leave the typist alone
    assert stored(demo_store)[0].body == "# Call IBM"
    assert ibm_card(window).note_count == before + 1
    assert panel.model.index(0, 0).data(notes_ui.NoteIdRole) == panel.editor.note_id
    assert panel.list.selectionModel().isSelected(panel.model.index(0, 0))
    note_id = panel.editor.note_id

    qtbot.keyClick(panel.editor.source, Qt.Key.Key_Return)
    qtbot.keyClicks(panel.editor.source, "- ask about resellers")
    qtbot.waitUntil(lambda: stored(demo_store)[0].body.endswith("resellers"), timeout=WAIT)
    qtbot.waitUntil(lambda: not panel.editor.has_unsaved_changes, timeout=WAIT)
    assert panel.editor.note_id == note_id  # the same note, saved again
    assert panel.editor.source.toPlainText() == "# Call IBM\n- ask about resellers"
    assert "Saved at" in panel.editor.status.text()
    assert len([n for n in stored(demo_store) if n.title == "Call IBM"]) == 1


def test_closing_the_window_saves_what_was_typed_last(window, panel, demo_store, qtbot):
    panel.new_button.click()
    qtbot.keyClicks(panel.editor.source, "Typed just before closing")
    assert panel.editor.has_unsaved_changes
    window.close()
    assert stored(demo_store)[0].body == "Typed just before closing"


def test_a_blank_new_note_is_not_kept(window, panel, demo_store, qtbot):
    count = len(stored(demo_store))
    panel.new_button.click()
    qtbot.keyClicks(panel.editor.source, "   ")
    panel.editor.flush()
    window.close()
    assert len(stored(demo_store)) == count


def test_switching_notes_or_cards_saves_the_open_note_first(window, panel, demo_store, qtbot):
    first = add(demo_store, "First")
    second = add(demo_store, "Second")
    panel.refresh()
    panel.list.setCurrentIndex(panel.model.index(panel.model.row_of(first), 0))
    qtbot.keyClicks(panel.editor.source, " edited")
    panel.list.setCurrentIndex(panel.model.index(panel.model.row_of(second), 0))
    assert panel.editor.note_id == second
    assert panel.editor.source.toPlainText() == "Second"
    assert panel.selected_note().id == second
    bodies = {n.id: n.body for n in stored(demo_store)}
    assert bodies[first] == "First edited"

    qtbot.keyClicks(panel.editor.source, " changed")
    assert window.select_stakeholder("Microsoft")
    assert {n.id: n.body for n in stored(demo_store)}[second] == "Second changed"
    assert panel.scope.currentText() == "Microsoft's card"
    assert all(panel.model.note(r).attached_to != "IBM" for r in range(panel.model.rowCount()))
    assert panel.editor.note_id is None and panel.editor.source.toPlainText() == ""


def test_notes_on_the_topic_itself(window, panel, demo_store, qtbot):
    panel.scope.setCurrentIndex(1)
    assert panel.scope.currentText() == "The topic itself"
    titles = [panel.model.note(r).title for r in range(panel.model.rowCount())]
    assert titles == ["Working note (private):"]  # the demo's private note on the topic
    qtbot.keyClicks(panel.editor.source, "About the whole topic")
    panel.editor.flush()
    with demo_store.reading() as session:
        on_topic = core.list_notes(session, resolve_target(session, "topic:1"))
    assert on_topic[0].body == "About the whole topic"
    window.select_stakeholder("Amazon")  # the choice of scope stays
    assert panel.scope.currentText() == "The topic itself"


def test_formatting_shortcuts_and_undo_in_the_editor(window, panel, qtbot):
    window.activateWindow()
    qtbot.waitActive(window)
    source = panel.editor.source
    panel.new_button.click()
    qtbot.keyClicks(source, "word")
    source.selectAll()
    qtbot.keyClick(source, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)
    assert source.toPlainText() == "**word**"
    source.selectAll()
    qtbot.keyClick(source, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
    assert source.toPlainText() == "***word***"
    qtbot.keyClick(source, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # one step back
    assert source.toPlainText() == "**word**"
    qtbot.keyClick(
        source,
        Qt.Key.Key_Z,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert source.toPlainText() == "***word***"

    source.setPlainText("")
    qtbot.keyClicks(source, "the letter")
    source.selectAll()
    qtbot.keyClick(source, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert source.toPlainText() == "[the letter](https://)"
    assert source.textCursor().selectedText() == "https://"
    qtbot.keyClicks(source, "https://example.org/x")  # typing replaces the selected address
    assert source.toPlainText() == "[the letter](https://example.org/x)"

    source.setPlainText("one\ntwo")
    source.selectAll()
    qtbot.keyClick(
        source,
        Qt.Key.Key_L,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert source.toPlainText() == "- one\n- two"
    panel.editor.list_action.trigger()
    assert source.toPlainText() == "one\ntwo"

    source.setPlainText("")
    panel.editor.bold_action.trigger()  # no selection: the cursor lands between the marks
    qtbot.keyClicks(source, "b")
    assert source.toPlainText() == "**b**"
    panel.editor.undo_action.trigger()
    assert panel.editor.redo_action.isEnabled()


def test_the_preview_renders_live_and_safely(panel, qtbot, tmp_path):
    panel.new_button.click()
    hostile = (
        "# Heading\n\n- item\n\n<script>alert(1)</script>\n\n"
        "![pixel](https://tracker.example/p.gif)\n\n[click](javascript:alert(1))"
    )
    panel.editor.source.setPlainText(hostile)
    qtbot.waitUntil(lambda: "Heading" in panel.editor.preview.toPlainText(), timeout=WAIT)
    html = panel.editor.preview.toHtml()
    text = panel.editor.preview.toPlainText()
    assert "alert" not in text and "javascript" not in html
    assert "[image: pixel \u2014 https://tracker.example/p.gif]" in text
    assert "<img" not in html
    panel.editor.grab().save(str(tmp_path / "note-editor.png"))


def test_tags_complete_from_existing_ones(panel, demo_store, qtbot):
    add(demo_store, "Tagged", tags=["surveillance"])
    panel.refresh()
    panel.new_button.click()
    qtbot.keyClicks(panel.editor.source, "A tagged note")
    tags = panel.editor.tags
    tags.setFocus()
    qtbot.keyClicks(tags, "loopholes, Sur")
    completer = panel.editor.completer
    assert completer.completionCount() == 1  # only the tag being typed is completed
    assert completer.currentCompletion() == "loopholes, surveillance, "
    popup = completer.popup()
    qtbot.waitUntil(popup.isVisible, timeout=WAIT)
    popup.setCurrentIndex(completer.completionModel().index(0, 0))
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    assert tags.text() == "loopholes, surveillance, "
    panel.editor.flush()
    assert stored(demo_store)[0].tags == ("loopholes", "surveillance")


def test_a_bad_tag_is_reported_and_the_words_are_still_saved(panel, demo_store, qtbot):
    panel.new_button.click()
    qtbot.keyClicks(panel.editor.tags, "x" * 101)
    qtbot.keyClick(panel.editor.tags, Qt.Key.Key_Return)  # tags are taken on Enter
    qtbot.keyClicks(panel.editor.source, "Words first")
    panel.editor.flush()
    assert "Tags not saved" in panel.editor.status.text()
    latest = stored(demo_store)[0]
    assert (latest.body, latest.tags) == ("Words first", ())


def test_private_is_saved_at_once_and_shown_in_words(window, panel, demo_store, qtbot, tmp_path):
    panel.new_button.click()
    qtbot.keyClicks(panel.editor.source, "Who briefed us")
    panel.editor.flush()
    qtbot.mouseClick(panel.editor.private, Qt.MouseButton.LeftButton)
    assert stored(demo_store)[0].private  # no wait: ticking the box saves
    settle(qtbot, panel)
    row = panel.model.row_of(panel.editor.note_id)
    assert "Private" in panel.model.index(row, 0).data()
    window.side_tabs.setCurrentIndex(0)
    assert "Private" in window.detail.toPlainText()
    with demo_store.reading() as session:
        assert panel.editor.note_id not in {n.id for n in core.shareable_notes(session)}


def test_delete_asks_first_and_edit_undo_brings_it_back(
    window, panel, demo_store, qtbot, monkeypatch
):
    note_id = add(demo_store, "To delete", private=True, tags=["x"])
    window.show_topic(window.topic_id)
    settle(qtbot, panel)
    with demo_store.reading() as session:
        before = core.note_snapshot(session, note_id)
    panel.list.setCurrentIndex(panel.model.index(panel.model.row_of(note_id), 0))
    asked = []
    monkeypatch.setattr(notes_ui, "ask_to_delete", lambda parent, title: asked.append(title))
    panel.delete_button.click()
    assert asked == ["To delete"]
    assert note_id in {n.id for n in stored(demo_store)}  # said no: nothing happened

    monkeypatch.setattr(notes_ui, "ask_to_delete", lambda parent, title: True)
    count = ibm_card(window).note_count
    panel.delete_button.click()
    assert note_id not in {n.id for n in stored(demo_store)}
    assert panel.model.row_of(note_id) is None
    assert ibm_card(window).note_count == count - 1
    assert window.undo_action.text() == "&Undo Delete note \u201cTo delete\u201d"

    window.undo_action.trigger()
    with demo_store.reading() as session:
        assert core.note_snapshot(session, note_id) == before  # the same note, uuid and all
    settle(qtbot, panel)
    assert panel.model.row_of(note_id) is not None
    window.redo_action.trigger()
    settle(qtbot, panel)
    assert panel.model.row_of(note_id) is None


def test_deleting_the_open_note_saves_its_last_words_for_undo(
    window, panel, demo_store, qtbot, monkeypatch
):
    monkeypatch.setattr(notes_ui, "ask_to_delete", lambda parent, title: True)
    panel.new_button.click()
    qtbot.keyClicks(panel.editor.source, "Draft")
    panel.editor.flush()
    qtbot.keyClicks(panel.editor.source, " with more")
    panel.delete_button.click()
    assert panel.editor.note_id is None and panel.editor.source.toPlainText() == ""
    assert panel.editor.target == ("stakeholder", ibm_card(window).id)  # ready for a new one
    window.undo_action.trigger()
    assert stored(demo_store)[0].body == "Draft with more"


def test_a_link_in_the_preview_opens_only_on_click_after_asking(panel, qtbot, monkeypatch):
    opened, asked = [], []
    monkeypatch.setattr(browser.QDesktopServices, "openUrl", lambda url: opened.append(url))
    monkeypatch.setattr(browser, "confirm_open_link", lambda parent, url: asked.append(url))
    panel.new_button.click()
    panel.editor.source.setPlainText("[the letter](https://example.org/letter)")
    preview = panel.editor.preview
    qtbot.waitUntil(lambda: "the letter" in preview.toPlainText(), timeout=WAIT)
    assert opened == [] and asked == []  # showing the link does nothing

    spot = next(
        QPoint(x, y)
        for y in range(0, 60, 2)
        for x in range(0, 200, 2)
        if preview.anchorAt(QPoint(x, y))
    )
    qtbot.mouseClick(preview.viewport(), Qt.MouseButton.LeftButton, pos=spot)
    assert asked == [QUrl("https://example.org/letter")]
    assert opened == []  # the user said no
    monkeypatch.setattr(browser, "confirm_open_link", lambda parent, url: True)
    qtbot.mouseClick(preview.viewport(), Qt.MouseButton.LeftButton, pos=spot)
    assert opened == [QUrl("https://example.org/letter")]


def test_every_notes_control_has_an_accessible_name(window, panel):
    panel.new_button.click()
    nameless = []
    for widget in panel.findChildren(QWidget):
        focusable = widget.focusPolicy() != Qt.FocusPolicy.NoFocus
        interesting = isinstance(widget, QComboBox | QAbstractButton) or focusable
        if not widget.isVisible() or not interesting or isinstance(widget, QLabel):
            continue
        if widget.parent() is not None and widget.parent().inherits("QAbstractScrollArea"):
            continue
        if not widget.accessibleName() and not widget.toolTip():
            nameless.append(f"{type(widget).__name__} {widget.objectName()!r}")
    assert nameless == []


def test_menu_entries_reach_the_notes(window, qtbot):
    window.select_stakeholder("ACLU")
    new = next(a for a in window.file_menu.actions() if a.text() == "&New note")
    new.trigger()
    assert window.side_tabs.currentWidget() is window.notes_panel
    assert window.notes_panel.editor.source.hasFocus() or not window.isActiveWindow()
    assert "ACLU" in window.notes_panel.editor.source.placeholderText()
    go = next(a for a in window.view_menu.actions() if a.text() == "Go to &notes")
    assert go.shortcut().toString() == "Ctrl+6"  # the sixth side tab


def test_a_huge_note_with_nul_and_bidi_controls_is_shown_safely(window, panel, demo_store):
    body = "# Big\n\nright-to-left \u202eevil\u202c and a NUL \x00 here\n\n" + (
        "Pasted data, line after line.\n" * 35_000
    )
    assert len(body) > 1_000_000
    note_id = add(demo_store, body)
    panel.refresh()
    panel.list.setCurrentIndex(panel.model.index(panel.model.row_of(note_id), 0))
    assert panel.editor.note_id == note_id
    shown = panel.editor.preview.toPlainText()
    assert "Big" in shown and "\u202e" not in shown and "\x00" not in shown
    assert "Text too long" not in shown  # under the renderer's limit: all of it is shown
    panel.editor.source.moveCursor(QTextCursor.MoveOperation.End)
    panel.editor.source.insertPlainText("end")
    panel.editor.flush()
    with demo_store.reading() as session:
        saved = core.note_summary(session, note_id).body
    # the NUL is removed on saving, as from every text entering the store (briefing.text)
    assert saved.endswith("line.\nend") and len(saved) == len(body) - 1 + 3
    assert "\x00" not in saved and "\u202e" in saved


def test_an_empty_store_has_nothing_to_write_on(qtbot, empty_store, settings):
    window = MainWindow(empty_store, settings)
    qtbot.addWidget(window)
    window.show()
    panel = window.notes_panel
    window.side_tabs.setCurrentWidget(panel)
    assert panel.model.rowCount() == 0
    assert not panel.new_button.isEnabled() and not panel.delete_button.isEnabled()
    assert not panel.editor.source.isEnabled()
    assert "Select a card" in panel.editor.source.placeholderText()


def test_a_note_whose_record_was_deleted_meanwhile_says_it_was_not_saved(
    window, panel, demo_store, qtbot
):
    from briefing.store.models import Stakeholder

    panel.new_button.click()
    qtbot.keyClicks(panel.editor.source, "On IBM")
    panel.editor.flush()
    note_id = panel.editor.note_id
    with demo_store.writing() as session:  # another window or a script removes IBM
        session.delete(session.get(Stakeholder, resolve_target(session, "stakeholder:IBM")[1]))
    qtbot.keyClicks(panel.editor.source, " and more")
    assert not panel.editor.flush()
    assert panel.editor.status.text().startswith("Not saved yet")
    assert panel.editor.source.toPlainText() == "On IBM and more"  # the words stay
    with demo_store.reading() as session:
        assert note_id not in {n.id for n in core.list_notes(session)}
    panel.editor.forget()  # else closing the window would ask about them
