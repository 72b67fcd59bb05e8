"""What every feature of the window is given (`PanelContext`), how it reaches other features and
the window (`Navigation`, signals), what it reads of the window (`Shown`), and refreshing only
while it is shown (`WhenShown`).

A feature (a side panel, the editing actions, search, sharing, backups) is constructed by the
main window with a `PanelContext` and exposes what the window places (its tab, its actions) as
typed members; the window never gains attributes from outside its class, and no feature holds
another feature or the window's widgets. What the window shows (the topic, the current card, the
"as of" day) is read from `Shown`; asking for another topic, card or tab goes through
`Navigation`, answered by whoever connected to it.

A change to the store is announced to every panel (`Operations.changed`). A panel that is hidden
(another side tab is in front, or the side panel is closed) must not read the store for it: on
the 100,000-quote store the Sources tab re-read every source's facts on each rename, 1.4 s with
the tab out of sight. `WhenShown` holds a panel's refresh: `request()` runs it now when the panel
is visible, otherwise once, when the panel is next shown, however many changes came meanwhile.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QWidget

if TYPE_CHECKING:
    from briefing.ui.browser import SafeBrowser
    from briefing.ui.operations import Operations
    from briefing.ui.store_runner import StoreRunner


class WhenShown(QObject):
    """A panel's refresh, run now if the panel is visible, else once when it is next shown."""

    def __init__(self, panel: QWidget, refresh: Callable[[], object]) -> None:
        super().__init__(panel)
        self._panel = panel
        self._refresh = refresh
        self.stale = False
        panel.installEventFilter(self)

    def request(self) -> None:
        if self._panel.isVisible():
            self.stale = False
            self._refresh()
        else:
            self.stale = True

    def mark_stale(self) -> None:
        """Refresh when next shown, even if it is shown now (the caller refreshes now itself)."""
        self.stale = True

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._panel and event.type() == QEvent.Type.Show and self.stale:
            from briefing.ui.store_runner import while_showing  # loaded after the first paint

            self.stale = False
            with while_showing():
                self._refresh()
        return False


@dataclass(frozen=True)
class SourceRequest:
    """Open a source in the reader: on a quote (selected in its context), or with the words a
    search found marked (`matches`, offsets into its text), scrolled to `at` or the first."""

    source_id: int
    quote_id: int | None = None
    matches: tuple[tuple[int, int], ...] | None = None
    at: int | None = None
    title: str = ""


@dataclass
class NoteRequest:
    """Open one note in the Notes tab, listed on the card (`scope` "card") or the topic
    ("topic") that lists it. The Notes tab sets `opened` when it could; the asker falls back
    on something else when it could not."""

    note_id: int
    scope: str
    select_text: str = ""
    opened: bool = False


class Navigation(QObject):
    """How one feature asks for another, or the window, without holding it. Features emit; the
    feature or the window that can answer connects itself when it is built. Connections are
    direct, so a request has been answered when `emit` returns (a `NoteRequest` then says
    whether it was opened; after `topic_requested` the topic's cards are shown)."""

    source_requested = Signal(object)  # SourceRequest
    note_requested = Signal(object)  # NoteRequest
    notes_requested = Signal(object)  # a note target (kind, id): the Notes tab on its notes
    topic_requested = Signal(int)  # show this topic's cards
    card_requested = Signal(int)  # make this stakeholder's card current, if the topic shows it
    tab_requested = Signal(QWidget, bool)  # show this side tab (the side panel too); focus it?
    cards_requested = Signal()  # move the focus to the cards


class Shown(QObject):
    """What the window shows, for features to read and follow: the topic, its cards, the current
    and the selected cards, the "as of" day. Only the main window changes it (through its
    widgets); a feature that wants another topic or card asks through `Navigation`."""

    topic_changed = Signal(object)  # the topic's id, or None
    card_changed = Signal(object)  # the current card's stakeholder id, or None
    as_of_changed = Signal(object)  # the day the cards stand as of (a date), or None: today

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.topic_id: int | None = None
        self.topic_name = ""
        self.stakeholder_id: int | None = None  # the current card's
        self.stakeholder_name = ""
        self.selected_ids: tuple[int, ...] = ()  # the selected cards', in the cards' order
        self.card_ids: tuple[int, ...] = ()  # every card the topic shows, in order
        self.as_of: dt.date | None = None

    def shows_card(self, stakeholder_id: int | None) -> bool:
        return stakeholder_id is not None and stakeholder_id in self.card_ids


@dataclass(frozen=True)
class Menus:
    """The window's menus, and the actions features place their own actions beside."""

    file: QMenu
    edit: QMenu
    view: QMenu
    help: QMenu
    quit_action: QAction
    undo_action: QAction
    redo_action: QAction


@dataclass(frozen=True)
class PanelContext:
    """What a feature may use of the window, declared: the store runner for reads, the
    operations for changes (and their announcements), navigation to reach other features and
    the window, what the window shows, its menus, the status line, the details view (which a
    feature may show a page in, as search does) and the window as the parent of its dialogs.
    Built once by the main window (`MainWindow.context`)."""

    runner: StoreRunner
    operations: Operations
    navigation: Navigation
    shown: Shown
    menus: Menus
    status: Callable[..., None]  # (words, ms=5000): the status line
    read_only: bool
    store_path: Path
    details: SafeBrowser
    window: QWidget  # the parent of dialogs and window-wide shortcuts; nothing more
