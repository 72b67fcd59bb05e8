"""The note editor: Markdown source beside its preview, saving itself as the user types.

Split from `ui/notes.py` (the Notes tab: the list and the panel), whose docstring says how
saving works and why nothing typed is dropped. The Markdown shortcuts (bold, italic, link, list)
and the tag completer live here with the editor that uses them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from PySide6.QtCore import (
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSize,
    QStringListModel,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QAction, QKeySequence, QTextCursor
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QCompleter,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from briefing.core import notes as core
from briefing.core.changes import Changes
from briefing.errors import BriefingError, NoteChangedElsewhere, NotFound
from briefing.logs import log_failure
from briefing.render.markdown import render_markdown
from briefing.ui.browser import SafeBrowser

SAVE_AFTER_MS = 500  # quiet time after the last keystroke before saving


SAVE_AT_MOST_MS = 1000  # however fast the typing, unsaved words are never older than this


PREVIEW_AFTER_MS = 150


# Rendering takes about 2 s per megabyte (Python-Markdown); past this size the preview waits for a
# longer pause, so that a huge pasted note does not stall typing at every short pause.
LONG_NOTE_CHARS = 100_000


LONG_PREVIEW_AFTER_MS = 3000


RETRY_FIRST_MS = 2000  # a failed save is tried again after this, then twice as long each time


RETRY_AT_MOST_MS = 30_000

_Index = QModelIndex | QPersistentModelIndex


class TagCompleter(QCompleter):
    """Completes the tag being typed after the last comma, from the store's existing tags."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.tags = QStringListModel(self)
        self.setModel(self.tags)
        self.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setFilterMode(Qt.MatchFlag.MatchStartsWith)

    def splitPath(self, path: str) -> list[str]:
        return [path.split(",")[-1].strip()]

    def pathFromIndex(self, index: _Index) -> str:
        chosen = str(index.data())
        # What was typed, not the line's text: highlighting a choice already rewrote the line.
        typed = self.completionPrefix()
        head = typed.rsplit(",", 1)[0] + ", " if "," in typed else ""
        return head + chosen + ", "


def _wrap_selection(edit: QPlainTextEdit, before: str, after: str, empty: str = "") -> None:
    """Put marks around the selection (one undo step); with none, leave the cursor inside."""
    cursor = edit.textCursor()
    cursor.beginEditBlock()
    selected = cursor.selectedText().replace("\u2029", "\n")
    inner = selected or empty
    cursor.insertText(before + inner + after)
    # Select the words (so the same key takes the marks off again), or the placeholder (or put
    # the cursor between the marks) so that typing replaces it.
    end = cursor.position() - len(after)
    cursor.setPosition(end - len(inner))
    cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
    cursor.endEditBlock()
    edit.setTextCursor(cursor)


def _is_mark(text: str, at: int, mark: str) -> bool:
    """Whether `mark` stands at `at` on its own ("*" is not half of a "**")."""
    if text[at : at + len(mark)] != mark or at < 0:
        return False
    if mark == "*":
        return (at == 0 or text[at - 1] != "*") and text[at + 1 : at + 2] != "*"
    return True


def _toggle_marks(edit: QPlainTextEdit, mark: str) -> None:
    """Ctrl+B / Ctrl+I as in a word processor: the same key ends what it began.

    Inside an empty pair the pair goes; just before a closing mark the cursor steps over it
    (bold ends, typing goes on plain); a selection that is marked, or sits between marks, loses
    them; anything else is wrapped (`_wrap_selection`)."""
    cursor = edit.textCursor()
    block = cursor.block()
    text = block.text()
    n = len(mark)
    if not cursor.hasSelection():
        at = cursor.position() - block.position()
        if _is_mark(text, at, mark) and _is_mark(text, at - n, mark):
            cursor.beginEditBlock()
            cursor.setPosition(block.position() + at - n)
            cursor.setPosition(block.position() + at + n, QTextCursor.MoveMode.KeepAnchor)
            cursor.removeSelectedText()
            cursor.endEditBlock()
            edit.setTextCursor(cursor)
            return
        before = text[:at]
        opened = sum(1 for i in range(len(before)) if _is_mark(before, i, mark)) % 2 == 1
        if opened and _is_mark(text, at, mark):
            cursor.setPosition(cursor.position() + n)
            edit.setTextCursor(cursor)
            return
        _wrap_selection(edit, mark, mark)
        return
    start, end = cursor.selectionStart(), cursor.selectionEnd()
    selected = cursor.selectedText()
    if (
        len(selected) >= 2 * n
        and _is_mark(selected, 0, mark)
        and _is_mark(selected, len(selected) - n, mark)
    ):
        cursor.beginEditBlock()
        cursor.insertText(selected[n:-n])
        cursor.setPosition(start)
        cursor.setPosition(end - 2 * n, QTextCursor.MoveMode.KeepAnchor)
        cursor.endEditBlock()
        edit.setTextCursor(cursor)
        return
    document_text = edit.toPlainText()
    if (
        start >= n
        and _is_mark(document_text, start - n, mark)
        and _is_mark(document_text, end, mark)
    ):
        cursor.beginEditBlock()
        around = QTextCursor(edit.document())
        around.setPosition(end)
        around.setPosition(end + n, QTextCursor.MoveMode.KeepAnchor)
        around.removeSelectedText()
        around.setPosition(start - n)
        around.setPosition(start, QTextCursor.MoveMode.KeepAnchor)
        around.removeSelectedText()
        cursor.setPosition(start - n)
        cursor.setPosition(end - n, QTextCursor.MoveMode.KeepAnchor)
        cursor.endEditBlock()
        edit.setTextCursor(cursor)
        return
    _wrap_selection(edit, mark, mark)


def make_bold(edit: QPlainTextEdit) -> None:
    _toggle_marks(edit, "**")


def make_italic(edit: QPlainTextEdit) -> None:
    _toggle_marks(edit, "*")


def make_link(edit: QPlainTextEdit) -> None:
    """[selection](https://) with the address selected, ready to be typed over."""
    cursor = edit.textCursor()
    cursor.beginEditBlock()
    words = cursor.selectedText().replace("\u2029", " ") or "link text"
    cursor.insertText(f"[{words}](https://)")
    end = cursor.position() - 1
    cursor.setPosition(end - len("https://"))
    cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
    cursor.endEditBlock()
    edit.setTextCursor(cursor)


def toggle_list(edit: QPlainTextEdit) -> None:
    """Make the selected lines (or the current one) a bulleted list, or plain lines again."""
    cursor = edit.textCursor()
    document = edit.document()
    first = document.findBlock(cursor.selectionStart())
    last = document.findBlock(cursor.selectionEnd())
    blocks = [first]
    while blocks[-1] != last and blocks[-1].next().isValid():
        blocks.append(blocks[-1].next())
    listed = all(block.text().startswith("- ") for block in blocks)
    cursor.beginEditBlock()
    for block in blocks:
        line = QTextCursor(block)
        if listed:
            line.movePosition(QTextCursor.MoveOperation.Right, QTextCursor.MoveMode.KeepAnchor, 2)
            line.removeSelectedText()
        else:
            line.insertText("- ")
    cursor.endEditBlock()


@dataclass(frozen=True)
class _Saved:
    """What a save wrote: the note's id and its new version, and what changed."""

    id: int
    version: dt.datetime
    changes: Changes


class NoteEditor(QWidget):
    """Markdown source, live preview, tags, the private flag; saves itself (see module doc)."""

    saved = Signal(int)  # the note's id, after each committed save
    message = Signal(str)

    def __init__(self, operations, store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.operations = operations
        self.runner = operations.runner
        self.store = store
        self.note_id: int | None = None
        self.target: core.Target | None = None
        self.last_saved_body = ""
        self.saving = False  # while its own change runs, so that the panel knows it is its own
        self._in_flight = None  # the save under way (a Future), one at a time
        self._save_again = False  # words were typed while it was under way
        self.version: dt.datetime | None = None  # the note's updated_at when loaded or saved
        self.conflict = False  # the note changed elsewhere: saving waits for the user's choice
        self._dirty = False
        self._loading = False

        self.source = QPlainTextEdit()
        self.source.setAccessibleName("Note text (Markdown)")
        self.source.setTabChangesFocus(True)
        self.source.textChanged.connect(self._on_edited)
        self.preview = SafeBrowser()
        self.preview.setAccessibleName("Note preview")
        self.preview.setAccessibleDescription("The note as it will look, updated as you type")

        self.toolbar = QToolBar("Note formatting")
        self.toolbar.setAccessibleName("Note formatting")
        self.toolbar.setIconSize(QSize(16, 16))
        # No shortcuts of their own: the text box takes Ctrl+Z and Ctrl+Shift+Z itself while it
        # has focus, and elsewhere they belong to the window's Edit > Undo.
        self.undo_action = self._action("Undo", "Undo typing (Ctrl+Z)", None)
        self.undo_action.triggered.connect(self.source.undo)
        self.redo_action = self._action("Redo", "Redo typing (Ctrl+Shift+Z)", None)
        self.redo_action.triggered.connect(self.source.redo)
        self.undo_action.setEnabled(False)
        self.redo_action.setEnabled(False)
        self.source.undoAvailable.connect(self.undo_action.setEnabled)
        self.source.redoAvailable.connect(self.redo_action.setEnabled)
        self.toolbar.addSeparator()
        self.bold_action = self._action("Bold", "Bold (Ctrl+B)", "Ctrl+B")
        self.bold_action.triggered.connect(lambda: make_bold(self.source))
        self.italic_action = self._action("Italic", "Italic (Ctrl+I)", "Ctrl+I")
        self.italic_action.triggered.connect(lambda: make_italic(self.source))
        self.link_action = self._action("Link", "Link (Ctrl+L)", "Ctrl+L")
        self.link_action.triggered.connect(lambda: make_link(self.source))
        self.list_action = self._action("List", "Bulleted list (Ctrl+Shift+L)", "Ctrl+Shift+L")
        self.list_action.triggered.connect(lambda: toggle_list(self.source))
        for action in (self.bold_action, self.italic_action):
            font = action.font()
            font.setBold(action is self.bold_action)
            font.setItalic(action is self.italic_action)
            action.setFont(font)

        self.tags = QLineEdit()
        self.tags.setAccessibleName("Note tags")
        self.tags.setPlaceholderText("tags, separated by commas")
        self.tags.setToolTip("Tags for this note, separated by commas; existing tags complete")
        self.completer = TagCompleter(self)
        self.tags.setCompleter(self.completer)
        # Tags are committed on Enter, a comma or leaving the field, not on every key press:
        # "amaz" on the way to "amazon" must not reach the store or the completion.
        self._committed_tags = ""
        self.tags.textEdited.connect(self._on_tags_typed)
        self.tags.editingFinished.connect(lambda: self.commit_tags(self.tags.text()))
        self.completer.activated.connect(lambda _text: self._on_edited())
        tags_label = QLabel("Ta&gs:")
        tags_label.setBuddy(self.tags)

        self.private = QCheckBox("&Private")
        self.private.setAccessibleName("Private note")
        self.private.setToolTip("Private notes stay out of exports and shared files")
        self.private.toggled.connect(self._on_private_toggled)

        self.status = QLabel()
        self.status.setAccessibleName("Note save status")
        self.status.setWordWrap(True)

        self.conflict_bar = QWidget()
        self.conflict_bar.setAccessibleName("The note changed elsewhere")
        self.conflict_label = QLabel(
            "This note was changed elsewhere (another window or the command line) since it was "
            "opened here. Your text below is kept and not saved yet."
        )
        self.conflict_label.setWordWrap(True)
        self.save_as_new_button = QPushButton("Save mine as a new note")
        self.save_as_new_button.clicked.connect(self.save_as_new_note)
        self.replace_button = QPushButton("Replace theirs with mine")
        self.replace_button.clicked.connect(self.replace_other_version)
        self.show_other_button = QPushButton("Show theirs")
        self.show_other_button.setToolTip("Show the other version; your text goes to the clipboard")
        self.show_other_button.clicked.connect(self.show_other_version)
        conflict_layout = QVBoxLayout(self.conflict_bar)
        conflict_layout.setContentsMargins(0, 0, 0, 0)
        conflict_layout.addWidget(self.conflict_label)
        conflict_row = QHBoxLayout()
        for button in (self.save_as_new_button, self.replace_button, self.show_other_button):
            conflict_row.addWidget(button)
        conflict_row.addStretch(1)
        conflict_layout.addLayout(conflict_row)
        self.conflict_bar.hide()

        self.split = QSplitter(Qt.Orientation.Horizontal)
        self.split.setChildrenCollapsible(False)
        self.split.addWidget(self.source)
        self.split.addWidget(self.preview)

        tag_row = QHBoxLayout()
        tag_row.addWidget(tags_label)
        tag_row.addWidget(self.tags, 1)
        tag_row.addWidget(self.private)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.toolbar)
        layout.addWidget(self.split, 1)
        layout.addLayout(tag_row)
        layout.addWidget(self.conflict_bar)
        layout.addWidget(self.status)

        self._debounce = self._timer(SAVE_AFTER_MS, self.save)
        self._deadline = self._timer(SAVE_AT_MOST_MS, self.save)
        self._retry = self._timer(RETRY_FIRST_MS, self.save)
        self._retry_after = RETRY_FIRST_MS
        self._preview_timer = self._timer(PREVIEW_AFTER_MS, self.update_preview)
        self.set_target(None)

    def _action(self, text: str, tip: str, shortcut) -> QAction:
        action = QAction(text, self)
        action.setToolTip(tip)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
            # Only while the editor has focus.
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.addAction(action)
        self.toolbar.addAction(action)
        button = self.toolbar.widgetForAction(action)
        if button is not None:
            button.setAccessibleName(tip)
        return action

    def _timer(self, interval: int, slot) -> QTimer:
        timer = QTimer(self)
        timer.setSingleShot(True)
        timer.setInterval(interval)
        timer.timeout.connect(slot)
        return timer

    # -- what is being edited -------------------------------------------------------------------

    def set_tag_choices(self, names: list[str]) -> None:
        if names != self.completer.tags.stringList():  # leave an open completion alone
            self.completer.tags.setStringList(names)

    @property
    def _has_place(self) -> bool:
        """A note to save into: a stored one (a detached note has no target, but is a note) or
        a new one on a target."""
        return self.target is not None or self.note_id is not None

    def set_target(self, target: core.Target | None, placeholder: str = "") -> bool:
        """Start a new note on `target` (saved once it has text), or none when there is none.

        False, and nothing changes, while the editor holds text it could not save yet."""
        if not self.flush():
            return False
        self.target = target
        self._show(None, "", private=False, tags=())
        enabled = target is not None and not self.store.read_only
        for widget in (self.source, self.tags, self.private, self.toolbar):
            widget.setEnabled(enabled)
        self.source.setPlaceholderText(
            placeholder if enabled else "Select a card to write notes on it."
        )
        self.status.setText("")
        return True

    def load(self, note: core.NoteSummary) -> bool:
        """Show an existing note for editing; False while unsaved text keeps the editor."""
        if note.id == self.note_id:
            return True
        if not self.flush():
            return False
        self.target = note.target
        self._show(note.id, note.body, private=note.private, tags=note.tags)
        self.version = note.updated_at
        for widget in (self.source, self.tags, self.toolbar):  # a scope without a target
            widget.setEnabled(True)  # (the detached notes) disabled them for new notes
        self.source.setReadOnly(self.store.read_only)  # a read-only window shows, never saves
        self.private.setEnabled(not self.store.read_only)
        self.tags.setReadOnly(self.store.read_only)
        self.status.setText("")
        return True

    def forget(self) -> None:
        """Drop the note being edited without saving (the user deleted it here)."""
        self._stop_timers()
        self._dirty = False
        self._show(None, "", private=False, tags=())

    def orphan(self) -> None:
        """The note was deleted elsewhere while unsaved text was in the editor: keep the text
        and save it as a new note on the same record."""
        self.note_id = None
        self.version = None
        self._set_conflict(False)
        self._dirty = True
        self._not_saved("the note was deleted elsewhere; your text will be saved as a new note")
        self._retry.start(0)

    def _show(self, note_id, body: str, *, private: bool, tags) -> None:
        self._stop_timers()
        self._set_conflict(False)
        self.version = None
        self._loading = True
        try:
            self.note_id = note_id
            self.last_saved_body = body
            self.source.setPlainText(body)  # also starts a fresh undo history
            self.source.moveCursor(QTextCursor.MoveOperation.End)  # to go on writing
            self.private.setChecked(private)
            self.tags.setText(", ".join(tags))
            self._committed_tags = self.tags.text()
        finally:
            self._loading = False
        self._dirty = False
        self.update_preview()

    # -- saving ---------------------------------------------------------------------------------

    def _on_edited(self, *_args) -> None:
        if self._loading or not self._has_place:
            return
        self._dirty = True
        if not self.status.text().startswith("Not saved"):
            self.status.setText("Not saved yet")
        self._debounce.start()
        if not self._deadline.isActive():
            self._deadline.start()
        long_note = self.source.document().characterCount() > LONG_NOTE_CHARS
        self._preview_timer.start(LONG_PREVIEW_AFTER_MS if long_note else PREVIEW_AFTER_MS)

    def _on_tags_typed(self, text: str) -> None:
        if text.rstrip().endswith(","):
            self.commit_tags(text)

    def commit_tags(self, text: str) -> None:
        """Take the tags typed so far; saves them with the note, unless nothing changed."""
        if [t.strip() for t in text.split(",") if t.strip()] == [
            t.strip() for t in self._committed_tags.split(",") if t.strip()
        ]:
            return
        self._committed_tags = text
        self._on_edited()

    def _on_private_toggled(self, _checked: bool) -> None:
        if self._loading or not self._has_place:
            return
        self._dirty = True
        self.save_now()  # a change of privacy is saved at once, not after a pause

    def _stop_timers(self) -> None:
        self._debounce.stop()
        self._deadline.stop()
        self._retry.stop()

    @property
    def has_unsaved_changes(self) -> bool:
        """Words not committed yet: typed since the last save, or in a save under way."""
        pending = self._dirty or self._in_flight is not None
        return pending and (self.note_id is not None or bool(self.source.toPlainText().strip()))

    def flush(self) -> bool:
        """Save now whatever is pending and wait for it; True when nothing is left unsaved."""
        self.wait_for_save()
        if self._dirty:
            self.save()
            self.wait_for_save()
        return not self.has_unsaved_changes

    def _set_conflict(self, conflict: bool) -> None:
        self.conflict = conflict
        self.conflict_bar.setVisible(conflict)

    def _not_saved(self, why: str) -> None:
        self.status.setText(f"Not saved yet: {why}")
        self.message.emit(f"Note not saved yet: {why}")

    def _retry_later(self, why: str) -> None:
        self._dirty = True
        seconds = self._retry_after // 1000
        self._not_saved(f"{why}; trying again in {seconds} s")
        self._retry.start(self._retry_after)
        self._retry_after = min(self._retry_after * 2, RETRY_AT_MOST_MS)

    def save_as_new_note(self) -> None:
        """After a conflict: keep both, the other version and this text as a new note."""
        self.note_id = None
        self.version = None
        self._set_conflict(False)
        self._dirty = True
        self.save_now()

    def replace_other_version(self) -> None:
        """After a conflict, on the user's word: this text replaces the other version."""
        if self.note_id is None:
            return
        note_id = self.note_id
        try:
            self.version = self.runner.read_now(
                lambda session: core.note_snapshot(session, note_id).updated_at
            )
        except NotFound:
            self.orphan()
            return
        self._set_conflict(False)
        self._dirty = True
        self.save_now()

    def show_other_version(self) -> None:
        """After a conflict: show the stored version; this text goes to the clipboard."""
        if self.note_id is None:
            return
        QApplication.clipboard().setText(self.source.toPlainText())
        note_id = self.note_id
        try:
            other = self.runner.read_now(lambda session: core.note_summary(session, note_id))
        except NotFound:
            self.orphan()
            return
        self._dirty = False
        self._show(other.id, other.body, private=other.private, tags=other.tags)
        self.version = other.updated_at
        self.status.setText("Showing the other version; your text is on the clipboard")

    def save(self) -> None:
        """Save the editor's text, off the GUI thread (the store's writer may be busy with an
        import): the outcome arrives in `_saved` or `_save_failed`. One save is under way at a
        time; words typed meanwhile are saved when it has landed."""
        self._stop_timers()
        if self._in_flight is not None:
            self._save_again = True
            return
        if not self._dirty or not self._has_place or self.conflict:
            return
        body = self.source.toPlainText()
        private = self.private.isChecked()
        tag_problem = ""
        try:
            tags: tuple[str, ...] | None = core.parse_tags(self._committed_tags)
        except BriefingError as error:
            tags = None  # keep the stored tags; save the words anyway
            tag_problem = f"Tags not saved: {error}"
        if self.note_id is None and not body.strip():
            return  # nothing to keep yet; stays dirty, so the first words save it
        if self.note_id is None and self.target is None:
            return  # a detached note deleted elsewhere: its text stays here, unsaved
        if self.note_id is None:
            target = self.target

            def work(session) -> _Saved:
                added = core.add_note(session, target, body, private=private, tags=tags or ())
                return _Saved(added.id, core.note_version(session, added.id), added.changes)

        else:
            note_id, expected = self.note_id, self.version

            def work(session) -> _Saved:
                changes = core.update_note(
                    session,
                    note_id,
                    body=body,
                    private=private,
                    tags=tags,
                    expected_version=expected,
                )
                return _Saved(note_id, core.note_version(session, note_id), changes)

        # Optimistic: words typed while the save is under way mark the editor dirty again.
        self._dirty = False
        self.saving = True
        self._in_flight = self.operations.submit(
            work,
            success=lambda saved: self._saved(saved, body, tag_problem),
            failure=self._save_failed,
            what="saving a note",
        )

    def save_now(self) -> None:
        """Save and wait for the outcome: for the user's explicit choices (privacy, replace,
        keep both), whose result they look for at once."""
        self.wait_for_save()
        self.save()
        self.wait_for_save()

    def wait_for_save(self) -> None:
        """Wait until the save under way (if any) has landed, its outcome handled."""
        if self._in_flight is not None:
            self.operations.runner.finish(self._in_flight)

    def _landed(self) -> None:
        self._in_flight = None
        self.saving = False
        if self._save_again:
            self._save_again = False
            if self._dirty:
                self.save()

    def _saved(self, saved: _Saved, body: str, tag_problem: str) -> None:
        self.note_id = saved.id
        self._retry_after = RETRY_FIRST_MS
        self.version = saved.version
        self.last_saved_body = body
        self.status.setText(
            "Not saved yet"
            if self._dirty
            else tag_problem or f"Saved at {dt.datetime.now():%H:%M:%S}"
        )
        self.saved.emit(self.note_id)
        self._landed()

    def _save_failed(self, error: BaseException) -> None:
        self._dirty = True
        self._in_flight = None
        self.saving = False
        self._save_again = False
        if isinstance(error, NoteChangedElsewhere):
            self._set_conflict(True)
            self._not_saved(str(error))
        elif isinstance(error, NotFound):
            if self.note_id is not None:
                self.orphan()
            else:  # the record it is written on is gone: keep the words, keep trying
                self._retry_later(str(error))
        elif isinstance(error, BriefingError):
            self._retry_later(str(error))
        else:
            # Whatever it is, the words stay. The type only: a database error's message can
            # quote the record's text. A bug is logged too.
            if not isinstance(error, Exception):
                raise error
            log_failure("saving a note", error)
            self._retry_later(f"an unexpected error ({type(error).__name__})")

    def update_preview(self) -> None:
        self._preview_timer.stop()
        bar = self.preview.verticalScrollBar()
        position = bar.value()
        self.preview.setHtml(render_markdown(self.source.toPlainText()))
        bar.setValue(position)
