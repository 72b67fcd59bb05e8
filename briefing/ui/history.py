"""The "History" side tab: the topic's drawn timeline, the selected card's dated positions and
the topic's events, editable.

The timeline (`briefing.ui.timeline`) draws every lane of the topic with the window's "as of" day
as a line; clicking a span selects that position here, an event opens it for editing, a quote
opens it in its source. The details tab shows the same records as a page to read; this tab is
where they are changed: set a new position, delete one given by mistake, and add, edit or delete
the topic's events. Every change goes through `briefing.ui.editing.push_edit`, so it is undone
like any other.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from briefing.core import editing, versions
from briefing.core.changes import Changes, added_record
from briefing.core.dates import format_date
from briefing.core.timeline import quote_source, topic_timeline
from briefing.errors import NotFound
from briefing.render.detail import stance_label
from briefing.ui.editing import push_edit, save_form
from briefing.ui.forms import EventForm
from briefing.ui.panel import SourceRequest, WhenShown
from briefing.ui.timeline import TimelineWidget

if TYPE_CHECKING:
    from briefing.ui.panel import PanelContext

IdRole = Qt.ItemDataRole.UserRole + 20


def _button(text: str, slot) -> QPushButton:
    button = QPushButton(text)
    button.setAccessibleName(text.replace("&", "").rstrip("\u2026"))
    button.clicked.connect(slot)
    return button


class HistoryPanel(QWidget):
    def __init__(self, context: PanelContext, set_position: QAction, new_event: QAction) -> None:
        """`set_position`, `new_event`: the Edit menu's own actions, which its buttons trigger
        (the same form, the same undo step)."""
        super().__init__()
        self.context = context
        self.shown = context.shown
        self.setAccessibleName("History")
        self.events_by_id: dict[int, editing.EventLine] = {}

        self.positions_box = QGroupBox("Positions")
        self.positions = QListWidget()
        self.positions.setAccessibleName("Positions of the selected stakeholder")
        self.positions.setWordWrap(True)
        self.positions.currentRowChanged.connect(self._enable)
        self.set_position = _button("Set &position\u2026", set_position.trigger)
        self.delete_position = _button("Delete position", self.remove_position)
        row = QHBoxLayout()
        row.addWidget(self.set_position)
        row.addWidget(self.delete_position)
        row.addStretch()
        box = QVBoxLayout(self.positions_box)
        box.addWidget(self.positions)
        box.addLayout(row)

        self.events_box = QGroupBox("Events on this topic")
        self.events = QListWidget()
        self.events.setAccessibleName("Events on this topic")
        self.events.setWordWrap(True)
        self.events.currentRowChanged.connect(self._enable)
        self.events.itemActivated.connect(lambda _item: self._edit_event())
        self.new_event = _button("Ne&w event\u2026", new_event.trigger)
        self.edit_event = _button("Edit event\u2026", self._edit_event)
        self.delete_event = _button("Delete event", self.remove_event)
        row = QHBoxLayout()
        for button in (self.new_event, self.edit_event, self.delete_event):
            row.addWidget(button)
        row.addStretch()
        box = QVBoxLayout(self.events_box)
        box.addWidget(self.events)
        box.addLayout(row)

        self.timeline_box = QGroupBox("Positions over time")
        self.timeline = TimelineWidget()
        self.timeline.setToolTip(
            "Ctrl+wheel or + and - zoom the dates; Shift+wheel or Left and Right move along "
            "them; the wheel or Up and Down move through the lanes; Home shows everything. "
            "Click a mark to open it."
        )
        self.timeline.activated.connect(self.open_record)
        box = QVBoxLayout(self.timeline_box)
        box.addWidget(self.timeline)

        layout = QVBoxLayout(self)
        layout.addWidget(self.timeline_box, 5)
        layout.addWidget(self.positions_box, 2)
        layout.addWidget(self.events_box, 3)

        # Read the store only while the tab is shown; a hidden tab catches up when shown.
        self._when_shown = WhenShown(self, self.refresh)
        self._when_shown.mark_stale()
        context.operations.changed.connect(self._on_changes)
        self.shown.as_of_changed.connect(lambda _day: self._mark_stale())
        self.shown.topic_changed.connect(lambda _topic: self._mark_stale())
        self.shown.card_changed.connect(lambda _card: self._mark_stale())

    def _on_changes(self, changes: Changes) -> None:
        if added_record(changes, "source") is not None:
            return  # a new source: no position, event or quote cites it yet
        if changes.touches("position", "event", "stakeholder", "topic", "quote", "source"):
            self._mark_stale()

    def _mark_stale(self) -> None:
        self._when_shown.request()

    def refresh(self) -> None:
        self._when_shown.stale = False
        topic_id = self.shown.topic_id
        stakeholder_id = self.shown.stakeholder_id
        as_of = self.shown.as_of
        self.positions.clear()
        self.events.clear()
        name = None
        positions = []
        events: list[editing.EventLine] = []
        timeline = None
        if topic_id is not None:

            def read(session):
                events = editing.topic_events(session, topic_id)
                name, positions, timeline = None, [], None
                with contextlib.suppress(NotFound):
                    timeline = topic_timeline(session, topic_id, as_of=as_of)
                if stakeholder_id is not None:
                    with contextlib.suppress(NotFound):
                        name = editing.stakeholder_fields(session, stakeholder_id).name
                        positions = editing.stakeholder_positions(session, topic_id, stakeholder_id)
                return events, name, positions, timeline

            events, name, positions, timeline = self.context.runner.read_now(read)
        self.timeline.set_timeline(timeline)
        self.positions_box.setTitle(f"Positions of {name}" if name else "Positions")
        if name is not None:
            for number, position in enumerate(positions):
                latest = " (shown on the card)" if number == 0 else ""
                text = (
                    f"{stance_label(position.stance)} \u00b7 as of {format_date(position.as_of)}"
                    f"{latest}\n{position.headline}"
                )
                item = QListWidgetItem(text)
                item.setData(IdRole, position.id)
                self.positions.addItem(item)
        self.events_by_id = {event.id: event for event in events}
        for event in events:
            who = f" \u2014 {event.stakeholder}" if event.stakeholder else ""
            when = format_date(event.fields.occurred_on, event.fields.precision)
            item = QListWidgetItem(f"{when}: {event.fields.title}{who}")
            item.setToolTip(item.text())
            item.setData(IdRole, event.id)
            self.events.addItem(item)
        self._enable()

    def open_record(self, kind: str, record_id: int) -> None:
        """Open what a click on the timeline hit: a position (its card, and the position in the
        list), an event (its form), a quote (in its source)."""
        if kind == "position":
            lane = next(
                (
                    lane
                    for lane in (self.timeline.timeline.lanes if self.timeline.timeline else ())
                    if any(span.position_id == record_id for span in lane.spans)
                ),
                None,
            )
            if lane is not None and lane.stakeholder_id is not None:
                self.context.navigation.card_requested.emit(lane.stakeholder_id)
            if self._when_shown.stale:
                self.refresh()
            self._select(self.positions, record_id)
        elif kind == "event":
            if self._select(self.events, record_id):
                self._edit_event()
        elif kind == "quote":

            def read(session):
                with contextlib.suppress(NotFound):
                    return quote_source(session, record_id)
                return None

            source_id = self.context.runner.read_now(read)
            if source_id is not None:  # the reader opens it, on the quote
                self.context.navigation.source_requested.emit(
                    SourceRequest(source_id, quote_id=record_id)
                )

    @staticmethod
    def _select(view: QListWidget, record_id: int) -> bool:
        for row in range(view.count()):
            if view.item(row).data(IdRole) == record_id:
                view.setCurrentRow(row)
                view.scrollToItem(view.item(row))
                return True
        return False

    def _enable(self, *_args) -> None:
        has_topic = self.shown.topic_id is not None
        self.set_position.setEnabled(has_topic and self.shown.stakeholder_id is not None)
        self.delete_position.setEnabled(self.positions.currentItem() is not None)
        self.new_event.setEnabled(has_topic)
        self.edit_event.setEnabled(self.events.currentItem() is not None)
        self.delete_event.setEnabled(self.events.currentItem() is not None)

    def remove_position(self) -> None:
        item = self.positions.currentItem()
        if item is None:
            return
        position_id = item.data(IdRole)
        push_edit(
            self.context, "Delete position", lambda s: editing.delete_position(s, position_id)
        )

    def _edit_event(self) -> None:
        item = self.events.currentItem()
        topic_id = self.shown.topic_id
        if item is None or topic_id is None:
            return
        event = self.events_by_id[item.data(IdRole)]
        form = EventForm([], [], parent=self.context.window, event=event)
        # Every source of the store to choose from: read while the form shows "Loading…".
        form.load_later(
            self.context.runner,
            lambda s: (
                editing.stakeholder_choices(s, topic_id=topic_id, on_topic=True),
                editing.source_choices(s),
            ),
            lambda choices: form.set_choices(*choices),
        )

        def load(form: EventForm):
            events, version = self.context.runner.read_now(
                lambda s: (
                    editing.topic_events(s, topic_id),
                    versions.current_version(s, "event", event.id),
                )
            )
            now = next((e for e in events if e.id == event.id), None)
            if now is not None:
                form.fill(now)
            return version

        form.version = load(form)

        def prepare(form: EventForm):
            fields = form.values()
            return lambda s, version: editing.edit_event(
                s, event.id, fields, expected_version=version
            )

        save_form(self.context, form, "Edit event", prepare, load)

    def remove_event(self) -> None:
        item = self.events.currentItem()
        if item is None:
            return
        event_id = item.data(IdRole)
        push_edit(self.context, "Delete event", lambda s: editing.delete_event(s, event_id))
