"""Forms for editing the picture: they check as the user types and say what is wrong in words.

Every form is a `Form` dialog: labelled fields, a line under them that names the first problem
(or says the form is ready, or warns in amber, as of a name that looks like an existing one),
and an OK button that stays disabled until there is none. The words
come from the `check_*` functions of `briefing.core.editing`, the same that refuse bad input on
the command line; a form reads the store only through them, in a short reading session.

At the keyboard a form behaves like a native dialog: it opens with the cursor in its first
field, Tab runs through the fields in the order they stand and then to the buttons, Enter saves
when the form is valid (and, when it is not, says again what is missing and puts the cursor
where it is missing), Escape cancels.

A form that edits a record keeps the record's `version` (`briefing.core.versions`). When the
record changed elsewhere while the form was open (the command line, another window), the save is
refused and the form comes back with what the user typed, saying so (`show_stale`): *Reload*
fills it with the other version, *Save anyway* replaces that version with the user's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from briefing.core import editing
from briefing.core.editing import EventFields, StakeholderFields
from briefing.render import palette
from briefing.render.detail import kind_label, stance_label
from briefing.ui import theme
from briefing.ui.datefield import ANY_PRECISION, DateField

if TYPE_CHECKING:
    from briefing.store.database import Work

ERROR_STYLE = theme.style(palette.ERROR, bold=True)
WARNING_STYLE = theme.style(palette.WARNING_STRONG, bold=True)
READY_STYLE = theme.style(palette.OK)


class Reads(Protocol):
    """What a form reads the store through: the window's store runner (the read runs off the
    GUI thread: `StoreRunner.read_now`), or a bare store (tests, scripts: `Store.read_now`).
    A form never opens a session itself."""

    def read_now(self, work: Work[Any]) -> Any: ...


class Form(QDialog):
    """A dialog of labelled fields whose OK button waits until `problem()` finds nothing."""

    def __init__(self, title: str, ok_text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self.setMinimumWidth(520)
        self.fields = QFormLayout()
        self.fields.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setAccessibleName("What is wrong")
        # Room for three lines, so the dialog does not jump as messages come and go.
        self.status.setMinimumHeight(self.status.fontMetrics().lineSpacing() * 3 + 4)
        self.status.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText(ok_text)
        self.ok.setAccessibleName(ok_text.replace("&", ""))
        cancel = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        cancel.setAccessibleName("Cancel")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        # Enter is ours (keyPressEvent), not the default button's, which may be disabled.
        self.ok.setAutoDefault(False)
        self.ok.setDefault(False)
        cancel.setAutoDefault(False)
        self._inputs: list[QWidget] = []
        self.loading = False  # filled in the background (`load_later`): no edits, no OK yet
        self._ok_text = ok_text
        # The record's version when the form was filled; what a save expects to find.
        self.version = None
        self._reload: Callable[[Form], object] | None = None
        self.stale_note = QLabel()
        self.stale_note.setWordWrap(True)
        self.stale_note.setAccessibleName("Changed elsewhere")
        self.stale_note.setStyleSheet(ERROR_STYLE)
        self.reload_button = QPushButton("&Reload the other version")
        self.reload_button.setAccessibleName("Reload the other version")
        self.reload_button.setAutoDefault(False)
        self.reload_button.clicked.connect(self.reload)
        stale_row = QHBoxLayout()
        stale_row.addWidget(self.stale_note, 1)
        stale_row.addWidget(self.reload_button, 0, Qt.AlignmentFlag.AlignTop)
        self.stale_note.hide()
        self.reload_button.hide()
        self.lost_note = QLabel()
        self.lost_note.setWordWrap(True)
        self.lost_note.setAccessibleName("Not saved")
        self.lost_note.setStyleSheet(ERROR_STYLE)
        self.lost_note.hide()
        layout = QVBoxLayout(self)
        layout.addLayout(self.fields)
        layout.addLayout(stale_row)
        layout.addWidget(self.lost_note)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)

    def add(self, label: str, widget: QWidget, tip: str = "") -> QWidget:
        widget.setAccessibleName(label.replace("&", "").rstrip(":"))
        if tip:
            widget.setToolTip(tip)
        self.fields.addRow(label, widget)
        # The button box was made first; the fields must still come first when tabbing.
        previous = self._inputs[-1] if self._inputs else None
        self._inputs.append(widget)
        if previous is not None:
            QWidget.setTabOrder(previous, widget)
        QWidget.setTabOrder(widget, self.ok)
        QWidget.setTabOrder(self.ok, self.buttons.button(QDialogButtonBox.StandardButton.Cancel))
        signal: Callable | None = None
        if isinstance(widget, (QLineEdit, QPlainTextEdit)):
            signal = widget.textChanged
        elif isinstance(widget, QComboBox):
            signal = widget.currentIndexChanged
        elif isinstance(widget, QSpinBox):
            signal = widget.valueChanged
        if signal is not None:
            signal.connect(self.revalidate)
        return widget

    def problem(self) -> str | None:
        """What is wrong with the fields, in words, or None: each form says (an abstract step)."""
        raise NotImplementedError

    def show_stale(self, message: str, version, reload: Callable[[Form], object] | None) -> None:
        """The record changed elsewhere since the form was filled: say so, keep the fields as
        the user typed them, and let OK save over the other version (`version`) knowingly.
        `reload(form)` fills the fields with the other version and returns its version."""
        self.expect(version)
        self._reload = reload
        text = message[:1].upper() + message[1:]
        self.stale_note.setText(f"{text}.")
        self.stale_note.show()
        self.reload_button.setVisible(reload is not None)
        self.ok.setText("Save &anyway")
        self.ok.setAccessibleName("Save anyway")

    def show_unreachable(self, message: str) -> None:
        """The store's server could not be reached: nothing was saved. Keep the fields as the
        user typed them and say so; OK saves them again (once the server is back)."""
        text = message[:1].upper() + message[1:]
        self.lost_note.setText(
            f"{text}. What you typed is kept here: save again when the server is back."
        )
        self.lost_note.show()

    def expect(self, version) -> None:
        """Save next over the record at `version` (the one a refusal found)."""
        self.version = version

    @property
    def is_stale(self) -> bool:
        return not self.stale_note.isHidden()

    def reload(self) -> None:
        """Fill the form with the record as it is now (the other version), and forget the
        refusal: the user starts again from it."""
        if self._reload is None:
            return
        self.version = self._reload(self)
        self.stale_note.hide()
        self.reload_button.hide()
        self.ok.setText(self._ok_text)
        self.ok.setAccessibleName(self._ok_text.replace("&", ""))
        self.revalidate()

    def warning(self) -> str | None:
        """Something the user should know before OK but may accept (a look-alike name)."""
        return None

    def load_later(self, runner, read, fill: Callable[[object], None]) -> None:
        """Show the form at once, saying "Loading…" and taking no edits, while `read` runs on
        the store runner (`runner.query`); `fill(result)` then fills it and opens it for edits.
        For what grows with the store (every source to choose from: 0.46 s on the 10,000
        sources of the benchmark store), which `read_now` would make the user wait for with
        their clicks and keys held back (see `StoreRunner.read_now`)."""
        self.loading = True
        for widget in self._inputs:
            widget.setEnabled(False)
        self.ok.setEnabled(False)
        self.status.setText("Loading\u2026")
        self.status.setStyleSheet("")

        def done(result) -> None:
            fill(result)
            self.loading = False
            for widget in self._inputs:
                widget.setEnabled(True)
            self.revalidate()

        def failed(error: BaseException) -> None:
            self.status.setText("Could not load what this form needs; close it and try again.")
            self.status.setStyleSheet(ERROR_STYLE)
            runner.report(error, f"opening {self.windowTitle()}")

        runner.query(read, success=done, failure=failed)

    def revalidate(self, *_args) -> None:
        if self.loading:
            return  # nothing to check before the form is filled; OK stays off
        problem = self.problem()
        self.ok.setEnabled(problem is None)
        if problem is None and (warning := self.warning()):
            self.status.setText(f"Careful: {warning}.")
            self.status.setStyleSheet(WARNING_STYLE)
        elif problem is None:
            self.status.setText("Ready.")
            self.status.setStyleSheet(READY_STYLE)
        else:
            self.status.setText(problem[0].upper() + problem[1:] + ".")
            self.status.setStyleSheet(ERROR_STYLE)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._inputs and not event.spontaneous():
            first = self._inputs[0]
            first.setFocus(Qt.FocusReason.TabFocusReason)
            if isinstance(first, QLineEdit):
                first.selectAll()

    def keyPressEvent(self, event) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.accept()
            return
        super().keyPressEvent(event)  # Escape rejects, as in every dialog

    def accept(self) -> None:
        problem = self.problem()
        if problem is None:
            super().accept()
            return
        # Enter (or OK) on an unfinished form: say again what is missing, where it is missing.
        self.revalidate()
        self.status.setText("Not saved yet: " + problem + ".")
        self.status.setStyleSheet(ERROR_STYLE)
        if (field := self.field_with_problem(problem)) is not None:
            field.setFocus(Qt.FocusReason.OtherFocusReason)

    def field_with_problem(self, problem: str) -> QWidget | None:
        """The field the problem is about (the first whose label the words name), or None."""
        text = problem.lower()
        for widget in self._inputs:
            name = widget.accessibleName().lower()
            if name and name in text:
                return widget
        return None


def _combo(items: list[tuple[str, object]], current: object = None) -> QComboBox:
    combo = QComboBox()
    for text, data in items:
        combo.addItem(text, data)
    index = combo.findData(current)
    combo.setCurrentIndex(index if index >= 0 else 0)
    return combo


class TopicForm(Form):
    def __init__(
        self,
        store: Reads,
        topic_id: int | None = None,
        name: str = "",
        description: str = "",
        parent: QWidget | None = None,
    ) -> None:
        title = "New topic" if topic_id is None else "Rename topic"
        super().__init__(title, "&Create" if topic_id is None else "&Save", parent)
        self.store, self.topic_id = store, topic_id
        self.read = store.read_now
        self.name = self.add("&Name:", QLineEdit(name), "What the topic is, in a few words")
        self.description = self.add("&Description:", QPlainTextEdit(description))
        self.description.setTabChangesFocus(True)
        self.description.setFixedHeight(90)
        self.revalidate()

    def fill(self, name: str, description: str) -> None:
        self.name.setText(name)
        self.description.setPlainText(description)

    def problem(self) -> str | None:
        name, topic_id = self.name.text(), self.topic_id
        return self.read(lambda session: editing.check_topic_name(session, name, topic_id))

    def warning(self) -> str | None:
        name, topic_id = self.name.text(), self.topic_id
        return self.read(lambda session: editing.similar_topic(session, name, topic_id))


class StakeholderForm(Form):
    def __init__(
        self,
        store: Reads,
        stakeholder_id: int | None = None,
        fields: StakeholderFields | None = None,
        parent: QWidget | None = None,
    ) -> None:
        new = stakeholder_id is None
        super().__init__("New stakeholder" if new else "Edit stakeholder", "&Save", parent)
        self.store, self.stakeholder_id = store, stakeholder_id
        self.read = store.read_now
        # What the store said of the values last checked: revalidate runs on every change of
        # any field (and on fill), and a name that did not change needs no new look-up.
        self._checked: dict[tuple, str | None] = {}
        fields = fields or StakeholderFields("", "company")
        others = self.read(
            lambda session: editing.stakeholder_choices(session, exclude=stakeholder_id)
        )
        self.name = self.add("&Name:", QLineEdit(fields.name))
        self.kind = self.add(
            "&Kind:", _combo([(kind_label(k), k) for k in editing.KINDS], fields.kind)
        )
        self.parent_choice = self.add(
            "&Speaks for:",
            _combo([("Nobody (speaks for itself)", None), *others], fields.parent_id),
            "The organisation a person speaks for (Arvind Krishna for IBM)",
        )
        influence = QSpinBox()  # set up whole before `add` connects it to revalidate()
        influence.setRange(0, 5)
        influence.setSpecialValueText("Not rated")
        influence.setValue(fields.influence or 0)
        self.influence = self.add(
            "&Influence:", influence, "How much this stakeholder weighs, from 1 to 5"
        )
        self.description = self.add("&Description:", QPlainTextEdit(fields.description))
        self.description.setTabChangesFocus(True)
        self.description.setFixedHeight(90)
        self.revalidate()

    def fill(self, fields: StakeholderFields) -> None:
        self.name.setText(fields.name)
        self.kind.setCurrentIndex(max(0, self.kind.findData(fields.kind)))
        self.parent_choice.setCurrentIndex(max(0, self.parent_choice.findData(fields.parent_id)))
        self.influence.setValue(fields.influence or 0)
        self.description.setPlainText(fields.description)

    def values(self) -> StakeholderFields:
        return StakeholderFields(
            name=self.name.text(),
            kind=self.kind.currentData(),
            description=self.description.toPlainText(),
            parent_id=self.parent_choice.currentData(),
            influence=self.influence.value() or None,
        )

    def problem(self) -> str | None:
        values, stakeholder_id = self.values(), self.stakeholder_id
        return self._look_up(
            ("problem", values),
            lambda session: editing.check_stakeholder(session, values, stakeholder_id),
        )

    def warning(self) -> str | None:
        name, stakeholder_id = self.name.text(), self.stakeholder_id
        return self._look_up(
            ("warning", name),
            lambda session: editing.similar_stakeholder(session, name, stakeholder_id),
        )

    def _look_up(self, key: tuple, work) -> str | None:
        """The store's answer for these values, read once while the form is shown (the save
        checks again in its own transaction, so a name taken meanwhile is still refused)."""
        if key not in self._checked:
            self._checked = {k: v for k, v in self._checked.items() if k[0] != key[0]}
            self._checked[key] = self.read(work)
        return self._checked[key]


class ChooseStakeholderForm(Form):
    """Put a stakeholder that is already in the store on the current topic."""

    def __init__(self, choices: list[tuple[str, int]], parent: QWidget | None = None) -> None:
        super().__init__("Add existing stakeholder to topic", "&Add", parent)
        self.choice = self.add("&Stakeholder:", _combo([("Choose\u2026", None), *choices]))
        self.revalidate()

    def problem(self) -> str | None:
        if self.choice.currentData() is None:
            return "choose a stakeholder that is not on this topic yet"
        return None


class PositionForm(Form):
    def __init__(
        self, stakeholder: str, stance: str | None, today: dt.date, parent: QWidget | None = None
    ) -> None:
        super().__init__(f"New position of {stakeholder}", "&Save", parent)
        self.today = today
        self.stance = self.add(
            "&Stance:", _combo([(stance_label(s), s) for s in editing.STANCES], stance or "unclear")
        )
        self.as_of = self.add(
            "&As of:", DateField(today), "The date of the position, such as 9 June 2020"
        )
        self.headline = self.add(
            "&One line:", QLineEdit(), "Shown on the card; the summary's first line if empty"
        )
        self.summary = self.add("S&ummary:", QPlainTextEdit(), "Markdown")
        self.summary.setTabChangesFocus(True)
        self.summary.setFixedHeight(120)
        self.revalidate()

    def expect(self, version) -> None:
        """`version` holds the versions of the positions by date; a refusal brings the one
        of the date the user chose."""
        as_of = editing.check_as_of(self.as_of.text(), self.today, day_first=self.as_of.day_first)[
            0
        ]
        self.version = {**(self.version or {}), as_of: version}

    def fill(self, stance: str, summary: str, headline: str) -> None:
        self.stance.setCurrentIndex(max(0, self.stance.findData(stance)))
        self.summary.setPlainText(summary)
        self.headline.setText(headline)

    def problem(self) -> str | None:
        _date, problem = editing.check_as_of(
            self.as_of.text(), self.today, day_first=self.as_of.day_first
        )
        if problem:
            return problem
        if not self.summary.toPlainText().strip() and not self.headline.text().strip():
            return "say what the position is, in one line or a summary"
        if len(self.headline.text().strip()) > editing.HEADLINE_LIMIT:
            return f"the one line is longer than {editing.HEADLINE_LIMIT} characters"
        return None

    def values(self) -> tuple[str, str, dt.date, str]:
        as_of, _ = editing.check_as_of(
            self.as_of.text(), self.today, day_first=self.as_of.day_first
        )
        assert as_of is not None
        return self.stance.currentData(), self.summary.toPlainText(), as_of, self.headline.text()


class QuestionForm(Form):
    def __init__(
        self,
        store: Reads,
        topic_id: int,
        question_id: int | None = None,
        text: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(
            "New question" if question_id is None else "Edit question", "&Save", parent
        )
        self.store, self.topic_id, self.question_id = store, topic_id, question_id
        self.read = store.read_now
        self.text = self.add(
            "&Question:", QLineEdit(text), "A row of the comparison, such as 'Sells to police?'"
        )
        self.revalidate()

    def fill(self, text: str) -> None:
        self.text.setText(text)

    def problem(self) -> str | None:
        topic_id, text, question_id = self.topic_id, self.text.text(), self.question_id
        return self.read(
            lambda session: editing.check_question_text(session, topic_id, text, question_id)
        )


class EventForm(Form):
    def __init__(
        self,
        stakeholders: list[tuple[str, int]],
        sources: list[tuple[str, int]],
        stakeholder_id: int | None = None,
        parent: QWidget | None = None,
        event: editing.EventLine | None = None,
    ) -> None:
        super().__init__("New event" if event is None else "Edit event", "&Save", parent)
        fields = event.fields if event is not None else None
        self.title = self.add("&Title:", QLineEdit(fields.title if fields else ""), "What happened")
        self.date = self.add(
            "&Date:",
            DateField(precisions=ANY_PRECISION),
            "As precise as the source: 2019, September 2019 or 4 September 2019",
        )
        if event is not None:
            self.date.setText(event.date_text)
        # Chosen in the lists, now or once they are filled (`set_choices`).
        self._wanted = (
            fields.stakeholder_id if fields else stakeholder_id,
            fields.source_id if fields else None,
        )
        self.stakeholder = self.add(
            "&Stakeholder:", _combo([("None", None), *stakeholders], self._wanted[0])
        )
        self.source = self.add("S&ource:", _combo([("None", None), *sources], self._wanted[1]))
        self.revalidate()

    def set_choices(
        self, stakeholders: list[tuple[str, int]], sources: list[tuple[str, int]]
    ) -> None:
        """Fill the lists (read in the background: `load_later`), on the wanted choices."""
        for combo, items, wanted in (
            (self.stakeholder, stakeholders, self._wanted[0]),
            (self.source, sources, self._wanted[1]),
        ):
            combo.clear()
            for text, data in [("None", None), *items]:
                combo.addItem(text, data)
            combo.setCurrentIndex(max(0, combo.findData(wanted)))

    def fill(self, event: editing.EventLine) -> None:
        self.title.setText(event.fields.title)
        self.date.setText(event.date_text)
        self._wanted = (event.fields.stakeholder_id, event.fields.source_id)
        self.stakeholder.setCurrentIndex(
            max(0, self.stakeholder.findData(event.fields.stakeholder_id))
        )
        self.source.setCurrentIndex(max(0, self.source.findData(event.fields.source_id)))

    def problem(self) -> str | None:
        if problem := editing.check_event_title(self.title.text()):
            return problem
        return editing.check_event_date(self.date.text(), day_first=self.date.day_first)[1]

    def values(self) -> EventFields:
        parsed, _ = editing.check_event_date(self.date.text(), day_first=self.date.day_first)
        assert parsed is not None
        return EventFields(
            self.title.text(),
            parsed[0],
            parsed[1],
            self.stakeholder.currentData(),
            self.source.currentData(),
        )


__all__ = [
    "ChooseStakeholderForm",
    "EventForm",
    "Form",
    "PositionForm",
    "QuestionForm",
    "StakeholderForm",
    "TopicForm",
]
