"""The main window on a demo store, shared by the GUI tests; settings kept in the test's folder."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings

from briefing.ui.main_window import MainWindow


@pytest.fixture
def settings(tmp_path):
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def window(qtbot, demo_store, settings):
    window = MainWindow(demo_store, settings)
    qtbot.addWidget(window)
    window.resize(1500, 950)
    window.show()
    qtbot.waitExposed(window)
    yield window
    window.search.panel.wait_for_idle()  # no query still running when the store closes
