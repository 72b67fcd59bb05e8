"""One writer window per store, read-only second windows, damaged stores and File > Backups."""

from __future__ import annotations

import sqlite3
import sys

import pytest
from sqlalchemy import text

from briefing import logs
from briefing.errors import StoreError
from briefing.store import open_store
from briefing.store.backups import list_backups, take_backup
from briefing.ui import app as app_module
from briefing.ui import backups as backups_ui
from briefing.ui import failures
from briefing.ui.main_window import MainWindow


def test_a_second_window_on_the_same_store_is_offered_read_only(demo_path, qapp, monkeypatch):
    first = app_module.claim_store(demo_path)
    assert first is not None
    try:
        assert app_module.claim_store(demo_path) is None  # the same store, a second time
        asked = []
        monkeypatch.setattr(app_module, "ask", lambda title, q: asked.append(q) or False)
        assert app_module.run(demo_path) == 1
        assert "open in another Briefing window" in asked[0] and "read-only" in asked[0]
    finally:
        first.unlock()
    again = app_module.claim_store(demo_path)
    assert again is not None
    again.unlock()


def test_a_read_only_window_shows_the_store_and_never_writes(demo_path, qtbot, settings, tmp_path):
    writer = open_store(demo_path)
    store = app_module.open_store_or_explain(demo_path, demo=True, read_only=True)
    assert store is not None and store.read_only
    window = MainWindow(store, settings)
    qtbot.addWidget(window)
    window.show()
    try:
        assert "(read-only) \u2014 Briefing" in window.windowTitle()
        assert window.select_stakeholder("IBM")
        editor = window.notes_panel.editor
        assert not editor.source.isEnabled()
        with pytest.raises(StoreError, match="read-only"), store.writing() as session:
            session.execute(text("UPDATE topics SET description = 'x'"))
        window.grab().save(str(tmp_path / "read-only.png"))
    finally:
        window.close()
        store.close()
        writer.close()


def _damage(path) -> None:
    connection = sqlite3.connect(path)
    (root,) = connection.execute(
        "SELECT rootpage FROM sqlite_master WHERE name = 'notes'"
    ).fetchone()
    connection.close()
    with open(path, "r+b") as file:
        file.seek((root - 1) * 4096 + 8)
        file.write(b"\xa5" * 16)


def test_a_damaged_store_is_explained_and_its_latest_good_backup_offered(
    demo_path, qapp, monkeypatch
):
    take_backup(demo_path, "manual")
    _damage(demo_path)
    damaged = demo_path.read_bytes()
    questions, errors = [], []
    monkeypatch.setattr(app_module, "ask", lambda title, q: questions.append(q) or False)
    monkeypatch.setattr(app_module, "show_error", lambda title, m: errors.append(m))
    assert app_module.open_store_or_explain(demo_path, demo=True) is None
    assert "is damaged" in questions[0] and "Restore the latest good backup" in questions[0]
    assert "is damaged" in errors[0]
    assert demo_path.read_bytes() == damaged

    monkeypatch.setattr(app_module, "ask", lambda title, q: True)
    store = app_module.open_store_or_explain(demo_path, demo=True)
    assert store is not None
    store.close()
    assert any(p.name.startswith("demo.damaged-") for p in demo_path.parent.iterdir())


def test_the_backups_dialog_backs_up_and_restores(window, qtbot, monkeypatch, tmp_path):
    window.backups_action.trigger()
    dialog = window.findChild(backups_ui.BackupsDialog)
    assert dialog is not None
    before = dialog.table.rowCount()
    dialog.backup_button.click()
    assert dialog.table.rowCount() == before + 1
    assert "Backed up as" in dialog.status.text()
    assert dialog.table.item(0, 1).text() == "Made by hand"
    dialog.grab().save(str(tmp_path / "backups-dialog.png"))
    assert not dialog.restore_button.isEnabled()
    dialog.table.selectRow(0)
    assert dialog.restore_button.isEnabled()
    monkeypatch.setattr(backups_ui, "ask_to_restore", lambda parent, backup: False)
    dialog.restore_button.click()
    assert window.restore_requested is None and window.isVisible()
    monkeypatch.setattr(backups_ui, "ask_to_restore", lambda parent, backup: True)
    dialog.restore_button.click()
    assert window.restore_requested == list_backups(window.store.path)[0].path
    assert not window.isVisible()


def test_a_read_error_in_the_window_never_prints_the_record(qtbot, monkeypatch, capsys):
    shown = []
    monkeypatch.setattr(
        failures,
        "show_failure",
        lambda parent, title, message, details: shown.append((title, message, details)),
    )
    secret = "".join(["Gam", "ma"])  # not on the line the traceback shows
    failures.install_excepthook()
    try:
        try:
            raise sqlite3.OperationalError(f"Could not decode column 'body' with text '{secret}'")
        except sqlite3.OperationalError as error:
            sys.excepthook(type(error), error, error.__traceback__)
        qtbot.waitUntil(lambda: bool(shown), timeout=5000)
    finally:
        failures.uninstall_excepthook()
    title, message, details = shown[0]
    assert title == "The store could not be read" and "could not be read" in message
    assert "Gamma" not in message + details and "message withheld" in details
    assert "Gamma" not in capsys.readouterr().err
    for handler in logs.logger.handlers:
        handler.flush()
    log = logs.log_path()
    assert not log.exists() or "Gamma" not in log.read_text(encoding="utf-8")
