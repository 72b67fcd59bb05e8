"""Writing an export whole or not at all.

The bytes go to a temporary file in the destination's own folder (so the final rename stays on
one file system and is atomic), are flushed to disk, and only then replace the destination with
`os.replace`. Any failure (a full disk, a folder that cannot be written to, a cancelled export)
removes the temporary file, so the folder holds either the old file, the new one, or nothing.

What an export may replace (`check_destination`, checked before rendering and again just before
the rename):

- nothing (a new file), or a regular file the user can write to;
- a read-only file (no write permission bit, even for root, who could write it anyway) is
  refused: read-only is how people protect a file from being overwritten;
- a device, a FIFO, a socket or a folder is refused in words: replacing one with a regular
  file (as root, a device node) would break something that is not a document;
- a symbolic link is followed: the file it points to is checked by the same rules and replaced
  in its own folder, and the link stays a link. A link that points nowhere is refused.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from pathlib import Path

from briefing.errors import ExportError, InputError

_KINDS = (
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISDIR, "a folder"),
)


def _existing_problem(path: Path, shown: Path) -> str | None:
    """Why the existing `path` may not be replaced by an export, or None."""
    try:
        status = path.stat()
    except (FileNotFoundError, NotADirectoryError):
        return None  # nothing to replace; the checks of its folder say the rest
    except OSError as error:
        return f"cannot write {shown}: {_reason(error)}"
    for test, kind in _KINDS:
        if test(status.st_mode):
            return f"cannot write {shown}: it is {kind}, not a regular file"
    if not stat.S_ISREG(status.st_mode):
        return f"cannot write {shown}: it is not a regular file"
    if not status.st_mode & 0o222 or not os.access(path, os.W_OK):
        return f"cannot write {shown}: the file is read-only; nothing was replaced"
    return None


def _followed(path: Path) -> Path:
    """The file a symbolic link points to (the rule in the module docstring), else `path`."""
    if not path.is_symlink():
        return path
    target = Path(os.path.realpath(path))
    if not target.exists():
        raise InputError(f"cannot write {path}: it is a link to {target}, which does not exist")
    return target


def check_destination(path: Path) -> Path:
    """Fail early, before any rendering, if `path` cannot be written; the path to write (a
    symbolic link's target)."""
    shown = Path(path).expanduser()
    path = _followed(shown)
    if (problem := _existing_problem(path, shown)) is not None:
        raise InputError(problem)
    folder = path.parent
    if not folder.exists():
        raise InputError(f"cannot write {path}: the folder {folder} does not exist")
    if not folder.is_dir():
        raise InputError(f"cannot write {path}: {folder} is not a folder")
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
        if (problem := _existing_problem(path, path)) is not None:  # changed while rendering
            raise InputError(problem)
        os.replace(temporary, path)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise ExportError(f"cannot write {path}: {_reason(error)}; nothing was written") from error
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
