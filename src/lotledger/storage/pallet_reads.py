"""Reads behind a pallet's page: what it was packed with and what happened to it
(a container's movements are found as `catalog.in_container` explains)."""

from __future__ import annotations

from sqlalchemy import Engine, func, select

from lotledger.domain.model import LotKey
from lotledger.domain.quantities import from_micro
from lotledger.domain.records import EventFilter, EventRecord
from lotledger.domain.trace import StockLine
from lotledger.storage import schema as t
from lotledger.storage.catalog import event_record, in_container, select_events
from lotledger.storage.engine import reading


class SqlPalletReads:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def packed(self, sscc: str) -> list[StockLine]:
        """What was packed into the container and not unpacked (what it left with, once shipped), per lot:
        packed in one place and unpacked in another still nets out, so the lines have no location."""
        m = t.movements.c
        query = (
            select(t.items.c.sku, t.items.c.uom, t.lots.c.code, func.sum(m.qty))
            .select_from(t.movements.join(t.lots).join(t.items))
            .where(in_container(sscc), m.kind.in_(("pack", "unpack")))
            .group_by(t.items.c.sku, t.items.c.uom, t.lots.c.code)
            .having(func.sum(m.qty) > 0)
            .order_by(t.items.c.sku, t.lots.c.code)
        )
        with reading(self.engine) as conn:
            return [StockLine(LotKey(r.sku, r.code), "", sscc, from_micro(r[-1]), r.uom) for r in conn.execute(query)]

    def history(self, sscc: str, limit: int) -> list[EventRecord]:
        """The first `limit` events that moved stock in or with the container, in recording order."""
        events = select(t.movements.c.event_id).where(in_container(sscc))
        query = select_events(EventFilter()).where(t.events.c.id.in_(events)).order_by(t.events.c.seq).limit(limit)
        with reading(self.engine) as conn:
            return [event_record(row) for row in conn.execute(query)]
