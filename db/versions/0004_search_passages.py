"""Search a source as passages; find quotes by their speaker's name.

A source used to be one row of `search_index` holding its whole text, so every hit in a 50 MB
report ranked, cut a snippet from and highlighted 50 MB. Now a source's text is cut into
passages (`source_passages`: bounded stretches with their offsets, at paragraph breaks where it
can) and each passage is a row of the index with kind code 6 (`rowid = passage id * 8 + 6`); the
source's own row keeps its title, publisher and author, with its description as the body. A
quote's row gains its speaker's name (the `extra` column), kept right when the quote changes
speaker or the speaker is renamed.

Passages are written by the app when it stores a source (a mapper listener in the models); the
index follows the passages table by triggers, as it follows every other indexed table, so a
cascade that deletes a source's passages removes their rows too. This upgrade rebuilds the whole
index of an existing store and cuts its sources into passages, one source at a time. The
passage cutter is copied here (not imported) so that this migration keeps doing what it did.

On PostgreSQL (a team store) only the passages table is made here; the index over it is
`0010_team_store`'s.

Revision ID: 0004_search_passages
Revises: 0003_name_keys
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_search_passages"
down_revision = "0003_name_keys"
branch_labels = None
depends_on = None

PASSAGE_MIN = 800
PASSAGE_MAX = 2_000
_BREAKS = ("\n\n", "\n", ". ", " ")

_SPEAKER = "coalesce((SELECT s.name FROM stakeholders AS s WHERE s.id = {r}.speaker_id), '')"

# kind code, table, title, body, extra (SQL over a row alias), the columns whose change reindexes
_INDEXED = (
    (1, "stakeholders", "{r}.name", "{r}.description", "''", "id, name, description"),
    (2, "positions", "{r}.headline", "{r}.summary", "''", "id, headline, summary"),
    (
        3,
        "sources",
        "{r}.title",
        "{r}.description",
        "{r}.publisher || ' ' || {r}.author",
        "id, title, publisher, author, description",
    ),
    (4, "quotes", "''", "{r}.text", _SPEAKER, "id, text, speaker_id"),
    (5, "notes", "''", "{r}.body", "''", "id, body"),
    (6, "source_passages", "''", "{r}.text", "''", "id, text"),
)

# What 0002 indexed, for the downgrade.
_OLD_INDEXED = (
    (1, "stakeholders", "{r}.name", "{r}.description", "''", "id, name, description"),
    (2, "positions", "{r}.headline", "{r}.summary", "''", "id, headline, summary"),
    (
        3,
        "sources",
        "{r}.title",
        "{r}.text",
        "{r}.publisher || ' ' || {r}.author",
        "id, title, publisher, author, text",
    ),
    (4, "quotes", "''", "{r}.text", "''", "id, text"),
    (5, "notes", "''", "{r}.body", "''", "id, body"),
)

_sources = sa.table("sources", sa.column("id", sa.Integer), sa.column("text", sa.Text))
_passages = sa.table(
    "source_passages",
    sa.column("source_id", sa.Integer),
    sa.column("start", sa.Integer),
    sa.column("end", sa.Integer),
    sa.column("text", sa.Text),
)


def split_passages(text: str) -> list[tuple[int, int]]:
    spans = []
    start, length = 0, len(text)
    while start < length:
        if length - start <= PASSAGE_MAX:
            end = length
        else:
            end = start + PASSAGE_MAX
            for mark in _BREAKS:
                found = text.rfind(mark, start + PASSAGE_MIN, end)
                if found >= 0:
                    end = found + len(mark)
                    break
        spans.append((start, end))
        start = end
    return spans


def _values(code: int, title: str, body: str, extra: str, row: str) -> str:
    return (
        f"{row}.id * 8 + {code}, {title.format(r=row)}, {body.format(r=row)}, {extra.format(r=row)}"
    )


def _drop_triggers(tables) -> None:
    for table in tables:
        for event in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS search_{table}_{event}")
    op.execute("DROP TRIGGER IF EXISTS search_quotes_speaker_renamed")


def _index(indexed) -> None:
    """Fill the (emptied) index from the tables and create the triggers that keep it."""
    insert = "INSERT INTO search_index (rowid, title, body, extra)"
    for code, table, title, body, extra, watched in indexed:
        values = _values(code, title, body, extra, "NEW")
        delete = f"DELETE FROM search_index WHERE rowid = OLD.id * 8 + {code}"
        op.execute(f"{insert} SELECT {_values(code, title, body, extra, 'r')} FROM {table} AS r")
        op.execute(
            f"CREATE TRIGGER search_{table}_insert AFTER INSERT ON {table} BEGIN "
            f"{insert} VALUES ({values}); END"
        )
        op.execute(
            f"CREATE TRIGGER search_{table}_update AFTER UPDATE OF {watched} ON {table} BEGIN "
            f"{delete}; {insert} VALUES ({values}); END"
        )
        op.execute(
            f"CREATE TRIGGER search_{table}_delete AFTER DELETE ON {table} BEGIN {delete}; END"
        )


def upgrade() -> None:
    op.create_table(
        "source_passages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["sources.id"],
            name="fk_source_passages_source_id_sources",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_source_passages"),
    )
    op.create_index("ix_source_passages_source_start", "source_passages", ["source_id", "start"])
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        _drop_triggers(table for _code, table, *_ in _OLD_INDEXED)
        op.execute("DELETE FROM search_index")
    # Passages first, without triggers yet: `_index` then indexes them with everything else.
    connection = op.get_bind()
    ids = [row[0] for row in connection.execute(sa.select(_sources.c.id))]
    for source_id in ids:  # one text in memory at a time
        text = connection.execute(
            sa.select(_sources.c.text).where(_sources.c.id == source_id)
        ).scalar_one()
        if text:
            connection.execute(
                _passages.insert(),
                [
                    {"source_id": source_id, "start": a, "end": b, "text": text[a:b]}
                    for a, b in split_passages(text)
                ],
            )
    if not sqlite:
        return
    _index(_INDEXED)
    op.execute(
        "CREATE TRIGGER search_quotes_speaker_renamed AFTER UPDATE OF name ON stakeholders "
        "BEGIN "
        "DELETE FROM search_index WHERE rowid IN (SELECT id * 8 + 4 FROM quotes "
        "WHERE speaker_id = NEW.id); "
        "INSERT INTO search_index (rowid, title, body, extra) SELECT q.id * 8 + 4, '', q.text, "
        "NEW.name FROM quotes AS q WHERE q.speaker_id = NEW.id; END"
    )
    op.execute("INSERT INTO search_index (search_index) VALUES ('optimize')")


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        _drop_triggers(table for _code, table, *_ in _INDEXED)
        op.execute("DELETE FROM search_index")
    op.drop_index("ix_source_passages_source_start", table_name="source_passages")
    op.drop_table("source_passages")
    if sqlite:
        _index(_OLD_INDEXED)
