"""The SQL ledger: record events with their projections in one transaction.

Stock events (receive, produce, move, pack, unpack, ship, return, adjust,
observe) are checked against a `Unit`'s working state and written in bulk.
Status events (hold, release, void) are rare and reach across many lots, so
the unit is flushed first and they are written straight through, inside a
savepoint so a refusal halfway leaves nothing behind.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, delete, insert, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError

from lotledger.domain import events as ev
from lotledger.domain.errors import (
    Conflict,
    IdempotencyConflict,
    LotledgerError,
    NotFound,
    ValidationError,
)
from lotledger.domain.model import Item, Location, LotKey, Partner
from lotledger.domain.quantities import from_micro
from lotledger.domain.rules import Effects, Movement, check_effects, plan_effects, reverse
from lotledger.storage import schema as t
from lotledger.storage.trace import rebuild_closure
from lotledger.storage.unit import Attribution, Sealed, Unit, seal

_RETRIES = 5


@dataclass(frozen=True, slots=True)
class Recorded:
    """The answer to recording an event; a retry of the same event gets the same answer."""

    id: str
    type: str
    duplicate: bool = False


@dataclass(frozen=True, slots=True)
class Rejected:
    """An event a non-atomic batch refused, with its position in the batch."""

    index: int
    error: LotledgerError


class BatchRejected(LotledgerError):
    """An all-or-nothing batch refused because of one event; nothing was recorded."""

    def __init__(self, index: int, error: LotledgerError) -> None:
        field = f"events[{index}].{error.field}" if error.field else f"events[{index}]"
        super().__init__(error.message, field)
        self.index = index
        self.error = error


class SqlLedger:
    """Events and projections on SQLite or PostgreSQL through one SQLAlchemy engine."""

    def __init__(self, engine: Engine, clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.engine = engine
        self.clock = clock

    # --- events ---------------------------------------------------------------

    def record(self, event: ev.Event, attribution: Attribution) -> Recorded:
        """Record one event and its effects, or raise and change nothing."""
        outcome = self.record_many([event], attribution, atomic=True)[0]
        assert isinstance(outcome, Recorded)
        return outcome

    def record_many(
        self, events: Sequence[ev.Event], attribution: Attribution | Sequence[Attribution], *, atomic: bool
    ) -> list[Recorded | Rejected]:
        """Record a batch in one transaction.

        atomic=True: all or nothing, the first refusal raises BatchRejected.
        atomic=False: refused events are returned as Rejected, the rest recorded.
        `attribution` is one for all events, or one per event (group commit).
        """
        events = [e if e.id else replace(e, id=str(uuid.uuid4())) for e in events]
        for attempt in range(_RETRIES):
            try:
                return self._record_once(events, attribution, atomic)
            except (IntegrityError, DBAPIError) as error:
                # A concurrent writer won a race (same id, same new lot, a
                # deadlock): run again, and the state it left decides.
                if attempt == _RETRIES - 1 or getattr(error, "connection_invalidated", False):
                    raise
        raise AssertionError("unreachable")

    def _record_once(
        self, events: list[ev.Event], attribution: Attribution | Sequence[Attribution], atomic: bool
    ) -> list[Recorded | Rejected]:
        outcomes: list[Recorded | Rejected] = []
        each = [attribution] * len(events) if isinstance(attribution, Attribution) else list(attribution)
        with self.engine.begin() as conn:
            unit = Unit(conn, each[0] if each else Attribution("", ""), self.clock())
            unit.preload(events)
            for index, event in enumerate(events):
                unit.attribution = each[index]
                try:
                    outcomes.append(self._take(unit, event))
                except LotledgerError as error:
                    if atomic:
                        raise BatchRejected(index, error) if len(events) > 1 else error from None
                    outcomes.append(Rejected(index, error))
            unit.flush()
        return outcomes

    def _take(self, unit: Unit, event: ev.Event) -> Recorded:
        event_id = str(event.id)
        sealed = seal(event)
        known = unit.known_hash(event_id)
        if known is not None:
            if known != sealed.digest:
                raise IdempotencyConflict(f"event {event_id} is already recorded with a different body", "id")
            return Recorded(event_id, event.type, duplicate=True)
        if isinstance(event, (ev.Hold, ev.Release, ev.Void)):
            unit.flush()
            with unit.conn.begin_nested():
                _STATUS_WRITERS[type(event)](unit, event, sealed)
            unit.forget_holds()
        else:
            effects = plan_effects(event, unit)
            check_effects(effects, unit)
            unit.accept(event, sealed, effects)
        return Recorded(event_id, event.type)

    # --- master data ------------------------------------------------------------

    def save(self, record: Item | Location | Partner, attribution: Attribution) -> bool:
        """Create or change an item, location or partner, recording the change; False if unchanged."""
        with self.engine.begin() as conn:
            if isinstance(record, Item):
                code, table, values = record.sku, t.items, self._item_values(conn, record)
            elif isinstance(record, Location):
                code, table, values = record.code, t.locations, self._location_values(conn, record)
            else:
                code, table, values = record.code, t.partners, _partner_values(record)
            key = table.c.sku if table is t.items else table.c.code
            existing = conn.execute(select(table).where(key == code)).mappings().first()
            if existing is None:
                conn.execute(insert(table).values(values))
            elif all(existing[name] == value for name, value in values.items()):
                return False  # unchanged: nothing to record
            else:
                conn.execute(update(table).where(table.c.id == existing["id"]).values(values))
            conn.execute(
                insert(t.master_changes).values(
                    kind=type(record).__name__.lower(),
                    code=code,
                    document=json.dumps(_master_document(record), sort_keys=True),
                    recorded_at=self.clock(),
                    recorded_by=attribution.recorded_by,
                    client=attribution.client,
                )
            )
        return True

    def _item_values(self, conn: Connection, item: Item) -> dict[str, Any]:
        row = conn.execute(select(t.items.c.id, t.items.c.uom).where(t.items.c.sku == item.sku)).first()
        if row is not None and row.uom != item.uom:
            has_lots = conn.execute(select(t.lots.c.id).where(t.lots.c.item_id == row.id).limit(1)).first()
            if has_lots:
                raise ValidationError(
                    f"item {item.sku} already has lots in {row.uom}; its base unit cannot become {item.uom}",
                    "uom",
                )
        if item.gtin:
            owner = conn.execute(select(t.items.c.sku).where(t.items.c.gtin == item.gtin)).scalar()
            if owner is not None and owner != item.sku:
                raise Conflict(f"GTIN {item.gtin} already belongs to item {owner}", "gtin")
        return {
            "sku": item.sku,
            "name": item.name,
            "uom": item.uom,
            "gtin": item.gtin,
            "shelf_life_days": item.shelf_life_days,
            "active": item.active,
        }

    def _location_values(self, conn: Connection, location: Location) -> dict[str, Any]:
        parent_id = None
        if location.parent is not None:
            parent_id = conn.execute(select(t.locations.c.id).where(t.locations.c.code == location.parent)).scalar()
            if parent_id is None:
                raise NotFound(f"unknown parent location {location.parent!r}", "parent")
            if location.code in _location_ancestry(conn, location.parent):
                raise ValidationError(f"{location.parent} is inside {location.code}; that would make a loop", "parent")
        return {
            "code": location.code,
            "name": location.name,
            "kind": location.kind,
            "parent_id": parent_id,
            "gln": location.gln,
            "active": location.active,
        }


def _partner_values(partner: Partner) -> dict[str, Any]:
    return {
        "code": partner.code,
        "name": partner.name,
        "role": partner.role,
        "gln": partner.gln,
        "active": partner.active,
    }


def _master_document(record: Item | Location | Partner) -> dict[str, Any]:
    kind = type(record).__name__.lower()
    fields = {name: getattr(record, name) for name in record.__dataclass_fields__}
    return {"type": kind, **{k: v for k, v in fields.items() if v is not None}}


def _location_ancestry(conn: Connection, code: str) -> list[str]:
    chain, seen = [], set()
    current: str | None = code
    while current is not None and current not in seen:
        seen.add(current)
        chain.append(current)
        parent = t.locations.alias("parent")
        current = conn.execute(
            select(parent.c.code)
            .select_from(t.locations.join(parent, t.locations.c.parent_id == parent.c.id))
            .where(t.locations.c.code == current)
        ).scalar()
    return chain


# --- status events, written straight through ------------------------------------


def _lots_in_scope(unit: Unit, lots: Iterable[LotKey], scope: str) -> dict[int, LotKey]:
    """The named lots, and with scope=downstream every lot made from them."""
    ids = [lot_id for lot_id in (unit.lot_id(k) for k in lots) if lot_id is not None]
    if scope == "downstream" and ids:
        below: Iterable[int] = unit.conn.execute(
            select(t.lot_closure.c.descendant_id).where(t.lot_closure.c.ancestor_id.in_(ids)).distinct()
        ).scalars()
        ids = sorted(set(ids) | set(below))
    return unit.lot_keys(ids)


def _write_hold(unit: Unit, event: ev.Event, sealed: Sealed) -> None:
    assert isinstance(event, ev.Hold)
    effects = plan_effects(event, unit)
    scoped = _lots_in_scope(unit, event.lots, event.scope)
    effects.touched = list(scoped.values())
    unit.accept(event, sealed, effects)
    unit.flush()
    unit.conn.execute(
        insert(t.holds),
        [{"lot_id": lot_id, "event_id": event.id, "reason": event.reason} for lot_id in scoped],
    )


def _write_release(unit: Unit, event: ev.Event, sealed: Sealed) -> None:
    assert isinstance(event, ev.Release)
    effects = plan_effects(event, unit)
    for i, lot in enumerate(event.lots):
        if unit.hold_reason(lot) is None:
            raise Conflict(f"lot {lot} is not on hold", f"lots[{i}]")
    scoped = _lots_in_scope(unit, event.lots, event.scope)
    effects.touched = list(scoped.values())
    unit.accept(event, sealed, effects)
    unit.flush()
    unit.conn.execute(
        update(t.holds)
        .where(t.holds.c.lot_id.in_(list(scoped)), t.holds.c.released_by.is_(None))
        .values(released_by=event.id)
    )


def _write_void(unit: Unit, event: ev.Event, sealed: Sealed) -> None:
    assert isinstance(event, ev.Void)
    conn = unit.conn
    target = conn.execute(select(t.events.c.type).where(t.events.c.id == event.target)).first()
    if target is None:
        raise NotFound(f"no event {event.target} to void", "target")
    if target.type == "void":
        raise ValidationError("a void cannot be voided; record the original event again instead", "target")
    voided_by = conn.execute(select(t.voids.c.void_id).where(t.voids.c.target_id == event.target)).scalar()
    if voided_by is not None:
        raise Conflict(f"event {event.target} is already voided by {voided_by}", "target")
    rows = conn.execute(
        select(
            t.movements.c.lot_id,
            t.movements.c.location_id,
            t.movements.c.container,
            t.movements.c.kind,
            t.movements.c.qty,
            t.partners.c.code.label("partner"),
        )
        .select_from(t.movements.outerjoin(t.partners))
        .where(t.movements.c.event_id == event.target)
        .order_by(t.movements.c.id)
    ).all()
    touched_ids: list[int] = list(
        conn.execute(select(t.event_lots.c.lot_id).where(t.event_lots.c.event_id == event.target)).scalars()
    )
    lot_keys = unit.lot_keys(sorted({r.lot_id for r in rows} | set(touched_ids)))
    codes = unit.location_codes(sorted({r.location_id for r in rows}))
    for partner in {r.partner for r in rows if r.partner}:
        unit.partner_row(partner)
    stored = [
        Movement(lot_keys[r.lot_id], codes[r.location_id], r.container, from_micro(r.qty), r.kind, "", r.partner)
        for r in rows
    ]
    effects = Effects(movements=reverse(stored), touched=[lot_keys[i] for i in touched_ids])
    check_effects(effects, unit)
    unit.accept(event, sealed, effects)
    unit.flush()
    conn.execute(insert(t.voids).values(target_id=event.target, void_id=event.id))
    children: list[int] = list(
        conn.execute(select(t.lot_edges.c.child_id).where(t.lot_edges.c.event_id == event.target).distinct())
        .scalars()
        .all()
    )
    if children:
        conn.execute(delete(t.lot_edges).where(t.lot_edges.c.event_id == event.target))
        lost = rebuild_closure(conn, list(children))
        if lost:
            unit.shift_reach(lost, withdraw=True)
    conn.execute(delete(t.holds).where(t.holds.c.event_id == event.target))
    conn.execute(update(t.holds).where(t.holds.c.released_by == event.target).values(released_by=None))


_STATUS_WRITERS: dict[type[ev.Event], Callable[[Unit, ev.Event, Sealed], None]] = {
    ev.Hold: _write_hold,
    ev.Release: _write_release,
    ev.Void: _write_void,
}

__all__ = ["BatchRejected", "Recorded", "Rejected", "SqlLedger"]
