"""Names and tags get a stored key (NFC, case-folded) with a UNIQUE index.

Until now names were compared with SQLite's `lower()`, which folds ASCII only, so a store may
already hold twins that only this key tells apart: "Ärzte ohne Grenzen" and "ÄRZTE OHNE GRENZEN",
or "Überwachung" typed once precomposed and once with a combining diaeresis. The migration does
not fail on them; it resolves each twin and reports it (a warning on the `briefing.migrations`
logger, which the command line prints to standard error):

- a tag twin is merged into the oldest tag of its key (a tag is a label: its quotes, notes and
  sources keep it), and the twin row goes;
- a stakeholder or topic twin is kept with everything on it, renamed "NAME (2)", "NAME (3)"... so
  that the user sees both and can merge or rename them.

The column is added with `ALTER TABLE ... ADD COLUMN` rather than a batch rebuild: rebuilding a
table would drop the full-text index's triggers on it. The key is computed here, not imported
from the app, so this migration keeps meaning what it meant when it was written.

Revision ID: 0003_name_keys
Revises: 0002_search
"""

import logging
import re
import unicodedata

import sqlalchemy as sa
from alembic import op

revision = "0003_name_keys"
down_revision = "0002_search"
branch_labels = None
depends_on = None

log = logging.getLogger("briefing.migrations")

_TABLES = ("topics", "stakeholders", "tags")
_TAG_LINKS = ("quote_tags", "note_tags", "source_tags")
_SPACES = re.compile(r"\s+")


def _key(name: str) -> str:
    name = _SPACES.sub(" ", unicodedata.normalize("NFC", name)).strip()
    return unicodedata.normalize("NFC", name.casefold())


def _table(name: str) -> sa.Table:
    return sa.table(name, sa.column("id", sa.Integer), sa.column("name", sa.String))


def _merge_tag(connection, twin_id: int, keeper_id: int) -> None:
    for link in _TAG_LINKS:
        other = {"quote_tags": "quote_id", "note_tags": "note_id", "source_tags": "source_id"}[link]
        # The record may carry both twins: keep one link, drop the other.
        connection.execute(
            sa.text(
                f"DELETE FROM {link} WHERE tag_id = :twin AND {other} IN "
                f"(SELECT {other} FROM {link} WHERE tag_id = :keeper)"
            ),
            {"twin": twin_id, "keeper": keeper_id},
        )
        connection.execute(
            sa.text(f"UPDATE {link} SET tag_id = :keeper WHERE tag_id = :twin"),
            {"keeper": keeper_id, "twin": twin_id},
        )
    connection.execute(sa.text("DELETE FROM tags WHERE id = :twin"), {"twin": twin_id})


def upgrade() -> None:
    connection = op.get_bind()
    for name in _TABLES:
        op.execute(f"ALTER TABLE {name} ADD COLUMN name_key VARCHAR(400) NOT NULL DEFAULT ''")
        table = _table(name)
        rows = connection.execute(sa.select(table.c.id, table.c.name).order_by(table.c.id)).all()
        taken = {_key(row.name) for row in rows}  # a new name must clash with no row, even later
        keepers: dict[str, int] = {}
        for row in rows:
            key = _key(row.name)
            if key not in keepers:
                keepers[key] = row.id
                connection.execute(
                    sa.text(f"UPDATE {name} SET name_key = :key WHERE id = :id"),
                    {"key": key, "id": row.id},
                )
                continue
            keeper = keepers[key]
            if name == "tags":
                _merge_tag(connection, row.id, keeper)
                log.warning(
                    "tag %r (id %d) and tag id %d are one name: merged into %d",
                    row.name, row.id, keeper, keeper,
                )  # fmt: skip
                continue
            number = 2
            while _key(renamed := f"{row.name} ({number})") in taken:
                number += 1
            taken.add(_key(renamed))
            keepers[_key(renamed)] = row.id
            connection.execute(
                sa.text(f"UPDATE {name} SET name = :name, name_key = :key WHERE id = :id"),
                {"name": renamed, "key": _key(renamed), "id": row.id},
            )
            log.warning(
                "%s %r (id %d) has the same name as id %d, ignoring case: renamed %r",
                name[:-1], row.name, row.id, keeper, renamed,
            )  # fmt: skip
        op.execute(f"CREATE UNIQUE INDEX ix_{name}_name_key ON {name} (name_key)")


def downgrade() -> None:
    for name in _TABLES:
        op.execute(f"DROP INDEX IF EXISTS ix_{name}_name_key")
        # not a batch rebuild, which would drop the search index's triggers (SQLite >= 3.35)
        op.execute(f"ALTER TABLE {name} DROP COLUMN name_key")
