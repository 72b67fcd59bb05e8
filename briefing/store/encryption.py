"""Encryption at rest: SQLCipher 4 for encrypted stores, stdlib sqlite3 for every other (no Qt).

What a file is comes from its first bytes: "SQLite format 3\\0" is a plain store, read with the
stdlib `sqlite3` exactly as before; a file whose first kilobyte looks like random bytes is an
encrypted store (SQLCipher encrypts every byte of every page; the first 16 bytes are its salt),
read through the `sqlcipher3` module, which is imported only then.

Keys. The passphrase (Unicode NFC, UTF-8) goes through SQLCipher 4's own KDF, PBKDF2-HMAC-SHA512
with 256,000 iterations over the file's salt, computed here once (`derive`, about 0.1 s) and
then given to every connection as a raw key with its salt (`PRAGMA key = "x'KEY SALT'"`), so a
connection costs no key derivation: a pool of connections and the backups opened later do not
pay it again. A file encrypted here opens in any SQLCipher 4 with the passphrase and default
settings. Keys live only in this process's memory (`_KEYS`, by salt); a passphrase is never
written anywhere, logged or put in a message.

Everything made from an encrypted store keeps its salt and key: its -wal, its backups (the
backup API between two connections keyed alike), the temporary copies the opening checks make;
`PRAGMA temp_store = MEMORY` keeps SQLite's own temporary tables off the disk. So every file of
one store opens with one passphrase. Decrypting is paid per page read from the file, so an
encrypted connection gets a large page cache (`CACHE_KIB`, filled only as pages are read).

Converting (`encrypt_store`, `decrypt_store`, `change_passphrase`) exports the store with
`sqlcipher_export` into a new file under a temporary name, checks it in full, and renames it into
place: a crash leaves either the old store or the new one, whole. Its backups are converted the
same way, one by one. A plain file that encryption replaces is first overwritten with zeros
through a handle kept open across the rename; the README says what that does not guarantee.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import sqlite3
import sys
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from briefing.errors import InputError, StoreError

SQLITE_HEADER = b"SQLite format 3\x00"
KDF_ITERATIONS = 256_000  # SQLCipher 4's default; its HMAC-SHA512 and 4096-byte pages too
SALT_SIZE = 16
KEY_SIZE = 32
MAX_PASSPHRASE = 4096  # characters; a longer one is refused in words, not hashed for minutes
_SNIFF = 1024
CACHE_KIB = 256 * 1024  # per connection: see `connect`


class PassphraseNeeded(StoreError):
    """The store is encrypted and this process has no key for it yet (see `unlock`)."""

    def __init__(self, path: Path) -> None:
        super().__init__(
            f"{path} is encrypted: give its passphrase (--passphrase-file FILE, "
            "BRIEFING_PASSPHRASE_FILE, or type it when asked on a terminal)"
        )
        self.path = path


class WrongPassphrase(StoreError):
    """The passphrase does not open the store; nothing was changed."""


@dataclass(frozen=True)
class Key:
    """A derived key and the salt it was derived with; never printed."""

    raw: bytes = field(repr=False)
    salt: bytes = field(repr=False)

    @property
    def pragma(self) -> str:
        """SQLCipher's raw key with explicit salt: no key derivation on connecting."""
        return f"x'{self.raw.hex()}{self.salt.hex()}'"


_KEYS: dict[bytes, Key] = {}


def _cipher():
    """The sqlcipher3 module, imported on first use (only encrypted stores need it)."""
    from sqlcipher3 import dbapi2

    if not getattr(dbapi2, "_briefing_quiet", False):
        # SQLCipher logs a failed page check (a wrong passphrase) to stderr; say it in words.
        quiet = dbapi2.connect(":memory:")
        with contextlib.suppress(dbapi2.Error):
            quiet.execute("PRAGMA cipher_log_level = NONE")
        quiet.close()
        dbapi2._briefing_quiet = True
    return dbapi2


def connection_module():
    """The DB-API module of encrypted stores, for SQLAlchemy's `module=` (errors wrap right)."""
    return _cipher()


def errors(kind: str = "Error") -> tuple[type[BaseException], ...]:
    """sqlite3's exception class `kind` and, once SQLCipher is in use, its counterpart.

    For `except encryption.errors("DatabaseError"):` where a connection may be either kind."""
    found: list[type[BaseException]] = [getattr(sqlite3, kind)]
    module = sys.modules.get("sqlcipher3.dbapi2")
    if module is not None:
        found.append(getattr(module, kind))
    return tuple(found)


def _first_bytes(path: Path, size: int = _SNIFF) -> bytes:
    try:
        with Path(path).open("rb") as file:
            return file.read(size)
    except OSError:
        return b""


def looks_encrypted(head: bytes, size: int) -> bool:
    """Whether a file's first kilobyte is what SQLCipher writes: bytes that look random.

    A page is 4096 bytes and SQLCipher leaves none of it readable; a text file or an empty
    one uses far fewer than 150 of the 256 byte values in a kilobyte (random bytes use ~250).
    """
    if head.startswith(SQLITE_HEADER) or size < 4096 or size % 512:
        return False
    return len(head) >= _SNIFF and len(set(head[:_SNIFF])) > 150


def is_encrypted(path: Path) -> bool:
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError:
        return False
    return looks_encrypted(_first_bytes(path), size)


def key_for(path: Path) -> Key | None:
    """The key of an encrypted store this process has unlocked; None for a plain file.

    Raises PassphraseNeeded for an encrypted file whose key is not known yet."""
    path = Path(path)
    if not is_encrypted(path):
        return None
    key = _KEYS.get(_first_bytes(path, SALT_SIZE))
    if key is None:
        raise PassphraseNeeded(path)
    return key


def remember(key: Key) -> None:
    """Make a key unlocked elsewhere known to this process (the export's child process is
    handed its parent's key on a pipe, never on its command line or in its environment)."""
    _KEYS[key.salt] = key


def needs_passphrase(path: Path) -> bool:
    try:
        key_for(path)
    except PassphraseNeeded:
        return True
    return False


def _checked(passphrase: str) -> bytes:
    if not isinstance(passphrase, str) or passphrase == "":
        raise InputError("the passphrase is empty; nothing was changed")
    if len(passphrase) > MAX_PASSPHRASE:
        raise InputError(
            f"the passphrase is longer than {MAX_PASSPHRASE} characters; nothing was changed"
        )
    # The same words typed on another system may come composed differently.
    return unicodedata.normalize("NFC", passphrase).encode("utf-8", "surrogatepass")


def derive(passphrase: str, salt: bytes) -> Key:
    """SQLCipher 4's key derivation, done once: PBKDF2-HMAC-SHA512, 256,000 rounds."""
    raw = hashlib.pbkdf2_hmac("sha512", _checked(passphrase), salt, KDF_ITERATIONS, KEY_SIZE)
    return Key(raw, salt)


def new_key(passphrase: str) -> Key:
    """A key for a file about to be encrypted: a new random salt. Known to this process."""
    key = derive(passphrase, os.urandom(SALT_SIZE))
    _KEYS[key.salt] = key
    return key


def unlock(path: Path, passphrase: str) -> Key:
    """Check `passphrase` against the encrypted store at `path` and keep its key in memory.

    Reads only; a wrong passphrase is a WrongPassphrase and nothing is written, so there is no
    count of attempts to keep and no lock-out."""
    path = Path(path)
    if not is_encrypted(path):
        raise StoreError(f"{path} is not encrypted: it needs no passphrase")
    key = derive(passphrase, _first_bytes(path, SALT_SIZE))
    if not opens(path, key):
        raise WrongPassphrase(f"the passphrase does not open {path}; nothing was changed")
    _KEYS[key.salt] = key
    return key


def forget_all() -> None:
    """Drop every key this process holds (tests; a window that closes its store)."""
    _KEYS.clear()


def opens(path: Path, key: Key) -> bool:
    """Whether `key` decrypts the file's first page (read-only, nothing beside it is made)."""
    dbapi2 = _cipher()
    try:
        connection = connect(path, key, options="?mode=ro&immutable=1")
    except dbapi2.Error:
        return False
    try:
        connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return True
    except dbapi2.DatabaseError:
        return False
    finally:
        connection.close()


def connect(path: Path, key: Key, *, options: str = "", **kwargs):
    """A SQLCipher connection to `path` keyed with `key` (a new file gets its salt).

    `options` is a URI query ("?mode=ro"); keyword arguments go to `connect`."""
    dbapi2 = _cipher()
    uri = f"{Path(path).resolve().as_uri()}{options}"
    connection = dbapi2.connect(uri, uri=True, **kwargs)
    try:
        # The key before anything else reads the file.
        connection.execute(f'PRAGMA key = "{key.pragma}"')
        connection.execute("PRAGMA temp_store = MEMORY")
        # Every page read from the file is decrypted and its HMAC checked; a page kept in
        # SQLite's cache is not. SQLite's default cache (2 to 8 MB) made a search on the
        # 223 MB benchmark store 2.5 times slower than plain, a topic 4 times; the cache
        # grows only as pages are read, so a small store never uses this much.
        connection.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
    except BaseException:
        connection.close()
        raise
    return connection


def connect_file(path: Path, options: str = "", **kwargs):
    """A connection to a store file of either kind: stdlib sqlite3 for a plain one."""
    key = key_for(path)
    if key is None:
        return sqlite3.connect(f"{Path(path).resolve().as_uri()}{options}", uri=True, **kwargs)
    return connect(path, key, options=options, **kwargs)


def application_id(connection) -> int:
    (value,) = connection.execute("PRAGMA application_id").fetchone()
    return value


# --- converting a store -------------------------------------------------------------------------


@dataclass(frozen=True)
class Converted:
    """What a conversion changed: the store, the backups converted, and files it left as they
    were (named, so the user can deal with them)."""

    store: Path
    backups: list[Path]
    left_plain: list[Path]


_TEMP = re.compile(
    r"^\.(?P<name>.+)\.(encrypting|decrypting|rekeying)\.tmp-(?P<pid>\d+)(-journal)?$"
)


def _temp_for(path: Path, action: str) -> Path:
    return path.with_name(f".{path.name}.{action}.tmp-{os.getpid()}")


def _remove_stale(folder: Path) -> None:
    """Remove what a killed conversion left (its process is gone): encrypted or empty copies."""
    from briefing.store.backups import _alive

    if not folder.is_dir():
        return
    for entry in folder.iterdir():
        match = _TEMP.match(entry.name)
        if match and not _alive(int(match["pid"])):
            entry.unlink(missing_ok=True)


def _overwrite(descriptor: int) -> None:
    """Write zeros over a file's whole length through an open handle, and flush them."""
    size = os.fstat(descriptor).st_size
    block = bytes(1 << 20)
    os.lseek(descriptor, 0, os.SEEK_SET)
    written = 0
    while written < size:
        written += os.write(descriptor, block[: min(len(block), size - written)])
    os.fsync(descriptor)


def _settle_wal(path: Path, key: Key | None) -> None:
    """Fold the store's -wal into the file and, for a plain store, zero the -wal's pages.

    Afterwards the file alone holds the store: an export reads it whole and the -wal (whose
    pages may hold the plain text) is gone."""
    from briefing.store import health

    # Also without a -wal: a store in WAL mode would get an empty one from the read-only export.
    if key is None:
        connection = sqlite3.connect(path, isolation_level=None)
    else:
        connection = connect(path, key, isolation_level=None)
    try:
        connection.execute("PRAGMA busy_timeout = 5000")
        busy, _frames, _done = connection.execute("PRAGMA wal_checkpoint(FULL)").fetchone()
        if busy:
            raise StoreError(f"another program is using {path}; close it and try again")
        wal = health.sidecar(path, "-wal")
        if key is None and wal.exists():
            # Every frame is now in the file: zeros over the -wal change nothing SQLite needs,
            # and closing below deletes it.
            descriptor = os.open(wal, os.O_WRONLY)
            try:
                _overwrite(descriptor)
            finally:
                os.close(descriptor)
        connection.execute("PRAGMA journal_mode = DELETE")
    finally:
        connection.close()


def export_copy(source: Path, source_key: Key | None, target: Path, target_key: Key | None) -> None:
    """`sqlcipher_export` from `source` into the new file `target`, keyed with `target_key`
    (no key: a plain file), then SQLite's full check of the result; raises StoreError."""
    dbapi2 = _cipher()
    if source_key is None:
        connection = dbapi2.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
    else:
        connection = connect(source, source_key, options="?mode=ro")
    connection.isolation_level = None
    try:
        connection.execute("PRAGMA temp_store = MEMORY")
        connection.execute(
            "ATTACH DATABASE ? AS target KEY ?",
            (str(target), target_key.pragma if target_key is not None else ""),
        )
        connection.execute("SELECT sqlcipher_export('target')")
        # sqlcipher_export copies the schema and the rows, not the header's fields.
        for pragma in ("application_id", "user_version"):
            (value,) = connection.execute(f"PRAGMA main.{pragma}").fetchone()
            connection.execute(f"PRAGMA target.{pragma} = {int(value)}")
        connection.execute("DETACH DATABASE target")
    except dbapi2.Error as error:
        raise StoreError(
            f"cannot convert {source}: {_words(error)}; nothing was changed"
        ) from error
    finally:
        connection.close()
    problem = _check(target, target_key)
    if problem is not None:
        raise StoreError(f"the converted copy of {source} did not check out ({problem})")
    with open(target, "rb+") as file:
        os.fsync(file.fileno())


def _words(error: Exception) -> str:
    message = str(error)
    return "the disk is full" if "full" in message else message


def _check(path: Path, key: Key | None) -> str | None:
    try:
        if key is None:
            connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
        else:
            connection = connect(path, key, options="?mode=ro&immutable=1")
    except errors() as error:
        return str(error)
    try:
        rows = connection.execute("PRAGMA integrity_check(1)").fetchall()
        if [row[0] for row in rows] != ["ok"]:
            return "integrity check failed"
        from briefing.store.database import APPLICATION_ID

        if application_id(connection) != APPLICATION_ID:
            return "it lost its application id"
        return None
    except errors() as error:
        return str(error)
    finally:
        connection.close()


Step = Callable[[str], None]  # told, in words, each step a conversion starts


def _silent(_words: str) -> None:
    """A conversion's steps told to no one (the command line's default)."""


def convert_file(
    path: Path,
    source_key: Key | None,
    target_key: Key | None,
    action: str,
    step: Step = _silent,
) -> None:
    """Replace the file at `path` by its conversion: temp name, full check, fsync, rename.

    A plain file being replaced is overwritten with zeros after the rename, through a handle
    opened before it, so its pages do not stay behind under the old inode."""
    from briefing.store.backups import _fsync_folder

    temp = _temp_for(path, action)
    temp.unlink(missing_ok=True)
    try:
        step(f"saving {path.name}'s last changes into it")
        _settle_wal(path, source_key)
        step(f"writing the new copy of {path.name} and checking every page of it")
        export_copy(path, source_key, temp, target_key)
        step(f"putting the new {path.name} in place of the old one")
        old = os.open(path, os.O_RDWR) if source_key is None else None
        try:
            os.replace(temp, path)
            _fsync_folder(path.parent)
            if old is not None:
                _overwrite(old)
        finally:
            if old is not None:
                os.close(old)
        from briefing.store import health

        health.sidecar(path, "-shm").unlink(missing_ok=True)
    except OSError as error:
        raise StoreError(f"cannot convert {path}: {error.strerror}; nothing was changed") from error
    finally:
        temp.unlink(missing_ok=True)
        Path(f"{temp}-journal").unlink(missing_ok=True)


def _refuse_if_open(path: Path, from_window: bool = False) -> None:
    """`from_window`: the caller is the window that holds the store's lock, its store closed."""
    from briefing.store import health
    from briefing.store.database import _OPEN
    from briefing.store.lock import holder_of

    if _OPEN[path.resolve()] > 0:
        raise StoreError(f"{path} is still open here; close it first; nothing was changed")
    holder = holder_of(path)
    if holder is not None and not (from_window and holder == os.getpid()):
        raise StoreError(
            f"{path} is open in the app's window (process {holder}); close it first; "
            "nothing was changed"
        )
    if health.in_use_elsewhere(path):
        raise StoreError(f"another program has {path} open; close it first; nothing was changed")


def _sound_store(path: Path, key: Key | None) -> None:
    from briefing.store import backups

    if not path.is_file():
        raise StoreError(f"there is no store at {path}")
    problem = backups.check_file(path, full=False)
    if problem is not None:
        raise StoreError(f"{path} cannot be converted: {problem}; nothing was changed")


def _convert(
    path: Path,
    source_key: Key | None,
    target_key: Key | None,
    action: str,
    *,
    passphrase: str | None = None,
    progress: Callable[[int, int, str], None] | None = None,
    from_window: bool = False,
) -> Converted:
    """Convert the backups, then the store: killed half-way, the store is still in its old
    form and the same command run again finishes the job (a backup already in the new form,
    one that `passphrase` opens or a plain one when decrypting, is left as it is)."""
    from briefing.store import backups

    path = Path(path).expanduser()
    _refuse_if_open(path, from_window)
    _sound_store(path, source_key)
    _remove_stale(path.parent)
    folder = backups.backup_folder(path)
    _remove_stale(folder)
    converted: list[Path] = []
    left: list[Path] = []
    found = backups.list_backups(path)
    total = (len(found) + 1) * STEPS_PER_FILE
    done = 0

    def step(words: str) -> None:
        nonlocal done
        if progress is not None:
            progress(min(done, total - 1), total, words)
        done += 1

    for number, backup in enumerate(found):
        done = number * STEPS_PER_FILE
        form = _form(backup.path, passphrase)
        if form is _UNKNOWN:
            left.append(backup.path)  # a backup under another passphrase: not ours to open
            continue
        if form == target_key or (
            form is not None and passphrase is not None and form == derive(passphrase, form.salt)
        ):
            continue  # already as wanted
        if _check(backup.path, form) is not None:
            left.append(backup.path)
            continue
        convert_file(backup.path, form, target_key, action, step)
        converted.append(backup.path)
    done = len(found) * STEPS_PER_FILE
    convert_file(path, source_key, target_key, action, step)
    if progress is not None:
        progress(total, total, "done")
    left.extend(_kept_aside(path))
    return Converted(path, converted, left)


STEPS_PER_FILE = 3  # the steps `convert_file` announces


_UNKNOWN = Key(b"", b"")


def _form(path: Path, passphrase: str | None) -> Key | None:
    """A file's key (None: plain), trying `passphrase` on a salt not seen yet; else _UNKNOWN."""
    try:
        return key_for(path)
    except PassphraseNeeded:
        if passphrase is None:
            return _UNKNOWN
        key = derive(passphrase, _first_bytes(path, SALT_SIZE))
        return key if opens(path, key) else _UNKNOWN


def _kept_aside(path: Path) -> list[Path]:
    """Copies of the store kept aside beside it (damaged, replaced, a -wal set aside)."""
    return sorted(
        entry
        for entry in path.parent.glob(f"{path.stem}.*")
        if re.search(r"\.(damaged|replaced)-\d{8}T\d{6}Z", entry.name)
    ) + sorted(path.parent.glob(f"{path.name}-wal.set-aside-*"))


Progress = Callable[[int, int, str], None] | None  # (steps done, steps in all, what now)


def encrypt_store(
    path: Path, passphrase: str, progress: Progress = None, *, from_window: bool = False
) -> Converted:
    """Encrypt a plain store (and its backups) with `passphrase`."""
    path = Path(path).expanduser()
    if is_encrypted(path):
        raise StoreError(f"{path} is already encrypted ('briefing passphrase' changes it)")
    return _convert(
        path,
        None,
        new_key(passphrase),
        "encrypting",
        passphrase=passphrase,
        progress=progress,
        from_window=from_window,
    )


def decrypt_store(path: Path, progress: Progress = None, *, from_window: bool = False) -> Converted:
    """Turn an unlocked encrypted store (and its backups) back into plain SQLite files."""
    path = Path(path).expanduser()
    key = key_for(path)
    if key is None:
        raise StoreError(f"{path} is not encrypted")
    return _convert(path, key, None, "decrypting", progress=progress, from_window=from_window)


def change_passphrase(
    path: Path, passphrase: str, progress: Progress = None, *, from_window: bool = False
) -> Converted:
    """Encrypt an unlocked store (and its backups) again under a new passphrase and salt."""
    path = Path(path).expanduser()
    key = key_for(path)
    if key is None:
        raise StoreError(f"{path} is not encrypted ('briefing encrypt' encrypts it)")
    return _convert(
        path,
        key,
        new_key(passphrase),
        "rekeying",
        passphrase=passphrase,
        progress=progress,
        from_window=from_window,
    )


def is_passphrase_of(path: Path, passphrase: str) -> bool:
    """Whether `passphrase` is the one of the unlocked encrypted store at `path` (no file read
    beyond its salt: the key is compared with the one this process unlocked it with)."""
    key = key_for(path)
    if key is None:
        return False
    try:
        return derive(passphrase, key.salt).raw == key.raw
    except InputError:
        return False
