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
from PySide6.QtWidgets import QLineEdit, QWidget

from briefing.core.dates import read_date, show_date
from briefing.errors import InputError

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

    def problem(self) -> str | None:
        """What is wrong with the typed date, in words; None if it is a date or empty."""
        if not self.text().strip():
            return None
        try:
            read_date(self.text(), day_first=self.day_first, precisions=self.precisions)
        except InputError as error:
            return str(error)
        return None

    def focusInEvent(self, event) -> None:
        super().focusInEvent(event)
        if event.reason() != Qt.FocusReason.PopupFocusReason:
            # After the mouse press has placed the cursor, select all: typing replaces the date.
            QTimer.singleShot(0, self.selectAll)
