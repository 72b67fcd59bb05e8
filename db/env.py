"""Alembic environment for Briefing stores.

The app runs migrations itself (briefing.store.migrations) and hands Alembic an open connection
through `config.attributes["connection"]`; there is no alembic.ini and no offline mode.
`render_as_batch` lets later migrations alter SQLite tables by rebuilding them.
"""

from alembic import context

from briefing.store.models import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
