"""Crash safety: the app killed mid-sentence keeps every word typed up to its last save.

A child process runs the real main window offscreen (tests/ui/notes_typist.py) and types a note
on IBM's card: a heading, a list, a link and an image address, then a long sentence without
pausing. The test waits until the store holds the first part, lets it type on until the sentence
has been saved at least once mid-flow (by the one-second deadline, as the typing never pauses),
and SIGKILLs it mid-sentence. The store must then hold exactly what the child had typed when it
last saved, or later; reopened in the app, the note shows its image as a placeholder and its link
opens only on a click.

Nothing here is timed: the test only waits, with generous limits, for states of files.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QSettings, Qt, QUrl

from briefing.store import open_store
from briefing.ui import browser
from briefing.ui.main_window import MainWindow

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
from notes_typist import FIRST, SECOND  # noqa: E402

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
LIMIT = 90.0  # seconds; a limit on waiting, never a measure of speed


def wait_for(condition, what: str, child: subprocess.Popen):
    deadline = time.monotonic() + LIMIT
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        if child.poll() is not None:
            raise AssertionError(f"the app exited ({child.returncode}) before {what}")
        time.sleep(0.05)
    raise AssertionError(f"gave up waiting for {what}")


def newest_ibm_note(path: Path) -> str | None:
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=30)
    try:
        row = connection.execute(
            "SELECT body FROM notes JOIN stakeholders ON stakeholders.id = notes.stakeholder_id"
            " WHERE stakeholders.name = 'IBM' ORDER BY notes.id DESC LIMIT 1"
        ).fetchone()
    finally:
        connection.close()
    return row[0] if row else None


def log_numbers(path: Path, word: str) -> list[int]:
    if not path.exists():
        return []
    return [
        int(line.split()[1])
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.startswith(word + " ") and line.split()[1].isdigit()
    ]


def test_sigkill_mid_sentence_loses_nothing_saved(demo_path, tmp_path, qtbot, monkeypatch):
    work = tmp_path / "child"
    work.mkdir()
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    stderr = open(work / "stderr", "w")  # noqa: SIM115
    child = subprocess.Popen(
        [sys.executable, str(HERE / "notes_typist.py"), str(demo_path), str(work)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=stderr,
    )
    try:
        wait_for(
            lambda: (newest_ibm_note(demo_path) or "") == FIRST,
            "the first part to be saved",
            child,
        )
        (work / "go").touch()
        # Saved mid-flow: well into the sentence, though the typing has not paused.
        wait_for(
            lambda: len(newest_ibm_note(demo_path) or "") >= len(FIRST) + 40,
            "part of the sentence to be saved while typing",
            child,
        )
        # And typed on past that save: the kill lands mid-sentence, with words not yet saved.
        wait_for(
            lambda: (
                (log_numbers(work / "log", "typed") or [0])[-1]
                > (log_numbers(work / "log", "saved") or [0])[-1] + 5
            ),
            "more typing after the last save",
            child,
        )
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=LIMIT)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        stderr.close()
    assert child.returncode == -signal.SIGKILL

    typed_text = FIRST + SECOND * 10
    last_saved = log_numbers(work / "log", "saved")[-1]
    body = newest_ibm_note(demo_path)
    story = f"child's log ends: {(work / 'log').read_text()[-300:]!r}; body: {body!r}"
    assert body is not None, story
    assert typed_text.startswith(body), story  # whole words in order, nothing garbled
    # Everything up to the last save the child reported is there (a save may also have committed
    # just before the kill, without its log line: hence "at least").
    assert len(body) >= last_saved, story
    assert len(body) >= len(FIRST) + 40, story  # and that was mid-sentence (as waited for)

    # Reopen, as the user would: the note is there, rendered safely, its link asks first.
    opened, asked = [], []
    monkeypatch.setattr(browser.QDesktopServices, "openUrl", lambda url: opened.append(url))
    monkeypatch.setattr(browser, "confirm_open_link", lambda parent, url: asked.append(url))
    with open_store(demo_path) as store:
        window = MainWindow(store, QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
        qtbot.addWidget(window)
        window.resize(1400, 900)
        window.show()
        assert window.select_stakeholder("IBM")
        panel = window.notes_panel
        window.side_tabs.setCurrentWidget(panel)
        first = panel.model.index(0, 0)
        assert first.data(Qt.ItemDataRole.DisplayRole).startswith("Questions for IBM")
        panel.list.setCurrentIndex(first)
        assert panel.editor.source.toPlainText() == body
        preview = panel.editor.preview
        text = preview.toPlainText()
        assert "[image: chart of sales \u2014 http://127.0.0.1:9/chart.png]" in text
        assert "<img" not in preview.toHtml()
        window.grab().save(str(tmp_path / "reopened-after-kill.png"))

        assert opened == [] and asked == []
        spot = next(
            QPoint(x, y)
            for y in range(0, 200, 2)
            for x in range(0, 300, 3)
            if preview.anchorAt(QPoint(x, y))
        )
        assert preview.anchorAt(spot) == "https://example.org/ibm-letter"
        qtbot.mouseClick(preview.viewport(), Qt.MouseButton.LeftButton, pos=spot)
        assert asked == [QUrl("https://example.org/ibm-letter")] and opened == []
        window.close()
