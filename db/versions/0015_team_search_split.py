"""A team store's search uses its GIN index again: shared rows and private notes in two tables.

0010 kept every indexed row in `search_index`, private notes included, and hid each member's
private notes from the others by row-level security on the table. PostgreSQL applies a table's
policies before any condition that is not leakproof, and the text search match (`@@`,
`ts_match_vq`) is not: on a table under row-level security the planner may not use the GIN
index for it, so every team search read the whole index (100-195 ms a query on 100,000 quotes,
where the GIN index answers a rare word in a few milliseconds).

Now:

- `search_index` holds only what every member may read: no row-level security, so the GIN
  index answers the match. A check keeps private rows out of it (`private_to IS NULL`).
- `search_private` holds private notes' rows, each readable by its author alone: row-level
  security, forced for the owner too as 0014 forced it on the index, with the same policy that
  lets the owner's role write it only inside a trigger or while maintaining the schema. An index
  on the author answers the policy, so a member's search reads their own private notes only.
- The notes' index trigger writes a note's row to the table its privacy says, and moves it when
  the note becomes private or shared.

Members who could read the index may read `search_private` (the policy shows them their own
rows). A search reads both tables (`store.team`). On SQLite nothing changes.

Revision ID: 0015_team_search_split
Revises: 0014_team_roles
"""

from alembic import op

revision = "0015_team_search_split"
down_revision = "0014_team_roles"
branch_labels = None
depends_on = None

_MAINTAINING = "pg_trigger_depth() > 0 OR current_setting('briefing.maintenance', true) = 'on'"
_NOTE = 5  # the notes' kind code in the index's rowid (`store.search_index.KIND_CODES`)
_COLUMNS = "rowid, title, body, extra, private_to, document"


def _schema() -> str:
    return op.get_bind().exec_driver_sql("SELECT current_schema()").scalar_one()


def _readers(table: str) -> list[str]:
    """The roles other than the owner that may read `table`: the team's members."""
    return list(
        op.get_bind()
        .exec_driver_sql(
            "SELECT DISTINCT grantee FROM information_schema.role_table_grants "
            "WHERE table_schema = current_schema() AND table_name = %(table)s "
            "AND privilege_type = 'SELECT' AND grantee <> current_user ORDER BY grantee",
            {"table": table},
        )
        .scalars()
    )


def _quoted(role: str) -> str:
    return op.get_bind().dialect.identifier_preparer.quote(role)


def _notes_trigger(body: str) -> None:
    op.execute(
        "CREATE OR REPLACE FUNCTION search_notes() RETURNS trigger LANGUAGE plpgsql "
        f"SECURITY DEFINER SET search_path = {_schema()}, pg_temp AS $$ BEGIN {body} "
        "RETURN NULL; END $$"
    )


def _note_row(private_to: str) -> str:
    return (
        f"VALUES (NEW.id::bigint * 8 + {_NOTE}, '', coalesce(NEW.body, ''), '', {private_to}, "
        "briefing_document('', coalesce(NEW.body, ''), ''))"
    )


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        "CREATE TABLE search_private (rowid bigint PRIMARY KEY, title text NOT NULL, "
        "body text NOT NULL, extra text NOT NULL, private_to text, document tsvector NOT NULL)"
    )
    op.execute("CREATE INDEX ix_search_private_private_to ON search_private (private_to)")
    # The migrations runner says it maintains the schema, so the owner reads and moves every
    # member's rows here (0014's policy).
    op.execute(
        f"INSERT INTO search_private ({_COLUMNS}) SELECT {_COLUMNS} FROM search_index "
        f"WHERE private_to IS NOT NULL"
    )
    op.execute("DELETE FROM search_index WHERE private_to IS NOT NULL")

    op.execute("ALTER TABLE search_index NO FORCE ROW LEVEL SECURITY")
    op.execute("DROP POLICY IF EXISTS search_index_kept_by_triggers ON search_index")
    op.execute("DROP POLICY IF EXISTS search_index_visible ON search_index")
    op.execute("ALTER TABLE search_index DISABLE ROW LEVEL SECURITY")
    op.execute(
        "ALTER TABLE search_index ADD CONSTRAINT search_index_shared CHECK (private_to IS NULL)"
    )

    op.execute("ALTER TABLE search_private ENABLE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE search_private FORCE ROW LEVEL SECURITY")
    op.execute(
        "CREATE POLICY search_private_own ON search_private FOR SELECT "
        "USING (private_to = current_user)"
    )
    op.execute(
        "CREATE POLICY search_private_kept_by_triggers ON search_private TO CURRENT_USER "
        f"USING ({_MAINTAINING}) WITH CHECK ({_MAINTAINING})"
    )
    for role in _readers("search_index"):
        op.execute(f"GRANT SELECT ON TABLE search_private TO {_quoted(role)}")

    _notes_trigger(
        "IF TG_OP <> 'INSERT' THEN "
        f"DELETE FROM search_index WHERE rowid = OLD.id::bigint * 8 + {_NOTE}; "
        f"DELETE FROM search_private WHERE rowid = OLD.id::bigint * 8 + {_NOTE}; END IF; "
        "IF TG_OP <> 'DELETE' THEN IF NEW.private THEN "
        f"INSERT INTO search_private ({_COLUMNS}) {_note_row('NEW.written_by')}; ELSE "
        f"INSERT INTO search_index ({_COLUMNS}) {_note_row('NULL')}; END IF; END IF;"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    _notes_trigger(
        "IF TG_OP <> 'INSERT' THEN "
        f"DELETE FROM search_index WHERE rowid = OLD.id::bigint * 8 + {_NOTE}; END IF; "
        f"IF TG_OP <> 'DELETE' THEN INSERT INTO search_index ({_COLUMNS}) "
        f"{_note_row('CASE WHEN NEW.private THEN NEW.written_by END')}; END IF;"
    )
    op.execute("ALTER TABLE search_index DROP CONSTRAINT IF EXISTS search_index_shared")
    op.execute(
        f"INSERT INTO search_index ({_COLUMNS}) SELECT {_COLUMNS} FROM search_private "
        "WHERE private_to IS NOT NULL"
    )
    op.execute("DROP TABLE search_private")
    op.execute("ALTER TABLE search_index ENABLE ROW LEVEL SECURITY")
    op.execute(
        "CREATE POLICY search_index_visible ON search_index FOR SELECT "
        "USING (private_to IS NULL OR private_to = current_user)"
    )
    op.execute(
        "CREATE POLICY search_index_kept_by_triggers ON search_index TO CURRENT_USER "
        f"USING ({_MAINTAINING}) WITH CHECK ({_MAINTAINING})"
    )
    op.execute("ALTER TABLE search_index FORCE ROW LEVEL SECURITY")
