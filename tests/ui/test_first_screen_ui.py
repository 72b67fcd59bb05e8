"""The window opened on its first screen (`store.first_screen`), through `ui.app._run_window`:
cards painted before the store's libraries load, every control disabled until the store is
opened with all its checks, and a failed check replacing the cards with its message."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication

from briefing.errors import StoreError
from briefing.store import database, open_store
from briefing.ui import app as app_module
from briefing.ui.main_window import MainWindow


class ScriptedApp:
    """`exec()` plays one window's life with the window that is open (see test_restore_loop)."""

    def __init__(self, step) -> None:
        self.step = step

    def exec(self) -> int:
        (window,) = [
            w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()
        ]
        return self.step(window)


@pytest.fixture
def told(monkeypatch, tmp_path):
    monkeypatch.setattr(
        app_module,
        "QSettings",
        lambda: QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat),
    )
    said: dict[str, list] = {"errors": [], "notices": []}
    monkeypatch.setattr(app_module, "show_error", lambda t, m: said["errors"].append(m))
    monkeypatch.setattr(app_module, "show_notice", lambda t, m: said["notices"].append(m))
    return said


def _waiting_window() -> MainWindow:
    (window,) = [
        w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()
    ]
    return window


def test_the_first_screen_shows_cards_disabled_until_the_store_is_open(
    demo_path, qapp, qtbot, monkeypatch, told, tmp_path
):
    open_store(demo_path).close()  # as after a session: checked, so read before the checks
    seen: dict = {}
    real_open = app_module.open_store_or_explain

    def opening(*args, **kwargs):
        window = _waiting_window()
        seen["cards"] = [window.cards.card(r).name for r in range(window.cards.rowCount())]
        seen["enabled"] = [
            part.isEnabled() for part in (window.grid, window.topics, window.as_of_field)
        ]
        seen["menus"] = [action.text() for action in window.menuBar().actions()]
        seen["menus_enabled"] = window.menuBar().isEnabled()
        seen["drops"] = window.acceptDrops()
        seen["status"] = window.statusBar().currentMessage()
        before = window.grid.currentIndex().row()
        qtbot.keyClick(window.grid, Qt.Key.Key_Right)  # a disabled grid takes no key
        seen["moved"] = window.grid.currentIndex().row() != before
        seen["attached"] = window.attached
        seen["splitter"] = window.splitter.sizes()
        window.grab().save(str(tmp_path / "first-screen.png"))
        return real_open(*args, **kwargs)

    monkeypatch.setattr(app_module, "open_store_or_explain", opening)

    def life(window: MainWindow) -> int:
        seen["after"] = [window.cards.card(r).name for r in range(window.cards.rowCount())]
        seen["after_enabled"] = [window.grid.isEnabled(), window.topics.isEnabled()]
        seen["after_menus"] = [action.text() for action in window.menuBar().actions()]
        seen["after_drops"] = window.acceptDrops()
        seen["after_splitter"] = window.splitter.sizes()
        window.grab().save(str(tmp_path / "attached.png"))
        window.close()
        return 0

    assert app_module._run_window(ScriptedApp(life), demo_path, demo=True) == 0
    assert not seen["attached"]
    assert len(seen["cards"]) >= 10 and "IBM" in seen["cards"]
    assert seen["enabled"] == [False, False, False]
    # The menus' titles stand where they will be, disabled, with nothing in them yet.
    assert seen["menus"] == ["&File", "&Edit", "&View", "&Help"] and not seen["menus_enabled"]
    assert seen["drops"]  # taken, and handed over once the store is open (below)
    assert not seen["moved"]
    assert seen["status"] == "Opening the store\u2026"
    assert seen["after"] == seen["cards"]  # the store unchanged: the first screen's cards
    assert seen["after_enabled"] == [True, True]
    assert seen["after_menus"] == ["&File", "&Edit", "&View", "&Help"] and seen["after_drops"]
    assert told["errors"] == []
    # The panels that come with the store do not push the cards aside.
    assert seen["after_splitter"] == seen["splitter"]


def test_a_failed_opening_replaces_the_cards_with_its_message(
    demo_path, qapp, monkeypatch, told, tmp_path
):
    open_store(demo_path).close()
    shown: dict = {}

    def refused(*args, **kwargs):
        raise StoreError(f"{demo_path}: the disk reported an error; nothing was changed")

    def show_error(title, message) -> None:
        window = _waiting_window()
        shown["cards"] = window.cards.rowCount()
        shown["text"] = window.empty_text.text()
        shown["grid"] = window.grid.isVisible()
        window.grab().save(str(tmp_path / "failed.png"))
        told["errors"].append(message)

    monkeypatch.setattr(database, "open_store", refused)
    monkeypatch.setattr(app_module, "show_error", show_error)
    assert app_module._run_window(ScriptedApp(lambda w: 0), demo_path, demo=True) == 1
    assert shown["cards"] == 0 and not shown["grid"]
    assert "the disk reported an error" in shown["text"]
    assert told["errors"] == [shown["text"]]
    assert not [
        w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()
    ]


def test_the_first_paint_comes_before_sqlalchemy_is_imported(demo_path, tmp_path):
    open_store(demo_path).close()
    probe = textwrap.dedent(
        f"""
        import os, sys
        import briefing.cli
        from briefing.ui import main_window

        shown = main_window.MainWindow._show_first_screen

        def watched(self, first):
            shown(self, first)
            print(len(first.cards), "sqlalchemy" in sys.modules, flush=True)
            os._exit(0)

        main_window.MainWindow._show_first_screen = watched
        briefing.cli.main(["--db", {str(demo_path)!r}])
        print("no first screen", flush=True)
        """
    )
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, env=env
    )
    cards, loaded = done.stdout.split()
    assert int(cards) >= 10 and loaded == "False"


def test_keys_typed_and_files_dropped_while_the_store_opens_are_replayed(
    demo_path, qapp, qtbot, monkeypatch, told, tmp_path
):
    from PySide6.QtCore import QMimeData, QPoint, QPointF, QUrl
    from PySide6.QtGui import QDragEnterEvent, QDropEvent

    from briefing.ui import source_import

    open_store(demo_path).close()
    report = tmp_path / "report.txt"
    report.write_text("The inquiry's findings on facial recognition.", encoding="utf-8")
    imported: list = []
    monkeypatch.setattr(source_import, "import_files", lambda w, paths: imported.append(paths))
    real_open = app_module.open_store_or_explain
    seen: dict = {}

    def opening(*args, **kwargs):
        window = _waiting_window()
        # Ctrl+K (the search field, from anywhere), then a word, typed while the store opens.
        qtbot.keyClick(window, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
        qtbot.keyClicks(window, "police")
        seen["drops"] = window.acceptDrops()
        data = QMimeData()
        data.setUrls([QUrl.fromLocalFile(str(report))])
        centre = window.rect().center()
        enter = QDragEnterEvent(
            QPoint(centre),
            Qt.DropAction.CopyAction,
            data,
            Qt.MouseButton.LeftButton,
            Qt.KeyboardModifier.NoModifier,
        )
        QApplication.sendEvent(window, enter)
        seen["enter_accepted"] = enter.isAccepted()
        drop = QDropEvent(
            QPointF(centre),
            Qt.DropAction.CopyAction,
            data,
            Qt.MouseButton.LeftButton,
            Qt.KeyboardModifier.NoModifier,
        )
        QApplication.sendEvent(window, drop)
        seen["imported_while_waiting"] = list(imported)
        return real_open(*args, **kwargs)

    monkeypatch.setattr(app_module, "open_store_or_explain", opening)

    def life(window: MainWindow) -> int:
        seen["field"] = window.search.field.text()
        seen["focus"] = window.focusWidget() is window.search.field
        window.close()
        return 0

    assert app_module._run_window(ScriptedApp(life), demo_path, demo=True) == 0
    assert seen["drops"] and seen["enter_accepted"]
    assert seen["imported_while_waiting"] == []  # nothing reaches a store not yet open
    assert seen["field"] == "police" and seen["focus"]
    assert imported == [[report]]
    assert told["errors"] == []


@pytest.mark.parametrize("changed", [False, True])
def test_the_cards_are_read_once_unless_the_store_changed_meanwhile(
    demo_path, qapp, monkeypatch, told, changed
):
    from sqlalchemy import text

    from briefing.core import cards as core_cards

    open_store(demo_path).close()
    reads: list[int] = []
    real_cards = core_cards.topic_cards
    monkeypatch.setattr(
        core_cards, "topic_cards", lambda *a, **k: reads.append(1) or real_cards(*a, **k)
    )
    real_open = app_module.open_store_or_explain

    def opening(*args, **kwargs):
        store = real_open(*args, **kwargs)
        if changed:  # as a command writing while the window opened would
            with store.writing() as session:
                session.execute(text("UPDATE stakeholders SET name = 'Renamed' WHERE name = 'IBM'"))
        return store

    monkeypatch.setattr(app_module, "open_store_or_explain", opening)
    seen: dict = {}

    def life(window: MainWindow) -> int:
        seen["names"] = [window.cards.card(r).name for r in range(window.cards.rowCount())]
        window.close()
        return 0

    assert app_module._run_window(ScriptedApp(life), demo_path, demo=True) == 0
    assert len(reads) == (1 if changed else 0)
    assert ("Renamed" in seen["names"]) == changed and ("IBM" in seen["names"]) != changed


def test_a_long_source_title_does_not_widen_the_side_panel(demo_store, qtbot, tmp_path):
    """Lists sized by their longest entry would set the side panel's narrowest width: one
    source with a long title then pushed the cards aside."""
    from briefing.core.sources import import_source

    long = tmp_path / "long.txt"
    long.write_text("A long report on police use of facial recognition.\n", encoding="utf-8")
    title = "Report of the committee on " + "the use of facial recognition technology " * 8
    with demo_store.writing() as session:
        import_source(session, long, title=title)
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(demo_store, settings)
    qtbot.addWidget(window)
    window.resize(1400, 900)
    window.show()
    qtbot.waitUntil(lambda: window.side_tabs.count() > 3)
    narrowest = window.side_tabs.minimumSizeHint().width()
    assert narrowest <= 480, narrowest
    window.grab().save(str(tmp_path / "long-title.png"))


def test_every_module_the_window_attaches_with_is_loaded_after_the_first_paint(demo_path, tmp_path):
    """`cli.load_after_first_paint` loads the attached window's modules with Python's own
    import (faster than PySide6's hook); a module left out of its list still loads, later and
    slower. This keeps the list whole as features are added."""
    open_store(demo_path).close()
    probe = textwrap.dedent(
        f"""
        import os, sys
        import briefing.cli
        from briefing.ui import main_window

        attach = main_window.MainWindow.attach

        def watched(self, store):
            before = set(sys.modules)
            attach(self, store)
            late = sorted(
                name for name in set(sys.modules) - before if name.startswith("briefing.")
            )
            print("late:", " ".join(late), flush=True)
            os._exit(0)

        main_window.MainWindow.attach = watched
        briefing.cli.main(["--db", {str(demo_path)!r}])
        print("never attached", flush=True)
        """
    )
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, env=env
    )
    assert "late:" in done.stdout, done.stdout + done.stderr
    late = done.stdout.split("late:", 1)[1].split()
    assert late == [], f"add to cli._AFTER_FIRST_PAINT: {late}"


def test_a_reason_the_app_cannot_open_reads_as_a_sentence(qapp, monkeypatch):
    """The reason is the command line's message too ("briefing: the team store's server ...
    cannot be reached ..."); in the window's dialog it starts with a capital and ends with a
    full stop."""
    from briefing.ui import app

    shown = []
    monkeypatch.setattr(app.QMessageBox, "critical", lambda *args: shown.append(args[1:]))
    app.show_error("Briefing", "the team store's server cannot be reached; nothing was changed")
    assert shown == [
        ("Briefing", "The team store's server cannot be reached; nothing was changed.")
    ]
