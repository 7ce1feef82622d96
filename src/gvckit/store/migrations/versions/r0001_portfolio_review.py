"""The workbench's portfolio review: scans, activities, reviews per workspace; full-text
search (FTS5 on SQLite, a stored tsvector with a GIN index on PostgreSQL); scan jobs (jobs
without a table).

Revision ID: r0001
Revises: w0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "r0001"
down_revision = "w0002"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    # web_jobs.table_id is already nullable (w0002: report jobs have no table; scans neither)
    op.create_table(
        "web_portfolio_scans",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("workspace_id", sa.Integer,
                  sa.ForeignKey("web_workspaces.id", ondelete="CASCADE"), nullable=False,
                  index=True),
        sa.Column("job_id", sa.Integer, sa.ForeignKey("web_jobs.id", ondelete="SET NULL")),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("files", sa.Integer, nullable=False),
        sa.Column("activities", sa.Integer, nullable=False),
        sa.Column("refused", sa.Integer, nullable=False),
        sa.Column("problems", sa.Text, nullable=False),
        sa.Column("created_at", TZ, nullable=False),
    )  # fmt: skip
    op.create_table(
        "web_portfolio_activities",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("workspace_id", sa.Integer,
                  sa.ForeignKey("web_workspaces.id", ondelete="CASCADE"), nullable=False),
        sa.Column("scan_id", sa.Integer,
                  sa.ForeignKey("web_portfolio_scans.id", ondelete="CASCADE"), nullable=False,
                  index=True),
        sa.Column("iati_identifier", sa.String(500), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("reporting_org_ref", sa.String(200), nullable=False),
        sa.Column("reporting_org_name", sa.Text, nullable=False),
        sa.Column("countries", sa.Text, nullable=False),
        sa.Column("sectors", sa.Text, nullable=False),
        sa.Column("year", sa.Integer),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("value_chain", sa.String(8), nullable=False),
        sa.Column("confidence", sa.Float, nullable=False),
        sa.Column("pattern", sa.Text, nullable=False),
        sa.Column("fields_of_action", sa.Text, nullable=False),
        sa.Column("upgrading", sa.Text, nullable=False),
        sa.Column("usd", sa.Float),
        sa.UniqueConstraint("workspace_id", "iati_identifier", name="uq_web_portfolio_activity"),
    )  # fmt: skip
    for name, columns in (("vc", ["value_chain", "confidence"]), ("conf", ["confidence"]),
                          ("year", ["year"]), ("pub", ["reporting_org_ref"]),
                          ("status", ["status"])):  # fmt: skip
        op.create_index(f"ix_web_portfolio_{name}", "web_portfolio_activities",
                        ["workspace_id", *columns])  # fmt: skip
    op.create_table(
        "web_portfolio_texts",
        sa.Column("activity_id", sa.Integer,
                  sa.ForeignKey("web_portfolio_activities.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("search_text", sa.Text, nullable=False),
        sa.Column("data", sa.Text, nullable=False),
    )  # fmt: skip
    op.create_table(
        "web_portfolio_reviews",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("activity_id", sa.Integer,
                  sa.ForeignKey("web_portfolio_activities.id", ondelete="CASCADE"),
                  nullable=False, index=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("web_users.id"), nullable=False),
        sa.Column("verdict", sa.String(8), nullable=False),
        sa.Column("pattern", sa.Text, nullable=False),
        sa.Column("fields_of_action", sa.Text, nullable=False),
        sa.Column("upgrading", sa.Text, nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("created_at", TZ, nullable=False),
    )  # fmt: skip
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE web_portfolio_fts USING fts5(search_text,"
            " tokenize = 'unicode61 remove_diacritics 2', prefix = '1 2 3')"
        )
    elif op.get_bind().dialect.name == "postgresql":
        op.execute(
            "ALTER TABLE web_portfolio_texts ADD COLUMN search_vector tsvector GENERATED ALWAYS"
            " AS (to_tsvector('simple'::regconfig, search_text)) STORED"
        )
        op.execute(
            "CREATE INDEX ix_web_portfolio_search ON web_portfolio_texts USING gin (search_vector)"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE web_portfolio_fts")
    op.drop_table("web_portfolio_reviews")
    op.drop_table("web_portfolio_texts")
    op.drop_table("web_portfolio_activities")
    op.drop_table("web_portfolio_scans")
