"""purchase orders: the order and its lines (what was received is read from the ledger)

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-26 03:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from lotledger.storage.schema import UTCDateTime

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "purchase_orders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=128), nullable=False),
        sa.Column("supplier_id", sa.Integer(), nullable=False),
        sa.Column("tolerance_bp", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("cancelled_at", UTCDateTime(), nullable=True),
        sa.Column("cancelled_by", sa.String(length=64), nullable=True),
        sa.Column("cancel_reason", sa.Text(), nullable=True),
        sa.Column("closed_at", UTCDateTime(), nullable=True),
        sa.Column("closed_by", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(["supplier_id"], ["partners.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("number"),
    )
    op.create_index(op.f("ix_purchase_orders_supplier_id_id"), "purchase_orders", ["supplier_id", "id"], unique=False)
    op.create_table(
        "purchase_order_lines",
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("qty", sa.String(length=40), nullable=False),
        sa.Column("uom", sa.String(length=8), nullable=False),
        sa.Column("ordered", sa.BigInteger(), nullable=False),
        sa.Column("expected", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(["item_id"], ["items.id"]),
        sa.ForeignKeyConstraint(["order_id"], ["purchase_orders.id"]),
        sa.PrimaryKeyConstraint("order_id", "line"),
    )


def downgrade() -> None:
    op.drop_table("purchase_order_lines")
    op.drop_index(op.f("ix_purchase_orders_supplier_id_id"), table_name="purchase_orders")
    op.drop_table("purchase_orders")
