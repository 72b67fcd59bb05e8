"""Does importing a big source freeze the window? `python tests/benchmarks/bench_import_gui.py`

Opens the main window (offscreen) on a new store and imports, through the same path as File >
Import source…, a text file of nearly 50 MB and a PDF of a few hundred pages. A 5 ms heartbeat
timer records the longest time the GUI's event loop went without running. As the baseline, the
same work (reading the file, storing it) is timed when run directly, as it would run if it were
done on the GUI thread: the window would then be frozen for all of it. The ratio `longest pause /
work` should be far below 1. Not collected by pytest (the name does not start with `test_`).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QElapsedTimer, QSettings, QTimer  # noqa: E402
from PySide6.QtGui import QPageSize, QPdfWriter, QTextDocument  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))
from bench_sources import text_of  # noqa: E402

from briefing.core.sources import import_source, read_file  # noqa: E402
from briefing.store import open_store  # noqa: E402
from briefing.ui import sources as sources_ui  # noqa: E402
from briefing.ui.main_window import MainWindow  # noqa: E402

FACTS = {"title": "Big", "publisher": "Bench", "published": None}


def write_pdf(path: Path, pages: int) -> None:
    paragraph = text_of(2500, seed=7)
    brk = " style='page-break-before: always'"
    html = "".join(f"<p{brk if i else ''}>{i} {paragraph}</p>" for i in range(pages))
    writer = QPdfWriter(str(path))
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    document = QTextDocument()
    document.setHtml(html)
    document.print_(writer)


def direct(path: Path, folder: Path) -> float:
    """The import's work, timed on this thread: what a frozen window would wait for."""
    with open_store(folder / f"direct-{path.stem}.sqlite3", seed=None) as store:
        start = time.perf_counter()
        extracted = read_file(path)
        with store.writing() as session:
            import_source(session, path, extracted=extracted, **FACTS)
        return time.perf_counter() - start


def in_window(app: QApplication, path: Path, folder: Path) -> tuple[float, float]:
    """(longest event-loop pause, total time) for an import from the window."""
    store = open_store(folder / f"window-{path.stem}.sqlite3", seed=None)
    window = MainWindow(store, QSettings(str(folder / "s.ini"), QSettings.Format.IniFormat))
    window.resize(1400, 900)
    window.show()
    app.processEvents()
    clock = QElapsedTimer()
    longest = 0
    heartbeat = QTimer()
    heartbeat.setInterval(5)

    def beat() -> None:
        nonlocal longest
        longest = max(longest, clock.restart())

    heartbeat.timeout.connect(beat)
    start = time.perf_counter()
    clock.start()
    heartbeat.start()
    importing = sources_ui.import_files(window.sources_panel, [path])
    while window.sources_panel.importing is not None:
        app.processEvents()
        time.sleep(0.001)
    total = time.perf_counter() - start
    heartbeat.stop()
    assert importing.imported, "the import stored nothing"
    window.close()
    store.close()
    return longest / 1000, total


def main() -> int:
    app = QApplication.instance() or QApplication([])
    sources_ui.SourceFactsDialog.ask = classmethod(lambda cls, *args: dict(FACTS))
    folder = Path(tempfile.mkdtemp())
    text = folder / "big.txt"
    words = text_of(49 * 1024 * 1024).split(" ")
    # Paragraphs of 90 words, as prose has them.
    paragraphs = (" ".join(words[i : i + 90]) for i in range(0, len(words), 90))
    text.write_text("\n\n".join(paragraphs), encoding="utf-8")
    pdf = folder / "long.pdf"
    write_pdf(pdf, 100)
    for path in (text, pdf):
        work = direct(path, folder)
        pause, total = in_window(app, path, folder)
        size = path.stat().st_size / 1024 / 1024
        print(
            f"{path.name} ({size:.1f} MB): the work takes {work:.2f} s; from the window "
            f"{total:.2f} s, longest event-loop pause {pause * 1000:.0f} ms "
            f"(pause / work = {pause / work:.3f})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
