"""Alembic environment of the portfolio database; run by :mod:`gvckit.portfolio.store` with an
open connection in ``config.attributes["connection"]``."""

from __future__ import annotations

from alembic import context

from gvckit.portfolio.schema import METADATA

VERSION_TABLE = "portfolio_alembic_version"

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=METADATA, version_table=VERSION_TABLE)
with context.begin_transaction():
    context.run_migrations()
