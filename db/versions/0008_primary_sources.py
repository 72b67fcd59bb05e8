"""Primary documents: a source that is a stakeholder's own words (their letter, statement or
testimony), against which reports of their quotes are checked for rewording.

A link table rather than a column on `sources`: one joint statement can be the primary document
of several stakeholders, and the sources table (with its search triggers) is left as it is.
Deleting the source or the stakeholder deletes the link.

Revision ID: 0008_primary_sources
Revises: 0007_packs
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_primary_sources"
down_revision = "0007_packs"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "primary_documents",
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("stakeholder_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["sources.id"],
            name=op.f("fk_primary_documents_source_id_sources"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["stakeholder_id"],
            ["stakeholders.id"],
            name=op.f("fk_primary_documents_stakeholder_id_stakeholders"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("source_id", "stakeholder_id", name=op.f("pk_primary_documents")),
    )
    with op.batch_alter_table("primary_documents", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_primary_documents_stakeholder_id"), ["stakeholder_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("primary_documents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_primary_documents_stakeholder_id"))
    op.drop_table("primary_documents")
