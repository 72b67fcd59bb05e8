"""Backups and checks of a team store on PostgreSQL: the server's own tools, run by its owner.

`backup` writes a full dump in pg_dump's custom format; `restore` replaces the team store by one
with pg_restore, in a single transaction, so a backup that fails halfway changes nothing. Both are
the owner's: a member's dump would silently lack the other members' private notes (row-level
security hides them from it, and pg_dump would either refuse or, told to obey the policies, leave
them out), and only the owner may drop and recreate the tables.

Even the owner is held by the notes' and the index's policies (forced, `0010_team_store`,
`0014_team_roles`), and pg_dump refuses to dump a table whose policies apply to it. So for the
dump's duration the owner lifts the forcing (`NO FORCE ROW LEVEL SECURITY`, which only the owner's
own sessions notice: members stay under the policies) and puts it back afterwards, whatever
happened; `team setup` puts it back too, should the app have been killed in between. A restore
puts back the forcing the store had before it.

The programs are found like the tests' cluster finds its own (`/usr/lib/postgresql/*/bin`, the
newest first, then the PATH), and must be at least the server's major version: pg_dump refuses a
newer server. The password reaches the child in its environment (`PGPASSWORD`) only, never on its
command line; without one, libpq's own files serve the child as they serve the app.

`index_problems` compares the search index with the records it indexes, as far as the caller
can see them (a member's private notes and their rows are both hidden from the others).
"""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, text

from briefing.errors import InputError, StoreError
from briefing.store import migrations
from briefing.store.search_index import INDEXED_TABLES, KIND_CODES, KIND_FACTOR

# The tables whose row-level security holds for the owner too.
FORCED_TABLES = ("notes", "search_private")
_BACKUP_LOCK = 4242524947  # two backups at once would lift and put back each other's forcing


def _searched() -> list[Path]:
    versions = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda found: int(found.parent.name) if found.parent.name.isdigit() else 0,
        reverse=True,
    )
    on_path = [Path(p) for p in os.environ.get("PATH", "").split(os.pathsep) if p]
    return versions + on_path


def _major(program: Path) -> int | None:
    try:
        said = subprocess.run(
            [str(program), "--version"], capture_output=True, text=True, timeout=30
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    found = re.search(r"\(PostgreSQL\)\s+(\d+)", said)
    return int(found.group(1)) if found else None


def program(name: str, server_major: int) -> Path:
    """`pg_dump` or `pg_restore` of the newest PostgreSQL found, at least the server's."""
    found = []
    for folder in _searched():
        candidate = folder / name
        if candidate.is_file() and os.access(candidate, os.X_OK) and candidate not in found:
            found.append(candidate)
    majors = [(candidate, _major(candidate)) for candidate in found]
    usable = [(c, m) for c, m in majors if m is not None and m >= server_major]
    if usable:
        return max(usable, key=lambda pair: pair[1])[0]
    if not found:
        raise StoreError(
            f"{name} is not installed; a team store is backed up with PostgreSQL's own tools: "
            "install its client programs (Debian: apt install postgresql-client)"
        )
    newest = max((m for _c, m in majors if m is not None), default=None)
    raise StoreError(
        f"{name} here is PostgreSQL {newest or 'of an unknown version'}'s, older than the "
        f"server's ({server_major}), and it cannot read a newer server: install the client "
        f"programs of PostgreSQL {server_major} or newer"
    )


@dataclass(frozen=True)
class Served:
    """What the owner's connection found out before a backup or a restore."""

    role: str
    owner: str | None
    server_major: int
    revision: str | None


def _served(connection) -> Served:
    from briefing.store.team import _owner

    role = connection.exec_driver_sql("SELECT current_user").scalar_one()
    number = int(connection.exec_driver_sql("SHOW server_version_num").scalar_one())
    return Served(
        role, _owner(connection), number // 10000, migrations.current_revision(connection)
    )


def _owners_only(served: Served, what: str, address: str) -> None:
    from briefing.store.team import shown

    if served.revision is None:
        raise StoreError(f"{shown(address)} holds no Briefing store yet: nothing to {what}")
    if served.role != served.owner:
        raise StoreError(
            f"a team store is {what}d by its owner ({served.owner}), not {served.role}: a "
            "member's copy would silently lack the other members' private notes, which "
            "row-level security hides from every role but their author's; nothing was done"
        )


def _libpq_address(address: str) -> str:
    from briefing.store.team import _driver_address

    return _driver_address(address).replace("postgresql+psycopg", "postgresql", 1)


def _environment(password: str | None) -> dict[str, str]:
    environment = dict(os.environ)  # libpq's own settings (PGPASSFILE, PGSERVICE...) too
    if password is not None:
        environment["PGPASSWORD"] = password  # the child's own environment, nothing else
    return environment


def _forced(connection) -> list[str]:
    return list(
        connection.execute(
            text(
                "SELECT relname FROM pg_catalog.pg_class WHERE relforcerowsecurity "
                "AND relnamespace = current_schema()::regnamespace ORDER BY relname"
            )
        ).scalars()
    )


def force(connection, tables) -> None:
    """Row-level security on `tables` holds for the owner too (idempotent)."""
    quote = connection.dialect.identifier_preparer.quote
    for name in tables:
        connection.exec_driver_sql(f"ALTER TABLE {quote(name)} FORCE ROW LEVEL SECURITY")


def should_be_forced(connection) -> list[str]:
    """Those of `FORCED_TABLES` the schema has, with row-level security enabled."""
    return list(
        connection.execute(
            text(
                "SELECT relname FROM pg_catalog.pg_class WHERE relrowsecurity "
                "AND relname = ANY(:names) AND relnamespace = current_schema()::regnamespace"
            ),
            {"names": list(FORCED_TABLES)},
        ).scalars()
    )


@contextlib.contextmanager
def _unforced(engine: Engine) -> Iterator[None]:
    """The forced tables lifted for the owner's sessions, and forced again on the way out."""
    with engine.connect() as holder:
        holder.execution_options(isolation_level="AUTOCOMMIT")
        holder.exec_driver_sql(f"SELECT pg_advisory_lock({_BACKUP_LOCK})")
        try:
            forced = _forced(holder)
            quote = holder.dialect.identifier_preparer.quote
            for name in forced:
                holder.exec_driver_sql(f"ALTER TABLE {quote(name)} NO FORCE ROW LEVEL SECURITY")
            try:
                yield
            finally:
                force(holder, forced)
        finally:
            holder.exec_driver_sql(f"SELECT pg_advisory_unlock({_BACKUP_LOCK})")


def _run(command: list[str], password: str | None, what: str) -> None:
    done = subprocess.run(command, capture_output=True, text=True, env=_environment(password))
    if done.returncode != 0:
        said = " ".join(line.strip() for line in done.stderr.strip().splitlines()[:2])
        raise StoreError(f"{what} failed ({said or f'exit status {done.returncode}'})")


@dataclass(frozen=True)
class TeamBackup:
    path: Path
    size: int
    revision: str


def backup(address: str, to: Path, password: str | None = None) -> TeamBackup:
    """Write a full dump of the team store to `to` (whole or absent), as its owner."""
    from briefing.store.team import _guarded

    to = Path(to).expanduser()
    if not to.parent.is_dir():
        raise InputError(f"cannot write {to}: there is no folder {to.parent}")
    if to.is_dir():
        raise InputError(f"{to} is a folder; name the backup file to write")

    def run(engine: Engine) -> TeamBackup:
        with engine.connect() as connection:
            served = _served(connection)
        _owners_only(served, "back up", address)
        pg_dump = program("pg_dump", served.server_major)
        partial = to.with_name(f".{to.name}.{os.getpid()}.partial")
        try:
            with _unforced(engine):
                _run(
                    [
                        str(pg_dump),
                        "--format=custom",
                        "--no-password",
                        f"--file={partial}",
                        f"--dbname={_libpq_address(address)}",
                    ],
                    password,
                    "pg_dump",
                )
            os.replace(partial, to)
        finally:
            partial.unlink(missing_ok=True)
        return TeamBackup(to, to.stat().st_size, served.revision or "")

    return _guarded(address, run, password)


def _backup_revision(pg_restore: Path, file: Path) -> str:
    """The schema revision a dump holds; InputError when `file` is not a team store's dump."""
    listing = subprocess.run([str(pg_restore), "--list", str(file)], capture_output=True, text=True)
    if listing.returncode != 0:
        raise InputError(
            f"{file} is not a team store's backup (pg_restore cannot read it: it takes the "
            "custom format that 'briefing backup --to FILE' writes on a team store); nothing "
            "was changed"
        )
    if not re.search(r"TABLE DATA \S+ alembic_version ", listing.stdout) or not re.search(
        r"TABLE DATA \S+ notes ", listing.stdout
    ):
        raise InputError(f"{file} is a PostgreSQL backup, but not of a Briefing team store")
    data = subprocess.run(
        [str(pg_restore), "--data-only", "--table=alembic_version", "--file=-", str(file)],
        capture_output=True,
        text=True,
    )
    found = re.search(r"COPY \S+ \(version_num\) FROM stdin;\n([^\n\\]+)\n", data.stdout)
    if data.returncode != 0 or found is None:
        raise InputError(f"{file} holds no schema version; it is not a Briefing backup")
    return found.group(1).strip()


@dataclass(frozen=True)
class TeamRestore:
    restored_from: Path
    revision: str


def check_backup(address: str, file: Path, password: str | None = None) -> str:
    """The revision of the backup at `file`, after every check `restore` makes before changing
    anything (the owner, the programs, the file itself, the schema)."""
    return _prepare_restore(address, file, password)[1]


def _prepare_restore(address: str, file: Path, password: str | None):
    from briefing.store.team import _guarded

    file = Path(file).expanduser()
    if not file.is_file():
        raise InputError(f"there is no backup at {file}")

    def run(engine: Engine):
        with engine.connect() as connection:
            served = _served(connection)
        _owners_only(served, "restore", address)
        pg_restore = program("pg_restore", served.server_major)
        revision = _backup_revision(pg_restore, file)
        if revision != served.revision:
            raise InputError(
                f"{file} holds schema {revision}, the team store {served.revision}: a backup "
                "is restored onto the schema it was taken from (restore it into an empty "
                "database, set up with the version of Briefing that wrote it); nothing was "
                "changed"
            )
        return pg_restore, revision

    return file, *_guarded(address, run, password)


def restore(address: str, file: Path, password: str | None = None) -> TeamRestore:
    """Replace the team store's contents by the backup at `file`, in one transaction, as its
    owner; the row-level security it had holds again afterwards."""
    from briefing.store.team import _guarded

    file, pg_restore, revision = _prepare_restore(address, file, password)

    def run(engine: Engine) -> TeamRestore:
        with engine.connect() as connection:
            forced = should_be_forced(connection)
        _run(
            [
                str(pg_restore),
                "--clean",
                "--if-exists",
                "--single-transaction",
                "--exit-on-error",
                "--no-owner",
                "--no-password",
                f"--dbname={_libpq_address(address)}",
                str(file),
            ],
            password,
            "pg_restore",
        )
        with engine.begin() as connection:
            force(connection, forced)
        return TeamRestore(file, revision)

    return _guarded(address, run, password)


def index_problems(session) -> list[str]:
    """Records without their row in the search index, and rows without their record, as far
    as the session's role can see both."""
    from briefing.store.team import SEARCHED

    problems = []
    for kind, table_name in INDEXED_TABLES.items():
        code = KIND_CODES[kind]
        missing = session.execute(
            text(
                f"SELECT t.id FROM {table_name} AS t WHERE NOT EXISTS (SELECT 1 FROM ({SEARCHED}) "
                f"AS i WHERE i.rowid = t.id::bigint * {KIND_FACTOR} + {code}) ORDER BY t.id"
            )
        ).scalars()
        problems += [f"{kind} {record}: not in the search index" for record in missing]
        stray = session.execute(
            text(
                f"SELECT i.rowid / {KIND_FACTOR} FROM ({SEARCHED}) AS i WHERE i.rowid % "
                f"{KIND_FACTOR} = {code} AND NOT EXISTS (SELECT 1 FROM {table_name} AS t "
                f"WHERE t.id::bigint * {KIND_FACTOR} + {code} = i.rowid) ORDER BY 1"
            )
        ).scalars()
        problems += [
            f"the search index holds a {kind} {record} that is not there" for record in stray
        ]
    return problems
