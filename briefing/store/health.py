"""Checks that run when a store is opened, before anything is written to it (no Qt here).

- **Hot journal.** A rollback journal left by a crash (an upgrade runs in the file's own
  journal mode) must be rolled back before anything reads the file; the inspection then opens the
  file read-write so that SQLite does so, instead of `immutable=1`, which would ignore it.
- **A -wal that does not belong.** A -wal file beside a store that no process has open was left
  by a crash, or copied in with another copy of the store (a restore by hand, beside an old
  -wal). Before SQLite applies it, a copy of the store and the -wal is recovered in a temporary
  folder and checked in full; if the copy is damaged but the store alone is sound, the -wal is
  set aside under a dated name and the user told. Whether another process has the store open is
  read from SQLite's own lock on the -shm file (the "DMS" byte every connection holds shared).
- **quick_check** on open; a damaged store raises `StoreDamaged` (see `refuse_damaged`). It
  costs a read of the whole file (1.3 s for a 200 MB store), so it is skipped when the file is
  provably the one that last passed it: see "The check record" below.
- **A -shm file that cannot be written** (left 0444 by a read-only open of a read-only file) is
  given the store file's permissions back, so it does not block writes once the store is
  writable again.

The check record
----------------
After a passing quick_check, `NAME-checked` beside the store records the file's identity and
state: device and inode, size, modification and status-change times in nanoseconds, SQLite's
file change counter (header bytes 24-27), and the same of its -wal file (or that there was
none). An open whose file matches the record in every field, less than a day after the check,
skips quick_check. Why this keeps the check's protection:

- any write to the file, by SQLite or anything else (a copy over it, `dd`, a sync tool), moves
  its modification and status-change times; the status-change time cannot be set back by a
  program (`touch` and `os.utime` set it to now), so a damaged file cannot pass for the checked
  one; a file replaced or restored at the path has another inode; a -wal copied in beside it
  shows in the -wal's fields;
- damage no write makes (a failing disk) is caught by the next check, at most a day later,
  when the record has expired; and `briefing check` runs the full checks whenever asked;
- a command of our own that opened a checked file and wrote to it through SQLite records the
  file again when it closes (`Store.close`), if the file at the path is still the one it
  opened (same inode): SQLite's own transactions do not damage a file, so a script that adds a
  note a minute does not pay a full read of the store each time.

The record is only a hint: it cannot be written (a read-only folder) or read, and the check
simply runs. It holds no record text.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import fcntl
import json
import os
import shutil
import sqlite3
import stat
import tempfile
from pathlib import Path

from briefing.errors import StoreDamaged, StoreError

# SQLite's unix VFS: the wal-index lock bytes start at 120 in the -shm file; the "DMS" lock,
# held shared by every open connection, is at 120 + 8.
_DMS_LOCK = 128


def sidecar(path: Path, suffix: str) -> Path:
    return Path(f"{path}{suffix}")


def has_hot_journal(path: Path) -> bool:
    journal = sidecar(path, "-journal")
    return journal.exists() and journal.stat().st_size > 0


def has_wal(path: Path) -> bool:
    wal = sidecar(path, "-wal")
    return wal.exists() and wal.stat().st_size > 0


def in_use_elsewhere(path: Path) -> bool:
    """Whether another process has a SQLite connection open on the store (WAL mode)."""
    shm = sidecar(path, "-shm")
    if not shm.exists():
        return False
    try:
        descriptor = os.open(shm, os.O_RDWR)
    except OSError:
        return True  # cannot tell: assume the -wal is someone's, and leave it alone
    try:
        try:
            fcntl.lockf(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, _DMS_LOCK)
        except OSError:
            return True
        fcntl.lockf(descriptor, fcntl.LOCK_UN, 1, _DMS_LOCK)
        return False
    finally:
        os.close(descriptor)


def fix_shm_permissions(path: Path) -> None:
    # By the permission bits, not os.access: the superuser may write anything, others may not.
    shm = sidecar(path, "-shm")
    if not shm.exists():
        return
    mode = stat.S_IMODE(path.stat().st_mode)
    if stat.S_IMODE(shm.stat().st_mode) & stat.S_IWUSR or not mode & stat.S_IWUSR:
        return
    try:
        shm.chmod(mode)
    except OSError as error:
        raise StoreError(
            f"{shm} cannot be written to (it was left read-only); remove it while no window "
            f"has the store open: {error.strerror}"
        ) from error


CHECK_RECORD = "-checked"
CHECK_RECORD_LIFETIME = dt.timedelta(days=1)


def fingerprint(path: Path) -> dict | None:
    """The store file's (and its -wal's) identity and state, or None when it cannot be read."""
    try:
        with path.open("rb") as file:
            header = file.read(100)
            stat_ = os.fstat(file.fileno())
        wal = sidecar(path, "-wal")
        wal_stat = wal.stat() if wal.exists() else None
    except OSError:
        return None

    def state(found: os.stat_result) -> list[int]:
        return [found.st_dev, found.st_ino, found.st_size, found.st_mtime_ns, found.st_ctime_ns]

    return {
        "file": state(stat_),
        "change_counter": int.from_bytes(header[24:28], "big") if len(header) >= 28 else None,
        "wal": state(wal_stat) if wal_stat is not None else None,
    }


def _record_path(path: Path) -> Path:
    return sidecar(path, CHECK_RECORD)


def checked_already(path: Path, now: dt.datetime | None = None) -> bool:
    """Whether the store file is provably the one that last passed quick_check, within a day.

    Only where a file's change time is a change time (POSIX): on Windows `st_ctime` is when the
    file was made, which a write does not move, so there the check runs on every open."""
    if os.name != "posix":
        return False
    try:
        record = json.loads(_record_path(path).read_text(encoding="utf-8"))
        checked_at = dt.datetime.fromisoformat(record["checked_at"])
    except (OSError, ValueError, KeyError, TypeError):
        return False
    now = now or dt.datetime.now(dt.UTC)
    if not dt.timedelta(0) <= now - checked_at < CHECK_RECORD_LIFETIME:
        return False
    current = fingerprint(path)
    return current is not None and record.get("fingerprint") == current


def remember_checked(
    path: Path, seen: dict | None = None, checked_at: dt.datetime | None = None
) -> None:
    """Record that the store file, as `seen` (now, if not given), passed quick_check."""
    seen = seen if seen is not None else fingerprint(path)
    if seen is None:
        return
    record = {
        "checked_at": (checked_at or dt.datetime.now(dt.UTC)).isoformat(),
        "fingerprint": seen,
    }
    target = _record_path(path)
    temporary = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    try:
        temporary.write_text(json.dumps(record), encoding="utf-8")
        os.replace(temporary, target)
    except OSError:
        with contextlib.suppress(OSError):
            temporary.unlink()


def forget_checked(path: Path) -> None:
    with contextlib.suppress(OSError):
        _record_path(path).unlink()


def check_record_time(path: Path) -> dt.datetime | None:
    """When the store last passed quick_check, as its record says (None: no record)."""
    try:
        record = json.loads(_record_path(path).read_text(encoding="utf-8"))
        return dt.datetime.fromisoformat(record["checked_at"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


@dataclasses.dataclass(frozen=True)
class Sound:
    """A store found sound on open; `remember()` writes its check record once the opening has
    accepted the file (a store refused for another reason is left without one, as found)."""

    path: Path
    seen: dict | None = None  # the file as quick_check read it (None: the check was skipped)
    checked_at: dt.datetime | None = None

    def remember(self) -> None:
        if self.seen is not None:
            remember_checked(self.path, self.seen, self.checked_at)


def sound_on_open(path: Path, connection: sqlite3.Connection) -> Sound | None:
    """quick_check, unless the file is provably the one that last passed it (see above);
    None when the store is damaged."""
    if checked_already(path):
        return Sound(path)
    seen = fingerprint(path)  # before the check: a write during it makes the record not match
    checked_at = dt.datetime.now(dt.UTC)
    if not quick_check(connection):
        return None  # its record, if any, no longer matches it: left as found, as the file
    return Sound(path, seen, checked_at)


def quick_check(connection: sqlite3.Connection) -> bool:
    from briefing.store.encryption import errors

    try:
        rows = connection.execute("PRAGMA quick_check(1)").fetchall()
    except errors("DatabaseError"):
        return False
    return [row[0] for row in rows] == ["ok"]


def _full_check(path: Path, *, immutable: bool) -> bool:
    from briefing.store.encryption import connect_file, errors

    options = "?mode=ro&immutable=1" if immutable else ""
    try:
        connection = connect_file(path, options)  # a copy of an encrypted store: its key
    except errors():
        return False
    try:
        rows = connection.execute("PRAGMA integrity_check(1)").fetchall()
        return [row[0] for row in rows] == ["ok"]
    except errors("DatabaseError"):
        return False
    finally:
        connection.close()


def wal_belongs(path: Path) -> bool:
    """Whether applying the store's -wal gives a sound store: tried on a copy of both."""
    wal = sidecar(path, "-wal")
    folder = path.parent if os.access(path.parent, os.W_OK) else None
    with tempfile.TemporaryDirectory(prefix=".briefing-walcheck-", dir=folder) as scratch:
        copy = Path(scratch) / "store.sqlite3"
        try:
            shutil.copyfile(path, copy)
            shutil.copyfile(wal, sidecar(copy, "-wal"))
        except OSError as error:
            raise StoreError(f"cannot check {wal} before using it: {error.strerror}") from error
        return _full_check(copy, immutable=False)


def set_aside_wal(path: Path) -> Path:
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    wal = sidecar(path, "-wal")
    target = path.with_name(f"{path.name}-wal.set-aside-{stamp}")
    os.replace(wal, target)
    sidecar(path, "-shm").unlink(missing_ok=True)
    return target


def check_wal(path: Path, *, ours: bool) -> str | None:
    """Set aside a -wal that does not belong to the store; returns the sentence for the user.

    Raises StoreDamaged when the store is damaged with or without it.
    """
    if ours or not has_wal(path) or in_use_elsewhere(path):
        return None
    if wal_belongs(path):
        return None
    if not _full_check(path, immutable=True):
        raise refuse_damaged(path)
    target = set_aside_wal(path)
    return (
        f"A file of unsaved changes beside the store ({target.name.split('.set-aside')[0]}) "
        f"did not belong to it: applying it would have damaged the store. It was set aside as "
        f"{target.name} and the store opened as it was last saved."
    )


def keep_damaged_copy(path: Path) -> Path:
    """Copy a damaged store (and its -wal) to `STEM.damaged-STAMP.sqlite3`, once per state."""
    size, mtime = path.stat().st_size, path.stat().st_mtime
    for earlier in path.parent.glob(f"{path.stem}.damaged-*{path.suffix}"):
        with contextlib.suppress(OSError):
            if earlier.stat().st_size == size and earlier.stat().st_mtime == mtime:
                return earlier
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    target = path.with_name(f"{path.stem}.damaged-{stamp}{path.suffix}")
    try:
        shutil.copy2(path, target)
        if has_wal(path):
            shutil.copy2(sidecar(path, "-wal"), sidecar(target, "-wal"))
    except OSError:
        return path  # no room for a copy: the file itself stays untouched, which keeps it
    return target


def refuse_damaged(path: Path) -> StoreDamaged:
    """The error for a damaged store, after keeping a dated copy; the store is not written."""
    from briefing.store.backups import latest_good_backup

    kept = keep_damaged_copy(path)
    backup = latest_good_backup(path)
    words = [f"{path} is damaged, so it was not opened and nothing was written to it."]
    if kept != path:
        words.append(f"A copy of it as it is was kept as {kept}.")
    if backup is not None:
        taken = backup.taken_at.strftime("%Y-%m-%d %H:%M UTC")
        words.append(
            f"The latest good backup is from {taken}: {backup.path}. "
            f"To go back to it: briefing restore '{backup.path}'"
        )
    else:
        words.append("There is no backup of it to go back to.")
    return StoreDamaged(" ".join(words), kept_aside=kept, backup=backup)
