"""The tables, in SQLAlchemy Core, portable to SQLite and PostgreSQL.

`events` is the record: append-only, guarded by triggers (see migrations).
Everything else about stock is a projection written in the same transaction
as its event: movements, balances, lot edges and their closure, holds, voids.
Quantities are BigInteger micro-units of the item's base unit (see
domain.quantities.SCALE), so sums are exact and CHECK (qty >= 0) holds.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
    exists,
    false,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


def db_time(value: datetime, dialect: Dialect) -> Any:
    """What the driver is given for an aware time: UTC, and on SQLite the text SQLAlchemy's
    DateTime writes (UTCDateTime below reads both back the same)."""
    value = value.astimezone(UTC)
    if dialect.name == "sqlite":
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    return value


def db_date(value: date | None, dialect: Dialect) -> Any:
    """What the driver is given for a date: on SQLite the text SQLAlchemy's Date writes (sqlite3's own
    date adapter is deprecated)."""
    return value.isoformat() if value is not None and dialect.name == "sqlite" else value


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes stored in UTC; SQLite keeps them naive, so read them back as UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        parsed: datetime = value
        return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


EventId = String(36)
Sscc = String(18)

items = Table(
    "items",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("sku", String(64), nullable=False, unique=True),
    Column("name", Text, nullable=False),
    Column("uom", String(8), nullable=False),
    Column("gtin", String(14), unique=True),
    Column("shelf_life_days", Integer),
    Column("active", Boolean, nullable=False, default=True),
    Column("brand", Text),
    Column("commodity", Text),
    Column("variety", Text),
    Column("pack_size", Text),
    Column("pack_style", Text),
    Column("ftl", Boolean, nullable=False, default=False, server_default=false()),
)

locations = Table(
    "locations",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(64), nullable=False, unique=True),
    Column("name", Text, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("parent_id", Integer, ForeignKey("locations.id")),
    Column("gln", String(13)),
    Column("active", Boolean, nullable=False, default=True),
    Column("address", Text),
    Column("city", Text),
    Column("region", Text),
    Column("postal_code", Text),
    Column("country", Text),
    Column("phone", Text),
    Column("fda_registration", String(11)),
)

partners = Table(
    "partners",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(64), nullable=False, unique=True),
    Column("name", Text, nullable=False),
    Column("role", String(16), nullable=False),
    Column("gln", String(13)),
    Column("active", Boolean, nullable=False, default=True),
    Column("contact", Text),
    Column("phone", Text),
    Column("email", Text),
    Column("address", Text),
    Column("city", Text),
    Column("region", Text),
    Column("postal_code", Text),
    Column("country", Text),
)

# Every change to master data, as recorded (master data is never deleted).
master_changes = Table(
    "master_changes",
    metadata,
    Column("seq", Integer, primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("code", String(64), nullable=False),
    Column("document", Text, nullable=False),
    Column("recorded_at", UTCDateTime, nullable=False),
    Column("recorded_by", String(64), nullable=False),
    Column("client", String(64), nullable=False),
)

events = Table(
    "events",
    metadata,
    Column("seq", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("id", EventId, nullable=False, unique=True),
    Column("type", String(16), nullable=False),
    Column("time", UTCDateTime, nullable=False),
    Column("location_id", Integer, ForeignKey("locations.id"), nullable=False),
    Column("partner_id", Integer, ForeignKey("partners.id")),
    Column("reference", String(128)),
    Column("document", Text, nullable=False),
    Column("body_hash", String(64), nullable=False),
    Column("recorded_at", UTCDateTime, nullable=False),
    Column("recorded_by", String(64), nullable=False),
    Column("client", String(64), nullable=False),
    Index(None, "time"),
    Index(None, "reference"),
)

# Tamper evidence (domain/chain.py): each event's link in a hash chain, append-only
# like the events themselves (triggers in migration 0006), and the chain's head.
event_chain = Table(
    "event_chain",
    metadata,
    Column("position", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=False),
    Column("event_id", EventId, ForeignKey("events.id"), nullable=False, unique=True),
    Column("link", String(64), nullable=False),
)

chain_head = Table(
    "chain_head",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),  # one row: 1
    Column("position", BigInteger, nullable=False),
    Column("link", String(64), nullable=False),
)

lots = Table(
    "lots",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("item_id", Integer, ForeignKey("items.id"), nullable=False),
    Column("code", String(20), nullable=False),
    Column("expiry", Date),
    Column("origin", String(16), nullable=False),
    Column("supplier_id", Integer, ForeignKey("partners.id")),
    Column("supplier_lot", String(64)),
    Column("first_event_id", EventId, ForeignKey("events.id"), nullable=False),
    UniqueConstraint("item_id", "code"),
    Index(None, "code"),
    Index(None, "supplier_lot"),
    Index(None, "expiry"),  # the dashboard's stock by expiry, walked in order (migration 0012)
)

# One row per balance change: the ledger lines mass balance sums by kind.
movements = Table(
    "movements",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("event_id", EventId, ForeignKey("events.id"), nullable=False),
    Column("lot_id", Integer, ForeignKey("lots.id"), nullable=False),
    Column("location_id", Integer, ForeignKey("locations.id"), nullable=False),
    Column("container", String(18), nullable=False, default=""),
    Column("kind", String(16), nullable=False),
    Column("qty", BigInteger, nullable=False),
    # The supplier or customer of the event (copied onto a void's reversals).
    Column("partner_id", Integer, ForeignKey("partners.id")),
    Index(None, "lot_id", "kind", "qty"),  # a hub lot's mass balance from the index alone (migration 0011)
    Index(None, "event_id"),
    # A pallet's movements (what it was packed with, where it went): the few rows with a container.
    Index(
        "ix_movements_container",
        "container",
        sqlite_where=text("container <> ''"),
        postgresql_where=text("container <> ''"),
    ),
)

balances = Table(
    "balances",
    metadata,
    Column("lot_id", Integer, ForeignKey("lots.id"), nullable=False),
    Column("location_id", Integer, ForeignKey("locations.id"), nullable=False),
    Column("container", Sscc, nullable=False),
    Column("qty", BigInteger, nullable=False),
    PrimaryKeyConstraint("lot_id", "location_id", "container"),
    CheckConstraint("qty >= 0", name="not_negative"),
    Index(None, "location_id"),
    # Only stock on hand: what a recall's "where is it now" probes, a fraction of all rows.
    Index(
        "ix_balances_on_hand",
        "lot_id",
        "location_id",
        "qty",
        sqlite_where=text("qty > 0"),
        postgresql_where=text("qty > 0"),
    ),
    Index(None, "container"),
)

lot_edges = Table(
    "lot_edges",
    metadata,
    Column("parent_id", Integer, ForeignKey("lots.id"), nullable=False),
    Column("child_id", Integer, ForeignKey("lots.id"), nullable=False),
    Column("event_id", EventId, ForeignKey("events.id"), nullable=False),
    Column("parent_qty", BigInteger, nullable=False),
    Column("child_qty", BigInteger, nullable=False),
    PrimaryKeyConstraint("parent_id", "child_id", "event_id"),
    Index(None, "child_id"),
    Index(None, "event_id"),
)

# Transitive closure of lot_edges with the shortest depth: a hub lot's
# 200,000 descendants are one index range instead of a recursive walk.
lot_closure = Table(
    "lot_closure",
    metadata,
    Column("ancestor_id", Integer, nullable=False),
    Column("descendant_id", Integer, nullable=False),
    Column("depth", Integer, nullable=False),
    Column("item_id", Integer, nullable=False),  # the descendant's item: recall counts per item skip lots
    PrimaryKeyConstraint("ancestor_id", "descendant_id"),
    Index(None, "descendant_id", "ancestor_id", "depth"),
    Index(None, "ancestor_id", "item_id"),  # descendant counts per item without a sort
    sqlite_with_rowid=False,
)

# How much of each item every lot's descendants (and the lot itself) shipped to
# each customer, kept as shipments arrive: a hub lot's customer roll-up is a
# few rows to read instead of a join over 200,000 descendants.
lot_reach = Table(
    "lot_reach",
    metadata,
    Column("ancestor_id", Integer, nullable=False),
    Column("partner_id", Integer, nullable=False),
    Column("item_id", Integer, nullable=False),
    Column("qty", BigInteger, nullable=False),
    Column("lines", Integer, nullable=False),
    PrimaryKeyConstraint("ancestor_id", "partner_id", "item_id"),
    sqlite_with_rowid=False,
)

# How many descendant lots of each item every lot has (its lot_closure rows per
# item), kept as closure pairs come and go: a hub's 2,000,000 descendants are
# counted by reading a few rows.
descendant_counts = Table(
    "descendant_counts",
    metadata,
    Column("ancestor_id", Integer, nullable=False),
    Column("item_id", Integer, nullable=False),
    Column("lots", Integer, nullable=False),
    PrimaryKeyConstraint("ancestor_id", "item_id"),
    sqlite_with_rowid=False,
)

# What every lot's descendants (not the lot itself) hold on hand, per location
# and item: the quantity and how many lots have some there. Kept as their
# balances change and as closure pairs come and go; rows that fall to zero stay.
descendant_stock = Table(
    "descendant_stock",
    metadata,
    Column("ancestor_id", Integer, nullable=False),
    Column("location_id", Integer, nullable=False),
    Column("item_id", Integer, nullable=False),
    Column("qty", BigInteger, nullable=False),
    Column("lots", Integer, nullable=False),
    PrimaryKeyConstraint("ancestor_id", "location_id", "item_id"),
    sqlite_with_rowid=False,
)

event_lots = Table(
    "event_lots",
    metadata,
    Column("lot_id", Integer, ForeignKey("lots.id"), nullable=False),
    Column("event_id", EventId, ForeignKey("events.id"), nullable=False),
    PrimaryKeyConstraint("lot_id", "event_id"),
    Index(None, "event_id"),  # the lots a void's target named
)

holds = Table(
    "holds",
    metadata,
    Column("lot_id", Integer, ForeignKey("lots.id"), nullable=False),
    Column("event_id", EventId, ForeignKey("events.id"), nullable=False),
    Column("reason", Text, nullable=False),
    Column("released_by", EventId, ForeignKey("events.id")),
    PrimaryKeyConstraint("lot_id", "event_id"),
    Index(None, "event_id"),
    Index(None, "released_by"),
)

voids = Table(
    "voids",
    metadata,
    Column("target_id", EventId, ForeignKey("events.id"), primary_key=True),
    Column("void_id", EventId, ForeignKey("events.id"), nullable=False, unique=True),
)

# --- recall cases -------------------------------------------------------------------

# A recall (or a mock recall drill) keeps the lots it was opened on and an append-only log of what was
# done; what it affects is traced from the ledger whenever it is asked.
recalls = Table(
    "recalls",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(8), nullable=False),
    Column("title", Text, nullable=False),
    Column("reason", Text, nullable=False),
    Column("scope", Text, nullable=False),  # JSON: how the lots were chosen
    Column("opened_at", UTCDateTime, nullable=False),
    Column("opened_by", String(64), nullable=False),
    Index(None, "opened_at"),
)

recall_lots = Table(
    "recall_lots",
    metadata,
    Column("recall_id", Integer, ForeignKey("recalls.id"), nullable=False),
    Column("lot_id", Integer, ForeignKey("lots.id"), nullable=False),
    PrimaryKeyConstraint("recall_id", "lot_id"),
)

recall_actions = Table(
    "recall_actions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("recall_id", Integer, ForeignKey("recalls.id"), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("by", String(64), nullable=False),
    Column("customer", String(64)),
    Column("detail", Text, nullable=False),  # JSON
    Index(None, "recall_id", "id"),
)

# --- purchase orders -----------------------------------------------------------------

# An order keeps its lines and what people decided (cancelled, closed short); what was received is read
# from the ledger: the receive events whose reference is the order's number (services/purchasing.py).
purchase_orders = Table(
    "purchase_orders",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("number", String(128), nullable=False, unique=True),
    Column("supplier_id", Integer, ForeignKey("partners.id"), nullable=False),
    Column("tolerance_bp", Integer, nullable=False),  # over/under-delivery tolerance in hundredths of a percent
    Column("note", Text),
    Column("created_at", UTCDateTime, nullable=False),
    Column("created_by", String(64), nullable=False),
    Column("cancelled_at", UTCDateTime),
    Column("cancelled_by", String(64)),
    Column("cancel_reason", Text),
    Column("closed_at", UTCDateTime),
    Column("closed_by", String(64)),
    Index(None, "supplier_id", "id"),
)

purchase_order_lines = Table(
    "purchase_order_lines",
    metadata,
    Column("order_id", Integer, ForeignKey("purchase_orders.id"), nullable=False),
    Column("line", Integer, nullable=False),
    Column("item_id", Integer, ForeignKey("items.id"), nullable=False),
    Column("qty", String(40), nullable=False),  # as ordered, in `uom`
    Column("uom", String(8), nullable=False),
    Column("ordered", BigInteger, nullable=False),  # micro-units of the item's base unit
    Column("expected", Date),
    PrimaryKeyConstraint("order_id", "line"),
)

# --- sales orders --------------------------------------------------------------------

# An order keeps its lines, the customer's minimum shelf life and what people decided (cancelled, closed short);
# what was shipped is read from the ledger: the ship events whose reference is the number (services/selling.py).
sales_orders = Table(
    "sales_orders",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("number", String(128), nullable=False, unique=True),
    Column("customer_id", Integer, ForeignKey("partners.id"), nullable=False),
    Column("min_shelf_days", Integer, nullable=False),
    Column("note", Text),
    Column("created_at", UTCDateTime, nullable=False),
    Column("created_by", String(64), nullable=False),
    Column("cancelled_at", UTCDateTime),
    Column("cancelled_by", String(64)),
    Column("cancel_reason", Text),
    Column("closed_at", UTCDateTime),
    Column("closed_by", String(64)),
    Index(None, "customer_id", "id"),
)

sales_order_lines = Table(
    "sales_order_lines",
    metadata,
    Column("order_id", Integer, ForeignKey("sales_orders.id"), nullable=False),
    Column("line", Integer, nullable=False),
    Column("item_id", Integer, ForeignKey("items.id"), nullable=False),
    Column("qty", String(40), nullable=False),  # as ordered, in `uom`
    Column("uom", String(8), nullable=False),
    Column("ordered", BigInteger, nullable=False),  # micro-units of the item's base unit
    Column("requested", Date),
    PrimaryKeyConstraint("order_id", "line"),
)

# --- recipes and work orders ---------------------------------------------------------

# A recipe version is never changed: a change is the next version. Quantities are kept as written (decimal
# text and its unit): a specification, never summed in SQL. A work order keeps its recipe version, its plan
# and, once ended, how (cancelled or closed); what it produced is read from the ledger by its number.
recipes = Table(
    "recipes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("item_id", Integer, ForeignKey("items.id"), nullable=False),
    Column("version", Integer, nullable=False),
    Column("batch", String(40), nullable=False),
    Column("yield_pct", String(40), nullable=False),
    Column("active", Boolean, nullable=False),
    Column("note", Text),
    Column("created_at", UTCDateTime, nullable=False),
    Column("created_by", String(64), nullable=False),
    UniqueConstraint("item_id", "version"),
)

recipe_inputs = Table(
    "recipe_inputs",
    metadata,
    Column("recipe_id", Integer, ForeignKey("recipes.id"), nullable=False),
    Column("position", Integer, nullable=False),
    Column("item_id", Integer, ForeignKey("items.id"), nullable=False),
    Column("qty", String(40), nullable=False),
    Column("uom", String(8), nullable=False),
    PrimaryKeyConstraint("recipe_id", "position"),
)

work_orders = Table(
    "work_orders",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("number", String(32), nullable=False, unique=True),
    Column("serial", BigInteger),  # 42 for WO-00042: the next allocated number counts on from the largest
    Column("recipe_id", Integer, ForeignKey("recipes.id"), nullable=False),
    Column("planned", String(40), nullable=False),
    Column("location_id", Integer, ForeignKey("locations.id"), nullable=False),
    Column("note", Text),
    Column("created_at", UTCDateTime, nullable=False),
    Column("created_by", String(64), nullable=False),
    Column("ended", String(16)),  # cancelled or closed
    Column("ended_at", UTCDateTime),
    Column("ended_by", String(64)),
    Column("end_reason", Text),
    Index(None, "serial"),
)

# --- accounts (the HTTP API) ----------------------------------------------------

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("password_hash", Text, nullable=False),
    Column("role", String(16), nullable=False),
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", UTCDateTime, nullable=False),
)

# Tokens are 256-bit random secrets shown once; only their SHA-256 is kept
# (argon2 is for guessable passwords; a per-request argon2 would cost 50 ms).
api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("name", String(64), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("revoked_at", UTCDateTime),
    Column("expires_at", UTCDateTime),  # a login's session token ends; a named API token does not
    Column("last_used_at", UTCDateTime),  # to the minute: written off the request path by the audit trail
)

# Logins, token use, refusals and account changes: `lotledger audit` reads them.
audit_log = Table(
    "audit_log",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("at", UTCDateTime, nullable=False),
    Column("kind", String(32), nullable=False),
    Column("username", String(64)),
    Column("address", String(64)),
    Column("detail", Text, nullable=False),
    Index(None, "at"),
    Index(None, "username", "at"),
)

# The first answer to each Idempotency-Key, replayed on a retry (kept >= 24 h).
idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("key", String(255), nullable=False),
    Column("request_hash", String(64), nullable=False),
    Column("status", Integer, nullable=False),
    Column("body", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    PrimaryKeyConstraint("user_id", "key"),
    Index(None, "created_at"),
)

# --- GS1 ------------------------------------------------------------------------

# The last serial handed out per (extension digit + company prefix): an SSCC
# is never allocated twice, also with many allocators at once.
sscc_counters = Table(
    "sscc_counters",
    metadata,
    Column("stem", String(16), primary_key=True),
    Column("last_serial", BigInteger, nullable=False),
)


def voided(event_id: Any) -> Any:
    """The event was voided: one probe of the voids' key per row (an anti-join when negated). `NOT IN
    (SELECT target_id FROM voids)` read all voids per query: 6 ms at 10 M events on PostgreSQL, growing."""
    return exists().where(voids.c.target_id == event_id)
