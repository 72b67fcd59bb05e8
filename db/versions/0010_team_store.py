"""Team stores: who wrote a note, and on PostgreSQL the search index, private notes by
row-level security, and change announcements.

Every store gains `notes.written_by`: on SQLite the app fills it with the local user's name when
a note is made; on PostgreSQL a trigger fills it with `current_user` on insert and keeps it on
every update, so a member can neither forge nor take over a note's authorship.

On PostgreSQL (nothing of this runs on SQLite, whose FTS5 index 0002 and 0004 made):

- `search_index` is a table with the same rows as the FTS5 index (`rowid = id * 8 + kind code`,
  title, body, extra) and a weighted `tsvector` (title A, extra B, body D) under a GIN index. The
  text is read as SQLite's unicode61 reads it: runs of letters and digits (everything else is a
  space), case-folded and without diacritics (the `briefing` text search configuration: the
  `simple` dictionary after `unaccent`, no stemming). Triggers on the indexed tables keep it in
  the writer's transaction; they run as the store's owner (SECURITY DEFINER), so members read the
  index but cannot write it directly.
- A private note's row carries its author (`private_to`); a policy lets a role read only rows
  that are no one's or its own, so a search never finds, ranks or quotes another member's
  private note, and neither does a direct `SELECT` on the index.
- `notes` has row-level security, forced for the owner too: a private note is visible, and
  writable, only by the role that wrote it.
- Every change to a record announces `table id` on the channel `briefing_changes`
  (NOTIFY, sent when the transaction commits), which open windows listen to.

Revision ID: 0010_team_store
Revises: 0008_primary_sources
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_team_store"
down_revision = "0008_primary_sources"
branch_labels = None
depends_on = None

CHANNEL = "briefing_changes"

_SPEAKER = "coalesce((SELECT s.name FROM stakeholders AS s WHERE s.id = {r}.speaker_id), '')"

# kind code, table, title, body, extra, private_to (SQL over a row alias)
_INDEXED = (
    (1, "stakeholders", "{r}.name", "{r}.description", "''", "NULL"),
    (2, "positions", "{r}.headline", "{r}.summary", "''", "NULL"),
    (3, "sources", "{r}.title", "{r}.description", "{r}.publisher || ' ' || {r}.author", "NULL"),
    (4, "quotes", "''", "{r}.text", _SPEAKER, "NULL"),
    (5, "notes", "''", "{r}.body", "''", "CASE WHEN {r}.private THEN {r}.written_by END"),
    (6, "source_passages", "''", "{r}.text", "''", "NULL"),
)

# Tables whose changes are announced to open windows.
_ANNOUNCED = (
    "topics", "stakeholders", "positions", "sources", "quotes", "questions", "answers",
    "notes", "events", "briefings", "briefing_items", "tags",
)  # fmt: skip


def _values(code, title, body, extra, private_to, row) -> str:
    return ", ".join(
        [
            f"{row}.id::bigint * 8 + {code}",
            f"coalesce({title.format(r=row)}, '')",
            f"coalesce({body.format(r=row)}, '')",
            f"coalesce({extra.format(r=row)}, '')",
            private_to.format(r=row),
        ]
    )


_INSERT = (
    "INSERT INTO search_index (rowid, title, body, extra, private_to, document) "
    "SELECT v.*, briefing_document(v.title, v.body, v.extra) "
    "FROM (SELECT {values}) AS v (rowid, title, body, extra, private_to)"
)


def _postgresql_upgrade() -> None:
    schema = op.get_bind().exec_driver_sql("SELECT current_schema()").scalar_one()
    op.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    op.execute("CREATE TEXT SEARCH CONFIGURATION briefing (COPY = pg_catalog.simple)")
    op.execute(
        "ALTER TEXT SEARCH CONFIGURATION briefing ALTER MAPPING FOR "
        "asciiword, word, numword, hword_asciipart, hword_part, hword_numpart "
        "WITH unaccent, simple"
    )
    # A hyphenated word is its parts, as in SQLite; the whole would only match nothing typed.
    op.execute(
        "ALTER TEXT SEARCH CONFIGURATION briefing DROP MAPPING FOR asciihword, hword, numhword"
    )
    op.execute(
        "CREATE FUNCTION briefing_words(value text) RETURNS text LANGUAGE sql IMMUTABLE "
        "AS $$ SELECT regexp_replace(value, '[^[:alnum:]]+', ' ', 'g') $$"
    )
    op.execute(
        "CREATE FUNCTION briefing_document(title text, body text, extra text) RETURNS tsvector "
        "LANGUAGE sql IMMUTABLE AS $$ SELECT "
        "setweight(to_tsvector('briefing', briefing_words(title)), 'A') || "
        "setweight(to_tsvector('briefing', briefing_words(extra)), 'B') || "
        "setweight(to_tsvector('briefing', briefing_words(body)), 'D') $$"
    )
    op.execute(
        "CREATE TABLE search_index (rowid bigint PRIMARY KEY, title text NOT NULL, "
        "body text NOT NULL, extra text NOT NULL, private_to text, document tsvector NOT NULL)"
    )
    op.execute("CREATE INDEX ix_search_index_document ON search_index USING gin (document)")
    op.execute("ALTER TABLE search_index ENABLE ROW LEVEL SECURITY")
    op.execute(
        "CREATE POLICY search_index_visible ON search_index FOR SELECT "
        "USING (private_to IS NULL OR private_to = current_user)"
    )

    # Authorship, then the notes' policy (forced: the owner is a member like any other).
    op.execute(
        "CREATE FUNCTION notes_author() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "IF TG_OP = 'INSERT' THEN NEW.written_by := current_user; "
        "ELSE NEW.written_by := OLD.written_by; END IF; RETURN NEW; END $$"
    )
    op.execute(
        "CREATE TRIGGER notes_author BEFORE INSERT OR UPDATE ON notes "
        "FOR EACH ROW EXECUTE FUNCTION notes_author()"
    )
    op.execute("ALTER TABLE notes ENABLE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE notes FORCE ROW LEVEL SECURITY")
    op.execute(
        "CREATE POLICY notes_private_to_author ON notes "
        "USING (NOT private OR written_by = current_user) "
        "WITH CHECK (NOT private OR written_by = current_user)"
    )

    definer = f"SECURITY DEFINER SET search_path = {schema}, pg_temp"
    for code, table, title, body, extra, private_to in _INDEXED:
        op.execute(
            f"INSERT INTO search_index (rowid, title, body, extra, private_to, document) "
            f"SELECT v.*, briefing_document(v.title, v.body, v.extra) FROM (SELECT "
            f"{_values(code, title, body, extra, private_to, 'r')} FROM {table} AS r) "
            "AS v (rowid, title, body, extra, private_to)"
        )
        insert = _INSERT.format(values=_values(code, title, body, extra, private_to, "NEW"))
        op.execute(
            f"CREATE FUNCTION search_{table}() RETURNS trigger LANGUAGE plpgsql {definer} "
            "AS $$ BEGIN "
            f"IF TG_OP <> 'INSERT' THEN DELETE FROM search_index WHERE rowid = "
            f"OLD.id::bigint * 8 + {code}; END IF; "
            f"IF TG_OP <> 'DELETE' THEN {insert}; END IF; "
            "RETURN NULL; END $$"
        )
        op.execute(
            f"CREATE TRIGGER search_{table} AFTER INSERT OR UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION search_{table}()"
        )
    # A renamed speaker's quotes are found by the new name.
    renamed = _values(4, "''", "{r}.text", "NEW.name", "NULL", "q")
    requote = (
        "INSERT INTO search_index (rowid, title, body, extra, private_to, document) "
        "SELECT v.*, briefing_document(v.title, v.body, v.extra) FROM (SELECT "
        f"{renamed} FROM quotes AS q "
        "WHERE q.speaker_id = NEW.id) AS v (rowid, title, body, extra, private_to)"
    )
    op.execute(
        f"CREATE FUNCTION search_quotes_speaker_renamed() RETURNS trigger LANGUAGE plpgsql "
        f"{definer} AS $$ BEGIN "
        "IF NEW.name IS DISTINCT FROM OLD.name THEN "
        "DELETE FROM search_index WHERE rowid IN "
        "(SELECT id::bigint * 8 + 4 FROM quotes WHERE speaker_id = NEW.id); "
        f"{requote}; END IF; RETURN NULL; END $$"
    )
    op.execute(
        "CREATE TRIGGER search_quotes_speaker_renamed AFTER UPDATE ON stakeholders "
        "FOR EACH ROW EXECUTE FUNCTION search_quotes_speaker_renamed()"
    )

    # Changes announced to open windows, when the writer's transaction commits.
    op.execute(
        "CREATE FUNCTION briefing_announce() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"PERFORM pg_notify('{CHANNEL}', TG_TABLE_NAME || ' ' || "
        "CASE WHEN TG_OP = 'DELETE' THEN OLD.id ELSE NEW.id END); RETURN NULL; END $$"
    )
    for table in _ANNOUNCED:
        op.execute(
            f"CREATE TRIGGER announce_{table} AFTER INSERT OR UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION briefing_announce()"
        )


def _postgresql_downgrade() -> None:
    for table in _ANNOUNCED:
        op.execute(f"DROP TRIGGER IF EXISTS announce_{table} ON {table}")
    op.execute("DROP FUNCTION IF EXISTS briefing_announce()")
    op.execute("DROP TRIGGER IF EXISTS search_quotes_speaker_renamed ON stakeholders")
    op.execute("DROP FUNCTION IF EXISTS search_quotes_speaker_renamed()")
    for _code, table, *_ in _INDEXED:
        op.execute(f"DROP TRIGGER IF EXISTS search_{table} ON {table}")
        op.execute(f"DROP FUNCTION IF EXISTS search_{table}()")
    op.execute("DROP POLICY IF EXISTS notes_private_to_author ON notes")
    op.execute("ALTER TABLE notes NO FORCE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE notes DISABLE ROW LEVEL SECURITY")
    op.execute("DROP TRIGGER IF EXISTS notes_author ON notes")
    op.execute("DROP FUNCTION IF EXISTS notes_author()")
    op.execute("DROP TABLE IF EXISTS search_index")
    op.execute("DROP FUNCTION IF EXISTS briefing_document(text, text, text)")
    op.execute("DROP FUNCTION IF EXISTS briefing_words(text)")
    op.execute("DROP TEXT SEARCH CONFIGURATION IF EXISTS briefing")


def upgrade() -> None:
    # ADD COLUMN, not a batch rebuild: rebuilding would drop SQLite's search triggers on notes.
    op.add_column("notes", sa.Column("written_by", sa.String(length=200), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        _postgresql_upgrade()


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _postgresql_downgrade()
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE notes DROP COLUMN written_by")
    else:
        op.drop_column("notes", "written_by")
