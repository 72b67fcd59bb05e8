"""The main window: a topic chooser, the stakeholder cards, and the selected card's details.

The window builds its features itself, each with the one `PanelContext` (`ui.panel`): the store
runner, `operations` (through which every change to the store runs and is announced, so the
cards and details refresh after any edit), navigation signals, what the window shows (`Shown`),
the menus and the status line. It places what each feature exposes (its side tab, its actions,
its toolbar) and answers navigation requests (a topic, a card, a tab); features never set
attributes on the window, and reach each other only through signals.
"""

from __future__ import annotations

import datetime as dt
import sys
from html import escape
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QByteArray,
    QEvent,
    QItemSelectionModel,
    QKeyCombination,
    QMimeData,
    QModelIndex,
    QObject,
    QPointF,
    QSettings,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QAction,
    QDragEnterEvent,
    QDropEvent,
    QGuiApplication,
    QKeyEvent,
    QKeySequence,
    QShortcut,
)
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTabWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from briefing import __version__
from briefing.core.changes import Changes, added_record, edited_record
from briefing.core.dates import format_date
from briefing.errors import StoreUnreachable
from briefing.render import palette
from briefing.text import isolate
from briefing.ui import theme
from briefing.ui.browser import SafeBrowser
from briefing.ui.cards import CardGrid, CardListModel, StakeholderIdRole, describe, plural
from briefing.ui.datefield import DateField
from briefing.ui.panel import Menus, Navigation, PanelContext, Shown

if TYPE_CHECKING:
    from briefing.store import Store
    from briefing.store.first_screen import FirstScreen

# What the window needs of the store (SQLAlchemy, the models, every feature's module) is
# imported when the store is attached (`MainWindow.attach`), not with this module: a window
# opened on a first screen (`briefing.store.first_screen`) paints before it is loaded.

SWITCH_INTERVAL_S = 0.0005  # how long a thread holds Python's lock before others get a turn
_frozen: list[bool] = []


def freeze_start_up_objects() -> None:
    """Once a process's first window is built: leave the objects made so far (modules, widgets,
    the models' metadata) out of Python's full garbage collections.

    A full collection walks every object and holds Python's lock while it does, so the window
    cannot paint meanwhile. A background job that makes many objects (pypdf reading a PDF page)
    sets one off every page or so: with the window's objects walked each time, a pure-Python
    heartbeat beside a 30-page PDF's reading waited up to 113-175 ms; with them frozen, 25-50 ms
    (`gc.freeze`, which the Python documentation suggests for long-lived objects made at
    start-up). Only once: a later window's objects are collected as usual."""
    import gc

    if not _frozen:
        _frozen.append(True)
        gc.collect()  # what is garbage now is freed, not kept for ever
        gc.freeze()


DETAIL_QUOTES = 50  # quotes the details show of a card at first, and more per "Show more"
ASYNC_DETAIL_QUOTES = 20  # a card with more quotes has its details read in the background
NOTES_ONLY = frozenset({"note", "tag"})  # changes that touch nothing on a card but its notes


NO_CARDS_HTML = (
    "<h2>No stakeholders on this topic yet</h2><p class='muted'>Add the first with "
    "<b>Edit › New stakeholder…</b> (Ctrl+Shift+N), or put one that is already in "
    "the store on this topic with <b>Edit › Add existing stakeholder to topic…</b>. "
    "Its card will appear on the left, and its details here.</p>"
)
LOADING_HTML = "<h2>{name}</h2><p class='muted'>Loading the details\u2026</p>"
NO_TOPIC_HTML = (
    "<h2>No topic yet</h2><p class='muted'>Start one with <b>Edit › New topic…</b>, "
    "then add its stakeholders.</p>"
)
WELCOME_HTML = (
    "<h2>Select a card</h2><p class='muted'>Click a stakeholder, or move with the arrow keys and "
    "press Enter, to see their full position, every quote with its citation and whether it "
    "matches the stored source, their timeline and your notes.</p>"
)


SERVER_LOST_TEXT = (
    "<b>The team store's server cannot be reached.</b> What you type is kept: notes are saved "
    "when it is back, and a form that could not save keeps its text to save again."
)
SERVER_LOST_STYLE = f"QLabel {{ background: {palette.ERROR}; color: white; padding: 6px 10px; }}"


class _WaitingInput(QObject):
    """What the user types into, or drops on, a window still waiting for its store (a first
    screen, every control disabled): kept, and replayed once the store is attached, in order.
    A key that is a shortcut of the window's (Ctrl+K: the search field) triggers it, and the
    keys after it go to whatever then has the focus, so that "Ctrl+K police" typed while the
    store opens searches for police; files dropped go to the window's drop handlers."""

    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.events: list[tuple] = []  # ("key", combination, text, repeat) or ("drop", urls)

    KINDS = frozenset(
        (
            QEvent.Type.KeyPress,
            QEvent.Type.KeyRelease,
            QEvent.Type.DragEnter,
            QEvent.Type.DragMove,
            QEvent.Type.Drop,
        )
    )

    def eventFilter(self, watched, event) -> bool:
        # The kind first: this filter sees every event of the application while it waits,
        # and some go to widgets still being built (not to be touched yet).
        kind = event.type()
        if kind not in self.KINDS or not watched.isWidgetType():
            return False
        if watched.window() is not self.window:
            return False
        if kind == QEvent.Type.KeyPress:
            self.events.append(("key", event.keyCombination(), event.text(), event.isAutoRepeat()))
            return True
        if kind == QEvent.Type.KeyRelease:
            return True  # replayed with its press
        if kind in (QEvent.Type.DragEnter, QEvent.Type.DragMove):
            if event.mimeData().hasUrls():
                event.acceptProposedAction()
                return True
        elif kind == QEvent.Type.Drop and event.mimeData().hasUrls():
            event.acceptProposedAction()
            self.events.append(("drop", list(event.mimeData().urls())))
            return True
        return False

    def drop(self) -> None:
        QApplication.instance().removeEventFilter(self)
        self.events.clear()
        self.deleteLater()

    def replay(self) -> None:
        QApplication.instance().removeEventFilter(self)
        events, self.events = self.events, []
        for event in events:
            if event[0] == "key":
                self._key(*event[1:])
            else:
                self._drop(event[1])
        self.deleteLater()

    def _key(self, combination: QKeyCombination, text: str, repeat: bool) -> None:
        pressed = QKeySequence(combination)
        for action in self.window.findChildren(QAction):
            if action.isEnabled() and pressed in action.shortcuts():
                action.trigger()
                return
        for shortcut in self.window.findChildren(QShortcut):
            if shortcut.isEnabled() and shortcut.key() == pressed:
                shortcut.activated.emit()
                return
        target = self.window.focusWidget() or self.window
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            key = QKeyEvent(kind, combination.key(), combination.keyboardModifiers(), text, repeat)
            QApplication.sendEvent(target, key)

    def _drop(self, urls: list) -> None:
        data = QMimeData()
        data.setUrls(urls)
        centre = QPointF(self.window.rect().center())
        for kind in (QEvent.Type.DragEnter, QEvent.Type.Drop):
            make = QDragEnterEvent if kind == QEvent.Type.DragEnter else QDropEvent
            point = centre.toPoint() if make is QDragEnterEvent else centre
            event = make(
                point,
                Qt.DropAction.CopyAction,
                data,
                Qt.MouseButton.NoButton,
                Qt.KeyboardModifier.NoModifier,
            )
            QApplication.sendEvent(self.window, event)
            if not event.isAccepted():
                self.window.statusBar().showMessage("The dropped files cannot be taken", 8000)
                return


class MainWindow(QMainWindow):
    others_changed = Signal(object)  # kinds of record other writers changed (a team store)
    server_reachable = Signal(bool)  # whether a team store's server answers (from the listener)

    def __init__(
        self,
        store: Store | None,
        settings: QSettings,
        parent: QWidget | None = None,
        *,
        first_screen: FirstScreen | None = None,
    ) -> None:
        """A window on `store`; or, with `store` None, a window that shows `first_screen` (read
        before the store's libraries were loaded) until `attach(store)` gives it the store.
        Until then its controls and menus are disabled, visibly; keys typed and files dropped
        meanwhile are kept and handed over once the store is attached (`_WaitingInput`):
        nothing the user does reaches a store not yet opened, and nothing is lost."""
        super().__init__(parent)
        self.store = store
        self.settings = settings
        # How features ask for each other and the window (signals, not attributes), and what
        # they read of what the window shows. Made now: a first screen shows a topic too.
        self.navigation = Navigation(self)
        self.shown = Shown(self)
        self.runner = None  # the store runner, the operations, the features: `attach`
        self.listener = None  # a team store's listener for others' changes: `attach`
        # A store shared with others (a team store) tells of their changes as they commit:
        # announced like this window's own, so every view refreshes what they touched.
        self.others_changed.connect(self._on_others_changed)  # queued: from the listener
        # A lost server is said in a banner above the window's content until it is back.
        self.server_banner = QLabel(SERVER_LOST_TEXT)
        self.server_banner.setWordWrap(True)
        self.server_banner.setAccessibleName("Server cannot be reached")
        self.server_banner.setStyleSheet(SERVER_LOST_STYLE)
        self.server_banner.hide()
        self.server_reachable.connect(self._on_server_reachable)
        self._generation = 0  # of `show_topic`: a later showing wins over one still reading
        self._card_order = None  # the shown topic's `CardOrder`, when read with its cards
        self._detail_generation = 0
        self.attached = False
        self.setWindowTitle("Briefing")
        self.setAccessibleName("Briefing main window")

        self.topics = QComboBox()
        self.topics.setAccessibleName("Topic")
        self.topics.setToolTip("Choose the topic whose stakeholders are shown")
        self.topics.setMinimumContentsLength(30)
        self.topics.currentIndexChanged.connect(self._on_topic_chosen)
        topic_label = QLabel("&Topic:")
        topic_label.setBuddy(self.topics)

        toolbar = QToolBar("Topic")
        toolbar.setObjectName("topic-toolbar")
        toolbar.setMovable(False)
        toolbar.setAccessibleName("Topic toolbar")
        toolbar.addWidget(topic_label)
        toolbar.addWidget(self.topics)
        self._add_as_of_control(toolbar)
        self.addToolBar(toolbar)

        self.description = QLabel()
        self.description.setWordWrap(True)
        self.description.setAccessibleName("Topic description")
        self.description.setContentsMargins(10, 6, 10, 2)

        self.cards = CardListModel(self)
        self.grid = CardGrid()
        self.grid.setModel(self.cards)

        self.detail = SafeBrowser()
        self.detail.setAccessibleName("Stakeholder details")
        self.detail.setHtml(WELCOME_HTML)
        # Whether the details show the current card (others, such as search, show other things
        # there), and whether that card changed since while the details were hidden.
        self._detail_shows_card = False
        self._detail_stale = False
        self._rendering_detail = False
        self._detail_pending = False  # a card's details are being read in the background
        # The details show a card's first quotes; "Show more quotes" raises this, a new card
        # resets it. A card with a thousand quotes then opens as fast as one with ten.
        self._detail_quotes = DETAIL_QUOTES
        self.detail.anchorClicked.connect(self._on_detail_link)
        self.detail.textChanged.connect(self._on_detail_replaced)
        self.detail.installEventFilter(self)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.setSpacing(0)
        left_layout.addWidget(self.description)
        left_layout.addWidget(self.grid, 1)
        # What an empty topic shows instead of a blank area: what to do next, and a button.
        self.empty = QWidget()
        self.empty.setAccessibleName("No stakeholders")
        empty_layout = QVBoxLayout(self.empty)
        self.empty_text = QLabel()
        self.empty_text.setWordWrap(True)
        self.empty_text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_button = QPushButton("&New stakeholder…")
        self.empty_button.setAccessibleName("New stakeholder")
        empty_layout.addStretch(1)
        empty_layout.addWidget(self.empty_text)
        empty_layout.addWidget(self.empty_button, 0, Qt.AlignmentFlag.AlignHCenter)
        empty_layout.addStretch(2)
        self.empty.hide()
        left_layout.addWidget(self.empty, 1)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("main-splitter")
        self.side_tabs = QTabWidget()
        self.side_tabs.setObjectName("side-tabs")
        self.side_tabs.setAccessibleName("Side panel")
        self.side_tabs.setDocumentMode(True)
        self.side_tabs.tabBar().setAccessibleName("Side panel tabs")
        self.side_tabs.addTab(self.detail, "&Details")

        self.splitter.addWidget(left)
        self.splitter.addWidget(self.side_tabs)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setChildrenCollapsible(False)
        central = QWidget()
        central_layout = QVBoxLayout(central)
        central_layout.setContentsMargins(0, 0, 0, 0)
        central_layout.setSpacing(0)
        central_layout.addWidget(self.server_banner)
        central_layout.addWidget(self.splitter, 1)
        self.setCentralWidget(central)
        self.setStyleSheet(f"QListView {{ background: {theme.WINDOW_BACKGROUND}; border: none; }}")

        self.statusBar().setAccessibleName("Status")
        self.topic_toolbar = toolbar
        self._restore_layout()
        if store is not None:
            self.attach(store)
        elif first_screen is not None:
            self._show_first_screen(first_screen)

    def _show_first_screen(self, first: FirstScreen) -> None:
        """The topics and cards read before the store was opened, with every control disabled
        until `attach`: the cards can be seen, not yet used."""
        self.topics.blockSignals(True)
        for topic in first.topics:
            self.topics.addItem(topic.name, topic.id)
        self.topics.setCurrentIndex(max(0, self.topics.findData(first.topic_id)))
        self.topics.blockSignals(False)
        self.topic_id = self._shown_topic = first.topic_id
        self.shown.topic_name = self.topics.currentText() if first.topic_id is not None else ""
        self._first_screen = first
        self.cards.set_cards(list(first.cards))
        descriptions = {topic.id: topic.description for topic in first.topics}
        self.description.setText(descriptions.get(first.topic_id, ""))
        if first.topic_id is not None:
            self.setWindowTitle(f"{self.topics.currentText()} \u2014 Briefing")
        self._show_empty_state(first.topic_id, bool(first.cards))
        self.detail.setHtml("<p class='muted'>Opening the store\u2026</p>")
        # The menu bar's titles, so that the cards do not move down when the menus come.
        for title in ("&File", "&Edit", "&View", "&Help"):
            self.menuBar().addMenu(title)
        self._set_waiting(True)

    def _set_waiting(self, waiting: bool) -> None:
        for part in (self.topic_toolbar, self.centralWidget(), self.menuBar()):
            part.setEnabled(not waiting)
        if waiting:
            # Keys pressed and files dropped meanwhile are kept and handed over after `attach`
            # (`_WaitingInput`): nothing typed or dropped while the store opens is lost.
            self._waiting_input = _WaitingInput(self)
            QApplication.instance().installEventFilter(self._waiting_input)
            self.setAcceptDrops(True)
            self.statusBar().showMessage("Opening the store\u2026")
        else:
            self.statusBar().clearMessage()

    def show_opening_failed(self, message: str) -> None:
        """The store could not be opened after the first screen was shown: the cards read
        before its checks give way to what went wrong."""
        self.cards.set_cards([])
        self.description.setText("")
        self.grid.hide()
        self.empty.show()
        self.empty_button.hide()
        self.empty_text.setText(message)
        self.detail.setHtml("")
        self.statusBar().showMessage("The store could not be opened")
        waiting, self._waiting_input = getattr(self, "_waiting_input", None), None
        if waiting is not None:
            waiting.drop()  # nothing typed or dropped can be done now

    def attach(self, store: Store) -> None:
        """Give the window its store: the store runner, the operations, the menus, every
        feature and panel, a team store's listener, then the topics and cards read through the
        store (again, after a first screen)."""
        from briefing.ui.operations import Operations
        from briefing.ui.store_runner import StoreRunner

        self.store = store
        # Store work runs in threads beside this one. Every paint and every model call of the
        # window takes Python's lock; while a reader runs Python, each waits for the reader's
        # time slice (5 ms by default), so a window with many delegates would crawl. Measured
        # again once long reads moved to `query` and exports to a warm child process
        # (bench_gui_stalls.py, longest gap in ms, 0.5 ms slice against Python's 5 ms, two
        # runs of each on the shared 2-core machine, each pair under the same load):
        #   rename 146 / 1,876 and 1,154 / 1,758; switch topics 50 / 150 and 63 / 616;
        #   largest card 54 / 191 and 83 / 436; export 46 / 695 and 486 / 463;
        #   note saved during an import 2,350 / 2,537 and 1,304 / 5,872.
        # The short slice still cuts most stalls by 1.5-10 times, so it stays.
        sys.setswitchinterval(SWITCH_INTERVAL_S)
        self.runner = StoreRunner(store, self)
        self.operations = Operations(store, self, runner=self.runner)
        self.operations.changed.connect(self.on_changes)
        self.operations.stepped.connect(lambda words: self.statusBar().showMessage(words, 10000))
        self.grid.selectionModel().currentChanged.connect(self._on_current_card)
        self.grid.selectionModel().selectionChanged.connect(self._on_selection)
        self.grid.activated.connect(self._on_card_activated)
        self.menuBar().clear()  # a first screen's titles: the real menus follow
        self._build_menus()
        # What every feature is given (`ui.panel`), then the features, in the order their tabs
        # and menu items appear.
        self.context = PanelContext(
            runner=self.runner,
            operations=self.operations,
            navigation=self.navigation,
            shown=self.shown,
            menus=Menus(
                file=self.file_menu,
                edit=self.edit_menu,
                view=self.view_menu,
                help=self.help_menu,
                quit_action=self.quit_action,
                undo_action=self.undo_action,
                redo_action=self.redo_action,
            ),
            status=lambda words, ms=5000: self.statusBar().showMessage(words, ms),
            read_only=store.read_only,
            store_path=store.path,
            details=self.detail,
            window=self,
        )
        self.navigation.topic_requested.connect(self._on_topic_requested)
        self.navigation.card_requested.connect(self._on_card_requested)
        self.navigation.tab_requested.connect(self._on_tab_requested)
        self.navigation.cards_requested.connect(
            lambda: self.grid.setFocus(Qt.FocusReason.ShortcutFocusReason)
        )
        self._build_features()
        self.listener = store.listen(self.others_changed.emit, self.server_reachable.emit)
        self._number_side_tabs()
        self._order_tabs()
        self._bind_delete_keys()
        if not self.centralWidget().isEnabled():  # it waited, on a first screen
            self._set_waiting(False)
        self.attached = True
        first, self._first_screen = getattr(self, "_first_screen", None), None
        if first is not None and self.as_of is None:
            from briefing.store.first_screen import still_current

            if not still_current(first, store.path):
                first = None  # the store changed since: read again
        else:
            first = None
        self.reload(known=first)
        self._restore_place()
        waiting, self._waiting_input = getattr(self, "_waiting_input", None), None
        if waiting is not None:
            waiting.replay()
        freeze_start_up_objects()

    # -- building -----------------------------------------------------------------------------

    def _build_features(self) -> None:
        from briefing.ui.backups import Backups
        from briefing.ui.briefings import BriefingsPanel
        from briefing.ui.compare import CompareFeature
        from briefing.ui.editing import Editing
        from briefing.ui.history import HistoryPanel
        from briefing.ui.notes import NotesPanel
        from briefing.ui.packs import Packs
        from briefing.ui.search import SearchFeature
        from briefing.ui.sources import SourcesPanel
        from briefing.ui.stakeholder_map import MapPanel
        from briefing.ui.store_encryption import StoreEncryption

        context = self.context
        # Edit menu: topics, stakeholders, positions, events; the History tab; comparison.
        self.editing = Editing(context)
        self.grid.addAction(self.editing.delete_stakeholder_action)
        self.empty_button.clicked.connect(self._on_empty_button)
        self.history = HistoryPanel(
            context, self.editing.position_action, self.editing.event_action
        )
        self.side_tabs.addTab(self.history, "Histor&y")  # Alt+H is Help
        self.comparison = CompareFeature(context)
        self.compare_action = self.comparison.action
        # Search: its box in a toolbar, its tab, Edit > Find.
        self.search = SearchFeature(context)
        self.addToolBar(self.search.toolbar)
        self.side_tabs.addTab(self.search.panel, "&Search")
        # Briefings: its tab, File > Export / Export whole topic / Print preview.
        self.briefings = BriefingsPanel(context)
        self.side_tabs.addTab(self.briefings, "&Briefings")
        self.installEventFilter(self.briefings)
        self.export_action = self.briefings.export_action
        self.export_topic_action = self.briefings.export_topic_action
        self.preview_action = self.briefings.preview_action
        # Sources: its tab, File > Import source, View > Go to sources, files dropped here.
        self.sources_panel = SourcesPanel(context)
        self.side_tabs.addTab(self.sources_panel, "Sou&rces")  # Alt+S is Search
        self.import_source_action = self.sources_panel.import_action
        self.show_sources_action = self.sources_panel.show_action
        self.installEventFilter(self.sources_panel.drops)
        # Notes: its tab, File > New note, View > Go to notes.
        self.notes_panel = NotesPanel(context)
        self.side_tabs.addTab(self.notes_panel, "&Notes")
        self.installEventFilter(self.notes_panel)
        # Sharing a topic as a file, and importing one (File menu, and dropped packs).
        self.packs = Packs(context, self.store)
        self.pack_tasks = self.packs.tasks
        self.installEventFilter(self.packs.drops)
        # File > Backups, and restoring one (which reopens the window: `restore_requested`).
        self.backups = Backups(context, self.store)
        self.backups_action = self.backups.action
        # File > Encrypt store… and the like (which reopen the window: `conversion_requested`).
        self.store_encryption = StoreEncryption(context, self.store)
        self.encrypt_action = self.store_encryption.encrypt_action
        self.decrypt_action = self.store_encryption.decrypt_action
        self.change_passphrase_action = self.store_encryption.change_passphrase_action
        if self.store.read_only:
            self.windowTitleChanged.connect(self._mark_read_only)
            self._mark_read_only(self.windowTitle())
            self.statusBar().showMessage(
                "Read-only: this store is open for changes in another window", 0
            )
        self.setAcceptDrops(True)  # sources and packs dropped on the window
        # The stakeholder map. Ctrl+7 reaches it; every letter of "Map" has a use elsewhere.
        self.map_panel = MapPanel(context)
        self.side_tabs.addTab(self.map_panel, "Map")

    @property
    def restore_requested(self):
        """The backup the user chose to restore (File > Backups), once the window has closed."""
        return self.backups.restore_requested

    @property
    def conversion_requested(self):
        """The encryption the user asked for (File > Encrypt store…), once the window has closed."""
        return self.store_encryption.conversion_requested

    def _mark_read_only(self, title: str) -> None:
        from briefing.ui.backups import READ_ONLY_MARK, read_only_title

        if READ_ONLY_MARK not in title:
            self.setWindowTitle(read_only_title(title))

    @property
    def topic_id(self) -> int | None:
        return self.shown.topic_id

    @topic_id.setter
    def topic_id(self, topic_id: int | None) -> None:
        self.shown.topic_id = topic_id

    @property
    def as_of(self) -> dt.date | None:
        return self.shown.as_of

    def _on_topic_requested(self, topic_id: int) -> None:
        position = self.topics.findData(topic_id)
        if position >= 0 and topic_id != self.topic_id:
            self.topics.setCurrentIndex(position)

    def _on_card_requested(self, stakeholder_id: int) -> None:
        row = self.cards.row_of(stakeholder_id)
        if row is not None:
            index = self.cards.index(row, 0)
            self.grid.selectionModel().setCurrentIndex(
                index, QItemSelectionModel.SelectionFlag.ClearAndSelect
            )
            self.grid.scrollTo(index)

    def _on_tab_requested(self, widget: QWidget, focus: bool) -> None:
        if focus:
            self.show_side_tab(widget)
            return
        if not self.toggle_detail.isChecked():
            self.toggle_detail.setChecked(True)
        self.side_tabs.setVisible(True)
        self.side_tabs.setCurrentWidget(widget)

    def _on_selection(self, *_args) -> None:
        self.shown.selected_ids = tuple(
            index.data(StakeholderIdRole) for index in self.grid.selectionModel().selectedIndexes()
        )

    def _action(self, text: str, slot, shortcut=None, tip: str = "") -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        if tip:
            action.setStatusTip(tip)
        action.triggered.connect(slot)
        return action

    def _add_as_of_control(self, toolbar: QToolBar) -> None:
        """The "as of" day: the cards, details, comparison, map and timeline as they stood then
        (empty: today). Read when the user presses Enter or leaves the field."""
        spacer = QWidget()
        spacer.setFixedWidth(18)
        toolbar.addWidget(spacer)
        self.as_of_field = DateField()
        self.as_of_field.setAccessibleName("As of")
        self.as_of_field.setToolTip(
            "Show every card as it stood on this day: each stakeholder's latest position dated "
            "on or before it, the quotes said by then. Empty: today."
        )
        self.as_of_field.setPlaceholderText("today")
        self.as_of_field.setMaximumWidth(150)
        self.as_of_field.editingFinished.connect(self._on_as_of_typed)
        # No Alt letter: every letter of "As of" already reaches something on some side tab
        # (Audience, Stance, Details, File, Search); Tab from the topic box comes here next.
        label = QLabel("As of:")
        label.setBuddy(self.as_of_field)
        toolbar.addWidget(label)
        toolbar.addWidget(self.as_of_field)
        self.as_of_today = QPushButton("Today")
        self.as_of_today.setAccessibleName("Show today")
        self.as_of_today.setToolTip("Show the cards as they are today")
        self.as_of_today.clicked.connect(lambda: self.set_as_of(None))
        self.as_of_today.setEnabled(False)
        toolbar.addWidget(self.as_of_today)

    def _on_as_of_typed(self) -> None:
        text = self.as_of_field.text().strip()
        if not text:
            self.set_as_of(None)
            return
        problem = self.as_of_field.problem()
        found = self.as_of_field.date()
        if problem or found is None:
            self.as_of_field.setStyleSheet(f"QLineEdit {{ border: 1px solid {palette.ERROR}; }}")
            self.statusBar().showMessage(f"As of: {problem or 'not a date'}", 8000)
            return
        self.set_as_of(found[0])

    def set_as_of(self, day: dt.date | None) -> None:
        """Show the picture as it stood on `day` (None: today), everywhere that shows it."""
        self.as_of_field.setStyleSheet("")
        self.as_of_field.set_date(day)
        self.as_of_today.setEnabled(day is not None)
        if day == self.as_of:
            return
        self.shown.as_of = day
        self.show_topic(self.topic_id)
        self.shown.as_of_changed.emit(day)
        if day is not None:
            self.statusBar().showMessage(f"Showing the topic as of {format_date(day)}", 8000)

    def _build_menus(self) -> None:
        from briefing.ui.failures import open_log_folder

        menus = self.menuBar()
        self.file_menu = file_menu = menus.addMenu("&File")
        self.quit_action = self._action(
            "&Quit", self.close, QKeySequence.StandardKey.Quit, "Close Briefing"
        )
        file_menu.addAction(self.quit_action)

        self.edit_menu = edit_menu = menus.addMenu("&Edit")
        # Not the stack's own actions: ours leave the stack where it was when an undo is refused.
        self.undo_action = self.operations.create_undo_action(self)
        self.undo_action.setShortcuts([QKeySequence.StandardKey.Undo])
        self.redo_action = self.operations.create_redo_action(self)
        self.redo_action.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        edit_menu.addAction(self.undo_action)
        edit_menu.addAction(self.redo_action)
        edit_menu.addSeparator()
        self.copy_action = self._action(
            "&Copy card",
            self.copy_selected,
            QKeySequence.StandardKey.Copy,
            "Copy the selected cards as text",
        )
        edit_menu.addAction(self.copy_action)
        edit_menu.addAction(
            self._action(
                "Select &all cards", self.grid.selectAll, QKeySequence.StandardKey.SelectAll
            )
        )

        self.view_menu = view_menu = menus.addMenu("&View")
        view_menu.addAction(
            self._action(
                "Re&fresh", self.reload, QKeySequence.StandardKey.Refresh, "Read the store again"
            )
        )
        view_menu.addAction(
            self._action("Go to &cards", self.grid.setFocus, "Ctrl+0", "Move focus to the cards")
        )
        self.toggle_detail = self._action("Sho&w details panel", self._on_toggle_detail, "F9")
        self.toggle_detail.setCheckable(True)
        self.toggle_detail.setChecked(True)
        view_menu.addAction(self.toggle_detail)

        self.help_menu = help_menu = menus.addMenu("&Help")
        help_menu.addAction(
            self._action(
                "Open &log folder",
                open_log_folder,
                tip="Show the folder of the app's log, which records failures (never your text)",
            )
        )
        help_menu.addAction(
            self._action(
                "&Keyboard shortcuts",
                self.show_shortcuts,
                QKeySequence.StandardKey.HelpContents,
                "Every shortcut of the window, read from its menus",
            )
        )
        help_menu.addSeparator()
        help_menu.addAction(self._action("&About Briefing", self.show_about))

    def _number_side_tabs(self) -> None:
        """Ctrl+1 to Ctrl+6: each side tab in its order on screen, from anywhere in the window.

        A feature's own "Go to ..." action (Notes, Sources) gets its tab's number; the other
        tabs get one here, which shows the tab and puts the cursor in its first control."""
        existing = {action.text(): action for action in self.view_menu.actions()}
        for index in range(self.side_tabs.count()):
            widget = self.side_tabs.widget(index)
            name = "Go to " + self.side_tabs.tabText(index).lower()
            keys = QKeySequence(f"Ctrl+{index + 1}") if index < 9 else QKeySequence()
            action = existing.get(name)
            if action is None:
                action = self._action(
                    name,
                    lambda _checked=False, w=widget: self.show_side_tab(w),
                    tip=f"Show the {name[6:].replace('&', '')} tab and move focus to it",
                )
                self.view_menu.addAction(action)
            action.setShortcut(keys)

    def _order_tabs(self) -> None:
        """Tab runs as the screen reads: topic box, "as of" day and search box along the top,
        then the cards (or, on an empty topic, its New stakeholder button), then the side tabs
        and the shown tab's contents. The search box is made last (by its feature), so without
        this it came after everything else."""
        chain = [self.topics, self.as_of_field, self.as_of_today, self.search.field]
        chain += [self.grid, self.empty_button]
        chain.append(self.side_tabs.tabBar())
        for first, second in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(first, second)

    def _bind_delete_keys(self) -> None:
        """The Delete key in every list of deletable things runs that list's own Delete button's
        slot, so it asks the same question (notes, briefings, quotes) and is undoable the same
        way. Each key works only where its list has the focus, like the cards' Delete."""
        lists = [
            (self.notes_panel.list, self.notes_panel.delete_selected, "Delete note"),
            (self.briefings.list, self.briefings.delete, "Delete briefing"),
            (self.briefings.items, self.briefings.remove, "Remove item from briefing"),
            (self.sources_panel.quote_list, self.sources_panel.delete_quote, "Delete quote"),
            (self.history.positions, self.history.remove_position, "Delete position"),
            (self.history.events, self.history.remove_event, "Delete event"),
        ]
        self.delete_actions: list[QAction] = []
        for view, slot, text in lists:
            action = QAction(text, view)
            action.setShortcut(QKeySequence(QKeySequence.StandardKey.Delete))
            action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
            action.triggered.connect(lambda _checked=False, slot=slot: slot())
            view.addAction(action)
            self.delete_actions.append(action)

    def show_side_tab(self, widget: QWidget) -> None:
        """Show a side tab (the panel too, if hidden) and move focus into it."""
        if not self.toggle_detail.isChecked():
            self.toggle_detail.setChecked(True)
            self._on_toggle_detail(True)
        self.side_tabs.setCurrentWidget(widget)
        target = widget if widget.focusPolicy() != Qt.FocusPolicy.NoFocus else None
        if target is None:
            candidate = widget.nextInFocusChain()
            while candidate is not None and candidate is not widget:
                if (
                    widget.isAncestorOf(candidate)
                    and candidate.isVisible()
                    and candidate.isEnabled()
                    and candidate.focusPolicy() & Qt.FocusPolicy.TabFocus
                ):
                    target = candidate
                    break
                candidate = candidate.nextInFocusChain()
        if target is not None:
            target.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def show_shortcuts(self) -> None:
        from briefing.ui.shortcuts import ShortcutsDialog

        ShortcutsDialog(self).exec()

    # -- state --------------------------------------------------------------------------------

    def _restore_layout(self) -> None:
        geometry = self.settings.value("main/geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            self.resize(1400, 860)
        splitter = self.settings.value("main/splitter")
        if isinstance(splitter, QByteArray) and not splitter.isEmpty():
            self.splitter.restoreState(splitter)
        else:
            self.splitter.setSizes([880, 520])

    def save_layout(self) -> None:
        self.settings.setValue("main/geometry", self.saveGeometry())
        self.settings.setValue("main/splitter", self.splitter.saveState())
        if self.topic_id is not None:
            self.settings.setValue("main/topic", self.topic_id)
        # Where the user was, so that the app reopens there (see `_restore_place`).
        card = self.selected_stakeholder_id()
        self.settings.setValue("main/card", card if card is not None else -1)
        self.settings.setValue("main/cards_scroll", self.grid.verticalScrollBar().value())
        self.settings.setValue("main/side_tab", self.side_tabs.currentIndex())
        sources = self.sources_panel
        if sources.document is not None:
            self.settings.setValue("main/source", sources.document.id)
            self.settings.setValue("main/source_offset", sources.reader.top_offset())
        self.settings.sync()

    def _restore_place(self) -> None:
        """Reopen where the user left: the card, the side tab, the open source and the
        scroll positions (the topic is chosen by `reload`). What no longer exists is skipped."""
        card = self.settings.value("main/card", -1, type=int)
        if card >= 0 and (row := self.cards.row_of(card)) is not None:
            self.grid.setCurrentIndex(self.cards.index(row, 0))
        sources = self.sources_panel
        source = self.settings.value("main/source", -1, type=int)
        if source >= 0:
            # An offset into the source's text: the reader shows a window of a long text, and
            # a scroll bar's value would be read in whatever window opens first.
            offset = self.settings.value("main/source_offset", 0, type=int)

            def scroll() -> None:  # once the list (read in the background) shows it
                if sources.document is not None and sources.document.id == source:
                    QTimer.singleShot(0, sources.reader, lambda: sources.reader.show_from(offset))

            sources.reload(select_source=source, then=scroll)
        tab = self.settings.value("main/side_tab", 0, type=int)
        if 0 <= tab < self.side_tabs.count():
            self.side_tabs.setCurrentIndex(tab)
        cards_scroll = self.settings.value("main/cards_scroll", 0, type=int)
        QTimer.singleShot(
            0, self.grid, lambda: self.grid.verticalScrollBar().setValue(cards_scroll)
        )

    def closeEvent(self, event) -> None:
        if self.attached:  # a window closed while opening keeps the place saved before
            self.save_layout()
        super().closeEvent(event)
        if event.isAccepted() and self.attached:
            self.runner.wait_idle()  # saves off the GUI thread land before the store closes
            search = getattr(self, "search", None)
            if search is not None:
                # A search runs on its thread's own connection, which closing the store
                # closes: let a running one end first (else SQLite is used after its close).
                search.panel.wait_for_idle()
            if self.listener is not None:
                self.listener.stop()

    # -- loading ------------------------------------------------------------------------------

    def reload(self, *, known: FirstScreen | None = None) -> None:
        """Read topics and the current topic's cards again, keeping the selection if it can;
        with `known`, a first screen read from the store as it still is, take its topics and
        cards instead of reading them a second time."""
        from briefing.core.lookup import list_topics

        selected = self.selected_stakeholder_id()
        topics = known.topics if known is not None else self.runner.read_now(list_topics)
        wanted = self.topic_id or self.settings.value("main/topic", type=int)
        self._descriptions = {topic.id: topic.description for topic in topics}
        self.topics.blockSignals(True)  # one show_topic below, not one per item added
        self.topics.clear()
        for topic in topics:
            self.topics.addItem(topic.name, topic.id)
            self.topics.setItemData(
                self.topics.count() - 1, topic.description, Qt.ItemDataRole.ToolTipRole
            )
        index = self.topics.findData(wanted)
        self.topics.setCurrentIndex(index if index >= 0 else (0 if topics else -1))
        self.topics.blockSignals(False)
        shown = self.topics.currentData()
        cards = known.cards if known is not None and known.topic_id == shown else None
        self.show_topic(shown, select=selected, known_cards=cards)

    def _on_topic_chosen(self, index: int) -> None:
        topic_id = self.topics.itemData(index) if index >= 0 else None
        self.show_topic(topic_id)

    def show_topic(
        self, topic_id: int | None, select: int | None = None, *, known_cards=None
    ) -> None:
        """Show a topic's cards, keeping the card of `select` (default: the current card);
        `known_cards`: the topic's cards as the store holds them now (a first screen's)."""
        from briefing.core.cards import card_order, topic_cards
        from briefing.core.info import counts

        selected = select if select is not None else self.selected_stakeholder_id()
        self.shown.topic_id = topic_id
        self.shown.topic_name = self.topics.currentText() if topic_id is not None else ""
        cards = []
        numbers: dict[str, int] = {}
        order = None
        if topic_id is not None and known_cards is not None:
            self._generation += 1  # an older showing still reading gives way to this one
            cards = list(known_cards)
            numbers, order = self.runner.read_now(
                lambda session: (counts(session), card_order(session, topic_id))
            )
        elif topic_id is not None:
            # Read on a reader thread; the window paints meanwhile (`StoreRunner.read_now`).
            generation = self._generation = self._generation + 1
            as_of = self.as_of

            def read(session):
                order = card_order(session, topic_id)
                return (
                    topic_cards(session, topic_id, as_of=as_of, order=order),
                    counts(session),
                    order,
                )

            cards, numbers, order = self.runner.read_now(read)
            if generation != self._generation:
                return  # a newer showing ran while this one read: it has the last word
        self._card_order = order  # what `_refresh_cards` compares with (None: read it all)
        # Keep the grid where it was: a refresh after an edit or an undo must not jump to the top.
        scroll = self.grid.verticalScrollBar().value()
        same_topic = topic_id == getattr(self, "_shown_topic", None)
        self._shown_topic = topic_id
        self.cards.set_cards(cards)
        self.shown.card_ids = tuple(self.cards.ids())
        if topic_id is None:
            self.description.setText("This store holds no topic yet.")
            self.setWindowTitle("Briefing")
        else:
            self.description.setText(self._descriptions.get(topic_id, ""))
            when = f" as of {format_date(self.as_of)}" if self.as_of else ""
            self.setWindowTitle(f"{self.topics.currentText()}{when} \u2014 Briefing")
        self._show_empty_state(topic_id, bool(cards))
        row = self.cards.row_of(selected) if selected is not None else None
        if row is None and cards:
            row = 0  # open on the first card rather than an empty panel
        if row is not None:
            self.grid.setCurrentIndex(self.cards.index(row, 0))
        else:
            self._show_detail()
        if same_topic:
            self.grid.doItemsLayout()
            self.grid.verticalScrollBar().setValue(scroll)
        self._show_counts(numbers)
        self._sync_shown_cards()  # a reset of the cards says nothing to the selection's signals
        if topic_id is not None:
            self.shown.topic_changed.emit(topic_id)

    def _show_empty_state(self, topic_id: int | None, has_cards: bool) -> None:
        """An empty topic (or store) says what to do next and offers the button to do it."""
        self.grid.setVisible(has_cards)
        self.empty.setVisible(not has_cards)
        if topic_id is None:
            self.empty_text.setText("This store holds no topic yet. Start one:")
            self.empty_button.setText("New &topic…")
        else:
            self.empty_text.setText(
                "No stakeholders on this topic yet. Add the first one, or use Edit › Add "
                "existing stakeholder to topic for one already in the store."
            )
            self.empty_button.setText("&New stakeholder…")
        self.empty_button.setAccessibleName(self.empty_button.text().replace("&", "").rstrip("…"))

    def _on_empty_button(self) -> None:
        if self.topic_id is None:
            self.editing.new_topic()
        else:
            self.editing.new_stakeholder()

    def _show_counts(self, numbers: dict[str, int]) -> None:
        self._counts_text = (
            f"{plural(self.cards.rowCount(), 'stakeholder')} on this topic \u00b7 "
            f"{plural(numbers.get('quotes', 0), 'quote')}, "
            f"{plural(numbers.get('sources', 0), 'source')}, "
            f"{plural(numbers.get('notes', 0), 'note')} in the store \u00b7 {self.store.path}"
        )
        self.statusBar().showMessage(self._counts_text)

    def _refresh_counts(self) -> None:
        """The store's counts read again in the background (they count whole tables); shown
        when they arrive unless another message took the status bar meanwhile ("Imported…")."""
        from briefing.core.info import counts

        shown = self.statusBar().currentMessage()
        before = getattr(self, "_counts_text", None)

        def arrived(numbers: dict[str, int]) -> None:
            now = self.statusBar().currentMessage()
            if now in ("", shown, before):
                self._show_counts(numbers)

        self.runner.query(
            counts, success=arrived, what="counting the store's records", key="counts"
        )

    def _on_server_reachable(self, reached: bool) -> None:
        self.server_banner.setVisible(not reached)
        if reached:
            self.statusBar().showMessage("The team store's server answers again", 8000)

    def _on_others_changed(self, kinds: frozenset[str]) -> None:
        self.operations.changed.emit(Changes(frozenset(kinds)))

    def on_changes(self, changes: Changes) -> None:
        """Refresh after a committed change: topics if they changed, only what notes change
        if only notes did (a note saving itself as it is typed), else the cards.

        A team store's server lost before the refresh could read is said by the banner; the
        listener announces every kind of record when it is back, and all is read again then."""
        try:
            self._refresh_after(changes)
        except StoreUnreachable:
            self.server_banner.show()

    def _refresh_after(self, changes: Changes) -> None:
        if changes.touches("topic"):
            self.reload()
            return
        if changes.kinds <= NOTES_ONLY:
            self.refresh_notes()
            return
        edited = edited_record(changes, "stakeholder")
        if edited is not None and self._refresh_cards({edited}):
            return  # one stakeholder's own record changed: its card was read again, in place
        if added_record(changes, "source") is not None:
            # A new source (an import): no quote cites it yet, so no card or details show
            # anything of it; only the store's counts change (read in the background).
            self._refresh_counts()
            return
        before = set(self.cards.ids())
        self.show_topic(self.topic_id)
        # A card that came back (an undone delete) or is new: show it, where it stands.
        arrived = [card_id for card_id in self.cards.ids() if card_id not in before]
        if before and arrived and (row := self.cards.row_of(arrived[0])) is not None:
            self.grid.setCurrentIndex(self.cards.index(row, 0))
            self.grid.scrollTo(self.cards.index(row, 0))

    def _refresh_cards(self, stakeholder_ids: set[int]) -> bool:
        """After these stakeholders' own records changed (a rename, a new kind or influence):
        read again only the cards they count on, put them in place (a card whose name moved it
        moves, nothing is reset), and the details if they are shown (else when next shown).
        False when that cannot be done (their parents changed, so cards fold differently; the
        grid was not read in full yet): the caller reads the topic again."""
        from briefing.core.cards import card_order, topic_cards

        topic_id, as_of, known = self.topic_id, self.as_of, self._card_order
        if topic_id is None or known is None or self.cards.rowCount() != len(known.ids):
            return False

        def read(session):
            order = card_order(session, topic_id)
            if order.owner != known.owner:
                return order, None
            wanted = order.cards_of(stakeholder_ids)
            if not wanted:
                return order, []
            return order, topic_cards(session, topic_id, as_of=as_of, only=wanted, order=order)

        generation = self._generation
        order, cards = self.runner.read_now(read)  # a card or two: bounded, however big the store
        if generation != self._generation or topic_id != self.topic_id:
            return True  # a newer showing ran meanwhile and read everything
        if cards is None or not self.cards.update_cards(cards, order.ids):
            return False
        self._card_order = order
        self.shown.card_ids = tuple(self.cards.ids())
        self._sync_shown_cards()  # the current card's name may be the one that changed
        if self._detail_shows_card:
            # Its page may name them (the card itself, whom it speaks for, who folds into it).
            self._detail_stale = True
            if self.detail.isVisible():
                self._show_detail(keep_scroll=True)
        return True

    def refresh_notes(self) -> None:
        """After a change to notes alone: the cards' note counts, the store's counts, and the
        details if they show a card (now if they are shown, else when they are next shown).
        Nothing else on a card depends on notes."""
        from briefing.core.cards import card_note_counts
        from briefing.core.info import counts

        if self.topic_id is None:
            return
        topic_id = self.topic_id
        note_counts, numbers = self.runner.read_now(
            lambda session: (card_note_counts(session, topic_id), counts(session))
        )
        if topic_id != self.topic_id:
            return
        self.cards.set_note_counts(note_counts)
        self._show_counts(numbers)
        if self._detail_shows_card:
            self._detail_stale = True
            if self.detail.isVisible():
                self._show_detail(keep_scroll=True)

    # -- cards --------------------------------------------------------------------------------

    def selected_stakeholder_id(self) -> int | None:
        index = self.grid.currentIndex()
        return index.data(StakeholderIdRole) if index.isValid() else None

    def select_stakeholder(self, name: str) -> bool:
        """Make the card with this name current, as a click would. False if it is not shown."""
        for row in range(self.cards.rowCount()):
            if self.cards.card(row).name == name:
                self.grid.selectionModel().setCurrentIndex(
                    self.cards.index(row, 0),
                    QItemSelectionModel.SelectionFlag.ClearAndSelect,
                )
                return True
        return False

    def _on_current_card(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self._detail_quotes = DETAIL_QUOTES
        self._sync_shown_cards()
        self._show_detail()
        self.shown.card_changed.emit(self.shown.stakeholder_id)

    def _sync_shown_cards(self) -> None:
        """`shown` as the cards are now: the current card and the selected ones."""
        current = self.grid.currentIndex()
        self.shown.stakeholder_id = current.data(StakeholderIdRole) if current.isValid() else None
        name = current.data(Qt.ItemDataRole.DisplayRole) if current.isValid() else ""
        self.shown.stakeholder_name = name or ""
        self._on_selection()

    def _on_detail_link(self, url) -> None:
        from briefing.render.detail import MORE_QUOTES_HREF

        if url.toString() == MORE_QUOTES_HREF:
            self._detail_quotes += DETAIL_QUOTES
            self._show_detail(keep_scroll=True)

    def _show_detail(self, *, keep_scroll: bool = False) -> None:
        """Show the current card in the details (or the welcome text when there is none).

        A card's details are read and written as HTML on a reader thread. A card with few
        quotes is read at once (`read_now`: a bounded read of a few milliseconds, so the page
        never flashes "Loading…"). A card with more (`ASYNC_DETAIL_QUOTES`) may take most of a
        second on a big store, during which `read_now` would hold back the user's clicks and
        keys: its details say "Loading…" at once (or keep the page they show, on a refresh),
        the window takes input meanwhile, and the page is filled when the read returns."""
        from briefing.core.cards import stakeholder_detail
        from briefing.render.detail import stakeholder_html

        current = self.grid.currentIndex()
        position = self.detail.verticalScrollBar().value()
        generation = self._detail_generation = self._detail_generation + 1
        self._detail_pending = False
        if not current.isValid() or self.topic_id is None:
            if self.topic_id is None:
                self._put_detail(NO_TOPIC_HTML)
            else:
                self._put_detail(NO_CARDS_HTML if not self.cards.rowCount() else WELCOME_HTML)
            self._detail_shows_card = self._detail_stale = False
            return
        topic_id, stakeholder_id = self.topic_id, current.data(StakeholderIdRole)
        limit, as_of = self._detail_quotes, self.as_of
        card = self.cards.card(current.row())

        def read(session) -> str:
            return stakeholder_html(
                stakeholder_detail(
                    session, topic_id, stakeholder_id, quote_limit=limit, as_of=as_of
                )
            )

        def arrived(html: str) -> None:
            if generation != self._detail_generation:
                return  # a newer card was shown while this one was read
            self._detail_pending = False
            self._put_detail(html)
            if keep_scroll:
                self.detail.verticalScrollBar().setValue(position)
            self._detail_shows_card, self._detail_stale = True, False
            self.detail.setAccessibleDescription(describe(card))

        if card.quote_count <= ASYNC_DETAIL_QUOTES:
            arrived(self.runner.read_now(read))
            return

        def failed(error: BaseException) -> None:
            if generation == self._detail_generation:
                self._detail_pending = False
                self._put_detail(WELCOME_HTML)
                self._detail_shows_card = self._detail_stale = False
            self.runner.report(error, "reading the card's details")

        self._detail_pending = True
        if not keep_scroll:  # a refresh keeps the page it shows until the new one is read
            self._put_detail(LOADING_HTML.format(name=escape(card.name)))
            self.detail.setAccessibleDescription(f"Loading the details of {card.name}")
        self.runner.query(read, success=arrived, failure=failed, key="detail")

    def _put_detail(self, html: str) -> None:
        self._rendering_detail = True
        try:
            self.detail.setHtml(html)
        finally:
            self._rendering_detail = False

    def _on_detail_replaced(self) -> None:
        if not self._rendering_detail:
            # Someone else (search) put something else in the details: leave it there.
            self._detail_shows_card = self._detail_stale = False

    def eventFilter(self, watched, event) -> bool:
        if watched is self.detail and event.type() == QEvent.Type.Show and self._detail_stale:
            self._show_detail(keep_scroll=True)
        return super().eventFilter(watched, event)

    def _on_card_activated(self, index: QModelIndex) -> None:
        if not self.toggle_detail.isChecked():
            self.toggle_detail.setChecked(True)
            self._on_toggle_detail(True)
        self.side_tabs.setCurrentWidget(self.detail)
        self.detail.setFocus()

    def _on_toggle_detail(self, visible: bool) -> None:
        self.side_tabs.setVisible(visible)

    def copy_selected(self) -> None:
        rows = sorted(index.row() for index in self.grid.selectionModel().selectedIndexes())
        if not rows:
            return
        blocks = []
        for row in rows:
            card = self.cards.card(row)
            lines = [describe(card)]
            lines += [
                f"  \u201c{isolate(q.text)}\u201d \u2014 {isolate(q.speaker)}, {q.citation}"
                for q in card.quotes
            ]
            blocks.append("\n".join(lines))
        QGuiApplication.clipboard().setText("\n\n".join(blocks))
        self.statusBar().showMessage(f"Copied {len(rows)} card(s)", 3000)

    def show_about(self) -> None:
        QMessageBox.about(
            self,
            "About Briefing",
            f"<h3>Briefing {__version__}</h3>"
            "<p>Offline briefings on civil-liberties issues: stakeholder positions backed by "
            "verbatim quotes checked against stored sources, and your own notes.</p>"
            "<p>Briefing never connects to the network.</p>"
            f"<p>Store: {self.store.path}</p>",
        )
