"""`briefing check`: a full check of a store file that changes nothing (no Qt here).

It reads the file through a read-only connection (immutable when no -wal file is beside it, so
not even a -shm file appears) and runs, in order: SQLite's `integrity_check`, `foreign_key_check`,
the search index's own integrity check (FTS5 'integrity-check', inside a transaction that is
rolled back), every source's sha256 against its stored text, every quote against the passage of
its source at its offsets (equal, or equal after normalising typography), and the schema version.
Between them, every text value of every table is decoded: 16 bytes overwritten inside a record
pass `integrity_check` but make the record unreadable.

A damaged file is described in words; no record's text is ever part of a message (a private
note's words must not reach a terminal or a log): findings name records by kind and id.
"""

from __future__ import annotations

import hashlib
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from briefing.core.verify import normalize
from briefing.errors import StoreError
from briefing.store import encryption, migrations
from briefing.store.backups import check_file

_MOST = 20  # findings listed per check; the count says how many there were


@dataclass
class CheckResult:
    name: str
    ok: bool
    problems: list[str] = field(default_factory=list)
    count: int = 0  # how many problems in all (problems lists at most _MOST)

    def as_json(self) -> dict:
        return {"check": self.name, "ok": self.ok, "problems": self.problems, "count": self.count}


@dataclass
class StoreCheck:
    path: Path
    results: list[CheckResult]

    @property
    def ok(self) -> bool:
        return all(result.ok for result in self.results)

    def as_json(self) -> dict:
        return {
            "path": str(self.path),
            "ok": self.ok,
            "checks": [result.as_json() for result in self.results],
        }


def _connect(path: Path) -> sqlite3.Connection:
    wal = Path(f"{path}-wal")
    options = "mode=ro" if wal.exists() and wal.stat().st_size > 0 else "mode=ro&immutable=1"
    return encryption.connect_file(path, f"?{options}")  # an encrypted store: its key


def _result(name: str, problems: list[str]) -> CheckResult:
    return CheckResult(name, not problems, problems[:_MOST], len(problems))


def _sqlite_rows(connection: sqlite3.Connection, pragma: str) -> list[str]:
    return [" ".join(str(value) for value in row) for row in connection.execute(pragma)]


def check_store(path: Path | str) -> StoreCheck:
    """Check the store at `path` in full; StoreError only when it is not a store at all."""
    path = Path(path).expanduser()
    if not path.is_file():
        raise StoreError(f"there is no store at {path}")
    header_problem = check_file(path, full=False)
    if header_problem is not None and "damaged" not in header_problem:
        raise StoreError(f"{path} cannot be checked: {header_problem}")
    results: list[CheckResult] = []
    try:
        connection = _connect(path)
    except encryption.errors() as error:
        raise StoreError(f"cannot open {path}: {error}") from error
    try:
        results.append(_integrity(connection))
        if not results[0].ok:
            # Reading tables of a damaged file can fail anywhere; say what is known.
            return StoreCheck(path, results)
        results.append(_guarded("readable text", connection, _readable_text))
        results.append(_guarded("foreign keys", connection, _foreign_keys))
        results.append(_guarded("search index", connection, _search_index))
        results.append(_guarded("sources", connection, _sources))
        results.append(_guarded("quotes", connection, _quotes))
        results.append(_guarded("schema version", connection, _schema))
    finally:
        connection.close()
    return StoreCheck(path, results)


def _guarded(name: str, connection: sqlite3.Connection, run) -> CheckResult:
    try:
        return _result(name, run(connection))
    except encryption.errors() as error:
        return _result(name, [f"could not be read: {error}"])


def _integrity(connection: sqlite3.Connection) -> CheckResult:
    try:
        rows = _sqlite_rows(connection, "PRAGMA integrity_check(100)")
    except encryption.errors("DatabaseError") as error:
        return _result("integrity", [f"SQLite cannot read the file: {error}"])
    return _result("integrity", [] if rows == ["ok"] else rows)


def _readable_text(connection: sqlite3.Connection) -> list[str]:
    """Every text value decodes as UTF-8 (damage inside a record passes integrity_check)."""
    problems = []
    tables = [
        name
        for (name,) in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL%'"
            " AND name NOT LIKE 'search_index%' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    connection.text_factory = bytes
    try:
        for table in tables:
            cursor = connection.execute(f'SELECT rowid, * FROM "{table}"')  # names from the file
            columns = [column[0] for column in cursor.description]
            for row in cursor:
                for column, value in zip(columns[1:], row[1:], strict=True):
                    if isinstance(value, bytes):
                        try:
                            value.decode("utf-8")
                        except UnicodeDecodeError:
                            problems.append(f"{table} row {row[0]}: {column} is not readable text")
    finally:
        connection.text_factory = str
    return problems


def _foreign_keys(connection: sqlite3.Connection) -> list[str]:
    return [
        f"{table} row {rowid} refers to a missing {parent} record"
        for table, rowid, parent, _ in connection.execute("PRAGMA foreign_key_check")
    ]


def _search_index(connection: sqlite3.Connection) -> list[str]:
    exists = connection.execute(
        "SELECT 1 FROM sqlite_master WHERE name = 'search_index'"
    ).fetchone()
    if exists is None:
        return ["the search index is missing"]
    try:
        connection.execute("SAVEPOINT search_check")
        connection.execute("INSERT INTO search_index (search_index) VALUES ('integrity-check')")
    except encryption.errors("DatabaseError") as error:
        if "readonly" in str(error).lower():
            return _search_index_by_reading(connection)
        return [f"the search index is damaged ({error})"]
    finally:
        if connection.in_transaction:
            connection.execute("ROLLBACK TO search_check")
            connection.execute("RELEASE search_check")
    return []


def _search_index_by_reading(connection: sqlite3.Connection) -> list[str]:
    # On an immutable connection FTS5's check (an INSERT) is refused: read every term instead,
    # which walks the whole index and fails on a damaged page.
    connection.execute("SELECT count(*) FROM search_index WHERE search_index MATCH 'a* OR b*'")
    connection.execute("SELECT count(*) FROM search_index").fetchone()
    return []


def _sources(connection: sqlite3.Connection) -> list[str]:
    problems = []
    for source_id, text, sha in connection.execute("SELECT id, text, sha256 FROM sources"):
        if hashlib.sha256((text or "").encode("utf-8")).hexdigest() != sha:
            problems.append(f"source {source_id}: its text does not match its sha256")
    return problems


def _quotes(connection: sqlite3.Connection) -> list[str]:
    problems = []
    rows = connection.execute(
        'SELECT q.id, q.text, substr(s.text, q.start + 1, q."end" - q.start) '
        "FROM quotes AS q JOIN sources AS s ON s.id = q.source_id ORDER BY q.id"
    )
    for quote_id, text, passage in rows:
        if text != passage and normalize(text) != normalize(passage or ""):
            problems.append(f"quote {quote_id}: not the source's words at its offsets")
    return problems


def _schema(connection: sqlite3.Connection) -> list[str]:
    return _schema_problems(migrations.current_revision(connection))


def _schema_problems(revision: str | None) -> list[str]:
    head = migrations.head_revision()
    if revision is None:
        return ["the schema version is missing"]
    if revision != head:
        known = migrations.is_known(revision)
        return [
            f"schema {revision} is older than this app's {head} (opening it upgrades it)"
            if known
            else f"schema {revision} is from a newer version of Briefing"
        ]
    return []


def check_served_store(store) -> StoreCheck:
    """The checks that make sense on a store its server keeps (a team store), which keeps its
    own pages and foreign keys: the search index against the records it indexes, every
    source's sha256, every quote against its source, and the schema version. Changes nothing;
    run by a member, it checks what that member can see."""
    from sqlalchemy import func, select

    from briefing.store.models import Quote, Source

    with store.reading() as session:
        index = store.index_problems(session)
        sources = [
            f"source {source_id}: its text does not match its sha256"
            for source_id, body, sha in session.execute(
                select(Source.id, Source.text, Source.sha256).order_by(Source.id)
            )
            if hashlib.sha256((body or "").encode("utf-8")).hexdigest() != sha
        ]
        rows = session.execute(
            select(
                Quote.id,
                Quote.text,
                func.substr(Source.text, Quote.start + 1, Quote.end - Quote.start),
            )
            .join(Source, Source.id == Quote.source_id)
            .order_by(Quote.id)
        )
        quotes = [
            f"quote {quote_id}: not the source's words at its offsets"
            for quote_id, words, passage in rows
            if words != passage and normalize(words) != normalize(passage or "")
        ]
    return StoreCheck(
        store.path,
        [
            _result("search index", index),
            _result("sources", sources),
            _result("quotes", quotes),
            _result("schema version", _schema_problems(store.schema_version)),
        ],
    )
