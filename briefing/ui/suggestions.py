"""Suggested quotes in the window: quotations with their speakers, made quotes in a click.

`SuggestionsDialog` lists what `briefing.core.suggestions.suggest_quotes` finds in the source
shown in the Sources tab: the words, the speaker as the source writes them, and the stakeholder
that name matches, or "new stakeholder" where there is none yet. A double-click (or *Make quote*)
makes the chosen suggestion a quote anchored at its offsets; *Make ticked quotes* makes every
ticked one. The speaker box below the list gives another speaker for the chosen suggestion (an
existing stakeholder, or a new name), for a sentence that names none or the wrong one. Each
acceptance is one transaction on the Edit menu's undo stack; the list then says which
suggestions are quotes now. Widgets here run no SQL: they call core functions in a session.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from briefing.core.changes import Changes
from briefing.core.quotes import speaker_choices
from briefing.core.suggestions import Suggestion, accept_suggestions, suggest_quotes
from briefing.core.undo import Recorded
from briefing.errors import BriefingError

if TYPE_CHECKING:
    from briefing.ui.panel import PanelContext

_Index = QModelIndex | QPersistentModelIndex
COLUMNS = ("", "Words", "Speaker, as written", "Stakeholder")


def show_error(parent: QWidget, title: str, message: str) -> None:
    QMessageBox.warning(parent, title, message)


class SuggestionModel(QAbstractTableModel):
    """Suggestions as rows: a tick, the words, the speaker as written, the stakeholder."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._rows: list[Suggestion] = []
        self._ticked: set[int] = set()
        self.speakers: dict[int, str] = {}  # suggestion number -> the speaker the user gave

    def set_suggestions(self, suggestions: list[Suggestion]) -> None:
        self.beginResetModel()
        self._rows = list(suggestions)
        # Ticked to begin with: those not yet quotes whose speaker is known.
        self._ticked = {
            s.number
            for s in suggestions
            if s.quote_id is None and (s.speaker or s.number in self.speakers)
        }
        self.endResetModel()

    def suggestion(self, row: int) -> Suggestion:
        return self._rows[row]

    def ticked(self) -> list[int]:
        return [s.number for s in self._rows if s.number in self._ticked and s.quote_id is None]

    def open_count(self) -> int:
        return sum(1 for s in self._rows if s.quote_id is None)

    def set_speaker(self, row: int, name: str) -> None:
        number = self._rows[row].number
        if name.strip():
            self.speakers[number] = name.strip()
        else:
            self.speakers.pop(number, None)
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() == 0 and self._rows[index.row()].quote_id is None:
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        return flags

    def _stakeholder(self, s: Suggestion) -> str:
        if s.quote_id is not None:
            return f"already quote {s.quote_id}"
        given = self.speakers.get(s.number)
        if given:
            return f"{given} (as you gave)"
        if s.stakeholder:
            return s.stakeholder
        if s.speaker:
            return f"new stakeholder: {s.speaker}"
        return "no speaker named: give one below"

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        s = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.CheckStateRole and column == 0:
            if s.quote_id is not None:
                return None
            ticked = s.number in self._ticked
            return Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            if column == 0:
                return str(s.number)
            if column == 1:
                return "\u201c" + " ".join(s.text.split()) + "\u201d"
            if column == 2:
                return s.speaker or "\u2014"
            return self._stakeholder(s)
        if role == Qt.ItemDataRole.ToolTipRole and column == 1:
            return s.text
        return None

    def setData(self, index: _Index, value, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.CheckStateRole or index.column() != 0 or not index.isValid():
            return False
        s = self._rows[index.row()]
        if s.quote_id is not None:
            return False
        if Qt.CheckState(value) == Qt.CheckState.Checked:
            self._ticked.add(s.number)
        else:
            self._ticked.discard(s.number)
        self.dataChanged.emit(index, index, [Qt.ItemDataRole.CheckStateRole])
        return True


class SuggestionsDialog(QDialog):
    """A source's suggested quotes, to accept in a click."""

    def __init__(self, context: PanelContext, source_id: int, title: str = "") -> None:
        super().__init__(context.window)
        self.context = context
        self.source_id = source_id
        self.setWindowTitle(f"Suggested quotes \u2014 {title}" if title else "Suggested quotes")
        self.setAccessibleName("Suggested quotes")
        self.resize(900, 480)
        self.model = SuggestionModel(self)
        self.table = QTableView()
        self.table.setAccessibleName("Suggestions")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.setWordWrap(True)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.ResizeToContents)
        self.table.doubleClicked.connect(lambda index: self.accept_rows([index.row()]))
        self.table.selectionModel().currentRowChanged.connect(self._on_row)

        self.summary = QLabel()
        self.summary.setAccessibleName("Summary")
        self.summary.setWordWrap(True)
        self.speaker = QComboBox()
        self.speaker.setEditable(True)
        self.speaker.setAccessibleName("Speaker of the chosen suggestion")
        self.speaker.setToolTip(
            "Another speaker for the chosen suggestion: a stakeholder, or a new name"
        )
        self.speaker.lineEdit().editingFinished.connect(self._on_speaker)
        self.speaker.activated.connect(lambda _i: self._on_speaker())
        form = QFormLayout()
        form.addRow("&Speaker of the chosen one:", self.speaker)

        self.make_one = QPushButton("Make &quote")
        self.make_one.setAccessibleName("Make the chosen suggestion a quote")
        self.make_one.clicked.connect(self._accept_current)
        self.make_ticked = QPushButton("Make &ticked quotes")
        self.make_ticked.setAccessibleName("Make the ticked suggestions quotes")
        self.make_ticked.setDefault(True)
        self.make_ticked.clicked.connect(lambda: self.accept_numbers(self.model.ticked()))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.make_one, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.make_ticked, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.model.dataChanged.connect(lambda *_: self._update_buttons())
        self.reload()

    def reload(self) -> None:
        source_id = self.source_id
        found, names = self.context.runner.read_now(
            lambda s: (
                suggest_quotes(s, source_id),
                [choice.name for choice in speaker_choices(s)],
            )
        )
        self.model.set_suggestions(found)
        self.speaker.blockSignals(True)
        self.speaker.clear()
        self.speaker.addItems(names)
        self.speaker.setCurrentIndex(-1)
        self.speaker.blockSignals(False)
        self.table.resizeRowsToContents()
        waiting = self.model.open_count()
        new = {s.speaker for s in found if s.quote_id is None and s.new_speaker}
        self.summary.setText(
            f"{len(found)} quotation(s) of four words or more in this source; {waiting} not "
            "yet quotes. Double-click one to make it a quote, or tick them and press Make "
            "ticked quotes."
            + (f" New stakeholders will be made for: {', '.join(sorted(new))}." if new else "")
        )
        if found and self.table.currentIndex().row() < 0:
            self.table.selectRow(0)
        self._update_buttons()

    def _on_row(self, current: QModelIndex, _previous=None) -> None:
        if not current.isValid():
            return
        s = self.model.suggestion(current.row())
        self.speaker.blockSignals(True)
        self.speaker.setEditText(
            self.model.speakers.get(s.number) or s.stakeholder or s.speaker or ""
        )
        self.speaker.blockSignals(False)
        self._update_buttons()

    def _on_speaker(self) -> None:
        row = self.table.currentIndex().row()
        if row < 0:
            return
        s = self.model.suggestion(row)
        name = self.speaker.currentText().strip()
        if name and name not in (s.stakeholder, s.speaker):
            self.model.set_speaker(row, name)
        elif not name:
            self.model.set_speaker(row, "")

    def _update_buttons(self) -> None:
        row = self.table.currentIndex().row()
        open_row = row >= 0 and self.model.suggestion(row).quote_id is None
        self.make_one.setEnabled(open_row)
        ticked = len(self.model.ticked())
        self.make_ticked.setText(f"Make &ticked quotes ({ticked})")
        self.make_ticked.setEnabled(ticked > 0)

    def _accept_current(self) -> None:
        row = self.table.currentIndex().row()
        if row >= 0:
            self._on_speaker()
            self.accept_rows([row])

    def accept_rows(self, rows: list[int]) -> list[int]:
        return self.accept_numbers([self.model.suggestion(r).number for r in rows])

    def accept_numbers(self, numbers: list[int]) -> list[int]:
        """Make these suggestions quotes, in one undoable step; the new quotes' ids."""
        numbers = [
            n for n in numbers if any(
                s.number == n and s.quote_id is None
                for s in (self.model.suggestion(r) for r in range(self.model.rowCount()))
            )
        ]  # fmt: skip
        if not numbers:
            return []
        speakers = {n: self.model.speakers[n] for n in numbers if n in self.model.speakers}
        source_id, topic_id = self.source_id, self.context.shown.topic_id
        made: list[int] = []

        def accept(session) -> Changes:
            accepted, changes = accept_suggestions(
                session, source_id, numbers, speakers=speakers, topic_id=topic_id
            )
            made[:] = [a.quote_id for a in accepted]
            return changes

        recorded = Recorded(accept)
        what = "Accept suggested quote" if len(numbers) == 1 else "Accept suggested quotes"
        try:
            self.context.operations.push(what, recorded.do, recorded.undo)
        except BriefingError as error:
            show_error(self, "Cannot make these quotes", str(error))
            return []
        self.reload()
        self.context.status(
            f"Made {len(made)} quote{'s' if len(made) != 1 else ''} from suggestions", 5000
        )
        return list(made)
