"""recall master data: partners' contacts and addresses, locations' addresses, items' FSMA 204 description

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-26 00:10:00

Every new column is optional (ftl defaults to false): master data recorded before stays valid.
Columns are added in place (ALTER TABLE ADD COLUMN), never by batch mode's copy-and-rename:
SQLite would refuse to drop an items table its lots refer to.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_ITEM_TEXT = ("brand", "commodity", "variety", "pack_size", "pack_style")
_ADDRESS = ("address", "city", "region", "postal_code", "country")
_PARTNER_TEXT = ("contact", "phone", "email", *_ADDRESS)
_LOCATION_TEXT = (*_ADDRESS, "phone")


def upgrade() -> None:
    for name in _ITEM_TEXT:
        op.add_column("items", sa.Column(name, sa.Text(), nullable=True))
    op.add_column("items", sa.Column("ftl", sa.Boolean(), server_default=sa.false(), nullable=False))
    for name in _LOCATION_TEXT:
        op.add_column("locations", sa.Column(name, sa.Text(), nullable=True))
    op.add_column("locations", sa.Column("fda_registration", sa.String(length=11), nullable=True))
    for name in _PARTNER_TEXT:
        op.add_column("partners", sa.Column(name, sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("partners", schema=None) as batch_op:
        for name in reversed(_PARTNER_TEXT):
            batch_op.drop_column(name)
    with op.batch_alter_table("locations", schema=None) as batch_op:
        batch_op.drop_column("fda_registration")
        for name in reversed(_LOCATION_TEXT):
            batch_op.drop_column(name)
    with op.batch_alter_table("items", schema=None) as batch_op:
        batch_op.drop_column("ftl")
        for name in reversed(_ITEM_TEXT):
            batch_op.drop_column(name)
