"""One SQL write transaction: the domain reads the state, the transaction applies what it accepted.

Stock effects are kept and written in bulk (`bulk_writes.write`). Status
effects (holds placed or released, a void) reach across many lots, so the
transaction writes what is pending first and applies them straight through.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Connection, delete, insert, select, update

from lotledger.domain.events import Event
from lotledger.domain.model import LotKey
from lotledger.domain.quantities import to_micro
from lotledger.domain.recording import Attribution, Sealed
from lotledger.domain.rules import Effects, StoredEvent
from lotledger.storage import bulk_writes
from lotledger.storage import schema as t
from lotledger.storage.ledger_state import LedgerState
from lotledger.storage.purchasing import received_totals
from lotledger.storage.schema import db_time
from lotledger.storage.selling import shipped_totals
from lotledger.storage.trace import rebuild_closure


class SqlTransaction(LedgerState):
    """The domain's `Transaction` port on one SQL connection."""

    def __init__(self, conn: Connection, now: datetime) -> None:
        super().__init__(conn, now)
        self.pending = bulk_writes.PendingWrites()
        self.recorded_at = db_time(now, conn.dialect)  # every event's, formatted once

    def flush(self, *, diff_reach: bool = False) -> None:
        """Write everything accepted so far."""
        pending, self.pending = self.pending, bulk_writes.PendingWrites()
        bulk_writes.write(self, pending, diff_reach=diff_reach)

    # --- reads that need everything written ---------------------------------------------

    def descendants(self, lots: list[LotKey]) -> list[LotKey]:
        self.flush()
        ids = [lot_id for lot_id in (self.lot_id(k) for k in lots) if lot_id is not None]
        if not ids:
            return []
        below: list[int] = list(
            self.conn.execute(
                select(t.lot_closure.c.descendant_id).where(t.lot_closure.c.ancestor_id.in_(ids)).distinct()
            ).scalars()
        )
        found = self.lot_keys(sorted(set(below)))
        return [found[i] for i in sorted(found)]

    def stored_event(self, event_id: str) -> StoredEvent | None:
        self.flush()
        return self.read_stored_event(event_id)

    def received(self, reference: str, partner: str, excluding: Collection[str]) -> dict[str, Decimal]:
        """What a guard asks (`domain.purchasing.OrderReads`): receipts under `reference` from `partner`."""
        self.flush()
        return received_totals(self.conn, [(reference, partner)], excluding)[(reference, partner)]

    def shipped(self, reference: str, partner: str, excluding: Collection[str]) -> dict[str, Decimal]:
        """What a guard asks of a sales order: shipments under `reference` to `partner`."""
        self.flush()
        return shipped_totals(self.conn, [(reference, partner)], excluding)[(reference, partner)]

    # --- applying ----------------------------------------------------------------------

    def apply(self, event: Event, sealed: Sealed, effects: Effects, attribution: Attribution) -> None:
        """Take an event the rules accepted; status effects are written at once."""
        status = bool(effects.holds or effects.releases or effects.void_target)
        if status:
            self.flush()
        self._accept(event, sealed, effects, attribution)
        if status:
            self.flush()
            self._apply_status(event, effects)

    def _accept(self, event: Event, sealed: Sealed, effects: Effects, attribution: Attribution) -> None:
        event_id = str(event.id)
        self.event_ids[event_id] = sealed.digest
        partner = getattr(event, "partner", None)
        location = self.location_row(event.location)
        assert location is not None
        partner_row = self.partner_row(partner) if partner else None
        self.pending.events.append(
            (
                event_id,
                event.type,
                db_time(event.time, self.conn.dialect),
                location[0],
                partner_row[0] if partner_row else None,
                event.reference,
                sealed.text,
                sealed.digest,
                self.recorded_at,
                attribution.recorded_by,
                attribution.client,
            )
        )
        # An edge into a lot that already exists (a lot that grows, rework) can
        # join lots that have shipped already: write it alone, diffing the reach.
        joins_existing = any(self.lot_exists(edge.child) for edge in effects.edges)
        if joins_existing:
            self.flush()
        for new in effects.new_lots:
            if not self.lot_exists(new.key):
                supplier = self.partner_row(new.supplier) if new.supplier else None
                self.new_lots.add(new.key)
                self.expiries[new.key] = new.expiry
                self.pending.lots[new.key] = {
                    "code": new.key.code,
                    "expiry": new.expiry,
                    "origin": new.origin,
                    "supplier_id": supplier[0] if supplier else None,
                    "supplier_lot": new.supplier_lot,
                    "first_event_id": event_id,
                }
        for movement in effects.movements:
            key = (movement.lot, movement.location, movement.container)
            self.micro_balance(key)  # read the stored balance before it changes
            self.unflushed[key] += to_micro(movement.delta)
            if movement.container:
                self.container_keys[movement.container].add(key)
            if movement.partner:
                self.partner_row(movement.partner)  # its id is written with the movement (a void's reversal too)
            if movement.partner and movement.kind in ("ship", "return"):
                self.received_unflushed[(movement.partner, movement.lot)] -= to_micro(movement.delta)
            self.pending.movements.append((event_id, movement))
        self.pending.edges.extend((event_id, edge) for edge in effects.edges)
        if joins_existing:
            self.flush(diff_reach=True)
        self.pending.touched.extend((event_id, lot) for lot in effects.touched)

    def _apply_status(self, event: Event, effects: Effects) -> None:
        conn = self.conn
        if effects.holds:
            reason = getattr(event, "reason", "")
            conn.execute(
                insert(t.holds),
                [{"lot_id": self.lot_id(lot), "event_id": event.id, "reason": reason} for lot in effects.holds],
            )
        if effects.releases:
            conn.execute(
                update(t.holds)
                .where(t.holds.c.lot_id.in_([self.lot_id(lot) for lot in effects.releases]))
                .where(t.holds.c.released_by.is_(None))
                .values(released_by=event.id)
            )
        if effects.void_target:
            self._undo_genealogy_and_holds(str(event.id), effects.void_target)
        self.holds.clear()

    def _undo_genealogy_and_holds(self, void_id: str, target: str) -> None:
        conn = self.conn
        conn.execute(insert(t.voids).values(target_id=target, void_id=void_id))
        children: list[int] = list(
            conn.execute(select(t.lot_edges.c.child_id).where(t.lot_edges.c.event_id == target).distinct()).scalars()
        )
        if children:
            conn.execute(delete(t.lot_edges).where(t.lot_edges.c.event_id == target))
            lost = rebuild_closure(conn, children)
            if lost:
                bulk_writes.shift_pairs(conn, lost, withdraw=True)
        conn.execute(delete(t.holds).where(t.holds.c.event_id == target))
        conn.execute(update(t.holds).where(t.holds.c.released_by == target).values(released_by=None))
