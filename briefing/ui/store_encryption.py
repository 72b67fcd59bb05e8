"""File > Encrypt store…, Decrypt store…, Change passphrase…: what `briefing encrypt`, `decrypt`
and `passphrase` do, from the window.

The dialog asks for the passphrase(s) in fields that do not echo: a new passphrase twice, and the
current one before decrypting or changing it (an unlocked window left on a desk is not enough to
take the encryption off). The conversion is the command line's (`briefing.store.encryption`): each
file exported into a new file under a temporary name, checked in full, renamed into place; a crash
leaves the old store or the new one, whole. It cannot run on a store the window has open, so, as a
restore does, the dialog sets `StoreEncryption.conversion_requested` and closes the window;
`briefing.ui.app` then runs the conversion off the GUI thread behind a progress dialog that says
each step (`convert_with_progress`) and opens a new window on the converted store. A passphrase the
keyring kept is forgotten when the store is decrypted or its passphrase changed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEventLoop, QObject, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QProgressDialog,
    QVBoxLayout,
    QWidget,
)

from briefing.errors import InputError
from briefing.paths import APP_NAME
from briefing.store import encryption
from briefing.ui import passphrase as passphrase_ui
from briefing.ui.jobs import BackgroundJob

if TYPE_CHECKING:
    from briefing.store import Store
    from briefing.ui.panel import PanelContext

ENCRYPT, DECRYPT, CHANGE = "encrypt", "decrypt", "change"

_TITLES = {
    ENCRYPT: "Encrypt the store",
    DECRYPT: "Decrypt the store",
    CHANGE: "Change the passphrase",
}
_BUTTONS = {ENCRYPT: "&Encrypt", DECRYPT: "&Decrypt", CHANGE: "C&hange"}
_DOING = {
    ENCRYPT: "Encrypting the store",
    DECRYPT: "Decrypting the store",
    CHANGE: "Changing the passphrase",
}


@dataclass(frozen=True)
class Conversion:
    """What the user asked for; `passphrase` is the new one (None when decrypting)."""

    mode: str
    passphrase: str | None = field(default=None, repr=False)


class ConvertDialog(QDialog):
    """The passphrase(s) for one conversion, checked before the window closes for it."""

    def __init__(self, path: Path, mode: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.path = Path(path)
        self.mode = mode
        self.conversion: Conversion | None = None
        self.setWindowTitle(f"{APP_NAME}: {_TITLES[mode].lower()}")
        layout = QVBoxLayout(self)
        intro = QLabel(_intro(mode, self.path), self)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.current = self.first = self.second = None
        if mode in (DECRYPT, CHANGE):
            self.current = passphrase_ui._password_field(self, "Current passphrase")
            form.addRow("C&urrent passphrase:", self.current)
        if mode in (ENCRYPT, CHANGE):
            self.first = passphrase_ui._password_field(self, "New passphrase")
            self.second = passphrase_ui._password_field(self, "The same passphrase again")
            form.addRow("&New passphrase:", self.first)
            form.addRow("The same &again:", self.second)
        layout.addLayout(form)
        self.problem = QLabel("", self)
        self.problem.setWordWrap(True)
        self.problem.setAccessibleName("Why the passphrase was refused")
        layout.addWidget(self.problem)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(_BUTTONS[mode])
        buttons.accepted.connect(self.try_accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(500, self.sizeHint().height())

    def _fields(self):
        return [f for f in (self.current, self.first, self.second) if f is not None]

    def try_accept(self) -> None:
        """Check what was typed; refused, say why in words and stay open (nothing changed)."""
        if self.current is not None and not encryption.is_passphrase_of(
            self.path, self.current.text()
        ):
            self._refuse(
                self.current,
                "That is not the store's current passphrase. Nothing was changed; try again.",
            )
            return
        new = None
        if self.first is not None:
            new = self.first.text()
            try:
                encryption._checked(new)  # empty or too long: refused in the same words as CLI
            except InputError as error:
                self._refuse(self.first, f"The new passphrase: {error}.")
                return
            if self.second.text() != new:
                self._refuse(self.second, "The two new passphrases differ; type the same twice.")
                return
        self.conversion = Conversion(self.mode, new)
        for field_ in self._fields():
            field_.clear()  # the passphrase does not linger in the widgets
        self.accept()

    def _refuse(self, field_, words: str) -> None:
        self.problem.setText(words)
        field_.selectAll()
        field_.setFocus()


def _intro(mode: str, path: Path) -> str:
    if mode == ENCRYPT:
        return (
            f"Encrypt <b>{path.name}</b> and its backups with a passphrase. Without it, nobody "
            "can read them, you included: a forgotten passphrase cannot be recovered. The "
            "window closes while the store is encrypted and opens again after; the plain file "
            "is overwritten with zeros and removed (on an SSD or in a snapshot older copies of "
            "its blocks may survive: see the README)."
        )
    if mode == DECRYPT:
        return (
            f"Turn <b>{path.name}</b> and its backups back into plain files, readable by anyone "
            "who has them. Type the current passphrase to confirm. The window closes while the "
            "store is decrypted and opens again after."
        )
    return (
        f"Encrypt <b>{path.name}</b> and its backups again under a new passphrase. The window "
        "closes while this is done and opens again after; from then on only the new passphrase "
        "opens them."
    )


class StoreEncryption:
    """File > Encrypt store… / Decrypt store… / Change passphrase…, as the store allows, and the
    conversion the user asked for, if any (the window then closes, and `ui.app` converts the
    store and opens a new window)."""

    def __init__(self, context: PanelContext, store: Store) -> None:
        self.context = context
        self.store = store
        self.conversion_requested: Conversion | None = None
        encrypted = encryption.is_encrypted(store.path)
        writable = not context.read_only
        menus = context.menus
        actions = {}
        for mode, text, tip in (
            (ENCRYPT, "En&crypt store…", "Encrypt the store and its backups with a passphrase"),
            (DECRYPT, "&Decrypt store…", "Turn the encrypted store back into a plain file"),
            (CHANGE, "Change &passphrase…", "Encrypt the store again under a new passphrase"),
        ):
            action = QAction(text, context.window)
            action.setStatusTip(tip)
            action.setEnabled(writable and (mode == ENCRYPT) != encrypted)
            action.triggered.connect(lambda _checked=False, m=mode: self.ask(m))
            menus.file.insertAction(menus.quit_action, action)
            actions[mode] = action
        menus.file.insertSeparator(menus.quit_action)
        self.encrypt_action = actions[ENCRYPT]
        self.decrypt_action = actions[DECRYPT]
        self.change_passphrase_action = actions[CHANGE]

    def ask(self, mode: str) -> bool:
        """Ask for the passphrase(s); on OK, request the conversion and close the window."""
        window = self.context.window
        dialog = ConvertDialog(self.store.path, mode, window)
        if dialog.exec() != QDialog.DialogCode.Accepted or dialog.conversion is None:
            return False
        self.conversion_requested = dialog.conversion
        if not window.close():  # the window refused to close (a form kept open): nothing done
            self.conversion_requested = None
            return False
        return True


class _Words(QObject):
    said = Signal(str)


class _NotCancellable(Exception):
    """Never raised: a conversion has no Cancel, so no error of its counts as "stopped"."""


@dataclass(frozen=True)
class Outcome:
    done: bool
    words: str  # what was done, or why nothing was


def convert_with_progress(path: Path, conversion: Conversion, parent=None) -> Outcome:
    """Run the conversion in a background thread behind a progress dialog that says each step;
    returns when it has ended (the GUI keeps painting meanwhile)."""
    path = Path(path)
    dialog = QProgressDialog(f"{_DOING[conversion.mode]}…", "", 0, 0, parent)
    dialog.setWindowTitle(f"{APP_NAME}: {_TITLES[conversion.mode].lower()}")
    dialog.setCancelButton(None)  # half-converted files are never left: it runs to its end
    dialog.setWindowModality(Qt.WindowModality.ApplicationModal)
    dialog.setMinimumDuration(0)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    words = _Words()
    words.said.connect(lambda text: dialog.setLabelText(f"{_DOING[conversion.mode]}: {text}…"))

    def work(progress, _cancelled):
        def told(done: int, total: int, text: str) -> None:
            progress(done, total)
            words.said.emit(text)

        if conversion.mode == ENCRYPT:
            return encryption.encrypt_store(path, conversion.passphrase, told, from_window=True)
        if conversion.mode == DECRYPT:
            return encryption.decrypt_store(path, told, from_window=True)
        return encryption.change_passphrase(path, conversion.passphrase, told, from_window=True)

    job = BackgroundJob(
        work,
        stopped_by=_NotCancellable,
        unexpected="the conversion failed: {error}; the store was left as it was",
    )
    job.progressed.connect(lambda done, total: (dialog.setMaximum(total), dialog.setValue(done)))
    ended: list[Outcome] = []
    loop = QEventLoop()

    def succeeded(converted) -> None:
        ended.append(Outcome(True, _said(conversion.mode, converted)))
        loop.quit()

    def failed(text: str) -> None:
        ended.append(Outcome(False, f"{text[:1].upper()}{text[1:]}"))
        loop.quit()

    job.succeeded.connect(succeeded)
    job.failed.connect(failed)
    dialog.show()
    job.start()
    if not ended:
        loop.exec()
    job.wait()
    dialog.close()
    dialog.deleteLater()
    if ended[0].done and conversion.mode in (DECRYPT, CHANGE):
        passphrase_ui.forget_in_keyring(path)  # it no longer opens the store, or none is needed
    return ended[0]


def _said(mode: str, converted: encryption.Converted) -> str:
    done = {
        ENCRYPT: "The store is encrypted",
        DECRYPT: "The store is decrypted: it is a plain file again",
        CHANGE: "The store's passphrase is changed",
    }[mode]
    parts = [f"{done}."]
    if converted.backups:
        parts.append(f"{len(converted.backups)} backup(s) were converted in the same way.")
    if converted.left_plain:
        names = ", ".join(p.name for p in converted.left_plain)
        parts.append(f"Left as they were (not converted): {names}.")
    if mode == ENCRYPT:
        parts.append(
            "The plain file was overwritten with zeros and removed; on an SSD, a copy-on-write "
            "file system or in a snapshot, older copies of its blocks may survive (see the "
            "README)."
        )
    return " ".join(parts)
