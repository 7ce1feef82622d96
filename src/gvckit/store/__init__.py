"""The workbench's database: one SQLAlchemy schema and one Alembic history for the whole app.

The chain store (:mod:`gvckit.chain.store`), the portfolio store (:mod:`gvckit.portfolio.store`)
and the workbench (users, workspaces, tables, jobs) share one database and one migration
history (:mod:`gvckit.store.database`); databases made by earlier ``gvckit chain save`` and
``gvckit portfolio scan`` are upgraded in place.
"""

from __future__ import annotations

from gvckit.store.database import migrate, open_engine

__all__ = ["migrate", "open_engine"]
