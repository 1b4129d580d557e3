"""Read the events a standard export writes, in ledger order and a chunk at a time, and the master data they use."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from sqlalchemy import Connection, Engine, FromClause, exists, func, or_, select, true, union
from sqlalchemy.sql import ColumnElement

from lotledger.domain.events import parse_event
from lotledger.domain.exchange import EventSelection, LedgerEntry, UsedMaster
from lotledger.storage import schema as t
from lotledger.storage.engine import reading
from lotledger.storage.genealogy import lot_id_of
from lotledger.storage.trace import MAX_DEPTH, scope

_CHUNK = 2_000  # rows fetched at a time: a year of events is never held in memory


def _chosen(events: FromClause, selection: EventSelection) -> ColumnElement[bool]:
    """The events of `selection` in `events` (the table or an alias: a subquery must not correlate to the caller's).

    A lot's selection: every event naming a lot of its backward or forward trace (the lot included), which takes
    in the holds, releases, observations and voids that name them (a void names its target's lots)."""
    where: ColumnElement[bool] = true()
    if selection.since is not None:
        where = where & (events.c.time >= selection.since)
    if selection.until is not None:
        where = where & (events.c.time < selection.until)
    if selection.lot is not None:
        above, below = scope("up").subquery(), scope("down", include_root=False).subquery()
        named = t.event_lots.c.lot_id
        where = where & exists(
            select(t.event_lots.c.event_id).where(
                t.event_lots.c.event_id == events.c.id,
                or_(named.in_(select(above.c.lot_id)), named.in_(select(below.c.lot_id))),
            )
        )
    return where


def _trace_root(conn: Connection, selection: EventSelection) -> dict[str, Any]:
    """The parameters of the trace scope: the lot's row id (NotFound names an unknown lot) and the depth limit."""
    if selection.lot is None:
        return {}
    return {"root": lot_id_of(conn, selection.lot), "max_depth": MAX_DEPTH}


class SqlEpcisReads:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def entries(self, selection: EventSelection) -> Iterator[LedgerEntry]:
        """The selected events in ledger order, each void with the event it voids, in one read transaction."""
        e, voided = t.events.c, t.events.alias("voided")
        query = (
            select(e.document, e.recorded_at, voided.c.document.label("target"))
            .select_from(
                t.events.outerjoin(t.voids, t.voids.c.void_id == e.id).outerjoin(
                    voided, voided.c.id == t.voids.c.target_id
                )
            )
            .where(_chosen(t.events, selection))
            .order_by(e.seq)
        )
        with reading(self.engine) as conn:
            result = conn.execution_options(yield_per=_CHUNK).execute(query, _trace_root(conn, selection))
            for row in result:
                target = None if row.target is None else parse_event(json.loads(row.target))
                yield LedgerEntry(parse_event(json.loads(row.document)), row.recorded_at, target)

    def count(self, selection: EventSelection) -> int:
        """How many events `entries` gives: asked only for a progress bar."""
        query = select(func.count()).select_from(t.events).where(_chosen(t.events, selection))
        with reading(self.engine) as conn:
            return int(conn.execute(query, _trace_root(conn, selection)).scalar_one())

    def used(self, selection: EventSelection) -> UsedMaster:
        """The items, locations and partners the selected events (and the events their voids void) name."""
        chosen = t.events.alias("chosen")
        picked = select(chosen.c.id).where(_chosen(chosen, selection))
        ids = union(picked, select(t.voids.c.target_id).where(t.voids.c.void_id.in_(picked))).subquery()
        in_ids = select(ids.c.id)
        e, m = t.events.c, t.movements.c
        items = (
            select(t.items.c.sku)
            .distinct()
            .select_from(t.event_lots.join(t.lots).join(t.items))
            .where(t.event_lots.c.event_id.in_(in_ids))
        )
        places = union(
            select(e.location_id).where(e.id.in_(in_ids)), select(m.location_id).where(m.event_id.in_(in_ids))
        ).subquery()
        locations = select(t.locations.c.code).where(t.locations.c.id.in_(select(places.c.location_id)))
        partners = select(t.partners.c.code).where(
            t.partners.c.id.in_(select(e.partner_id).where(e.id.in_(in_ids), e.partner_id.is_not(None)))
        )
        with reading(self.engine) as conn:
            parameters = _trace_root(conn, selection)
            return UsedMaster(
                frozenset(conn.execute(items, parameters).scalars()),
                frozenset(conn.execute(locations, parameters).scalars()),
                frozenset(conn.execute(partners, parameters).scalars()),
            )


__all__ = ["SqlEpcisReads"]
