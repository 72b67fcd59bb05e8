"""Runs the Alembic migrations in `db/` against an open connection; no alembic.ini needed.

Alembic (and the dialect modules it loads) is imported only when a store is created or upgraded:
opening a store that is already at the newest schema, which is every start but the first after
an update, needs only to know which revisions exist. That is read from the migration files'
`revision = ...` and `down_revision = ...` lines, without importing them;
`tests/unit/test_store.py` checks that it agrees with Alembic's own reading.
"""

from __future__ import annotations

import ast
import sqlite3
from functools import cache
from typing import TYPE_CHECKING

from briefing.paths import migrations_dir

if TYPE_CHECKING:  # SQLAlchemy neither: the first screen reads the head before it is loaded
    from alembic.config import Config
    from sqlalchemy import Connection


def _config(connection: Connection | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


@cache
def _revisions() -> dict[str, str | None]:
    """Every migration's revision and the revision it follows, read from the files' source."""
    found: dict[str, str | None] = {}
    for path in sorted((migrations_dir() / "versions").glob("*.py")):
        values: dict[str, object] = {}
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.Assign) and len(node.targets) == 1:
                target = node.targets[0]
                if isinstance(target, ast.Name) and target.id in ("revision", "down_revision"):
                    values[target.id] = ast.literal_eval(node.value)
        revision = values.get("revision")
        if isinstance(revision, str):
            down = values.get("down_revision")
            found[revision] = down if isinstance(down, str) else None
    return found


def head_revision() -> str:
    revisions = _revisions()
    followed = set(revisions.values())
    heads = [revision for revision in revisions if revision not in followed]
    assert len(heads) == 1, f"db/versions must have one head, not {heads}"
    return heads[0]


def first_revision() -> str:
    """The oldest migration: the schema of the first stores the app ever made."""
    (first,) = [revision for revision, down in _revisions().items() if down is None]
    return first


def is_known(revision: str) -> bool:
    return revision in _revisions()


def current_revision(connection: Connection | sqlite3.Connection) -> str | None:
    """The revision stamped in a store, or None. Takes a SQLAlchemy or a sqlite3 connection."""
    query = "SELECT version_num FROM alembic_version"
    exists = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
    if not hasattr(connection, "exec_driver_sql"):  # sqlite3's, or SQLCipher's (encrypted)
        if connection.execute(exists).fetchone() is None:
            return None
        row = connection.execute(query).fetchone()
    elif connection.dialect.name != "sqlite":  # a team store (briefing.store.team)
        from sqlalchemy import inspect

        if not inspect(connection).has_table("alembic_version"):
            return None
        row = connection.exec_driver_sql(query).first()
    else:
        if connection.exec_driver_sql(exists).first() is None:
            return None
        row = connection.exec_driver_sql(query).first()
    return row[0] if row else None


def upgrade(connection: Connection, revision: str = "head") -> None:
    """Upgrade the store on `connection` inside the caller's transaction."""
    from alembic import command

    if connection.dialect.name == "postgresql":
        # A team store's migrations may rewrite its search index, which is otherwise written
        # by its triggers alone (`0014_team_roles`); for this transaction only.
        connection.exec_driver_sql("SET LOCAL briefing.maintenance = 'on'")
    command.upgrade(_config(connection), revision)
