"""Detached notes: a note whose record another member deleted is kept, with what it was on.

On a team store, deleting a record (a topic, stakeholder, position, quote, source or briefing)
used to delete every note on it through the foreign keys' ON DELETE CASCADE, which row-level
security does not hold back: another member's private notes went too, and nobody was told.
Refusing the delete instead would tell the deleting member that private notes exist, and let any
member block any delete. So the notes of OTHER members are kept, detached: they lose their target
but keep `notes.detached_from`, what they were on in words ("stakeholder ‘IBM’, deleted
30 Nov 2026 by bob"), and their author finds them in the Notes panel. The deleting member's own
notes go with the record as before (the confirmation counts them; undo brings them back).

Both databases: `notes.detached_from`, and the exactly-one-target check becomes "exactly one of
a target or a detachment" (on SQLite by rebuilding the table, SQLite's way of changing a check;
its search triggers and indexes are made again as they were). A store file has one user, so
nothing ever detaches a note there; the column only lets a detached note travel into one.

On PostgreSQL, a BEFORE DELETE trigger on each kind of target detaches the notes on the row that
are not the deleting member's (`session_user`: the role the member logged in as, which no SQL
they run can change). A cascaded delete (stakeholder -> positions) is a DELETE of its own and
fires the child table's trigger, so notes on a position of a deleted stakeholder are kept too.
The triggers run as the store's owner (SECURITY DEFINER), who is held by the notes' row-level
security like everyone (0010 forces it); a policy lets the owner's role reach every note only
inside a trigger (`pg_trigger_depth() > 0`), where only this migration's own functions run as
the owner. The detachment is a change like any other: the note gets a new version (an editor
open on it is told, and keeps its text) and `changed_by` names the member who deleted.

Revision ID: 0013_detached_notes
Revises: 0012_import_state
"""

import re

import sqlalchemy as sa
from alembic import op

revision = "0013_detached_notes"
down_revision = "0012_import_state"
branch_labels = None
depends_on = None

_TARGETS = ("topic_id", "stakeholder_id", "position_id", "quote_id", "source_id", "briefing_id")


def _check(detached: bool, cast: str) -> str:
    terms = [f"({target} IS NOT NULL){cast}" for target in _TARGETS]
    if detached:
        terms.append(f"(detached_from IS NOT NULL){cast}")
    return " + ".join(terms) + " = 1"


def _words(expression: str, limit: int) -> str:
    """SQL: a row's words for the description, cut to `limit` characters with an ellipsis."""
    return (
        f"CASE WHEN length({expression}) > {limit} "
        f"THEN left({expression}, {limit - 1}) || '\u2026' ELSE {expression} END"
    )


def _name_of(stakeholder_id: str) -> str:
    return f"(SELECT s.name FROM stakeholders AS s WHERE s.id = {stakeholder_id})"


# table, note column, what the deleted row was, in words (SQL over OLD). A cascaded delete runs
# after its parent row is gone, so a position's or quote's stakeholder may no longer be found.
_DESCRIBED = (
    ("topics", "topic_id", "'topic \u2018' || OLD.name || '\u2019'"),
    ("stakeholders", "stakeholder_id", "'stakeholder \u2018' || OLD.name || '\u2019'"),
    (
        "positions",
        "position_id",
        f"'position \u2018' || {_words('OLD.headline', 60)} || '\u2019'"
        f" || coalesce(' of ' || {_name_of('OLD.stakeholder_id')}, '')",
    ),
    (
        "quotes",
        "quote_id",
        f"'quote \u2018' || {_words('OLD.text', 60)} || '\u2019'"
        f" || coalesce(' by ' || {_name_of('OLD.speaker_id')}, '')",
    ),
    ("sources", "source_id", f"'source \u2018' || {_words('OLD.title', 80)} || '\u2019'"),
    ("briefings", "briefing_id", f"'briefing \u2018' || {_words('OLD.title', 80)} || '\u2019'"),
)

_DELETED = (
    "', deleted ' || to_char(now() AT TIME ZONE 'UTC', 'FMDD Mon YYYY') || ' by ' || session_user"
)


# A new version, strictly later than the last (as `models.later_than` makes them).
_LATER = "greatest(now() AT TIME ZONE 'UTC', updated_at + interval '1 microsecond')"


def _sqlite_rebuild(old_check: str, new_check: str) -> None:
    """Rebuild `notes` with another check (SQLite's 12-step ALTER; foreign keys are off while
    the store upgrades), keeping its indexes and search triggers."""
    bind = op.get_bind()
    rows = bind.exec_driver_sql(
        "SELECT type, name, sql FROM sqlite_master WHERE tbl_name = 'notes' AND sql IS NOT NULL"
    ).fetchall()
    (table_sql,) = [sql for kind, _name, sql in rows if kind == "table"]
    if old_check not in table_sql:
        raise RuntimeError("the notes table's check is not the one this migration changes")
    created = re.sub(
        r'^CREATE TABLE "?notes"?',
        "CREATE TABLE notes_rebuilt",
        table_sql.replace(old_check, new_check),
    )
    op.execute(created)
    op.execute("INSERT INTO notes_rebuilt SELECT * FROM notes")
    op.execute("DROP TABLE notes")
    op.execute("ALTER TABLE notes_rebuilt RENAME TO notes")
    for kind, _name, sql in rows:
        if kind in ("index", "trigger"):
            op.execute(sql)


def _postgresql_upgrade() -> None:
    schema = op.get_bind().exec_driver_sql("SELECT current_schema()").scalar_one()
    op.execute("ALTER TABLE notes DROP CONSTRAINT ck_notes_one_target")
    op.execute(
        f"ALTER TABLE notes ADD CONSTRAINT ck_notes_one_target CHECK ({_check(True, '::int')})"
    )
    # The owner's role reaches every note only inside a trigger: this migration's functions.
    op.execute(
        "CREATE POLICY notes_detached_by_trigger ON notes TO CURRENT_USER "
        "USING (pg_trigger_depth() > 0) WITH CHECK (pg_trigger_depth() > 0)"
    )
    # A detachment is the deleting member's change (0011 would name the owner, whose role the
    # trigger runs as).
    op.execute(
        "CREATE OR REPLACE FUNCTION notes_changer() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "IF TG_OP = 'INSERT' THEN NEW.changed_by := NULL; "
        "ELSIF NEW.detached_from IS NOT NULL AND OLD.detached_from IS NULL "
        "THEN NEW.changed_by := session_user; "
        "ELSE NEW.changed_by := current_user; END IF; RETURN NEW; END $$"
    )
    definer = f"SECURITY DEFINER SET search_path = {schema}, pg_temp"
    for table, column, described in _DESCRIBED:
        op.execute(
            f"CREATE FUNCTION notes_detach_{table}() RETURNS trigger LANGUAGE plpgsql {definer} "
            "AS $$ BEGIN "
            f"UPDATE notes SET {column} = NULL, detached_from = {described} || {_DELETED}, "
            f"updated_at = {_LATER} "
            f"WHERE {column} = OLD.id AND written_by IS DISTINCT FROM session_user; "
            "RETURN OLD; END $$"
        )
        op.execute(f"REVOKE ALL ON FUNCTION notes_detach_{table}() FROM PUBLIC")
        op.execute(
            f"CREATE TRIGGER notes_detach BEFORE DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION notes_detach_{table}()"
        )


def _postgresql_downgrade() -> None:
    for table, _column, _described in _DESCRIBED:
        op.execute(f"DROP TRIGGER IF EXISTS notes_detach ON {table}")
        op.execute(f"DROP FUNCTION IF EXISTS notes_detach_{table}()")
    op.execute(
        "CREATE OR REPLACE FUNCTION notes_changer() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "IF TG_OP = 'INSERT' THEN NEW.changed_by := NULL; "
        "ELSE NEW.changed_by := current_user; END IF; RETURN NEW; END $$"
    )
    op.execute("DROP POLICY IF EXISTS notes_detached_by_trigger ON notes")
    # Nothing is lost going back: a detached note has nowhere to hang, so it is kept on nothing
    # only until the check returns; the downgrade refuses while there are any.
    op.execute("ALTER TABLE notes DROP CONSTRAINT ck_notes_one_target")
    op.execute(
        f"ALTER TABLE notes ADD CONSTRAINT ck_notes_one_target CHECK ({_check(False, '::int')})"
    )


def upgrade() -> None:
    op.add_column("notes", sa.Column("detached_from", sa.Text(), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        _postgresql_upgrade()
    elif op.get_bind().dialect.name == "sqlite":
        _sqlite_rebuild(_check(False, ""), _check(True, ""))


def downgrade() -> None:
    # A detached note cannot satisfy the old check; they would have to be deleted, which this
    # migration's whole point forbids, so going back with detached notes is refused.
    detached = (
        op.get_bind()
        .exec_driver_sql("SELECT count(*) FROM notes WHERE detached_from IS NOT NULL")
        .scalar_one()
    )
    if detached:
        raise RuntimeError(
            f"{detached} detached notes would be lost by going back before 0013_detached_notes"
        )
    if op.get_bind().dialect.name == "postgresql":
        _postgresql_downgrade()
        op.drop_column("notes", "detached_from")
    elif op.get_bind().dialect.name == "sqlite":
        _sqlite_rebuild(_check(True, ""), _check(False, ""))
        op.execute("ALTER TABLE notes DROP COLUMN detached_from")
