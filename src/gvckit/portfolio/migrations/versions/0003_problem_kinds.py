"""Kinds of problem (unknown transaction type, value not a number, missing currency...).

Rows stored before this revision get their kind from their message.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

#: message pattern (SQL LIKE) → kind, for rows written by earlier versions.
BACKFILL = (
    ("unknown transaction type%", "unknown transaction type"),
    ("transaction type %: no value", "transaction without value"),
    ("transaction type %is not a number", "transaction value not a number"),
    ("budget %is not a number", "budget value not a number"),
    ("%percentage%is not a number", "percentage not a number"),
)


def upgrade() -> None:
    with op.batch_alter_table("portfolio_problems") as batch:
        batch.add_column(sa.Column("kind", sa.String(64)))
    problems = sa.table("portfolio_problems", sa.column("message", sa.Text),
                        sa.column("kind", sa.String(64)))  # fmt: skip
    for pattern, kind in BACKFILL:
        untyped = problems.c.kind.is_(None)
        op.execute(problems.update().where(untyped, problems.c.message.like(pattern))
                   .values(kind=kind))  # fmt: skip
    op.execute(problems.update().where(problems.c.kind.is_(None)).values(kind="other"))


def downgrade() -> None:
    with op.batch_alter_table("portfolio_problems") as batch:
        batch.drop_column("kind")
