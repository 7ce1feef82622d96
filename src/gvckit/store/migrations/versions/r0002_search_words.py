"""The portfolio review's PostgreSQL search index holds exactly the stored words: the tsvector
is ``array_to_tsvector`` of the space-separated normalised words (the same words SQLite's FTS5
table holds), no longer ``to_tsvector('simple', ...)``, whose parser split them again and cost a
scan of the shared corpus several seconds. (Same lexemes on that corpus; no positions, which no
query used.) SQLite: nothing changes.

Revision ID: r0002
Revises: r0001
"""

from __future__ import annotations

from alembic import op

revision = "r0002"
down_revision = "r0001"
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


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _vector(WORDS)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _vector(PARSED)
