"""The search box: search everything as you type, with filters, and open what you find.

`SearchFeature(context)` makes a search field in its own toolbar, a "Search" tab for the side
panel (filters and results), "Find..." to the Edit menu (Ctrl+F) and Ctrl+K from anywhere in the
app, which moves to the field from any window or dialog of the app.

No keystroke waits for a query. Typing restarts a short timer; when it fires, the query goes to a
worker on a one-thread pool of this panel's own, which opens its own session (sessions, and their
connections, are never shared between threads) and sends the hits back by a queued signal. Every
request carries a generation number: a request that is no longer the newest is skipped before it
starts, one still running is interrupted (`Cancellation`: SQLite's `interrupt()` on the worker's
connection, called from the GUI thread), and results that arrive after a newer request are
dropped, so the list only ever shows the answer to what is in the box now.

Results are one tree: a row per kind ("Quotes (12)") holding that kind's hits, best first. A
delegate paints each hit's title, where it comes from, and its snippet with the matched words
marked, from the model's roles alone. Enter or a click opens a hit where it lives: a quote in
the source reader (the Sources tab), selected in its context, with its speaker's card selected;
a source in the reader too, scrolled to its first match, every match marked; a note in the Notes
tab, loaded in its editor, on the card (or the topic) that lists it; a stakeholder or position on
its stakeholder's card (switching topic if need be), found in the details; a note that no card or
topic lists (on a source or a briefing) whole in the details. The filters' kinds are
boxes to tick, as the command's `--kind` can be given more than once.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QElapsedTimer,
    QEvent,
    QItemSelectionModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRunnable,
    Qt,
    QThreadPool,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QAction,
    QKeySequence,
    QShortcut,
    QTextCursor,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from briefing.core.changes import Changes
from briefing.core.dates import format_date
from briefing.core.notes import note_summary
from briefing.core.search import (
    KIND_TITLES,
    KINDS,
    Cancellation,
    SearchCancelled,
    SearchFilters,
    SearchHit,
    search,
)
from briefing.core.search_open import (
    FilterChoices,
    SourceView,
    filter_choices,
    locate,
    source_view,
)
from briefing.errors import BriefingError
from briefing.logs import log_failure, log_path
from briefing.render.detail import stance_label
from briefing.render.search import hit_html, note_html
from briefing.store import Store
from briefing.ui.datefield import DateField, sentence
from briefing.ui.panel import NoteRequest, SourceRequest, WhenShown
from briefing.ui.search_results import (  # noqa: F401 - the results' parts, as before
    HitDelegate,
    HitRole,
    KindRole,
    ResultsView,
    SearchResultsModel,
    describe_hit,
)
from briefing.ui.store_runner import StoreRunner

if TYPE_CHECKING:
    from briefing.ui.panel import PanelContext

# A query runs once typing pauses for DEBOUNCE_MS, and at least every MAX_WAIT_MS while the
# user keeps typing, so results follow a fast typist instead of waiting for them to stop.
DEBOUNCE_MS = 120
MAX_WAIT_MS = 300
RESULT_LIMIT = 100
_Index = QModelIndex | QPersistentModelIndex


# -- the model ---------------------------------------------------------------------------------


# -- painting a hit ----------------------------------------------------------------------------


# -- running queries off the GUI thread ----------------------------------------------------------


class _Signals(QObject):
    finished = Signal(int, object)  # generation, list of hits
    failed = Signal(int, str)  # generation, message


class _SearchTask(QRunnable):
    def __init__(
        self,
        panel: SearchPanel,
        generation: int,
        text: str,
        filters: SearchFilters,
        cancellation: Cancellation,
    ):
        super().__init__()
        self._panel = panel
        self._signals = panel.signals
        self._store = panel.store
        self.generation = generation
        self.text = text
        self.filters = filters
        self.cancellation = cancellation

    def run(self) -> None:
        if self.generation != self._panel.generation:
            return  # a newer request is queued behind this one
        try:
            # This thread's own connection, without a session: a search as the user types
            # is a fraction of a millisecond, and a session would cost as much again.
            with self._store.plain_reading() as connection:
                hits = search(
                    connection,
                    self.text,
                    self.filters,
                    limit=RESULT_LIMIT,
                    as_you_type=True,
                    cancellation=self.cancellation,
                )
        except SearchCancelled:
            return  # the box says something newer, whose own query is on its way
        except BriefingError as error:
            self._signals.failed.emit(self.generation, str(error))
        except Exception as error:  # a bug: say so in the panel, keep its stack in the log
            log_failure("search", error)
            self._signals.failed.emit(
                self.generation,
                f"The search failed unexpectedly ({type(error).__name__}). "
                f"The details are in the log: {log_path()}",
            )
        else:
            self._signals.finished.emit(self.generation, hits)


# -- the panel ---------------------------------------------------------------------------------


class SearchPanel(QWidget):
    """Filters and results; the field itself sits in the window's toolbar."""

    results_shown = Signal(int)  # the number of hits now shown
    open_requested = Signal(object)  # SearchHit

    def __init__(
        self,
        store: Store,
        field: QLineEdit,
        parent: QWidget | None = None,
        *,
        runner: StoreRunner | None = None,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.runner = runner if runner is not None else StoreRunner(store, self)
        self.field = field
        self.generation = 0
        self._shown_generation = 0
        self._open_when_shown = False
        self._counter = itertools.count(1)
        self._cancellation = Cancellation()  # of the query sent last
        # The pool is made first so that it is deleted first: its destructor waits for a running
        # query, whose answer then still has a live object to be sent through.
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)  # one query at a time; stale ones are skipped
        self.signals = _Signals(self)
        self.signals.finished.connect(self._on_results)
        self.signals.failed.connect(self._on_failure)

        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(DEBOUNCE_MS)
        self.timer.timeout.connect(self.run_query)
        self._since_sent = QElapsedTimer()
        self._since_sent.start()
        field.textChanged.connect(self._on_text_changed)

        self.filters_button = QToolButton()
        self.filters_button.setText("Filters")
        self.filters_button.setCheckable(True)
        self.filters_button.setChecked(True)
        self.filters_button.setAccessibleName("Show filters")
        self.filters_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.filters_button.setArrowType(Qt.ArrowType.DownArrow)
        self.status = QLabel("Type in the search box to search everything.")
        self.status.setAccessibleName("Search status")
        self.status.setWordWrap(True)

        # One box per kind, all ticked: untick what you do not want (as `--kind` repeats).
        self.kinds: dict[str, QCheckBox] = {}
        for kind in KINDS:
            box = QCheckBox(KIND_TITLES[kind])
            box.setChecked(True)
            box.setAccessibleName(f"Search {KIND_TITLES[kind].lower()}")
            box.setToolTip(f"Untick to leave {KIND_TITLES[kind].lower()} out of the results")
            self.kinds[kind] = box
        self.stakeholder = QComboBox()
        self.stakeholder.setAccessibleName("Stakeholder")
        self.stance = QComboBox()
        self.stance.setAccessibleName("Stance")
        self.tag = QComboBox()
        self.tag.setAccessibleName("Tag")
        # Sized by characters, not by the longest name or tag, so that filling them never
        # widens the side panel.
        for box in (self.stakeholder, self.stance, self.tag):
            box.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            box.setMinimumContentsLength(12)
        # Either end may stay empty (no bound); a record without a date is then left out.
        self.date_from = DateField()
        self.date_from.setAccessibleName("From date")
        self.date_to = DateField()
        self.date_to.setAccessibleName("To date")
        for edit, end in ((self.date_from, "start"), (self.date_to, "end")):
            example = edit.placeholderText()
            edit.setPlaceholderText(f"Any {end}: 2020-06-09, 9 June 2020")
            edit.setToolTip(f"Leave empty for any {end}, or type a day: {example}")
        self.private = QCheckBox("Include private notes")
        self.private.setAccessibleName("Include private notes")
        self.private.setChecked(True)

        self.filters = QWidget()
        self.filters.setAccessibleName("Search filters")
        grid = QGridLayout(self.filters)
        grid.setContentsMargins(0, 0, 0, 0)
        # The kinds in rows of three: one row of all of them would set the side panel's
        # narrowest width.
        kinds = QGridLayout()
        kinds.setHorizontalSpacing(10)
        for place, box in enumerate(self.kinds.values()):
            kinds.addWidget(box, place // 3, place % 3)
        kinds.setColumnStretch(3, 1)
        grid.addWidget(_buddy("&Kinds:", self.kinds[KINDS[0]]), 0, 0)
        grid.addLayout(kinds, 0, 1, 1, 3)
        grid.addWidget(_buddy("Stakeho&lder:", self.stakeholder), 1, 0)
        grid.addWidget(self.stakeholder, 1, 1)
        grid.addWidget(_buddy("St&ance:", self.stance), 1, 2)
        grid.addWidget(self.stance, 1, 3)
        grid.addWidget(_buddy("Ta&g:", self.tag), 2, 0)
        grid.addWidget(self.tag, 2, 1)
        grid.addWidget(self.private, 2, 2, 1, 2)
        grid.addWidget(_buddy("Dated fro&m:", self.date_from), 3, 0)
        grid.addWidget(self.date_from, 3, 1)
        grid.addWidget(_buddy("t&o:", self.date_to), 3, 2)
        grid.addWidget(self.date_to, 3, 3)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)

        self.model = SearchResultsModel(self)
        self.view = ResultsView()
        self.view.setAccessibleName("Search results")
        self.view.setModel(self.model)
        self.view.setHeaderHidden(True)
        self.view.setRootIsDecorated(False)
        self.view.setItemsExpandable(False)
        self.view.setUniformRowHeights(False)
        self.view.setItemDelegate(HitDelegate(self.view))
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.view.activated.connect(self._open_index)
        self.view.clicked.connect(self._open_index)

        top = QHBoxLayout()
        top.addWidget(self.status, 1)
        top.addWidget(self.filters_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 0)
        layout.addLayout(top)
        layout.addWidget(self.filters)
        layout.addWidget(self.view, 1)

        self.filters_button.toggled.connect(self.filters.setVisible)
        for combo in (self.stakeholder, self.stance, self.tag):
            combo.currentIndexChanged.connect(self._on_filters_changed)
        for box in (self.private, *self.kinds.values()):
            box.toggled.connect(self._on_filters_changed)
        for edit in (self.date_from, self.date_to):
            edit.editingFinished.connect(self._on_dates_changed)
        field.installEventFilter(self)
        self.reload_choices()
        self._choices_when_shown = WhenShown(self, self.reload_choices)

    # -- filters ----------------------------------------------------------------------------------

    def reload_choices(self) -> None:
        """Read the stakeholders and tags the filters offer, keeping what is chosen."""
        self._fill(self.runner.read_now(filter_choices))

    def _fill(self, choices: FilterChoices) -> None:
        for combo, anything, items in (
            (self.stakeholder, "Anyone", choices.stakeholders),
            (self.stance, "Any stance", tuple((s, stance_label(s)) for s in choices.stances)),
            (self.tag, "Any tag", tuple((t, t) for t in choices.tags)),
        ):
            chosen = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(anything, None)
            for value, label in items:
                combo.addItem(label, value)
            found = combo.findData(chosen)
            combo.setCurrentIndex(found if found >= 0 else 0)
            combo.blockSignals(False)

    def current_filters(self) -> SearchFilters:
        chosen = self.chosen_kinds()
        start, end = self.date_from.day(), self.date_to.day()
        return SearchFilters(
            kinds=frozenset() if len(chosen) == len(KINDS) else frozenset(chosen),
            stakeholder_id=self.stakeholder.currentData(),
            tag=self.tag.currentData(),
            stance=self.stance.currentData(),
            date_from=start,
            date_to=end,
            include_private=self.private.isChecked(),
        )

    def chosen_kinds(self) -> tuple[str, ...]:
        return tuple(kind for kind, box in self.kinds.items() if box.isChecked())

    def choose_kinds(self, *kinds: str) -> None:
        """Tick these kinds only (none: every kind), then search once."""
        for kind, box in self.kinds.items():
            box.blockSignals(True)
            box.setChecked(not kinds or kind in kinds)
            box.blockSignals(False)
        self._on_filters_changed()

    def date_problem(self) -> str | None:
        """What is wrong with the dates, in words: not a date, or a range that ends before it
        starts. None when they are dates or empty."""
        for edit in (self.date_from, self.date_to):
            if problem := edit.problem():
                return sentence(problem)
        start, end = self.date_from.day(), self.date_to.day()
        if start and end and end < start:
            return sentence(
                f"the dates run backwards: {format_date(end)} is before {format_date(start)}"
            )
        return None

    def _on_dates_changed(self) -> None:
        if self.field.text().strip():
            self.run_query()  # which says what is wrong with the dates, and shows nothing
        elif problem := self.date_problem():
            self.status.setText(problem)

    def _on_filters_changed(self) -> None:
        if self.field.text().strip():
            self.run_query()

    # -- querying ---------------------------------------------------------------------------------

    def _on_text_changed(self, _text: str) -> None:
        if self.timer.isActive() and self._since_sent.elapsed() >= MAX_WAIT_MS:
            self.run_query()
        else:
            self.timer.start()  # restarts: the query runs once typing pauses

    def run_query(self) -> None:
        """Send what is in the box to the worker; never waits for the answer."""
        self.timer.stop()
        self._since_sent.restart()
        # A slow query for older text would hold up this one (one runs at a time): stop it.
        self._cancellation.cancel()
        self.generation = next(self._counter)
        text = self.field.text()
        if not text.strip():
            self._show(self.generation, [])
            self.status.setText("Type in the search box to search everything.")
            return
        if not self.chosen_kinds():
            self._show(self.generation, [])
            self.status.setText("Tick at least one kind of record to search.")
            return
        if problem := self.date_problem():
            self._show(self.generation, [])
            self.status.setText(problem)
            return
        self.status.setText("Searching\u2026")
        self._cancellation = Cancellation()
        task = _SearchTask(self, self.generation, text, self.current_filters(), self._cancellation)
        self.pool.start(task)

    def refresh(self, changes: Changes) -> None:
        """After a change to the store: new choices for the filters, fresh results."""
        if changes.touches("stakeholder", "tag"):
            if self.field.text().strip():  # searching: the filters follow at once
                self.reload_choices()
            else:  # a rename does not refill 1,000 names into a hidden tab's filters
                self._choices_when_shown.request()
        if self.field.text().strip():
            self.run_query()

    def _on_results(self, generation: int, hits: list[SearchHit]) -> None:
        if generation != self.generation:
            return  # an answer to an older query: the box says something else now
        self._show(generation, hits)
        if self._open_when_shown:
            self._open_when_shown = False
            self._open_index(self.model.first_hit())
        if hits:
            shown = len(hits)
            more = " (the best)" if shown >= RESULT_LIMIT else ""
            self.status.setText(f"{shown} result{'s' if shown != 1 else ''}{more}")
        else:
            self.status.setText(f"Nothing matches \u201c{self.field.text().strip()}\u201d.")

    def _on_failure(self, generation: int, message: str) -> None:
        if generation == self.generation:
            self._open_when_shown = False
            self._show(generation, [])
            self.status.setText(message)

    def _show(self, generation: int, hits: list[SearchHit]) -> None:
        self._shown_generation = generation
        self.model.set_hits(hits)
        self.view.expandAll()
        self.results_shown.emit(len(hits))

    def wait_for_idle(self, milliseconds: int = 10_000) -> bool:
        """Wait until no query is running (for closing the window, and for tests)."""
        return self.pool.waitForDone(milliseconds)

    # -- keys and opening -------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.field and event.type() == QEvent.Type.KeyPress:
            key = event.key()
            if key == Qt.Key.Key_Down and self.model.hit_count():
                self.view.setFocus()
                self.view.selectionModel().setCurrentIndex(
                    self.model.first_hit(), QItemSelectionModel.SelectionFlag.ClearAndSelect
                )
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                if self.timer.isActive() or self._shown_generation != self.generation:
                    # The list is behind the box: open the first hit when the answer comes.
                    self._open_when_shown = True
                    if self.timer.isActive():
                        self.run_query()
                    return True
                current = self.view.currentIndex()
                index = current if self.model.hit(current) else self.model.first_hit()
                self._open_index(index)
                return True
        return super().eventFilter(watched, event)

    def _open_index(self, index: QModelIndex) -> None:
        hit = self.model.hit(index)
        if hit is not None:
            self.open_requested.emit(hit)


def _buddy(text: str, widget: QWidget) -> QLabel:
    label = QLabel(text)
    label.setBuddy(widget)
    return label


# -- attaching to the window -------------------------------------------------------------------


class SearchFeature(QObject):
    """The search box (in `toolbar`, which the window places), the Search tab (`panel`), Edit >
    Find and Ctrl+K; opening a hit asks the window and the other features through navigation."""

    def __init__(self, context: PanelContext) -> None:
        super().__init__(context.window)
        self.context = context
        self.shown = context.shown
        self.field = QLineEdit()
        self.field.setObjectName("search-field")
        self.field.setAccessibleName("Search everything")
        self.field.setPlaceholderText("Search everything (Ctrl+K)")
        self.field.setClearButtonEnabled(True)
        self.field.setMinimumWidth(320)
        self.field.setToolTip(
            'Words, "exact phrases", OR, NOT and prefix* over stakeholders, positions, quotes, '
            "sources and notes"
        )
        toolbar = QToolBar("Search")
        toolbar.setObjectName("search-toolbar")
        toolbar.setAccessibleName("Search toolbar")
        toolbar.setMovable(False)
        toolbar.addWidget(self.field)
        self.toolbar = toolbar

        self.panel = SearchPanel(context.operations.store, self.field, runner=context.runner)
        self.panel.setAccessibleName("Search")
        self.panel.open_requested.connect(self.open_hit)
        self.field.textEdited.connect(self._show_panel)
        context.operations.changed.connect(self.panel.refresh)

        self.find_action = QAction("&Find\u2026", context.window)
        self.find_action.setShortcut(QKeySequence.StandardKey.Find)
        self.find_action.setStatusTip("Search everything (also Ctrl+K from anywhere)")
        self.find_action.triggered.connect(self.focus_field)
        context.menus.edit.addSeparator()
        context.menus.edit.addAction(self.find_action)
        self.anywhere = QShortcut(QKeySequence("Ctrl+K"), context.window)
        self.anywhere.setContext(Qt.ShortcutContext.ApplicationShortcut)
        self.anywhere.activated.connect(self.focus_field)
        self.anywhere.setWhatsThis("Search everything, from anywhere")
        self.field.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Escape in the search box: clear it and go back to the cards and their details.
        if (
            watched is self.field
            and event.type() == QEvent.Type.KeyPress
            and event.key() == Qt.Key.Key_Escape
        ):
            self.field.clear()  # the panel empties itself on the change, as on any edit
            self._show_tab(self.context.details)
            self.context.navigation.cards_requested.emit()
            return True
        return super().eventFilter(watched, event)

    def focus_field(self) -> None:
        self.context.window.raise_()
        self.context.window.activateWindow()
        self.field.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.field.selectAll()
        self._show_panel()

    def _show_panel(self) -> None:
        self._show_tab(self.panel)

    def open_hit(self, hit: SearchHit) -> None:
        """Show a hit where it lives: a quote or a source in the source reader with the words
        searched for marked, anything else on its stakeholder's card, in the details."""
        topic_id, words = self.shown.topic_id, self.field.text()

        def read(session):
            where = locate(session, hit.kind, hit.id, topic_id)
            found = None
            if where.source_id is not None and hit.kind in ("quote", "source"):
                found = source_view(
                    session, where.source_id, words, as_you_type=True, around=hit.at
                )
            note = None
            if hit.kind == "note" and not where.cards:
                note = note_summary(session, hit.id)
            return where, found, note

        where, found, note = self.panel.runner.read_now(read)
        if found is not None:
            self._open_in_source(where, found, hit.at)
            return
        if hit.kind == "note" and self._open_note(hit, where):
            return
        if hit.kind == "note" and not where.cards and self._open_own_note(hit.id):
            # A note on a source or a briefing: no card lists it, the Notes tab opens it there.
            self.context.status(f"Opened {hit.title}", 5000)
            return
        detail = self.context.details
        self._select_card(where)
        for stakeholder_id in where.cards:
            if self.shown.shows_card(stakeholder_id):
                self._show_details()
                if where.find_text:
                    find_in(detail, where.find_text)
                self.context.status(f"Opened {hit.title}", 5000)
                return
        # Not on a card of any topic (a note on a source or a briefing, say): on its own.
        detail.setHtml(note_html(hit, note) if note is not None else hit_html(hit))
        self._show_details()
        self.context.status(f"{hit.title} is not on a card of a topic", 5000)

    def _open_own_note(self, note_id: int) -> bool:
        request = NoteRequest(note_id, "own")
        self.context.navigation.note_requested.emit(request)
        return request.opened

    def _select_card(self, where) -> None:
        """Select the first card of `where` that the topic shows, switching topic if need be."""
        navigation = self.context.navigation
        if where.topic_id is not None and where.topic_id != self.shown.topic_id:
            navigation.topic_requested.emit(where.topic_id)
        for stakeholder_id in where.cards:
            if self.shown.shows_card(stakeholder_id):
                navigation.card_requested.emit(stakeholder_id)
                return

    def _open_note(self, hit: SearchHit, where) -> bool:
        """Ask the Notes tab to open a note, on the card or the topic that lists it. False when
        no card or topic lists it (a note on a source or a briefing), or the tab could not."""
        if where.cards:
            self._select_card(where)  # the Notes tab follows the selected card
            if self.shown.stakeholder_id not in where.cards:
                return False
            scope = "card"
        elif where.topic_id is not None:
            self.context.navigation.topic_requested.emit(where.topic_id)
            if self.shown.topic_id != where.topic_id:
                return False  # the window has no such topic
            scope = "topic"
        else:
            return False
        start_end = hit.highlights[0] if hit.highlights else None
        words = hit.snippet[start_end[0] : start_end[1]] if start_end else ""
        request = NoteRequest(hit.id, scope, select_text=words)
        self.context.navigation.note_requested.emit(request)
        if request.opened:
            self.context.status(f"Opened {hit.title[:1].lower()}{hit.title[1:]}", 5000)
        return request.opened

    def _open_in_source(self, where, found: SourceView, at: int | None = None) -> None:
        """Ask the source reader to open the source on the words searched for: a quote selected
        in its context (its speaker's card selected too), a source at the passage the hit was
        found in (`at`, its offset), on the first match there."""
        self._select_card(where)
        self.context.navigation.source_requested.emit(
            SourceRequest(
                where.source_id,
                quote_id=where.quote_id,
                matches=tuple(found.highlights),
                at=at,
                title=found.title,
            )
        )

    def _show_tab(self, widget: QWidget) -> None:
        self.context.navigation.tab_requested.emit(widget, False)

    def _show_details(self) -> None:
        self._show_tab(self.context.details)
        self.context.details.setFocus(Qt.FocusReason.OtherFocusReason)


def _upper_third(view) -> None:
    """Scroll a text view so that its cursor sits in the upper third, not at an edge."""
    view.ensureCursorVisible()
    bar = view.verticalScrollBar()
    bar.setValue(bar.value() + view.cursorRect().top() - view.viewport().height() // 3)


def find_in(browser, text: str) -> bool:
    """Select `text` in the details (or its first words) and scroll to it."""
    cursor = browser.textCursor()
    cursor.movePosition(QTextCursor.MoveOperation.Start)
    browser.setTextCursor(cursor)
    words = text.split()
    for attempt in (" ".join(words), " ".join(words[:8]), " ".join(words[:3])):
        if attempt and browser.find(attempt):
            # Bring the words to the upper third of the panel, not just inside its bottom edge.
            _upper_third(browser)
            return True
    return False
