"""Indexes on the references that had none, so that taking back a pack import is fast.

Undoing an import deletes the rows it added. For every row deleted, SQLite looks for rows that
refer to it (to cascade, to empty the reference, or to check the foreign key); a reference
without an index means reading the whole referring table for each row deleted. Taking back an
import of 6,000 sources read the sources table 6,000 times over (`revision_of_id`): 89 s, and
6 s with these indexes. They cost nothing a user would notice on insert.

Revision ID: 0007_packs
Revises: 0004_search_passages
"""

from alembic import op

revision = "0007_packs"
down_revision = "0004_search_passages"
branch_labels = None
depends_on = None

# (table, column): the references no index served. Names follow the models' naming convention.
_REFERENCES = (
    ("sources", "revision_of_id"),
    ("events", "source_id"),
    ("answers", "quote_id"),
    ("briefing_items", "stakeholder_id"),
    ("briefing_items", "quote_id"),
    ("briefing_items", "note_id"),
    ("briefings", "topic_id"),
)


def upgrade() -> None:
    for table, column in _REFERENCES:
        op.create_index(f"ix_{table}_{column}", table, [column])


def downgrade() -> None:
    for table, column in _REFERENCES:
        op.drop_index(f"ix_{table}_{column}", table_name=table)
