"""Starting the GUI: the application object, the store, the main window, and open errors."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QMessageBox

from briefing import __version__
from briefing.core.demo import load_demo
from briefing.errors import BriefingError
from briefing.logs import setup_logging
from briefing.paths import APP_NAME, default_store_path
from briefing.store import Store, open_store
from briefing.ui.failures import install_excepthook


def show_error(title: str, message: str) -> None:
    """Tell the user why the app cannot go on. Tests replace this function."""
    QMessageBox.critical(None, title, message)


def application() -> QApplication:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setApplicationDisplayName(APP_NAME)
    return app  # type: ignore[return-value]


def open_store_or_explain(path: Path | None, *, demo: bool) -> Store | None:
    path = path or default_store_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return open_store(path, seed=load_demo if demo else None)
    except BriefingError as error:
        show_error("Cannot open the store", str(error))
    except OSError as error:
        show_error("Cannot open the store", f"{path}: {error.strerror}")
    return None


def no_display_reason() -> str | None:
    """Why a window cannot open here, said before Qt aborts the process over it, or None."""
    if not sys.platform.startswith("linux") or QApplication.instance() is not None:
        return None
    if os.environ.get("QT_QPA_PLATFORM") or os.environ.get("DISPLAY"):
        return None
    if os.environ.get("WAYLAND_DISPLAY"):
        return None
    return (
        "no display to open the window on (neither DISPLAY nor WAYLAND_DISPLAY is set); "
        "the headless commands work without one: see 'briefing --help'"
    )


def run(path: Path | None, *, demo: bool = True) -> int:
    from briefing.ui.main_window import MainWindow

    reason = no_display_reason()
    if reason is not None:
        print(f"briefing: {reason}", file=sys.stderr)
        return 1
    app = application()
    setup_logging()
    install_excepthook()
    store = open_store_or_explain(path, demo=demo)
    if store is None:
        return 1
    window = MainWindow(store, QSettings())
    window.show()
    try:
        return app.exec()
    finally:
        store.close()
