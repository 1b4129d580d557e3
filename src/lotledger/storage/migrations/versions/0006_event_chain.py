"""event chain: every event a link in a hash chain, and the chain's head

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 22:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from lotledger.domain.chain import GENESIS, link
from lotledger.storage.schema import UTCDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER event_chain_no_{action.lower()} BEFORE {action} ON event_chain
    BEGIN SELECT RAISE(ABORT, 'the event chain is append-only: {action} refused'); END"""
    for action in ("UPDATE", "DELETE")
]
_POSTGRESQL_TRIGGERS = [
    """CREATE TRIGGER event_chain_no_change BEFORE UPDATE OR DELETE ON event_chain
    FOR EACH ROW EXECUTE FUNCTION events_append_only()""",
    """CREATE TRIGGER event_chain_no_truncate BEFORE TRUNCATE ON event_chain
    FOR EACH STATEMENT EXECUTE FUNCTION events_append_only()""",
]


def upgrade() -> None:
    op.create_table(
        "event_chain",
        sa.Column("position", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("link", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"], name=op.f("fk_event_chain_event_id_events")),
        sa.PrimaryKeyConstraint("position", name=op.f("pk_event_chain")),
        sa.UniqueConstraint("event_id", name=op.f("uq_event_chain_event_id")),
    )
    op.create_table(
        "chain_head",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.Column("link", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chain_head")),
    )
    _chain_existing_events()
    dialect = op.get_bind().dialect.name
    for statement in _SQLITE_TRIGGERS if dialect == "sqlite" else _POSTGRESQL_TRIGGERS:
        op.execute(statement)


def _chain_existing_events() -> None:
    """Events recorded before the chain existed become its first links, in recording order."""
    conn = op.get_bind()
    events = sa.table(
        "events",
        sa.column("seq"),
        sa.column("id"),
        sa.column("body_hash"),
        sa.column("recorded_at", UTCDateTime()),
        sa.column("recorded_by"),
        sa.column("client"),
    )
    chain = sa.table("event_chain", sa.column("position"), sa.column("event_id"), sa.column("link"))
    query = sa.select(events.c.id, events.c.body_hash, events.c.recorded_at, events.c.recorded_by, events.c.client)
    previous, position, batch = GENESIS, 0, []
    for row in conn.execute(query.order_by(events.c.seq)):
        position += 1
        previous = link(previous, row.body_hash, row.recorded_at, row.recorded_by, row.client)
        batch.append({"position": position, "event_id": row.id, "link": previous})
        if len(batch) == 10_000:
            conn.execute(chain.insert(), batch)
            batch = []
    if batch:
        conn.execute(chain.insert(), batch)
    if position:
        head = sa.table("chain_head", sa.column("id"), sa.column("position"), sa.column("link"))
        conn.execute(head.insert().values(id=1, position=position, link=previous))


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("DROP TRIGGER event_chain_no_change ON event_chain")
        op.execute("DROP TRIGGER event_chain_no_truncate ON event_chain")
    op.drop_table("chain_head")
    op.drop_table("event_chain")
