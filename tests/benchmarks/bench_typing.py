"""Does typing in the search box ever wait for a query? `python tests/benchmarks/bench_typing.py DB`

Opens the main window (offscreen) on a store made by `synthetic.py`, types phrases into the
search box one key every 80 ms, as a quick typist would, and measures the longest time the GUI's
event loop went without running (a 5 ms heartbeat timer records the gaps). For comparison it
prints how long the slowest of the same queries takes when run directly. If queries ran on the
GUI thread, the longest gap would be at least the slowest query; it should instead stay near the
time a repaint takes. Not collected by pytest (the name does not start with `test_`).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QElapsedTimer, QSettings, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from briefing.core.search import search  # noqa: E402
from briefing.store import open_store  # noqa: E402
from briefing.ui.main_window import MainWindow  # noqa: E402

PHRASES = ["police surveillance", "facial recognition warrant", "moratorium OR ban", "dialogue"]
KEY_INTERVAL_MS = 80


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("db", type=Path)
    args = parser.parse_args(argv)
    app = QApplication.instance() or QApplication([])
    store = open_store(args.db, create=False)
    settings_path = Path(os.environ.get("TMPDIR", "/tmp")) / "bench-typing-settings.ini"
    window = MainWindow(store, QSettings(str(settings_path), QSettings.Format.IniFormat))
    window.resize(1400, 900)
    window.show()
    panel = window.search.panel
    field = window.search.field

    slowest_direct = 0.0
    for phrase in PHRASES:
        for end in range(1, len(phrase) + 1):
            began = time.perf_counter()
            with store.reading() as session:
                search(session, phrase[:end], panel.current_filters(), limit=100, as_you_type=True)
            slowest_direct = max(slowest_direct, time.perf_counter() - began)

    gaps: list[float] = []
    clock = QElapsedTimer()
    heartbeat = QTimer()
    heartbeat.setInterval(5)

    def beat() -> None:
        gaps.append(clock.restart() / 1000)

    heartbeat.timeout.connect(beat)
    shown: list[int] = []

    def on_shown(count: int) -> None:
        shown.append(count)

    panel.results_shown.connect(on_shown)
    keys = [(phrase, end) for phrase in PHRASES for end in range(1, len(phrase) + 1)]
    position = iter(keys)
    typing = QTimer()
    typing.setInterval(KEY_INTERVAL_MS)

    def press() -> None:
        try:
            phrase, end = next(position)
        except StopIteration:
            typing.stop()
            return
        field.setText(phrase[:end])

    typing.timeout.connect(press)
    clock.start()
    heartbeat.start()
    typing.start()
    began = time.perf_counter()
    while (
        typing.isActive() or panel.timer.isActive() or panel._shown_generation != panel.generation
    ):
        app.processEvents()
        time.sleep(0.001)
    elapsed = time.perf_counter() - began
    heartbeat.stop()
    panel.wait_for_idle()
    window.close()
    # Qt objects go before the interpreter shuts down, not in whatever order it picks.
    for qt_object in (heartbeat, typing, window):
        qt_object.deleteLater()
    app.processEvents()
    store.close()

    print(f"{len(keys)} keystrokes in {elapsed:.1f} s; {len(shown)} result lists shown")
    print(f"slowest of these queries run directly: {slowest_direct * 1000:.0f} ms")
    print(f"longest GUI event-loop gap while typing: {max(gaps) * 1000:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
