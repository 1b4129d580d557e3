"""The record as `lotledger verify` reads it: the chain, the history in order, and the projections."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy import Connection, Engine, select

from lotledger.domain.chain import StoredLink
from lotledger.domain.events import Event, parse_event
from lotledger.domain.model import Item, Location, LotKey, MasterRecord, Partner
from lotledger.domain.quantities import from_micro
from lotledger.domain.recording import Attribution
from lotledger.domain.records import Projections
from lotledger.storage import schema as t
from lotledger.storage.chain_store import event_count, link_at, stored_links
from lotledger.storage.derived_check import derived_differences
from lotledger.storage.engine import reading

_MASTER: dict[str, type[Item] | type[Location] | type[Partner]] = {
    "item": Item,
    "location": Location,
    "partner": Partner,
}
Entry = tuple[datetime, int, MasterRecord | Event, Attribution]


class SqlRecord:
    def __init__(self, engine: Engine, snapshot: Connection | None = None) -> None:
        self.engine = engine
        self._snapshot = snapshot

    @contextmanager
    def snapshot(self) -> Iterator[SqlRecord]:
        """The record as it stood at one instant, for every read made through the answer: verifying a
        database the server writes to must not compare the history of one moment with the stock of the next.

        SQLite: one read transaction (WAL keeps its snapshot). PostgreSQL: REPEATABLE READ, read only."""
        if self._snapshot is not None:
            yield self
            return
        with self.engine.connect() as conn:
            if conn.dialect.name == "postgresql":
                conn = conn.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
            else:
                conn = conn.execution_options(readonly=True)
            with conn.begin():
                yield SqlRecord(self.engine, conn)

    @contextmanager
    def _reading(self) -> Iterator[Connection]:
        if self._snapshot is not None:
            yield self._snapshot
            return
        with reading(self.engine) as conn:
            yield conn

    def chain(self) -> Iterator[StoredLink]:
        with self._reading() as conn:
            yield from stored_links(conn)

    def link_at(self, position: int) -> str | None:
        with self._reading() as conn:
            return link_at(conn, position)

    def event_count(self) -> int:
        with self._reading() as conn:
            return event_count(conn)

    def history(self) -> Iterator[Entry]:
        """Master-data changes and events in the order they were recorded (master data first on a tie)."""
        with self._reading() as conn:
            m, e = t.master_changes.c, t.events.c
            changes = conn.execute(
                select(m.recorded_at, m.document, m.recorded_by, m.client).order_by(m.recorded_at, m.seq)
            ).all()
            events = conn.execution_options(yield_per=10_000).execute(
                select(e.recorded_at, e.document, e.recorded_by, e.client).order_by(e.seq)
            )
            pending = iter(changes)
            change = next(pending, None)
            for row in events:
                while change is not None and change.recorded_at <= row.recorded_at:
                    yield _master(change)
                    change = next(pending, None)
                yield (
                    row.recorded_at,
                    1,
                    parse_event(json.loads(row.document)),
                    Attribution(row.recorded_by, row.client),
                )
            while change is not None:
                yield _master(change)
                change = next(pending, None)

    def derived_differences(self, most: int = 20) -> list[str]:
        """The closure, reach and descendant tables against the same computed whole (`derived_check`)."""
        with self._reading() as conn:
            return derived_differences(conn, most)

    def projections(self) -> Projections:
        with self._reading() as conn:
            lots = {
                row.id: LotKey(row.sku, row.code)
                for row in conn.execute(
                    select(t.lots.c.id, t.items.c.sku, t.lots.c.code).select_from(t.lots.join(t.items))
                )
            }
            places = {row.id: row.code for row in conn.execute(select(t.locations.c.id, t.locations.c.code))}
            b, h, v, g = t.balances.c, t.holds.c, t.voids.c, t.lot_edges.c
            balances = {
                (lots[r.lot_id], places[r.location_id], r.container): from_micro(r.qty)
                for r in conn.execute(select(b.lot_id, b.location_id, b.container, b.qty).where(b.qty != 0))
            }
            holds = frozenset(
                (lots[r.lot_id], r.event_id)
                for r in conn.execute(select(h.lot_id, h.event_id).where(h.released_by.is_(None)))
            )
            voids = {r.target_id: r.void_id for r in conn.execute(select(v.target_id, v.void_id))}
            edges = frozenset(
                (lots[r.parent_id], lots[r.child_id], r.event_id)
                for r in conn.execute(select(g.parent_id, g.child_id, g.event_id))
            )
        return Projections(balances, holds, voids, edges)


def _master(change: object) -> Entry:
    document = json.loads(change.document)  # type: ignore[attr-defined]
    record = _MASTER[document["type"]].parse(document)
    return change.recorded_at, 0, record, Attribution(change.recorded_by, change.client)  # type: ignore[attr-defined]
