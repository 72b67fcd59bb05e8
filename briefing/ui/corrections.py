"""Correcting and deleting quotes and sources from the Sources tab, each step undoable.

*Edit quote…* corrects who said the chosen quote, when, whether the words are theirs or the
source's about them, and its tags; *Delete quote…* first says what goes with it (notes,
briefing items, the backing of answers). *Edit details…* corrects a source's title, publisher,
author, web address and date (never its text); *Delete source…* says first that its quotes go
with it, and what goes with them. Every change runs through `ui.editing.push_edit`, so Edit >
Undo restores exactly the rows it touched (`core.undo.Recorded`).

The dialogs have an `ask()` classmethod and the confirmation is a module function, so tests
replace them.

Both edits expect the record as the dialog showed it (`briefing.core.versions`): when the command
line changed it meanwhile, nothing is written and the dialog comes back with what the user chose,
saying so, with *Reload the other version* and *Save anyway* (`Stale`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QWidget,
)

from briefing.core import corrections as core
from briefing.core.notes import parse_tags
from briefing.core.quotes import SpeakerChoice, speaker_choices
from briefing.core.versions import current_version
from briefing.errors import BriefingError, StaleRecord, StoreUnreachable
from briefing.render import palette
from briefing.ui.datefield import CheckedDialog, DateField, problem_label, sentence
from briefing.ui.editing import push_edit

if TYPE_CHECKING:
    from briefing.ui.panel import PanelContext


def confirm(parent: QWidget, title: str, text: str) -> bool:
    """Ask before deleting. Tests replace this."""
    answer = QMessageBox.question(
        parent,
        title,
        text,
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
        QMessageBox.StandardButton.Cancel,
    )
    return answer == QMessageBox.StandardButton.Yes


def _date_field(known: dt.date | None, name: str) -> DateField:
    """The one date field; left empty, the date is not known (the record allows none)."""
    date = DateField(known)
    date.setAccessibleName(name)
    date.setPlaceholderText("Not known; " + date.placeholderText())
    return date


@dataclasses.dataclass
class Stale:
    """A save refused because the record changed elsewhere: the sentence, and how to reload
    the other version (it returns the details to fill the dialog with)."""

    message: str
    reload: Callable[[], object] | None
    # Not a change elsewhere: the store's server could not be reached and nothing was saved.
    lost: bool = False


def _stale_row(dialog: QDialog, form: QFormLayout, stale: Stale | None, refill) -> None:
    """Say that the record changed elsewhere, above the buttons; Reload fills the dialog with
    the other version, and OK, now *Save anyway*, replaces it with the user's."""
    if stale is None:
        return
    text = stale.message[:1].upper() + stale.message[1:] + "."
    if stale.lost:
        text += " What you typed is kept here: save again when the server is back."
    dialog.stale_note = QLabel(text)
    dialog.stale_note.setWordWrap(True)
    dialog.stale_note.setAccessibleName("Not saved" if stale.lost else "Changed elsewhere")
    dialog.stale_note.setStyleSheet(f"color: {palette.ERROR}; font-weight: 600;")
    form.addRow(dialog.stale_note)
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    ok.setText("Save again" if stale.lost else "Save anyway")
    if stale.reload is not None:
        dialog.reload_button = QPushButton("&Reload the other version")

        def reload() -> None:
            refill(stale.reload())
            dialog.stale_note.setText("Reloaded: this is the version saved elsewhere.")
            dialog.stale_note.setStyleSheet("")
            dialog.reload_button.setEnabled(False)
            ok.setText("Save")

        dialog.reload_button.clicked.connect(reload)
        form.addRow(dialog.reload_button)


def _buttons(dialog: QDialog, ok: str) -> QDialogButtonBox:
    buttons = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
    )
    buttons.button(QDialogButtonBox.StandardButton.Ok).setText(ok)
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    return buttons


class QuoteEditDialog(CheckedDialog):
    """The quote's speaker, date, direct or reported, and tags; its words stay as they are."""

    def __init__(
        self,
        parent: QWidget | None,
        details: core.QuoteDetails,
        speakers: list[SpeakerChoice],
        stale: Stale | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Edit quote")
        self.setAccessibleName("Edit quote")
        form = QFormLayout(self)
        shown = details.text if len(details.text) < 300 else details.text[:299] + "\u2026"
        words = QLabel(f"\u201c{shown}\u201d")
        words.setWordWrap(True)
        words.setAccessibleName("Quoted words")
        form.addRow(words)
        self.speaker = QComboBox()
        self.speaker.setAccessibleName("Speaker")
        for choice in speakers:
            label = choice.name + (f" (for {choice.speaks_for})" if choice.speaks_for else "")
            self.speaker.addItem(label, choice.id)
        self.speaker.setPlaceholderText("Choose who said these words")
        self.reported = QCheckBox("&Reported: the source's words about the speaker, not theirs")
        self.reported.setAccessibleName("Reported")
        self.date = _date_field(details.said_on, "Said on")
        self.tags = QLineEdit()
        self.tags.setAccessibleName("Tags")
        self.tags.setPlaceholderText("Tags, separated by commas")
        form.addRow("&Speaker:", self.speaker)
        form.addRow("", self.reported)
        form.addRow("Said &on:", self.date)
        form.addRow("&Tags:", self.tags)
        self.problem = problem_label()
        form.addRow(self.problem)
        self.buttons = _buttons(self, "Save")
        self.fill(details)
        _stale_row(self, form, stale, self.fill)
        form.addRow(self.buttons)
        self.speaker.currentIndexChanged.connect(self._check)
        self.tags.textChanged.connect(self._check)
        self.date.textChanged.connect(self._check)
        self._check()

    def fill(self, details: core.QuoteDetails) -> None:
        self.speaker.setCurrentIndex(self.speaker.findData(details.speaker_id))
        self.reported.setChecked(details.attribution == "reported")
        self.date.set_date(details.said_on)
        self.tags.setText(", ".join(details.tags))

    def _problem(self) -> str:
        if self.speaker.currentIndex() < 0:
            return "Choose who said these words."
        if problem := self.date.problem():
            return sentence(problem)
        try:
            parse_tags(self.tags.text())
        except BriefingError as error:
            return sentence(str(error))
        return ""

    def fields(self) -> dict:
        return {
            "speaker": self.speaker.currentData(),
            "said_on": self.date.day(),
            "attribution": "reported" if self.reported.isChecked() else "direct",
            "tags": list(parse_tags(self.tags.text())),
        }

    @classmethod
    def ask(
        cls,
        parent: QWidget | None,
        details: core.QuoteDetails,
        speakers: list[SpeakerChoice],
        stale: Stale | None = None,
    ) -> dict | None:
        dialog = cls(parent, details, speakers, stale)
        return dialog.fields() if dialog.exec() == QDialog.DialogCode.Accepted else None


class SourceEditDialog(CheckedDialog):
    """A source's details: title, publisher, author, web address, date. Never its text."""

    def __init__(
        self, parent: QWidget | None, details: core.SourceDetails, stale: Stale | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Edit source details")
        self.setAccessibleName("Edit source details")
        form = QFormLayout(self)
        note = QLabel("The text of a source is evidence and is never edited; its details can be.")
        note.setWordWrap(True)
        form.addRow(note)
        self.title = QLineEdit()
        self.title.setAccessibleName("Title")
        self.publisher = QLineEdit()
        self.publisher.setAccessibleName("Publisher")
        self.author = QLineEdit()
        self.author.setAccessibleName("Author")
        self.url = QLineEdit()
        self.url.setAccessibleName("Web address")
        self.url.setPlaceholderText("https://… (kept as a reference, never fetched)")
        self.date = _date_field(details.published, "Publication date")
        form.addRow("&Title:", self.title)
        form.addRow("&Publisher:", self.publisher)
        form.addRow("&Author:", self.author)
        form.addRow("&Web address:", self.url)
        form.addRow("Pu&blished:", self.date)
        self.problem = problem_label()
        form.addRow(self.problem)
        self.buttons = _buttons(self, "Save")
        self.fill(details)
        _stale_row(self, form, stale, self.fill)
        form.addRow(self.buttons)
        self.title.textChanged.connect(self._check)
        self.date.textChanged.connect(self._check)
        self._check()

    def _problem(self) -> str:
        if not self.title.text().strip():
            return "Give the source a title."
        if problem := self.date.problem():
            return sentence(problem)
        return ""

    def fill(self, details: core.SourceDetails) -> None:
        self.title.setText(details.title)
        self.publisher.setText(details.publisher)
        self.author.setText(details.author)
        self.url.setText(details.url)
        self.date.set_date(details.published)

    def fields(self) -> dict:
        return {
            "title": self.title.text(),
            "publisher": self.publisher.text(),
            "author": self.author.text(),
            "url": self.url.text(),
            "published": self.date.day(),
        }

    @classmethod
    def ask(
        cls, parent: QWidget | None, details: core.SourceDetails, stale: Stale | None = None
    ) -> dict | None:
        dialog = cls(parent, details, stale)
        return dialog.fields() if dialog.exec() == QDialog.DialogCode.Accepted else None


def _excerpt(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def _save_until_settled(context: PanelContext, text: str, ask, load, edit, kept) -> bool:
    """Ask, and save with the version the dialog was filled at. When the record changed
    elsewhere meanwhile, ask again with the user's values (`kept(details, fields)`) and the
    refusal in words; saving then replaces the other version knowingly, unless the user
    reloaded it in the dialog, after which the save expects the version reloaded."""
    details, version = load()  # the details and their version, read together
    expected = {"version": version}
    stale: Stale | None = None
    while True:
        fields = ask(details) if stale is None else ask(details, stale)
        if fields is None:
            return False
        try:
            done = push_edit(
                context,
                text,
                lambda s, fields=fields, version=expected["version"]: edit(s, fields, version),
                stale=True,
                keep=True,
            )
            return done is not None
        except StoreUnreachable as error:  # asked again as typed, to save once it is back
            details = kept(details, fields)
            stale = Stale(str(error), None, lost=True)
        except StaleRecord as error:
            details, expected["version"] = kept(details, fields), error.version

            def reload():
                fresh, expected["version"] = load()
                return fresh

            stale = Stale(str(error), reload if error.current is not None else None)


def edit_quote(context: PanelContext, quote_id: int) -> bool:
    speakers = context.runner.read_now(speaker_choices)

    def load():
        return context.runner.read_now(
            lambda s: (core.quote_details(s, quote_id), current_version(s, "quote", quote_id))
        )

    def kept(details: core.QuoteDetails, fields: dict) -> core.QuoteDetails:
        return dataclasses.replace(
            details,
            speaker_id=fields["speaker"],
            said_on=fields["said_on"],
            attribution=fields["attribution"],
            tags=tuple(fields["tags"]),
        )

    return _save_until_settled(
        context,
        "Edit quote",
        lambda details, *stale: QuoteEditDialog.ask(context.window, details, speakers, *stale),
        load,
        lambda s, fields, version: core.edit_quote(s, quote_id, **fields, expected_version=version),
        kept,
    )


def delete_quote(context: PanelContext, quote_id: int) -> bool:
    details, going = context.runner.read_now(
        lambda s: (core.quote_details(s, quote_id), core.quote_dependents(s, quote_id))
    )
    who = details.speaker or "an unknown speaker"
    text = (
        f"Delete the quote \u201c{_excerpt(details.text)}\u201d by {who}?\n\n{going.words()}\n\n"
        "Edit > Undo brings it back."
    )
    if not confirm(context.window, "Delete quote", text):
        return False
    return push_edit(context, "Delete quote", lambda s: core.delete_quote(s, quote_id)) is not None


def edit_source(context: PanelContext, source_id: int) -> bool:
    def load():
        return context.runner.read_now(
            lambda s: (core.source_details(s, source_id), current_version(s, "source", source_id))
        )

    return _save_until_settled(
        context,
        "Edit source details",
        lambda details, *stale: SourceEditDialog.ask(context.window, details, *stale),
        load,
        lambda s, fields, version: core.edit_source(
            s, source_id, **fields, expected_version=version
        ),
        lambda details, fields: dataclasses.replace(details, **fields),
    )


def delete_source(context: PanelContext, source_id: int) -> bool:
    details, going = context.runner.read_now(
        lambda s: (core.source_details(s, source_id), core.source_dependents(s, source_id))
    )
    text = (
        f"Delete the source \u201c{details.title}\u201d?\n\n{going.words()}\n\n"
        "Edit > Undo brings it back."
    )
    if not confirm(context.window, "Delete source", text):
        return False
    return (
        push_edit(context, "Delete source", lambda s: core.delete_source(s, source_id)) is not None
    )
