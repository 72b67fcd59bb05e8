"""Which process has a store open in the app's window (no Qt here).

The window holds a lock file beside the store, `NAME.lock` (Qt's QLockFile, see
`briefing.ui.app`), for as long as it is open: one writer window per store. QLockFile writes the
holder's process id on the file's first line and its host name on the third; this module reads
them so that headless commands that must not run under an open window (`restore`) can refuse.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path


def lock_path(store_path: Path) -> Path:
    store_path = Path(store_path)
    return store_path.with_name(store_path.name + ".lock")


def holder_of(store_path: Path) -> int | None:
    """The id of a live process on this machine that holds the store's lock, or None."""
    try:
        lines = lock_path(store_path).read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    try:
        pid = int(lines[0])
    except (IndexError, ValueError):
        return None
    host = lines[2] if len(lines) > 2 else ""
    if host and host != socket.gethostname():
        return None  # another machine's lock on a shared folder: its process cannot be asked
    if pid == os.getpid():
        return pid
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        return pid
    return pid
