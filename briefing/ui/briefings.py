"""Briefings in the main window: a "Briefings" side tab to compose them, export and preview.

The tab lists the current topic's briefings. The composer under the list edits the selected one:
title, audience, author, date and an introduction in Markdown save themselves (one transaction
each, through `operations`); its items (stakeholders, quotes, notes, the comparison table)
are added from the selected card, reordered by drag and drop and removed. File > Export briefing…
asks for a file, whether to include private notes and the page size, then writes it in a worker
thread (`export_job`) behind a progress dialog with Cancel; the file appears whole or not at all.
File > Export whole topic… does the same for the topic on screen, every card's stakeholder with
its quotes (and its shareable notes if ticked), with no briefing to compose first (as
`briefing export OUT` does). Adding a stakeholder offers its card's shareable notes to tick;
adding a private note says it will be left out unless private notes are included.
Export briefing and Print preview are greyed out until a briefing is selected.
File > Print preview… lays the briefing out exactly as the PDF (same `PagedBriefing`) on a
QPrinter in Qt's print preview.

Widgets never touch the store directly: reads run use cases of `briefing.core.briefings` on the
store runner's readers (an export reads what it prints in its own thread), writes go through
`operations`.
"""

from __future__ import annotations

import datetime as dt
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QAction, QDesktopServices, QKeySequence, QPainter
from PySide6.QtPrintSupport import QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QProgressDialog,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from briefing.core import briefings as core
from briefing.core import versions
from briefing.core.changes import Changes
from briefing.core.undo import Recorded
from briefing.errors import BriefingError, ExportCancelled, StaleRecord
from briefing.export import FORMATS, format_for
from briefing.export.process import export_in_child
from briefing.render import palette
from briefing.ui import theme
from briefing.ui.datefield import DateField
from briefing.ui.failures import details_of, show_failure
from briefing.ui.jobs import BackgroundJob
from briefing.ui.panel import PanelContext, WhenShown

IdRole = Qt.ItemDataRole.UserRole


def _button(text: str, tip: str, slot) -> QPushButton:
    button = QPushButton(text)
    button.setAccessibleName(text.replace("&", "").rstrip("…"))
    button.setToolTip(tip)
    button.clicked.connect(slot)
    return button


if TYPE_CHECKING:

    from briefing.store.database import Work

    # what to print, or the use case that reads it (in the export's child process)
    Content = core.BriefingContent | Work[core.BriefingContent]


def export_job(
    content: Content, path: Path, fmt: str, parent=None, *, store_path: Path | None = None
) -> BackgroundJob:
    """Writes one export off the GUI thread: reads what it prints there too (`content` may be a
    use case taking a session; it runs in a read-only session of the store at `store_path`, in
    the export's own process),
    then lays it out. The document and the PDF writer are created in that thread (Qt allows
    QTextDocument and QPainter on a QPdfWriter outside the GUI thread)."""

    def work(progress, cancelled) -> str:
        if cancelled():
            raise ExportCancelled("the export was cancelled; no file was written")
        # Read and laid out in a child process: Qt's layout of a long briefing holds Python's
        # lock, which would stop every thread here, the GUI's too.
        if callable(content):
            assert store_path is not None
            export_in_child(
                None,
                path,
                fmt,
                progress=progress,
                cancelled=cancelled,
                load=(store_path, content),
            )
        else:
            export_in_child(content, path, fmt, progress=progress, cancelled=cancelled)
        return str(path)

    return BackgroundJob(
        work,
        stopped_by=ExportCancelled,
        unexpected="the export failed unexpectedly: {error}; no file was written",
        parent=parent,
    )


class ExportDialog(QDialog):
    """Where to, in which format, with or without private notes, on which paper."""

    def __init__(
        self,
        title: str,
        include_private: bool,
        page_size: str,
        parent=None,
        *,
        whole_topic: bool = False,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Export \u201c{title}\u201d")
        self.setAccessibleName("Export briefing")
        self.path = QLineEdit()
        self.path.setAccessibleName("File to write")
        self.path.setPlaceholderText("briefing.pdf, .odt, .html or .md")
        browse = _button("&Browse…", "Choose the file to write", self._browse)
        row = QHBoxLayout()
        row.addWidget(self.path)
        row.addWidget(browse)
        self.include_private = QCheckBox("Include &private notes (each marked private)")
        self.include_private.setAccessibleName("Include private notes")
        self.include_private.setChecked(include_private)
        self.page_size = QComboBox()
        self.page_size.setAccessibleName("Page size")
        self.page_size.addItems(list(core.PAGE_SIZES))
        self.page_size.setCurrentText(page_size)
        form = QFormLayout(self)
        file_label = QLabel("&File:")
        file_label.setBuddy(self.path)
        form.addRow(file_label, row)
        self.setMinimumWidth(560)
        # A whole topic prints no notes unless asked; a composed briefing prints the notes put
        # into it, so it has no such box.
        self.with_notes = QCheckBox("Include shareable &notes (not private ones)")
        self.with_notes.setAccessibleName("Include shareable notes")
        self.with_notes.setVisible(whole_topic)
        if whole_topic:
            form.addRow("", self.with_notes)
        form.addRow("", self.include_private)
        form.addRow("Page &size:", self.page_size)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("&Export")
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setAccessibleName("Export")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setAccessibleName("Cancel")
        self.buttons.accepted.connect(self._check)
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.buttons)

    def _browse(self) -> None:
        chosen, _ = QFileDialog.getSaveFileName(
            self,
            "Export briefing",
            self.path.text(),
            "PDF (*.pdf);;OpenDocument text (*.odt);;HTML (*.html);;Markdown (*.md)",
        )
        if chosen:
            self.path.setText(chosen)

    def _check(self) -> None:
        try:
            format_for(Path(self.path.text().strip()))
        except BriefingError as error:
            QMessageBox.warning(self, "Export", str(error))
            return
        self.accept()


def open_url(url: QUrl) -> bool:
    """Open a file or a folder in the desktop's own application. Tests replace this."""
    return QDesktopServices.openUrl(url)


class ExportedDialog(QMessageBox):
    """Says the export is written and offers to open the file or show its folder.

    Not modal: the user may carry on working and answer later, or never. *Open* hands the file
    to the desktop (the PDF viewer, the word processor), *Show folder* opens the folder that
    holds it, both through `open_url` (QDesktopServices)."""

    def __init__(self, parent: QWidget | None, path: Path) -> None:
        super().__init__(parent)
        self.path = path
        self.setWindowTitle("Export finished")
        self.setAccessibleName("Export finished")
        self.setIcon(QMessageBox.Icon.Information)
        self.setText(f"Wrote {path.name}")
        self.setInformativeText(f"in {path.parent}")
        self.open_button = self.addButton("&Open", QMessageBox.ButtonRole.AcceptRole)
        self.open_button.setAccessibleName("Open the file")
        self.folder_button = self.addButton("Show &folder", QMessageBox.ButtonRole.ActionRole)
        self.folder_button.setAccessibleName("Show its folder")
        close = self.addButton(QMessageBox.StandardButton.Close)
        close.setAccessibleName("Close")
        self.setDefaultButton(self.open_button)
        self.setModal(False)
        self.buttonClicked.connect(self._clicked)

    def _clicked(self, button) -> None:
        if button is self.open_button:
            open_url(QUrl.fromLocalFile(str(self.path)))
        elif button is self.folder_button:
            open_url(QUrl.fromLocalFile(str(self.path.parent)))

    @classmethod
    def ask(cls, parent: QWidget | None, path: Path) -> ExportedDialog:
        """Show the offer without waiting for an answer. Tests replace this."""
        dialog = cls(parent, path)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        return dialog


class BriefingsPanel(QWidget):
    """The "Briefings" side tab: the topic's briefings and a composer for the selected one."""

    exported = Signal(str)  # the path, once an export has been written

    def __init__(self, context: PanelContext) -> None:
        super().__init__()
        self.context = context  # what this panel may use of the window
        self.shown = context.shown
        self.runner = context.runner
        self._add_actions()
        context.operations.changed.connect(self.on_changes)
        self.shown.topic_changed.connect(self.on_topic_changed)
        self.setAccessibleName("Briefings")
        self.job: BackgroundJob | None = None
        self.progress: QProgressDialog | None = None
        self.offer: ExportedDialog | None = None  # the last "open the file?" offer
        self._shown_id: int | None = None  # the briefing whose fields the composer shows
        # Its version and its items' order as shown: what the composer's saves expect to find
        # (`briefing.core.versions`), so that a change made elsewhere is never overwritten.
        self._shown_version = None
        self._shown_order: list[int] = []
        self._loading = False
        self._when_shown = WhenShown(self, self.reload)

        self.list = QListWidget()
        self.list.setAccessibleName("Briefings of this topic")
        self.list.currentItemChanged.connect(lambda *_: self._show_current())
        self.new_title = QLineEdit()
        self.new_title.setAccessibleName("New briefing title")
        self.new_title.setPlaceholderText("Title of a new briefing")
        self.new_title.returnPressed.connect(self.create)
        top = QHBoxLayout()
        top.addWidget(self.new_title)
        top.addWidget(_button("New", "Create a briefing with this title (Enter)", self.create))
        self.delete_button = _button("Delete", "Delete the selected briefing", self.delete)
        top.addWidget(self.delete_button)
        self.notes_button = _button(
            "Notes", "Read and write your notes on the selected briefing", self.show_notes
        )
        self.notes_button.setAccessibleName("Notes on this briefing")
        top.addWidget(self.notes_button)

        self.title = QLineEdit()
        self.title.setAccessibleName("Title")
        self.audience = QLineEdit()
        self.audience.setAccessibleName("Audience")
        self.audience.setPlaceholderText("Who it is for, e.g. Cllr Jones, Policing Committee")
        self.author = QLineEdit()
        self.author.setAccessibleName("Author")
        self.dated = DateField()
        self.dated.setAccessibleName("Date")
        self.dated.setPlaceholderText("Undated; " + self.dated.placeholderText())
        # A wrong date is said here, in words, and not saved (the other fields still are).
        self.date_problem = QLabel()
        self.date_problem.setAccessibleName("Date problem")
        self.date_problem.setStyleSheet(theme.style(palette.ERROR))
        self.date_problem.setWordWrap(True)
        self.date_problem.hide()
        self.introduction = QPlainTextEdit()
        self.introduction.setAccessibleName("Introduction (Markdown)")
        self.introduction.setPlaceholderText("Why this briefing, in Markdown")
        self.introduction.setMaximumHeight(120)
        self.introduction.setTabChangesFocus(True)  # Tab leaves it, as in every other form
        for edit in (self.title, self.audience, self.author):
            edit.editingFinished.connect(self.save_fields)
        self.dated.editingFinished.connect(self.save_fields)
        # The introduction saves itself shortly after typing stops.
        self._intro_timer = QTimer(self, singleShot=True, interval=600)
        self._intro_timer.timeout.connect(self.save_fields)
        self.introduction.textChanged.connect(self._intro_changed)

        self.items = QListWidget()
        self.items.setAccessibleName("Items of the briefing, in order")
        self.items.setToolTip("Drag items to reorder them")
        self.items.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.items.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.items.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.items.model().rowsMoved.connect(lambda *_: self.save_order())

        add_row = QHBoxLayout()
        add_row.addWidget(
            _button("Add sta&keholder", "Add the selected card's stakeholder", self.add_stakeholder)
        )
        add_row.addWidget(
            _button("Add &comparison", "Add the comparison table", self.add_comparison)
        )
        add_row.addWidget(
            _button(
                "Add &quote or note…",
                "Add one of the selected card's quotes or notes",
                self.add_quote_or_note,
            )
        )
        edit_row = QHBoxLayout()
        edit_row.addWidget(_button("Move &up", "Move the item up", lambda: self.move(-1)))
        edit_row.addWidget(_button("Move do&wn", "Move the item down", lambda: self.move(1)))
        edit_row.addWidget(_button("Re&move", "Remove the item from the briefing", self.remove))
        edit_row.addStretch()
        edit_row.addWidget(_button("&Preview…", "Preview the briefing as printed", self.preview))
        edit_row.addWidget(_button("E&xport…", "Export the briefing to a file", self.export))

        form = QFormLayout()
        for label, widget in (
            ("Tit&le:", self.title),
            ("&Audience:", self.audience),
            ("Auth&or:", self.author),
            ("Date:", self.dated),
            ("", self.date_problem),
            ("&Introduction:", self.introduction),
        ):
            form.addRow(label, widget)
        self.composer = QWidget()
        self.composer.setAccessibleName("Composer")
        composer_layout = QVBoxLayout(self.composer)
        composer_layout.setContentsMargins(0, 0, 0, 0)
        composer_layout.addLayout(form)
        items_label = QLabel("Items (drag to reorder):")
        items_label.setBuddy(self.items)
        composer_layout.addWidget(items_label)
        composer_layout.addWidget(self.items, 1)
        composer_layout.addLayout(add_row)
        composer_layout.addLayout(edit_row)

        inner = QWidget()
        layout = QVBoxLayout(inner)
        layout.addLayout(top)
        layout.addWidget(self.list)
        layout.addWidget(self.composer, 1)
        self.list.setMaximumHeight(130)
        self.items.setMinimumHeight(120)
        # Scrolls rather than making the window taller than a small screen.
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(inner)
        scroll.setAccessibleName("Briefings composer")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        self.reload()

    # -- reading ----------------------------------------------------------------------------------

    def current_id(self) -> int | None:
        item = self.list.currentItem()
        return item.data(IdRole) if item is not None else None

    def reload(self) -> None:
        keep = self.current_id()
        topic_id = self.shown.topic_id
        found = (
            self.runner.read_now(lambda session: core.list_briefings(session, topic_id))
            if topic_id is not None
            else []
        )
        self.list.blockSignals(True)
        self.list.clear()
        for summary in found:
            item = QListWidgetItem(f"{summary.title}  ({summary.item_count} items)")
            item.setData(IdRole, summary.id)
            self.list.addItem(item)
            if summary.id == keep:
                self.list.setCurrentItem(item)
        if self.list.currentItem() is None and self.list.count():
            self.list.setCurrentRow(0)
        self.list.blockSignals(False)
        self._show_current()

    def _add_actions(self) -> None:
        """File > Export briefing, Export whole topic and Print preview, before the menu's
        first item."""
        window, menu = self.context.window, self.context.menus.file

        def action(text: str, slot, shortcut=None) -> QAction:
            act = QAction(text, window)
            if shortcut:
                act.setShortcut(QKeySequence(shortcut))
            act.triggered.connect(
                lambda: (self.context.navigation.tab_requested.emit(self, False), slot())
            )
            return act

        first = menu.actions()[0] if menu.actions() else None
        self.export_action = action("&Export briefing…", self.export, "Ctrl+E")
        self.preview_action = action("Print pre&view…", self.preview, "Ctrl+P")
        self.export_topic_action = QAction("Export &whole topic…", window)
        self.export_topic_action.setShortcut(QKeySequence("Ctrl+Shift+E"))
        self.export_topic_action.setStatusTip(
            "Export every stakeholder, quote and shareable note of the topic on screen"
        )
        self.export_topic_action.triggered.connect(self.export_topic)
        menu.insertAction(first, self.export_action)
        menu.insertAction(first, self.export_topic_action)
        menu.insertAction(first, self.preview_action)
        menu.insertSeparator(first)

    def show_actions_state(self) -> None:
        """File > Export briefing and Print preview need a briefing: greyed out, saying why,
        until one is selected (File > Export whole topic needs none)."""
        chosen = self.current_id() is not None
        for name, tip in (
            ("export_action", "Export the selected briefing to PDF, HTML or Markdown"),
            ("preview_action", "Show the selected briefing as it will print"),
        ):
            act = getattr(self, name)
            act.setEnabled(chosen)
            act.setStatusTip(tip if chosen else "Create or select a briefing first (Briefings tab)")

    def _flush_fields(self) -> None:
        """Save what was typed and not yet saved, before the composer shows something else."""
        if self._intro_timer.isActive():
            self._intro_timer.stop()
            self.save_fields()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Close:
            # Closing the window keeps the last words typed, and no export outlives it.
            self._flush_fields()
            if self.job is not None:
                self.job.cancel()
                self.job.wait()
        return False

    def _show_current(self) -> None:
        self._flush_fields()
        briefing_id = self.current_id()
        self._shown_id = briefing_id
        self.composer.setEnabled(briefing_id is not None)
        self.delete_button.setEnabled(briefing_id is not None)
        self.show_actions_state()
        self.notes_button.setEnabled(briefing_id is not None)
        self._loading = True
        try:
            if briefing_id is None:
                for edit in (self.title, self.audience, self.author):
                    edit.clear()
                self.introduction.clear()
                self.items.clear()
                return
            summary, items, version = self.runner.read_now(
                lambda session: (
                    core.get_briefing(session, briefing_id),
                    core.briefing_items(session, briefing_id),
                    versions.current_version(session, "briefing", briefing_id),
                )
            )
            self._shown_version = version
            self._shown_order = [view.id for view in items]
            self.title.setText(summary.title)
            self.audience.setText(summary.audience)
            self.author.setText(summary.author)
            self.dated.set_date(summary.dated)
            self.date_problem.hide()
            if self.introduction.toPlainText() != summary.introduction:
                self.introduction.setPlainText(summary.introduction)
            self.items.clear()
            for view in items:
                item = QListWidgetItem(view.label)
                item.setData(IdRole, view.id)
                item.setToolTip(view.label)
                if view.private:
                    item.setForeground(Qt.GlobalColor.darkMagenta)
                self.items.addItem(item)
        finally:
            self._loading = False

    def on_changes(self, changes: Changes) -> None:
        # Read again now if the tab is shown, else once when it is next shown.
        if changes.touches("briefing", "topic", "stakeholder", "quote", "note"):
            self._when_shown.request()

    # -- writing ----------------------------------------------------------------------------------

    def _run(self, change, text: str | None = None, *, stale: bool = False) -> bool:
        """Run a change in one transaction; with `text`, as a step of Edit > Undo ("Remove
        item from briefing For the committee"), recorded row by row (`core.undo.Recorded`).
        With `stale`, a `StaleRecord` refusal reaches the caller."""
        try:
            if text is None:
                self.context.operations.run(change)
            else:
                recorded = Recorded(change)
                self.context.operations.push(text, recorded.do, recorded.undo)
        except BriefingError as error:
            if stale and isinstance(error, StaleRecord):
                raise
            QMessageBox.warning(self, "Briefing", str(error))
            return False
        return True

    def resolve_stale(self, message: str) -> str | None:
        """The briefing changed elsewhere and nothing was saved: ask whether to save the
        composer's fields over the other version ("mine"), show the other version ("theirs"),
        or keep editing (None). Tests replace this."""
        box = QMessageBox(
            QMessageBox.Icon.Warning, "Briefing changed elsewhere", message, parent=self
        )
        mine = box.addButton("Save mine anyway", QMessageBox.ButtonRole.AcceptRole)
        theirs = box.addButton("Reload the other version", QMessageBox.ButtonRole.DestructiveRole)
        box.addButton("Keep editing", QMessageBox.ButtonRole.RejectRole)
        box.exec()
        return {mine: "mine", theirs: "theirs"}.get(box.clickedButton())

    def create(self) -> None:
        if self.shown.topic_id is None:
            return
        title = self.new_title.text()
        created: list[int] = []

        def change(session):
            briefing_id, changes = core.create_briefing(
                session, self.shown.topic_id, title, dated=dt.date.today()
            )
            created.append(briefing_id)
            return changes

        if self._run(change, f"New briefing {title.strip()}"):
            self.new_title.clear()
            self.select(created[0])

    def on_topic_changed(self, _topic_id: int) -> None:
        """The window shows a topic (another, or the same one again after a change): its
        briefings are read now if the tab is shown, else once when it is next shown. A rename
        on the 100,000-quote store read and laid out the hidden composer every time."""
        self._when_shown.request()

    def select(self, briefing_id: int) -> None:
        if self._when_shown.stale:  # the topic changed while the tab was hidden
            self._when_shown.stale = False
            self.reload()
        for row in range(self.list.count()):
            if self.list.item(row).data(IdRole) == briefing_id:
                self.list.setCurrentRow(row)

    def delete(self) -> None:
        briefing_id = self.current_id()
        if briefing_id is None or not self.confirm_delete(self.list.currentItem().text()):
            return
        title = self._title()
        self._run(lambda s: core.delete_briefing(s, briefing_id), f"Delete briefing {title}")

    def confirm_delete(self, title: str) -> bool:
        """Ask before deleting. Tests replace this."""
        answer = QMessageBox.question(self, "Delete briefing", f"Delete the briefing {title}?")
        return answer == QMessageBox.StandardButton.Yes

    def _intro_changed(self) -> None:
        if not self._loading:
            self._intro_timer.start()

    def save_fields(self) -> None:
        briefing_id = self._shown_id  # not the current one: the list may have moved on already
        if briefing_id is None or self._loading:
            return
        fields = {
            "title": self.title.text(),
            "audience": self.audience.text().strip(),
            "author": self.author.text().strip(),
            "dated": self.dated.day(),
            "introduction": self.introduction.toPlainText(),
        }
        if error := self.dated.error():
            del fields["dated"]  # refused in words; the saved date stays
            self.date_problem.setText(f"The date is not saved: {error}.")
            self.date_problem.show()
        else:
            self.date_problem.hide()
        summary = self.runner.read_now(lambda session: core.get_briefing(session, briefing_id))
        if all(getattr(summary, name) == value for name, value in fields.items()):
            return
        expected = self._shown_version
        while True:
            try:
                if not self._run(
                    lambda s, v=expected: core.update_briefing(
                        s, briefing_id, expected_version=v, **fields
                    ),
                    f"Edit briefing {summary.title}",
                    stale=True,
                ):
                    self._show_current()  # a refused title goes back to the saved one
                return
            except StaleRecord as refused:
                # Nothing was saved and the fields still hold what the user typed.
                choice = self.resolve_stale(f"{str(refused)[:1].upper()}{str(refused)[1:]}.")
                if choice == "mine":
                    expected = refused.version  # replace the other version, knowingly
                    continue
                if choice == "theirs" and self._shown_id == briefing_id:
                    self._show_current()
                return

    def _add(self, kind: str, target_id: int | None) -> bool:
        briefing_id = self.current_id()
        if briefing_id is None:
            return False
        return self._run(
            lambda s: core.add_item(s, briefing_id, kind, target_id)[1],
            f"Add {kind} to briefing {self._title()}",
        )

    def add_stakeholder(self) -> None:
        """Add the selected card's stakeholder, and those of its shareable notes the user
        ticks (none are ticked to start with: a note leaves the store only when chosen)."""
        stakeholder_id = self.shown.stakeholder_id
        briefing_id = self.current_id()
        if stakeholder_id is None:
            QMessageBox.information(self, "Briefing", "Select a stakeholder's card first.")
            return
        if briefing_id is None or self.shown.topic_id is None:
            return
        topic_id = self.shown.topic_id

        def read(session):
            offered = [
                view
                for view in core.candidates(session, topic_id, stakeholder_id)
                if view.kind == "note" and not view.private
            ]
            present = {(i.kind, i.target_id) for i in core.briefing_items(session, briefing_id)}
            return offered, present

        offered, present = self.runner.read_now(read)
        offered = [view for view in offered if ("note", view.target_id) not in present]
        notes: list[int] = []
        if offered:
            ticked = self.choose_notes([view.label for view in offered])
            if ticked is None:
                return
            notes = [offered[index].target_id for index in ticked]

        def change(session):
            changes = core.add_item(session, briefing_id, "stakeholder", stakeholder_id)[1]
            for note_id in notes:
                changes |= core.add_item(session, briefing_id, "note", note_id)[1]
            return changes

        self._run(change, f"Add stakeholder to briefing {self._title()}")

    def _title(self) -> str:
        """The current briefing's title, for naming an undo step."""
        briefing_id = self.current_id()
        if briefing_id is None:
            return ""
        return self.runner.read_now(lambda session: core.get_briefing(session, briefing_id).title)

    def choose_notes(self, labels: list[str]) -> list[int] | None:
        """Ask which of the card's shareable notes go into the briefing with it: the indexes
        ticked (none to start with), or None to cancel. Tests replace this."""
        dialog = QDialog(self)
        dialog.setWindowTitle("Notes to include")
        dialog.setAccessibleName("Notes to include")
        layout = QVBoxLayout(dialog)
        text = QLabel(
            "This card has notes. Tick those the briefing should print; the others stay "
            "in the store."
        )
        text.setWordWrap(True)
        layout.addWidget(text)
        boxes = QListWidget()
        boxes.setAccessibleName("The card's shareable notes")
        for label in labels:
            item = QListWidgetItem(label)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            boxes.addItem(item)
        layout.addWidget(boxes)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("&Add")
        buttons.accepted.connect(dialog.accept)
        buttons.rejected.connect(dialog.reject)
        layout.addWidget(buttons)
        dialog.resize(560, 320)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return [
            row
            for row in range(boxes.count())
            if boxes.item(row).checkState() == Qt.CheckState.Checked
        ]

    def tell(self, message: str) -> None:
        """Tell the user something they should know about what they just did. Tests replace
        this."""
        QMessageBox.information(self, "Briefing", message)

    def add_comparison(self) -> None:
        self._add("comparison", None)

    def add_quote_or_note(self) -> None:
        if self.shown.topic_id is None:
            return
        topic_id, stakeholder_id = self.shown.topic_id, self.shown.stakeholder_id
        offered = self.runner.read_now(
            lambda session: core.candidates(session, topic_id, stakeholder_id)
        )
        if not offered:
            QMessageBox.information(self, "Briefing", "The selected card has no quote or note.")
            return
        chosen = self.choose([view.label for view in offered])
        if chosen is None:
            return
        view = offered[chosen]
        if not self._add(view.kind, view.target_id) or view.kind != "note":
            return
        note_id = view.target_id
        warning = self.runner.read_now(lambda session: core.private_note_warning(session, note_id))
        if warning:
            self.tell(warning)

    def choose(self, labels: list[str]) -> int | None:
        """Ask which quote or note to add; the index chosen, or None. Tests replace this."""
        label, ok = QInputDialog.getItem(
            self, "Add a quote or note", "Quote or note:", labels, 0, False
        )
        return labels.index(label) if ok else None

    def remove(self) -> None:
        item = self.items.currentItem()
        if item is not None:
            item_id = item.data(IdRole)
            self._run(
                lambda s: core.remove_item(s, item_id),
                f"Remove item from briefing {self._title()}",
            )

    def move(self, step: int) -> None:
        row = self.items.currentRow()
        target = row + step
        if row < 0 or not 0 <= target < self.items.count():
            return
        item = self.items.takeItem(row)
        self.items.insertItem(target, item)
        self.items.setCurrentRow(target)
        self.save_order()

    def save_order(self) -> None:
        briefing_id = self.current_id()
        if briefing_id is None or self._loading:
            return
        order = [self.items.item(row).data(IdRole) for row in range(self.items.count())]
        keep = self.items.currentRow()
        shown = list(self._shown_order)
        try:
            self._run(
                lambda s: core.reorder_items(s, briefing_id, order, expected_order=shown),
                f"Reorder briefing {self._title()}",
                stale=True,
            )
        except StaleRecord as refused:
            # A move is one keystroke: show the items as they are now, and say why.
            self._show_current()
            QMessageBox.warning(self, "Briefing", f"{str(refused)[:1].upper()}{str(refused)[1:]}.")
            return
        self._shown_order = order
        self.items.setCurrentRow(keep)

    # -- export and preview -------------------------------------------------------------------

    def content(self, *, include_private: bool | None = None, page_size: str | None = None):
        briefing_id = self.current_id()
        if briefing_id is None:
            return None
        try:
            # As of the window's day, if one is chosen; the title page then says so.
            return self.runner.read_now(
                lambda session: core.briefing_content(
                    session,
                    briefing_id,
                    include_private=include_private,
                    page_size=page_size,
                    as_of=self.shown.as_of,
                )
            )
        except BriefingError as error:
            QMessageBox.warning(self, "Briefing", str(error))
            return None

    def ask_export(
        self, title: str, include_private: bool, page_size: str, whole_topic: bool = False
    ):
        """Ask where and how to export: (path, include_private, page_size), and for a whole
        topic with_notes as a fourth, or None. Tests replace this."""
        dialog = ExportDialog(title, include_private, page_size, self, whole_topic=whole_topic)
        if self.shown.as_of is not None:  # the export will stand as of that day: say so
            day = self.shown.as_of
            dialog.setWindowTitle(f"{dialog.windowTitle()} as of {day.day} {day:%B %Y}")
        name = "".join(c if c.isalnum() else "-" for c in title.lower()).strip("-")
        dialog.path.setText(str(Path.home() / f"{'-'.join(filter(None, name.split('-')))}.pdf"))
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        answer = (
            Path(dialog.path.text().strip()).expanduser(),
            dialog.include_private.isChecked(),
            dialog.page_size.currentText(),
        )
        return (*answer, dialog.with_notes.isChecked()) if whole_topic else answer

    def export(self) -> None:
        briefing_id = self.current_id()
        if briefing_id is None or self.job is not None:
            return
        try:
            summary = self.runner.read_now(lambda s: core.get_briefing(s, briefing_id))
            if not summary.item_count:
                raise core.empty_briefing(summary.title)
        except BriefingError as error:
            QMessageBox.warning(self, "Briefing", str(error))
            return
        # Private notes are left out unless ticked for this export: the box starts unticked
        # every time, so that one private copy does not make the next one private too.
        answer = self.ask_export(summary.title, False, summary.page_size)
        if answer is None:
            return
        path, include_private, page_size = answer
        try:
            fmt = format_for(path)
        except BriefingError as error:
            QMessageBox.warning(self, "Export", str(error))
            return
        self._run(lambda s: core.update_briefing(s, briefing_id, page_size=page_size))

        # Read where it is laid out, in the export's own process (a picklable use case).
        content = partial(
            core.briefing_content,
            briefing_id=briefing_id,
            include_private=include_private,
            page_size=page_size,
            as_of=self.shown.as_of,  # the title page then says so
        )
        self.start_export(content, path, fmt)

    def export_topic(self) -> None:
        """Export the whole topic on screen: every card's stakeholder and quote, and the
        shareable notes if ticked, as `briefing export OUT` does without --briefing. No
        briefing has to be composed first."""
        topic_id = self.shown.topic_id
        if topic_id is None or self.job is not None:
            return
        title = self.shown.topic_name or "topic"
        answer = self.ask_export(title, False, "A4", True)
        if answer is None:
            return
        path, include_private, page_size, *rest = answer
        with_notes = bool(rest and rest[0])
        try:
            fmt = format_for(path)
        except BriefingError as error:
            QMessageBox.warning(self, "Export", str(error))
            return

        # Read where it is laid out, in the export's own process (a picklable use case).
        content = partial(
            core.topic_content,
            topic_id=topic_id,
            include_private=include_private,
            with_notes=with_notes,
            page_size=page_size,
            as_of=self.shown.as_of,
        )
        self.start_export(content, path, fmt)

    def start_export(self, content: Content, path: Path, fmt: str) -> BackgroundJob:
        job = self.prepare_export(content, path, fmt)
        job.start()
        return job

    def prepare_export(self, content: Content, path: Path, fmt: str) -> BackgroundJob:
        """The export's worker and its progress dialog, not yet started. `content`: what to
        print, or the use case that reads it (in the worker's thread)."""
        assert fmt in FORMATS
        self.progress = QProgressDialog(f"Exporting to {path.name}…", "Cancel", 0, 0, self)
        self.progress.setAccessibleName("Export progress")
        self.progress.setWindowTitle("Export")
        self.progress.setWindowModality(Qt.WindowModality.WindowModal)
        self.progress.setMinimumDuration(300)
        job = self.job = export_job(content, path, fmt, self, store_path=self.context.store_path)
        self.progress.canceled.connect(job.cancel)
        job.progressed.connect(self._progressed)
        job.succeeded.connect(self._succeeded)
        job.failed.connect(self._failed)
        job.cancelled.connect(self._cancelled)
        job.finished.connect(self._finished)
        return job

    def _progressed(self, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress.setMaximum(total)
            self.progress.setValue(done)

    def _succeeded(self, path: str) -> None:
        self.context.status(f"Exported {path}", 8000)
        self.offer = ExportedDialog.ask(self, Path(path))
        self.exported.emit(path)

    def _failed(self, message: str) -> None:
        error = self.job.error if self.job is not None else None
        if error is None:
            self.show_error(message)  # a problem the user can act on: the message says it
        else:
            # A bug in the export's own process comes with that process's traceback.
            self.show_error(message, getattr(error, "details", "") or details_of(error))

    def show_error(self, message: str, details: str = "") -> None:
        """Tell the user an export failed; `details`, a bug's traceback. Tests replace this."""
        if details:
            show_failure(self, "Export failed", message, details)
        else:
            QMessageBox.warning(self, "Export failed", message)

    def _cancelled(self) -> None:
        self.context.status("Export cancelled; no file was written", 8000)

    def _finished(self) -> None:
        if self.progress is not None:
            self.progress.reset()
            self.progress.deleteLater()
            self.progress = None
        if self.job is not None:
            self.job.deleteLater()
            self.job = None

    def preview_dialog(
        self, content: core.BriefingContent | None = None
    ) -> QPrintPreviewDialog | None:
        if content is None:
            content = self.content(include_private=False)  # the copy that can be handed out
        if content is None:
            return None
        from briefing.export.pdf import PagedBriefing, page_layout

        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setPageLayout(page_layout(content.page_size))
        printer.setDocName(content.title)
        dialog = QPrintPreviewDialog(printer, self)
        dialog.printer_ = printer  # the dialog does not own its printer: keep it alive with it
        dialog.setWindowTitle(f"Preview \u2014 {content.title}")
        dialog.setAccessibleName("Print preview")

        def paint(device) -> None:
            paged = PagedBriefing(content, device)
            painter = QPainter(device)
            try:
                paged.paint(painter)
            finally:
                painter.end()

        dialog.paintRequested.connect(paint)
        dialog.resize(900, 1000)
        return dialog

    def show_notes(self) -> None:
        briefing_id = self.current_id()
        if briefing_id is not None:
            self.context.navigation.notes_requested.emit(("briefing", briefing_id))

    def preview(self) -> None:
        """Read the copy that can be handed out off the GUI thread, then show its pages."""
        briefing_id = self.current_id()
        if briefing_id is None:
            return

        def shown(content: core.BriefingContent) -> None:
            dialog = self.preview_dialog(content)
            if dialog is not None:
                dialog.exec()

        self.runner.query(
            lambda s: core.briefing_content(s, briefing_id, include_private=False),
            success=shown,
            failure=lambda error: self._preview_failed(error),
            what="reading the briefing for its preview",
            key="briefing-preview",
        )

    def _preview_failed(self, error: BaseException) -> None:
        if isinstance(error, BriefingError):
            QMessageBox.warning(self, "Briefing", str(error))
        else:
            self.runner.report(error, "reading the briefing for its preview")
