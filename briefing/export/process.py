"""An export laid out in a child process, so that the window keeps answering.

Qt lays a long briefing out in `QTextDocument.setHtml` and the paint that follows, calls that
PySide6 makes while holding Python's global interpreter lock: for a briefing of 40 stakeholders
on the benchmark store that is half a minute in which no other Python thread runs, the window's
GUI thread included, wherever the export runs in this process. A child process has its own
interpreter and lock. The content (plain dataclasses, read from the store by the caller) is handed
to it; it writes the file (under a temporary name, then renamed, as every export) and reports
progress, the outcome or the error through a queue. Cancel is cooperative: the child checks a
shared flag between pages, so a cancelled export leaves no file behind.

`export_in_child` has the signature of `export_content`, and raises what it raises. Given
`load=(store_path, use_case)` instead of content, the child reads the content itself, from a
read-only connection to the store: nothing is read, built or copied in this process at all (a
briefing's content, pickled for the child, would hold the lock for a second or two too).
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import traceback
from collections.abc import Callable
from pathlib import Path

from sqlalchemy.orm import Session

from briefing.core.briefings import BriefingContent
from briefing.errors import BriefingError, ExportError

POLL_S = 0.05


class ExportCrashed(RuntimeError):
    """The export's child process failed with a bug; `details` holds its traceback."""

    def __init__(self, message: str, details: str = "") -> None:
        super().__init__(message)
        self.details = details


def export_in_child(
    content: BriefingContent | None,
    path: Path,
    fmt: str,
    *,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    load: tuple[Path, Callable[[Session], BriefingContent]] | None = None,
) -> Path:
    """`load`: the store's path and a picklable use case (a module-level function, or a
    functools.partial of one) that reads the content in a session of it."""
    if (content is None) == (load is None):
        raise ValueError("give either the content or how to load it")
    context = multiprocessing.get_context("spawn")
    messages = context.Queue()
    stop = context.Event()
    child = context.Process(
        target=_run_child,
        args=(content, load, str(path), fmt, messages, stop),
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


def _run_child(content, load, path: str, fmt: str, messages, stop) -> None:
    """The child's whole life: a Qt GUI application for the fonts, the content read if asked,
    the export, its outcome."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication

    from briefing.export import export_content

    _app = QGuiApplication.instance() or QGuiApplication(["briefing-export"])  # noqa: F841
    try:
        if load is not None:
            from briefing.store.database import Store

            store_path, use_case = load
            store = Store(Path(store_path), read_only=True)
            try:
                with store.reading() as session:
                    content = use_case(session)
            finally:
                store.close()
            if stop.is_set():
                from briefing.errors import ExportCancelled

                raise ExportCancelled("the export was cancelled; no file was written")
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
