"""Reads behind the dashboard: stocked lots by expiry, the latest events with their lots, the newest holds.

Each is bounded by its caller's limit and starts from an index (lots by their
expiry, or the stock on hand when there is little of it; events by sequence;
holds by their event), so the dashboard answers as fast on a plant of a
million events as on a new one.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Connection, Engine, bindparam, func, select

from lotledger.domain.dashboard import RecentEvent, StockedLot
from lotledger.domain.model import LotKey
from lotledger.domain.quantities import from_micro
from lotledger.domain.records import EventFilter, HoldRecord
from lotledger.storage import schema as t
from lotledger.storage.catalog import event_record, select_events
from lotledger.storage.engine import reading

LOTS_SHOWN = 4  # lots named per recent event; the rest are counted

_EVENT_LOTS = (
    select(t.items.c.sku, t.lots.c.code)
    .select_from(t.event_lots.join(t.lots).join(t.items))
    .where(t.event_lots.c.event_id == bindparam("event"))
    .order_by(t.items.c.sku, t.lots.c.code)
    .limit(LOTS_SHOWN + 1)
)
_EVENT_LOT_COUNT = select(func.count()).where(t.event_lots.c.event_id == bindparam("event"))

# Below this many balance rows on hand, stock leads the expired list; above, the lots' expiry index does.
LITTLE_STOCK = 20_000
_ON_HAND = select(t.balances.c.lot_id).where(t.balances.c.qty > 0)
_STOCKED = (
    select(t.lots.c.id, t.lots.c.code, t.lots.c.expiry, t.items.c.sku, t.items.c.name, t.items.c.uom)
    .add_columns(func.sum(t.balances.c.qty).label("qty"))
    .select_from(t.lots.join(t.items).join(t.balances))
    .where(t.lots.c.id.in_(bindparam("ids", expanding=True)), t.balances.c.qty > 0)
    .group_by(t.lots.c.id, t.lots.c.code, t.lots.c.expiry, t.items.c.sku, t.items.c.name, t.items.c.uom)
)


class SqlDashboardReads:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def stocked_by_expiry(self, first: date | None, last: date, limit: int, latest_first: bool) -> list[StockedLot]:
        """Lots with stock on hand whose expiry is from `first` (None: any time before) to `last`, in expiry order."""
        lots = t.lots.c
        window = [lots.expiry <= last] if first is None else [lots.expiry >= first, lots.expiry <= last]
        order = (lots.expiry.desc(), lots.id.desc()) if latest_first else (lots.expiry, lots.id)
        with reading(self.engine) as conn:
            if first is None and self._little_stock(conn):
                # Few lots in stock: they drive, by primary key (the expiry walk would visit every old lot).
                chosen: ColumnElement[bool] = lots.id.in_(_ON_HAND)
            else:
                # Much stock, or a window of days: walk the lots in expiry order until `limit` have stock.
                chosen = _ON_HAND.where(t.balances.c.lot_id == lots.id).exists()
            ids: list[int] = list(
                conn.execute(select(lots.id).where(chosen, *window).order_by(*order).limit(limit)).scalars()
            )
            rows = {r.id: r for r in conn.execute(_STOCKED, {"ids": ids})} if ids else {}
            held = self._held(conn, ids)
        return [
            StockedLot(LotKey(r.sku, r.code), r.name, r.uom, r.expiry, from_micro(r.qty), r.id in held)
            for r in (rows[i] for i in ids if i in rows)  # stock gone since the first read: left out
        ]

    def _little_stock(self, conn: Connection) -> bool:
        """Whether fewer than LITTLE_STOCK balance rows are on hand (counted no further than that)."""
        probe = _ON_HAND.limit(LITTLE_STOCK).subquery()
        return int(conn.execute(select(func.count()).select_from(probe)).scalar_one()) < LITTLE_STOCK

    def _held(self, conn: Connection, lot_ids: list[int]) -> set[int]:
        if not lot_ids:
            return set()
        query = select(t.holds.c.lot_id).where(t.holds.c.lot_id.in_(lot_ids), t.holds.c.released_by.is_(None))
        return set(conn.execute(query).scalars())

    def latest_events(self, limit: int) -> list[RecentEvent]:
        """The last `limit` events recorded, newest first, each with the first few lots it touched."""
        query = select_events(EventFilter()).order_by(t.events.c.seq.desc()).limit(limit)
        with reading(self.engine) as conn:
            return [self._with_lots(conn, row) for row in conn.execute(query).all()]

    def _with_lots(self, conn: Connection, row: Any) -> RecentEvent:
        lots = [LotKey(r.sku, r.code) for r in conn.execute(_EVENT_LOTS, {"event": row.id})]
        more = 0
        if len(lots) > LOTS_SHOWN:
            more = conn.execute(_EVENT_LOT_COUNT, {"event": row.id}).scalar_one() - LOTS_SHOWN
        return RecentEvent(event_record(row), lots[:LOTS_SHOWN], more)

    def newest_holds(self, limit: int) -> list[HoldRecord]:
        """Holds in force, the newest first (a recall's holds, or the hold placed an hour ago)."""
        h = t.holds.c
        query = (
            select(t.items.c.sku, t.lots.c.code, h.event_id, h.reason, t.events.c.time)
            .select_from(t.holds.join(t.lots).join(t.items).join(t.events, t.events.c.id == h.event_id))
            .where(h.released_by.is_(None))
            .order_by(t.events.c.seq.desc(), t.items.c.sku, t.lots.c.code)
            .limit(limit)
        )
        with reading(self.engine) as conn:
            return [HoldRecord(LotKey(r.sku, r.code), r.event_id, r.reason, r.time) for r in conn.execute(query)]
