"""The Notes side tab: the selected card's notes, newest first, and an editor that saves itself.

The panel lists the notes a card counts (on the stakeholder, the people it speaks for, its
positions and their quotes) or, chosen at the top, the notes on the topic itself. Below the list,
the editor shows the Markdown source beside a live preview rendered by the same sanitiser as every
export (`briefing.render.markdown`) in a `SafeBrowser`, which loads no image, style sheet or
anything else, and opens a link only after the user clicked it and confirmed the address.

Saving as you type: every edit restarts a short single-shot timer (`SAVE_AFTER_MS`), and the first
unsaved edit also starts a deadline (`SAVE_AT_MOST_MS`) that is not restarted, so that a user
who types without pausing still has their words committed at least once a second. Each save is
one transaction through `operations.run`; its `Changes` name notes alone, so the window
refreshes only what notes change (the cards' note counts, the details when shown), and this
panel only the saved note's row. A save takes a few milliseconds on the GUI thread, which keeps
the code simple and typing smooth (see README for measured numbers). The window's close, a
change of card or scope, and deleting flush whatever is pending. A new note is created by its
first save with some text in it, so opening the editor and walking away leaves nothing behind.

Nothing typed is dropped. A save that fails for any reason (another program holds the write
lock, the disk is full, an unexpected error) leaves the editor dirty, says "Not saved yet" under
the text, and is tried again by a timer (`RETRY_FIRST_MS`, doubling up to `RETRY_AT_MOST_MS`)
without waiting for another keystroke. While text is unsaved, the editor does not switch to
another note. Each save checks the note's version (`updated_at`, see `core.update_note`): if the
note changed elsewhere since it was loaded (another window, the command line), nothing is
written, the text stays in the editor and a bar offers to save it as a new note, replace the
other version, or show the other version (the text then goes to the clipboard). A note deleted
elsewhere while being written is saved again as a new note. Closing the window with unsaved
text asks (`main_window.ask_to_close_unsaved`). Error messages never quote the note's text.

On a team store, a note whose record another member deleted is kept, detached
(`briefing.core.notes`): while the member has any, the scope's last entry, "Detached notes (N)",
lists them under a heading, each with what it was on ("was on stakeholder ‘IBM’, deleted
30 Nov 2026 by bob"); they open, save and delete like any note, and nothing new is written there.

Deleting asks first and goes on the window's undo stack: Edit > Undo puts the very same note
(id, uuid, tags, times) back.
"""

from __future__ import annotations

from PySide6.QtCore import (
    QAbstractListModel,
    QEvent,
    QItemSelectionModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPointF,
    QRectF,
    QSize,
    Qt,
    QTimer,
    QUrl,
)
from PySide6.QtGui import (
    QAction,
    QColor,
    QFont,
    QFontMetrics,
    QIcon,
    QKeySequence,
    QPainter,
    QPen,
    QPixmap,
    QTextCursor,
)
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListView,
    QMessageBox,
    QPushButton,
    QSplitter,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from briefing.core import notes as core
from briefing.core.changes import Changes
from briefing.core.undo import Recorded
from briefing.errors import BriefingError, NotFound
from briefing.render import palette
from briefing.render.detail import LOCK_IMAGE, NOTES_SCHEME, authorship
from briefing.ui import theme
from briefing.ui.browser import register_app_image
from briefing.ui.note_editor import (  # noqa: F401 - the Markdown shortcuts, as before
    NoteEditor,
    make_bold,
    make_italic,
    make_link,
    toggle_list,
)
from briefing.ui.panel import NoteRequest, PanelContext, WhenShown

NoteIdRole = Qt.ItemDataRole.UserRole + 1
NoteRole = Qt.ItemDataRole.UserRole + 2
_Index = QModelIndex | QPersistentModelIndex
PRIVATE_COLOUR = QColor(palette.PRIVATE)


def ask_to_delete(parent: QWidget, title: str) -> bool:
    """Ask before deleting a note. Tests replace this function."""
    answer = QMessageBox.question(
        parent,
        "Delete note?",
        f"Delete the note \u201c{title}\u201d?\n\nYou can bring it back with Edit > Undo.",
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.No,
    )
    return answer == QMessageBox.StandardButton.Yes


_LOCK: QIcon | None = None


def ask_to_close_unsaved(parent: QWidget, editor: NoteEditor) -> bool:
    """Whether to close although the note being written is not saved. Tests replace this."""
    why = editor.status.text().removeprefix("Not saved yet: ") or "it could not be saved"
    answer = QMessageBox.warning(
        parent,
        "The note is not saved",
        f"The note you are writing is not saved yet ({why}).\n\n"
        "Keep the window open to save it (it is tried again on its own, or copy the text), "
        "or close and lose what was typed since the last save?",
        QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
        QMessageBox.StandardButton.Cancel,
    )
    return answer == QMessageBox.StandardButton.Discard


def lock_icon() -> QIcon:
    """A padlock, drawn here so that it needs no file and no emoji font."""
    global _LOCK
    if _LOCK is None:
        pixmap = QPixmap(32, 32)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(PRIVATE_COLOUR, 3.5))
        painter.drawArc(QRectF(9, 3, 14, 16), 0, 180 * 16)
        painter.drawLine(QPointF(9, 11), QPointF(9, 15))
        painter.drawLine(QPointF(23, 11), QPointF(23, 15))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(PRIVATE_COLOUR)
        painter.drawRoundedRect(QRectF(5, 14, 22, 16), 3, 3)
        painter.setBrush(QColor("#ffffff"))
        painter.drawEllipse(QPointF(16, 21), 2.5, 2.5)
        painter.end()
        _LOCK = QIcon(pixmap)
    return _LOCK


DETACHED = "detached"  # the scope entry that lists detached notes
DETACHED_HEADING = (
    "<b>Detached notes</b>: the record each was on was deleted by another member of the team "
    "store. They are kept, with what they were on; open, edit or delete them like any note."
)


def note_meta(note: core.NoteSummary) -> str:
    """The line under a note's title: privacy in words, dates, what it is on, tags."""
    parts = ["Private" if note.private else "Shareable"]
    created = note.created_at.strftime("%d %b %Y %H:%M")
    edited = note.updated_at.strftime("%d %b %Y %H:%M")
    parts.append(created + " UTC")
    if edited != created:  # edits within the minute it was written say nothing new
        parts.append("edited " + edited)
    parts.append(("was on " if note.detached else "on ") + note.attached_to)
    if by := authorship(note.added_by, note.changed_by):
        parts.append(by)
    text = " \u00b7 ".join(parts)
    if note.tags:
        text += "  " + " ".join(f"#{tag}" for tag in note.tags)
    return text


class NoteListModel(QAbstractListModel):
    """The notes of one card or topic, newest first, as the use case returns them."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._notes: list[core.NoteSummary] = []

    def set_notes(self, notes: list[core.NoteSummary]) -> None:
        self.beginResetModel()
        self._notes = list(notes)
        self.endResetModel()

    def note(self, row: int) -> core.NoteSummary:
        return self._notes[row]

    def replace(self, note: core.NoteSummary) -> None:
        """Show a note's new words, flag or tags in its row (it keeps its place)."""
        row = self.row_of(note.id)
        if row is not None:
            self._notes[row] = note
            index = self.index(row, 0)
            self.dataChanged.emit(index, index)

    def row_of(self, note_id: int | None) -> int | None:
        for row, note in enumerate(self._notes):
            if note.id == note_id:
                return row
        return None

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self._notes)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._notes):
            return None
        note = self._notes[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{note.title}\n{note_meta(note)}"
        if role == Qt.ItemDataRole.DecorationRole:
            return lock_icon() if note.private else None
        if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole):
            privacy = "Private note" if note.private else "Note"
            return f"{privacy}: {note.title}. {note_meta(note)}"
        if role == NoteIdRole:
            return note.id
        if role == NoteRole:
            return note
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


class NoteDelegate(QStyledItemDelegate):
    """Paints a note as two lines: its title in bold, then privacy, dates and tags."""

    ICON = 18
    PAD = 6

    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> QSize:
        metrics = QFontMetrics(option.font)  # type: ignore[attr-defined]
        return QSize(200, 2 * metrics.lineSpacing() + 2 * self.PAD)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        note: core.NoteSummary | None = index.data(NoteRole)
        if note is None:
            return
        self.initStyleOption(option, index)
        option.text = ""  # type: ignore[attr-defined]
        option.icon = QIcon()  # type: ignore[attr-defined]
        widget = option.widget  # type: ignore[attr-defined]
        style = widget.style() if widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, option, painter, widget)

        painter.save()
        rect = option.rect  # type: ignore[attr-defined]
        selected = bool(option.state & QStyle.StateFlag.State_Selected)  # type: ignore[attr-defined]
        palette = option.palette  # type: ignore[attr-defined]
        text_colour = palette.highlightedText().color() if selected else palette.text().color()
        left = rect.left() + self.PAD
        if note.private:
            lock_icon().paint(painter, left, rect.top() + self.PAD, self.ICON, self.ICON)
        left += self.ICON + self.PAD
        width = rect.right() - left - self.PAD
        title_font = QFont(option.font)  # type: ignore[attr-defined]
        title_font.setBold(True)
        metrics = QFontMetrics(title_font)
        painter.setFont(title_font)
        painter.setPen(text_colour)
        top = rect.top() + self.PAD
        painter.drawText(
            QRectF(left, top, width, metrics.lineSpacing()),
            metrics.elidedText(note.title, Qt.TextElideMode.ElideRight, width),
        )
        meta_font = QFont(option.font)  # type: ignore[attr-defined]
        meta_metrics = QFontMetrics(meta_font)
        painter.setFont(meta_font)
        if not selected:
            painter.setPen(PRIVATE_COLOUR if note.private else theme.MUTED)
        painter.drawText(
            QRectF(left, top + metrics.lineSpacing(), width, meta_metrics.lineSpacing()),
            meta_metrics.elidedText(note_meta(note), Qt.TextElideMode.ElideRight, width),
        )
        painter.restore()


class NotesPanel(QWidget):
    """The "Notes" side tab of the main window."""

    def __init__(self, context: PanelContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        register_app_image(
            LOCK_IMAGE.partition(":")[2], lock_icon().pixmap(32, 32).toImage()
        )  # the details' padlock
        self.context = context  # what this panel may use of the window
        self.operations = context.operations
        self.runner = context.runner
        self.store = context.operations.store
        self.card_id: int | None = None
        self.topic_id: int | None = None
        self._selecting = False  # the panel itself is moving the list's selection
        self._own_save = False  # the change just announced is the editor saving its note
        self._detached_count = -1  # as the scope's "Detached notes" entry shows it
        # One save makes the window announce several refreshes (the change, the cards' reset,
        # the topic); they are folded into one reading of the list on the next loop turn.
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(0)
        self._refresh_timer.timeout.connect(self.refresh)
        # While the tab is hidden, changes only mark the list stale: read once when shown.
        self._when_shown = WhenShown(self, self.refresh)
        self.setAccessibleName("Notes")

        self.scope = QComboBox()
        self.scope.setAccessibleName("Show notes on")
        self.scope.setToolTip("Show the selected card's notes, or the notes on the whole topic")
        self.scope.currentIndexChanged.connect(self._on_scope)
        scope_label = QLabel("Notes &on:")
        scope_label.setBuddy(self.scope)

        # Shown above the list when it lists detached notes (scope "detached").
        self.detached_heading = QLabel(DETACHED_HEADING)
        self.detached_heading.setWordWrap(True)
        self.detached_heading.setAccessibleName("Detached notes")
        self.detached_heading.hide()

        self.model = NoteListModel(self)
        self.list = QListView()
        self.list.setModel(self.model)
        self.list.setAccessibleName("Notes, newest first")
        self.list.setItemDelegate(NoteDelegate(self.list))
        self.list.setUniformItemSizes(True)
        self.list.setAlternatingRowColors(True)
        self.list.selectionModel().currentChanged.connect(self._on_current_note)

        self.new_button = QPushButton("Ne&w note")
        self.new_button.setAccessibleName("New note")
        self.new_button.setToolTip("Start a new note here (Ctrl+N)")
        self.new_button.clicked.connect(self.new_note)
        self.delete_button = QPushButton("De&lete note")
        self.delete_button.setAccessibleName("Delete note")
        self.delete_button.setToolTip("Delete the selected note (asks first; Edit > Undo)")
        self.delete_button.clicked.connect(self.delete_selected)

        self.editor = NoteEditor(self.operations, self.store)
        self.editor.saved.connect(self._on_saved)
        self.editor.message.connect(lambda text: context.status(text, 5000))

        top = QHBoxLayout()
        top.addWidget(scope_label)
        top.addWidget(self.scope, 1)
        top.addWidget(self.new_button)
        top.addWidget(self.delete_button)
        self.split = QSplitter(Qt.Orientation.Vertical)
        self.split.setChildrenCollapsible(False)
        self.split.addWidget(self.list)
        self.split.addWidget(self.editor)
        self.split.setSizes([220, 520])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(top)
        layout.addWidget(self.detached_heading)
        layout.addWidget(self.split, 1)

        self._update_buttons()
        self._connect()

    def _connect(self) -> None:
        """Follow the window's card and topic, answer other features, and add File > New note
        and View > Go to notes."""
        context = self.context
        navigation, shown = context.navigation, context.shown
        navigation.notes_requested.connect(self.show_notes_on)
        navigation.note_requested.connect(self.open_note_request)
        shown.card_changed.connect(self._follow_card)
        shown.topic_changed.connect(self._follow_card)
        context.operations.changed.connect(self.on_changes)
        context.details.anchorClicked.connect(self._on_detail_link)

        self.new_note_action = QAction("&New note", context.window)
        self.new_note_action.setShortcut(QKeySequence("Ctrl+N"))
        self.new_note_action.setStatusTip("Write a new note on the selected card")
        self.new_note_action.triggered.connect(self._new_note_anywhere)
        context.menus.file.insertAction(context.menus.file.actions()[0], self.new_note_action)
        self.go_action = QAction("Go to &notes", context.window)
        self.go_action.setShortcut(QKeySequence("Ctrl+4"))
        self.go_action.setStatusTip("Move focus to the notes")
        self.go_action.triggered.connect(self._go_to_notes)
        context.menus.view.addAction(self.go_action)
        self._follow_card()

    def _follow_card(self, *_args) -> None:
        shown = self.context.shown
        self.show_card(shown.topic_id, shown.stakeholder_id, shown.stakeholder_name)

    def _on_detail_link(self, url: QUrl) -> None:
        target = notes_link_target(url)
        if target is not None:
            self.show_notes_on(target)

    def _new_note_anywhere(self) -> None:
        # From the notes themselves, a new note on what they show; from anywhere else (the
        # cards, another tab), on the selected card, as the action says.
        if not self.isAncestorOf(QApplication.focusWidget()):
            self.scope_to_card()
        self._show_tab()
        self.new_note()

    def _go_to_notes(self) -> None:
        self._show_tab()
        self.list.setFocus()

    def _show_tab(self) -> None:
        self.context.navigation.tab_requested.emit(self, False)

    # -- what the panel shows -------------------------------------------------------------------

    def scope_target(self) -> tuple[str, int] | None:
        data = self.scope.currentData()
        return tuple(data) if data else None  # type: ignore[return-value]

    def show_card(self, topic_id: int | None, card_id: int | None, card_name: str = "") -> None:
        """Follow the window's selected card (and topic); the same one again only refreshes."""
        if (topic_id, card_id) == (self.topic_id, self.card_id):
            self.refresh_soon()
            return
        kind = (self.scope.currentData() or ("card", 0))[0]
        # Before saving: the save refreshes the cards, which calls back here with these ids.
        self.topic_id, self.card_id = topic_id, card_id
        self.editor.flush()
        self.scope.blockSignals(True)
        self.scope.clear()
        if card_id is not None:
            self.scope.addItem(f"{card_name}'s card", ("card", card_id))
        if topic_id is not None:
            self.scope.addItem("The topic itself", ("topic", topic_id))
        self.scope.setCurrentIndex(1 if kind == "topic" and self.scope.count() > 1 else 0)
        self._detached_count = -1  # the entry is added again by the refresh, if there are any
        self.scope.blockSignals(False)
        self._on_scope()

    def _on_scope(self, *_args) -> None:
        self.editor.flush()
        self._start_new_note()
        # Read now if the tab is shown, else once when it is: the window's current card moves
        # with every click on a card, and a hidden list need not follow it (a card's notes
        # took 20-60 ms of the reader's time on the 100,000-quote store at each click).
        self._when_shown.request()

    def open_on(self, target: core.Target) -> None:
        """Show the notes on one record (a quote, a source, a position, a briefing...) and ready
        the editor for a new note on it. The card and the topic have their own entries."""
        self.editor.flush()
        kind, target_id = target
        label = self.runner.read_now(lambda session: core.describe_target(session, target))
        self.scope.blockSignals(True)
        for row in reversed(range(self.scope.count())):
            if self.scope.itemData(row)[0] not in ("card", "topic", DETACHED):
                self.scope.removeItem(row)  # one record at a time, beside the card and topic
        entries = [tuple(self.scope.itemData(row)) for row in range(self.scope.count())]
        if kind == "stakeholder" and ("card", target_id) in entries:
            row = entries.index(("card", target_id))
        elif kind == "topic" and (kind, target_id) in entries:
            row = entries.index((kind, target_id))
        else:
            self.scope.addItem(label, (kind, target_id))
            row = self.scope.count() - 1
        self.scope.setCurrentIndex(row)
        self.scope.blockSignals(False)
        self._on_scope()

    def _start_new_note(self) -> None:
        """Ready the editor for a new note on what the scope names: the card (as a stakeholder
        note), the topic, or the one record opened with `open_on`."""
        target = self.scope_target()
        if target is None:
            self.editor.set_target(None)
            return
        kind, target_id = target
        if kind == DETACHED:  # their records are gone: nothing to write a new note on
            self.editor.set_target(None)
            return
        if kind == "card":
            kind, on = "stakeholder", self.scope.currentText().removesuffix("'s card")
        elif kind == "topic":
            on = "the topic"
        else:
            on = self.scope.currentText()
        self.editor.set_target(
            (kind, target_id), f"Write a new note on {on} in Markdown. It saves itself as you type."
        )

    def on_changes(self, changes: Changes) -> None:
        """After any change to the store: read the list again on the next loop turn, except
        after the editor saved words of a note already listed, when only its row changes."""
        editor = self.editor
        if editor.saving and editor.note_id is not None and changes.kinds == {"note"}:
            self._own_save = True
            return
        self.refresh_soon()

    def refresh_soon(self) -> None:
        if self.isVisible():
            self._refresh_timer.start()
        else:
            self._when_shown.mark_stale()

    @property
    def refresh_pending(self) -> bool:
        return self._refresh_timer.isActive() or self._when_shown.stale

    def refresh(self) -> None:
        """Read the list again; the note being edited stays selected and is not reloaded."""
        self._refresh_timer.stop()
        self._when_shown.stale = False
        target = self.scope_target()
        topic_id = self.topic_id

        def read(session):
            if target is not None and target[0] == DETACHED:
                found = core.detached_notes(session)
                return found, core.all_tags(session), len(found)
            if target is None:
                found = []
            elif target[0] == "card" and topic_id is not None:
                found = core.card_notes(session, topic_id, target[1])
            else:
                found = core.list_notes(session, target)
            return found, core.all_tags(session), core.detached_count(session)

        found, tags, detached = self.runner.read_now(read)
        self._show_detached_entry(detached)
        self.detached_heading.setVisible(target is not None and target[0] == DETACHED)
        self.editor.set_tag_choices(tags)
        bar = self.list.verticalScrollBar()
        position = bar.value()
        self.model.set_notes(found)
        bar.setValue(position)
        editing = self.editor.note_id
        if editing is not None and self.model.row_of(editing) is None:
            if self.editor.has_unsaved_changes:
                # Deleted elsewhere while words were unsaved: they become a new note.
                self.editor.orphan()
            else:  # deleted under the editor (Edit > Redo of a delete): start afresh
                self.editor.forget()
                self._start_new_note()
            editing = None
        self._select(editing)

    def _detached_row(self) -> int:
        for row in range(self.scope.count()):
            if (self.scope.itemData(row) or ("",))[0] == DETACHED:
                return row
        return -1

    def _show_detached_entry(self, count: int) -> None:
        """The scope's last entry lists the member's detached notes, while there are any (a
        team store keeps notes whose record another member deleted: `0013_detached_notes`)."""
        if count == self._detached_count:
            return
        self._detached_count = count
        row = self._detached_row()
        self.scope.blockSignals(True)
        try:
            if count and row < 0:
                self.scope.addItem(f"Detached notes ({count})", (DETACHED, 0))
            elif count:
                self.scope.setItemText(row, f"Detached notes ({count})")
            elif row >= 0 and self.scope.currentIndex() != row:
                self.scope.removeItem(row)
        finally:
            self.scope.blockSignals(False)

    def _select(self, note_id: int | None) -> None:
        row = self.model.row_of(note_id)
        selection = self.list.selectionModel()
        self._selecting = True
        try:
            if row is None:
                selection.clear()
            else:
                selection.setCurrentIndex(
                    self.model.index(row, 0), QItemSelectionModel.SelectionFlag.ClearAndSelect
                )
        finally:
            self._selecting = False
        self._update_buttons()

    def selected_note(self) -> core.NoteSummary | None:
        index = self.list.currentIndex()
        if not index.isValid() or not self.list.selectionModel().isSelected(index):
            return None
        return index.data(NoteRole)

    def _update_buttons(self) -> None:
        target = self.scope_target()
        has_target = target is not None and target[0] != DETACHED
        self.new_button.setEnabled(has_target)
        self.delete_button.setEnabled(self.selected_note() is not None)

    def _on_current_note(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if self._selecting or not current.isValid():
            self._update_buttons()
            return
        note_id = current.data(NoteIdRole)
        # Saving the open note refreshes this list (and selects that note again), so the chosen
        # note is looked up afresh once the save is done.
        self.editor.flush()
        row = self.model.row_of(note_id)
        if row is not None:
            self.editor.load(self.model.note(row))
        self._select(self.editor.note_id)

    def _on_saved(self, note_id: int) -> None:
        own, self._own_save = self._own_save, False
        if self.model.row_of(note_id) is None:
            self.refresh()
        elif own:
            self.model.replace(
                self.runner.read_now(lambda session: core.note_summary(session, note_id))
            )
        self._select(note_id)

    # -- asked by other features (`Navigation`) -------------------------------------------------

    def show_notes_on(self, target: core.Target) -> None:
        """Bring the tab forward on the notes of one record, ready to write a new one: the way
        every other part of the window (the details, the source reader, the briefings) lets
        the user read and write notes on what it shows."""
        self._show_tab()
        self.open_on(target)
        self.editor.source.setFocus()

    def show_note(self, note_id: int) -> bool:
        """Bring the tab forward with one note open in the editor, listed with the notes of the
        card (if the window shows it there) or of the record it is on. False if it is gone."""
        try:
            note = self.runner.read_now(lambda s: core.note_summary(s, note_id))
        except NotFound:
            return False
        self._show_tab()
        if self.refresh_pending:
            self.refresh()
        if self.model.row_of(note_id) is None and note.target is None:
            self.show_detached()
        elif self.model.row_of(note_id) is None:
            self.open_on(note.target)
        row = self.model.row_of(note_id)
        if row is None:
            return False
        self.list.setCurrentIndex(self.model.index(row, 0))
        self.editor.source.setFocus()
        return True

    def open_note_request(self, request: NoteRequest) -> None:
        """Answer a `NoteRequest` (from search): the note open in the editor, listed on the
        card or the topic that lists it, or (scope "own") with the notes of the record it is
        on; `request.opened` says whether it could be."""
        if request.scope == "own":
            request.opened = self.show_note(request.note_id)
            return
        choice = next(
            (
                i
                for i in range(self.scope.count())
                if (self.scope.itemData(i) or ("",))[0] == request.scope
            ),
            None,
        )
        if choice is None:
            return
        if self.scope.currentIndex() != choice:
            self.scope.setCurrentIndex(choice)  # saves what was being typed, reads the list
        else:
            self.refresh()
        row = self.model.row_of(request.note_id)
        if row is None:
            return
        self._show_tab()
        self.list.setCurrentIndex(self.model.index(row, 0))  # loads it in the editor
        if request.select_text:  # the first word matched, so it shows where the note says it
            editor = self.editor.source
            editor.moveCursor(QTextCursor.MoveOperation.Start)
            editor.find(request.select_text)
        self.list.setFocus(Qt.FocusReason.OtherFocusReason)
        request.opened = True

    def show_detached(self) -> None:
        """List the detached notes (the scope's own entry)."""
        self.editor.flush()
        self._show_detached_entry(self.runner.read_now(core.detached_count))
        row = self._detached_row()
        if row >= 0:
            self.scope.setCurrentIndex(row)

    # -- actions --------------------------------------------------------------------------------

    def new_note(self) -> None:
        self.editor.flush()
        self._on_scope()
        self.editor.source.setFocus()

    def scope_to_card(self) -> None:
        """Point the panel at the selected card again (after a source, a quote or the topic
        was opened in it), so that New note from the cards writes on the card."""
        for row in range(self.scope.count()):
            if self.scope.itemData(row)[0] == "card":
                self.scope.blockSignals(True)
                self.scope.setCurrentIndex(row)
                self.scope.blockSignals(False)
                return

    def delete_selected(self) -> None:
        note = self.selected_note()
        if note is None:
            return
        if note.id == self.editor.note_id:
            self.editor.flush()
        if not ask_to_delete(self, note.title):
            return
        if note.id == self.editor.note_id:
            self.editor.forget()
            self._start_new_note()
        note_id = note.id
        # Recorded puts back every row the delete took, the note's place in briefings too, and
        # refuses an undo that would overwrite what was changed since.
        recorded = Recorded(lambda session: core.delete_note(session, note_id))

        try:
            self.operations.push(
                f"Delete note \u201c{note.title}\u201d", recorded.do, recorded.undo
            )
        except BriefingError as error:
            self.context.status(f"Note not deleted: {error}", 5000)
        self.refresh()

    # -- the window -----------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Closing the window saves the last words typed; words that cannot be saved now are
        # never lost silently: the user is asked, and may keep the window open.
        if (
            event.type() == QEvent.Type.Close
            and not self.editor.flush()
            and not ask_to_close_unsaved(self, self.editor)
        ):
            event.ignore()
            return True
        return False


def notes_link_target(url: QUrl) -> core.Target | None:
    """The record a `notes:KIND/ID` link of the details names (see render.detail.notes_href)."""
    if url.scheme() != NOTES_SCHEME:
        return None
    kind, _, number = url.path().partition("/")
    if kind not in core.TARGET_KINDS or not number.isdigit():
        return None
    return kind, int(number)
