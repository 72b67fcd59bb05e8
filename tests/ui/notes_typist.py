"""A child process for tests/ui/test_notes_crash.py: the real app, typing a note, until killed.

    python notes_typist.py STORE WORKDIR

Opens the main window offscreen on STORE, starts a new note on IBM's card and types FIRST into
it one key at a time. Then it waits for WORKDIR/go to appear and types SECOND, a key every
TYPING_MS, without ever pausing long enough for the quiet-time save: only the one-second deadline
saves while it types. It never stops by itself; the test kills it with SIGKILL.

WORKDIR/log gets one line per key ("typed N") and per committed save ("saved N"), N being the
number of characters of the note, written straight through to the file so that a kill loses none.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

FIRST = (
    "# Questions for IBM\n"
    "- Which purposes does it still sell for?\n"
    "- Read [the letter](https://example.org/ibm-letter) first\n"
    "\n"
    "![chart of sales](http://127.0.0.1:9/chart.png)\n"
    "\n"
)
SECOND = (
    "IBM said it would no longer offer general purpose facial recognition or analysis software, "
    "and that it firmly opposes the use of any technology for mass surveillance and racial "
    "profiling; what it did not say is whether its consultants still resell the products of "
    "other vendors to police forces. "
)
TYPING_MS = 25


def main(store_path: str, workdir: str) -> int:
    from PySide6.QtCore import QSettings, Qt, QTimer
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from briefing.store import open_store
    from briefing.ui.main_window import MainWindow

    work = Path(workdir)
    log = open(work / "log", "w", buffering=1, encoding="utf-8")  # noqa: SIM115 (lives until killed)

    def write(line: str) -> None:
        log.write(line + "\n")
        log.flush()
        os.fsync(log.fileno())

    app = QApplication(sys.argv[:1])
    store = open_store(store_path)
    window = MainWindow(store, QSettings(str(work / "settings.ini"), QSettings.Format.IniFormat))
    window.show()
    assert window.select_stakeholder("IBM")
    panel = window.notes_panel
    window.side_tabs.setCurrentWidget(panel)
    panel.new_button.click()
    editor = panel.editor
    editor.saved.connect(lambda _id: write(f"saved {len(editor.last_saved_body)}"))

    keys = iter(FIRST)
    state = {"phase": 1, "second": 0}

    def press(char: str) -> None:
        if char == "\n":
            QTest.keyClick(editor.source, Qt.Key.Key_Return)
        else:
            QTest.keyClicks(editor.source, char)
        write(f"typed {len(editor.source.toPlainText())}")

    def tick() -> None:
        if state["phase"] == 1:
            char = next(keys, None)
            if char is not None:
                press(char)
                return
            state["phase"] = 2
            write("first done")
        if state["phase"] == 2:
            if not (work / "go").exists():
                return
            state["phase"] = 3
        # Phase 3: keep typing SECOND (over and over) until the test kills this process.
        press(SECOND[state["second"] % len(SECOND)])
        state["second"] += 1

    timer = QTimer()
    timer.timeout.connect(tick)
    timer.start(TYPING_MS)
    write("started")
    return app.exec()


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
