"""Tables of the portfolio database (SQLAlchemy Core). Created and upgraded by the Alembic
migrations in ``migrations/``; this module is the current shape the queries use."""

from __future__ import annotations

from sqlalchemy import Column, Float, Integer, MetaData, String, Table, Text

__all__ = ["ACTIVITIES", "DUPLICATES", "FILES", "FINANCES", "METADATA", "PROBLEMS", "SCANS"]

METADATA = MetaData()

SCANS = Table(
    "portfolio_scans", METADATA,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("started_at", String(32), nullable=False),
    Column("paths", Text, nullable=False),
    Column("files", Integer, nullable=False),
    Column("activities", Integer, nullable=False),
    Column("refused", Integer, nullable=False),
)  # fmt: skip

FILES = Table(
    "portfolio_files", METADATA,
    Column("path", String(1000), primary_key=True),
    Column("scan_id", Integer, nullable=False),
    Column("activities", Integer, nullable=False),
    Column("status", String(16), nullable=False),
    Column("line", Integer),
    Column("reason", Text),
)  # fmt: skip

ACTIVITIES = Table(
    "portfolio_activities", METADATA,
    Column("iati_identifier", String(500), primary_key=True),
    Column("file", String(1000), nullable=False, index=True),
    Column("line", Integer),
    Column("scan_id", Integer, nullable=False),
    Column("iati_version", String(8)),
    Column("reporting_org_ref", String(200), index=True),
    Column("reporting_org_name", Text),
    Column("reporting_org_type", String(8)),
    Column("title", Text),
    Column("status", String(8)),
    Column("start_date", String(10)),
    Column("end_date", String(10)),
    Column("year", Integer, index=True),
    Column("countries", Text),
    Column("regions", Text),
    Column("sectors", Text),
    Column("aid_type", String(16)),
    Column("finance_type", String(16)),
    Column("finance_group", String(32)),
    Column("flow_type", String(16)),
    Column("value_chain", String(8), nullable=False, index=True),
    Column("confidence", Float, nullable=False),
    Column("value_chain_evidence", Text),
    Column("pattern", Text),
    Column("fields_of_action", Text),
    Column("upgrading", Text),
    Column("beneficiaries", Text),
    Column("analyses", Text),
    Column("typology_evidence", Text),
    Column("last_updated", String(64)),  # 32 before migration 0004
    Column("detail", Text),
    # migration 0002: names of the codes, from the codelists given at scan time
    Column("status_name", Text),
    Column("aid_type_name", Text),
    Column("finance_type_name", Text),
    Column("flow_type_name", Text),
    Column("reporting_org_type_name", Text),
    Column("country_names", Text),
    Column("sector_names", Text),
)  # fmt: skip

FINANCES = Table(
    "portfolio_finances", METADATA,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("iati_identifier", String(500), nullable=False, index=True),
    Column("kind", String(32), nullable=False),
    Column("currency", String(8), nullable=False),
    Column("value", Float, nullable=False),
    Column("value_date", String(10)),
    Column("period_start", String(10)),
    Column("period_end", String(10)),
    Column("currency_flag", String(16), nullable=False),
    Column("value_usd", Float),
)  # fmt: skip

DUPLICATES = Table(
    "portfolio_duplicates", METADATA,
    Column("iati_identifier", String(500), primary_key=True),
    Column("file", String(1000), primary_key=True),
    Column("kept_file", String(1000), nullable=False),
)  # fmt: skip

PROBLEMS = Table(
    "portfolio_problems", METADATA,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("iati_identifier", String(500), index=True),
    Column("message", Text, nullable=False),
    Column("kind", String(64)),  # migration 0003
)  # fmt: skip
