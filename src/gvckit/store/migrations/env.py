"""Alembic environment of gvckit's one database; run by :func:`gvckit.store.migrate` with an
open connection in ``config.attributes["connection"]``."""

from __future__ import annotations

from alembic import context

from gvckit.store.database import VERSION_TABLE

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=None, version_table=VERSION_TABLE)
with context.begin_transaction():
    context.run_migrations()
