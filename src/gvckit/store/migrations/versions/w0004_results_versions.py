"""Results chains edited in the workbench: every saved version of a results chain and the drafts
kept when a save was refused as stale (like chains); each existing results chain gets its
current content as its first recorded version, saved by the workspace's creator.

Revision ID: w0004
Revises: r0001
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from alembic import op

revision = "w0004"
down_revision = "w0003"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def _fk(name: str, target: str, cascade: bool = True) -> sa.Column[int]:
    return sa.Column(name, sa.Integer, sa.ForeignKey(target, ondelete="CASCADE" if cascade
                     else None), nullable=False, index=True)  # fmt: skip


def upgrade() -> None:
    versions = op.create_table(
        "web_results_versions",
        sa.Column("id", sa.Integer, primary_key=True),
        _fk("results_id", "web_results.id"),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("content", sa.Text, nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
        _fk("user_id", "web_users.id", cascade=False),
        sa.Column("saved_at", TZ, nullable=False),
        sa.UniqueConstraint("results_id", "version"),
    )
    op.create_table(
        "web_results_drafts",
        sa.Column("id", sa.Integer, primary_key=True),
        _fk("results_id", "web_results.id"),
        sa.Column("base_version", sa.Integer, nullable=False),
        sa.Column("content", sa.Text, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        _fk("user_id", "web_users.id", cascade=False),
        sa.Column("saved_at", TZ, nullable=False),
    )
    conn = op.get_bind()
    rows = conn.execute(sa.text(
        "SELECT r.id, r.version, r.content, w.created_by FROM web_results r"
        " JOIN web_workspaces w ON w.id = r.workspace_id"
    )).all()  # fmt: skip
    when = dt.datetime.now(dt.UTC)
    if rows:
        op.bulk_insert(versions, [
            {"results_id": r[0], "version": r[1], "content": r[2], "user_id": r[3],
             "summary": "as it was before versions were kept", "saved_at": when}
            for r in rows
        ])  # fmt: skip


def downgrade() -> None:
    op.drop_table("web_results_drafts")
    op.drop_table("web_results_versions")
