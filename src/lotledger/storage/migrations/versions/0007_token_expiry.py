"""token expiry: a session token from a login has a lifetime

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25 22:35:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from lotledger.storage.schema import UTCDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.add_column(sa.Column("expires_at", UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_column("expires_at")
