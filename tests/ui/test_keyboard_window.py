"""The window at the keyboard: Ctrl+1..6 for the side tabs, Escape in search, the shortcuts page."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication

from briefing.ui.shortcuts import ShortcutsDialog, shortcut_lines


def test_ctrl_1_to_6_show_each_side_tab_from_anywhere(window, qtbot):
    tabs = window.side_tabs
    assert tabs.count() == 7
    window.grid.setFocus()
    for number in (2, 7, 6, 3, 1, 5, 4):
        # From another tab, and from the cards.
        qtbot.keyClick(
            QApplication.focusWidget() or window,
            Qt.Key(Qt.Key.Key_0 + number),
            Qt.KeyboardModifier.ControlModifier,
        )
        assert tabs.currentIndex() == number - 1, tabs.tabText(number - 1)
        focused = QApplication.focusWidget()
        assert focused is tabs.widget(number - 1) or tabs.widget(number - 1).isAncestorOf(focused)
    window.toggle_detail.setChecked(False)
    window._on_toggle_detail(False)
    qtbot.keyClick(window.grid, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert tabs.isVisible() and tabs.currentIndex() == 1


def test_escape_in_search_clears_it_and_returns_to_the_cards(window, qtbot):
    window.search.focus_field()
    qtbot.keyClicks(window.search.field, "moratorium")
    assert window.side_tabs.currentWidget() is window.search.panel
    qtbot.keyClick(window.search.field, Qt.Key.Key_Escape)
    assert window.search.field.text() == ""
    assert window.side_tabs.currentWidget() is window.detail
    assert window.grid.hasFocus() or not window.isActiveWindow()


def test_the_shortcuts_page_lists_every_key_from_the_actions(window, qtbot, tmp_path):
    lines = shortcut_lines(window)
    keys = {line.keys: line for line in lines}
    native = QKeySequence.SequenceFormat.NativeText
    for number in range(1, 7):
        assert QKeySequence(f"Ctrl+{number}").toString(native) in keys
    assert keys[QKeySequence("Ctrl+K").toString(native)].where == "Anywhere"
    assert any(line.what.startswith("Undo") for line in lines)
    # Generated, not written down: a new action appears at once.
    window.view_menu.addAction("Brand-new thing").setShortcut(QKeySequence("Ctrl+Alt+J"))
    assert any(line.what == "Brand-new thing" for line in shortcut_lines(window))
    every_key = [
        k.toString(native)
        for a in window.findChildren(type(window.undo_action))
        for k in a.shortcuts()
        if a.text()
    ]
    listed = {line.keys for line in shortcut_lines(window)}
    for key in every_key:
        assert any(key in entry for entry in listed), key
    dialog = ShortcutsDialog(window)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.table.rowCount() == len(shortcut_lines(window))
    dialog.grab().save(str(tmp_path / "shortcuts.png"))


def test_delete_works_in_every_list_of_deletable_things(window, qtbot, monkeypatch):
    from briefing.ui import corrections
    from briefing.ui import notes as notes_ui

    asked = []
    monkeypatch.setattr(notes_ui, "ask_to_delete", lambda parent, title: asked.append("note"))
    monkeypatch.setattr(
        window.briefings, "confirm_delete", lambda title: asked.append("briefing") or False
    )
    monkeypatch.setattr(corrections, "delete_quote", lambda win, qid: asked.append("quote"))
    window.select_stakeholder("IBM")
    views = {action.text(): action.parent() for action in window.delete_actions}
    assert set(views) == {
        "Delete note",
        "Delete briefing",
        "Remove item from briefing",
        "Delete quote",
        "Delete position",
        "Delete event",
    }
    # The notes list: the same question as the button.
    window.side_tabs.setCurrentWidget(window.notes_panel)
    notes = window.notes_panel.list
    notes.setCurrentIndex(window.notes_panel.model.index(0, 0))
    notes.setFocus()
    qtbot.keyClick(notes, Qt.Key.Key_Delete)
    # A briefing, and an item of it.
    panel = window.briefings
    window.side_tabs.setCurrentWidget(panel)
    panel.choose_notes = lambda labels: []
    panel.new_title.setText("For the committee")
    qtbot.keyClick(panel.new_title, Qt.Key.Key_Return)
    panel.add_stakeholder()
    panel.list.setCurrentRow(0)
    panel.list.setFocus()
    qtbot.keyClick(panel.list, Qt.Key.Key_Delete)
    panel.items.setCurrentRow(0)
    panel.items.setFocus()
    qtbot.keyClick(panel.items, Qt.Key.Key_Delete)
    assert panel.items.count() == 0
    assert window.undo_action.text() == "&Undo Remove item from briefing For the committee"
    # A quote of the open source.
    window.side_tabs.setCurrentWidget(window.sources_panel)
    quotes = window.sources_panel.quote_list
    quotes.setCurrentIndex(quotes.model().index(0, 0))
    quotes.setFocus()
    qtbot.keyClick(quotes, Qt.Key.Key_Delete)
    assert asked == ["note", "briefing", "quote"]
    # The history's positions: the card's own position goes, undoably.
    window.side_tabs.setCurrentWidget(window.history)
    positions = window.history.positions
    count = positions.count()
    positions.setCurrentRow(0)
    positions.setFocus()
    qtbot.keyClick(positions, Qt.Key.Key_Delete)
    assert window.undo_action.text() == "&Undo Delete position"
    assert window.history.positions.count() == count - 1
