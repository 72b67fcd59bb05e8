"""File > Encrypt store… / Decrypt store… / Change passphrase…, driven through their dialogs.

The window closes for the conversion (it cannot convert a store it has open), which runs off the
GUI thread behind a progress dialog that says each step; the same conversion as the command
line's: a new file under a temporary name, checked, renamed into place.
"""

from __future__ import annotations

import keyring
import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QLineEdit, QProgressDialog

from briefing.store import encryption, open_store
from briefing.store.backups import take_backup
from briefing.ui import store_encryption as ui
from briefing.ui.main_window import MainWindow

MARK = "WOMBATPRIVATEMARK"
FIRST = "the ferry leaves at six"
SECOND = "a second passphrase, longer"


def every_byte(folder) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file())


def _window(qtbot, path, tmp_path):
    store = open_store(path)
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(store, settings)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window, store


def _close(window, store):
    window.search.panel.wait_for_idle()
    window.close()
    store.close()


@pytest.fixture
def labels(monkeypatch):
    """Every text the conversion's progress dialog showed, and its largest maximum."""
    said: list[str] = []

    class Watched(QProgressDialog):
        def setLabelText(self, text):
            said.append(text)
            super().setLabelText(text)

    monkeypatch.setattr(ui, "QProgressDialog", Watched)
    return said


def _ask(qtbot, window, mode, monkeypatch, fill):
    """Open the menu's dialog, let `fill` type into it and press its button."""
    shown = []

    def exec_(dialog):
        shown.append(dialog)
        dialog.show()
        for field in dialog._fields():
            assert field.echoMode() == QLineEdit.EchoMode.Password
        fill(dialog)
        return dialog.result()

    monkeypatch.setattr(ui.ConvertDialog, "exec", exec_)
    action = {
        ui.ENCRYPT: window.encrypt_action,
        ui.DECRYPT: window.decrypt_action,
        ui.CHANGE: window.change_passphrase_action,
    }[mode]
    assert action.isEnabled()
    action.trigger()
    return shown[0]


def test_encrypt_from_the_menu_then_change_and_decrypt(
    demo_path, qtbot, tmp_path, monkeypatch, labels, snapshot
):
    folder = demo_path.parent
    with open_store(demo_path) as store:
        with store.writing() as session:
            session.connection().exec_driver_sql(
                "UPDATE notes SET body = ? WHERE id = (SELECT min(id) FROM notes)", (MARK,)
            )
        take_backup(store, "manual")
    assert MARK.encode() in every_byte(folder)

    window, store = _window(qtbot, demo_path, tmp_path)
    assert not window.decrypt_action.isEnabled()
    assert not window.change_passphrase_action.isEnabled()

    def mistyped(dialog):
        dialog.first.setText(FIRST)
        dialog.second.setText(FIRST + "!")
        dialog.ok_button.click()
        assert "differ" in dialog.problem.text() and dialog.isVisible()
        dialog.first.setText("")
        dialog.second.setText("")
        dialog.ok_button.click()
        assert "empty" in dialog.problem.text() and dialog.isVisible()
        dialog.grab().save(str(shots / "encrypt-refused.png"))
        dialog.reject()

    shots = tmp_path / "shots"  # made before the snapshot: the picture changes no name in it
    shots.mkdir()
    (shots / "encrypt-refused.png").touch()
    before = snapshot(demo_path)
    _ask(qtbot, window, ui.ENCRYPT, monkeypatch, mistyped)
    assert window.isVisible() and window.conversion_requested is None
    assert snapshot(demo_path) == before

    def typed(dialog):
        dialog.first.setText(FIRST)
        dialog.second.setText(FIRST)
        dialog.ok_button.click()

    dialog = _ask(qtbot, window, ui.ENCRYPT, monkeypatch, typed)
    assert dialog.first.text() == "" and dialog.second.text() == ""  # nothing lingers
    assert not window.isVisible()  # closed for the conversion, as a restore does
    conversion = window.conversion_requested
    assert conversion.mode == ui.ENCRYPT and FIRST not in repr(conversion)

    # While the store is still open, the conversion is refused in words and nothing changes.
    refused = ui.convert_with_progress(demo_path, conversion)
    assert not refused.done and "still open" in refused.words
    assert snapshot(demo_path)[0] == before[0]

    _close(window, store)
    outcome = ui.convert_with_progress(demo_path, conversion)
    assert outcome.done, outcome.words
    assert "encrypted" in outcome.words and "1 backup(s)" in outcome.words
    assert any("checking every page" in text for text in labels)
    assert encryption.is_encrypted(demo_path)
    assert MARK.encode() not in every_byte(folder)

    # Change the passphrase: the current one is asked for first.
    window, store = _window(qtbot, demo_path, tmp_path)  # this process still has the key
    assert not window.encrypt_action.isEnabled() and window.decrypt_action.isEnabled()

    def wrong_current(dialog):
        dialog.current.setText("not the passphrase")
        dialog.first.setText(SECOND)
        dialog.second.setText(SECOND)
        dialog.ok_button.click()
        assert "not the store's current passphrase" in dialog.problem.text()
        dialog.grab().save(str(shots / "change-refused.png"))
        assert dialog.isVisible()
        dialog.current.setText(FIRST)
        dialog.ok_button.click()

    _ask(qtbot, window, ui.CHANGE, monkeypatch, wrong_current)
    conversion = window.conversion_requested
    _close(window, store)
    outcome = ui.convert_with_progress(demo_path, conversion)
    assert outcome.done and "passphrase is changed" in outcome.words
    encryption.forget_all()
    with pytest.raises(encryption.WrongPassphrase):
        encryption.unlock(demo_path, FIRST)
    encryption.unlock(demo_path, SECOND)

    # Decrypt: the current passphrase again; a kept one is forgotten.
    passphrase_kept = {}

    class Memory(keyring.backend.KeyringBackend):
        priority = 1

        def get_password(self, service, username):
            return passphrase_kept.get((service, username))

        def set_password(self, service, username, password):
            passphrase_kept[(service, username)] = password

        def delete_password(self, service, username):
            passphrase_kept.pop((service, username))

    before_keyring = keyring.get_keyring()
    keyring.set_keyring(Memory())
    try:
        from briefing.ui import passphrase as passphrase_ui

        passphrase_ui.keep_in_keyring(demo_path, SECOND)
        window, store = _window(qtbot, demo_path, tmp_path)

        def current(dialog):
            dialog.current.setText(SECOND)
            dialog.ok_button.click()

        _ask(qtbot, window, ui.DECRYPT, monkeypatch, current)
        conversion = window.conversion_requested
        _close(window, store)
        outcome = ui.convert_with_progress(demo_path, conversion)
        assert outcome.done and "plain file again" in outcome.words
        assert passphrase_kept == {}
    finally:
        keyring.set_keyring(before_keyring)
    assert demo_path.read_bytes()[:16] == encryption.SQLITE_HEADER
    with open_store(demo_path) as store, store.reading() as session:
        bodies = session.connection().exec_driver_sql("SELECT body FROM notes").scalars().all()
    assert MARK in bodies  # the note came through three conversions


def test_a_read_only_window_offers_no_conversion(demo_path, qtbot, tmp_path):
    store = open_store(demo_path, read_only=True)
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(store, settings)
    qtbot.addWidget(window)
    try:
        assert not window.encrypt_action.isEnabled()
        assert not window.decrypt_action.isEnabled()
        assert not window.change_passphrase_action.isEnabled()
    finally:
        window.close()
        store.close()
