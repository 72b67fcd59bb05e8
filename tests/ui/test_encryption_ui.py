"""The passphrase dialog and the first-run choice to encrypt a new store."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QLineEdit

from briefing.store import encryption
from briefing.ui import app as app_module
from briefing.ui import passphrase as passphrase_ui
from briefing.ui.main_window import MainWindow

SECRET = "a long walk to the border"


def _encrypted(demo_path):
    encryption.encrypt_store(demo_path, SECRET)
    encryption.forget_all()
    return demo_path


def test_a_wrong_passphrase_is_refused_in_words_and_the_dialog_stays(
    demo_path, qtbot, tmp_path, snapshot
):
    path = _encrypted(demo_path)
    before = snapshot(path)
    dialog = passphrase_ui.PassphraseDialog(path)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.field.echoMode() == QLineEdit.EchoMode.Password
    for attempt in range(6):  # no limit: the user is never locked out of their own data
        dialog.field.setText(f"wrong {attempt}")
        dialog.open_button.click()
        assert dialog.isVisible() and dialog.result() != QDialog.DialogCode.Accepted
        assert "does not open this store" in dialog.problem.text()
        assert "Nothing was changed" in dialog.problem.text()
    assert snapshot(path) == before
    dialog.grab().save(str(tmp_path / "passphrase-refused.png"))
    assert encryption.needs_passphrase(path)
    dialog.field.setText(SECRET)
    dialog.open_button.click()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert not encryption.needs_passphrase(path)
    assert dialog.field.text() == ""  # the passphrase does not linger in the widget
    assert not dialog.remember.isChecked()


def test_an_empty_passphrase_is_refused_in_words(demo_path, qtbot):
    path = _encrypted(demo_path)
    dialog = passphrase_ui.PassphraseDialog(path)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.open_button.click()
    assert "The passphrase is empty" in dialog.problem.text()
    assert dialog.isVisible()


def test_the_window_opens_an_encrypted_store_after_the_passphrase(
    demo_path, qtbot, settings, monkeypatch
):
    path = _encrypted(demo_path)
    monkeypatch.setattr(passphrase_ui, "ask_passphrase", lambda p: False)
    assert app_module.open_store_or_explain(path, demo=True) is None  # cancelled: nothing

    def typed(p):
        dialog = passphrase_ui.PassphraseDialog(p)
        dialog.field.setText(SECRET)
        dialog.try_passphrase()
        return dialog.result() == QDialog.DialogCode.Accepted

    monkeypatch.setattr(passphrase_ui, "ask_passphrase", typed)
    store = app_module.open_store_or_explain(path, demo=True)
    assert store is not None
    window = MainWindow(store, settings)
    qtbot.addWidget(window)
    try:
        assert window.select_stakeholder("IBM")
    finally:
        window.close()
        store.close()


def test_the_first_run_offers_to_encrypt_the_new_store(qtbot, tmp_path, monkeypatch):
    path = tmp_path / "first.sqlite3"
    dialog = passphrase_ui.NewStoreDialog(path)
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.encrypt.isChecked() and not dialog.first.isEnabled()
    dialog.encrypt.setChecked(True)
    dialog.first.setText(SECRET)
    dialog.second.setText(SECRET + "!")
    dialog.create_button.click()
    assert "differ" in dialog.problem.text() and dialog.isVisible()
    dialog.second.setText(SECRET)
    dialog.grab().save(str(tmp_path / "first-run.png"))
    dialog.create_button.click()
    assert dialog.result() == QDialog.DialogCode.Accepted and dialog.key is not None

    monkeypatch.setattr(
        passphrase_ui, "ask_new_store", lambda p: passphrase_ui.NewStore(dialog.key)
    )
    store = app_module.open_store_or_explain(path, demo=True)
    assert store is not None
    store.close()
    assert encryption.is_encrypted(path)
    assert b"Microsoft" not in path.read_bytes()


def test_the_first_run_can_make_a_plain_store_or_nothing(tmp_path, monkeypatch, qapp):
    monkeypatch.setattr(passphrase_ui, "ask_new_store", lambda p: None)
    assert app_module.open_store_or_explain(tmp_path / "none.sqlite3", demo=True) is None
    assert not (tmp_path / "none.sqlite3").exists()
    monkeypatch.setattr(passphrase_ui, "ask_new_store", lambda p: passphrase_ui.NewStore(None))
    store = app_module.open_store_or_explain(tmp_path / "plain.sqlite3", demo=True)
    assert store is not None
    store.close()
    assert (tmp_path / "plain.sqlite3").read_bytes()[:16] == encryption.SQLITE_HEADER
