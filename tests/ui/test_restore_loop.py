"""The window's whole close, restore and reopen loop, and a damaged store opened in the window,
end to end through `briefing.ui.app._run_window`.

`_run_window` runs one window per turn of its loop: it opens the store, shows a window and runs
the application's event loop until the window closes; when the user chose File > Backups... >
Restore, it restores and goes round again. Here the application object is a stand-in whose
`exec()` plays what the user does in the window that is open (with the real event loop turning
while the test waits on it), so the real loop, the real restore and the real reopening run.
"""

from __future__ import annotations

import sqlite3

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from briefing.core import notes as core
from briefing.store.backups import list_backups, take_backup
from briefing.ui import app as app_module
from briefing.ui import backups as backups_ui
from briefing.ui import notes as notes_ui
from briefing.ui.main_window import MainWindow

WAIT = 20_000  # generous: these wait for a state, they do not time anything


class ScriptedApp:
    """The application as `_run_window` uses it: each `exec()` is one window's life, played by
    the next step of the script with the window that is open."""

    def __init__(self, steps) -> None:
        self.steps = list(steps)
        self.windows: list[MainWindow] = []

    def exec(self) -> int:
        shown = [
            w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()
        ]
        assert len(shown) == 1, "one window at a time"
        self.windows.append(shown[0])
        return self.steps.pop(0)(shown[0])


@pytest.fixture
def quiet(monkeypatch, tmp_path):
    """Settings in the test's folder; no modal question left to block the test."""
    monkeypatch.setattr(
        app_module,
        "QSettings",
        lambda: QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat),
    )
    monkeypatch.setattr(notes_ui, "ask_to_close_unsaved", lambda *args: True)
    told: dict[str, list] = {"errors": [], "notices": [], "asked": []}
    monkeypatch.setattr(app_module, "show_error", lambda t, m: told["errors"].append(m))
    monkeypatch.setattr(app_module, "show_notice", lambda t, m: told["notices"].append(m))
    return told


def _notes_on_ibm(window) -> list[str]:
    with window.store.reading() as session:
        return [note.body for note in core.list_notes(session, ("stakeholder", _ibm(session)))]


def _ibm(session) -> int:
    from briefing.core.lookup import find_stakeholder

    return find_stakeholder(session, "IBM").id


def _bodies_in(path) -> list[str]:
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
    try:
        return [row[0] for row in connection.execute("SELECT body FROM notes ORDER BY id")]
    finally:
        connection.close()


def test_write_back_up_change_restore_and_the_window_reopens_on_the_backup(
    demo_path, qapp, qtbot, monkeypatch, quiet, tmp_path
):
    monkeypatch.setattr(backups_ui, "ask_to_restore", lambda parent, backup: True)
    seen: dict = {}

    def first_window(window: MainWindow) -> int:
        window.resize(1400, 900)
        assert window.select_stakeholder("IBM")
        window.side_tabs.setCurrentWidget(window.notes_panel)
        panel = window.notes_panel
        panel.new_button.click()
        qtbot.keyClicks(panel.editor.source, "Words worth keeping")
        assert panel.editor.flush()
        # File > Backups... > Back up now
        window.backups_action.trigger()
        dialog = window.findChild(backups_ui.BackupsDialog)
        dialog.backup_button.click()
        assert "Backed up as" in dialog.status.text()
        dialog.close()
        # Then the note changes.
        qtbot.keyClicks(panel.editor.source, ", and words written later")
        assert panel.editor.flush()
        assert _notes_on_ibm(window)[0] == "Words worth keeping, and words written later"
        # File > Backups... > the backup made by hand > Restore
        window.backups_action.trigger()
        dialog = [d for d in window.findChildren(backups_ui.BackupsDialog) if d.isVisible()][0]
        row = next(
            r
            for r in range(dialog.table.rowCount())
            if dialog.table.item(r, 1).text() == "Made by hand"
        )
        seen["backup"] = dialog.backups[row].path
        dialog.table.selectRow(row)
        dialog.grab().save(str(tmp_path / "restore-backups-dialog.png"))
        dialog.restore_button.click()
        qtbot.waitUntil(lambda: not window.isVisible(), timeout=WAIT)
        assert window.restore_requested == seen["backup"]
        return 0

    def reopened(window: MainWindow) -> int:
        window.resize(1400, 900)
        assert window.select_stakeholder("IBM")
        window.side_tabs.setCurrentWidget(window.notes_panel)
        panel = window.notes_panel
        qtbot.waitUntil(lambda: panel.model.rowCount() > 0, timeout=WAIT)
        panel.list.setCurrentIndex(panel.model.index(0, 0))
        qtbot.waitUntil(
            lambda: panel.editor.source.toPlainText() == "Words worth keeping", timeout=WAIT
        )
        window.grab().save(str(tmp_path / "reopened-on-the-backup.png"))
        seen["notes"] = _notes_on_ibm(window)
        window.close()
        return 0

    application = ScriptedApp([first_window, reopened])
    assert app_module._run_window(application, demo_path, demo=True) == 0
    assert len(application.windows) == 2 and application.windows[0] is not application.windows[1]
    assert application.windows[1].store.path == demo_path
    # The reopened window showed the store as backed up: the later words are not in it.
    assert seen["notes"][0] == "Words worth keeping"  # newest first
    assert not any("written later" in body for body in seen["notes"])
    assert _bodies_in(demo_path).count("Words worth keeping") == 1
    assert not any("written later" in body for body in _bodies_in(demo_path))
    # The store it replaced was kept aside first, with the later words in it.
    kept = [b for b in list_backups(demo_path) if b.reason == "before-restore"]
    assert len(kept) == 1
    assert "Words worth keeping, and words written later" in _bodies_in(kept[0].path)
    assert quiet["errors"] == []
    # The store's lock went with the last window.
    lock = app_module.claim_store(demo_path)
    assert lock is not None
    lock.unlock()


def _damage(path) -> None:
    connection = sqlite3.connect(path)
    (root,) = connection.execute(
        "SELECT rootpage FROM sqlite_master WHERE name = 'notes'"
    ).fetchone()
    (page_size,) = connection.execute("PRAGMA page_size").fetchone()
    connection.close()
    with open(path, "r+b") as file:
        file.seek((root - 1) * page_size + 8)
        file.write(b"\xa5" * 16)


@pytest.mark.parametrize("restore", [True, False])
def test_a_damaged_store_opened_in_the_window(
    demo_path, qapp, qtbot, monkeypatch, quiet, tmp_path, restore
):
    good = take_backup(demo_path, "manual")
    _damage(demo_path)
    damaged = demo_path.read_bytes()
    monkeypatch.setattr(
        app_module, "ask", lambda title, question: quiet["asked"].append(question) or restore
    )
    seen = {}

    def restored_window(window: MainWindow) -> int:
        window.resize(1400, 900)
        seen["title"] = window.windowTitle()
        assert window.select_stakeholder("IBM")
        window.grab().save(str(tmp_path / "opened-from-the-good-backup.png"))
        window.close()
        return 0

    application = ScriptedApp([restored_window])
    status = app_module._run_window(application, demo_path, demo=True)
    # The user was told in a sentence, with the latest good backup offered.
    question = quiet["asked"][0]
    assert "is damaged, so it was not opened and nothing was written to it" in question
    assert str(good) in question and "Restore the latest good backup" in question
    assert "Traceback" not in question
    # The damaged file was kept aside under a dated name, as it was.
    kept = [p for p in demo_path.parent.iterdir() if p.name.startswith("demo.damaged-")]
    assert len(kept) == 1 and kept[0].read_bytes() == damaged
    assert kept[0].name[len("demo.damaged-") :][:8].isdigit()  # dated: YYYYMMDD...
    if restore:
        assert status == 0 and len(application.windows) == 1
        assert seen["title"]
        assert demo_path.read_bytes() != damaged
        assert quiet["errors"] == []
    else:
        # Declined: the window does not open, the file is left exactly as it was, and the
        # user has the sentence in an error dialog.
        assert status == 1 and application.windows == []
        assert demo_path.read_bytes() == damaged
        assert "is damaged" in quiet["errors"][0]
