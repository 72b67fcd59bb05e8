"""File > Backups...: the store's backups, newest first; back up now; restore one.

The list and the copies come from `briefing.store.backups` (no SQL here). Restoring replaces the
store the window has open, so the dialog asks first, then sets `Backups.restore_requested` and
closes the window; `briefing.ui.app.run` restores (keeping the replaced store as a backup) and
opens a new window on the restored store. A read-only window cannot restore or back up.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from briefing.errors import BriefingError
from briefing.paths import APP_NAME
from briefing.store.backups import BackupInfo, backup_folder, list_backups, take_backup

if TYPE_CHECKING:
    from briefing.store import Store
    from briefing.ui.panel import PanelContext

_REASONS = {
    "automatic": "Daily, automatic",
    "manual": "Made by hand",
    "before-restore": "Before a restore",
    "before-pack-import": "Before a pack import",
}


def describe_reason(reason: str) -> str:
    if reason.startswith("before-upgrade"):
        return "Before an upgrade"
    return _REASONS.get(reason, reason.replace("-", " ").capitalize())


def ask_to_restore(parent: QWidget, backup: BackupInfo) -> bool:
    """Whether to restore `backup`. Tests replace this function."""
    taken = backup.taken_at.astimezone().strftime("%Y-%m-%d %H:%M")
    answer = QMessageBox.question(
        parent,
        "Restore this backup?",
        f"Replace the store by the backup of {taken}?\n\nThe store as it is now is kept as a "
        "backup first, so this can be undone by restoring that one. The window closes and "
        "opens again on the restored store.",
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
        QMessageBox.StandardButton.Cancel,
    )
    return answer == QMessageBox.StandardButton.Yes


class BackupsDialog(QDialog):
    def __init__(self, parent: QWidget, store: Store, restore: Callable[[Path], None]) -> None:
        """`restore(path)`: the user chose to restore the backup at `path`."""
        super().__init__(parent)
        self.store = store
        self._restore = restore
        self.setWindowTitle("Backups")
        self.resize(720, 420)
        self.intro = QLabel(
            f"Backups of {self.store.path.name} are kept in {backup_folder(self.store.path)}: "
            "one a day when the app opens, and before every upgrade, pack import or restore. "
            "Older ones are thinned out: every one of the last two days, then one a day for two "
            "weeks, one a week for two months, one a month for a year."
        )
        self.intro.setWordWrap(True)
        self.table = QTableWidget(0, 3)
        self.table.setAccessibleName("Backups, newest first")
        self.table.setHorizontalHeaderLabels(["Taken", "Why", "Size"])
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.status = QLabel()
        self.status.setAccessibleName("Backups status")
        self.backup_button = QPushButton("&Back up now")
        self.backup_button.clicked.connect(self.back_up_now)
        self.restore_button = QPushButton("&Restore…")
        self.restore_button.clicked.connect(self.restore_selected)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        row = QHBoxLayout()
        row.addWidget(self.backup_button)
        row.addWidget(self.restore_button)
        row.addStretch(1)
        row.addWidget(buttons)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status)
        layout.addLayout(row)
        if self.store.read_only:
            self.status.setText("This window is read-only: it cannot back up or restore.")
        self.backups: list[BackupInfo] = []
        self.refresh()

    def refresh(self) -> None:
        self.backups = list_backups(self.store.path)
        self.table.setRowCount(len(self.backups))
        for row, backup in enumerate(self.backups):
            taken = backup.taken_at.astimezone().strftime("%Y-%m-%d %H:%M:%S")
            size = f"{backup.size / 1e6:.1f} MB"
            for column, text in enumerate((taken, describe_reason(backup.reason), size)):
                item = QTableWidgetItem(text)
                item.setToolTip(str(backup.path))
                if column == 2:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.table.setItem(row, column, item)
        self.table.resizeColumnsToContents()
        if not self.backups:
            self.status.setText("No backups yet.")
        self._update_buttons()

    def selected(self) -> BackupInfo | None:
        rows = {index.row() for index in self.table.selectionModel().selectedRows()}
        return self.backups[rows.pop()] if len(rows) == 1 else None

    def _update_buttons(self) -> None:
        writable = not self.store.read_only
        self.backup_button.setEnabled(writable)
        self.restore_button.setEnabled(writable and self.selected() is not None)

    def back_up_now(self) -> None:
        try:
            made = take_backup(self.store, "manual")
        except BriefingError as error:
            self.status.setText(f"No backup was made: {error}")
            return
        self.refresh()
        self.status.setText(f"Backed up as {made.name}")
        self.status.setToolTip(str(made))

    def restore_selected(self) -> None:
        backup = self.selected()
        if backup is None or not ask_to_restore(self, backup):
            return
        self.accept()
        self._restore(backup.path)


READ_ONLY_MARK = " (read-only)"
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


def read_only_title(title: str) -> str:
    """The window's title with the read-only mark, before the app's name (which Qt would
    otherwise add again after the mark)."""
    name = f" \u2014 {APP_NAME}"
    base = title.removesuffix(name) if title != APP_NAME else ""
    return f"{base}{READ_ONLY_MARK}{name}".lstrip()


class Backups:
    """File > Backups…: the dialog, and the backup the user chose to restore, if any (the window
    then closes, and `ui.app` restores it and opens a new window)."""

    def __init__(self, context: PanelContext, store: Store) -> None:
        self.context = context
        self.store = store
        self.restore_requested: Path | None = None
        self.action = QAction("&Backups…", context.window)
        self.action.setStatusTip("Back up the store now, or restore a backup")
        self.action.triggered.connect(self.show)
        if getattr(store, "backed_up_by_server", False):  # a team store: its owner's pg_dump
            self.action.setEnabled(False)
            self.action.setStatusTip(
                "A team store is backed up by its owner: briefing --db ADDRESS backup --to FILE"
            )
        menus = context.menus
        menus.file.insertAction(menus.quit_action, self.action)
        menus.file.insertSeparator(menus.quit_action)

    def show(self) -> BackupsDialog:
        dialog = BackupsDialog(self.context.window, self.store, self._restore)
        dialog.open()
        return dialog

    def _restore(self, path: Path) -> None:
        self.restore_requested = path
        self.context.window.close()  # `ui.app` restores, then opens a new window
