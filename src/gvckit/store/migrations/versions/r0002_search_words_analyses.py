"""The portfolio review: the PostgreSQL search index holds exactly the stored words, and each
activity keeps which analyses the classifier found (for the review's questions).

The tsvector is now ``array_to_tsvector`` of the space-separated normalised words (the same
words SQLite's FTS5 table holds), no longer ``to_tsvector('simple', ...)``, whose parser split
them again and cost a scan of the shared corpus several seconds (the same lexemes on that
corpus; no positions, which no query used). SQLite's index does not change.

``analyses`` (``;governance;lead_firms;``, as ``pattern``) is filled for the activities already
stored from the portfolio row kept with their texts.

Revision ID: r0002
Revises: r0001
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "r0002"
down_revision = "w0004"
branch_labels = None
depends_on = None

WORDS = "array_to_tsvector(string_to_array(search_text, ' '))"
PARSED = "to_tsvector('simple'::regconfig, search_text)"


def _vector(expression: str) -> None:
    op.execute("ALTER TABLE web_portfolio_texts DROP COLUMN search_vector")  # and its index
    op.execute(
        "ALTER TABLE web_portfolio_texts ADD COLUMN search_vector tsvector GENERATED ALWAYS"
        f" AS ({expression}) STORED"
    )
    op.execute(
        "CREATE INDEX ix_web_portfolio_search ON web_portfolio_texts USING gin (search_vector)"
    )


def _fill_analyses() -> None:
    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT activity_id, data FROM web_portfolio_texts"))
    found = []
    for activity, data in rows:
        try:
            joined = str(json.loads(data).get("row", {}).get("analyses") or "")
        except (ValueError, AttributeError):
            continue
        if joined:
            found.append({"a": f";{joined};", "id": activity})
    if found:
        conn.execute(sa.text("UPDATE web_portfolio_activities SET analyses = :a WHERE id = :id"),
                     found)  # fmt: skip


def upgrade() -> None:
    # a plain ADD COLUMN on SQLite too (a batch copy would drop the table its texts and
    # reviews cascade from)
    op.add_column("web_portfolio_activities",
                  sa.Column("analyses", sa.Text, nullable=False, server_default=""))  # fmt: skip
    _fill_analyses()
    if op.get_bind().dialect.name == "postgresql":
        _vector(WORDS)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _vector(PARSED)
    op.execute("ALTER TABLE web_portfolio_activities DROP COLUMN analyses")
