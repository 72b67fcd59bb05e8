"""Help > Keyboard shortcuts: every shortcut of the window, read from its actions.

The list is generated each time it opens, from the menus (in their order, submenus included),
from actions attached to the window outside the menus, and from its `QShortcut`s (such as
Ctrl+K, which works from anywhere), so it cannot drift from what the keys really do.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QMenu,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)


@dataclass(frozen=True)
class ShortcutLine:
    where: str  # the menu ("Edit"), or "Anywhere" for a window-wide shortcut
    what: str  # the action's name, without its mnemonic ("Undo Set position of IBM")
    keys: str  # as the platform writes them: "Ctrl+Shift+N, Ctrl+Y"


def _plain(text: str) -> str:
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&").rstrip("\u2026.")


def _keys(sequences) -> str:
    return ", ".join(
        s.toString(QKeySequence.SequenceFormat.NativeText) for s in sequences if not s.isEmpty()
    )


def shortcut_lines(window: QWidget) -> list[ShortcutLine]:
    """Every action with a key of the window's menus, then its other actions and shortcuts."""
    lines: list[ShortcutLine] = []
    seen: set[int] = set()

    def walk(menu: QMenu, where: str) -> None:
        for action in menu.actions():
            if action.menu() is not None:
                walk(action.menu(), f"{where} \u203a {_plain(action.menu().title())}")
                continue
            seen.add(id(action))
            if keys := _keys(action.shortcuts()):
                lines.append(ShortcutLine(where, _plain(action.text()), keys))

    for top in window.menuBar().actions():
        if top.menu() is not None:
            walk(top.menu(), _plain(top.menu().title()))
    for action in window.findChildren(QAction):
        if id(action) in seen or action.menu() is not None:
            continue
        if (keys := _keys(action.shortcuts())) and action.text():
            lines.append(ShortcutLine("Window", _plain(action.text()), keys))
    for shortcut in window.findChildren(QShortcut):
        if keys := _keys([shortcut.key()]):
            what = shortcut.whatsThis() or shortcut.objectName() or "Shortcut"
            lines.append(ShortcutLine("Anywhere", what, keys))
    return lines


class ShortcutsDialog(QDialog):
    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.setWindowTitle("Keyboard shortcuts")
        self.setAccessibleName("Keyboard shortcuts")
        self.lines = shortcut_lines(window)
        self.table = QTableWidget(len(self.lines), 3)
        self.table.setAccessibleName("Shortcuts")
        self.table.setHorizontalHeaderLabels(["Keys", "Does", "Menu"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        for row, line in enumerate(self.lines):
            for column, text in enumerate((line.keys, line.what, line.where)):
                self.table.setItem(row, column, QTableWidgetItem(text))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
        self.resize(640, 620)
