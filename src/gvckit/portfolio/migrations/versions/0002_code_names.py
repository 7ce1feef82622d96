"""Names of the codes (from the IATI codelists given at scan time).

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

COLUMNS = ("status_name", "aid_type_name", "finance_type_name", "flow_type_name",
           "reporting_org_type_name", "country_names", "sector_names")  # fmt: skip


def upgrade() -> None:
    with op.batch_alter_table("portfolio_activities") as batch:
        for name in COLUMNS:
            batch.add_column(sa.Column(name, sa.Text))


def downgrade() -> None:
    with op.batch_alter_table("portfolio_activities") as batch:
        for name in reversed(COLUMNS):
            batch.drop_column(name)
