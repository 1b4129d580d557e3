"""Read master data, holds, containers and the event log (filters, cursor pages)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Engine, bindparam, func, select
from sqlalchemy.sql import Select

from lotledger.domain.errors import NotFound
from lotledger.domain.master import kind_name
from lotledger.domain.model import Item, Location, LotKey, MasterRecord, Partner
from lotledger.domain.quantities import from_micro
from lotledger.domain.records import EventFilter, EventRecord, HoldRecord
from lotledger.domain.trace import StockLine
from lotledger.storage import schema as t
from lotledger.storage.engine import reading

_PARENT = t.locations.alias("parent")
_LOCATIONS = select(t.locations, _PARENT.c.code.label("parent_code")).select_from(
    t.locations.outerjoin(_PARENT, t.locations.c.parent_id == _PARENT.c.id)
)


T = TypeVar("T", Item, Location, Partner)


def _from_row(kind: type[T], row: Any, **renamed: str) -> T:
    """A master record from its row: each field from the column of its name (or as `renamed`)."""
    return kind(**{name: row[renamed.get(name, name)] for name in kind.__dataclass_fields__})


def item_from_row(r: Any) -> Item:
    return _from_row(Item, r)


def location_from_row(r: Any) -> Location:
    return _from_row(Location, r, parent="parent_code")


def partner_from_row(r: Any) -> Partner:
    return _from_row(Partner, r)


# One query per kind of master record, by its code (:code), and the converter of its row.
MASTER_QUERIES: dict[type[MasterRecord], tuple[Select[Any], Callable[[Any], MasterRecord]]] = {
    Item: (select(t.items).where(t.items.c.sku == bindparam("code")), item_from_row),
    Location: (_LOCATIONS.where(t.locations.c.code == bindparam("code")), location_from_row),
    Partner: (select(t.partners).where(t.partners.c.code == bindparam("code")), partner_from_row),
}


def in_container(sscc: str) -> ColumnElement[bool]:
    """The movements in or with a container, by the partial index on containers (migration 0013).

    The `<> ''` term repeats the index's condition so that SQLite, which cannot see
    that a bound SSCC is not empty, uses it too; balances are no way in: a pallet
    packed and shipped within one import chunk leaves no balance row behind."""
    m = t.movements.c
    return (m.container == sscc) & (m.container != "")


class Catalog:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def items(self) -> list[Item]:
        return [item_from_row(r) for r in self._rows(select(t.items).order_by(t.items.c.sku))]

    def locations(self) -> list[Location]:
        return [location_from_row(r) for r in self._rows(_LOCATIONS.order_by(t.locations.c.code))]

    def partners(self) -> list[Partner]:
        return [partner_from_row(r) for r in self._rows(select(t.partners).order_by(t.partners.c.code))]

    def one(self, kind: type[MasterRecord], code: str) -> MasterRecord:
        """One item (by sku), location or partner (by code); NotFound names what is missing."""
        query, convert = MASTER_QUERIES[kind]
        with reading(self.engine) as conn:
            row = conn.execute(query, {"code": code}).mappings().first()
        if row is None:
            raise NotFound(f"unknown {kind_name(kind)} {code!r}", "sku" if kind is Item else "code")
        return convert(row)

    def item_by_gtin(self, gtin: str) -> Item:
        rows = self._rows(select(t.items).where(t.items.c.gtin == gtin))
        if not rows:
            raise NotFound(f"no item has GTIN {gtin}", "scan")
        return item_from_row(rows[0])

    def _rows(self, query: Select[Any]) -> list[Any]:
        with reading(self.engine) as conn:
            return list(conn.execute(query).mappings())

    def holds(self) -> list[HoldRecord]:
        """Every hold in force, oldest first."""
        query = (
            select(t.items.c.sku, t.lots.c.code, t.holds.c.event_id, t.holds.c.reason, t.events.c.time)
            .select_from(t.holds.join(t.lots).join(t.items).join(t.events, t.events.c.id == t.holds.c.event_id))
            .where(t.holds.c.released_by.is_(None))
            .order_by(t.events.c.time, t.items.c.sku, t.lots.c.code)
        )
        with reading(self.engine) as conn:
            return [HoldRecord(LotKey(r.sku, r.code), r.event_id, r.reason, r.time) for r in conn.execute(query)]

    def lots_in_container(self, sscc: str) -> list[LotKey]:
        """Every lot that was ever packed into a container."""
        query = (
            select(t.items.c.sku, t.lots.c.code)
            .select_from(t.movements.join(t.lots).join(t.items))
            .where(in_container(sscc))
            .distinct()
            .order_by(t.items.c.sku, t.lots.c.code)
        )
        with reading(self.engine) as conn:
            return [LotKey(r.sku, r.code) for r in conn.execute(query)]

    def packed(self, sscc: str) -> list[StockLine]:
        """What was packed into a container and not unpacked (what it left with, once shipped)."""
        m = t.movements.c
        query = (
            select(
                t.items.c.sku,
                t.items.c.uom,
                t.lots.c.code,
                t.locations.c.code.label("location"),
                func.sum(m.qty).label("qty"),
            )
            .select_from(t.movements.join(t.lots).join(t.items).join(t.locations))
            .where(in_container(sscc), m.kind.in_(("pack", "unpack")))
            .group_by(t.items.c.sku, t.items.c.uom, t.lots.c.code, t.locations.c.code)
            .having(func.sum(m.qty) > 0)
            .order_by(t.items.c.sku, t.lots.c.code)
        )
        with reading(self.engine) as conn:
            return [
                StockLine(LotKey(r.sku, r.code), r.location, sscc, from_micro(r.qty), r.uom)
                for r in conn.execute(query)
            ]

    def events(self, where: EventFilter, after: int = 0, limit: int = 100) -> list[EventRecord]:
        """Events in recording order after sequence number `after`, filtered."""
        query = select_events(where).where(t.events.c.seq > after).order_by(t.events.c.seq).limit(limit)
        with reading(self.engine) as conn:
            return [event_record(row) for row in conn.execute(query)]


def select_events(where: EventFilter) -> Select[Any]:
    """The events matching `where`, with their location code and void, in no order yet."""
    e = t.events.c
    query = select(
        e.seq,
        e.id,
        e.type,
        e.time,
        t.locations.c.code.label("location"),
        e.reference,
        e.recorded_at,
        e.recorded_by,
        e.client,
        e.document,
        t.voids.c.void_id,
    ).select_from(t.events.join(t.locations).outerjoin(t.voids, t.voids.c.target_id == e.id))
    if where.type:
        query = query.where(e.type == where.type)
    if where.since:
        query = query.where(e.time >= where.since)
    if where.until:
        query = query.where(e.time < where.until)
    if where.reference:
        query = query.where(e.reference == where.reference)
    if where.location:
        query = query.where(e.location_id.in_(select(t.locations.c.id).where(t.locations.c.code == where.location)))
    if where.partner:
        query = query.where(e.partner_id.in_(select(t.partners.c.id).where(t.partners.c.code == where.partner)))
    if where.item or where.lot:
        lots = select(t.event_lots.c.event_id).select_from(t.event_lots.join(t.lots).join(t.items))
        if where.item:
            lots = lots.where(t.items.c.sku == where.item)
        if where.lot:
            lots = lots.where(t.lots.c.code == where.lot)
        query = query.where(e.id.in_(lots))
    return query


def event_record(row: Any) -> EventRecord:
    return EventRecord(
        row.seq,
        row.id,
        row.type,
        row.time,
        row.location,
        row.reference,
        row.recorded_at,
        row.recorded_by,
        row.client,
        row.void_id,
        json.loads(row.document),
    )
