"""Writing an export whole or not at all.

The bytes go to a temporary file in the destination's own folder (so the final rename stays on
one file system and is atomic), are flushed to disk, and only then replace the destination with
`os.replace`. Any failure (a full disk, a folder that cannot be written to, a cancelled export)
removes the temporary file, so the folder holds either the old file, the new one, or nothing.
"""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path

from briefing.errors import ExportError, InputError


def check_destination(path: Path) -> Path:
    """Fail early, before any rendering, if `path` cannot be written."""
    path = Path(path).expanduser()
    folder = path.parent
    if not folder.exists():
        raise InputError(f"cannot write {path}: the folder {folder} does not exist")
    if not folder.is_dir():
        raise InputError(f"cannot write {path}: {folder} is not a folder")
    if path.is_dir():
        raise InputError(f"cannot write {path}: it is a folder")
    if not os.access(folder, os.W_OK):
        raise InputError(f"cannot write {path}: the folder {folder} is not writable")
    return path


def _reason(error: OSError) -> str:
    if error.errno == errno.ENOSPC:
        return "the disk is full"
    if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return "permission denied"
    return error.strerror or str(error)


def _read_umask() -> int:
    umask = os.umask(0o022)
    os.umask(umask)
    return umask


# Read once, at import (in the main thread): reading it means setting it for a moment, which
# must not race a worker thread that is creating files.
_UMASK = _read_umask()


def _mode_for(path: Path) -> int:
    """The permissions a plain `open(path, "w")` would give: the old file's, or 0666 less the
    umask."""
    try:
        return path.stat().st_mode & 0o777
    except OSError:
        return 0o666 & ~_UMASK


def write_atomically(path: Path, data: bytes) -> None:
    """Write `data` to `path` so that a failure leaves no partial file."""
    path = check_destination(path)
    try:
        handle, temporary = tempfile.mkstemp(
            prefix=f".{path.name}.", suffix=".part", dir=path.parent
        )
    except OSError as error:
        raise ExportError(f"cannot write {path}: {_reason(error)}") from error
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            # mkstemp makes the file private (0600); an export is meant to be handed on, so it
            # gets the permissions any new file would (or those of the file it replaces).
            os.fchmod(file.fileno(), _mode_for(path))
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise ExportError(f"cannot write {path}: {_reason(error)}; nothing was written") from error
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
