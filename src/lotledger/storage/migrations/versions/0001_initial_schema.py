"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-25 13:15:37.513725
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from lotledger.storage.schema import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("uom", sa.String(length=8), nullable=False),
        sa.Column("gtin", sa.String(length=14), nullable=True),
        sa.Column("shelf_life_days", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_items")),
        sa.UniqueConstraint("gtin", name=op.f("uq_items_gtin")),
        sa.UniqueConstraint("sku", name=op.f("uq_items_sku")),
    )
    op.create_table(
        "locations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("gln", sa.String(length=13), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["parent_id"], ["locations.id"], name=op.f("fk_locations_parent_id_locations")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_locations")),
        sa.UniqueConstraint("code", name=op.f("uq_locations_code")),
    )
    op.create_table(
        "lot_closure",
        sa.Column("ancestor_id", sa.Integer(), nullable=False),
        sa.Column("descendant_id", sa.Integer(), nullable=False),
        sa.Column("depth", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("ancestor_id", "descendant_id", name=op.f("pk_lot_closure")),
        sqlite_with_rowid=False,
    )
    with op.batch_alter_table("lot_closure", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_lot_closure_descendant_id_ancestor_id_depth"),
            ["descendant_id", "ancestor_id", "depth"],
            unique=False,
        )

    op.create_table(
        "lot_reach",
        sa.Column("ancestor_id", sa.Integer(), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("qty", sa.BigInteger(), nullable=False),
        sa.Column("lines", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("ancestor_id", "partner_id", "item_id", name=op.f("pk_lot_reach")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "master_changes",
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.Column("client", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_master_changes")),
    )
    op.create_table(
        "partners",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("gln", sa.String(length=13), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partners")),
        sa.UniqueConstraint("code", name=op.f("uq_partners_code")),
    )
    op.create_table(
        "events",
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("time", UTCDateTime(), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=True),
        sa.Column("reference", sa.String(length=128), nullable=True),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("body_hash", sa.String(length=64), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.Column("client", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["location_id"], ["locations.id"], name=op.f("fk_events_location_id_locations")),
        sa.ForeignKeyConstraint(["partner_id"], ["partners.id"], name=op.f("fk_events_partner_id_partners")),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_events")),
        sa.UniqueConstraint("id", name=op.f("uq_events_id")),
    )
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_events_reference"), ["reference"], unique=False)
        batch_op.create_index(batch_op.f("ix_events_time"), ["time"], unique=False)

    op.create_table(
        "lots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("expiry", sa.Date(), nullable=True),
        sa.Column("origin", sa.String(length=16), nullable=False),
        sa.Column("supplier_id", sa.Integer(), nullable=True),
        sa.Column("supplier_lot", sa.String(length=64), nullable=True),
        sa.Column("first_event_id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(["first_event_id"], ["events.id"], name=op.f("fk_lots_first_event_id_events")),
        sa.ForeignKeyConstraint(["item_id"], ["items.id"], name=op.f("fk_lots_item_id_items")),
        sa.ForeignKeyConstraint(["supplier_id"], ["partners.id"], name=op.f("fk_lots_supplier_id_partners")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lots")),
        sa.UniqueConstraint("item_id", "code", name=op.f("uq_lots_item_id_code")),
    )
    with op.batch_alter_table("lots", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lots_code"), ["code"], unique=False)
        batch_op.create_index(batch_op.f("ix_lots_supplier_lot"), ["supplier_lot"], unique=False)

    op.create_table(
        "voids",
        sa.Column("target_id", sa.String(length=36), nullable=False),
        sa.Column("void_id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(["target_id"], ["events.id"], name=op.f("fk_voids_target_id_events")),
        sa.ForeignKeyConstraint(["void_id"], ["events.id"], name=op.f("fk_voids_void_id_events")),
        sa.PrimaryKeyConstraint("target_id", name=op.f("pk_voids")),
        sa.UniqueConstraint("void_id", name=op.f("uq_voids_void_id")),
    )
    op.create_table(
        "balances",
        sa.Column("lot_id", sa.Integer(), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("container", sa.String(length=18), nullable=False),
        sa.Column("qty", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("qty >= 0", name=op.f("ck_balances_not_negative")),
        sa.ForeignKeyConstraint(["location_id"], ["locations.id"], name=op.f("fk_balances_location_id_locations")),
        sa.ForeignKeyConstraint(["lot_id"], ["lots.id"], name=op.f("fk_balances_lot_id_lots")),
        sa.PrimaryKeyConstraint("lot_id", "location_id", "container", name=op.f("pk_balances")),
    )
    with op.batch_alter_table("balances", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_balances_container"), ["container"], unique=False)
        batch_op.create_index(batch_op.f("ix_balances_location_id"), ["location_id"], unique=False)

    op.create_table(
        "event_lots",
        sa.Column("lot_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"], name=op.f("fk_event_lots_event_id_events")),
        sa.ForeignKeyConstraint(["lot_id"], ["lots.id"], name=op.f("fk_event_lots_lot_id_lots")),
        sa.PrimaryKeyConstraint("lot_id", "event_id", name=op.f("pk_event_lots")),
    )
    op.create_table(
        "holds",
        sa.Column("lot_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("released_by", sa.String(length=36), nullable=True),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"], name=op.f("fk_holds_event_id_events")),
        sa.ForeignKeyConstraint(["lot_id"], ["lots.id"], name=op.f("fk_holds_lot_id_lots")),
        sa.ForeignKeyConstraint(["released_by"], ["events.id"], name=op.f("fk_holds_released_by_events")),
        sa.PrimaryKeyConstraint("lot_id", "event_id", name=op.f("pk_holds")),
    )
    with op.batch_alter_table("holds", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_holds_event_id"), ["event_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_holds_released_by"), ["released_by"], unique=False)

    op.create_table(
        "lot_edges",
        sa.Column("parent_id", sa.Integer(), nullable=False),
        sa.Column("child_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("parent_qty", sa.BigInteger(), nullable=False),
        sa.Column("child_qty", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["child_id"], ["lots.id"], name=op.f("fk_lot_edges_child_id_lots")),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"], name=op.f("fk_lot_edges_event_id_events")),
        sa.ForeignKeyConstraint(["parent_id"], ["lots.id"], name=op.f("fk_lot_edges_parent_id_lots")),
        sa.PrimaryKeyConstraint("parent_id", "child_id", "event_id", name=op.f("pk_lot_edges")),
    )
    with op.batch_alter_table("lot_edges", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lot_edges_child_id"), ["child_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_lot_edges_event_id"), ["event_id"], unique=False)

    op.create_table(
        "movements",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("lot_id", sa.Integer(), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("container", sa.String(length=18), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("qty", sa.BigInteger(), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"], name=op.f("fk_movements_event_id_events")),
        sa.ForeignKeyConstraint(["location_id"], ["locations.id"], name=op.f("fk_movements_location_id_locations")),
        sa.ForeignKeyConstraint(["lot_id"], ["lots.id"], name=op.f("fk_movements_lot_id_lots")),
        sa.ForeignKeyConstraint(["partner_id"], ["partners.id"], name=op.f("fk_movements_partner_id_partners")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_movements")),
    )
    with op.batch_alter_table("movements", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_movements_event_id"), ["event_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_movements_lot_id_kind"), ["lot_id", "kind"], unique=False)
    _refuse_event_changes()


# Invariant 1: events are append-only, and the database itself says so.
_SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER events_no_{action.lower()} BEFORE {action} ON events
    BEGIN SELECT RAISE(ABORT, 'events are append-only: {action} refused; record a void event'); END"""
    for action in ("UPDATE", "DELETE")
]
_POSTGRESQL_TRIGGERS = [
    """CREATE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'events are append-only: % refused; record a void event', TG_OP; END $$""",
    """CREATE TRIGGER events_no_change BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION events_append_only()""",
    """CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION events_append_only()""",
]


def _refuse_event_changes() -> None:
    dialect = op.get_bind().dialect.name
    for statement in _SQLITE_TRIGGERS if dialect == "sqlite" else _POSTGRESQL_TRIGGERS:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER events_no_change ON events")
        op.execute("DROP TRIGGER events_no_truncate ON events")
        op.execute("DROP FUNCTION events_append_only")
    else:
        op.execute("DROP TRIGGER events_no_update")
        op.execute("DROP TRIGGER events_no_delete")
    with op.batch_alter_table("movements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_movements_lot_id_kind"))
        batch_op.drop_index(batch_op.f("ix_movements_event_id"))

    op.drop_table("movements")
    with op.batch_alter_table("lot_edges", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lot_edges_event_id"))
        batch_op.drop_index(batch_op.f("ix_lot_edges_child_id"))

    op.drop_table("lot_edges")
    with op.batch_alter_table("holds", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_holds_released_by"))
        batch_op.drop_index(batch_op.f("ix_holds_event_id"))

    op.drop_table("holds")
    op.drop_table("event_lots")
    with op.batch_alter_table("balances", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_balances_location_id"))
        batch_op.drop_index(batch_op.f("ix_balances_container"))

    op.drop_table("balances")
    op.drop_table("voids")
    with op.batch_alter_table("lots", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lots_supplier_lot"))
        batch_op.drop_index(batch_op.f("ix_lots_code"))

    op.drop_table("lots")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_events_time"))
        batch_op.drop_index(batch_op.f("ix_events_reference"))

    op.drop_table("events")
    op.drop_table("partners")
    op.drop_table("master_changes")
    op.drop_table("lot_reach")
    with op.batch_alter_table("lot_closure", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lot_closure_descendant_id_ancestor_id_depth"))

    op.drop_table("lot_closure")
    op.drop_table("locations")
    op.drop_table("items")
