"""Chain store tables (``chains``, ``chain_snapshots``); kept as they are where ``gvckit chain
save`` created them before the shared history.

Revision ID: c0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "c0001"
down_revision = None
branch_labels = ("store",)
depends_on = None


def upgrade() -> None:
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    if "chains" not in existing:
        op.create_table(
            "chains",
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("name", sa.String(300), nullable=False, unique=True),
            sa.Column("header", sa.Text, nullable=False),
        )
    if "chain_snapshots" not in existing:
        op.create_table(
            "chain_snapshots",
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("chain_id", sa.Integer, sa.ForeignKey("chains.id"), nullable=False),
            sa.Column("year", sa.Integer, nullable=False),
            sa.Column("version", sa.Integer, nullable=False),
            sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("checksum", sa.String(64), nullable=False),
            sa.Column("content", sa.Text, nullable=False),
            sa.UniqueConstraint("chain_id", "year", "version"),
        )
        op.create_index("ix_chain_snapshots_chain_id", "chain_snapshots", ["chain_id"])


def downgrade() -> None:
    op.drop_table("chain_snapshots")
    op.drop_table("chains")
