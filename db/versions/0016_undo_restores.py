"""An undone delete on a team store brings back who wrote the rows and the notes others wrote.

Undo of a delete puts the rows back with their old ids (`briefing.core.undo`). On a team store
two things went wrong there:

- The authorship triggers (0010, 0011) set `created_by` / `written_by` from the inserting role,
  so a stakeholder Alice added, that Bob deleted and then undid, said "added by bob".
- The notes other members wrote on the deleted record had been detached (0013), and stayed
  detached when it came back: Bob cannot even see Alice's private ones to put them back.

Both are mended by the database, so no member can use the mend to forge anything.

**Kept authorship.** A BEFORE DELETE trigger on every authored table (the records of 0011 and
`notes`) keeps each deleted row's author and last changer in `authorship_kept`, with a
fingerprint of the row (sha256 of the row as `jsonb`, without the authorship columns). When a
row is inserted with the id of a kept one (ids come from sequences and are never handed out
twice, so that is a restore) and the inserted row is that row word for word (its fingerprint
matches), the insert trigger takes the author and the last changer from there and an AFTER
INSERT trigger removes the entry; any other insert is the inserting member's, as before. So a
member who inserts a row with an id of their choosing, a fresh one or that of someone else's
deleted row, writes under their own name: only the very words, uuid and times of the deleted row
get its author back, and those are that author's anyway. A restored row keeps its last changer
too: its content is exactly what that member left, and the undoer wrote none of it.

`authorship_kept` belongs to the owner: members have no right on it at all (`team.add-member`
leaves it out), and the triggers that read and write it run as the owner (SECURITY DEFINER,
EXECUTE revoked from PUBLIC, so no member can hang them on a table of their own). Since they run
as the owner, the member is `session_user` (the role they logged in as, which no SQL they run
changes), as 0013's detachments already name them; for a member's own session that is the
role 0011's `current_user` named, and a member who sets another role they belong to still
writes as themself. Entries go when their row is restored; an
entry older than 30 days (far longer than an undo history lives: a window's session) is removed
by the next deleting statement, so the table holds about a month of deletes. An insert looks the
kept table up by its key (table, id), and works out the row's fingerprint only when a row of that
id was deleted: 20,000 new rows take 0.40 s instead of 0.20 s, and deleting them 1.2 s instead of
0.6 s (a member's plain SQL, this machine).

**Re-attached notes.** `notes.detached_key` (both databases; on a store file it stays NULL)
keeps what a detached note was on in machine form, `stakeholders 12`, beside 0013's words. The
notes' authorship trigger writes it on the update that detaches a note (from the target that
update clears), clears it when a note is attached again, and refuses a client's own value, so
0013's detach functions stay as they were. When a row of a kind a note can be on (a topic,
stakeholder, position, quote, source or briefing) is restored, the AFTER INSERT trigger
re-attaches every note whose key names it, private ones included (they stay their author's:
`written_by` is never changed), and clears `detached_from`; the note gets a new version and
`changed_by` names the member who restored the record, as the detachment named the one who
deleted it. A row inserted with a deleted one's id but other words (no restore) attaches
nothing. The trigger
reaches other members' private notes through 0013's policy for the owner's triggers.

Revision ID: 0016_undo_restores
Revises: 0015_team_search_split
"""

import sqlalchemy as sa
from alembic import op

revision = "0016_undo_restores"
down_revision = "0015_team_search_split"
branch_labels = None
depends_on = None

KEPT = "authorship_kept"
KEPT_DAYS = 30

AUTHORED = (
    "topics", "stakeholders", "positions", "sources", "quotes", "questions", "answers",
    "events", "briefings",
)  # fmt: skip

# A table a note can be on, and the note's column for it (0013).
_TARGETS = {
    "topics": "topic_id",
    "stakeholders": "stakeholder_id",
    "positions": "position_id",
    "quotes": "quote_id",
    "sources": "source_id",
    "briefings": "briefing_id",
}

# A new version, strictly later than the last (as `models.later_than` makes them).
_LATER = "greatest(now() AT TIME ZONE 'UTC', updated_at + interval '1 microsecond')"

_FINGERPRINT = "briefing_fingerprint"


def _definer() -> str:
    schema = op.get_bind().exec_driver_sql("SELECT current_schema()").scalar_one()
    return f"SECURITY DEFINER SET search_path = {schema}, pg_temp"


def _kept_match(table: str) -> str:
    """SQL (plpgsql): `kept` holds the entry of the row NEW restores, FOUND says if there is.

    Looked up by the id first: a row's fingerprint is worked out only when a row of that id was
    deleted, never for the new rows of an ordinary insert."""
    # TG_TABLE_NAME is a `name`, in collation "C": compared as one, the key's index is not used.
    table = f'{table}::text COLLATE "default"'
    return (
        f"PERFORM FROM {KEPT} WHERE table_name = {table} AND row_id = NEW.id::bigint; "
        f"IF FOUND THEN SELECT k.* INTO kept FROM {KEPT} AS k WHERE k.table_name = {table} "
        f"AND k.row_id = NEW.id::bigint AND k.fingerprint = {_FINGERPRINT}(to_jsonb(NEW)); "
        "END IF; "
    )


def _detached_key() -> str:
    """The key of the target an update clears: 'stakeholders 12'."""
    cases = " ".join(
        f"WHEN OLD.{column} IS NOT NULL AND NEW.{column} IS NULL THEN '{table} ' || OLD.{column}"
        for table, column in _TARGETS.items()
    )
    return f"CASE {cases} END"


def _postgresql_upgrade() -> None:
    definer = _definer()
    op.execute(
        f"CREATE TABLE {KEPT} (table_name text NOT NULL, row_id bigint NOT NULL, "
        "fingerprint bytea NOT NULL, author text, changer text, "
        "kept_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (table_name, row_id, fingerprint))"
    )
    op.execute(f"CREATE INDEX ix_{KEPT}_kept_at ON {KEPT} (kept_at)")
    op.execute(f"REVOKE ALL ON TABLE {KEPT} FROM PUBLIC")
    op.execute(
        f"CREATE FUNCTION {_FINGERPRINT}(row_values jsonb) RETURNS bytea LANGUAGE sql IMMUTABLE "
        "AS $$ SELECT sha256(convert_to((row_values - "
        "ARRAY['created_by', 'changed_by', 'written_by'])::text, 'UTF8')) $$"
    )
    op.execute(f"REVOKE ALL ON FUNCTION {_FINGERPRINT}(jsonb) FROM PUBLIC")

    # Every deleted row's authorship, kept for its restore.
    op.execute(
        f"CREATE FUNCTION briefing_keep_authorship() RETURNS trigger LANGUAGE plpgsql {definer} "
        "AS $$ DECLARE old_values jsonb := to_jsonb(OLD); BEGIN "
        f"INSERT INTO {KEPT} (table_name, row_id, fingerprint, author, changer) VALUES "
        f"(TG_TABLE_NAME, OLD.id, {_FINGERPRINT}(old_values), "
        "CASE WHEN TG_TABLE_NAME = 'notes' THEN old_values ->> 'written_by' "
        "ELSE old_values ->> 'created_by' END, old_values ->> 'changed_by') "
        "ON CONFLICT (table_name, row_id, fingerprint) DO UPDATE SET "
        "author = EXCLUDED.author, changer = EXCLUDED.changer, kept_at = EXCLUDED.kept_at; "
        "RETURN OLD; END $$"
    )
    op.execute("REVOKE ALL ON FUNCTION briefing_keep_authorship() FROM PUBLIC")
    # What no undo will restore any more goes, once per deleting statement.
    op.execute(
        f"CREATE FUNCTION briefing_prune_authorship() RETURNS trigger LANGUAGE plpgsql {definer} "
        f"AS $$ BEGIN DELETE FROM {KEPT} WHERE kept_at < now() - interval '{KEPT_DAYS} days'; "
        "RETURN NULL; END $$"
    )
    op.execute("REVOKE ALL ON FUNCTION briefing_prune_authorship() FROM PUBLIC")

    # Authorship on insert: the kept one for a restored row, else the inserting member's.
    op.execute(
        "CREATE OR REPLACE FUNCTION briefing_authorship() RETURNS trigger LANGUAGE plpgsql "
        f"{definer} AS $$ DECLARE kept {KEPT}; BEGIN "
        f"IF TG_OP = 'INSERT' THEN {_kept_match('TG_TABLE_NAME')}"
        "IF FOUND THEN NEW.created_by := kept.author; NEW.changed_by := kept.changer; "
        "ELSE NEW.created_by := session_user; NEW.changed_by := NULL; END IF; "
        "ELSE NEW.created_by := OLD.created_by; NEW.changed_by := session_user; END IF; "
        "RETURN NEW; END $$"
    )
    # A note's author, its changer on insert, and its detached key (never the client's).
    op.execute(
        "CREATE OR REPLACE FUNCTION notes_author() RETURNS trigger LANGUAGE plpgsql "
        f"{definer} AS $$ DECLARE kept {KEPT}; BEGIN "
        "IF TG_OP = 'INSERT' THEN "
        + _kept_match("'notes'")
        + "IF FOUND THEN NEW.written_by := kept.author; NEW.changed_by := kept.changer; "
        "ELSE NEW.written_by := session_user; NEW.changed_by := NULL; "
        "NEW.detached_key := NULL; END IF; "
        "ELSE NEW.written_by := OLD.written_by; "
        "IF NEW.detached_from IS NULL THEN NEW.detached_key := NULL; "
        f"ELSIF OLD.detached_from IS NULL THEN NEW.detached_key := {_detached_key()}; "
        "ELSE NEW.detached_key := OLD.detached_key; END IF; END IF; "
        "RETURN NEW; END $$"
    )
    # The changer on update (on insert `notes_author` has set it): the member, also when one of
    # the owner's triggers detaches or re-attaches the note for them.
    op.execute(
        "CREATE OR REPLACE FUNCTION notes_changer() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "IF TG_OP = 'UPDATE' THEN NEW.changed_by := session_user; END IF; RETURN NEW; END $$"
    )
    for function in ("briefing_authorship", "notes_author", "notes_changer"):
        op.execute(f"REVOKE ALL ON FUNCTION {function}() FROM PUBLIC")

    for table in (*AUTHORED, "notes"):
        column = _TARGETS.get(table)
        reattach = (
            f"UPDATE notes SET {column} = NEW.id, detached_from = NULL, updated_at = {_LATER} "
            f"WHERE detached_key = '{table} ' || NEW.id; "
            if column
            else ""
        )
        match = _kept_match(f"'{table}'")
        op.execute(
            f"CREATE FUNCTION briefing_restored_{table}() RETURNS trigger LANGUAGE plpgsql "
            f"{definer} AS $$ DECLARE kept {KEPT}; BEGIN {match}"
            f"IF FOUND THEN DELETE FROM {KEPT} WHERE table_name = '{table}' "
            f"AND row_id = NEW.id AND fingerprint = kept.fingerprint; {reattach}END IF; "
            "RETURN NULL; END $$"
        )
        op.execute(f"REVOKE ALL ON FUNCTION briefing_restored_{table}() FROM PUBLIC")
        op.execute(
            f"CREATE TRIGGER authorship_kept BEFORE DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION briefing_keep_authorship()"
        )
        op.execute(
            f"CREATE TRIGGER authorship_restored AFTER INSERT ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION briefing_restored_{table}()"
        )
        op.execute(
            f"CREATE TRIGGER authorship_pruned AFTER DELETE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION briefing_prune_authorship()"
        )


def _postgresql_downgrade() -> None:
    for table in (*AUTHORED, "notes"):
        op.execute(f"DROP TRIGGER IF EXISTS authorship_pruned ON {table}")
        op.execute(f"DROP TRIGGER IF EXISTS authorship_restored ON {table}")
        op.execute(f"DROP TRIGGER IF EXISTS authorship_kept ON {table}")
        op.execute(f"DROP FUNCTION IF EXISTS briefing_restored_{table}()")
    op.execute("DROP FUNCTION IF EXISTS briefing_keep_authorship()")
    op.execute("DROP FUNCTION IF EXISTS briefing_prune_authorship()")
    # 0011's, 0010's and 0013's functions as they were (invoker's rights, PUBLIC may run them).
    op.execute(
        "CREATE OR REPLACE FUNCTION briefing_authorship() RETURNS trigger LANGUAGE plpgsql "
        "SECURITY INVOKER AS $$ BEGIN "
        "IF TG_OP = 'INSERT' THEN NEW.created_by := current_user; NEW.changed_by := NULL; "
        "ELSE NEW.created_by := OLD.created_by; NEW.changed_by := current_user; END IF; "
        "RETURN NEW; END $$"
    )
    op.execute(
        "CREATE OR REPLACE FUNCTION notes_author() RETURNS trigger LANGUAGE plpgsql "
        "SECURITY INVOKER AS $$ BEGIN "
        "IF TG_OP = 'INSERT' THEN NEW.written_by := current_user; "
        "ELSE NEW.written_by := OLD.written_by; END IF; RETURN NEW; END $$"
    )
    op.execute(
        "CREATE OR REPLACE FUNCTION notes_changer() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "IF TG_OP = 'INSERT' THEN NEW.changed_by := NULL; "
        "ELSIF NEW.detached_from IS NOT NULL AND OLD.detached_from IS NULL "
        "THEN NEW.changed_by := session_user; "
        "ELSE NEW.changed_by := current_user; END IF; RETURN NEW; END $$"
    )
    for function in ("briefing_authorship", "notes_author", "notes_changer"):
        op.execute(f"ALTER FUNCTION {function}() RESET ALL")
        op.execute(f"GRANT EXECUTE ON FUNCTION {function}() TO PUBLIC")
    op.execute(f"DROP FUNCTION IF EXISTS {_FINGERPRINT}(jsonb)")
    op.execute(f"DROP TABLE IF EXISTS {KEPT}")


def upgrade() -> None:
    # ADD COLUMN, not a batch rebuild: rebuilding would drop SQLite's search triggers on notes.
    op.add_column("notes", sa.Column("detached_key", sa.String(length=200), nullable=True))
    op.create_index("ix_notes_detached_key", "notes", ["detached_key"])
    if op.get_bind().dialect.name == "postgresql":
        _postgresql_upgrade()


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        _postgresql_downgrade()
    op.drop_index("ix_notes_detached_key", table_name="notes")
    if dialect == "sqlite":
        op.execute("ALTER TABLE notes DROP COLUMN detached_key")
    else:
        op.drop_column("notes", "detached_key")
