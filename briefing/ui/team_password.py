"""The password of a team store, asked before the window opens when the server wants one that
libpq's files (~/.pgpass, the service file) and the desktop keyring do not give
(`briefing.store.team_login.login`).

`TeamPasswordDialog` shows who connects where (role@host, the database), does not echo, and
checks what was typed against the server: a refused password is said in words and the dialog
stays open for another try; Cancel opens nothing and the app ends cleanly. When a keyring backend
can keep secrets (`kept_secrets.usable`), an unticked box offers to remember the password there;
only then is it kept. The password is held by the open store in memory, nowhere else.
"""

from __future__ import annotations

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
from briefing.store import kept_secrets, team_login
from briefing.store.team_login import Login, PasswordNeeded


class TeamPasswordDialog(QDialog):
    """Asks for a team store's password until the server takes it or the user cancels."""

    def __init__(
        self, address: str, login: Login, why: str = "", parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.address = address
        self.login = login
        self.password: str | None = None
        self.setWindowTitle(f"{APP_NAME}: team store password")
        layout = QVBoxLayout(self)
        intro = QLabel(
            f"The team store's server asks for the password of <b>{_escaped(login.shown)}</b> "
            f"(database <b>{_escaped(login.database)}</b>).",
            self,
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.field = QLineEdit(self)
        self.field.setEchoMode(QLineEdit.EchoMode.Password)
        self.field.setAccessibleName("Password")
        self.field.setObjectName("Password")
        form = QFormLayout()
        form.addRow("&Password:", self.field)
        layout.addLayout(form)
        # Shown when a password was refused (the keyring's); the first asking needs no words.
        self.problem = QLabel(why if "refused" in why else "", self)
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: #b00020;")
        self.problem.setAccessibleName("Why the password was refused")
        layout.addWidget(self.problem)
        self.remember = QCheckBox("&Remember in the system keyring", self)
        self.remember.setVisible(kept_secrets.usable())
        layout.addWidget(self.remember)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Open | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.try_password)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.open_button = buttons.button(QDialogButtonBox.StandardButton.Open)
        self.field.textEdited.connect(self.problem.clear)
        self.field.setFocus()
        self.resize(460, self.sizeHint().height())

    def try_password(self) -> None:
        """Try what was typed against the server; refused, say why and stay open."""
        typed = self.field.text()
        if not typed:
            self._refuse("Type the password, or Cancel.")
            return
        try:
            team_login.try_password(self.address, typed)
        except PasswordNeeded:
            self._refuse(
                f"The server refused that password for {self.login.shown}; try again (check "
                "Caps Lock), or Cancel."
            )
            return
        except BriefingError as error:  # the server went away meanwhile
            self._refuse(f"{str(error)[:1].upper()}{str(error)[1:]}.")
            return
        if self.remember.isVisible() and self.remember.isChecked():
            kept_secrets.keep(kept_secrets.TEAM_PASSWORD, self.login.key, typed)
        self.password = typed
        self.field.clear()
        self.accept()

    def _refuse(self, words: str) -> None:
        self.problem.setText(words)
        self.field.selectAll()
        self.field.setFocus()

    @classmethod
    def ask(cls, address: str, login: Login, why: str) -> str | None:
        """The password the server took, or None when the user cancelled. Tests replace this."""
        dialog = cls(address, login, why)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.password


def _escaped(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def team_password(address: str) -> str | None:
    """The password to open the team store at `address` with (None: libpq's files give it):
    the keyring's, else the dialog's. Cancel raises `PasswordNeeded` with `cancelled` set."""
    return team_login.login(address, lambda login, why: TeamPasswordDialog.ask(address, login, why))
