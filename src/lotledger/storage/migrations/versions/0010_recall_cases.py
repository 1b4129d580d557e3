"""recall cases: recalls and mock recall drills, their lots and their log of actions

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-26 00:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from lotledger.storage.schema import UTCDateTime

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "recalls",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("scope", sa.Text(), nullable=False),
        sa.Column("opened_at", UTCDateTime(), nullable=False),
        sa.Column("opened_by", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_recalls_opened_at"), "recalls", ["opened_at"], unique=False)
    op.create_table(
        "recall_lots",
        sa.Column("recall_id", sa.Integer(), nullable=False),
        sa.Column("lot_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["lot_id"], ["lots.id"]),
        sa.ForeignKeyConstraint(["recall_id"], ["recalls.id"]),
        sa.PrimaryKeyConstraint("recall_id", "lot_id"),
    )
    op.create_table(
        "recall_actions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recall_id", sa.Integer(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("by", sa.String(length=64), nullable=False),
        sa.Column("customer", sa.String(length=64), nullable=True),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["recall_id"], ["recalls.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_recall_actions_recall_id_id"), "recall_actions", ["recall_id", "id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_recall_actions_recall_id_id"), table_name="recall_actions")
    op.drop_table("recall_actions")
    op.drop_table("recall_lots")
    op.drop_index(op.f("ix_recalls_opened_at"), table_name="recalls")
    op.drop_table("recalls")
