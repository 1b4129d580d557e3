"""event lots by event: a void reads its target's lots by the target's id

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 21:55:00
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(op.f("ix_event_lots_event_id"), "event_lots", ["event_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_event_lots_event_id"), table_name="event_lots")
