"""From analysis to action in a workspace: constraint sets and interventions, each with its
versions and the drafts kept when a save was refused as stale (like chains); the design audits
of an intervention against a chain.

Revision ID: w0003
Revises: r0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "w0003"
down_revision = "r0001"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def _fk(name: str, target: str, ondelete: str | None = "CASCADE", nullable: bool = False,
        index: bool = True) -> sa.Column[int]:  # fmt: skip
    return sa.Column(name, sa.Integer, sa.ForeignKey(target, ondelete=ondelete),
                     nullable=nullable, index=index)  # fmt: skip


def _documents(kind: str, key: str) -> None:
    op.create_table(
        f"web_{kind}",
        sa.Column("id", sa.Integer, primary_key=True),
        _fk("workspace_id", "web_workspaces.id"),
        _fk("chain_id", "web_chains.id", "SET NULL", nullable=True),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("content", sa.Text, nullable=False),
        sa.Column("created_at", TZ, nullable=False),
    )
    op.create_table(
        f"web_{kind}_versions",
        sa.Column("id", sa.Integer, primary_key=True),
        _fk(key, f"web_{kind}.id"),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("content", sa.Text, nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
        _fk("user_id", "web_users.id", None),
        sa.Column("saved_at", TZ, nullable=False),
        sa.UniqueConstraint(key, "version"),
    )
    op.create_table(
        f"web_{kind}_drafts",
        sa.Column("id", sa.Integer, primary_key=True),
        _fk(key, f"web_{kind}.id"),
        sa.Column("base_version", sa.Integer, nullable=False),
        sa.Column("content", sa.Text, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        _fk("user_id", "web_users.id", None),
        sa.Column("saved_at", TZ, nullable=False),
    )


def upgrade() -> None:
    _documents("constraint_sets", "set_id")
    _documents("interventions", "intervention_id")
    op.create_table(
        "web_intervention_audits",
        sa.Column("id", sa.Integer, primary_key=True),
        _fk("intervention_id", "web_interventions.id"),
        sa.Column("version", sa.Integer, nullable=False),
        _fk("chain_id", "web_chains.id", "SET NULL", nullable=True, index=False),
        sa.Column("chain_version", sa.Integer),
        sa.Column("chain_name", sa.String(300), nullable=False),
        sa.Column("findings", sa.Text, nullable=False),
        _fk("user_id", "web_users.id", None),
        sa.Column("created_at", TZ, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("web_intervention_audits")
    for kind in ("interventions", "constraint_sets"):
        op.drop_table(f"web_{kind}_drafts")
        op.drop_table(f"web_{kind}_versions")
        op.drop_table(f"web_{kind}")
