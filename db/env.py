"""Alembic environment for Briefing stores.

The app runs migrations itself (briefing.store.migrations) and hands Alembic an open connection
through `config.attributes["connection"]`; there is no alembic.ini and no offline mode.
`render_as_batch` lets later migrations alter SQLite tables by rebuilding them. The full-text
index and its FTS5 shadow tables are not models, so comparisons leave them out (`include_object`).
"""

from alembic import context

from briefing.store.models import Base
from briefing.store.search_index import include_in_schema

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,
    compare_type=True,
    include_object=include_in_schema,
)
with context.begin_transaction():
    context.run_migrations()
