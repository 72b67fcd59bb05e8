"""Secrets the user asked the desktop's keyring to keep: an encrypted store's passphrase
(`briefing.ui.passphrase`) and a team store's password (`briefing.store.team_login`).

The optional `keyring` package (the `keyring` extra) talks to the desktop's own keyring (Secret
Service, KWallet, macOS Keychain, Windows Credential Locker). Everything here is a no-op without
it, and a keyring that refuses or breaks never stops the app: the user is asked instead. Nothing
here logs a secret, or an error that could quote one.
"""

from __future__ import annotations

import contextlib

from briefing.paths import APP_NAME

STORE_PASSPHRASE = f"{APP_NAME} store"  # names a store file's path
TEAM_PASSWORD = f"{APP_NAME} team store"  # names role@host/db


def keyring_module():
    """The `keyring` module when it is installed (an optional extra), else None."""
    try:
        import keyring
    except ImportError:
        return None
    return keyring


def usable() -> bool:
    """Whether a keyring backend that can keep secrets is there: the package is installed and
    the desktop offers one (keyring's `fail` backend, priority 0, is "none found")."""
    keyring = keyring_module()
    if keyring is None:
        return False
    try:
        backend = keyring.get_keyring()
        from keyring.backends import fail

        return not isinstance(backend, fail.Keyring) and backend.priority > 0
    except Exception:
        return False


def keep(service: str, name: str, secret: str) -> bool:
    """Keep `secret` under (`service`, `name`); False when there is no keyring or it refused."""
    keyring = keyring_module()
    if keyring is None:
        return False
    try:
        keyring.set_password(service, name, secret)
    except Exception:  # a keyring that refuses: the user types it again next time
        return False
    return True


def kept(service: str, name: str) -> str | None:
    """The secret kept under (`service`, `name`), or None (none kept, no keyring, it failed)."""
    keyring = keyring_module()
    if keyring is None:
        return None
    try:
        return keyring.get_password(service, name) or None
    except Exception:
        return None


def forget(service: str, name: str) -> bool:
    """Remove the secret kept under (`service`, `name`); False when none was kept."""
    keyring = keyring_module()
    if keyring is None or kept(service, name) is None:
        return False
    with contextlib.suppress(Exception):  # a keyring that refuses
        keyring.delete_password(service, name)
        return True
    return False
