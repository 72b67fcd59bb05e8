"""The one date field of the app: a line the user types a date into, read by `core.dates`.

It accepts what people type (`2020-06-09`, `9 June 2020`, `9/6/2020` with day and month in the
order of the user's locale) and, where the record has one, month or year precision (an event's
`June 2020` or `2019`). When it takes the keyboard focus its whole text is selected, so typing a
whole date replaces the old one (a QDateEdit kept the old year). `problem()` says in words what
is wrong; the form shows it.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QLocale, Qt, QTimer
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QLineEdit, QWidget

from briefing.core.dates import read_date, show_date
from briefing.errors import InputError
from briefing.render import palette
from briefing.ui import theme

ANY_PRECISION = ("day", "month", "year")


def locale_day_first(locale: QLocale | None = None) -> bool:
    """Whether the user's locale writes the day before the month in a short date (not the US)."""
    pattern = (locale or QLocale()).dateFormat(QLocale.FormatType.ShortFormat).lower()
    day, month = pattern.find("d"), pattern.find("m")
    return not (0 <= month < day)


class DateField(QLineEdit):
    def __init__(
        self,
        value: dt.date | None = None,
        precision: str = "day",
        *,
        precisions: tuple[str, ...] = ("day",),
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.precisions = precisions
        self.day_first = locale_day_first()
        example = "9/6/2020" if self.day_first else "6/9/2020"
        self.setPlaceholderText(
            "2020-06-09, 9 June 2020 or "
            + example
            + (", June 2020 or 2020" if "year" in precisions else "")
        )
        if value is not None:
            self.setText(show_date(value, precision))

    def set_date(self, value: dt.date | None, precision: str = "day") -> None:
        self.setText("" if value is None else show_date(value, precision))

    def date(self) -> tuple[dt.date, str] | None:
        """(date, precision), or None if the text is empty or not a date."""
        try:
            return read_date(self.text(), day_first=self.day_first, precisions=self.precisions)
        except InputError:
            return None

    def day(self) -> dt.date | None:
        """The typed day, or None when the field is empty or not a date (see `problem`)."""
        found = self.date()
        return found[0] if found else None

    def error(self) -> str | None:
        """Why the typed text is not a date, in words; None if it is a date or empty."""
        if not self.text().strip():
            return None
        try:
            read_date(self.text(), day_first=self.day_first, precisions=self.precisions)
        except InputError as error:
            return str(error)
        return None

    def problem(self) -> str | None:
        """`error()` headed by the field's name ("Said on: ..."), for a form of several fields."""
        error = self.error()
        return None if error is None else f"{self.accessibleName() or 'Date'}: {error}"

    def focusInEvent(self, event) -> None:
        super().focusInEvent(event)
        if event.reason() != Qt.FocusReason.PopupFocusReason:
            # After the mouse press has placed the cursor, select all: typing replaces the date.
            QTimer.singleShot(0, self, self.selectAll)  # not after the field is gone


def sentence(text: str) -> str:
    """A message as a sentence: capital first, full stop last."""
    return f"{text[:1].upper()}{text[1:]}" + ("" if text.endswith(".") else ".")


def problem_label() -> QLabel:
    """The line under a dialog's fields that says in words what is wrong (room for three lines,
    so that a long message is not cut off)."""
    label = QLabel()
    label.setAccessibleName("Problem")
    label.setStyleSheet(theme.style(palette.ERROR))
    label.setWordWrap(True)
    label.setMinimumHeight(label.fontMetrics().lineSpacing() * 3 + 4)
    return label


class CheckedDialog(QDialog):
    """Enter saves when nothing is wrong, and otherwise says again what is, and saves nothing."""

    problem: QLabel
    buttons: QDialogButtonBox

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumWidth(480)  # room for a date's placeholder and a message in words

    def _problem(self) -> str:
        raise NotImplementedError

    def _check(self, *_args) -> None:
        problem = self._problem()
        self.problem.setText(problem)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(not problem)

    def keyPressEvent(self, event) -> None:
        # A focused button takes its own Enter; from a field, Enter is ours, not the OK button's
        # (which is disabled while something is wrong, and would then do nothing).
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.accept()
            return
        super().keyPressEvent(event)

    def accept(self) -> None:
        self._check()
        if problem := self.problem.text():
            self.problem.setText("Not saved yet: " + problem[:1].lower() + problem[1:])
            return
        super().accept()
