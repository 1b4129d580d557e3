"""sscc counters

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 13:51:38.016095
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "sscc_counters",
        sa.Column("stem", sa.String(length=16), nullable=False),
        sa.Column("last_serial", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("stem", name=op.f("pk_sscc_counters")),
    )


def downgrade() -> None:

    op.drop_table("sscc_counters")
