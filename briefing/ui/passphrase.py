"""The passphrase of an encrypted store, asked before the window opens; and the first-run choice.

`PassphraseDialog` asks for the passphrase of an encrypted store: the field does not echo, a wrong
passphrase is refused in words and the dialog stays open for another try, as many as the user
wants (checking reads the file only, so the store is untouched and there is nothing to lock).
Cancel opens nothing. When a keyring can keep secrets (the optional `keyring` package and a
desktop backend: `kept_secrets.usable`, as the team password dialog asks), a box (unticked)
offers to keep the passphrase there; only then is it stored, and a kept passphrase is tried
before the dialog is shown.

`NewStoreDialog` is shown when the window is about to create a store: a box "Encrypt it with a
passphrase", unticked, and the passphrase twice.

Both checks go through `briefing.store.encryption`; nothing here reads the store.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from briefing.errors import BriefingError
from briefing.paths import APP_NAME
from briefing.store import encryption, kept_secrets

_KEYRING_SERVICE = kept_secrets.STORE_PASSPHRASE


def _password_field(parent: QWidget, name: str) -> QLineEdit:
    field = QLineEdit(parent)
    field.setEchoMode(QLineEdit.EchoMode.Password)
    field.setAccessibleName(name)
    field.setObjectName(name.replace(" ", "_"))
    return field


class PassphraseDialog(QDialog):
    """Asks for an encrypted store's passphrase until it opens the store or the user cancels."""

    def __init__(self, path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.path = Path(path)
        self.setWindowTitle(f"{APP_NAME}: encrypted store")
        self.attempts = 0
        layout = QVBoxLayout(self)
        intro = QLabel(
            f"<b>{self.path.name}</b> is encrypted. Type its passphrase to open it.", self
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        where = QLabel(str(self.path), self)
        where.setWordWrap(True)
        layout.addWidget(where)
        self.field = _password_field(self, "Passphrase")
        form = QFormLayout()
        form.addRow("&Passphrase:", self.field)
        layout.addLayout(form)
        self.problem = QLabel("", self)
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: #b00020;")
        self.problem.setAccessibleName("Why the passphrase was refused")
        layout.addWidget(self.problem)
        self.remember = QCheckBox("&Keep the passphrase in the desktop's keyring", self)
        self.remember.setVisible(kept_secrets.usable())
        layout.addWidget(self.remember)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Open | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.try_passphrase)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.open_button = buttons.button(QDialogButtonBox.StandardButton.Open)
        self.resize(460, self.sizeHint().height())

    def try_passphrase(self) -> None:
        """Unlock the store with what was typed; refused, say why and stay open."""
        self.attempts += 1
        passphrase = self.field.text()
        try:
            encryption.unlock(self.path, passphrase)
        except encryption.WrongPassphrase:
            self._refuse(
                "That passphrase does not open this store. Nothing was changed; try again "
                "(there is no limit on tries)."
            )
            return
        except BriefingError as error:
            self._refuse(f"{str(error)[:1].upper()}{str(error)[1:]}.")
            return
        if self.remember.isChecked():
            keep_in_keyring(self.path, passphrase)
        self.field.clear()
        self.accept()

    def _refuse(self, words: str) -> None:
        self.problem.setText(words)
        self.field.selectAll()
        self.field.setFocus()


def keep_in_keyring(path: Path, passphrase: str) -> None:
    kept_secrets.keep(_KEYRING_SERVICE, str(Path(path).resolve()), passphrase)


def unlock_from_keyring(path: Path) -> bool:
    """Unlock with a passphrase the user asked the keyring to keep; False if there is none."""
    kept = kept_secrets.kept(_KEYRING_SERVICE, str(Path(path).resolve()))
    if not kept:
        return False
    try:
        encryption.unlock(path, kept)
    except encryption.WrongPassphrase:
        forget_in_keyring(path)  # changed elsewhere (the command line): no use keeping it
        return False
    except BriefingError:
        return False
    return True


def forget_in_keyring(path: Path) -> None:
    """Remove the passphrase the keyring keeps for the store at `path`, if it keeps one: when
    it no longer opens the store, the store was decrypted or its passphrase changed."""
    kept_secrets.forget(_KEYRING_SERVICE, str(Path(path).resolve()))


def ask_passphrase(path: Path) -> bool:
    """Unlock an encrypted store: the keyring's passphrase, else the dialog. Tests replace this."""
    if unlock_from_keyring(path):
        return True
    return PassphraseDialog(path).exec() == QDialog.DialogCode.Accepted


@dataclass(frozen=True)
class NewStore:
    key: encryption.Key | None  # None: a plain store


class NewStoreDialog(QDialog):
    """First run: where the store will be, and whether to encrypt it from the start."""

    def __init__(self, path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.path = Path(path)
        self.key: encryption.Key | None = None
        self.setWindowTitle(f"{APP_NAME}: a new store")
        layout = QVBoxLayout(self)
        intro = QLabel(
            f"{APP_NAME} keeps your sources, quotes and notes in one file on this computer:"
            f"<br><b>{self.path}</b>",
            self,
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.encrypt = QCheckBox("&Encrypt it with a passphrase", self)
        layout.addWidget(self.encrypt)
        explain = QLabel(
            "Without the passphrase, the store and its backups cannot be read, by anyone who "
            "takes this computer or by you: a forgotten passphrase cannot be recovered.",
            self,
        )
        explain.setWordWrap(True)
        layout.addWidget(explain)
        form = QFormLayout()
        self.first = _password_field(self, "New passphrase")
        self.second = _password_field(self, "The same passphrase again")
        form.addRow("&Passphrase:", self.first)
        form.addRow("&Again:", self.second)
        layout.addLayout(form)
        self.problem = QLabel("", self)
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: #b00020;")
        layout.addWidget(self.problem)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("&Create the store")
        self.create_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        buttons.accepted.connect(self.try_create)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.encrypt.toggled.connect(self._encrypt_toggled)
        for field in (self.first, self.second):
            field.textEdited.connect(self.problem.clear)
        self._encrypt_toggled(False)
        self.resize(480, self.sizeHint().height())

    def _encrypt_toggled(self, on: bool) -> None:
        self.first.setEnabled(on)
        self.second.setEnabled(on)
        if on:
            self.first.setFocus()
        else:
            self.problem.clear()

    def try_create(self) -> None:
        if not self.encrypt.isChecked():
            self.key = None
            self.accept()
            return
        first, second = self.first.text(), self.second.text()
        if first != second:
            self.problem.setText("The two passphrases differ; type the same one twice.")
            self.second.clear()
            self.second.setFocus()
            return
        try:
            self.key = encryption.new_key(first)
        except BriefingError as error:
            self.problem.setText(f"{str(error)[:1].upper()}{str(error)[1:]}.")
            return
        self.first.clear()
        self.second.clear()
        self.accept()


def ask_new_store(path: Path) -> NewStore | None:
    """The first-run choice for a store about to be made; None when cancelled. Tests replace."""
    dialog = NewStoreDialog(path)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return NewStore(dialog.key)
