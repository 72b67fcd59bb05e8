"""The team store's search index holds for its owner too: no one reads another member's private
note through it, by the app or by plain SQL.

0010 enabled row-level security on `search_index` without forcing it, so the database's owner,
who owns the table, read every row of it, the text of every member's private notes included
(`notes` itself was forced). Forcing it needs one more policy: the index is written only by the
SECURITY DEFINER triggers of 0010, which run as the owner and must reach every row (deleting a
member's private note's row, say). The policy lets the owner's role through only inside a trigger
(`pg_trigger_depth() > 0`) or in a session that says it maintains the schema (`SET LOCAL
briefing.maintenance = 'on'`, which the migrations runner sets, so a migration may rebuild the
index). It names the owner's role alone: a member who sets the same setting, or fires a trigger
of their own on a temporary table, gains nothing.

What it does not do, and cannot: the owner owns the tables, so the owner can always lift row-level
security (`ALTER TABLE ... NO FORCE ROW LEVEL SECURITY`), as can a superuser. Forcing keeps the
owner's own work as a member, and a plain `SELECT`, from showing others' private notes; it is no
defence against an owner who decides to read them (see the README's team-store section).

On SQLite nothing changes.

Revision ID: 0014_team_roles
Revises: 0013_detached_notes
"""

from alembic import op

revision = "0014_team_roles"
down_revision = "0013_detached_notes"
branch_labels = None
depends_on = None

_MAINTAINING = (
    "pg_trigger_depth() > 0 OR current_setting('briefing.maintenance', true) = 'on'"
)


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        "CREATE POLICY search_index_kept_by_triggers ON search_index TO CURRENT_USER "
        f"USING ({_MAINTAINING}) WITH CHECK ({_MAINTAINING})"
    )
    op.execute("ALTER TABLE search_index FORCE ROW LEVEL SECURITY")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("ALTER TABLE search_index NO FORCE ROW LEVEL SECURITY")
    op.execute("DROP POLICY IF EXISTS search_index_kept_by_triggers ON search_index")
