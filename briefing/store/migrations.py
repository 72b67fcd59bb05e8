"""Runs the Alembic migrations in `db/` against an open connection; no alembic.ini needed."""

from __future__ import annotations

import sqlite3
from functools import cache

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Connection

from briefing.paths import migrations_dir


def _config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


@cache
def _scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(_config())


def head_revision() -> str:
    head = _scripts().get_current_head()
    assert head is not None, "db/versions holds no migration"
    return head


def first_revision() -> str:
    """The oldest migration: the schema of the first stores the app ever made."""
    *_, first = _scripts().walk_revisions()  # walks from the head down to the base
    return first.revision


def is_known(revision: str) -> bool:
    return any(script.revision == revision for script in _scripts().walk_revisions())


def current_revision(connection: Connection | sqlite3.Connection) -> str | None:
    """The revision stamped in a store, or None. Takes a SQLAlchemy or a sqlite3 connection."""
    query = "SELECT version_num FROM alembic_version"
    exists = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
    if isinstance(connection, sqlite3.Connection):
        if connection.execute(exists).fetchone() is None:
            return None
        row = connection.execute(query).fetchone()
    else:
        if connection.exec_driver_sql(exists).first() is None:
            return None
        row = connection.exec_driver_sql(query).first()
    return row[0] if row else None


def upgrade(connection: Connection, revision: str = "head") -> None:
    """Upgrade the store on `connection` inside the caller's transaction."""
    command.upgrade(_config(connection), revision)
