"""Failures the user must hear about: a dialog with what failed, the details, and the log's path.

Two ways in:
- `report_failure(parent, title, message, details)`, called by the window's own code when a job or
  a query fails unexpectedly;
- `install_excepthook()`, which catches what escapes a slot or a worker thread: the error is logged
  (type and stack only, see `briefing.logs`) and shown on the GUI thread, whatever thread raised it.

`show_failure` draws the dialog; tests replace it.
"""

from __future__ import annotations

import sys
import threading
import traceback
from types import TracebackType

from PySide6.QtCore import QObject, Qt, QUrl, Signal, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from briefing.errors import StoreUnreachable, is_unreadable_store, unreadable_store_message
from briefing.logs import describe, log_dir, log_failure, log_path


def show_failure(parent: QWidget | None, title: str, message: str, details: str) -> None:
    """Draw the dialog: the message in words, the traceback behind "Show Details"."""
    box = QMessageBox(
        QMessageBox.Icon.Critical, title, message, QMessageBox.StandardButton.Ok, parent
    )
    box.setAccessibleName(title)
    box.setInformativeText(f"The details are also in the log: {log_path()}")
    box.setDetailedText(details)
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    box.exec()


def details_of(error: BaseException | None) -> str:
    """The whole traceback, message included, for the dialog's details (the user's own screen may
    show the user's own text; the log file holds no message)."""
    return "" if error is None else "".join(traceback.format_exception(error))


def report_failure(parent: QWidget | None, title: str, message: str, error: BaseException) -> None:
    """Log an unexpected failure and tell the user, with the traceback behind "Show Details"."""
    log_failure(title, error)
    show_failure(parent, title, message, details_of(error))


def open_log_folder() -> bool:
    """Help > Open log folder: the folder in the desktop's file manager."""
    folder = log_dir()
    folder.mkdir(parents=True, exist_ok=True)
    return open_url(QUrl.fromLocalFile(str(folder)))


def open_url(url: QUrl) -> bool:
    """Hand a local address to the desktop. Tests replace this so that nothing opens."""
    return QDesktopServices.openUrl(url)


class _Relay(QObject):
    """Carries a failure from any thread to the GUI thread (a queued signal)."""

    failed = Signal(str, str, str)

    @Slot(str, str, str)
    def show(self, title: str, message: str, details: str) -> None:
        show_failure(QApplication.activeWindow(), title, message, details)


_relay: _Relay | None = None


def _unexpected(
    kind: type[BaseException], error: BaseException, tb: TracebackType | None, where: str
) -> None:
    if issubclass(kind, KeyboardInterrupt):
        sys.__excepthook__(kind, error, tb)
        return
    if error.__traceback__ is None and tb is not None:
        error = error.with_traceback(tb)
    log_failure(where, error)
    if isinstance(error, StoreUnreachable):
        # A team store's server went away under a read or a refresh: the window's banner says
        # so, and everything is read again when it is back. Nothing the user must act on.
        return
    if is_unreadable_store(error):
        # The store is damaged: its message may quote a private note, so not even the details
        # hold it (a screenshot of this dialog is easily shared).
        title, message, details = (
            "The store could not be read",
            unreadable_store_message(error),
            describe(error),
        )
    else:
        title = "Something went wrong"
        message = (
            f"Briefing hit an unexpected error ({kind.__name__}) while {where}. What you had "
            "saved is safe in the store; the action that failed may not have finished."
        )
        details = "".join(traceback.format_exception(kind, error, tb))
    if _relay is not None:
        _relay.failed.emit(title, message, details)  # queued to the GUI thread if need be


def install_excepthook() -> None:
    """Route uncaught errors (in slots, in threads) to the log and a dialog."""
    global _relay
    if _relay is None:
        _relay = _Relay(QApplication.instance())
        _relay.failed.connect(_relay.show, Qt.ConnectionType.QueuedConnection)
    sys.excepthook = lambda kind, error, tb: _unexpected(
        kind, error, tb, "carrying out an action in the window"
    )
    threading.excepthook = lambda hook: _unexpected(
        hook.exc_type,
        hook.exc_value or hook.exc_type(),
        hook.exc_traceback,
        f"working in the background ({hook.thread.name if hook.thread else 'a thread'})",
    )


def uninstall_excepthook() -> None:
    """Put Python's own hooks back (tests, and after the app's window closes)."""
    global _relay
    sys.excepthook = sys.__excepthook__
    threading.excepthook = threading.__excepthook__
    if _relay is not None:
        _relay.deleteLater()
        _relay = None
