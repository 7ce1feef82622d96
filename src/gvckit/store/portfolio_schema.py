"""Tables of the workbench's portfolio review (SQLAlchemy Core), created by revision r0001
(``analyses`` by r0002).

Every row belongs to one workspace: a scan is made in a workspace and its activities are stored
under it (unique per workspace and IATI identifier), so the same activity scanned in two
workspaces is two rows, each visible only in its own workspace. Reviews are rows of their own,
so the classifier's verdict on the activity row is never overwritten.
"""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Float, ForeignKey, Integer, String, Table, Text

from gvckit.store.schema import METADATA

__all__ = ["ACTIVITIES", "REVIEWS", "SCANS", "TEXTS"]

TZ = DateTime(timezone=True)

SCANS = Table(
    "web_portfolio_scans", METADATA,
    Column("id", Integer, primary_key=True),
    Column("workspace_id", ForeignKey("web_workspaces.id", ondelete="CASCADE"), nullable=False),
    Column("job_id", ForeignKey("web_jobs.id", ondelete="SET NULL")),
    Column("source", Text, nullable=False),  # what was scanned, for people (never a path used)
    Column("files", Integer, nullable=False),
    Column("activities", Integer, nullable=False),
    Column("refused", Integer, nullable=False),
    # JSON {"files": [{file, line, reason}], "kinds": {kind: count}} (a bare list before)
    Column("problems", Text, nullable=False),
    Column("created_at", TZ, nullable=False),
)  # fmt: skip

ACTIVITIES = Table(
    "web_portfolio_activities", METADATA,
    Column("id", Integer, primary_key=True),
    Column("workspace_id", ForeignKey("web_workspaces.id", ondelete="CASCADE"), nullable=False),
    Column("scan_id", ForeignKey("web_portfolio_scans.id", ondelete="CASCADE"), nullable=False),
    Column("iati_identifier", String(500), nullable=False),
    Column("title", Text, nullable=False),
    Column("reporting_org_ref", String(200), nullable=False),
    Column("reporting_org_name", Text, nullable=False),
    Column("countries", Text, nullable=False),  # ";KE;TZ;" (codes between separators)
    Column("sectors", Text, nullable=False),  # ";31120;"
    Column("year", Integer),  # of the (actual, else planned) start
    Column("status", String(8), nullable=False),
    Column("value_chain", String(8), nullable=False),  # the classifier's verdict
    Column("confidence", Float, nullable=False),
    Column("pattern", Text, nullable=False),  # ";a;b;"
    Column("fields_of_action", Text, nullable=False),
    Column("upgrading", Text, nullable=False),
    Column("usd", Float),  # commitments in US dollars (None: none convertible)
    # what the classifier found analysed: ";governance;lead_firms;value_added;" (r0002)
    Column("analyses", Text, nullable=False, server_default=""),
)  # fmt: skip

#: The long parts of an activity, apart so that lists and filters read a narrow table.
TEXTS = Table(
    "web_portfolio_texts", METADATA,
    Column("activity_id", ForeignKey("web_portfolio_activities.id", ondelete="CASCADE"),
           primary_key=True),
    Column("search_text", Text, nullable=False),  # gvckit.store.search.search_text
    Column("data", Text, nullable=False),  # JSON: the portfolio store's row and finances
)  # fmt: skip

REVIEWS = Table(
    "web_portfolio_reviews", METADATA,
    Column("id", Integer, primary_key=True),
    Column("activity_id", ForeignKey("web_portfolio_activities.id", ondelete="CASCADE"),
           nullable=False),
    Column("user_id", ForeignKey("web_users.id"), nullable=False),
    Column("verdict", String(8), nullable=False),
    Column("pattern", Text, nullable=False),
    Column("fields_of_action", Text, nullable=False),
    Column("upgrading", Text, nullable=False),
    Column("note", Text, nullable=False),
    Column("created_at", TZ, nullable=False),
)  # fmt: skip
