"""lots by expiry: the dashboard's expired and expiring stock, walked in expiry order

On the 1 M-event demo plant 136,000 lots still have stock past their expiry;
without this index the dashboard's "expired, still in stock" list sorted all
of them (350 ms); with it, it reads the 101 most recently expired (under 1 ms).

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-26 02:45:00
"""

from __future__ import annotations

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(op.f("ix_lots_expiry"), "lots", ["expiry"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_lots_expiry"), table_name="lots")
