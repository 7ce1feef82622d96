"""Initial portfolio schema: scans, files, activities, finances, duplicates, problems.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "portfolio_scans",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("started_at", sa.String(32), nullable=False),
        sa.Column("paths", sa.Text, nullable=False),
        sa.Column("files", sa.Integer, nullable=False),
        sa.Column("activities", sa.Integer, nullable=False),
        sa.Column("refused", sa.Integer, nullable=False),
    )
    op.create_table(
        "portfolio_files",
        sa.Column("path", sa.String(1000), primary_key=True),
        sa.Column("scan_id", sa.Integer, nullable=False),
        sa.Column("activities", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("line", sa.Integer),
        sa.Column("reason", sa.Text),
    )
    op.create_table(
        "portfolio_activities",
        sa.Column("iati_identifier", sa.String(500), primary_key=True),
        sa.Column("file", sa.String(1000), nullable=False),
        sa.Column("line", sa.Integer),
        sa.Column("scan_id", sa.Integer, nullable=False),
        sa.Column("iati_version", sa.String(8)),
        sa.Column("reporting_org_ref", sa.String(200)),
        sa.Column("reporting_org_name", sa.Text),
        sa.Column("reporting_org_type", sa.String(8)),
        sa.Column("title", sa.Text),
        sa.Column("status", sa.String(8)),
        sa.Column("start_date", sa.String(10)),
        sa.Column("end_date", sa.String(10)),
        sa.Column("year", sa.Integer),
        sa.Column("countries", sa.Text),
        sa.Column("regions", sa.Text),
        sa.Column("sectors", sa.Text),
        sa.Column("aid_type", sa.String(16)),
        sa.Column("finance_type", sa.String(16)),
        sa.Column("finance_group", sa.String(32)),
        sa.Column("flow_type", sa.String(16)),
        sa.Column("value_chain", sa.String(8), nullable=False),
        sa.Column("confidence", sa.Float, nullable=False),
        sa.Column("value_chain_evidence", sa.Text),
        sa.Column("pattern", sa.Text),
        sa.Column("fields_of_action", sa.Text),
        sa.Column("upgrading", sa.Text),
        sa.Column("beneficiaries", sa.Text),
        sa.Column("analyses", sa.Text),
        sa.Column("typology_evidence", sa.Text),
        sa.Column("last_updated", sa.String(32)),
        sa.Column("detail", sa.Text),
    )
    op.create_index("ix_portfolio_activities_file", "portfolio_activities", ["file"])
    op.create_index(
        "ix_portfolio_activities_reporting_org_ref", "portfolio_activities", ["reporting_org_ref"]
    )
    op.create_index("ix_portfolio_activities_year", "portfolio_activities", ["year"])
    op.create_index("ix_portfolio_activities_value_chain", "portfolio_activities", ["value_chain"])
    op.create_table(
        "portfolio_finances",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("iati_identifier", sa.String(500), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("currency", sa.String(8), nullable=False),
        sa.Column("value", sa.Float, nullable=False),
        sa.Column("value_date", sa.String(10)),
        sa.Column("period_start", sa.String(10)),
        sa.Column("period_end", sa.String(10)),
        sa.Column("currency_flag", sa.String(16), nullable=False),
        sa.Column("value_usd", sa.Float),
    )
    op.create_index(
        "ix_portfolio_finances_iati_identifier", "portfolio_finances", ["iati_identifier"]
    )
    op.create_table(
        "portfolio_duplicates",
        sa.Column("iati_identifier", sa.String(500), primary_key=True),
        sa.Column("file", sa.String(1000), primary_key=True),
        sa.Column("kept_file", sa.String(1000), nullable=False),
    )
    op.create_table(
        "portfolio_problems",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("iati_identifier", sa.String(500)),
        sa.Column("message", sa.Text, nullable=False),
    )
    op.create_index(
        "ix_portfolio_problems_iati_identifier", "portfolio_problems", ["iati_identifier"]
    )


def downgrade() -> None:
    op.drop_table("portfolio_problems")
    op.drop_table("portfolio_duplicates")
    op.drop_table("portfolio_finances")
    op.drop_table("portfolio_activities")
    op.drop_table("portfolio_files")
    op.drop_table("portfolio_scans")
