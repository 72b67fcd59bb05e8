"""The main window on a demo store, shared by the GUI tests; settings kept in the test's folder."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings


@pytest.fixture
def settings(tmp_path):
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def window(open_window, demo_store, settings):
    window = open_window(demo_store, settings)
    yield window
    window.search.panel.wait_for_idle()  # no query still running when the store closes
