"""movements by container: a pallet's contents and history without reading every movement

On the 1 M-event demo plant, resolving a scanned SSCC and printing a shipped
pallet's label read all 2.2 M movements (0.4-1.4 s). A partial index holds
only the movements that have a container.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-26 02:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_movements_container",
        "movements",
        ["container"],
        unique=False,
        sqlite_where=sa.text("container <> ''"),
        postgresql_where=sa.text("container <> ''"),
    )


def downgrade() -> None:
    op.drop_index("ix_movements_container", table_name="movements")
