"""A desktop keyring for tests: a real `keyring` backend that keeps passwords in a dict, for
this process only. Installed with `keyring.set_keyring`, as a desktop's would be, so the app goes
through the `keyring` module's own calls (set, get, delete), what runs against a real keyring.
The fixtures `memory_keyring` and `no_keyring` (tests/conftest.py) install it, or none."""

from __future__ import annotations

from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError


class MemoryKeyring(KeyringBackend):
    """A keyring in a dict, for this process only."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()
        self.kept: dict[tuple[str, str], str] = {}

    def get_password(self, service, username):
        return self.kept.get((service, username))

    def set_password(self, service, username, password):
        self.kept[(service, username)] = password

    def delete_password(self, service, username):
        if self.kept.pop((service, username), None) is None:
            raise PasswordDeleteError("nothing kept")
