"""Full-text search: one FTS5 index over stakeholders, positions, sources, quotes and notes.

`search_index` is an ordinary (content-storing) FTS5 table with three columns: `title` (a name,
headline or source title), `body` (a description, summary, source text, quote or note) and
`extra` (a source's publisher and author). It keeps its own copy of the text so that `snippet()`
and `highlight()` work without a view over five tables; the price is the text stored twice.

Each row's rowid says what it indexes: `id * 8 + kind code` (stakeholder 1, position 2, source 3,
quote 4, note 5), so a trigger finds and replaces a record's row by rowid, the fastest lookup
FTS5 has, and a result names its record without a second column.

Triggers keep the index in the same transaction as every insert, update and delete, including
rows that SQLite deletes through `ON DELETE CASCADE` (cascades fire the child table's triggers).
The tokenizer folds case and diacritics ("cafe" finds "café") and prefix indexes of 2 and 3
characters make the short prefixes of search-as-you-type cheap. The ranking function is stored in
the table's configuration, so `ORDER BY rank` means the same weighted bm25 everywhere: a match in
a title counts ten times one in a body.

Existing records are indexed during the upgrade. This migration imports nothing from the app; the
kind codes are repeated in `briefing/store/search_index.py`, which the app reads them from.

On PostgreSQL (a team store) there is no FTS5: this migration does nothing there, and
`0010_team_store` builds the same index as a table with a `tsvector` column and a GIN index.

Revision ID: 0002_search
Revises: 0001
"""

from alembic import op

revision = "0002_search"
down_revision = "0001"
branch_labels = None
depends_on = None

# kind code, table, title expression, body expression, extra expression (SQL over a row alias)
_INDEXED = (
    (1, "stakeholders", "{r}.name", "{r}.description", "''"),
    (2, "positions", "{r}.headline", "{r}.summary", "''"),
    (3, "sources", "{r}.title", "{r}.text", "{r}.publisher || ' ' || {r}.author"),
    (4, "quotes", "''", "{r}.text", "''"),
    (5, "notes", "''", "{r}.body", "''"),
)
_WATCHED = {
    "stakeholders": "id, name, description",
    "positions": "id, headline, summary",
    "sources": "id, title, publisher, author, text",
    "quotes": "id, text",
    "notes": "id, body",
}


def _values(code: int, title: str, body: str, extra: str, row: str) -> str:
    return (
        f"{row}.id * 8 + {code}, {title.format(r=row)}, {body.format(r=row)}, {extra.format(r=row)}"
    )


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def upgrade() -> None:
    if not _sqlite():
        return
    op.execute(
        "CREATE VIRTUAL TABLE search_index USING fts5("
        "title, body, extra, "
        "tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3')"
    )
    op.execute(
        "INSERT INTO search_index (search_index, rank) VALUES ('rank', 'bm25(10.0, 1.0, 2.0)')"
    )
    for code, table, title, body, extra in _INDEXED:
        insert = "INSERT INTO search_index (rowid, title, body, extra)"
        delete = f"DELETE FROM search_index WHERE rowid = OLD.id * 8 + {code}"
        op.execute(f"{insert} SELECT {_values(code, title, body, extra, 'r')} FROM {table} AS r")
        op.execute(
            f"CREATE TRIGGER search_{table}_insert AFTER INSERT ON {table} BEGIN "
            f"{insert} VALUES ({_values(code, title, body, extra, 'NEW')}); END"
        )
        op.execute(
            f"CREATE TRIGGER search_{table}_update AFTER UPDATE OF {_WATCHED[table]} "
            f"ON {table} BEGIN {delete}; "
            f"{insert} VALUES ({_values(code, title, body, extra, 'NEW')}); END"
        )
        op.execute(
            f"CREATE TRIGGER search_{table}_delete AFTER DELETE ON {table} BEGIN {delete}; END"
        )


def downgrade() -> None:
    if not _sqlite():
        return
    for _code, table, *_ in _INDEXED:
        for event in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS search_{table}_{event}")
    op.execute("DROP TABLE IF EXISTS search_index")
