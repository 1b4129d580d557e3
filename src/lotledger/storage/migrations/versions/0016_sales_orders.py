"""sales orders: the order and its lines (what was shipped is read from the ledger)

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-26 03:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from lotledger.storage.schema import UTCDateTime

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sales_orders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=128), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("min_shelf_days", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("cancelled_at", UTCDateTime(), nullable=True),
        sa.Column("cancelled_by", sa.String(length=64), nullable=True),
        sa.Column("cancel_reason", sa.Text(), nullable=True),
        sa.Column("closed_at", UTCDateTime(), nullable=True),
        sa.Column("closed_by", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(["customer_id"], ["partners.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("number"),
    )
    op.create_index(op.f("ix_sales_orders_customer_id_id"), "sales_orders", ["customer_id", "id"], unique=False)
    op.create_table(
        "sales_order_lines",
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("qty", sa.String(length=40), nullable=False),
        sa.Column("uom", sa.String(length=8), nullable=False),
        sa.Column("ordered", sa.BigInteger(), nullable=False),
        sa.Column("requested", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(["item_id"], ["items.id"]),
        sa.ForeignKeyConstraint(["order_id"], ["sales_orders.id"]),
        sa.PrimaryKeyConstraint("order_id", "line"),
    )


def downgrade() -> None:
    op.drop_table("sales_order_lines")
    op.drop_index(op.f("ix_sales_orders_customer_id_id"), table_name="sales_orders")
    op.drop_table("sales_orders")
