"""Workbench chains: a chain per row in a workspace (its current version), every saved version,
and the drafts kept when a save was refused as stale; results chains (monitoring); report jobs
(a job without a table).

Revision ID: w0002
Revises: w0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "w0002"
down_revision = "w0001"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def _fk(name: str, target: str, cascade: bool = True, nullable: bool = False) -> sa.Column[int]:
    return sa.Column(
        name,
        sa.Integer,
        sa.ForeignKey(target, ondelete="CASCADE" if cascade else None),
        nullable=nullable,
        index=True,
    )


def upgrade() -> None:
    op.create_table(
        "web_chains",
        sa.Column("id", sa.Integer, primary_key=True),
        _fk("workspace_id", "web_workspaces.id"),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("content", sa.Text, nullable=False),
        sa.Column("created_at", TZ, nullable=False),
    )
    op.create_table(
        "web_chain_versions",
        sa.Column("id", sa.Integer, primary_key=True),
        _fk("chain_id", "web_chains.id"),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("content", sa.Text, nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
        _fk("user_id", "web_users.id", cascade=False),
        sa.Column("saved_at", TZ, nullable=False),
        sa.UniqueConstraint("chain_id", "version"),
    )
    op.create_table(
        "web_chain_drafts",
        sa.Column("id", sa.Integer, primary_key=True),
        _fk("chain_id", "web_chains.id"),
        sa.Column("base_version", sa.Integer, nullable=False),
        sa.Column("content", sa.Text, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        _fk("user_id", "web_users.id", cascade=False),
        sa.Column("saved_at", TZ, nullable=False),
    )
    op.create_table(
        "web_results",
        sa.Column("id", sa.Integer, primary_key=True),
        _fk("workspace_id", "web_workspaces.id"),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("content", sa.Text, nullable=False),
        sa.Column("created_at", TZ, nullable=False),
    )
    with op.batch_alter_table("web_jobs") as batch:
        batch.alter_column("table_id", existing_type=sa.Integer, nullable=True)


def downgrade() -> None:
    op.drop_table("web_results")
    op.drop_table("web_chain_drafts")
    op.drop_table("web_chain_versions")
    op.drop_table("web_chains")
