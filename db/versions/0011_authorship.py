"""Who added each record and who changed it last.

The records members write (topics, stakeholders, positions, sources, quotes, questions, answers,
events, briefings) gain `created_by` and `changed_by`; notes, whose author is `written_by`
(0010), gain `changed_by`.

On PostgreSQL a trigger fills them from `current_user`, whatever the client sends: on insert the
author (and no changer); on update the author kept and the changer set, so a member can neither
forge nor take over authorship.

On SQLite they stay NULL: a store file has one user and needs no author, and the local user's
name must never travel into packs or exports. The user names 0010 wrote into `notes.written_by`
on store files are removed here.

Revision ID: 0011_authorship
Revises: 0010_team_store
"""

import sqlalchemy as sa
from alembic import op

revision = "0011_authorship"
down_revision = "0010_team_store"
branch_labels = None
depends_on = None

AUTHORED = (
    "topics", "stakeholders", "positions", "sources", "quotes", "questions", "answers",
    "events", "briefings",
)  # fmt: skip


def _column(name: str) -> sa.Column:
    return sa.Column(name, sa.String(length=200), nullable=True)


def upgrade() -> None:
    # ADD COLUMN, not a batch rebuild: rebuilding would drop SQLite's search triggers.
    for table in AUTHORED:
        op.add_column(table, _column("created_by"))
        op.add_column(table, _column("changed_by"))
    op.add_column("notes", _column("changed_by"))
    if op.get_bind().dialect.name == "sqlite":
        op.execute("UPDATE notes SET written_by = NULL WHERE written_by IS NOT NULL")
        return
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        "CREATE FUNCTION briefing_authorship() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "IF TG_OP = 'INSERT' THEN NEW.created_by := current_user; NEW.changed_by := NULL; "
        "ELSE NEW.created_by := OLD.created_by; NEW.changed_by := current_user; END IF; "
        "RETURN NEW; END $$"
    )
    for table in AUTHORED:
        op.execute(
            f"CREATE TRIGGER authorship_{table} BEFORE INSERT OR UPDATE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION briefing_authorship()"
        )
    op.execute(
        "CREATE FUNCTION notes_changer() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "IF TG_OP = 'INSERT' THEN NEW.changed_by := NULL; "
        "ELSE NEW.changed_by := current_user; END IF; RETURN NEW; END $$"
    )
    op.execute(
        "CREATE TRIGGER notes_changer BEFORE INSERT OR UPDATE ON notes "
        "FOR EACH ROW EXECUTE FUNCTION notes_changer()"
    )


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS notes_changer ON notes")
        op.execute("DROP FUNCTION IF EXISTS notes_changer()")
        for table in AUTHORED:
            op.execute(f"DROP TRIGGER IF EXISTS authorship_{table} ON {table}")
        op.execute("DROP FUNCTION IF EXISTS briefing_authorship()")
    columns = [(table, name) for table in AUTHORED for name in ("created_by", "changed_by")]
    for table, name in [*columns, ("notes", "changed_by")]:
        if dialect == "sqlite":
            op.execute(f"ALTER TABLE {table} DROP COLUMN {name}")
        else:
            op.drop_column(table, name)
