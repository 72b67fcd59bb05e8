"""A team store on PostgreSQL: everything that differs from a SQLite store file lives here.

A coalition's shared store is a PostgreSQL database with the same models and the same Alembic
migrations as a store file (`db/versions`; where a migration writes SQLite-only SQL it says what
it does on PostgreSQL instead, and `0010_team_store` builds the search index, the authorship
trigger, row-level security on notes and the change announcements). Nothing above `store/` knows
which database it runs on: `open_store` hands back a `TeamStore` with the same `reading()`,
`writing()` and `read_now()` as a `Store`, and search asks `search_backend` for the index's own
queries.

Addresses are libpq's: `postgresql://ROLE@HOST/DB`, `postgresql://ROLE@/DB?host=/run/postgresql`
(a Unix socket), `postgresql:///?service=team` (a service file entry). A password is never taken
from the address (it would sit in settings, the shell's history and `ps`): libpq reads it from
`~/.pgpass` or the service file itself. psycopg is imported only here, only when a team store is
opened, so a SQLite store never loads it.

Roles: the database's owner runs `team setup` (schema, upgrades) and `team add-member ROLE` /
`team remove-member ROLE` (grants). Each member connects as their own role, so the database
itself knows who writes: its triggers (`0010_team_store`, `0011_authorship`) set a note's
`written_by` and every record's `created_by` / `changed_by` from the member's login role (a
restored row gets its kept authorship back, `0016_undo_restores`), and a private note is visible
to its author alone, through the app, search, exports or any SQL.

A lost server: a `ServerLost` (a `StoreUnreachable`) in words; the `Listener` tells the window
when the server stops answering and when it answers again.

Many writers: an update's version check (`briefing.core.versions.check_version`) reads the row
`FOR UPDATE`, so a second writer waits for the first to commit and then sees its version; two
members editing one note never overwrite each other silently. A lost server is a `ServerLost`
(a `StoreError`) in words, not a driver's traceback.
"""

from __future__ import annotations

import contextlib
import logging
import re
import threading
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TypeVar
from urllib.parse import urlsplit, urlunsplit

from sqlalchemy import (
    Engine,
    and_,
    bindparam,
    column,
    create_engine,
    event,
    func,
    literal_column,
    select,
    text,
)
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError, ProgrammingError
from sqlalchemy.orm import Session, sessionmaker

from briefing.errors import StoreError, StoreTooNew, StoreUnreachable
from briefing.paths import is_team_address as is_team_address
from briefing.store import migrations
from briefing.store.search_index import (
    KIND_CODES,
    KIND_FACTOR,
    MARK_END,
    MARK_START,
    restricted_to,
)

T = TypeVar("T")
log = logging.getLogger(__name__)

CHANNEL = "briefing_changes"  # as the 0010 migration's triggers announce
# Tables only the owner's triggers write; members read them.
_READ_ONLY_TABLES = ("alembic_version", "search_index", "search_private")
# Tables only the owner (and the owner's triggers) reads and writes: members get no right on them.
_OWNER_ONLY_TABLES = ("authorship_kept",)


class ServerLost(StoreUnreachable):
    """The team store's server cannot be reached (stopped, restarted, the network gone)."""


def shown(address: str) -> str:
    """The address as it may be shown: never a password."""
    parts = urlsplit(address)
    if parts.password is None:
        return address
    host = parts.hostname or ""
    user = f"{parts.username}@" if parts.username else ""
    port = f":{parts.port}" if parts.port else ""
    return urlunsplit(parts._replace(netloc=f"{user}{host}{port}"))


def _driver_address(address: str) -> str:
    parts = urlsplit(address)
    if parts.password is not None:
        raise StoreError(
            "a team store's address never holds a password (settings, the shell's history and "
            "'ps' would show it): put it in ~/.pgpass or a PostgreSQL service file, where libpq "
            "reads it"
        )
    return urlunsplit(parts._replace(scheme="postgresql+psycopg"))


def _engine(address: str, password: str | None = None, **options) -> Engine:
    # hide_parameters: a database error never carries a note being saved into a message.
    # The password (`team_login`) goes to libpq beside the address, never into it.
    if "poolclass" not in options:
        options["pool_size"] = 4
    return create_engine(
        _driver_address(address),
        hide_parameters=True,
        pool_pre_ping=True,
        connect_args={} if password is None else {"password": password},
        **options,
    )


def in_words(address: str, error: DBAPIError) -> StoreError | None:
    """The user's words for a driver error about the server or the role, else None."""
    from briefing.store.team_login import password_problem

    if (needed := password_problem(address, error)) is not None:
        return needed  # before "connection": libpq says "connection failed" for these too
    message = str(error.orig) if error.orig is not None else str(error)
    sqlstate = getattr(error.orig, "sqlstate", None) or ""
    where = shown(address)
    if isinstance(error, OperationalError | InterfaceError) and (
        error.connection_invalidated
        or sqlstate.startswith("08")  # connection exception
        or sqlstate.startswith("57P")  # the server shut down
        or "connection" in message.lower()
        or "server" in message.lower()
    ):
        # The driver's own words (a socket path, a host) go to the log, not into the sentence.
        log.info("team store unreachable: %s", message.strip().splitlines()[:1])
        return ServerLost(
            f"the team store's server ({where}) cannot be reached (stopped, restarting, or the "
            "network is down); nothing was changed"
        )
    if "row-level security" in message:
        return StoreError(
            "a private note belongs to the member who wrote it: only they can make a note "
            "private to them or change one; nothing was changed"
        )
    if sqlstate == "42501" or isinstance(error, ProgrammingError) and "permission" in message:
        return StoreError(
            f"your role may not do that in the team store {where} (is it a member? the owner "
            "runs 'briefing --db ADDRESS team add-member ROLE'); nothing was changed"
        )
    if sqlstate == "28000" or sqlstate == "28P01" or sqlstate == "3D000":
        return StoreError(f"cannot open the team store {where}: {message.strip()}")
    return None


# The passwords this process opened team stores with (`team_login`), by the address as shown:
# in memory only, for the export's child process to open the same store again as the same
# member (`database.open_to_read`); handed to it on its standard input, never in its
# environment or its arguments.
_given_passwords: dict[str, str] = {}


def given_password(locator: str) -> str | None:
    """The password this process opened the team store at `locator` with, if one was needed."""
    return _given_passwords.get(str(locator))


class TeamStore:
    """An open team store. The same interface as `briefing.store.database.Store`."""

    read_only = False
    backed_up_by_server = True  # not by the app: no backups beside a file (pg_dump's work)

    def __init__(self, address: str, password: str | None = None) -> None:
        self.address = address
        self._password = password  # from `team_login`, in memory only; None: libpq's files
        self.path = shown(address)  # what the window and `info` show where a file's path goes
        if password is not None:
            _given_passwords[self.path] = password
        self.notices: list[str] = []
        self.remember_on_close = False  # a file's health record; a server keeps its own
        self.engine = _engine(address, password)
        # The server processes of this store's own connections: their announcements are this
        # window's own changes, which it has already shown.
        self.own_processes: set[int] = set()
        event.listen(self.engine, "connect", self._remember_process)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self.role = self._check()

    def _remember_process(self, dbapi_connection, _record) -> None:
        self.own_processes.add(dbapi_connection.info.backend_pid)

    def _check(self) -> str:
        with self._guard(), self.engine.connect() as connection:
            role = connection.exec_driver_sql("SELECT current_user").scalar_one()
            revision = migrations.current_revision(connection)
        if revision is None:
            raise StoreError(
                f"{self.path} holds no Briefing store yet: its owner makes one with "
                "'briefing --db ADDRESS team setup'"
            )
        if not migrations.is_known(revision):
            raise StoreTooNew(
                f"{self.path} was set up by a newer version of Briefing (schema {revision}); "
                "update the app to open it"
            )
        if revision != migrations.head_revision():
            raise StoreError(
                f"{self.path} has an older schema ({revision}) than this app; its owner upgrades "
                "it with 'briefing --db ADDRESS team setup'"
            )
        return role

    @contextlib.contextmanager
    def _guard(self) -> Iterator[None]:
        try:
            yield
        except DBAPIError as error:
            problem = in_words(self.address, error)
            if problem is None:
                raise
            raise problem from error

    @contextlib.contextmanager
    def reading(self) -> Iterator[Session]:
        with self._guard(), self._sessions() as session:
            yield session

    def plain_reading(self):
        """A store file's search reads on a kept driver connection (`Store.plain_reading`); a
        team store's reads through a session, which sets the member's role and privacy."""
        return self.reading()

    def read_now(self, work: Callable[[Session], T]) -> T:
        with self.reading() as session:
            return work(session)

    @contextlib.contextmanager
    def writing(self) -> Iterator[Session]:
        with self._guard(), self._sessions() as session, session.begin():
            yield session

    def index_problems(self, session: Session) -> list[str]:
        """The search index against the records it indexes (`briefing check`)."""
        from briefing.store.team_care import index_problems

        return index_problems(session)

    @property
    def schema_version(self) -> str | None:
        with self._guard(), self.engine.connect() as connection:
            return migrations.current_revision(connection)

    def listen(
        self,
        announce: Callable[[frozenset[str]], None],
        reachable: Callable[[bool], None] | None = None,
    ) -> Listener:
        """Start a thread that hands `announce` the kinds of record others changed ("note",
        "stakeholder"...), within a second of their commit, and `reachable` whether the server
        can be reached, each time that changes; `stop()` it when done."""
        listener = Listener(
            self.address,
            announce,
            ignore=self.own_processes,
            reachable=reachable,
            password=self._password,
        )
        listener.start()
        return listener

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> TeamStore:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


def open_team_store(address: str, password: str | None = None) -> TeamStore:
    """Open a team store that its owner has set up (`setup`) at this app's schema; `password`
    when libpq's files give none (`briefing.store.team_login.login`)."""
    return TeamStore(address, password)


# -- undo --------------------------------------------------------------------------------------


def row_ceilings(session: Session) -> dict[str, int]:
    """Each table with an integer id: its largest id now (`database.rows_inserted_since`)."""
    from briefing.store.models import Base

    ceilings = {}
    for name, model_table in Base.metadata.tables.items():
        key = list(model_table.primary_key.columns)
        if len(key) == 1:
            ceilings[name] = session.scalar(select(func.coalesce(func.max(key[0]), 0))) or 0
    return ceilings


def rows_inserted_since(session: Session, ceilings: dict[str, int]) -> list[tuple[str, tuple]]:
    """The rows this transaction wrote (their `xmin` is its id) that are new: above the id
    ceiling for tables with an id (ids come from a sequence, so this transaction's new rows are
    above it; rows other members committed meanwhile are above it too, but are not this
    transaction's), every such row of a link table. Rows it only updated are the undo's already
    (snapshotted before the flush)."""
    from briefing.store.models import Base

    session.flush()
    ours = session.scalar(text("SELECT txid_current() % 4294967296"))
    mine = literal_column("xmin::text::bigint") == ours
    found = []
    for name, model_table in Base.metadata.tables.items():
        key = list(model_table.primary_key.columns)
        statement = select(*key).where(mine)
        if name in ceilings:
            statement = statement.where(key[0] > ceilings[name])
        found += [(name, tuple(row)) for row in session.execute(statement)]
    return found


# -- the owner's commands ----------------------------------------------------------------------


@dataclass(frozen=True)
class SetupReport:
    address: str
    revision_before: str | None
    revision_now: str
    members: tuple[str, ...]

    @property
    def created(self) -> bool:
        return self.revision_before is None


def _quoted(connection, role: str) -> str:
    return connection.dialect.identifier_preparer.quote(role)


def _owner(connection) -> str | None:
    return connection.execute(
        text(
            "SELECT pg_catalog.pg_get_userbyid(c.relowner) FROM pg_catalog.pg_class AS c "
            "WHERE c.oid = to_regclass('alembic_version')"
        )
    ).scalar()


def _members(connection) -> list[str]:
    rows = connection.execute(
        text(
            "SELECT DISTINCT grantee FROM information_schema.role_table_grants "
            "WHERE table_schema = current_schema() AND table_name = 'notes' "
            "AND privilege_type = 'INSERT' AND grantee <> current_user ORDER BY grantee"
        )
    )
    return [row[0] for row in rows]


def _grant(connection, role: str) -> None:
    quoted = _quoted(connection, role)
    tables = connection.execute(
        text(
            "SELECT tablename FROM pg_catalog.pg_tables WHERE schemaname = current_schema() "
            "ORDER BY tablename"
        )
    ).scalars()
    for name in tables:
        if name in _OWNER_ONLY_TABLES:
            continue
        rights = "SELECT" if name in _READ_ONLY_TABLES else "SELECT, INSERT, UPDATE, DELETE"
        connection.exec_driver_sql(
            f"GRANT {rights} ON TABLE {connection.dialect.identifier_preparer.quote(name)} "
            f"TO {quoted}"
        )
    connection.exec_driver_sql(
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {_schema(connection)} TO {quoted}"
    )


def _schema(connection) -> str:
    name = connection.exec_driver_sql("SELECT current_schema()").scalar_one()
    return connection.dialect.identifier_preparer.quote(name)


def _guarded(
    address: str, work: Callable[[Engine], T], password: str | None = None, **options
) -> T:
    engine = _engine(address, password, **options)
    try:
        return work(engine)
    except DBAPIError as error:
        problem = in_words(address, error)
        if problem is None:
            raise
        raise problem from error
    finally:
        engine.dispose()


# The triggers that write who added and changed a record (0010's `notes_author`, 0011's).
_AUTHORSHIP_FUNCTIONS = ("briefing_authorship", "notes_changer", "notes_author")


@contextlib.contextmanager
def _as_no_one(connection) -> Iterator[None]:
    """Records written inside carry no author: the demo is not the owner's work, so its records
    say nothing about who added them. The authorship triggers are off for the setup's own
    transaction only (ALTER TABLE is transactional: no one else's write goes unsigned).

    A private note must have an author (only its author reads it), so the demo's private note
    is the owner's; its other notes are unsigned once written."""
    found = connection.execute(
        text(
            "SELECT c.relname, t.tgname, p.proname FROM pg_catalog.pg_trigger AS t "
            "JOIN pg_catalog.pg_class AS c ON c.oid = t.tgrelid "
            "JOIN pg_catalog.pg_proc AS p ON p.oid = t.tgfoid "
            "WHERE NOT t.tgisinternal AND p.proname = ANY(:names) "
            "AND c.relnamespace = current_schema()::regnamespace ORDER BY 1, 2"
        ),
        {"names": list(_AUTHORSHIP_FUNCTIONS)},
    ).all()
    quote = connection.dialect.identifier_preparer.quote

    def switch(state: str, functions: tuple[str, ...]) -> None:
        for table_name, trigger, function in found:
            if function in functions:
                connection.exec_driver_sql(
                    f"ALTER TABLE {quote(table_name)} {state} TRIGGER {quote(trigger)}"
                )

    switch("DISABLE", ("briefing_authorship", "notes_changer"))
    yield
    switch("DISABLE", ("notes_author",))
    connection.exec_driver_sql("UPDATE notes SET written_by = NULL WHERE NOT private")
    switch("ENABLE", _AUTHORSHIP_FUNCTIONS)


def setup(
    address: str, seed: Callable[[Session], None] | None = None, password: str | None = None
) -> SetupReport:
    """Create the schema in an empty database (then `seed` it), or upgrade it to this app's.

    Run by the database's owner; the members keep their rights on tables a migration adds."""

    def run(engine: Engine) -> SetupReport:
        with engine.begin() as connection:
            # Two owners setting up at once: the second waits, then finds the schema at head.
            connection.exec_driver_sql("SELECT pg_advisory_xact_lock(4242524946)")
            before = migrations.current_revision(connection)
            if before is not None and not migrations.is_known(before):
                raise StoreTooNew(
                    f"{shown(address)} was set up by a newer version of Briefing (schema "
                    f"{before}); update the app"
                )
            role = connection.exec_driver_sql("SELECT current_user").scalar_one()
            owner = _owner(connection)
            if owner is not None and owner != role:
                raise StoreError(
                    f"'team setup' is run by the team store's owner ({owner}), not {role}"
                )
            if before != migrations.head_revision():
                migrations.upgrade(connection)
            if before is None and seed is not None:
                with _as_no_one(connection), Session(bind=connection) as session:
                    seed(session)
                    session.flush()
            # Row-level security holds for the owner again, should a backup have been killed
            # while it was lifted (`team_care`).
            from briefing.store import team_care

            team_care.force(connection, team_care.should_be_forced(connection))
            members = _members(connection)
            for member in members:
                _grant(connection, member)
            return SetupReport(
                shown(address), before, migrations.current_revision(connection), tuple(members)
            )

    return _guarded(address, run, password)


def _membership(address: str, role: str, work: Callable, password: str | None = None) -> list[str]:
    role = role.strip()
    if not role:
        raise StoreError("a member is a PostgreSQL role: name one")

    def run(engine: Engine) -> list[str]:
        with engine.begin() as connection:
            if migrations.current_revision(connection) is None:
                raise StoreError(
                    f"{shown(address)} holds no Briefing store yet: run 'team setup' first"
                )
            me = connection.exec_driver_sql("SELECT current_user").scalar_one()
            owner = _owner(connection)
            if owner != me:
                raise StoreError(f"members are added and removed by the owner ({owner}), not {me}")
            if role == owner:
                raise StoreError(f"{role} owns the team store; it is not added or removed")
            exists = connection.execute(
                text("SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = :role"), {"role": role}
            ).first()
            if exists is None:
                raise StoreError(
                    f"there is no role {role!r} on the server: its administrator creates it "
                    f"first (createuser {role})"
                )
            work(connection, role)
            return _members(connection)

    return _guarded(address, run, password)


def add_member(address: str, role: str, password: str | None = None) -> list[str]:
    """Let `role` read and write the team store; the members afterwards."""
    return _membership(address, role, _grant, password)


def remove_member(address: str, role: str, password: str | None = None) -> list[str]:
    """Take `role`'s rights away (their notes stay; their private notes stay theirs)."""

    def revoke(connection, role: str) -> None:
        quoted = _quoted(connection, role)
        schema = _schema(connection)
        connection.exec_driver_sql(f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {quoted}")
        connection.exec_driver_sql(f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {schema} FROM {quoted}")

    return _membership(address, role, revoke, password)


def members(address: str, password: str | None = None) -> list[str]:
    def run(engine: Engine) -> list[str]:
        with engine.connect() as connection:
            return _members(connection)

    return _guarded(address, run, password)


# -- changes by others -------------------------------------------------------------------------


# The kind of record (`briefing.core.changes.KINDS`) a change to each announced table touches.
KIND_OF_TABLE = {
    "topics": "topic",
    "stakeholders": "stakeholder",
    "positions": "position",
    "sources": "source",
    "quotes": "quote",
    "questions": "question",
    "answers": "answer",
    "notes": "note",
    "events": "event",
    "briefings": "briefing",
    "briefing_items": "briefing",
    "tags": "tag",
}


class Listener:
    """LISTENs on the store's change channel on its own connection and thread, and hands each
    batch of changes, as the kinds of record they touch, to `announce` (on the listener's
    thread: the caller moves it to its own). Changes made by the server processes in `ignore`
    (the store's own connections) are left out.

    A lost server is retried every second until `stop()`; what was announced while it was gone
    is not replayed, so after a reconnection every kind is announced ("read it all again").
    `reachable(bool)` is told when the server is lost (or cannot be reached at the start) and
    when it answers again, once per change."""

    def __init__(
        self,
        address: str,
        announce: Callable[[frozenset[str]], None],
        ignore: set[int] | None = None,
        reachable: Callable[[bool], None] | None = None,
        password: str | None = None,
    ) -> None:
        self.address = address
        self._password = password
        self.announce = announce
        self.reachable = reachable
        self._reached: bool | None = None
        self.ignore = ignore if ignore is not None else set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="briefing-listener", daemon=True)
        self.connected = threading.Event()

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        import psycopg

        conninfo = _driver_address(self.address).replace("postgresql+psycopg", "postgresql", 1)
        first = True
        while not self._stop.is_set():
            try:
                extra = {} if self._password is None else {"password": self._password}
                with psycopg.connect(conninfo, autocommit=True, **extra) as connection:
                    connection.execute(f"LISTEN {CHANNEL}")
                    self.connected.set()
                    self._tell(True)
                    if not first:
                        self.announce(frozenset(KIND_OF_TABLE.values()))
                    first = False
                    while not self._stop.is_set():
                        kinds = set()
                        for notice in connection.notifies(timeout=0.25, stop_after=200):
                            if notice.pid in self.ignore:
                                continue
                            name = notice.payload.partition(" ")[0]
                            if name in KIND_OF_TABLE:
                                kinds.add(KIND_OF_TABLE[name])
                        if kinds:
                            self.announce(frozenset(kinds))
            except psycopg.Error as error:
                self.connected.clear()
                self._tell(False)
                log.info("change listener: %s; trying again", type(error).__name__)
                self._stop.wait(1.0)

    def _tell(self, reached: bool) -> None:
        if self.reachable is not None and reached != self._reached:
            self.reachable(reached)
        self._reached = reached


# -- search ------------------------------------------------------------------------------------

# What a member searches: every shared row, in `search_index`, whose GIN index answers the
# match because no row-level security stands before it, and their own private notes, in
# `search_private` (0015). The private branch names its author as its policy does, so a search
# stays the member's own while the owner's backup lifts forced row-level security (`team_care`).
SEARCHED = (
    "SELECT rowid, title, body, extra, document FROM search_index UNION ALL "
    "SELECT rowid, title, body, extra, document FROM search_private "
    "WHERE private_to = current_user"
)
_index = (
    text(SEARCHED)
    .columns(*(column(name) for name in ("rowid", "title", "body", "extra", "document")))
    .subquery("i")
)
_ROWID = _index.c.rowid
_CONFIG = literal_column("'briefing'::regconfig")
# Title ten times a body's word, publisher and author twice (SQLite's bm25(10.0, 1.0, 2.0)):
# ts_rank's weights are for D, C, B, A; the document is title A, extra B, body D.
_WEIGHTS = literal_column("'{0.1, 0.2, 0.2, 1.0}'::float4[]")
_SNIPPET_TOKENS = 24  # as FTS5's snippet() in core.search


class _Query(str):
    """A `to_tsquery` text that also carries the terms it searches for, to mark them."""

    terms: tuple = ()


# The unfiltered ranking (the constants above only: the expression and limit are parameters).
_UNFILTERED_RANKING = (
    "SELECT i.rowid, -ts_rank('{0.1, 0.2, 0.2, 1.0}'::float4[], i.document, q.query, 1) AS rank,"
    f" p.source_id, p.start FROM ({SEARCHED}) AS i"
    " CROSS JOIN (SELECT to_tsquery('briefing'::regconfig, %(expression)s) AS query) AS q"
    f" LEFT OUTER JOIN source_passages AS p ON i.rowid %% {KIND_FACTOR} = {KIND_CODES['passage']}"
    f" AND p.id = i.rowid / {KIND_FACTOR}"
    " WHERE i.document @@ q.query"
    " ORDER BY rank, i.rowid LIMIT %(limit)s"
)


def _of_kind(kind: str):
    return _ROWID % KIND_FACTOR == KIND_CODES[kind]  # noqa: SIM300 (a column, not a constant)


def _term(term) -> str:
    words = [f"'{word}'" for word in term.words]  # word characters only: nothing to escape
    if term.prefix:
        words[-1] += ":*"
    return "(" + " <-> ".join(words) + ")"


class TeamSearch:
    """The search index's queries on PostgreSQL, for `briefing.core.search`."""

    def expression(self, parsed) -> str:
        """The query's `to_tsquery` text: the same grammar as FTS5's expression."""

        def either(clause) -> str:
            return "(" + " | ".join(_term(term) for term in clause.terms) + ")"

        positive = [either(c) for c in parsed.clauses if not c.negated]
        if not positive:
            return ""
        negative = ["!" + either(c) for c in parsed.clauses if c.negated]
        query = _Query(" & ".join(["(" + " & ".join(positive) + ")", *negative]))
        query.terms = tuple(
            (tuple(_folded(word) for word in term.words), term.prefix)
            for clause in parsed.clauses
            if not clause.negated
            for term in clause.terms
        )
        return query

    def ranked(self, session: Session, expression: str, restrictions: dict | None, limit: int):
        """(rowid, rank, passage's source id, passage's start), best first; None when the
        filters leave nothing to search. `restrictions` as `core.search._restrictions`, None
        without filters."""
        from briefing.store.models import SourcePassage

        if restrictions is None:
            # The common case, one fixed text: run without building or compiling anything.
            return session.connection().exec_driver_sql(
                _UNFILTERED_RANKING, {"expression": expression, "limit": limit}
            )
        query = func.to_tsquery(_CONFIG, bindparam("expression"))
        rank = -func.ts_rank(_WEIGHTS, _index.c.document, query, 1)
        statement = select(
            _ROWID, rank.label("rank"), SourcePassage.source_id, SourcePassage.start
        ).select_from(
            _index.outerjoin(
                SourcePassage,
                and_(
                    _of_kind("passage"),
                    SourcePassage.id == _ROWID.op("/")(KIND_FACTOR),
                ),
            )
        )
        conditions = [_index.c.document.op("@@")(query)]
        allowed = restricted_to(_ROWID, restrictions)
        if allowed is None:
            return None
        conditions.append(allowed)
        statement = (
            statement.where(*conditions).order_by(literal_column("rank"), _ROWID).limit(limit)
        )
        return session.connection().execute(statement, {"expression": expression})

    def snippets(self, session: Session, expression: str, rowids: list[int]) -> dict[int, str]:
        """Each row's snippet with its matches marked, cut from the row's own text (a passage,
        a note, a quote: never a whole source), as FTS5's `snippet()` cuts it on SQLite.

        Cut here rather than by `ts_headline`: its parser reads a URL, a host name or an
        e-mail address as one token and ends a fragment before its punctuation, so its
        highlights and snippets would differ from the same store's on SQLite; this reads words
        as SQLite's unicode61 tokenizer does (runs of letters and digits)."""
        rows = session.execute(
            text(
                f"SELECT rowid, title, body, extra FROM ({SEARCHED}) AS i "
                "WHERE rowid = ANY(CAST(:rowids AS bigint[]))"
            ),
            {"rowids": list(rowids)},
        )
        terms = getattr(expression, "terms", ())
        found = {}
        for rowid, title, body, extra in rows:
            if rowid % KIND_FACTOR == KIND_CODES["quote"]:
                found[rowid] = _snippet(body, terms)[1]
            else:  # the column whose fragment matches most; the first of equals
                found[rowid] = max(
                    (_snippet(column_text, terms) for column_text in (title, body, extra)),
                    key=lambda scored: scored[0],
                )[1]
        return found

    def marked_passages(
        self, session: Session, expression: str, source_id: int, start_from: int, limit: int
    ) -> list[tuple[int, str]]:
        """(start, text with every match marked) of the first `limit` passages of a source
        that match, from offset `start_from` on: what FTS5's `highlight()` gives the reader on
        SQLite (`core.search_open.source_view`)."""
        rows = session.execute(
            text(
                "SELECT p.start, i.body FROM search_index AS i JOIN source_passages AS p "
                f"ON p.id = i.rowid / {KIND_FACTOR} "
                f"WHERE i.rowid % {KIND_FACTOR} = {KIND_CODES['passage']} "
                "AND p.source_id = :source AND p.start >= :start_from "
                "AND i.document @@ to_tsquery('briefing'::regconfig, :expression) "
                "ORDER BY p.start LIMIT :limit"
            ),
            {"source": source_id, "start_from": start_from, "expression": expression,
             "limit": limit},
        )  # fmt: skip
        terms = getattr(expression, "terms", ())
        return [(start, _marked(body, terms)) for start, body in rows]

    def titles(self, session: Session, template: str, ids: list[int]):
        """Rows of a titles statement (`core.search`'s, with `{ids}` for the list of ids)."""
        # `= ANY(array)` looks each id up by its key; `IN (SELECT unnest(...))` made the planner
        # hash-join the whole table (200 ms on 100,000 quotes for a handful of hits).
        statement = template.replace(" IN {ids}", " = ANY(CAST(:ids AS bigint[]))")
        return session.execute(text(statement), {"ids": list(ids)})


SEARCH = TeamSearch()


# -- snippets as FTS5 cuts them ----------------------------------------------------------------


# unicode61's token characters: letters, numbers, private use, and the combining marks that
# follow a letter (which it folds away); everything else separates words.
_MARKS = "\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
_WORD = re.compile(f"(?:[^\\W_]|[{_MARKS}\ue000-\uf8ff])+")


def _tokens(value: str) -> list[tuple[int, int]]:
    """[start, end) of each word, as unicode61 reads them."""
    return [match.span() for match in _WORD.finditer(value)]


def _folded(word: str) -> str:
    """Case and diacritics folded, as 'unicode61 remove_diacritics 2' and unaccent do."""
    word = word.casefold()
    if word.isascii():
        return word
    decomposed = unicodedata.normalize("NFD", word)
    return "".join(char for char in decomposed if unicodedata.category(char) != "Mn")


def _matched(spans: list[tuple[int, int]], value: str, terms) -> list[int]:
    """The number of the term each word matches, or -1."""
    words = [_folded(value[a:b]) for a, b in spans]
    matched = [-1] * len(spans)  # the term each word matches, or -1
    for number, (term_words, prefix) in enumerate(terms):
        length = len(term_words)
        first = term_words[0]
        for index in range(len(words) - length + 1):
            word = words[index]
            if not (word.startswith(first) if prefix and length == 1 else word == first):
                continue  # the first word decides most places, cheaply
            if all(
                words[index + k].startswith(w)
                if prefix and k == length - 1
                else words[index + k] == w
                for k, w in enumerate(term_words)
            ):
                for k in range(length):
                    matched[index + k] = number
    return matched


def _marked(value: str, terms) -> str:
    """The whole text with every matched word marked, as FTS5's `highlight()` marks it."""
    spans = _tokens(value)
    pieces, position = [], 0
    for (a, b), term in zip(spans, _matched(spans, value, terms), strict=True):
        if term >= 0:
            pieces.append(value[position:a] + MARK_START + value[a:b] + MARK_END)
            position = b
    pieces.append(value[position:])
    return "".join(pieces)


def _snippet(value: str, terms) -> tuple[int, str]:
    """(score, snippet) of the best window of `_SNIPPET_TOKENS` words: most distinct terms,
    then most matches; "…" where the text was cut, the matched words marked."""
    spans = _tokens(value)
    matched = _matched(spans, value, terms)
    hits = [index for index, term in enumerate(matched) if term >= 0]
    if not spans:
        return 0, value
    best, best_score = 0, -1
    for first in hits or [0]:
        window = range(first, min(first + _SNIPPET_TOKENS, len(spans)))
        seen = {matched[i] for i in window if matched[i] >= 0}
        score = len(seen) * 1000 + sum(1 for i in window if matched[i] >= 0)
        if score > best_score:
            best, best_score = first, score
    # Centre the matches in the window, as FTS5 does, without running past either end.
    inside = [i for i in hits if best <= i < best + _SNIPPET_TOKENS]
    last_match = inside[-1] if inside else best
    spare = _SNIPPET_TOKENS - (last_match - best + 1)
    first = max(0, min(best - spare // 2, len(spans) - _SNIPPET_TOKENS))
    last = min(len(spans), first + _SNIPPET_TOKENS)
    start = 0 if first == 0 else spans[first][0]
    end = len(value) if last == len(spans) else spans[last - 1][1]
    pieces = ["\u2026" if first > 0 else ""]
    position = start
    for index in range(first, last):
        a, b = spans[index]
        if matched[index] >= 0:
            pieces.append(value[position:a] + MARK_START + value[a:b] + MARK_END)
            position = b
    pieces.append(value[position:end])
    pieces.append("\u2026" if last < len(spans) else "")
    return best_score, "".join(pieces)
