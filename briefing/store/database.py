"""Opening a store file: create it, upgrade it, or refuse it without touching a byte.

A Briefing store is a SQLite file marked with our `application_id` and carrying an Alembic
version. `open_store` decides what a path holds before it writes anything:

- no file (or an empty one): a new store is built under a temporary name (schema, then the
  optional seed such as the demo topic) and renamed into place, so a failed creation leaves
  nothing behind;
- a Briefing store at an older schema: the file is copied to a backup beside it, then upgraded;
- a Briefing store newer than this app, a text file, or another program's SQLite database: a
  `StoreError` with a clear message, and the file is left exactly as it was.

Every connection runs with foreign keys on and WAL journaling. pysqlite's own transaction handling
is switched off so that SQLAlchemy's BEGIN/COMMIT are the real transaction boundaries (the recipe
in SQLAlchemy's SQLite dialect docs): each `writing()` block is one atomic transaction.
"""

from __future__ import annotations

import collections
import contextlib
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

from sqlalchemy import (
    ColumnElement,
    Engine,
    create_engine,
    event,
    func,
    literal_column,
    or_,
    select,
    true,
)
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool

from briefing.errors import NotABriefingStore, StoreDamaged, StoreError, StoreTooNew
from briefing.store import backups, encryption, health, migrations

T = TypeVar("T")
# A piece of store work: what a reader or writer runs with its session (the window's store
# runner, `Store.read_now`); layers above the store name it by this, not by SQLAlchemy's type.
Work = Callable[[Session], T]

# "BRIF": marks a SQLite file as a Briefing store (SQLite's PRAGMA application_id).
APPLICATION_ID = 0x42524946
SQLITE_HEADER = b"SQLite format 3\x00"

Seed = Callable[[Session], None]


_WRITE_OPTION = "briefing_write"


# Stores this process has open, and how many times: their -wal file is this process's own.
_OPEN: collections.Counter[Path] = collections.Counter()


def _make_engine(
    path: Path,
    *,
    foreign_keys: bool = True,
    wal: bool = False,
    read_only: bool = False,
    key: encryption.Key | None = None,
) -> Engine:
    # hide_parameters: a database error must never carry a note being saved into a message.
    key = key or encryption.key_for(path)
    if key is not None:
        # An encrypted store: SQLCipher's module, each pooled connection keyed with the raw key
        # (no key derivation per connection).
        engine = create_engine(
            "sqlite://",
            module=encryption.connection_module(),
            creator=lambda: encryption.connect(
                path, key, options="?mode=ro" if read_only else "", check_same_thread=False
            ),
            poolclass=QueuePool,
            hide_parameters=True,
        )
    elif read_only:
        # A URI given straight to sqlite3 (SQLAlchemy's URL would decode a '#' or '%' in the
        # path); the pool is the one SQLAlchemy gives a file database.
        uri = f"{path.resolve().as_uri()}?mode=ro"
        engine = create_engine(
            "sqlite://",
            creator=lambda: sqlite3.connect(uri, uri=True, check_same_thread=False),
            poolclass=QueuePool,
            hide_parameters=True,
        )
    else:
        engine = create_engine(f"sqlite:///{path}", hide_parameters=True)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        dbapi_connection.isolation_level = None  # let SQLAlchemy's BEGIN below be the real one
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA foreign_keys = {'ON' if foreign_keys else 'OFF'}")
        cursor.execute("PRAGMA busy_timeout = 5000")
        if wal:
            # WAL is a property of the file: switch it once. Asking again on every connection
            # would need a lock that another program writing to the store may be holding.
            (mode,) = cursor.execute("PRAGMA journal_mode").fetchone()
            if mode != "wal":
                cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:
        # A writing session takes the write lock up front, so that SQLite's busy timeout makes
        # it wait for another writer; a deferred BEGIN that later needs to write gets "locked"
        # at once when another connection wrote meanwhile.
        immediate = connection.get_execution_options().get(_WRITE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


class Store:
    """An open store file. Sessions are short: one per user action, owned by the caller.

    A `read_only` store (a second window on a store another window has open) reads through
    SQLite's read-only mode: a write is refused by SQLite itself and reported in words.
    `notices` are sentences the opening produced for the user (a -wal file set aside).
    """

    def __init__(self, path: Path, *, read_only: bool = False) -> None:
        self.path = path
        self.read_only = read_only
        self.notices: list[str] = []
        self.engine = _make_engine(path, wal=not read_only, read_only=read_only)
        with self.engine.connect():
            pass  # the first connection switches the file to WAL now, while the app opens it
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        _OPEN[path.resolve()] += 1
        self._open = True
        # A short-lived opener (a command) records the file as sound again when it closes, so
        # that its own writes do not cost the next command a quick_check (`store.health`).
        self.remember_on_close = False
        # A window (`vouch_on_close`) records the file only if nothing but its own writes
        # changed it: the file as this store's last write (or the opening) left it.
        self.vouch_on_close = False
        self._after_own_write = health.fingerprint(path)
        self._identity = _identity(path)
        # Each thread's own kept driver connection for `plain_reading`, by thread id.
        self._plain: dict[int, sqlite3.Connection] = {}
        self._plain_lock = threading.Lock()

    @contextlib.contextmanager
    def reading(self) -> Iterator[Session]:
        """A session for reads; closing it rolls back anything it changed (nothing commits)."""
        with self._sessions() as session:
            yield session

    def read_now(self, work: Callable[[Session], T]) -> T:
        """`work(session)` in a read-only session, here and now: the store's side of the reads
        a form makes (`ui.forms.Reads`; the window's store runner has the same method, run off
        the GUI thread)."""
        with self.reading() as session:
            return work(session)

    @contextlib.contextmanager
    def plain_reading(self) -> Iterator[sqlite3.Connection]:
        """This thread's own driver connection (sqlite3's, or SQLCipher's), in a read
        transaction that ends when the block does: for reads whose statements are plain SQL
        (`core.search`), which then cost SQLite's time and not a session's.

        The connection is made once per thread by the store's engine (so it has the same
        settings, key and read-only mode as every session's), kept outside its pool, and
        closed with the store. A search as the user types is a fraction of a millisecond in
        SQLite; a session, its pooled connection and its transaction cost about as much again.
        """
        connection = self._plain_connection()
        connection.execute("BEGIN")
        try:
            yield connection
        finally:
            if connection.in_transaction:
                connection.execute("ROLLBACK")

    def _plain_connection(self) -> sqlite3.Connection:
        thread = threading.get_ident()
        connection = self._plain.get(thread)
        if connection is not None:
            return connection
        with self._plain_lock:
            if not self._open:
                raise StoreError(f"{self.path}: the store is closed")
            # A thread that ended leaves its connection behind: close those first.
            alive = {running.ident for running in threading.enumerate()}
            for gone in [ident for ident in self._plain if ident not in alive]:
                self._plain.pop(gone).close()
            pooled = self.engine.raw_connection()
            connection = pooled.driver_connection
            pooled.detach()  # ours from now on: closed by `close`, never handed to a session
            self._plain[thread] = connection
        return connection

    @contextlib.contextmanager
    def writing(self) -> Iterator[Session]:
        """A session whose changes commit together when the block ends, or not at all.

        A store that cannot take the write (another program holds it past the busy timeout,
        the file went read-only, the disk is full) is a `StoreError` the user is told about,
        and the transaction is rolled back.
        """
        try:
            with self._sessions() as session, session.begin():
                session.connection(execution_options={_WRITE_OPTION: True})
                yield session
            self._after_own_write = health.fingerprint(self.path)
        except OperationalError as error:
            if self.read_only and "readonly" in str(error.orig).lower():
                raise StoreError(
                    "this window has the store open read-only (it is open for writing in "
                    "another window); nothing was changed"
                ) from error
            problem = _unwritable(self.path, error)
            if problem is None:
                raise
            raise problem from error

    @property
    def schema_version(self) -> str | None:
        with self.engine.connect() as connection:
            return migrations.current_revision(connection)

    def listen(
        self,
        announce: Callable[[frozenset[str]], None],
        reachable: Callable[[bool], None] | None = None,
    ) -> None:
        """A store file hears of no one else's changes (a team store does: `TeamStore.listen`)."""
        return None

    def close(self) -> None:
        untouched = self.vouch_on_close and health.fingerprint(self.path) == self._after_own_write
        with self._plain_lock:
            for connection in self._plain.values():
                connection.close()
            self._plain.clear()
        self.engine.dispose()
        if self._open:
            self._open = False
            _OPEN[self.path.resolve()] -= 1
            remember = self.remember_on_close or untouched
            # Only if the file at the path is still the one opened, checked (not replaced).
            if remember and self._identity == _identity(self.path):
                # With the time of the check it rests on, so the record still expires a day
                # after a real check, however often the store is opened and closed since.
                health.remember_checked(self.path, checked_at=health.check_record_time(self.path))

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


def row_ceilings(session: Session) -> dict[str, int]:
    """Where each table's rows stand before an edit, for `rows_inserted_since` (undo,
    `briefing.core.undo`). A store file: each table's largest rowid; and from now on, the rowids
    the connection inserts into link tables (`_watch_link_inserts`)."""
    if session.get_bind().dialect.name != "sqlite":
        from briefing.store.team import row_ceilings as team_ceilings

        return team_ceilings(session)
    from briefing.store.models import Base

    _watch_link_inserts(session)
    rowid = literal_column("_rowid_")  # SQLite's name for the rowid that no column shadows
    return {
        name: session.scalar(select(func.coalesce(func.max(rowid), 0)).select_from(table)) or 0
        for name, table in Base.metadata.tables.items()
    }


# The rowids inserted into link tables since `row_ceilings`, on this connection (temp objects).
_LINK_INSERTS = "briefing_link_inserts"


def _link_tables() -> list[str]:
    """Tables whose key is not their rowid (a pair of ids): a row of one can take a deleted
    row's rowid and still be another row."""
    from briefing.store.models import Base

    return [
        name for name, table in Base.metadata.tables.items() if len(table.primary_key.columns) != 1
    ]


def _watch_link_inserts(session: Session) -> None:
    """SQLite gives a new row max(rowid) + 1, so an edit that deletes the link row with the
    largest rowid and adds another (a quote's tags replaced) puts the new one under the ceiling.
    A record's key is its rowid, and a record put back in its place is the same record; a link's
    key is a pair of ids, so a link in a deleted link's place is a new row undo must know of.
    Temp triggers (this connection's own, until `rows_inserted_since` drops them) write down
    each link inserted."""
    connection = session.connection()
    connection.exec_driver_sql(
        f"CREATE TEMP TABLE IF NOT EXISTS {_LINK_INSERTS} (name TEXT NOT NULL, rid INTEGER)"
    )
    for name in _link_tables():
        connection.exec_driver_sql(
            f"CREATE TEMP TRIGGER IF NOT EXISTS {_LINK_INSERTS}_{name} AFTER INSERT ON "
            f"main.{name} BEGIN INSERT INTO {_LINK_INSERTS} VALUES ('{name}', NEW.rowid); END"
        )
    connection.exec_driver_sql(f"DELETE FROM temp.{_LINK_INSERTS}")


def rows_inserted_since(session: Session, ceilings: dict[str, int]) -> list[tuple[str, tuple]]:
    """(table, primary key) of every row the session's transaction inserted since `ceilings`.

    A store file has one writer, and SQLite gives a new row max(rowid) + 1: the rows above the
    ceiling, and the link rows its temp triggers saw inserted (which may sit in a deleted link's
    place, `_watch_link_inserts`; a smaller reused rowid of a record is the record this edit
    deleted, which undo holds already). A team store answers by its own transaction's rows
    (`team.rows_inserted_since`), never by "newer than", which would take in what other members
    added meanwhile."""
    if session.get_bind().dialect.name != "sqlite":
        from briefing.store.team import rows_inserted_since as team_inserted

        return team_inserted(session, ceilings)
    from briefing.store.models import Base

    rowid = literal_column("_rowid_")
    connection = session.connection()
    watched: dict[str, list[int]] = collections.defaultdict(list)
    for name, inserted in connection.exec_driver_sql(f"SELECT name, rid FROM temp.{_LINK_INSERTS}"):
        watched[name].append(inserted)
    for name in _link_tables():  # watched during an edit only: imports insert links by the 1,000
        connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS temp.{_LINK_INSERTS}_{name}")
    connection.exec_driver_sql(f"DELETE FROM temp.{_LINK_INSERTS}")
    found = []
    for name, table in Base.metadata.tables.items():
        newer = rowid > ceilings[name]
        if watched[name]:
            newer = or_(newer, rowid.in_(watched[name]))
        keys = select(*table.primary_key.columns).where(newer)
        found += [(name, tuple(key)) for key in session.execute(keys)]
    return found


def defer_references(session: Session) -> None:
    """Let an undo put rows back in any order within its transaction: a store file checks
    foreign keys at the commit. (A team store's are checked at each statement; undo writes
    parents first there.)"""
    if session.get_bind().dialect.name == "sqlite":
        session.connection().exec_driver_sql("PRAGMA defer_foreign_keys = ON")


def written_by_me(session: Session, author: ColumnElement) -> ColumnElement[bool]:
    """A condition on an author column (`Note.written_by`): written by the member this session
    works as. Every row on a store file, which has one user; on a team store the member's login
    role, as the database's triggers see it (`0013_detached_notes` keeps other members' notes
    when a record they hang on is deleted, so only one's own go with it)."""
    if session.get_bind().dialect.name == "sqlite":
        return true()
    return author == func.session_user()


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        found = path.stat()
    except OSError:
        return None
    return found.st_dev, found.st_ino


def _inspect_existing(path: Path) -> tuple[str | None, list[str]]:
    """The schema revision of an existing, sound Briefing store and notices for the user.

    Raises StoreError (or StoreDamaged) when the file cannot be used; nothing is written to it.
    The SQLite header says whether this is a SQLite file and whose (the application id at byte
    68), so a foreign file is refused from its first 100 bytes without SQLite ever opening it:
    opening even read-only can leave -wal and -shm files beside another program's database.
    Then the checks of `briefing.store.health` run: hot journal, a -wal that does not belong,
    quick_check.
    """
    key = encryption.key_for(path)  # an encrypted store's header is read once it is keyed
    try:
        with path.open("rb") as file:
            header = file.read(100)
    except OSError as error:
        raise StoreError(f"cannot read {path}: {error.strerror}") from error
    if key is None and (len(header) < 100 or not header.startswith(SQLITE_HEADER)):
        raise NotABriefingStore(f"{path} is not a Briefing store (it is not a SQLite database)")
    if key is None and int.from_bytes(header[68:72], "big") != APPLICATION_ID:
        raise NotABriefingStore(
            f"{path} is not a Briefing store (it is a SQLite database of another program)"
        )
    ours = _OPEN[path.resolve()] > 0
    notices = []
    health.fix_shm_permissions(path)
    if health.has_hot_journal(path):
        # Opened read-write, SQLite rolls the journal back before the first read.
        if not os.access(path, os.W_OK) or not os.access(path.parent, os.W_OK):
            raise StoreError(
                f"{path} was left half-written by a crash and cannot be repaired here: its "
                "file or folder cannot be written to; make them writable and open it again"
            )
        options = ""
    else:
        notice = health.check_wal(path, ours=ours)
        if notice:
            notices.append(notice)
        # Read-only; and "immutable" unless a -wal file is there, because a read-only open of
        # a WAL store leaves -wal and -shm files behind, and a refused file must be left as found.
        wal = health.sidecar(path, "-wal").exists()
        options = "?mode=ro" if wal else "?mode=ro&immutable=1"
    try:
        connection = encryption.connect_file(path, options)
    except encryption.errors() as error:
        raise StoreError(f"cannot open {path}: {error}") from error
    try:
        try:
            if key is not None and encryption.application_id(connection) != APPLICATION_ID:
                raise NotABriefingStore(f"{path} is not a Briefing store")
            revision = migrations.current_revision(connection)
        except encryption.errors("DatabaseError") as error:
            if "malformed" in str(error) or "corrupt" in str(error):
                raise health.refuse_damaged(path) from error
            raise NotABriefingStore(f"{path} is not a Briefing store ({error})") from error
        sound = health.sound_on_open(path, connection)
        if sound is None:
            raise health.refuse_damaged(path)
        if revision is None and _has_tables(connection):
            raise StoreError(
                f"{path} has Briefing's tables but no schema version (its alembic_version row "
                "is missing), so the app cannot tell how to upgrade it; nothing was changed. "
                "Restore a backup ('briefing backups', 'briefing restore FILE')"
            )
        if revision is None or migrations.is_known(revision):  # a newer app's store: as found
            sound.remember()
        return revision, notices
    finally:
        connection.close()


def _has_tables(connection: sqlite3.Connection) -> bool:
    row = connection.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name NOT IN "
        "('alembic_version', 'sqlite_sequence') LIMIT 1"
    ).fetchone()
    return row is not None


# What SQLite says when a write cannot happen, in the user's words.
_WRITE_PROBLEMS = {
    "database is locked": "another program is using the store; try again in a moment",
    "attempt to write a readonly database": "the store's file cannot be written to",
    "unable to open database file": "the store's file cannot be opened or created",
    "database or disk is full": "the disk is full",
    "disk i/o error": "the disk reported an error",
}


def _unwritable(path: Path, error: OperationalError) -> StoreError | None:
    """The user's words for a write SQLite refused, or None for any other error."""
    message = str(error.orig).lower() if error.orig is not None else ""
    for problem, words in _WRITE_PROBLEMS.items():
        if problem in message:
            return StoreError(f"{path}: {words}; nothing was changed")
    return None


def _create(path: Path, seed: Seed | None, key: encryption.Key | None = None) -> None:
    partial = path.with_name(path.name + ".creating")
    partial.unlink(missing_ok=True)
    engine = _make_engine(partial, key=key)
    try:
        with engine.begin() as connection:
            connection.exec_driver_sql(f"PRAGMA application_id = {APPLICATION_ID}")
            migrations.upgrade(connection)
            if seed is not None:
                with Session(bind=connection) as session:
                    seed(session)
                    session.flush()
        engine.dispose()
        os.replace(partial, path)
    except OperationalError as error:
        engine.dispose()
        partial.unlink(missing_ok=True)
        problem = _unwritable(path, error)
        if problem is None:
            raise
        raise problem from error
    except BaseException:
        engine.dispose()
        partial.unlink(missing_ok=True)
        raise


def _upgrade(path: Path) -> None:
    # Batch migrations rebuild tables; with foreign keys on, dropping the old table would cascade.
    engine = _make_engine(path, foreign_keys=False)
    try:
        with engine.begin() as connection:
            migrations.upgrade(connection)
            problems = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if problems:
                raise StoreError(f"upgrading {path} would break {len(problems)} references")
    finally:
        engine.dispose()


def open_store(
    path: Path | str,
    *,
    seed: Seed | None = None,
    create: bool = True,
    read_only: bool = False,
    backup_if_due: bool = False,
    encrypt_with: encryption.Key | None = None,
    password: str | None = None,
) -> Store:
    """Open the store at `path`, creating it (and running `seed`) or upgrading it as needed.

    An existing store is checked first (`_inspect_existing`) and backed up before an upgrade
    (`briefing.store.backups.take_backup`); with `backup_if_due`, also when its newest backup is
    more than a day old. A `read_only` store is never created, upgraded or backed up.
    A new store is encrypted from its first byte when `encrypt_with` is given (see
    `briefing.store.encryption.new_key`); an existing encrypted store needs its key unlocked
    first (`encryption.unlock`), else `encryption.PassphraseNeeded`. `password`: a team store's,
    when libpq's own files give none (`briefing.store.team_login.login`).
    """
    from briefing.store import team

    if team.is_team_address(path):
        # A team store on PostgreSQL: its owner creates and upgrades it ('team setup').
        return team.open_team_store(str(path), password)  # type: ignore[return-value]
    path = Path(path).expanduser()
    if not path.exists() or path.stat().st_size == 0:
        if not create or read_only:
            raise StoreError(f"there is no store at {path}")
        if not path.parent.is_dir():
            raise StoreError(f"cannot create a store in {path.parent}: no such folder")
        if path.exists():
            path.unlink()  # an empty file holds nothing to keep
        _create(path, seed, encrypt_with)
        notices: list[str] = []
    else:
        revision, notices = _inspect_existing(path)
        head = migrations.head_revision()
        if revision != head:
            if revision is not None and not migrations.is_known(revision):
                raise StoreTooNew(
                    f"{path} was written by a newer version of Briefing (schema {revision});"
                    " update the app to open it"
                )
            if read_only:
                raise StoreError(
                    f"{path} needs an upgrade to this app's schema, which a read-only window "
                    "cannot do; close the other window and open it again"
                )
            _check_writable(path)
            _backup_or_refuse(path, f"before-upgrade-from-{revision or 'none'}")
            _upgrade(path)
        elif backup_if_due and not read_only:
            _check_writable(path)
            notice = _backup_or_refuse(path, None)
            if notice:
                notices.append(notice)
    if not read_only:
        _check_writable(path)
    store = Store(path, read_only=read_only)
    store.notices.extend(notices)
    if not read_only:
        remove_unfinished_imports(store)
    return store


def open_to_read(locator: Path | str, password: str | None = None) -> Store:
    """A store a window already has open, opened again to read in another process (the
    export's child): a store file read-only, without the opening checks the window made; a team
    store as the same member, as every connection to it is (`password`: the one the window
    opened it with, `password_given`)."""
    from briefing.store import team

    if team.is_team_address(locator):
        return team.open_team_store(str(locator), password)  # type: ignore[return-value]
    return Store(Path(locator), read_only=True)


def password_given(locator: Path | str) -> str | None:
    """The password this process opened a team store with (asked or from the keyring), for
    another process to open it again (`open_to_read`); None for a file or libpq's own files."""
    from briefing.store import team

    return team.given_password(str(locator)) if team.is_team_address(locator) else None


def remove_unfinished_imports(store: Store) -> int:
    """Delete the sources an import began but never finished (the window was killed, the
    machine lost power): with their passages and their rows of the search index, so a crash
    leaves no half source behind. Not while a window holds the store (`store.lock`): its import
    may be under way. How many were removed."""
    from sqlalchemy import text

    with store.reading() as session:
        if session.execute(text("SELECT 1 FROM source_imports LIMIT 1")).first() is None:
            return 0  # the common case: one look at an empty table
    from briefing.store.lock import holder_of

    holder = holder_of(store.path)
    if holder is not None and holder != os.getpid():
        return 0
    with store.writing() as session:
        unfinished = "SELECT source_id FROM source_imports"
        session.execute(text(f"DELETE FROM source_passages WHERE source_id IN ({unfinished})"))
        removed = session.execute(text(f"DELETE FROM sources WHERE id IN ({unfinished})"))
        session.execute(text("DELETE FROM source_imports"))
        return removed.rowcount or 0


def _backup_or_refuse(path: Path, reason: str | None) -> str | None:
    """A backup before an upgrade (`reason`), or the daily one (None); damage found refuses.

    The daily backup failing for want of space or permission does not stop the user's work:
    it becomes a notice; a backup before an upgrade that cannot be made stops the upgrade."""
    try:
        if reason is None:
            backups.backup_if_due(path)
        else:
            backups.take_backup(path, reason)
    except StoreDamaged as error:
        raise health.refuse_damaged(path) from error
    except StoreError as error:
        if reason is not None:
            raise
        return f"The daily backup was not made: {error}"
    return None


def _check_writable(path: Path) -> None:
    """Refuse, in words, a store SQLite could not write (as root, permissions never refuse)."""
    if not os.access(path.parent, os.W_OK):
        raise StoreError(
            f"{path} is in a folder that cannot be written to ({path.parent}); the app needs to "
            "write beside the store (its journal and backups): copy the store to a folder you "
            "can write to, or change the folder's permissions"
        )
    if not os.access(path, os.W_OK):
        raise StoreError(
            f"{path} cannot be written to (the file is read-only); make it writable to use it"
        )
