"""Make the README's screenshot: the main window on a new demo store, as the app draws it.

QT_QPA_PLATFORM=offscreen python scripts/readme_screenshot.py docs/main-window.png
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QSettings  # noqa: E402

from briefing.ui.app import application, open_store_or_explain  # noqa: E402
from briefing.ui.main_window import MainWindow  # noqa: E402


def main(out: str) -> int:
    app = application()
    with tempfile.TemporaryDirectory() as folder:
        store = open_store_or_explain(Path(folder) / "demo.sqlite3", demo=True)
        assert store is not None
        settings = QSettings(str(Path(folder) / "settings.ini"), QSettings.Format.IniFormat)
        window = MainWindow(store, settings)
        window.resize(1500, 920)
        window.show()
        window.select_stakeholder("IBM")
        app.processEvents()
        window.grab().save(out)
        window.close()
        store.close()
    print(f"saved {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "docs/main-window.png"))
