"""Sources in the window: reading a source with its quotes, making new quotes (importing files
is `ui/source_import.py`).

`SourcesPanel(context)` adds File > Import source…, takes files dropped on the window, and is
the "Sources" tab of the side panel. The tab is a reader: choose a source, read its text with
every quote highlighted (clicking a highlight shows that quote), select words and press New quote
(the button, the context menu, or Ctrl+Shift+Q) to anchor them with exact offsets. Below the text,
every quote of the source is listed with its check in words; the selected quote's panel shows its
difference from the source and, side by side, any other source that reports the same words
differently.

Widgets here never touch the store themselves: reads run use cases of `briefing.core` on the
store runner's readers (`ui.store_runner`), writes go through `operations` (a new quote
can be undone), so none of them runs on the GUI thread.
Dialogs that ask the user have an `ask()` classmethod, and the file chooser and error box are
module functions, so tests replace them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, replace

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPoint,
    Qt,
    Signal,
)
from PySide6.QtGui import QAction, QColor, QFont, QKeySequence, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QListView,
    QMenu,
    QPushButton,
    QSplitter,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from briefing.core.changes import Changes, added_record
from briefing.core.corrections import speaker_near
from briefing.core.notes import list_notes, note_counts
from briefing.core.primary import mark_primary, primary_owners, unmark_primary
from briefing.core.quotes import (
    QuoteCheck,
    SpeakerChoice,
    add_quote_at,
    check_quotes,
    speaker_choices,
)
from briefing.core.sources import (
    SourceDocument,
    SourceSummary,
    list_sources,
    open_source,
    source_intact,
    text_intact,
)
from briefing.core.undo import Recorded
from briefing.errors import BriefingError
from briefing.render import palette
from briefing.render.detail import notes_html
from briefing.render.quote_check import attributed_to, quote_check_html, quote_summary
from briefing.ui import corrections, theme
from briefing.ui.browser import SafeBrowser
from briefing.ui.datefield import CheckedDialog, DateField, problem_label, sentence
from briefing.ui.notes import notes_link_target
from briefing.ui.panel import PanelContext, SourceRequest, WhenShown
from briefing.ui.source_import import (  # noqa: F401 - SourceFactsDialog and import_files, as before
    SourceFactsDialog,
    SourceImport,
    _DropImporter,
    choose_source_file,
    import_files,
    import_source_files,
    show_error,
)
from briefing.ui.store_runner import while_showing
from briefing.ui.text_positions import WindowPositions, cut_after, cut_before

QuoteIdRole = Qt.ItemDataRole.UserRole + 1
# A text up to this long has its sha256 checked as it is read (a few milliseconds); a longer one
# is shown at once and checked on a reader (see `SourcesPanel.show_source`).
CHECK_AT_ONCE = 1_000_000


@dataclass(frozen=True)
class SourceExamined:
    """What the background look at a shown source found: is its text as imported, and how many
    of its quotations are not quotes yet."""

    source_id: int
    intact: bool
    waiting: int


_Index = QModelIndex | QPersistentModelIndex

# Highlights: a colour, and a different underline for quotes that need attention, so that the
# difference does not rest on colour alone (the list and the quote panel say it in words).
_VERIFIED_COLOUR = QColor(palette.MATCH)
_PROBLEM_COLOUR = QColor("#ffd8b5")
_CURRENT_COLOUR = QColor("#b6e3ff")
# Words a search matched (search opens a source here with them marked): orange and bold, so they
# stand out from the yellow of checked quotes that they may sit inside.
_MATCH_COLOUR = QColor("#ffa23a")


# -- replaceable interactions (tests swap these) ---------------------------------------------


NOT_PRIMARY = "nobody (a report or other document)"


def choose_primary_owner(parent: QWidget, names: list[str], current: str | None) -> str | None:
    """Whose own document the source is: a name, "" for nobody, None if cancelled."""
    items = [NOT_PRIMARY, *names]
    chosen, ok = QInputDialog.getItem(
        parent,
        "Primary document",
        "Whose own letter, statement or testimony is this source?",
        items,
        items.index(current) if current in items else 0,
        False,
    )
    if not ok:
        return None
    return "" if chosen == NOT_PRIMARY else chosen


# -- dialogs -----------------------------------------------------------------------------------


class NewQuoteDialog(CheckedDialog):
    """Who said the selected words, and when."""

    def __init__(
        self,
        parent: QWidget | None,
        words: str,
        speakers: list[SpeakerChoice],
        speaker_id: int | None,
        said_on: dt.date | None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("New quote")
        self.setAccessibleName("New quote")
        form = QFormLayout(self)
        shown = words if len(words) < 400 else words[:399] + "\u2026"
        preview = QLabel(f"\u201c{shown}\u201d")
        preview.setWordWrap(True)
        preview.setAccessibleName("Quoted words")
        form.addRow(preview)
        self.speaker = QComboBox()
        self.speaker.setAccessibleName("Speaker")
        for choice in speakers:
            label = choice.name + (f" (for {choice.speaks_for})" if choice.speaks_for else "")
            self.speaker.addItem(label, choice.id)
        # The speaker a stakeholder named in or next to the words, else nobody: never the
        # selected card's, which has nothing to do with the words.
        self.speaker.setPlaceholderText("Choose who said these words")
        self.speaker.setCurrentIndex(self.speaker.findData(speaker_id) if speaker_id else -1)
        self.reported = QCheckBox("&Reported: the source's words about the speaker, not theirs")
        self.reported.setAccessibleName("Reported")
        self.reported.setToolTip(
            "Tick when the words describe the speaker (\u201cAmazon has refused to answer "
            "questions\u201d) rather than quote them"
        )
        self.date = DateField(said_on)
        self.date.setAccessibleName("Said on")
        self.date.setPlaceholderText("Not known; " + self.date.placeholderText())
        form.addRow("&Speaker:", self.speaker)
        form.addRow("", self.reported)
        self.date_label = QLabel("Said &on:")
        self.date_label.setBuddy(self.date)
        form.addRow(self.date_label, self.date)
        self.reported.toggled.connect(self._on_reported)
        self.problem = problem_label()
        form.addRow(self.problem)
        self.buttons = buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Add quote")
        self.speaker.currentIndexChanged.connect(self._check)
        self.date.textChanged.connect(self._check)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self._check()

    def _problem(self) -> str:
        if self.speaker.currentIndex() < 0:
            return "Choose who said these words."
        if problem := self.date.problem():
            return sentence(problem)
        return ""

    def _on_reported(self, reported: bool) -> None:
        self.date_label.setText("Reported &on:" if reported else "Said &on:")
        self.date.setAccessibleName("Reported on" if reported else "Said on")
        self._check()

    def choice(self) -> tuple[int, dt.date | None, str]:
        """The speaker's id, the date, and "direct" or "reported"."""
        said_on = self.date.day()
        attribution = "reported" if self.reported.isChecked() else "direct"
        return self.speaker.currentData(), said_on, attribution

    @classmethod
    def ask(
        cls,
        parent: QWidget | None,
        words: str,
        speakers: list[SpeakerChoice],
        speaker_id: int | None,
        said_on: dt.date | None,
    ) -> tuple[int, dt.date | None, str] | None:
        dialog = cls(parent, words, speakers, speaker_id, said_on)
        return dialog.choice() if dialog.exec() == QDialog.DialogCode.Accepted else None


# -- the quote list ----------------------------------------------------------------------------


class QuoteListModel(QAbstractListModel):
    """A source's quotes with their checks: words, speaker, page, status in words."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._checks: list[QuoteCheck] = []
        self._note_counts: dict[int, int] = {}

    def set_checks(
        self, checks: list[QuoteCheck], note_counts: dict[int, int] | None = None
    ) -> None:
        self.beginResetModel()
        self._checks = list(checks)
        self._note_counts = dict(note_counts or {})
        self.endResetModel()

    def set_note_counts(self, note_counts: dict[int, int]) -> None:
        """New note counts for the same quotes (after a note was written or deleted)."""
        if note_counts == self._note_counts:
            return
        self._note_counts = dict(note_counts)
        if self._checks:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._checks) - 1, 0))

    def note_count(self, quote_id: int) -> int:
        return self._note_counts.get(quote_id, 0)

    def check(self, row: int) -> QuoteCheck:
        return self._checks[row]

    def row_of(self, quote_id: int) -> int | None:
        for row, check in enumerate(self._checks):
            if check.id == quote_id:
                return row
        return None

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self._checks)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._checks):
            return None
        check = self._checks[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            page = f", p. {check.page}" if check.page else ""
            mark = "\u2713" if check.ok else "\u26a0"
            count = self._note_counts.get(check.id, 0)
            notes = f" \u00b7 {count} note{'s' if count != 1 else ''}" if count else ""
            return (
                f"{mark} \u201c{_short(check.text)}\u201d \u2014 {attributed_to(check)}{page}\n"
                f"    {quote_summary(check)}{notes}"
            )
        if role == Qt.ItemDataRole.ToolTipRole:
            return check.text
        if role == QuoteIdRole:
            return check.id
        return None


class SourceListModel(QAbstractListModel):
    """The source chooser's list: the sources read (plain records), put in by one reset.
    An item per source added to a combo box took a GUI-thread stall on 10,000 sources."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._sources: list[SourceSummary] = []
        self._rows: dict[int, int] = {}

    def set_sources(self, sources: list[SourceSummary]) -> None:
        self.beginResetModel()
        self._sources = list(sources)
        self._rows = {source.id: row for row, source in enumerate(self._sources)}
        self.endResetModel()

    def row_of(self, source_id: int) -> int:
        """The row of a source, -1 when it is not listed."""
        return self._rows.get(source_id, -1)

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self._sources)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._sources):
            return None
        source = self._sources[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            publisher = f" \u2014 {source.publisher}" if source.publisher else ""
            count = f" ({source.quote_count} quote{'s' if source.quote_count != 1 else ''})"
            return f"{source.title}{publisher}{count}"
        if role == Qt.ItemDataRole.UserRole:  # QComboBox.itemData's role
            return source.id
        return None


def _short(text: str, limit: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


# -- the reader --------------------------------------------------------------------------------


class SourceReader(QTextEdit):
    """A source's text, read-only, with its quotes highlighted; a click on one reports it.

    A long text is shown a window at a time: laying out a whole 47 MB text took 1.7 s on the GUI
    thread, while a window of `WINDOW` characters takes milliseconds. The window grows by `STEP`
    characters as the user scrolls near either of its ends, and moves to wherever a quote or a
    match is opened (`select_span`, `scroll_to`). Every offset in and out stays an offset into
    the whole stored text (`positions` is a `WindowPositions`), so quotes, matches and a
    selection made into a new quote are exact wherever the window is.
    """

    quote_clicked = Signal(int)
    WINDOW = 100_000
    STEP = 50_000

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setReadOnly(True)
        self.setAcceptDrops(False)  # a dropped file goes to the window, which imports it
        self.setAccessibleName("Source text")
        self.setLineWrapMode(QTextEdit.LineWrapMode.WidgetWidth)
        self.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.document().setUndoRedoEnabled(False)  # read-only: nothing to undo, no copy kept
        self.positions = WindowPositions("")
        self._checks: list[QuoteCheck] = []
        self._current: int | None = None
        self._matches: tuple[tuple[int, int], ...] = ()
        self._growing = False
        self.new_quote_action: QAction | None = None
        self.verticalScrollBar().valueChanged.connect(self._on_scrolled)

    def show_text(self, text: str) -> None:
        self._matches = ()  # marks of a search belong to the text they were found in
        self._checks, self._current = [], None
        self._show_window(WindowPositions(text, 0, cut_after(text, self.WINDOW)))

    def _show_window(self, positions: WindowPositions) -> None:
        self._growing = True
        try:
            self.positions = positions
            self.setPlainText(positions.display)
        finally:
            self._growing = False
        self._mark()

    def reveal(self, start: int, end: int) -> None:
        """Move the window so that it holds [start, end) (offsets into the whole text)."""
        if self.positions.covers(start, end):
            return
        text = self.positions.text
        first = cut_before(text, max(0, start - self.WINDOW // 2))
        last = cut_after(text, max(end, first + self.WINDOW))
        self._show_window(WindowPositions(text, first, last))

    def _on_scrolled(self, value: int) -> None:
        if self._growing:
            return
        bar = self.verticalScrollBar()
        if value >= bar.maximum() - bar.pageStep() and self.positions.end < len(
            self.positions.text
        ):
            self._grow_down()
        elif value <= bar.pageStep() and self.positions.start > 0:
            self._grow_up()

    def _grow_down(self) -> None:
        """Add the next stretch of text at the window's end: what is shown stays in place."""
        old = self.positions
        text = old.text
        grown = WindowPositions(text, old.start, cut_after(text, old.end + self.STEP))
        cursor = QTextCursor(self.document())
        cursor.movePosition(QTextCursor.MoveOperation.End)
        self._growing = True
        try:
            cursor.insertText(grown.display[len(old.display) :])
            self.positions = grown
        finally:
            self._growing = False
        self._mark()

    def _grow_up(self) -> None:
        """Add the stretch of text before the window's start, keeping the line at the top of the
        view where it is."""
        old = self.positions
        text = old.text
        first = cut_before(text, old.start - self.STEP)
        grown = WindowPositions(text, first, old.end)
        top = old.to_offset(self.cursorForPosition(self.viewport().rect().topLeft()).position())
        self._growing = True
        try:
            cursor = QTextCursor(self.document())
            cursor.setPosition(0)
            cursor.insertText(WindowPositions(text, first, old.start).display)
            self.positions = grown
            cursor.setPosition(grown.to_document(top))
            bar = self.verticalScrollBar()
            bar.setValue(bar.value() + self.cursorRect(cursor).top())
        finally:
            self._growing = False
        self._mark()

    @property
    def matches(self) -> tuple[tuple[int, int], ...]:
        return self._matches

    def show_matches(self, spans) -> None:
        """Mark the words a search matched: [start, end) offsets into the stored text."""
        self._matches = tuple((start, end) for start, end in spans if start < end)
        self._mark()

    def show_quotes(self, checks: list[QuoteCheck], current: int | None = None) -> None:
        self._checks = list(checks)
        self._current = current
        self._mark()

    def _mark(self) -> None:
        """Highlight the quotes and matches that lie in the window."""
        window = self.positions
        selections = []
        for check in self._checks:
            if check.end <= window.start or check.start >= window.end:
                continue
            selection = QTextEdit.ExtraSelection()
            cursor = QTextCursor(self.document())
            start, end = self.positions.span_to_document(check.start, check.end)
            cursor.setPosition(start)
            cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
            selection.cursor = cursor
            fmt = QTextCharFormat()
            if check.id == self._current:
                fmt.setBackground(_CURRENT_COLOUR)
            else:
                fmt.setBackground(_VERIFIED_COLOUR if check.ok else _PROBLEM_COLOUR)
            if not check.ok:
                fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
                fmt.setUnderlineColor(QColor("#9a6700"))
            fmt.setToolTip(f"{check.speaker}: {quote_summary(check)}")
            selection.format = fmt
            selections.append(selection)
        for start, end in self._matches:  # after the quotes, so drawn over them
            if end <= window.start or start >= window.end:
                continue
            selection = QTextEdit.ExtraSelection()
            cursor = QTextCursor(self.document())
            doc_start, doc_end = self.positions.span_to_document(start, end)
            cursor.setPosition(doc_start)
            cursor.setPosition(doc_end, QTextCursor.MoveMode.KeepAnchor)
            selection.cursor = cursor
            fmt = QTextCharFormat()
            fmt.setBackground(_MATCH_COLOUR)
            fmt.setFontWeight(QFont.Weight.Bold)
            selection.format = fmt
            selections.append(selection)
        self.setExtraSelections(selections)

    def selected_span(self) -> tuple[int, int] | None:
        """The selection as offsets into the stored text, or None without a selection."""
        cursor = self.textCursor()
        if not cursor.hasSelection():
            return None
        return self.positions.span_to_offsets(cursor.selectionStart(), cursor.selectionEnd())

    def select_span(self, start: int, end: int) -> None:
        self.reveal(start, end)
        doc_start, doc_end = self.positions.span_to_document(start, end)
        cursor = QTextCursor(self.document())
        cursor.setPosition(doc_start)
        cursor.setPosition(doc_end, QTextCursor.MoveMode.KeepAnchor)
        self.setTextCursor(cursor)

    def top_offset(self) -> int:
        """Where the view is: the offset into the whole text of the first character shown at
        its top (the scroll bar's value means nothing outside the window it was read in)."""
        # Half a line down: the first line the user sees, not the end of one scrolled past.
        at = QPoint(0, self.fontMetrics().height() // 2)
        return self.positions.to_offset(self.cursorForPosition(at).position())

    def show_from(self, offset: int) -> None:
        """Scroll so that the line holding `offset` (into the whole text) is at the top, moving
        the window there first if it does not hold it (`top_offset`, read back)."""
        offset = max(0, min(offset, len(self.positions.text)))
        self.reveal(offset, offset)
        cursor = QTextCursor(self.document())
        cursor.setPosition(self.positions.to_document(offset))
        bar = self.verticalScrollBar()
        bar.setValue(bar.value() + self.cursorRect(cursor).top())

    def scroll_to(self, offset: int) -> None:
        self.reveal(offset, offset)
        cursor = QTextCursor(self.document())
        cursor.setPosition(self.positions.to_document(offset))
        self.setTextCursor(cursor)
        self.ensureCursorVisible()

    def quote_at(self, offset: int) -> int | None:
        """The innermost quote covering `offset`."""
        covering = [c for c in self._checks if c.start <= offset < c.end]
        if not covering:
            return None
        return min(covering, key=lambda c: c.end - c.start).id

    def click_at(self, position: int) -> None:
        quote = self.quote_at(self.positions.to_offset(position))
        if quote is not None:
            self.quote_clicked.emit(quote)

    def mouseReleaseEvent(self, event) -> None:
        super().mouseReleaseEvent(event)
        if event.button() == Qt.MouseButton.LeftButton and not self.textCursor().hasSelection():
            self.click_at(self.cursorForPosition(event.position().toPoint()).position())

    def context_menu(self, position) -> QMenu:
        """The standard menu (Copy, Select All) with New quote first."""
        menu = self.createStandardContextMenu(position)
        if self.new_quote_action is not None:
            first = menu.actions()[0] if menu.actions() else None
            menu.insertAction(first, self.new_quote_action)
            if first is not None:
                menu.insertSeparator(first)
        return menu

    def contextMenuEvent(self, event) -> None:
        menu = self.context_menu(event.pos())
        menu.exec(event.globalPos())
        menu.deleteLater()


# -- the panel ---------------------------------------------------------------------------------


class SourcesPanel(QWidget):
    """The "Sources" side tab: a source chooser, the reader, its quotes, the chosen quote."""

    def __init__(self, context: PanelContext) -> None:
        super().__init__()
        self.context = context  # what this panel may use of the window
        self.runner = context.runner  # every read of this panel, off the GUI thread
        self.setAccessibleName("Sources")
        self.document: SourceDocument | None = None
        self._checking = False  # the shown long text's sha256 is being checked
        self.checks: list[QuoteCheck] = []
        self.importing: SourceImport | None = None  # the import running in the background
        self.primary_for: list[str] = []  # whose own document the shown source is

        self.chooser = QComboBox()
        self.chooser.setAccessibleName("Source")
        self.chooser.setToolTip("Choose the source to read")
        # Sized by a fixed number of characters, not by the longest title: a long title would
        # otherwise widen the whole side panel (and move the cards) when the list fills.
        self.chooser.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.chooser.setMinimumContentsLength(24)
        self.source_list = SourceListModel(self)
        self.chooser.setModel(self.source_list)
        self._list_select: int | None = None  # the source to show once the list is read
        self._list_then: list[Callable[[], object]] = []  # to run once the list is shown
        self.chooser.currentIndexChanged.connect(self._on_source_chosen)
        self.import_button = QPushButton("&Import\u2026")
        self.import_button.setAccessibleName("Import source")
        self.import_button.setToolTip("Import a .txt, .md, .html or .pdf file as a source")
        self.import_button.clicked.connect(lambda: import_source_files(self))
        self.edit_source_button = QPushButton("Det&ails\u2026")
        self.edit_source_button.setAccessibleName("Edit source details")
        self.edit_source_button.setToolTip(
            "Correct this source's title, publisher, author, web address or date"
        )
        self.edit_source_button.clicked.connect(self.edit_source)
        self.delete_source_button = QPushButton("Delete source\u2026")
        self.delete_source_button.setAccessibleName("Delete source")
        self.delete_source_button.setToolTip("Delete this source and its quotes (undoable)")
        self.delete_source_button.clicked.connect(self.delete_source)
        top = QHBoxLayout()
        top.addWidget(self.chooser, 1)
        top.addWidget(self.import_button)

        self.facts = QLabel()
        self.facts.setAccessibleName("Source details")
        self.facts.setWordWrap(True)
        self.facts.setTextFormat(Qt.TextFormat.PlainText)
        self.warning = QLabel()
        self.warning.setAccessibleName("Source warning")
        self.warning.setWordWrap(True)
        self.warning.setStyleSheet(theme.style(palette.ERROR, bold=True))
        self.warning.hide()

        self.reader = SourceReader()
        self.reader.quote_clicked.connect(self.show_quote)
        self.new_quote_action = QAction("&New quote from selection\u2026", self)
        self.new_quote_action.setShortcut(QKeySequence("Ctrl+Shift+Q"))
        self.new_quote_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.new_quote_action.setStatusTip("Make the selected words a quote of this source")
        self.new_quote_action.setEnabled(False)
        self.new_quote_action.triggered.connect(self.new_quote)
        self.addAction(self.new_quote_action)
        self.reader.new_quote_action = self.new_quote_action
        self.reader.copyAvailable.connect(self._on_selection)
        self.new_quote_button = QPushButton("New &quote")
        self.new_quote_button.setAccessibleName("New quote from selection")
        self.new_quote_button.setToolTip("Make the selected words a quote (Ctrl+Shift+Q)")
        self.new_quote_button.setEnabled(False)
        self.new_quote_button.clicked.connect(self.new_quote)
        hint = QLabel("Select words in the text, then press New quote.")
        hint.setAccessibleName("Hint")
        hint.setStyleSheet(theme.style(palette.MUTED))
        self.suggestions_button = QPushButton("Suggested quotes\u2026")
        self.suggestions_button.setAccessibleName("Suggested quotes")
        self.suggestions_button.setToolTip(
            "The words this source puts in quotation marks, with their speakers, to make "
            "quotes of in a click"
        )
        self.suggestions_button.clicked.connect(self.show_suggestions)
        self.primary_button = QPushButton("Primary document of\u2026")
        self.primary_button.setAccessibleName("Primary document of")
        self.primary_button.setToolTip(
            "Mark this source as a stakeholder's own letter, statement or testimony: their "
            "quotes in other sources are checked against its words"
        )
        self.primary_button.clicked.connect(self.choose_primary)
        actions = QHBoxLayout()
        actions.addWidget(hint, 1)
        actions.addWidget(self.new_quote_button)
        # A row of their own, so that the tab stays as narrow as before.
        provenance = QHBoxLayout()
        provenance.addStretch(1)
        provenance.addWidget(self.primary_button)
        provenance.addWidget(self.suggestions_button)

        self.quotes = QuoteListModel(self)
        self.quote_list = QListView()
        self.quote_list.setAccessibleName("Quotes of this source")
        self.quote_list.setModel(self.quotes)
        self.quote_list.setWordWrap(True)
        self.quote_list.setAlternatingRowColors(True)
        self.quote_list.selectionModel().currentChanged.connect(self._on_quote_row)

        self.quote_detail = SafeBrowser()
        self.quote_detail.setAccessibleName("Quote check")
        self.quote_detail.anchorClicked.connect(self._on_quote_detail_link)
        self._shown_quote: int | None = None  # the quote whose check and notes are shown
        self._notes_stale = False  # notes changed while the tab was hidden
        # Sources, quotes or stakeholders changed: the list is read again now if the tab is
        # shown, else once when it is next shown (not on every rename while out of sight).
        self._list = WhenShown(self, self.reload)
        # The source to show once the tab is shown: a hidden tab reads no text. A source may be
        # tens of megabytes, seconds of layout, and the window opens on the cards, not here.
        self._text_stale = False

        # Notes on what is being read: the source itself, and the quote chosen in the list.
        self.source_notes_button = QPushButton("Notes on this source")
        self.source_notes_button.setAccessibleName("Notes on this source")
        self.source_notes_button.setToolTip("Read and write your notes on this source")
        self.source_notes_button.clicked.connect(self.show_source_notes)
        self.quote_notes_button = QPushButton("Notes on this quote")
        self.quote_notes_button.setAccessibleName("Notes on this quote")
        self.quote_notes_button.setToolTip("Read and write your notes on the chosen quote")
        self.quote_notes_button.clicked.connect(self.show_quote_notes)
        # Two short rows, not one long one: the side panel must stay narrow enough for a
        # small window. What acts on the source, then what acts on the chosen quote.
        source_row = QHBoxLayout()
        source_row.setContentsMargins(0, 0, 0, 0)
        source_row.addWidget(self.source_notes_button)
        source_row.addWidget(self.edit_source_button)
        source_row.addWidget(self.delete_source_button)
        source_row.addStretch()
        notes_row = QHBoxLayout()
        notes_row.setContentsMargins(0, 0, 0, 0)
        notes_row.addWidget(self.quote_notes_button)
        notes_row.addStretch()
        self.edit_quote_button = QPushButton("Edit q&uote\u2026")
        self.edit_quote_button.setAccessibleName("Edit quote")
        self.edit_quote_button.setToolTip(
            "Correct the chosen quote's speaker, date, direct or reported, and tags"
        )
        self.edit_quote_button.clicked.connect(self.edit_quote)
        self.delete_quote_button = QPushButton("Delete quote\u2026")
        self.delete_quote_button.setAccessibleName("Delete quote")
        self.delete_quote_button.setToolTip("Delete the chosen quote (undoable)")
        self.delete_quote_button.clicked.connect(self.delete_quote)
        notes_row.addWidget(self.edit_quote_button)
        notes_row.addWidget(self.delete_quote_button)
        quotes_box = QWidget()
        quotes_layout = QVBoxLayout(quotes_box)
        quotes_layout.setContentsMargins(0, 0, 0, 0)
        quotes_layout.addWidget(self.quote_list, 1)
        quotes_layout.addLayout(notes_row)
        quotes_layout.addLayout(source_row)
        self._source_note_count = 0

        reading = QWidget()
        reading_layout = QVBoxLayout(reading)
        reading_layout.setContentsMargins(0, 0, 0, 0)
        reading_layout.addWidget(self.reader, 1)
        reading_layout.addLayout(actions)
        reading_layout.addLayout(provenance)

        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setObjectName("sources-splitter")
        self.splitter.addWidget(reading)
        self.splitter.addWidget(quotes_box)
        self.splitter.addWidget(self.quote_detail)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setStretchFactor(2, 3)
        self.splitter.setSizes([360, 140, 360])
        self.splitter.setChildrenCollapsible(False)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(top)
        layout.addWidget(self.facts)
        layout.addWidget(self.warning)
        layout.addWidget(self.splitter, 1)
        self.reload()
        self._connect()

    def _connect(self) -> None:
        """Follow changes, answer `source_requested`, add File > Import source… and View > Go to
        sources, and take files dropped on the window (`drops`, which the window installs)."""
        context = self.context
        context.operations.changed.connect(self.on_changes)
        context.navigation.source_requested.connect(self.open_request)
        window, menus = context.window, context.menus
        self.import_action = QAction("&Import source\u2026", window)
        self.import_action.setShortcut(QKeySequence("Ctrl+Shift+I"))
        self.import_action.setStatusTip(
            "Store a .txt, .md, .html or .pdf file as a source to quote from"
        )
        self.import_action.triggered.connect(lambda: import_source_files(self))
        actions = menus.file.actions()
        menus.file.insertAction(actions[0] if actions else None, self.import_action)
        menus.file.insertSeparator(actions[0] if actions else None)
        self.show_action = QAction("Go to sou&rces", window)
        self.show_action.setShortcut(QKeySequence("Ctrl+3"))
        self.show_action.setStatusTip("Read sources and make quotes from them")
        self.show_action.triggered.connect(self._show_tab)
        menus.view.addAction(self.show_action)
        self.drops = _DropImporter(self)

    def _show_tab(self) -> None:
        self.context.navigation.tab_requested.emit(self, False)
        self.reader.setFocus()

    # -- loading

    def reload(
        self, select_source: int | None = None, then: Callable[[], object] | None = None
    ) -> None:
        """Read the list of sources again, in the background (it grows with the store: 10,000
        sources on the benchmark store), then show `select_source` (else the one chosen
        before) and run `then`. A newer reload started meanwhile has the last word: the
        older's choice and `then` are carried over to it, never dropped."""
        if select_source is not None:
            self._list_select = select_source
        if then is not None:
            self._list_then.append(then)
        self.runner.query(
            list_sources,
            success=self._show_list,
            failure=self._list_failed,
            what="reading the list of sources",
            key="sources-list",
        )

    def _list_failed(self, error: BaseException) -> None:
        self._list_select = None
        self._run_list_then()
        self.runner.report(error, "reading the list of sources")

    def _run_list_then(self) -> None:
        waiting, self._list_then = self._list_then, []
        for then in waiting:
            then()

    def _show_list(self, sources: list[SourceSummary]) -> None:
        """Fill the chooser with the sources read (one model reset, not an item per source),
        keeping the chosen source; show the source wanted (where the reader was scrolled to
        when it is the one shown before)."""
        select_source, self._list_select = self._list_select, None
        chosen = self.chooser.currentData()  # chosen while the tab was hidden, say
        self.chooser.blockSignals(True)
        self.source_list.set_sources(sources)
        if select_source is not None and self.source_list.row_of(select_source) < 0:
            select_source = None  # deleted meanwhile (a place restored at start, say)
        wanted = select_source or (self.document.id if self.document else None) or chosen
        index = self.source_list.row_of(wanted) if wanted is not None else -1
        if index < 0 and sources:
            index = 0
        self.chooser.setCurrentIndex(index)
        self.chooser.blockSignals(False)
        try:
            self._show_chosen(index, select_source)
        finally:
            self._run_list_then()

    def _show_chosen(self, index: int, select_source: int | None) -> None:
        if not self.isVisible() and select_source is None:
            self._text_stale = True  # read when the tab is shown (showEvent)
            return
        # The source shown before keeps its text (sources never change) and where it was
        # scrolled to; only its quotes are read again. Laying out a 50 MB text takes seconds.
        # The chosen quote stays chosen (after it was edited, say) while it exists.
        shown = self.chooser.itemData(index) if index >= 0 else None
        keep = self.current_quote_id() if self.document and self.document.id == shown else None
        self.show_source(shown, keep)

    def open_request(self, request: SourceRequest) -> None:
        """Answer a `SourceRequest` (from search): the source shown with the words searched for
        marked, on its quote selected in its context, or scrolled to the match asked for."""
        self.show_source(
            request.source_id, current_quote=request.quote_id, matches=request.matches or []
        )
        self.context.navigation.tab_requested.emit(self, False)
        reader = self.reader
        quote_id = request.quote_id
        row = self.quotes.row_of(quote_id) if quote_id is not None else None
        if row is not None:
            check = self.quotes.check(row)
            reader.select_span(check.start, check.end)
            message = "Opened the quote in its source"
        else:
            message = f"Source: {request.title}"
            at = request.at
            here = [start for start, _end in request.matches or () if at is None or start >= at]
            if here or at is not None:
                reader.scroll_to(here[0] if here else at)
            if request.matches:
                marked = len(request.matches)
                message += f", {marked} match{'es' if marked != 1 else ''} in its text marked"
        reader.ensureCursorVisible()  # the cursor in the upper third, not at an edge
        bar = reader.verticalScrollBar()
        bar.setValue(bar.value() + reader.cursorRect().top() - reader.viewport().height() // 3)
        reader.setFocus(Qt.FocusReason.OtherFocusReason)
        self.context.status(message, 5000)

    def _show_examined(self, examined: SourceExamined) -> None:
        """The background check of the shown source: its sha256, its quotations."""
        if self.document is None or self.document.id != examined.source_id:
            return  # another source is shown now
        if self._checking or examined.intact != self.document.intact:
            self._checking = False
            self.document = replace(self.document, intact=examined.intact)
            self._show_integrity()
            self._on_selection(self.reader.textCursor().hasSelection())
        self.suggestions_button.setText(f"Suggested quotes ({examined.waiting})\u2026")
        self.suggestions_button.setEnabled(examined.waiting > 0)

    def _show_integrity(self) -> None:
        problem = self.document.integrity_problem() if self.document is not None else None
        self.warning.setText(
            f"\u26a0 {problem}. Quotes of it cannot be trusted." if problem else ""
        )
        self.warning.setVisible(bool(problem))

    def _on_source_chosen(self, index: int) -> None:
        self.show_source(self.chooser.itemData(index) if index >= 0 else None)

    def show_source(
        self, source_id: int | None, current_quote: int | None = None, matches=None
    ) -> None:
        """Show a source; `matches` (offsets into its text) are the words a search found there,
        marked until another source is shown (None keeps the marks of the same source)."""
        if source_id is None:
            self.document = None
            self.reader.show_text("")
            self.reader.setPlaceholderText(
                "No source yet. Import a .txt, .md, .html or .pdf file with File > Import "
                "source\u2026, or drop it on the window."
            )
            self.facts.setText("")
            self.warning.hide()
            self.quotes.set_checks([])
            self.quote_detail.setHtml("")
            self._shown_quote = None
            self._show_note_buttons(0)
            self.primary_for = []
            self.suggestions_button.setEnabled(False)
            self.primary_button.setEnabled(False)
            return
        self._text_stale = False
        self.primary_button.setEnabled(True)
        same = self.document is not None and self.document.id == source_id
        scroll = self.reader.verticalScrollBar().value() if same else 0

        # The app never changes a source's text, so a long one shown already is not read again
        # to show it; it is read again to check it, in the background (see `examine`).
        known = self.document if same and len(self.document.text) > CHECK_AT_ONCE else None

        def read(session):
            checks = check_quotes(session, source_id=source_id)
            document = known or open_source(session, source_id, check=False)
            if checks:  # checking the quotes read the stored text and checked its sha256
                document = replace(document, intact=checks[0].source_intact)
            elif len(document.text) <= CHECK_AT_ONCE:
                document = replace(document, intact=text_intact(document))
            return (
                document,
                bool(checks) or len(document.text) <= CHECK_AT_ONCE,
                checks,
                note_counts(session, "quote", [c.id for c in checks]),
                note_counts(session, "source", [source_id]).get(source_id, 0),
                primary_owners(session, [source_id]).get(source_id, []),
            )

        (
            self.document,
            checked,
            self.checks,
            quote_notes,
            source_notes,
            self.primary_for,
        ) = self.runner.read_now(read)
        document = self.document
        # A long text is shown at once; its sha256 is checked and its quotations found on a
        # reader (a 30 MB text: about a second), and the answer fills the warning and the
        # suggestions' button. Until then it takes no new quote.
        self._checking = not same and len(document.text) > CHECK_AT_ONCE
        self.suggestions_button.setText("Suggested quotes\u2026")
        self.suggestions_button.setEnabled(False)

        def examine(session) -> SourceExamined:
            # Imported when a source is first shown, not at start-up: its patterns take a
            # while to compile and the first window does not need them.
            from briefing.core.suggestions import suggest_in

            if checked:
                intact = document.intact  # checked as it was read
            elif known is not None:  # shown before: is the stored text still as imported?
                intact = source_intact(session, source_id)
            else:
                intact = text_intact(document)
            found = suggest_in(session, document.id, document.sha256, document.text)
            waiting = sum(1 for s in found if s.quote_id is None)
            return SourceExamined(document.id, intact, waiting)

        self.runner.query(
            examine,
            success=self._show_examined,
            what="checking the source and finding quotations in it",
            key="source-examined",
        )
        if not same:
            self.reader.show_text(document.text)
        facts = [document.kind.upper()]
        if document.publisher:
            facts.append(document.publisher)
        facts.append(document.published.isoformat() if document.published else "undated")
        if document.page_starts:
            facts.append(f"{len(document.page_starts)} pages")
        facts.append(f"sha256 {document.sha256[:12]}\u2026")
        if self.primary_for:
            facts.append(f"primary document of {', '.join(self.primary_for)}")
        self.facts.setText(" \u00b7 ".join(facts))
        self._show_integrity()
        self.quotes.set_checks(self.checks, quote_notes)
        self._show_note_buttons(source_notes)
        self.reader.show_quotes(self.checks, current_quote)
        if matches is not None:
            self.reader.show_matches(matches)
        self.reader.verticalScrollBar().setValue(scroll)
        if current_quote is not None:
            self.show_quote(current_quote)
        else:
            self._shown_quote = None
            self.quote_detail.setHtml(
                "<p class='muted'>Click a highlighted passage or a quote in the list to see "
                "how it checks against this source and others.</p>"
            )

    # -- quotes

    def show_quote(self, quote_id: int) -> None:
        row = self.quotes.row_of(quote_id)
        if row is None:
            return
        self._show_quote_detail(quote_id)
        index = self.quotes.index(row, 0)
        if self.quote_list.currentIndex() != index:
            self.quote_list.setCurrentIndex(index)
        self.reader.show_quotes(self.checks, quote_id)

    def _show_quote_detail(self, quote_id: int, *, keep_scroll: bool = False) -> None:
        """The chosen quote's check against its source and others, then the user's notes on it."""
        row = self.quotes.row_of(quote_id)
        if row is None:
            return
        notes = self.runner.read_now(lambda session: list_notes(session, ("quote", quote_id)))
        bar = self.quote_detail.verticalScrollBar()
        position = bar.value()
        html = quote_check_html(self.quotes.check(row)) + notes_html(notes, "quote", quote_id)
        self.quote_detail.setHtml(html)
        if keep_scroll:
            bar.setValue(position)
        self._shown_quote = quote_id

    def _on_quote_detail_link(self, url) -> None:
        target = notes_link_target(url)
        if target is not None:
            self.context.navigation.notes_requested.emit(target)

    def _on_quote_row(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid():
            return
        check = self.quotes.check(current.row())
        self.show_quote(check.id)
        self.reader.scroll_to(check.start)
        self._show_note_buttons()

    # -- notes

    def current_quote_id(self) -> int | None:
        index = self.quote_list.currentIndex()
        return index.data(QuoteIdRole) if index.isValid() else None

    def _show_note_buttons(self, source_notes: int | None = None) -> None:
        if source_notes is not None:
            self._source_note_count = source_notes
        count = self._source_note_count
        self.source_notes_button.setText(
            f"Notes on this source ({count})" if count else "Notes on this source"
        )
        self.source_notes_button.setEnabled(self.document is not None)
        quote_id = self.current_quote_id()
        count = self.quotes.note_count(quote_id) if quote_id is not None else 0
        self.quote_notes_button.setText(
            f"Notes on this quote ({count})" if count else "Notes on this quote"
        )
        self.quote_notes_button.setEnabled(quote_id is not None)
        self.edit_quote_button.setEnabled(quote_id is not None)
        self.delete_quote_button.setEnabled(quote_id is not None)
        self.edit_source_button.setEnabled(self.document is not None)
        self.delete_source_button.setEnabled(self.document is not None)

    def refresh_note_counts(self) -> None:
        """Read only the notes again: a note saving itself changes nothing else here. While
        the tab is hidden (the user is typing in the Notes tab), wait until it is shown."""
        if not self.isVisible():
            self._notes_stale = True
            return
        self._notes_stale = False
        if self.document is None:
            return
        source_id = self.document.id
        quote_ids = [c.id for c in self.checks]
        quote_notes, source_notes = self.runner.read_now(
            lambda session: (
                note_counts(session, "quote", quote_ids),
                note_counts(session, "source", [source_id]).get(source_id, 0),
            )
        )
        self.quotes.set_note_counts(quote_notes)
        self._show_note_buttons(source_notes)
        if self._shown_quote is not None:
            self._show_quote_detail(self._shown_quote, keep_scroll=True)

    def showEvent(self, event) -> None:
        with while_showing():
            if self._text_stale:
                self._text_stale = False
                self.show_source(self.chooser.currentData())
            elif self._notes_stale:
                self.refresh_note_counts()
        super().showEvent(event)

    def show_source_notes(self) -> None:
        if self.document is not None:
            self.context.navigation.notes_requested.emit(("source", self.document.id))

    def show_quote_notes(self) -> None:
        quote_id = self.current_quote_id()
        if quote_id is not None:
            self.context.navigation.notes_requested.emit(("quote", quote_id))

    def _on_selection(self, available: bool) -> None:
        enabled = (
            available
            and self.document is not None
            and self.document.intact
            and not self._checking  # a long text's sha256 not checked yet
        )
        self.new_quote_action.setEnabled(enabled)
        self.new_quote_button.setEnabled(enabled)

    def new_quote(self) -> int | None:
        """Make the reader's selection a quote, after asking who said it and when."""
        span = self.reader.selected_span()
        if span is None or self.document is None:
            return None
        start, end = span
        words = self.document.text[start:end].strip()
        if not words:
            return None
        speakers = self.runner.read_now(speaker_choices)
        choice = NewQuoteDialog.ask(
            self,
            words,
            speakers,
            speaker_near(self.document.text, start, end, speakers),
            self.document.published,
        )
        if choice is None:
            return None
        speaker_id, said_on, attribution = choice
        source_id = self.document.id
        created: dict[str, int] = {}

        def add(session) -> Changes:
            added = add_quote_at(session, source_id, start, end, speaker_id, said_on, attribution)
            created["id"] = added.id
            return added.changes

        # Undo takes back exactly the rows this made, and refuses if a note has been written on
        # the quote since (a plain delete would cascade that note away).
        recorded = Recorded(add)
        try:
            self.context.operations.push("New quote", recorded.do, recorded.undo)
        except BriefingError as error:
            show_error(self, "Cannot make this quote", str(error))
            return None
        self.show_source(source_id, created["id"])
        return created["id"]

    # -- corrections (ui/corrections.py)

    def edit_quote(self) -> None:
        quote_id = self.current_quote_id()
        if quote_id is not None:
            corrections.edit_quote(self.context, quote_id)

    def delete_quote(self) -> None:
        quote_id = self.current_quote_id()
        if quote_id is not None:
            corrections.delete_quote(self.context, quote_id)

    def edit_source(self) -> None:
        if self.document is not None:
            corrections.edit_source(self.context, self.document.id)

    def delete_source(self) -> None:
        if self.document is not None:
            corrections.delete_source(self.context, self.document.id)

    def show_suggestions(self):
        """The shown source's quotations, offered as quotes with their speakers."""
        if self.document is None:
            return None
        from briefing.ui.suggestions import SuggestionsDialog

        dialog = SuggestionsDialog(self.context, self.document.id, self.document.title)
        dialog.setModal(False)
        dialog.finished.connect(dialog.deleteLater)
        dialog.show()
        return dialog

    def choose_primary(self) -> None:
        """Mark (or unmark) the shown source as a stakeholder's own document."""
        if self.document is None:
            return
        names = [choice.name for choice in self.runner.read_now(speaker_choices)]
        current = self.primary_for[0] if self.primary_for else None
        chosen = choose_primary_owner(self, names, current)
        if chosen is None or chosen == (current or ""):
            return
        source_id = self.document.id

        def change(session) -> Changes:
            if current:
                unmark_primary(session, source_id, current)
            return mark_primary(session, source_id, [chosen]) if chosen else Changes.of("source")

        recorded = Recorded(change)
        try:
            self.context.operations.push("Primary document", recorded.do, recorded.undo)
        except BriefingError as error:
            show_error(self, "Cannot mark this source", str(error))

    def on_changes(self, changes: Changes) -> None:
        if self.importing is not None and added_record(changes, "source") is not None:
            return  # the import's own source: it reads the list once, as it ends (`_finish`)
        if changes.touches("source", "quote", "stakeholder"):
            self._list.request()
        elif changes.touches("note"):
            self.refresh_note_counts()


# -- importing ---------------------------------------------------------------------------------
