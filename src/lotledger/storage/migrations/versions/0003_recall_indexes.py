"""recall indexes

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 13:32:02.864346
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:

    with op.batch_alter_table("balances", schema=None) as batch_op:
        batch_op.create_index(
            "ix_balances_on_hand",
            ["lot_id", "location_id", "qty"],
            unique=False,
            sqlite_where=sa.text("qty > 0"),
            postgresql_where=sa.text("qty > 0"),
        )

    with op.batch_alter_table("lot_closure", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_lot_closure_ancestor_id_item_id"), ["ancestor_id", "item_id"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("lot_closure", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lot_closure_ancestor_id_item_id"))

    with op.batch_alter_table("balances", schema=None) as batch_op:
        batch_op.drop_index("ix_balances_on_hand", sqlite_where=sa.text("qty > 0"), postgresql_where=sa.text("qty > 0"))
