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

Starting the child costs more than most exports: Python, Qt and the app take 4-6 s to import on a
busy machine, and the user saw nothing happen meanwhile. So the window keeps one spare child
(`warm`, called once it is idle after start-up, never before its first paint): it has loaded all
that and waits for a job. An export takes the spare if one waits and is alive, else starts a
child as before, and a new spare is started when the export ends. A spare gets nothing until it
is given a job, an encrypted store's key included (on its standard input, as always); it exits
when its standard input closes (`shut_down`, at exit, or when the window's process dies).
"""

from __future__ import annotations

import atexit
import contextlib
import os
import pickle
import select
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

from sqlalchemy.orm import Session

from briefing.core.briefings import BriefingContent
from briefing.errors import ExportError
from briefing.store import encryption
from briefing.store.database import password_given

POLL_S = 0.05

_lock = threading.Lock()
_spare: subprocess.Popen | None = None  # a started child waiting for its job
_keep_warm = False  # whether a new spare follows each export (once `warm` has been called)


def _start_child() -> subprocess.Popen:
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    return subprocess.Popen(
        [sys.executable, "-m", "briefing.export.child"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env=env,
    )


def warm() -> None:
    """Start a spare child now, if none waits, and keep one after every export from now on."""
    global _spare, _keep_warm
    with _lock:
        if not _keep_warm:
            _keep_warm = True
            atexit.register(shut_down)
        if _spare is None or _spare.poll() is not None:
            _spare = _start_child()


def shut_down() -> None:
    """Let the spare child go (its standard input closes, so it exits); no new one follows."""
    global _spare, _keep_warm
    with _lock:
        child, _spare, _keep_warm = _spare, None, False
    if child is not None:
        _close(child)


def _close(child: subprocess.Popen) -> None:
    for stream in (child.stdin, child.stdout):
        if stream is not None:
            with contextlib.suppress(OSError):
                stream.close()
    try:
        child.wait(timeout=10)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()


def _take_child() -> subprocess.Popen:
    """The spare child if one waits and is alive, else a new one."""
    global _spare
    with _lock:
        child, _spare = _spare, None
    if child is not None and child.poll() is None:
        return child
    if child is not None:
        _close(child)
    return _start_child()


def _give_job(job: tuple) -> subprocess.Popen:
    """A child that has been handed `job` on its standard input (one retry with a new child
    if the spare died between the check and the writing)."""
    for attempt in range(2):
        child = _take_child() if attempt == 0 else _start_child()
        assert child.stdin is not None
        try:
            pickle.dump(job, child.stdin)
            child.stdin.close()
            return child
        except BrokenPipeError:
            _close(child)
    raise ExportError("the export could not start its process; no file was written")


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
    # An encrypted store's key goes to the child on its standard input, as the job does.
    key = encryption.key_for(Path(load[0])) if load is not None else None
    # So does a team store's password, when the window was given one (not from libpq's files).
    password = password_given(load[0]) if load is not None else None
    child = _give_job((content, load, str(path), fmt, key, password))
    assert child.stdout is not None
    try:
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
            if kind == "ready":
                continue  # it had loaded what it needs; the job is under way
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
        if _keep_warm:
            warm()  # the next export finds a child ready too
