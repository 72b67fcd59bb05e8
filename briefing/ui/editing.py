"""Editing from the window: Edit menu items that open the forms and push undoable edits.

`Editing(context)` adds the items and owns them (the window builds it). Every edit runs a use
case of `briefing.core.editing` wrapped in `core.undo.Recorded`, through `operations.push`
(`push_edit`), so Ctrl+Z and Ctrl+Shift+Z undo and redo it exactly, and the cards
refresh from `operations.changed`. Questions and answers are edited in the comparison window
(`briefing.ui.compare`).

Dialogs are shown through `Editing.exec_form` and deletions confirmed through `Editing.ask`;
tests replace both, so no test waits on a modal dialog.

A form that changes a record saves through `save_form` with the record's version as the form
was filled (`briefing.core.versions`): if the command line changed the record meanwhile, the
save is refused, nothing is written, and the same form comes back with the user's values and a
sentence saying what happened, offering to reload the other version or save over it knowingly.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMessageBox, QWidget

from briefing.core import editing, versions
from briefing.core.lookup import list_topics
from briefing.core.undo import Recorded
from briefing.errors import BriefingError, StaleRecord, StoreUnreachable
from briefing.ui.forms import (
    ChooseStakeholderForm,
    EventForm,
    Form,
    PositionForm,
    StakeholderForm,
    TopicForm,
)

if TYPE_CHECKING:
    from briefing.ui.panel import PanelContext


def warn(parent: QWidget, title: str, text: str) -> None:
    """Tell the user why an edit, an undo or a redo was refused. Tests replace this."""
    QMessageBox.warning(parent, title, text)


def push_edit(
    context: PanelContext, text: str, edit: Callable, *, stale: bool = False, keep: bool = False
) -> editing.Edited | None:
    """Run an edit through the undo stack; say in a dialog why it was refused, if it was.

    With `stale`, a `StaleRecord` refusal reaches the caller instead (a form that shows it
    again with the user's values: `save_form`). With `keep`, so does a server that cannot be
    reached (`StoreUnreachable`): the form keeps what was typed, to save once it is back.

    Undo and redo of the edit may be refused later, because the records they would restore
    changed since (see `core.undo.UndoConflict`); `Operations` then leaves the store and the
    stack where they were, and `report_refusal` tells the user.
    """
    recorded = Recorded(edit)
    try:
        return context.operations.push(text, recorded.do, recorded.undo)
    except BriefingError as error:
        if (stale and isinstance(error, StaleRecord)) or (
            keep and isinstance(error, StoreUnreachable)
        ):
            raise
        warn(context.window, text, str(error))
        return None


def save_form(
    context: PanelContext,
    form: Form,
    text: str,
    prepare: Callable[[Form], Callable | None],
    reload: Callable[[Form], object] | None = None,
    exec_form: Callable[[Form], bool] | None = None,
) -> editing.Edited | None:
    """Show `form` until it is saved or cancelled. `prepare(form)` turns its values into an
    edit of (session, expected_version), or None when the user declined (a look-alike name).

    The edit is given `form.version`, the record's version when the form was filled. If the
    record changed elsewhere since, nothing is written and the form is shown again, as the user
    left it, saying so (`Form.show_stale`); saving it then replaces the other version knowingly,
    and *Reload* (`reload(form)`: fill the form, return the version) starts from it instead.
    If the store's server cannot be reached, the form is shown again as the user left it,
    saying so, to save again once the server is back.
    """
    show = exec_form or Editing.exec_form
    while show(form):
        try:
            edit = prepare(form)  # may read (a look-alike name), so may find the server gone
            if edit is None:
                return None
            return push_edit(
                context,
                text,
                lambda s, edit=edit, version=form.version: edit(s, version),
                stale=True,
                keep=True,
            )
        except StoreUnreachable as lost:
            form.show_unreachable(str(lost))
        except StaleRecord as stale:
            # A record deleted elsewhere has no other version to reload.
            form.show_stale(str(stale), stale.version, reload if stale.current else None)
    return None


def report_refusal(context: PanelContext, what: str, why: str) -> None:
    """An undo or redo was refused and nothing changed: say so in the status bar and a dialog."""
    context.status(f"{what}: refused, nothing changed", 8000)
    warn(context.window, what, f"{why[:1].upper()}{why[1:]}.")


class Editing:
    """The Edit menu's editing items: topics, stakeholders, positions and events. Every refused
    undo or redo (an edit here, a deleted note, a new quote) is told the same way, here."""

    def __init__(self, context: PanelContext) -> None:
        self.context = context
        self.shown = context.shown
        self.window = context.window  # the parent of its forms and questions
        context.operations.refused.connect(lambda what, why: report_refusal(context, what, why))
        menu = context.menus.edit
        menu.addSeparator()
        self.new_topic_action = self._add("New &topic\u2026", self.new_topic, "Ctrl+Shift+T")
        self.rename_topic_action = self._add("Re&name topic\u2026", self.rename_topic)
        self.delete_topic_action = self._add("Delete topic\u2026", self.delete_topic)
        menu.addSeparator()
        self.new_stakeholder_action = self._add(
            "New &stakeholder\u2026", self.new_stakeholder, "Ctrl+Shift+N"
        )
        self.link_action = self._add(
            "Add e&xisting stakeholder to topic\u2026", self.link_stakeholder
        )
        self.edit_stakeholder_action = self._add(
            "&Edit stakeholder\u2026", self.edit_stakeholder, "F2"
        )
        self.position_action = self._add("Set &position\u2026", self.set_position, "Ctrl+Shift+P")
        self.event_action = self._add("New e&vent\u2026", self.new_event)
        self.delete_stakeholder_action = self._add(
            "&Delete stakeholder\u2026", self.delete_stakeholder, QKeySequence.StandardKey.Delete
        )
        # The Delete key deletes a stakeholder only where the cards have the focus: in a list of
        # notes, briefing items or results it must not reach the card selected elsewhere.
        # The window adds it to the cards.
        self.delete_stakeholder_action.setShortcutContext(
            Qt.ShortcutContext.WidgetWithChildrenShortcut
        )

    def _add(self, text: str, slot, shortcut=None) -> QAction:
        action = QAction(text, self.window)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        self.context.menus.edit.addAction(action)
        return action

    # -- what tests replace -------------------------------------------------------------------

    @staticmethod
    def exec_form(form: Form) -> bool:
        return form.exec() == Form.DialogCode.Accepted

    @staticmethod
    def ask(parent: QWidget, title: str, text: str) -> bool:
        answer = QMessageBox.question(
            parent,
            title,
            text,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        return answer == QMessageBox.StandardButton.Yes

    # -- helpers ------------------------------------------------------------------------------

    def read(self, work):
        """What a form starts from, read on the store runner (the window paints meanwhile)."""
        return self.context.runner.read_now(work)

    def _need_stakeholder(self) -> int | None:
        stakeholder_id = self.shown.stakeholder_id
        if stakeholder_id is None:
            self.context.status("Select a stakeholder's card first", 4000)
        return stakeholder_id

    def _need_topic(self) -> int | None:
        if self.shown.topic_id is None:
            self.context.status("Create a topic first", 4000)
        return self.shown.topic_id

    def _confirm_similar(self, warning: str | None, title: str) -> bool | None:
        """None when the user declines a look-alike name; else whether it needs allowing."""
        if warning is None:
            return False
        text = f"{warning[:1].upper()}{warning[1:]}.\n\nAdd it as a separate name anyway?"
        return True if self.ask(self.window, title, text) else None

    def _show_topic(self, topic_id: int | None) -> None:
        if topic_id is not None:
            self.context.navigation.topic_requested.emit(topic_id)

    # -- topics -------------------------------------------------------------------------------

    def new_topic(self) -> None:
        form = TopicForm(self.context.runner, parent=self.window)
        if self.exec_form(form):
            name, text = form.name.text(), form.description.toPlainText()
            allow = self._confirm_similar(form.warning(), "Similar topic name")
            if allow is None:
                return
            made = push_edit(
                self.context,
                "New topic",
                lambda s: editing.create_topic(s, name, text, allow_similar=allow),
            )
            if made is not None:
                self._show_topic(made.id)

    def rename_topic(self) -> None:
        if (topic_id := self._need_topic()) is None:
            return

        def load(form: TopicForm):
            topic, version = self.read(
                lambda s: (
                    next(t for t in list_topics(s) if t.id == topic_id),
                    versions.current_version(s, "topic", topic_id),
                )
            )
            form.fill(topic.name, topic.description)
            return version

        form = TopicForm(self.context.runner, topic_id, parent=self.window)
        form.version = load(form)

        def prepare(form: TopicForm):
            name, text = form.name.text(), form.description.toPlainText()
            allow = self._confirm_similar(form.warning(), "Similar topic name")
            if allow is None:
                return None
            return lambda s, version: editing.rename_topic(
                s, topic_id, name, text, allow_similar=allow, expected_version=version
            )

        save_form(self.context, form, "Rename topic", prepare, load, self.exec_form)

    def delete_topic(self) -> None:
        if (topic_id := self._need_topic()) is None:
            return
        name = self.shown.topic_name
        goes = self.read(lambda s: editing.topic_deletion_consequences(s, topic_id))
        text = f"Delete the topic \u201c{name}\u201d?\n\n" + "\n".join(goes)
        text += "\n\nYou can undo this."
        if self.ask(self.window, "Delete topic", text):
            push_edit(self.context, "Delete topic", lambda s: editing.delete_topic(s, topic_id))

    # -- stakeholders -------------------------------------------------------------------------

    def new_stakeholder(self) -> None:
        topic_id = self.shown.topic_id
        form = StakeholderForm(self.context.runner, parent=self.window)
        while self.exec_form(form):
            fields = form.values()
            try:
                allow = self._confirm_similar(form.warning(), "Similar stakeholder name")
                if allow is None:
                    return
                made = push_edit(
                    self.context,
                    "New stakeholder",
                    lambda s, fields=fields, allow=allow: editing.add_stakeholder(
                        s, fields, topic_id, allow_similar=allow
                    ),
                    keep=True,
                )
            except StoreUnreachable as lost:  # shown again as typed, to save once it is back
                form.show_unreachable(str(lost))
                continue
            if made is not None and made.id is not None:
                self.context.navigation.card_requested.emit(made.id)
            return

    def link_stakeholder(self) -> None:
        if (topic_id := self._need_topic()) is None:
            return
        choices = self.read(
            lambda s: editing.stakeholder_choices(s, topic_id=topic_id, on_topic=False)
        )
        form = ChooseStakeholderForm(choices, parent=self.window)
        if self.exec_form(form):
            chosen = form.choice.currentData()
            push_edit(
                self.context,
                "Add stakeholder to topic",
                lambda s: editing.link_stakeholder(s, topic_id, chosen),
            )

    def edit_stakeholder(self) -> None:
        if (stakeholder_id := self._need_stakeholder()) is None:
            return

        def current(s):
            return (
                editing.stakeholder_fields(s, stakeholder_id),
                versions.current_version(s, "stakeholder", stakeholder_id),
            )

        def load(form: StakeholderForm):
            fields, version = self.read(current)
            form.fill(fields)
            return version

        fields, version = self.read(current)  # one read: the form opens filled, at this version
        form = StakeholderForm(self.context.runner, stakeholder_id, fields, parent=self.window)
        form.version = version

        def prepare(form: StakeholderForm):
            new = form.values()
            allow = self._confirm_similar(form.warning(), "Similar stakeholder name")
            if allow is None:
                return None
            return lambda s, version: editing.edit_stakeholder(
                s, stakeholder_id, new, allow_similar=allow, expected_version=version
            )

        save_form(self.context, form, "Edit stakeholder", prepare, load, self.exec_form)

    def delete_stakeholder(self) -> None:
        if (stakeholder_id := self._need_stakeholder()) is None:
            return
        name, goes = self.read(
            lambda s: (
                editing.stakeholder_fields(s, stakeholder_id).name,
                editing.deletion_consequences(s, stakeholder_id),
            )
        )
        if goes:
            text = f"Delete {name} from the store?\n\n" + "\n".join(goes)
            text += "\n\nYou can undo this."
            if not self.ask(self.window, "Delete stakeholder", text):
                return
        push_edit(
            self.context,
            f"Delete {name}",
            lambda s: editing.delete_stakeholder(s, stakeholder_id),
        )

    # -- positions and events -----------------------------------------------------------------

    def set_position(self) -> None:
        topic_id = self._need_topic()
        stakeholder_id = self._need_stakeholder()
        if topic_id is None or stakeholder_id is None:
            return
        name, stance, seen = self.read(
            lambda s: (
                editing.stakeholder_fields(s, stakeholder_id).name,
                editing.latest_stance(s, topic_id, stakeholder_id),
                # The versions of its positions by date: saving on a date that has one replaces
                # it, which must be the one there when the form opened (or none, if none was).
                versions.position_versions(s, topic_id, stakeholder_id),
            )
        )
        form = PositionForm(name, stance, dt.date.today(), parent=self.window)
        form.version = seen

        def load(form: PositionForm):
            """Fill the form with the position on its date as it is now."""
            as_of = form.values()[2]
            positions, seen = self.read(
                lambda s: (
                    editing.stakeholder_positions(s, topic_id, stakeholder_id),
                    versions.position_versions(s, topic_id, stakeholder_id),
                )
            )
            for position in positions:
                if position.as_of == as_of:
                    form.fill(position.stance, position.summary, position.headline)
            return seen

        def prepare(form: PositionForm):
            stance, summary, as_of, headline = form.values()
            return lambda s, seen: editing.set_position(
                s,
                topic_id,
                stakeholder_id,
                stance,
                summary,
                as_of,
                headline,
                expected_version=seen.get(as_of, versions.ABSENT),
            )

        save_form(self.context, form, f"Set position of {name}", prepare, load, self.exec_form)

    def new_event(self) -> None:
        if (topic_id := self._need_topic()) is None:
            return
        form = EventForm([], [], self.shown.stakeholder_id, parent=self.window)
        # Every source of the store to choose from: read while the form shows "Loading…".
        form.load_later(
            self.context.runner,
            lambda s: (
                editing.stakeholder_choices(s, topic_id=topic_id, on_topic=True),
                editing.source_choices(s),
            ),
            lambda choices: form.set_choices(*choices),
        )
        if self.exec_form(form):
            fields = form.values()
            push_edit(self.context, "New event", lambda s: editing.add_event(s, topic_id, fields))
