"""Unfinished imports: a source written in steps is marked until its last step commits.

The window stores a big source as its row, then its passages (and their rows of the search
index) a few hundred at a time, each step its own short transaction, so that a note saved
meanwhile waits one step, not the whole import. Until the last step commits, the source has a
row in `source_imports`: lists, search and look-ups leave it out, and opening the store (when no
window holds it) deletes it with what it had written, so a crash or a kill in the middle leaves
nothing behind. Deleting the source deletes its mark.

Revision ID: 0012_import_state
Revises: 0011_authorship
"""

import sqlalchemy as sa
from alembic import op

revision = "0012_import_state"
down_revision = "0011_authorship"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "source_imports",
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["sources.id"],
            name=op.f("fk_source_imports_source_id_sources"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("source_id", name=op.f("pk_source_imports")),
    )


def downgrade() -> None:
    # An import left unfinished by a downgrade would otherwise become a visible source.
    op.execute(
        "DELETE FROM source_passages WHERE source_id IN (SELECT source_id FROM source_imports)"
    )
    op.execute("DELETE FROM sources WHERE id IN (SELECT source_id FROM source_imports)")
    op.drop_table("source_imports")
