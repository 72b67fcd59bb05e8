"""One process, timed from its start to the first paint of a window; run by the benchmarks.

`python paint_child.py app STORE` starts the app as `briefing --db STORE` does and stops once
the card grid has painted; `python paint_child.py bare` shows a bare PySide6 main window with a
list view of ten rows instead; `python paint_child.py bare MODULE...` imports those modules
first (a floor: what the bare window costs once the app's libraries are imported). Prints
`<seconds> <peak resident MB>` and exits. `python paint_child.py interactive STORE` starts the
app the same way and prints `<first paint s> <interactive s> <peak resident MB>`: interactive is
the first paint of the card grid once the window has its store (`MainWindow.attached`: menus,
controls and every feature in place, taking input), followed by the main loop's next turn.
Not collected by pytest.
"""

from __future__ import annotations

import time

STARTED = time.perf_counter()

import os  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402


def peak_megabytes() -> float:
    """This process's peak resident memory. VmHWM, not ru_maxrss: ru_maxrss counts the parent's
    memory at the fork before `exec`, so a child of a big benchmark would seem as big."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _report() -> None:
    elapsed = time.perf_counter() - STARTED
    print(f"{elapsed:.4f} {peak_megabytes():.1f}", flush=True)


def _stop_after_first_paint(widget) -> None:
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication

    class FirstPaint(QObject):
        done = False

        def eventFilter(self, watched, event) -> bool:
            if event.type() == QEvent.Type.Paint and not self.done:
                self.done = True

                def finish() -> None:  # after the paint event has been handled
                    _report()
                    database = sys.modules.get("briefing.store.database")
                    if database is not None and any(database._OPEN.values()):
                        # A store is open (the window opened it before painting): closed as
                        # the app closes it, leaving no -wal for the next run to recover.
                        QApplication.instance().quit()
                    else:
                        # A first screen, painted before the store was opened and before the
                        # main loop runs (where `quit` would be lost): nothing to close.
                        os._exit(0)

                QTimer.singleShot(0, finish)
            return False

    watcher = FirstPaint(widget)
    widget.installEventFilter(watcher)
    widget._first_paint = watcher  # kept alive with the widget


def bare(*modules: str) -> int:
    import importlib

    for module in modules:
        importlib.import_module(module)
    from PySide6.QtCore import QStringListModel
    from PySide6.QtWidgets import QApplication, QListView, QMainWindow

    app = QApplication(sys.argv[:1])
    window = QMainWindow()
    view = QListView()
    view.setModel(QStringListModel([f"Row {n}" for n in range(10)], view))
    window.setCentralWidget(view)
    window.resize(1500, 950)
    _stop_after_first_paint(view.viewport())
    window.show()
    return app.exec()


def app(store: str, *, interactive: bool = False) -> int:
    import briefing.cli

    gui = briefing.cli.gui

    def watched_gui(args) -> int:
        # The window is watched from the moment the GUI starts, not imported before the
        # command line is read: the modules load in the order `briefing` loads them (what
        # the GUI loads before Qt first, as `gui` does; it does so again, at no cost).
        getattr(briefing.cli, "prepare_gui", lambda args: None)(args)
        from PySide6.QtCore import QEvent, QObject

        from briefing.ui import main_window

        original = main_window.MainWindow.__init__

        class HasCards(QObject):  # the first paint counts only with the cards on it
            def eventFilter(self, watched, event) -> bool:
                if event.type() == QEvent.Type.Paint and self.parent().cards.rowCount() == 0:
                    print("the first paint had no cards on it", file=sys.stderr)
                    sys.exit(1)
                return False

        def watched_init(self, *args, **kwargs) -> None:
            original(self, *args, **kwargs)
            self.resize(1500, 950)
            self.grid.viewport().installEventFilter(HasCards(self))
            if interactive:
                _stop_when_interactive(self)
            else:
                _stop_after_first_paint(self.grid.viewport())

        main_window.MainWindow.__init__ = watched_init
        return gui(args)

    briefing.cli.gui = watched_gui
    return briefing.cli.main(["--db", store])


def _stop_when_interactive(window) -> None:
    """Report the first paint of `window`'s grid, and when the window takes input: `attach`
    (the store, every control, menu and feature, the cards read) has returned, the grid has
    painted, and the main loop takes its next turn (where a key pressed is handled; the waits
    inside `attach` take no input). Then quit as the app does (the store closed, no -wal)."""
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication

    class Watch(QObject):
        first: float | None = None
        returned = False
        scheduled = False

        def eventFilter(self, watched, event) -> bool:
            if event.type() == QEvent.Type.Paint and self.first is None:
                self.first = time.perf_counter() - STARTED
                self.ready()
            return False

        def ready(self) -> None:
            if self.returned and self.first is not None and not self.scheduled:
                self.scheduled = True
                QTimer.singleShot(0, self.finish)

        def finish(self) -> None:
            interactive = time.perf_counter() - STARTED
            print(f"{self.first:.4f} {interactive:.4f} {peak_megabytes():.1f}", flush=True)
            QApplication.instance().quit()

    watcher = Watch(window)
    watcher.returned = window.attached  # a window given its store at once attached it in init
    window.grid.viewport().installEventFilter(watcher)
    attach = window.attach

    def watched_attach(store) -> None:
        attach(store)
        watcher.returned = True
        watcher.ready()

    window.attach = watched_attach


if __name__ == "__main__":
    if sys.argv[1] == "bare":
        sys.exit(bare(*sys.argv[2:]))
    sys.exit(app(sys.argv[2], interactive=sys.argv[1] == "interactive"))
