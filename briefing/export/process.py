"""An export laid out in a child process, so that the window keeps answering.

Qt lays a long briefing out in `QTextDocument.setHtml` and the paint that follows, calls that
PySide6 makes while holding Python's global interpreter lock: for a briefing of 40 stakeholders
on the benchmark store that is half a minute in which no other Python thread runs, the window's
GUI thread included, wherever the export runs in this process. A child process has its own
interpreter and lock. The content (plain dataclasses, read from the store by the caller) is handed
to it; it writes the file (under a temporary name, then renamed, as every export) and reports
progress, the outcome or the error through a queue. Cancel is cooperative: the child checks a
shared flag between pages, so a cancelled export leaves no file behind.

`export_in_child` has the signature of `export_content`, and raises what it raises.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import traceback
from collections.abc import Callable
from pathlib import Path

from briefing.core.briefings import BriefingContent
from briefing.errors import BriefingError, ExportError

POLL_S = 0.05


class ExportCrashed(RuntimeError):
    """The export's child process failed with a bug; `details` holds its traceback."""

    def __init__(self, message: str, details: str = "") -> None:
        super().__init__(message)
        self.details = details


def export_in_child(
    content: BriefingContent,
    path: Path,
    fmt: str,
    *,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> Path:
    context = multiprocessing.get_context("spawn")
    messages = context.Queue()
    stop = context.Event()
    child = context.Process(
        target=_run_child,
        args=(content, str(path), fmt, messages, stop),
        name="briefing-export",
        daemon=True,
    )
    child.start()
    try:
        while True:
            if cancelled is not None and cancelled():
                stop.set()
            try:
                kind, *rest = messages.get(timeout=POLL_S)
            except queue.Empty:
                if not child.is_alive():
                    try:  # its last words may have arrived just as it ended
                        kind, *rest = messages.get(timeout=POLL_S)
                    except queue.Empty:
                        raise ExportError(
                            f"the export stopped unexpectedly (exit code {child.exitcode}); "
                            "no file was written"
                        ) from None
                else:
                    continue
            if kind == "progress":
                if progress is not None:
                    progress(*rest)
            elif kind == "done":
                return Path(rest[0])
            elif kind == "refused":
                raise rest[0]
            else:  # "bug"
                name, details = rest
                raise ExportCrashed(f"the export failed with {name}", details)
    finally:
        stop.set()
        child.join(timeout=10)
        if child.is_alive():
            child.terminate()
            child.join(timeout=5)
        messages.close()


def _run_child(content, path: str, fmt: str, messages, stop) -> None:
    """The child's whole life: a Qt GUI application for the fonts, the export, its outcome."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication

    from briefing.export import export_content

    _app = QGuiApplication.instance() or QGuiApplication(["briefing-export"])  # noqa: F841
    try:
        export_content(
            content,
            Path(path),
            fmt,
            progress=lambda done, total: messages.put(("progress", done, total)),
            cancelled=stop.is_set,
        )
    except BriefingError as error:
        messages.put(("refused", error))
    except BaseException as error:  # noqa: BLE001 - every bug reaches the window, in words
        messages.put(("bug", type(error).__name__, traceback.format_exc()))
    else:
        messages.put(("done", path))
    messages.close()
    messages.join_thread()
