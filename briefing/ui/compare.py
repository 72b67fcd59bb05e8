"""The comparison matrix: a topic's questions against 2 to 6 stakeholders, edited in place.

`ComparisonModel` is a table model over the `Comparison` record of `briefing.core.compare` (the
same record `briefing compare --json` prints): questions are rows, stakeholders columns. A cell
shows the answer in a word *and* a colour; an answer with no quote behind it says "unsupported"
and is shown in italics. The backing quote and its citation are the cell's tooltip and fill the
side panel when the cell is selected.

Editing goes through `operations.push`, so it is undone with Ctrl+Z like any edit: the
answer with a combo in the cell (`AnswerDelegate`), the backing quote in the side panel (which
lists every quote in the store, and says in words why another speaker's quote cannot back this
answer), and the questions (add, rename, move, delete) with the buttons under the table.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QAbstractTableModel,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QSaveFile,
    QSize,
    Qt,
)
from PySide6.QtGui import (
    QAction,
    QColor,
    QFont,
    QFontMetrics,
    QGuiApplication,
    QKeySequence,
    QPainter,
    QPen,
    QTextLayout,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from briefing.core import editing, versions
from briefing.core.cards import QuoteLine
from briefing.core.changes import Changes
from briefing.core.compare import (
    ANSWER_WORDS,
    Cell,
    Comparison,
    backing_quotes,
    check_choice,
    comparison,
    existing_stakeholders,
    quote_lines,
)
from briefing.core.dates import format_date
from briefing.core.editing import question_text
from briefing.errors import NotFound, StaleRecord
from briefing.render import palette
from briefing.text import isolate
from briefing.ui import theme
from briefing.ui.browser import SafeBrowser
from briefing.ui.editing import Editing, push_edit, save_form, warn
from briefing.ui.forms import Form, QuestionForm

if TYPE_CHECKING:
    from briefing.ui.panel import PanelContext

CellRole = Qt.ItemDataRole.UserRole + 10
QUESTION_WIDTH = 260  # pixels for the questions' column: a short sentence on two or three lines
_Index = QModelIndex | QPersistentModelIndex

# answer: (background, text); dark text on the light ones keeps the contrast readable
ANSWER_COLOURS = palette.ANSWER


def quote_tooltip(quote: QuoteLine | None) -> str:
    if quote is None:
        return "No quote backs this answer: it is unsupported."
    words = isolate(quote.text)  # an override in the quote cannot reorder the citation
    return f"\u201c{words}\u201d\n\u2014 {isolate(quote.speaker)}, {quote.citation}"


class ComparisonModel(QAbstractTableModel):
    """Questions as rows, chosen stakeholders as columns, answers in the cells."""

    def __init__(self, context: PanelContext, stakeholder_ids: list[int], parent=None) -> None:
        super().__init__(parent)
        self.context = context
        # the matrix stays on the topic it opened on
        self.topic_id: int | None = context.shown.topic_id
        self.stakeholder_ids = list(stakeholder_ids)
        self.table: Comparison | None = None
        self.reload()

    def reload(self) -> None:
        chosen, topic_id = self.stakeholder_ids, self.topic_id
        as_of = self.context.shown.as_of

        def read(session):
            # A stakeholder deleted since it was chosen leaves the table (and comes back on undo);
            # so does the whole table when its topic is deleted.
            ids = existing_stakeholders(session, chosen)
            if topic_id is not None:
                with contextlib.suppress(NotFound):
                    return comparison(session, topic_id, ids, as_of=as_of)
            return None

        new = self.context.runner.read_now(read)
        same_shape = (
            self.table is not None
            and new is not None
            and self.table.questions == new.questions
            and self.table.stakeholders == new.stakeholders
        )
        if same_shape:
            self.table = new
            if self.rowCount() and self.columnCount():
                self.dataChanged.emit(
                    self.index(0, 0), self.index(self.rowCount() - 1, self.columnCount() - 1)
                )
        else:
            self.beginResetModel()
            self.table = new
            self.endResetModel()

    # -- reading ------------------------------------------------------------------------------

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        if parent.isValid() or self.table is None:
            return 0
        return len(self.table.questions)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid() or self.table is None:
            return 0
        return len(self.table.stakeholders)

    def cell(self, index: _Index) -> Cell:
        assert self.table is not None
        question = self.table.questions[index.row()]
        return self.table.cell(question.id, self.table.stakeholders[index.column()].id)

    def question_id(self, row: int) -> int:
        assert self.table is not None
        return self.table.questions[row].id

    def stakeholder_id(self, column: int) -> int:
        assert self.table is not None
        return self.table.stakeholders[column].id

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or self.table is None:
            return None
        cell = self.cell(index)
        if role == Qt.ItemDataRole.DisplayRole:
            return cell.word
        if role == Qt.ItemDataRole.EditRole:
            return cell.answer or ""
        if role == Qt.ItemDataRole.BackgroundRole:
            return QColor(ANSWER_COLOURS.get(cell.answer, ANSWER_COLOURS[None])[0])
        if role == Qt.ItemDataRole.ForegroundRole:
            return QColor(ANSWER_COLOURS.get(cell.answer, ANSWER_COLOURS[None])[1])
        if role == Qt.ItemDataRole.ToolTipRole:
            if cell.answer is None:
                return "Not answered yet: double-click to answer"
            return quote_tooltip(cell.quote)
        if role == Qt.ItemDataRole.FontRole and cell.answer is not None and not cell.supported:
            font = QFont()
            font.setItalic(True)
            return font
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignCenter)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            question = self.table.questions[index.row()].text
            who = self.table.stakeholders[index.column()].name
            return f"{who}, {question}: {cell.word}"
        if role == CellRole:
            return cell
        return None

    def headerData(self, section: int, orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if self.table is None or role not in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.ToolTipRole,
        ):
            return None
        if orientation == Qt.Orientation.Horizontal:
            if 0 <= section < len(self.table.stakeholders):
                return self.table.stakeholders[section].name
        elif 0 <= section < len(self.table.questions):
            return self.table.questions[section].text
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEditable

    # -- editing ------------------------------------------------------------------------------

    def setData(self, index: _Index, value, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or role != Qt.ItemDataRole.EditRole or value not in editing.ANSWERS:
            return False
        cell = self.cell(index)
        if value == cell.answer:
            return True
        question_id = self.question_id(index.row())
        stakeholder_id = self.stakeholder_id(index.column())
        quote_id = cell.quote.id if cell.quote else None
        done = answer_edit(
            self.context,
            self,
            "Set answer",
            lambda s: editing.set_answer(
                s, question_id, stakeholder_id, value, quote_id, expected_version=cell.version
            ),
        )
        return done is not None


def answer_edit(context: PanelContext, model: ComparisonModel, text: str, edit) -> object | None:
    """Change an answer from the table, expecting it as the table shows it. If it was changed
    elsewhere meanwhile (the command line), nothing is written: the user is told in words and
    the table shows the answer as it is now, to choose again from."""
    try:
        return push_edit(context, text, edit, stale=True)
    except StaleRecord as stale:
        model.reload()
        warn(
            context.window,
            text,
            f"{str(stale)[:1].upper()}{str(stale)[1:]}. The table now shows it.",
        )
        return None


class AnswerDelegate(QStyledItemDelegate):
    """Paints a cell as it reads best: the answer in a bold word on its colour, and under it the
    first words of the backing quote (or "unsupported" in italics, when no quote backs it), so
    the table can be read without hovering. A selected cell keeps its colour and gets a frame.
    Edits with a combo."""

    PADDING = 6
    QUOTE_LINES = 3

    def _fonts(self, option: QStyleOptionViewItem) -> tuple[QFont, QFont]:
        word = QFont(option.font)
        word.setBold(True)
        small = QFont(option.font)
        small.setPointSizeF(max(7.0, option.font.pointSizeF() * 0.88))
        return word, small

    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> QSize:
        word, small = self._fonts(option)
        height = QFontMetrics(word).height() + self.QUOTE_LINES * QFontMetrics(small).lineSpacing()
        return QSize(150, height + 3 * self.PADDING)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        cell: Cell | None = index.data(CellRole)
        if cell is None:
            super().paint(painter, option, index)
            return
        background, foreground = ANSWER_COLOURS.get(cell.answer, ANSWER_COLOURS[None])
        painter.save()
        painter.fillRect(option.rect, QColor(background))
        painter.setPen(QColor(foreground))
        word_font, small = self._fonts(option)
        area = option.rect.adjusted(self.PADDING, self.PADDING, -self.PADDING, -self.PADDING)
        if cell.answer is None:
            painter.setFont(option.font)
            painter.drawText(area, int(Qt.AlignmentFlag.AlignCenter), "No answer")
        else:
            painter.setFont(word_font)
            line = QFontMetrics(word_font).height()
            top = area.adjusted(0, 0, 0, -(area.height() - line))
            painter.drawText(top, int(Qt.AlignmentFlag.AlignCenter), ANSWER_WORDS[cell.answer])
            below = area.adjusted(0, line + self.PADDING // 2, 0, 0)
            if cell.quote is None:
                small.setItalic(True)
                painter.setFont(small)
                painter.drawText(
                    below, int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop),
                    "unsupported",
                )  # fmt: skip
            else:
                self._draw_lines(painter, below, small, f"\u201c{cell.quote.text}\u201d")
        if option.state & QStyle.StateFlag.State_Selected:
            painter.setPen(QPen(QColor(palette.SELECTED), 3))
            painter.drawRect(option.rect.adjusted(1, 1, -2, -2))
        painter.restore()

    def _draw_lines(self, painter: QPainter, rect: QRect, font: QFont, text: str) -> None:
        """At most QUOTE_LINES lines of `text`, centred, the last one elided."""
        metrics = QFontMetrics(font)
        layout = QTextLayout(text, font)
        layout.beginLayout()
        lines: list[str] = []
        while len(lines) < self.QUOTE_LINES:
            line = layout.createLine()
            if not line.isValid():
                break
            line.setLineWidth(rect.width())
            start = line.textStart()
            if len(lines) == self.QUOTE_LINES - 1:
                rest = text[start:]
                lines.append(metrics.elidedText(rest, Qt.TextElideMode.ElideRight, rect.width()))
            else:
                lines.append(text[start : start + line.textLength()].strip())
        layout.endLayout()
        painter.setFont(font)
        y = rect.top()
        for words in lines:
            band = QRect(rect.left(), y, rect.width(), metrics.lineSpacing())
            painter.drawText(band, int(Qt.AlignmentFlag.AlignCenter), words)
            y += metrics.lineSpacing()

    def createEditor(self, parent: QWidget, option, index: _Index) -> QWidget:
        combo = QComboBox(parent)
        combo.setAccessibleName("Answer")
        for answer in editing.ANSWERS:
            combo.addItem(ANSWER_WORDS[answer], answer)
        return combo

    def setEditorData(self, editor: QWidget, index: _Index) -> None:
        assert isinstance(editor, QComboBox)
        position = editor.findData(index.data(Qt.ItemDataRole.EditRole) or "unknown")
        editor.setCurrentIndex(max(position, 0))

    def setModelData(self, editor: QWidget, model, index: _Index) -> None:
        assert isinstance(editor, QComboBox)
        model.setData(index, editor.currentData(), Qt.ItemDataRole.EditRole)


class StakeholderPicker(Form):
    """Choose 2 to 6 stakeholders of the topic to compare."""

    def __init__(self, choices: list[tuple[str, int]], chosen: list[int], parent=None) -> None:
        super().__init__("Compare stakeholders", "&Compare", parent)
        self.list = QListWidget()
        for name, sid in choices:
            item = QListWidgetItem(name)
            item.setData(Qt.ItemDataRole.UserRole, sid)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if sid in chosen else Qt.CheckState.Unchecked)
            self.list.addItem(item)
        self.add("&Stakeholders:", self.list)
        self.list.itemChanged.connect(self.revalidate)
        self.revalidate()

    def chosen(self) -> list[int]:
        return [
            self.list.item(row).data(Qt.ItemDataRole.UserRole)
            for row in range(self.list.count())
            if self.list.item(row).checkState() == Qt.CheckState.Checked
        ]

    def problem(self) -> str | None:
        return check_choice(len(self.chosen()))


class CompareWindow(QDialog):
    """The matrix, its side panel, and the buttons that edit questions and export the table."""

    def __init__(self, context: PanelContext, stakeholder_ids: list[int]) -> None:
        super().__init__(context.window)
        self.context = context
        self.topic_name = context.shown.topic_name  # the topic it opened on
        self.setWindowTitle(f"Compare stakeholders \u2014 {self.topic_name}")
        self.setAccessibleName("Comparison")
        self.model = ComparisonModel(context, stakeholder_ids, self)
        self.view = QTableView()
        self.view.setAccessibleName("Comparison matrix")
        self.view.setModel(self.model)
        self.view.setItemDelegate(AnswerDelegate(self.view))
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.SelectedClicked
        )
        self.view.setWordWrap(True)
        # Questions are the row headers, wrapped in a column wide enough for a short sentence;
        # names wrap under the column headers; rows are as tall as a cell's word and two lines
        # of its quote, or as the question needs.
        wrap = Qt.TextFlag.TextWordWrap.value
        names = self.view.horizontalHeader()
        names.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        names.setDefaultAlignment(Qt.AlignmentFlag(Qt.AlignmentFlag.AlignCenter.value | wrap))
        names.setMinimumHeight(2 * names.fontMetrics().lineSpacing() + 8)
        questions = self.view.verticalHeader()
        questions.setDefaultAlignment(
            Qt.AlignmentFlag(
                Qt.AlignmentFlag.AlignLeft.value | Qt.AlignmentFlag.AlignVCenter.value | wrap
            )
        )
        questions.setFixedWidth(QUESTION_WIDTH)
        questions.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.view.selectionModel().currentChanged.connect(self.show_cell)

        self.quote = SafeBrowser()
        self.quote.setAccessibleName("Backing quote")
        self.quote_choice = QComboBox()
        self.quote_choice.setAccessibleName("Quote that backs the answer")
        self.quote_choice.currentIndexChanged.connect(self._check_quote)
        self.quote_problem = QLabel()
        self.quote_problem.setWordWrap(True)
        self.quote_problem.setAccessibleName("What is wrong with the quote")
        self.use_quote = QPushButton("&Back with this quote")
        self.use_quote.setAccessibleName("Back the answer with this quote")
        self.use_quote.clicked.connect(self.set_quote)
        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        side_layout.addWidget(self.quote, 1)
        side_layout.addWidget(QLabel("Backed by:"))
        side_layout.addWidget(self.quote_choice)
        side_layout.addWidget(self.quote_problem)
        side_layout.addWidget(self.use_quote)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.view)
        splitter.addWidget(side)
        splitter.setSizes([820, 380])

        buttons = QHBoxLayout()
        self.buttons = {}
        for key, text, slot in (
            ("add", "&Add question\u2026", self.add_question),
            ("edit", "&Rename question\u2026", self.rename_question),
            ("up", "Move &up", lambda: self.move_question(-1)),
            ("down", "Move &down", lambda: self.move_question(1)),
            ("delete", "De&lete question", self.delete_question),
            ("choose", "C&hoose stakeholders\u2026", self.choose),
            ("copy", "&Copy table", self.copy_table),
            ("csv", "&Save as CSV\u2026", self.save_csv),
        ):
            button = QPushButton(text)
            button.setAccessibleName(text.replace("&", "").rstrip("\u2026"))
            button.clicked.connect(slot)
            buttons.addWidget(button)
            self.buttons[key] = button
        # Ctrl+Z and Ctrl+Shift+Z work here too: the same actions, on the same undo stack.
        self.addAction(context.menus.undo_action)
        self.addAction(context.menus.redo_action)
        copy = QAction(self)
        copy.setShortcut(QKeySequence.StandardKey.Copy)
        copy.triggered.connect(self.copy_table)
        self.addAction(copy)

        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addWidget(legend())
        layout.addLayout(buttons)
        context.operations.changed.connect(self.on_changes)
        # "As of" a day: the answers recorded by then (the window's date control).
        context.shown.as_of_changed.connect(self._on_as_of)
        self._on_as_of(context.shown.as_of)
        self.show_cell(QModelIndex())
        self.resize(1200, 620)
        self._fitted = False

    def _on_as_of(self, day) -> None:
        when = f" as of {format_date(day)}" if day else ""
        self.setWindowTitle(f"Compare stakeholders \u2014 {self.topic_name}{when}")
        if day != getattr(self.model.table, "as_of", None):
            self.model.reload()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self._fitted:
            self._fitted = True
            self.fit_to_rows()

    def fit_to_rows(self) -> None:
        """Make the window as tall as its questions need, so that no sea of empty rows lies
        under them: measured once laid out (the legend and the headers wrap), within 440
        pixels (room for the side panel) and most of the screen."""
        self.layout().activate()
        rows = sum(self.view.rowHeight(r) for r in range(self.model.rowCount()))
        spare = self.view.viewport().height() - rows - 2
        screen = self.screen().availableGeometry().height() if self.screen() else 1000
        self.resize(self.width(), max(440, min(self.height() - spare, int(screen * 0.9))))

    # -- reacting -----------------------------------------------------------------------------

    def on_changes(self, changes: Changes) -> None:
        if changes.touches("question", "answer", "stakeholder", "quote", "topic"):
            current = self.view.currentIndex()
            self.model.reload()
            if current.isValid() and current.row() < self.model.rowCount():
                self.view.selectionModel().setCurrentIndex(
                    self.model.index(current.row(), current.column()),
                    QItemSelectionModel.SelectionFlag.ClearAndSelect,
                )
            self.show_cell(self.view.currentIndex())

    def show_cell(self, index: QModelIndex, _previous: QModelIndex | None = None) -> None:
        has_row = index.isValid()
        for key in ("edit", "up", "down", "delete"):
            self.buttons[key].setEnabled(has_row)
        self.quote_choice.blockSignals(True)
        self.quote_choice.clear()
        if not has_row:
            self.quote.setHtml(
                "<p class='muted'>Select a cell to see the quote that backs the answer.</p>"
            )
            self.quote_choice.setEnabled(False)
            self.use_quote.setEnabled(False)
            self.quote_problem.setText("")
            self.quote_choice.blockSignals(False)
            return
        cell: Cell = index.data(CellRole)
        who = self.model.headerData(index.column(), Qt.Orientation.Horizontal)
        question = self.model.headerData(index.row(), Qt.Orientation.Vertical)
        html = f"<h3>{_escape(who)}</h3><p class='muted'>{_escape(question)}</p>"
        html += f"<p><b>{_escape(cell.word)}</b></p>"
        if cell.quote is not None:
            html += (
                f"<blockquote>\u201c{_escape(cell.quote.text)}\u201d</blockquote>"
                f"<p class='muted'>\u2014 {_escape(cell.quote.speaker)}, "
                f"{_escape(cell.quote.citation)}</p>"
            )
        elif cell.answer is not None:
            html += "<p>No quote backs this answer: it is <b>unsupported</b>.</p>"
        if cell.comment:
            html += f"<p>{_escape(cell.comment)}</p>"
        self.quote.setHtml(html)
        stakeholder_id = self.model.stakeholder_id(index.column())
        compared = list(self.model.stakeholder_ids)

        def read(session):
            # The quotes of the stakeholders compared (and their people): another's quote is
            # offered, to be refused with a reason, but not every quote of the store (7.8 s and
            # 100,000 items in the list on the 100,000-quote store).
            others = set()
            for other in compared:
                others |= set(editing.speakers_for(session, other))
            return backing_quotes(session, stakeholder_id), quote_lines(session, others)

        own, others = self.context.runner.read_now(read)
        own_ids = {q.id for q in own}
        self.quote_choice.addItem("No quote (unsupported)", None)
        for quote in [*own, *(q for q in others if q.id not in own_ids)]:
            short = quote.text if len(quote.text) < 70 else quote.text[:69] + "\u2026"
            self.quote_choice.addItem(f"{quote.speaker}: \u201c{short}\u201d", quote.id)
            self.quote_choice.setItemData(
                self.quote_choice.count() - 1, quote_tooltip(quote), Qt.ItemDataRole.ToolTipRole
            )
        current = self.quote_choice.findData(cell.quote.id if cell.quote else None)
        self.quote_choice.setCurrentIndex(max(current, 0))
        self.quote_choice.setEnabled(cell.answer is not None)
        self.quote_choice.blockSignals(False)
        self._check_quote()

    def _check_quote(self, *_args) -> None:
        index = self.view.currentIndex()
        if not index.isValid():
            return
        cell: Cell = index.data(CellRole)
        if cell.answer is None:
            self.quote_problem.setText("Answer the question first (double-click the cell).")
            self.use_quote.setEnabled(False)
            return
        stakeholder_id = self.model.stakeholder_id(index.column())
        quote_id = self.quote_choice.currentData()
        problem = self.context.runner.read_now(
            lambda session: editing.check_quote_for(session, stakeholder_id, quote_id)
        )
        unchanged = self.quote_choice.currentData() == (cell.quote.id if cell.quote else None)
        self.quote_problem.setText(problem[0].upper() + problem[1:] + "." if problem else "")
        self.quote_problem.setStyleSheet(theme.style(palette.ERROR, bold=True))
        self.use_quote.setEnabled(problem is None and not unchanged)

    # -- editing ------------------------------------------------------------------------------

    def set_quote(self) -> None:
        index = self.view.currentIndex()
        cell: Cell = index.data(CellRole)
        question_id = self.model.question_id(index.row())
        stakeholder_id = self.model.stakeholder_id(index.column())
        quote_id = self.quote_choice.currentData()
        answer = cell.answer or "unknown"
        answer_edit(
            self.context,
            self.model,
            "Back answer with quote",
            lambda s: editing.set_answer(
                s, question_id, stakeholder_id, answer, quote_id, expected_version=cell.version
            ),
        )

    def add_question(self) -> None:
        topic_id = self.model.topic_id
        form = QuestionForm(self.context.runner, topic_id, parent=self)
        if Editing.exec_form(form):
            text = form.text.text()
            push_edit(
                self.context, "New question", lambda s: editing.add_question(s, topic_id, text)
            )

    def rename_question(self) -> None:
        index = self.view.currentIndex()
        if not index.isValid():
            return
        question_id = self.model.question_id(index.row())
        old = self.model.headerData(index.row(), Qt.Orientation.Vertical)
        form = QuestionForm(self.context.runner, self.model.topic_id, question_id, old, parent=self)

        def load(form: QuestionForm):
            text, version = self.context.runner.read_now(
                lambda s: (
                    question_text(s, question_id),
                    versions.current_version(s, "question", question_id),
                )
            )
            form.fill(text)
            return version

        form.version = load(form)

        def prepare(form: QuestionForm):
            text = form.text.text()
            return lambda s, version: editing.edit_question(
                s, question_id, text, expected_version=version
            )

        save_form(self.context, form, "Edit question", prepare, load, Editing.exec_form)

    def move_question(self, steps: int) -> None:
        index = self.view.currentIndex()
        if not index.isValid():
            return
        question_id = self.model.question_id(index.row())
        column = index.column()
        push_edit(
            self.context, "Move question", lambda s: editing.move_question(s, question_id, steps)
        )
        row = next(
            r for r in range(self.model.rowCount()) if self.model.question_id(r) == question_id
        )
        self.view.setCurrentIndex(self.model.index(row, column))

    def delete_question(self) -> None:
        index = self.view.currentIndex()
        if not index.isValid():
            return
        question_id = self.model.question_id(index.row())
        text = self.model.headerData(index.row(), Qt.Orientation.Vertical)
        if Editing.ask(self, "Delete question", f"Delete \u201c{text}\u201d and its answers?"):
            push_edit(
                self.context, "Delete question", lambda s: editing.delete_question(s, question_id)
            )

    def choose(self) -> None:
        topic_id = self.model.topic_id
        choices = self.context.runner.read_now(
            lambda s: editing.stakeholder_choices(s, topic_id=topic_id, on_topic=True)
        )
        picker = StakeholderPicker(choices, self.model.stakeholder_ids, parent=self)
        if Editing.exec_form(picker):
            self.model.stakeholder_ids = picker.chosen()
            self.model.reload()

    # -- exporting ----------------------------------------------------------------------------

    def copy_table(self) -> None:
        if self.model.table is not None:
            QGuiApplication.clipboard().setText(self.model.table.as_tsv())

    @staticmethod
    def csv_path(parent: QWidget, suggested: str) -> str:
        path, _ = QFileDialog.getSaveFileName(parent, "Save as CSV", suggested, "CSV (*.csv)")
        return path

    def save_csv(self) -> None:
        if self.model.table is None:
            return
        path = self.csv_path(self, f"{self.model.table.topic} comparison.csv")
        if not path:
            return
        file = QSaveFile(path)  # written under a temporary name, renamed when whole
        if (
            not file.open(QSaveFile.OpenModeFlag.WriteOnly)
            or file.write(self.model.table.as_csv().encode("utf-8")) < 0
            or not file.commit()
        ):
            warn(self, "Save as CSV", f"Could not write {path}: {file.errorString()}")
            return
        self.context.status(f"Saved {Path(path).name}", 4000)


def legend() -> QWidget:
    """What the colours and the italics mean, under the table."""
    bar = QWidget()
    bar.setAccessibleName("Legend")
    row = QHBoxLayout(bar)
    row.setContentsMargins(0, 0, 0, 0)
    row.addWidget(QLabel("Answers:"))
    for answer in (*editing.ANSWERS, None):
        background, foreground = ANSWER_COLOURS[answer]
        chip = QLabel(ANSWER_WORDS[answer] if answer else "No answer")
        chip.setAccessibleName(f"Legend: {chip.text()}")
        chip.setStyleSheet(
            f"background: {background}; color: {foreground}; font-weight: 600;"
            f"border: 1px solid {palette.BORDER}; border-radius: 3px; padding: 2px 10px;"
        )
        row.addWidget(chip)
    note = QLabel(
        "Under each answer, the start of the quote that backs it; <i>unsupported</i> when no "
        "quote does. Hover or select a cell for the whole quote and its source."
    )
    note.setWordWrap(True)
    note.setStyleSheet(theme.style(palette.MUTED))
    row.addWidget(note, 1)
    return bar


def _escape(text) -> str:
    from html import escape

    return escape(str(text or ""))


def open_comparison(context: PanelContext) -> CompareWindow | None:
    """Compare the selected cards, or those the user picks when fewer than 2 are selected."""
    shown = context.shown
    if shown.topic_id is None:
        context.status("Create a topic first", 4000)
        return None
    selected = list(shown.selected_ids)
    if check_choice(len(selected)) is not None:
        topic_id = shown.topic_id
        choices = context.runner.read_now(
            lambda s: editing.stakeholder_choices(s, topic_id=topic_id, on_topic=True)
        )
        picker = StakeholderPicker(choices, selected[:6], parent=context.window)
        if not Editing.exec_form(picker):
            return None
        selected = picker.chosen()
    compare = CompareWindow(context, selected)
    compare.show()
    return compare


class CompareFeature:
    """View > Compare selected stakeholders (Ctrl+M), and the comparison it opened last."""

    def __init__(self, context: PanelContext) -> None:
        self.context = context
        self.last: CompareWindow | None = None  # the comparison it opened last
        self.action = QAction("Com&pare selected stakeholders\u2026", context.window)
        self.action.setShortcut(QKeySequence("Ctrl+M"))
        self.action.setStatusTip("Compare 2 to 6 stakeholders question by question")
        self.action.triggered.connect(self.open)
        context.menus.view.addSeparator()
        context.menus.view.addAction(self.action)

    def open(self) -> CompareWindow | None:
        self.last = open_comparison(self.context) or self.last
        return self.last
