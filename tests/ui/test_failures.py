"""Failures in the window are never silent: a dialog with details, the log, its folder."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import QUrl

from briefing import logs
from briefing.ui import failures
from briefing.ui.jobs import BackgroundJob


@pytest.fixture
def shown(monkeypatch):
    said: list[tuple[str, str, str]] = []
    monkeypatch.setattr(
        failures,
        "show_failure",
        lambda parent, title, message, details: said.append((title, message, details)),
    )
    return said


@pytest.fixture
def hooked(qapp):
    failures.install_excepthook()
    yield
    failures.uninstall_excepthook()


def _flush_log() -> str:
    for handler in logs.logger.handlers:
        handler.flush()
    path = logs.log_path()
    return path.read_text(encoding="utf-8") if path.exists() else ""


def _boom():
    words = "the text of a private note"
    raise RuntimeError(words)


def test_an_error_in_a_worker_thread_reaches_a_dialog_on_the_gui_thread(qtbot, shown, hooked):
    logs.setup_logging()
    worker = threading.Thread(target=_boom, name="exporter")
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: bool(shown), timeout=5000)
    title, message, details = shown[0]
    assert "unexpected error (RuntimeError)" in message and "background" in message
    assert "RuntimeError: the text of a private note" in details  # the user's own screen
    logged = _flush_log()
    assert "_boom" in logged and "private note" not in logged


def test_a_job_with_a_bug_keeps_the_error_logs_it_and_says_where_the_log_is(qtbot):
    logs.setup_logging()

    def work(progress, cancelled):
        _boom()

    job = BackgroundJob(work, stopped_by=KeyboardInterrupt, unexpected="the export failed: {error}")
    said: list[str] = []
    job.failed.connect(said.append)
    with qtbot.waitSignal(job.finished, timeout=10000):
        job.start()
    job.wait()
    assert isinstance(job.error, RuntimeError)
    assert said and said[0].startswith("the export failed: RuntimeError")
    assert str(logs.log_path()) in said[0] and "private note" not in said[0]
    assert "_boom" in _flush_log()
    assert "RuntimeError: the text of a private note" in failures.details_of(job.error)


def test_a_search_with_a_bug_says_so_in_the_panel(window, qtbot, monkeypatch):
    def broken(*args, **kwargs):
        _boom()

    monkeypatch.setattr("briefing.ui.search.search", broken)
    panel = window.search.panel
    panel.field.setText("police")
    panel.run_query()
    qtbot.waitUntil(lambda: "unexpectedly" in panel.status.text(), timeout=10000)
    assert "RuntimeError" in panel.status.text() and "private note" not in panel.status.text()


def test_help_opens_the_log_folder(window, monkeypatch):
    opened: list[QUrl] = []
    monkeypatch.setattr(failures, "open_url", lambda url: opened.append(url) or True)
    action = next(a for a in window.help_menu.actions() if "log folder" in a.text())
    action.trigger()
    assert [url.toLocalFile() for url in opened] == [str(logs.log_dir())]
    assert logs.log_dir().is_dir()
