"""Automatic, rotating backups of a store, and restoring one (no Qt here).

Public API, for any code that is about to change a store in bulk (an upgrade, a pack import, a
restore):

    take_backup(store_or_path, reason) -> Path

copies the store with SQLite's online backup API (a consistent copy even while another connection
writes, and it includes what is still in the -wal file) to a temporary name in the backup folder,
checks the copy with `integrity_check` (a damaged store raises `StoreDamaged` and no copy is
kept), flushes it to disk and renames it into place: a backup is whole or absent, and a failure
(a full disk, a folder that cannot be written to) leaves no temporary file and raises
`StoreError` in words. Pack import (and anything else) calls it as
`take_backup(store, "before-pack-import")`. Temporary files left by a process that was killed
mid-copy are removed by the next backup.

Backups live in a folder beside the store, `STEM-backups/`, named
`STEM-YYYYmmddTHHMMSSffffffZ-REASON.sqlite3` (UTC), so the folder lists them in order. Like Anki's
and Zotero's, they rotate by age: every backup of the last two days is kept, then the newest of
each day for 14 days, of each week for 8 weeks and of each month for a year, and never fewer than
the newest `KEEP_AT_LEAST`. `backup_if_due` takes one when the newest is older than a day (the app
calls it on open).

`restore_backup(store_path, backup)` checks the backup in full first (a damaged or foreign file
is refused and nothing changes), keeps the store being replaced as a backup ("before-restore"),
and puts the copy in place by rename.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from briefing.errors import StoreDamaged, StoreError
from briefing.store import encryption

KEEP_AT_LEAST = 10
DUE_AFTER = dt.timedelta(days=1)
_PAGES_PER_STEP = 256
_STAMP = "%Y%m%dT%H%M%S%fZ"
_NAME = re.compile(r"^(?P<stem>.+)-(?P<stamp>\d{8}T\d{12}Z)-(?P<reason>[a-z0-9-]+)\.sqlite3$")
_TEMP = re.compile(r"^\.(?P<name>.+)\.tmp-(?P<pid>\d+)(-journal|-wal|-shm)?$")
_REASON = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    taken_at: dt.datetime
    reason: str
    size: int

    def as_json(self) -> dict:
        return {
            "path": str(self.path),
            "taken_at": self.taken_at.isoformat(),
            "reason": self.reason,
            "size": self.size,
        }


@dataclass(frozen=True)
class Restored:
    store: Path
    restored_from: Path
    kept_aside: Path | None


def backup_folder(store_path: Path) -> Path:
    store_path = Path(store_path)
    return store_path.with_name(f"{store_path.stem}-backups")


def _store_path(store_or_path) -> Path:
    path = getattr(store_or_path, "path", None)
    if path is None:
        url = getattr(store_or_path, "url", None)  # a SQLAlchemy engine
        path = getattr(url, "database", None) if url is not None else store_or_path
    return Path(path)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale_temporaries(folder: Path, prefix: str | tuple[str, ...] = ".") -> None:
    """Delete temporary copies whose writing process no longer runs (it was killed mid-copy)."""
    if not folder.is_dir():
        return
    for entry in folder.iterdir():
        match = _TEMP.match(entry.name) if entry.name.startswith(prefix) else None
        if match and not _alive(int(match["pid"])):
            entry.unlink(missing_ok=True)


def _fsync_folder(folder: Path) -> None:
    with contextlib.suppress(OSError):
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


def _size_needed(source: sqlite3.Connection) -> int:
    (pages,) = source.execute("PRAGMA page_count").fetchone()
    (page_size,) = source.execute("PRAGMA page_size").fetchone()
    return int(pages) * int(page_size)  # SQLCipher answers PRAGMA page_size in text


def copy_database(
    source_path: Path, target: Path, *, what: str = "backup", frozen: bool = False
) -> None:
    """Copy a SQLite file to `target` with the backup API: temp name, check, fsync, rename.

    The store is read through an ordinary connection (so what is in its -wal file is included,
    and closing it leaves no -wal behind); a `frozen` file (a backup being restored) is read as
    immutable, exactly as `check_file` checked it, and gets no file beside it.
    Raises StoreError in words when the copy cannot be made; no temporary file is left.
    """
    folder = target.parent
    temp = folder / f".{target.name}.tmp-{os.getpid()}"
    options = "?mode=ro&immutable=1" if frozen else "?mode=rw"
    # An encrypted store's copy is keyed alike (same key and salt): encrypted from its first page.
    key = encryption.key_for(source_path)
    try:
        if key is None:
            source = sqlite3.connect(source_path.resolve().as_uri() + options, uri=True)
        else:
            source = encryption.connect(source_path, key, options=options)
    except encryption.errors() as error:
        raise StoreError(f"cannot read {source_path} to make a {what}: {error}") from error
    try:
        needed = _size_needed(source)
        free = shutil.disk_usage(folder).free
        if needed + (1 << 20) > free:
            raise StoreError(
                f"not enough space for a {what} in {folder}: it needs {_mb(needed)}, "
                f"{_mb(free)} is free; nothing was changed"
            )
        copy = sqlite3.connect(temp) if key is None else encryption.connect(temp, key)
        try:
            source.backup(copy, pages=_PAGES_PER_STEP)
            # A backup is one self-contained file: no -wal beside it.
            copy.execute("PRAGMA journal_mode = DELETE")
            # In full: a backup is what the user falls back on, and the check of the copy also
            # catches damage in the store that the quick check on open cannot see.
            (result,) = copy.execute("PRAGMA integrity_check(1)").fetchone()
            if result != "ok":
                raise StoreDamaged(
                    f"{source_path} is damaged (its {what} did not pass SQLite's integrity "
                    "check); no copy was kept"
                )
        finally:
            copy.close()
        with open(temp, "rb+") as file:
            os.fsync(file.fileno())
        os.replace(temp, target)
        _fsync_folder(folder)
    except encryption.errors() as error:
        raise StoreError(_words(f"cannot make a {what} in {folder}", error)) from error
    except OSError as error:
        raise StoreError(f"cannot make a {what} in {folder}: {error.strerror}") from error
    finally:
        source.close()
        temp.unlink(missing_ok=True)
        Path(f"{temp}-journal").unlink(missing_ok=True)


def _words(prefix: str, error: Exception) -> str:
    message = str(error)
    if "full" in message:
        message = "the disk is full"
    return f"{prefix}: {message}; nothing was changed"


def _mb(size: int) -> str:
    return f"{size / 1e6:.1f} MB"


def take_backup(store_or_path, reason: str, *, to: Path | None = None) -> Path:
    """Back up the store (a Store, a SQLAlchemy engine or a path) and return the backup's path.

    `reason` says why, in a word or two ("manual", "before-upgrade", "before-pack-import").
    With `to`, the copy goes exactly there (still whole or absent) and is not rotated.
    """
    path = _store_path(store_or_path)
    if to is not None:
        to = Path(to).expanduser()
        if not to.parent.is_dir():
            raise StoreError(f"cannot write a backup to {to}: no such folder")
        copy_database(path, to)
        return to
    folder = backup_folder(path)
    try:
        folder.mkdir(exist_ok=True)
    except OSError as error:
        raise StoreError(f"cannot make the backup folder {folder}: {error.strerror}") from error
    remove_stale_temporaries(folder)
    remove_stale_temporaries(path.parent, prefix=_restoring(path))  # a killed restore's
    tag = _REASON.sub("-", reason.lower()).strip("-") or "backup"
    stamp = dt.datetime.now(dt.UTC).strftime(_STAMP)
    target = folder / f"{path.stem}-{stamp}-{tag}.sqlite3"
    copy_database(path, target)
    rotate(path)
    return target


def list_backups(store_path: Path) -> list[BackupInfo]:
    """The store's backups, newest first."""
    store_path = Path(store_path)
    folder = backup_folder(store_path)
    if not folder.is_dir():
        return []
    found = []
    for entry in folder.iterdir():
        match = _NAME.match(entry.name)
        if not match or match["stem"] != store_path.stem or not entry.is_file():
            continue
        taken = dt.datetime.strptime(match["stamp"], _STAMP).replace(tzinfo=dt.UTC)
        found.append(BackupInfo(entry, taken, match["reason"], entry.stat().st_size))
    return sorted(found, key=lambda backup: backup.taken_at, reverse=True)


def _to_keep(backups: list[BackupInfo], now: dt.datetime) -> set[Path]:
    keep = {backup.path for backup in backups[:KEEP_AT_LEAST]}
    buckets: set[tuple[str, object]] = set()
    for backup in backups:  # newest first: the first seen in each bucket is its newest
        age = now - backup.taken_at
        date = backup.taken_at.date()
        if age <= dt.timedelta(days=2):
            keep.add(backup.path)
            continue
        if age <= dt.timedelta(days=14):
            bucket = ("day", date)
        elif age <= dt.timedelta(weeks=8):
            bucket = ("week", tuple(date.isocalendar())[:2])
        elif age <= dt.timedelta(days=366):
            bucket = ("month", (date.year, date.month))
        else:
            continue
        if bucket not in buckets:
            buckets.add(bucket)
            keep.add(backup.path)
    return keep


def rotate(store_path: Path, *, now: dt.datetime | None = None) -> list[Path]:
    """Delete the backups the schedule no longer keeps; returns what was deleted."""
    backups = list_backups(store_path)
    keep = _to_keep(backups, now or dt.datetime.now(dt.UTC))
    removed = []
    for backup in backups:
        if backup.path not in keep:
            with contextlib.suppress(OSError):
                backup.path.unlink()
                removed.append(backup.path)
    return removed


def backup_if_due(store_or_path, *, now: dt.datetime | None = None) -> Path | None:
    """Take an automatic backup when the newest is older than a day (or there is none)."""
    path = _store_path(store_or_path)
    backups = list_backups(path)
    now = now or dt.datetime.now(dt.UTC)
    if backups and now - backups[0].taken_at < DUE_AFTER:
        return None
    return take_backup(path, "automatic")


def check_file(path: Path, *, full: bool = True) -> str | None:
    """What is wrong with a SQLite file, in words, or None when it checks out."""
    from briefing.store.database import APPLICATION_ID, SQLITE_HEADER

    try:
        with path.open("rb") as file:
            header = file.read(100)
    except OSError as error:
        return f"cannot read it: {error.strerror}"
    try:
        key = encryption.key_for(path)
    except encryption.PassphraseNeeded:
        return "it is encrypted with a passphrase that was not given"
    if key is None and (len(header) < 100 or not header.startswith(SQLITE_HEADER)):
        return "it is not a SQLite database"
    if key is None and int.from_bytes(header[68:72], "big") != APPLICATION_ID:
        return "it is a SQLite database of another program"
    try:
        connection = encryption.connect_file(path, "?mode=ro&immutable=1")
    except encryption.errors() as error:
        return f"cannot open it: {error}"
    try:
        if key is not None and encryption.application_id(connection) != APPLICATION_ID:
            return "it is not a Briefing store"
        rows = connection.execute(
            "PRAGMA integrity_check(20)" if full else "PRAGMA quick_check(20)"
        ).fetchall()
    except encryption.errors("DatabaseError") as error:
        return f"it is damaged ({error})"
    finally:
        connection.close()
    if [row[0] for row in rows] != ["ok"]:
        return f"it is damaged ({len(rows)} problem{'s' if len(rows) != 1 else ''} found)"
    return None


def latest_good_backup(store_path: Path) -> BackupInfo | None:
    """The newest backup that passes a quick check, or None."""
    for backup in list_backups(store_path):
        if check_file(backup.path, full=False) is None:
            return backup
    return None


def restore_backup(store_path: Path, backup: Path) -> Restored:
    """Replace the store by a copy of `backup`, keeping the store being replaced first.

    The backup is checked in full before anything changes; a damaged, foreign or newer file is a
    StoreError and the store is left as it was. The store being replaced is backed up
    ("before-restore"); if it is itself too damaged to copy, it is renamed aside under a dated
    name beside itself. Its -wal and -shm files are removed before the copy is renamed into
    place, so they are never applied to the restored file.
    """
    from briefing.store import migrations

    store_path = Path(store_path)
    backup = Path(backup).expanduser()
    if not backup.is_file():
        raise StoreError(f"there is no backup at {backup}")
    problem = check_file(backup, full=True)
    if problem is not None:
        raise StoreError(f"{backup} cannot be restored: {problem}; nothing was changed")
    connection = encryption.connect_file(backup, "?mode=ro&immutable=1")
    try:
        revision = migrations.current_revision(connection)
    finally:
        connection.close()
    if revision is not None and not migrations.is_known(revision):
        raise StoreError(
            f"{backup} was written by a newer version of Briefing (schema {revision}); "
            "nothing was changed"
        )
    folder = store_path.parent
    incoming = folder / f".{store_path.name}.restoring.tmp-{os.getpid()}"
    remove_stale_temporaries(folder, prefix=_restoring(store_path))
    store_key = encryption.key_for(store_path) if store_path.exists() else None
    backup_key = encryption.key_for(backup)
    if store_key is not None and backup_key != store_key:
        # An encrypted store stays encrypted, under its own passphrase, whatever the backup's.
        encryption.export_copy(backup, backup_key, incoming, store_key)
    else:
        copy_database(backup, incoming, what="copy of the backup", frozen=True)
    kept: Path | None = None
    try:
        if store_path.exists():
            kept = keep_aside(store_path)
        for suffix in ("-wal", "-shm", "-journal"):
            Path(f"{store_path}{suffix}").unlink(missing_ok=True)
        os.replace(incoming, store_path)
        _fsync_folder(folder)
    finally:
        incoming.unlink(missing_ok=True)
    return Restored(store_path, backup, kept)


def _restoring(store_path: Path) -> tuple[str, ...]:
    """How a restore's temporary files beside the store begin (the copy, and its own temp)."""
    return (f".{store_path.name}.restoring.tmp-", f"..{store_path.name}.restoring.tmp-")


def keep_aside(store_path: Path) -> Path:
    """Keep the store as it is now: a backup if it can be copied, else a dated rename."""
    if check_file(store_path, full=False) is None:
        with contextlib.suppress(StoreError):
            return take_backup(store_path, "before-restore")
    return set_aside(store_path, "replaced")


def set_aside(store_path: Path, why: str) -> Path:
    """Rename a store (and its -wal, -shm) to `STEM.WHY-STAMP.sqlite3` beside it; return it."""
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    target = store_path.with_name(f"{store_path.stem}.{why}-{stamp}{store_path.suffix}")
    try:
        for suffix in ("-wal", "-shm", "-journal"):
            extra = Path(f"{store_path}{suffix}")
            if extra.exists():
                os.replace(extra, Path(f"{target}{suffix}"))
        os.replace(store_path, target)
    except OSError as error:
        raise StoreError(f"cannot move {store_path} aside: {error.strerror}") from error
    _fsync_folder(store_path.parent)
    return target
