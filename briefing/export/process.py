"""An export read and laid out in a child process, so that the window keeps answering.

Qt lays a long briefing out in `QTextDocument.setHtml` and the paint that follows, calls that
PySide6 makes while holding Python's global interpreter lock: for a briefing of 40 stakeholders
on the benchmark store that is half a minute in which no other Python thread runs, the window's
GUI thread included, wherever the export runs in this process. A child process (`python -m
briefing.export.child`) has its own interpreter and lock. It is handed, on its standard input,
either the content (plain dataclasses) or, better, how to read it (`load`: the store's path and a
picklable use case, so that nothing is read, built or copied in this process at all); it writes
the file (under a temporary name, then renamed, as every export) and reports progress and its
outcome as pickled messages on its standard output. Cancel is cooperative: SIGTERM sets a flag
that the export checks between pages, so a cancelled export leaves no file behind.

`export_in_child` has the signature of `export_content` (plus `load`), and raises what it raises.
"""

from __future__ import annotations

import os
import pickle
import select
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from sqlalchemy.orm import Session

from briefing.core.briefings import BriefingContent
from briefing.errors import ExportError
from briefing.store import encryption

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
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    child = subprocess.Popen(
        [sys.executable, "-m", "briefing.export.child"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env=env,
    )
    assert child.stdin is not None and child.stdout is not None
    try:
        # An encrypted store's key goes to the child on its standard input, as the job does.
        key = encryption.key_for(Path(load[0])) if load is not None else None
        pickle.dump((content, load, str(path), fmt, key), child.stdin)
        child.stdin.close()
        told_to_stop = False
        while True:
            if not told_to_stop and cancelled is not None and cancelled():
                child.send_signal(signal.SIGTERM)
                told_to_stop = True
            ready, _, _ = select.select([child.stdout], [], [], POLL_S)
            if not ready:
                continue
            try:
                kind, *rest = pickle.load(child.stdout)
            except EOFError:
                code = child.wait()
                raise ExportError(
                    f"the export stopped unexpectedly (exit code {code}); no file was written"
                ) from None
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
        if child.poll() is None:
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        child.stdout.close()
