"""How long a note's autosave holds the GUI thread, against a bare write of the same change.

    QT_QPA_PLATFORM=offscreen python tests/benchmarks/note_autosave.py

Each save is one transaction through `window.operations.run`, after which the window refreshes
what the change touched; typing waits for all of it, including what the views put off to the
next turns of the event loop, so the time is measured until the loop has nothing left to do.
Baseline: the same update in a plain `store.writing()` block, with no window. Prints medians and
their ratio.
"""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def main() -> int:
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from briefing.core import notes
    from briefing.core.demo import load_demo
    from briefing.store import open_store
    from briefing.ui.main_window import MainWindow

    app = QApplication(sys.argv[:1])
    folder = Path(tempfile.mkdtemp())
    try:
        template = folder / "template.sqlite3"
        open_store(template, seed=load_demo).close()
        path = folder / "bench.sqlite3"
        shutil.copyfile(template, path)
        store = open_store(path)
        window = MainWindow(store, QSettings(str(folder / "s.ini"), QSettings.Format.IniFormat))
        window.resize(1400, 900)
        window.show()
        window.select_stakeholder("IBM")
        panel = window.notes_panel
        window.side_tabs.setCurrentWidget(panel)
        panel.new_button.click()
        editor = panel.editor
        text = "A sentence typed into a note, word by word, to be saved. " * 20

        baseline, gui = [], []
        with store.writing() as session:
            note_id = notes.add_note(session, ("stakeholder", 1), "x").id
        for round_ in range(60):
            body = text[: 200 + round_ * 10]
            start = time.perf_counter()
            with store.writing() as session:
                notes.update_note(session, note_id, body=body)
            baseline.append(time.perf_counter() - start)

            editor.source.setPlainText(body)  # marks the note unsaved, as typing does
            app.processEvents()
            start = time.perf_counter()
            editor.save()
            app.processEvents()  # the refreshes put off to the next loop turn
            gui.append(time.perf_counter() - start)
        window.close()
        store.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    b, g = median_ms(baseline), median_ms(gui)
    print(f"bare update+commit:               median {b:.2f} ms")
    print(f"autosave incl. window refresh:    median {g:.2f} ms (max {max(gui) * 1000:.1f} ms)")
    print(f"ratio autosave / bare write:      {g / b:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
