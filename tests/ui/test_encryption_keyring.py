"""The optional keyring path with a real keyring backend, and no passphrase in the app's log.

The backend is a `keyring.backend.KeyringBackend` that keeps passwords in a dict, installed with
`keyring.set_keyring` as a desktop's would be: the app goes through the `keyring` module's own
calls (set, get, delete), so what is tested is what runs against a desktop keyring.
"""

from __future__ import annotations

import logging

import keyring
from keyrings import MemoryKeyring
from PySide6.QtWidgets import QDialog

from briefing import logs
from briefing.store import encryption
from briefing.ui import app as app_module
from briefing.ui import passphrase as passphrase_ui
from briefing.ui.main_window import MainWindow

SECRET = "salt and the night train to Basel"


def _encrypted(demo_path):
    encryption.encrypt_store(demo_path, SECRET)
    encryption.forget_all()
    return demo_path


def _dialog_opens(qtbot, path, words, *, remember):
    dialog = passphrase_ui.PassphraseDialog(path)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.remember.isVisible()  # the keyring package is there: the box is offered
    assert not dialog.remember.isChecked()  # and off by default
    dialog.remember.setChecked(remember)
    dialog.field.setText(words)
    dialog.open_button.click()
    return dialog.result() == QDialog.DialogCode.Accepted


def test_not_kept_unless_asked(demo_path, qtbot, memory_keyring):
    path = _encrypted(demo_path)
    assert _dialog_opens(qtbot, path, SECRET, remember=False)
    assert memory_keyring.kept == {}
    encryption.forget_all()
    assert not passphrase_ui.unlock_from_keyring(path)


def test_kept_used_and_forgotten(demo_path, qtbot, memory_keyring, monkeypatch):
    path = _encrypted(demo_path)
    # A wrong passphrase is never kept, ticked or not.
    assert not _dialog_opens(qtbot, path, "not it", remember=True)
    assert memory_keyring.kept == {}

    assert _dialog_opens(qtbot, path, SECRET, remember=True)
    assert list(memory_keyring.kept.values()) == [SECRET]
    ((service, account),) = memory_keyring.kept
    assert account == str(path.resolve()) and "Briefing" in service

    # Used: the next opening asks nothing.
    encryption.forget_all()
    asked = []
    monkeypatch.setattr(
        passphrase_ui.PassphraseDialog, "exec", lambda self: asked.append(self) or 0
    )
    assert passphrase_ui.ask_passphrase(path)
    assert asked == [] and not encryption.needs_passphrase(path)

    # Changed elsewhere (the command line): the kept one no longer opens; it is forgotten and
    # the dialog is shown.
    encryption.change_passphrase(path, "another one entirely")
    encryption.forget_all()
    assert not passphrase_ui.ask_passphrase(path)  # the dialog (stubbed) was cancelled
    assert len(asked) == 1
    assert memory_keyring.kept == {}

    # Forgotten on request too, and forgetting twice is harmless.
    passphrase_ui.keep_in_keyring(path, "another one entirely")
    passphrase_ui.forget_in_keyring(path)
    passphrase_ui.forget_in_keyring(path)
    assert memory_keyring.kept == {}


def test_a_keyring_that_fails_never_stops_the_opening(demo_path, qtbot, monkeypatch):
    class Broken(MemoryKeyring):
        def get_password(self, service, username):
            raise keyring.errors.KeyringLocked("locked")

        def set_password(self, service, username, password):
            raise keyring.errors.PasswordSetError("refused")

    before = keyring.get_keyring()
    keyring.set_keyring(Broken())
    try:
        path = _encrypted(demo_path)
        assert _dialog_opens(qtbot, path, SECRET, remember=True)  # opens, not kept
        encryption.forget_all()
        assert not passphrase_ui.unlock_from_keyring(path)
    finally:
        keyring.set_keyring(before)


def test_the_passphrase_never_reaches_the_log(
    demo_path, qtbot, settings, monkeypatch, memory_keyring
):
    """Everything the window does with a passphrase, with the log at its most talkative and a
    failure that logs its stack: the log file has neither the passphrase nor the key."""
    path = logs.setup_logging()
    assert path is not None
    logging.getLogger().setLevel(logging.DEBUG)
    logging.getLogger("sqlalchemy.engine").setLevel(logging.DEBUG)
    logs.logger.setLevel(logging.DEBUG)
    try:
        store_path = _encrypted(demo_path)
        assert not _dialog_opens(qtbot, store_path, SECRET + " wrong", remember=False)
        assert _dialog_opens(qtbot, store_path, SECRET, remember=True)
        key = encryption.key_for(store_path)
        encryption.forget_all()
        monkeypatch.setattr(passphrase_ui.PassphraseDialog, "exec", lambda self: 0)
        store = app_module.open_store_or_explain(store_path, demo=True)  # from the keyring
        assert store is not None
        window = MainWindow(store, settings)
        qtbot.addWidget(window)
        try:
            assert window.select_stakeholder("IBM")
            try:
                encryption.unlock(store_path, SECRET + " also wrong")
            except encryption.WrongPassphrase as error:
                logs.logger.error("unexpected: %s", logs.describe(error))
        finally:
            window.close()
            store.close()
        logs.logger.error("a line, so the test knows the file is written")
    finally:
        logs.logger.setLevel(logging.INFO)
        logging.getLogger("sqlalchemy.engine").setLevel(logging.WARNING)
        logging.getLogger().setLevel(logging.WARNING)
        for handler in logs.logger.handlers:
            handler.flush()
    written = b"".join(p.read_bytes() for p in path.parent.iterdir() if p.is_file())
    assert b"a line, so the test knows" in written
    for secret in (SECRET, SECRET + " wrong", SECRET + " also wrong", key.raw.hex()):
        assert secret.encode() not in written


def test_no_keep_box_without_a_keyring_that_keeps(demo_path, qtbot, no_keyring):
    """The package alone is not a keyring: with keyring's "fail" backend (no desktop keyring)
    the box is not offered, as the team password dialog does not offer it."""
    dialog = passphrase_ui.PassphraseDialog(_encrypted(demo_path))
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.remember.isVisible()
