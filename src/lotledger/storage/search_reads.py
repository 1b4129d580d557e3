"""Reads behind the search field: lots by code, supplier lot, reference or scan, pallets by SSCC.

Every read is an equality on an indexed column (lots.code, lots.supplier_lot,
events.reference, items.gtin, balances.container) and takes a limit, so a
search answers at once on a plant of millions of events.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.sql import Select

from lotledger.domain.model import LotKey
from lotledger.domain.search import LOT_CODE, REFERENCE, SCANNED_LOT, SUPPLIER_LOT, Match
from lotledger.storage import schema as t
from lotledger.storage.catalog import in_container
from lotledger.storage.engine import reading

_LOTS = select(t.items.c.sku, t.items.c.name, t.lots.c.code, t.lots.c.supplier_lot).select_from(t.lots.join(t.items))


def _matches(rows: Any, kind: str) -> list[Match]:
    return [Match(kind, LotKey(r.sku, r.code), r.name) for r in rows]


class SqlSearchReads:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def _rows(self, query: Select[Any]) -> list[Any]:
        with reading(self.engine) as conn:
            return list(conn.execute(query))

    def lots_by_code(self, text: str, limit: int) -> list[Match]:
        """Lots whose own code is `text` first, then those whose supplier's lot code is."""
        own = self._rows(_LOTS.where(t.lots.c.code == text).order_by(t.items.c.sku).limit(limit))
        theirs = self._rows(
            _LOTS.where(t.lots.c.supplier_lot == text).order_by(t.items.c.sku, t.lots.c.code).limit(limit)
        )
        return _matches(own, LOT_CODE) + _matches(theirs, SUPPLIER_LOT)

    def lots_by_reference(self, text: str, limit: int) -> list[Match]:
        """The lots the events with this reference (a PO, SO or work order number) touched."""
        touched = (
            select(t.event_lots.c.lot_id)
            .select_from(t.event_lots.join(t.events, t.events.c.id == t.event_lots.c.event_id))
            .where(t.events.c.reference == text)
        )
        query = _LOTS.where(t.lots.c.id.in_(touched)).order_by(t.items.c.sku, t.lots.c.code).limit(limit)
        return _matches(self._rows(query), REFERENCE)

    def scanned_lot(self, lot: str, *, gtin: str | None = None, sku: str | None = None) -> Match | None:
        """The lot a barcode names by its item's GTIN (or lotledger's sku) and lot code, if it is on record."""
        query = _LOTS.where(t.lots.c.code == lot)
        query = query.where(t.items.c.gtin == gtin) if gtin is not None else query.where(t.items.c.sku == sku)
        found = _matches(self._rows(query), SCANNED_LOT)
        return found[0] if found else None

    def pallet_known(self, sscc: str) -> bool:
        """Whether anything was ever packed into this container."""
        query = select(t.movements.c.id).where(in_container(sscc)).limit(1)
        return bool(self._rows(query))

    def item_name_by_gtin(self, gtin: str) -> tuple[str, str] | None:
        """(sku, name) of the item with this GTIN."""
        rows = self._rows(select(t.items.c.sku, t.items.c.name).where(t.items.c.gtin == gtin))
        return (rows[0].sku, rows[0].name) if rows else None
