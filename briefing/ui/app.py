"""Starting the GUI: the application object, the store, the main window, and open errors.

One writer window per store: the window holds a QLockFile beside the store (`NAME.lock`, see
`briefing.store.lock`) while it is open. A second window on the same store is told the store is
open in another window and offered to open it read-only; it never writes. The lock's stale time
is 0, so a lock is given up only when its process is gone (Qt checks the process id), not
because a window stayed open a long time.

Opening checks the store (`briefing.store.database.open_store`): a damaged store is explained in
words and, when there is a good backup, the user is offered to restore it (the damaged file is
kept aside). The daily automatic backup is taken here, when the window opens. An encrypted
store's passphrase is asked first, and a store about to be made offers to be encrypted
(`briefing.ui.passphrase`). A restore chosen in
File > Backups closes the window, restores, and opens a new window on the restored store.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QEventLoop, QLockFile, QObject, QSettings, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from briefing import __version__
from briefing.errors import BriefingError, StoreDamaged
from briefing.logs import setup_logging
from briefing.paths import APP_NAME, default_store, default_store_path, is_team_address
from briefing.store.lock import holder_of, lock_path
from briefing.ui.failures import install_excepthook, uninstall_excepthook

if TYPE_CHECKING:
    from briefing.store import Store

# The store's libraries (SQLAlchemy, the models, the features) load after the first paint when
# the window opens on a first screen (`briefing.store.first_screen`); else before the window.
FIRST_PAINT_WAIT_MS = 1000  # at most this long for the first paint (a window shown minimised)
WARM_EXPORT_AFTER_MS = 2000  # after the window shows: its first paint and reads are done


def show_error(title: str, message: str) -> None:
    """Tell the user why the app cannot go on, as a sentence (the message is the command
    line's too, which prints it after "briefing: "). Tests replace this function."""
    from briefing.ui.datefield import sentence

    QMessageBox.critical(None, title, sentence(message))


def show_notice(title: str, message: str) -> None:
    """Tell the user something the opening did (a -wal set aside). Tests replace this."""
    QMessageBox.information(None, title, message)


def ask(title: str, question: str) -> bool:
    """A yes-or-no question before the window opens. Tests replace this function."""
    answer = QMessageBox.question(
        None,
        title,
        question,
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.No,
    )
    return answer == QMessageBox.StandardButton.Yes


def application() -> QApplication:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setApplicationDisplayName(APP_NAME)
    return app  # type: ignore[return-value]


def claim_store(path: Path) -> QLockFile | None:
    """The store's lock for this window, or None when another window holds it."""
    lock = QLockFile(str(lock_path(path)))
    lock.setStaleLockTime(0)
    if lock.tryLock(200):
        return lock
    if lock.error() == QLockFile.LockError.LockFailedError:
        return None
    return lock  # the lock file cannot be made (a read-only folder): opening will explain


def open_store_or_explain(
    path: Path | None, *, demo: bool, read_only: bool = False, before_telling=None
) -> Store | None:
    """The store opened with every check, or None once the user has been told why not (after
    `before_telling(message)`, if given, which puts the message in the waiting window)."""
    from briefing.core.demo import load_demo
    from briefing.store import encryption, open_store
    from briefing.store.backups import restore_backup
    from briefing.ui import passphrase

    def telling(message: str) -> str:
        if before_telling is not None:
            before_telling(message)
        return message

    path = path or default_store_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        key = None
        if encryption.needs_passphrase(path):
            if not passphrase.ask_passphrase(path):
                return None  # cancelled: nothing opened, nothing changed
        elif not read_only and (not path.exists() or path.stat().st_size == 0):
            choice = passphrase.ask_new_store(path)
            if choice is None:
                return None
            key = choice.key
        store = open_store(
            path,
            seed=load_demo if demo else None,
            read_only=read_only,
            backup_if_due=not read_only,
            encrypt_with=key,
        )
        # A window that closes normally, having been the only writer of the file since its
        # last write, records it as checked: the next opening skips quick_check (for a 223 MB
        # encrypted store, seconds of decrypting every page) unless the window was killed,
        # another program wrote the file meanwhile, or a day has passed since the real check.
        store.vouch_on_close = not read_only
        return store
    except StoreDamaged as error:
        if error.backup is not None and ask(
            "The store is damaged", _offer_restore(error, telling(str(error)))
        ):
            try:
                restore_backup(path, error.backup.path)
                return open_store(path, read_only=read_only)
            except BriefingError as again:
                show_error("Cannot restore the backup", str(again))
        else:
            show_error("The store is damaged", telling(str(error)))
    except BriefingError as error:
        show_error("Cannot open the store", telling(str(error)))
    except OSError as error:
        show_error("Cannot open the store", telling(f"{path}: {error.strerror}"))
    return None


def _warm_export() -> None:
    from briefing.export import process

    process.warm()


def _let_export_go() -> None:
    from briefing.export import process

    process.shut_down()


def _offer_restore(error: StoreDamaged, said: str) -> str:
    taken = error.backup.taken_at.strftime("%Y-%m-%d %H:%M UTC")
    return (
        f"{said}\n\nRestore the latest good backup, from {taken}, now? The damaged store is "
        "kept aside under a dated name beside it."
    )


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
    reason = no_display_reason()
    if reason is not None:
        print(f"briefing: {reason}", file=sys.stderr)
        return 1
    app = application()
    setup_logging()
    install_excepthook()  # a read error of a damaged store is said without its message
    try:
        return _run_window(app, path, demo=demo)
    finally:
        uninstall_excepthook()


def _run_window(app: QApplication, path: Path | None, *, demo: bool) -> int:
    """Claim the store, open it and run the window; again after the user restores a backup.

    A plain store that needs nothing done before it is read (`store.first_screen`) is shown at
    once from one plain read, and opened with every check just after that first paint; any
    other is opened first, as before. A team store is opened first too (`_run_team_window`)."""
    location = path or default_store()
    if is_team_address(location):
        return _run_team_window(app, str(location))
    path = Path(location).expanduser()
    lock = claim_store(path)
    read_only = False
    if lock is None:
        holder = holder_of(path)
        process = f" (process {holder})" if holder else ""
        if not ask(
            "The store is open in another window",
            f"{path} is open in another Briefing window{process}. Only one window can change "
            "a store at a time.\n\nOpen it read-only here? You can read and search, but "
            "not change anything.",
        ):
            return 1
        read_only = True
    try:
        status = 0
        first = _first_window(path) if not read_only else None
        while True:
            from briefing.store.backups import restore_backup
            from briefing.ui.main_window import MainWindow

            if first is not None:
                window, first = first, None
                from briefing.cli import load_after_first_paint

                load_after_first_paint()
                store = open_store_or_explain(
                    path, demo=demo, read_only=read_only, before_telling=window.show_opening_failed
                )
                if store is None:
                    window.close()
                    return 1
            else:
                window = None
                store = open_store_or_explain(path, demo=demo, read_only=read_only)
                if store is None:
                    return 1
            for notice in store.notices:
                show_notice("Opening the store", notice)
            if window is None:
                window = MainWindow(store, QSettings())
                window.show()
            else:
                window.attach(store)
                if not window.isVisible():  # closed by the user before its first paint
                    store.close()
                    return 0
            # The export's process, started ahead (4-6 s of imports) once the window has
            # painted and settled, so that Export shows progress at once (`export.process`).
            QTimer.singleShot(WARM_EXPORT_AFTER_MS, window, _warm_export)
            try:
                status = app.exec()
            finally:
                _let_export_go()
                store.close()
            conversion = window.conversion_requested
            if conversion is not None:
                from briefing.ui.store_encryption import convert_with_progress

                outcome = convert_with_progress(path, conversion)
                (show_notice if outcome.done else show_error)(
                    "Encryption" if outcome.done else "Nothing was changed", outcome.words
                )
                continue  # a new window on the store, converted or as it was
            if window.restore_requested is None:
                return status
            try:
                restore_backup(path, window.restore_requested)
            except BriefingError as error:
                show_error("Cannot restore the backup", str(error))
    finally:
        if lock is not None:
            lock.unlock()


def _run_team_window(app: QApplication, address: str) -> int:
    """A team store: its server keeps it (no lock file, no backups beside it); many windows,
    each a member's, share it."""
    from briefing.store import open_store
    from briefing.ui.main_window import MainWindow
    from briefing.ui.team_password import team_password

    try:
        # The password, when the server asks for one that libpq's files do not give: the
        # keyring's, else the password dialog's; held by the store in memory only.
        store = open_store(address, password=team_password(address))
    except BriefingError as error:
        if getattr(error, "cancelled", False):
            return 1  # the user closed the password dialog: nothing to say
        show_error("Cannot open the team store", str(error))
        return 1
    window = MainWindow(store, QSettings())
    window.show()
    try:
        return app.exec()
    finally:
        store.close()


class _Painted(QObject):
    """Ends `loop` at the first paint of the widget it watches."""

    def __init__(self, loop: QEventLoop) -> None:
        super().__init__(loop)
        self.loop = loop

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.Paint:
            QTimer.singleShot(0, self.loop.quit)  # once the paint itself is done
        return False


def _first_window(path: Path):
    """The window shown on the store's first screen and painted, waiting for its store; or
    None when the store must be opened first (`briefing.store.first_screen`)."""
    from briefing.store.first_screen import read_first_screen
    from briefing.ui.main_window import MainWindow

    settings = QSettings()
    first = read_first_screen(path, settings.value("main/topic", type=int))
    if first is None:
        return None
    window = MainWindow(None, settings, first_screen=first)
    loop = QEventLoop()
    watcher = _Painted(loop)
    window.grid.viewport().installEventFilter(watcher)
    window.show()
    QTimer.singleShot(FIRST_PAINT_WAIT_MS, loop.quit)
    loop.exec()
    window.grid.viewport().removeEventFilter(watcher)
    return window
