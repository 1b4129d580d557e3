"""A lot's events newest first, a page at a time, and one event by its id.

A hub lot is named by 70,000 events: reading them all to show the latest 50
would cost more than the whole page may. So the page is found one of two
ways, whichever touches fewer rows: the lot's own events (its event_lots
range, sorted), or the plant's events newest first, kept while they name
the lot (a hub lot is named by every few events, so 50 come quickly).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, and_, func, or_, select

from lotledger.domain.errors import NotFound
from lotledger.domain.model import LotKey
from lotledger.domain.records import EventFilter, EventRecord
from lotledger.storage import schema as t
from lotledger.storage.catalog import event_record, select_events
from lotledger.storage.engine import reading
from lotledger.storage.genealogy import lot_id_of

Position = tuple[datetime, int]  # an event's time and sequence number: where a page ends


class SqlLotEvents:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def lot_events(self, key: LotKey, before: Position | None = None, limit: int = 50) -> list[EventRecord]:
        """The lot's events by time, newest first, those before `before` (time, seq) only."""
        e = t.events.c
        with reading(self.engine) as conn:
            lot_id = lot_id_of(conn, key)
            named = select(func.count()).where(t.event_lots.c.lot_id == lot_id).scalar_subquery()
            counts = conn.execute(select(named, func.coalesce(func.max(e.seq), 0))).one()
            mine, everyone = int(counts[0]), int(counts[1])
            query = select_events(EventFilter())
            # Expected rows scanned newest first until `limit` of them name the lot, against all of its own.
            if mine and limit * everyone / mine < mine:
                query = query.where(
                    select(t.event_lots.c.lot_id)
                    .where(t.event_lots.c.lot_id == lot_id, t.event_lots.c.event_id == e.id)
                    .exists()
                )
            else:
                query = query.where(e.id.in_(select(t.event_lots.c.event_id).where(t.event_lots.c.lot_id == lot_id)))
            if before is not None:
                time, seq = before
                query = query.where(or_(e.time < time, and_(e.time == time, e.seq < seq)))
            rows = conn.execute(query.order_by(e.time.desc(), e.seq.desc()).limit(limit))
            return [event_record(row) for row in rows]

    def event(self, event_id: str) -> EventRecord:
        with reading(self.engine) as conn:
            row = conn.execute(select_events(EventFilter()).where(t.events.c.id == event_id)).first()
        if row is None:
            raise NotFound(f"no event has the id {event_id!r}", "id")
        return event_record(row)
