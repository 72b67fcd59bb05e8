"""What every side panel shares: what it is given (`PanelContext`), how it reaches other
features (`Navigation`, signals), and refreshing only while it is shown (`WhenShown`).

A change to the store is announced to every panel (`Operations.changed`). A panel that is hidden
(another side tab is in front, or the side panel is closed) must not read the store for it: on
the 100,000-quote store the Sources tab re-read every source's facts on each rename, 1.4 s with
the tab out of sight. `WhenShown` holds a panel's refresh: `request()` runs it now when the panel
is visible, otherwise once, when the panel is next shown, however many changes came meanwhile.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Signal
from PySide6.QtWidgets import QWidget

if TYPE_CHECKING:
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
            self.stale = False
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
    """How one feature asks for another without holding it. Features emit; the panel that can
    answer connects itself when it is installed. Connections are direct, so a request has been
    answered when `emit` returns (a `NoteRequest` then says whether it was opened)."""

    source_requested = Signal(object)  # SourceRequest
    note_requested = Signal(object)  # NoteRequest
    notes_requested = Signal(object)  # a note target (kind, id): the Notes tab on its notes


@dataclass(frozen=True)
class PanelContext:
    """What a side panel may use of the window, declared: the store runner for reads, the
    operations for changes (and their announcements), navigation to reach other features, and
    the status line. Built once by the main window (`MainWindow.context`)."""

    runner: StoreRunner
    operations: Operations
    navigation: Navigation
    status: Callable[[str, int], None]
    read_only: bool
