"""Tables of the workbench (SQLAlchemy Core): people and access, workspaces, tables, jobs.

Created and upgraded by the Alembic history (``migrations/``); this module is the current shape
the services query. Every object belongs to one workspace; files (uploads, results) live in the
data dir under generated names and are referenced from these rows.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

__all__ = [
    "JOBS",
    "LOGIN_LINKS",
    "MEMBERS",
    "METADATA",
    "SESSIONS",
    "TABLES",
    "TOKENS",
    "USERS",
    "WORKSPACES",
]

METADATA = MetaData()
TZ = DateTime(timezone=True)

USERS = Table(
    "web_users", METADATA,
    Column("id", Integer, primary_key=True),
    Column("name", String(100), nullable=False, unique=True),
    Column("password_hash", Text),  # Argon2; None: no password (the local admin)
    Column("role", String(16), nullable=False),  # default role: viewer, analyst, admin
    Column("disabled", Boolean, nullable=False, default=False),
    Column("local", Boolean, nullable=False, default=False),
    Column("created_at", TZ, nullable=False),
)  # fmt: skip

TOKENS = Table(
    "web_api_tokens", METADATA,
    Column("id", Integer, primary_key=True),
    Column("user_id", ForeignKey("web_users.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("token_hash", String(64), nullable=False, unique=True),  # SHA-256 of the token
    Column("created_at", TZ, nullable=False),
    Column("revoked_at", TZ),
)  # fmt: skip

SESSIONS = Table(
    "web_sessions", METADATA,
    Column("id", Integer, primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("user_id", ForeignKey("web_users.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("csrf", String(64), nullable=False),
    Column("created_at", TZ, nullable=False),
    Column("expires_at", TZ, nullable=False),
)  # fmt: skip

LOGIN_LINKS = Table(
    "web_login_links", METADATA,
    Column("id", Integer, primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("user_id", ForeignKey("web_users.id", ondelete="CASCADE"), nullable=False),
    Column("expires_at", TZ, nullable=False),
    Column("used_at", TZ),
)  # fmt: skip

WORKSPACES = Table(
    "web_workspaces", METADATA,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("country", String(100), nullable=False, default=""),
    Column("sector", String(200), nullable=False, default=""),
    Column("description", Text, nullable=False, default=""),
    Column("created_by", ForeignKey("web_users.id"), nullable=False),
    Column("created_at", TZ, nullable=False),
    Column("version", Integer, nullable=False, default=1),
)  # fmt: skip

MEMBERS = Table(
    "web_members", METADATA,
    Column("workspace_id", ForeignKey("web_workspaces.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("web_users.id", ondelete="CASCADE"), primary_key=True),
    Column("role", String(16), nullable=False),
)  # fmt: skip

TABLES = Table(
    "web_tables", METADATA,
    Column("id", Integer, primary_key=True),
    Column("workspace_id", ForeignKey("web_workspaces.id", ondelete="CASCADE"), nullable=False,
           index=True),
    Column("name", String(300), nullable=False),  # shown to people; never used as a path
    Column("path", String(500), nullable=False),  # generated, relative to the data dir
    Column("format", String(32), nullable=False),
    Column("year", Integer),
    Column("size", BigInteger, nullable=False),
    Column("summary", Text, nullable=False),  # JSON of gvckit.icio.summary.table_summary
    Column("created_by", ForeignKey("web_users.id"), nullable=False),
    Column("created_at", TZ, nullable=False),
)  # fmt: skip

JOBS = Table(
    "web_jobs", METADATA,
    Column("id", Integer, primary_key=True),
    Column("workspace_id", ForeignKey("web_workspaces.id", ondelete="CASCADE"), nullable=False,
           index=True),
    Column("table_id", ForeignKey("web_tables.id", ondelete="CASCADE")),  # None: report, scan
    Column("kind", String(32), nullable=False),
    Column("measure", String(64), nullable=False),
    Column("options", Text, nullable=False),  # canonical JSON
    Column("cache_key", String(64), nullable=False, index=True),
    Column("status", String(16), nullable=False, index=True),
    Column("progress", Float, nullable=False, default=0.0),
    Column("message", Text, nullable=False, default=""),
    Column("owner_id", ForeignKey("web_users.id"), nullable=False),
    Column("created_at", TZ, nullable=False),
    Column("started_at", TZ),
    Column("finished_at", TZ),
    Column("run_id", String(32)),  # the claim that runs it; a stale run cannot finish it
    Column("result_path", String(500)),  # relative to the data dir, set when done
)  # fmt: skip
