"""Room for ``last-updated-datetime`` values with 7-digit fractions of a second and a time zone
(``2009-06-29T00:00:00.0000000-07:00``, 33 characters), which PostgreSQL refused in 32.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("portfolio_activities") as batch:
        batch.alter_column("last_updated", type_=sa.String(64), existing_type=sa.String(32))


def downgrade() -> None:
    with op.batch_alter_table("portfolio_activities") as batch:
        batch.alter_column("last_updated", type_=sa.String(32), existing_type=sa.String(64))
