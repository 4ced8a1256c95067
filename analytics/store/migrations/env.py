"""Alembic's environment: migrations run on the connection `engine.upgrade_schema` hands over.

That connection already holds the write lock (SQLite BEGIN IMMEDIATE, a
PostgreSQL advisory lock), so concurrent start-ups upgrade once; batch mode
lets the same revision alter tables on SQLite.
"""
from alembic import context

from analytics.store.tables import metadata

context.configure(connection=context.config.attributes["connection"],
                  target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
