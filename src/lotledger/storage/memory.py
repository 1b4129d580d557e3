"""An in-memory ledger: the same ports as the SQL ledger, for millisecond tests of every rule.

Shipped next to the SQL ledger like httpx's MockTransport. It applies the
domain's effects to plain dicts and lists and decides nothing itself: the
same `domain.recording` and `domain.master` functions accept or refuse. It
keeps events, lots, stock, holds and genealogy, and answers the stock and
lot reads (`memory_reads.py`); traces are the SQL ledger's (their SQL is
checked against a plain breadth-first search in the storage tests).
"""

from __future__ import annotations

import copy
import json
import uuid
from collections import Counter, defaultdict, deque
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from decimal import Decimal

from lotledger.domain.errors import LotledgerError
from lotledger.domain.events import Event
from lotledger.domain.master import Change, check_change
from lotledger.domain.model import Item, Location, LotKey, MasterRecord, Partner, record_code
from lotledger.domain.purchasing import OrderReads
from lotledger.domain.recording import (
    Attribution,
    Outcome,
    Policy,
    Rejected,
    Sealed,
    check_one,
    record_batch,
    record_one,
)
from lotledger.domain.records import EventRecord, Projections
from lotledger.domain.rules import Edge, Effects, Movement, StoredEvent

BalanceKey = tuple[LotKey, str, str]


@dataclass(slots=True)
class StoredLot:
    expiry: date | None
    origin: str
    supplier: str | None
    supplier_lot: str | None


@dataclass(slots=True)
class EventRow:
    record: EventRecord  # as a read answers it, but for its void (kept in MemoryState.voids)
    digest: str


@dataclass(slots=True)
class HoldRow:
    lot: LotKey
    event_id: str
    reason: str
    released_by: str | None = None


@dataclass(slots=True)
class MemoryState:
    masters: dict[type[MasterRecord], dict[str, MasterRecord]] = field(
        default_factory=lambda: {Item: {}, Location: {}, Partner: {}}
    )
    master_changes: list[tuple[str, str, Attribution]] = field(default_factory=list)
    events: dict[str, EventRow] = field(default_factory=dict)
    lots: dict[LotKey, StoredLot] = field(default_factory=dict)
    balances: dict[BalanceKey, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    movements: list[tuple[str, Movement]] = field(default_factory=list)
    movements_of: dict[str, list[Movement]] = field(default_factory=dict)  # by event: what a void reverses
    received: dict[tuple[str, LotKey], Decimal] = field(default_factory=dict)  # customer, lot: shipped less returned
    edges: dict[str, list[Edge]] = field(default_factory=dict)  # by the event that made them
    children: dict[LotKey, Counter[LotKey]] = field(default_factory=lambda: defaultdict(Counter))
    event_lots: dict[str, list[LotKey]] = field(default_factory=dict)
    holds: list[HoldRow] = field(default_factory=list)
    holds_of: dict[LotKey, list[HoldRow]] = field(default_factory=dict)  # the same rows, by lot
    containers: dict[str, set[BalanceKey]] = field(default_factory=dict)  # what each container ever held
    voids: dict[str, str] = field(default_factory=dict)  # target -> void


class MemoryTransaction:
    """The domain's `Transaction` port over a `MemoryState`."""

    def __init__(self, state: MemoryState, now: datetime) -> None:
        self.state = state
        self.now = now

    # --- LedgerView -------------------------------------------------------------------

    def item(self, sku: str) -> Item | None:
        found = self.state.masters[Item].get(sku)
        return found if isinstance(found, Item) else None

    def location_active(self, code: str) -> bool | None:
        found = self.state.masters[Location].get(code)
        return None if found is None else found.active

    def partner(self, code: str) -> Partner | None:
        found = self.state.masters[Partner].get(code)
        return found if isinstance(found, Partner) else None

    def lot_exists(self, lot: LotKey) -> bool:
        return lot in self.state.lots

    def expiry(self, lot: LotKey) -> date | None:
        stored = self.state.lots.get(lot)
        return stored.expiry if stored else None

    def balance(self, lot: LotKey, location: str, container: str) -> Decimal:
        return self.state.balances.get((lot, location, container), Decimal(0))

    def hold_reason(self, lot: LotKey) -> str | None:
        holds = self.state.holds_of.get(lot, ())
        in_force = sorted((h for h in holds if h.released_by is None), key=_by_event)
        return f"hold {in_force[0].event_id}: {in_force[0].reason}" if in_force else None

    def container_contents(self, sscc: str) -> list[tuple[LotKey, str, Decimal]]:
        balances = self.state.balances
        keys = sorted(self.state.containers.get(sscc, ()))
        return [
            (lot, location, balances[(lot, location, box)])
            for lot, location, box in keys
            if balances[(lot, location, box)] > 0
        ]

    def received_by(self, customer: str, lot: LotKey) -> Decimal:
        return self.state.received.get((customer, lot), Decimal(0))

    def descendants(self, lots: list[LotKey]) -> list[LotKey]:
        children = self.state.children
        found: dict[LotKey, None] = {}
        queue = deque(lots)
        while queue:
            for child in sorted(children.get(queue.popleft(), ())):
                if child not in found and child not in lots:
                    found[child] = None
                    queue.append(child)
        return list(found)

    def stored_event(self, event_id: str) -> StoredEvent | None:
        row = self.state.events.get(event_id)
        if row is None:
            return None
        movements = self.state.movements_of.get(event_id, [])
        return StoredEvent(row.record.type, self.state.voids.get(event_id), movements, self.state.event_lots[event_id])

    def event_digest(self, event_id: str) -> str | None:
        row = self.state.events.get(event_id)
        return row.digest if row else None

    def received(self, reference: str, partner: str, excluding: Collection[str]) -> dict[str, Decimal]:
        return self._under("receive", reference, partner, excluding)

    def shipped(self, reference: str, partner: str, excluding: Collection[str]) -> dict[str, Decimal]:
        return {sku: -qty for sku, qty in self._under("ship", reference, partner, excluding).items()}

    def _under(self, kind: str, reference: str, partner: str, excluding: Collection[str]) -> dict[str, Decimal]:
        """{sku: net movement} of the `kind` events under `reference` with `partner`, voided ones left out."""
        totals: dict[str, Decimal] = defaultdict(Decimal)
        for event_id, row in self.state.events.items():
            record = row.record
            if record.type != kind or record.reference != reference or record.document.get("partner") != partner:
                continue
            if event_id in self.state.voids or event_id in excluding:
                continue
            for movement in self.state.movements_of.get(event_id, []):
                totals[movement.lot.sku] += movement.delta
        return dict(totals)

    # --- applying ----------------------------------------------------------------------

    def apply(self, event: Event, sealed: Sealed, effects: Effects, attribution: Attribution) -> None:
        state, event_id = self.state, str(event.id)
        record = EventRecord(
            len(state.events) + 1,
            event_id,
            event.type,
            event.time,
            event.location,
            event.reference,
            self.now,
            attribution.recorded_by,
            attribution.client,
            None,
            json.loads(sealed.text),
        )
        state.events[event_id] = EventRow(record, sealed.digest)
        for new in effects.new_lots:
            state.lots.setdefault(new.key, StoredLot(new.expiry, new.origin, new.supplier, new.supplier_lot))
        for movement in effects.movements:
            key = (movement.lot, movement.location, movement.container)
            state.balances[key] += movement.delta
            assert state.balances[key] >= 0, f"balance of {key} below zero: the rules let it through"
            state.movements.append((event_id, movement))
            state.movements_of.setdefault(event_id, []).append(movement)
            if movement.container:
                state.containers.setdefault(movement.container, set()).add(key)
            if movement.partner and movement.kind in _CUSTOMER:
                customer = (movement.partner, movement.lot)
                state.received[customer] = state.received.get(customer, Decimal(0)) - movement.delta
        if effects.edges:
            state.edges[event_id] = list(effects.edges)
            for edge in effects.edges:
                state.children[edge.parent][edge.child] += 1
        state.event_lots[event_id] = list(effects.touched)
        reason = getattr(event, "reason", "")
        for lot in effects.holds:
            placed = HoldRow(lot, event_id, reason)
            state.holds.append(placed)
            state.holds_of.setdefault(lot, []).append(placed)
        for lot in effects.releases:
            for hold in state.holds_of.get(lot, ()):
                if hold.released_by is None:
                    hold.released_by = event_id
        if effects.void_target:
            target = effects.void_target
            state.voids[target] = event_id
            for edge in state.edges.pop(target, []):
                state.children[edge.parent][edge.child] -= 1
                if not state.children[edge.parent][edge.child]:
                    del state.children[edge.parent][edge.child]
            state.holds = [h for h in state.holds if h.event_id != target]
            state.holds_of = {}
            for hold in state.holds:
                state.holds_of.setdefault(hold.lot, []).append(hold)
                if hold.released_by == target:
                    hold.released_by = None


_CUSTOMER = ("ship", "return")


def _by_event(hold: HoldRow) -> str:
    return hold.event_id


class MemoryLedger:
    """Events and master data in memory, through the same domain decisions as `SqlLedger`."""

    def __init__(self, policy: Policy | None = None, clock: Callable[[], datetime] | None = None) -> None:
        self.state = MemoryState()
        self.policy = policy or Policy()
        self.clock = clock or (lambda: datetime.now(UTC))

    def record_many(
        self,
        events: Sequence[Event],
        attributions: Sequence[Attribution],
        *,
        atomic: bool,
        guard: Callable[[OrderReads], None] | None = None,
        sealed: Sequence[Sealed | None] | None = None,
    ) -> list[Outcome]:
        """All or nothing (atomic) or each event alone, as the SQL ledger does."""
        events = [e if e.id else replace(e, id=str(uuid.uuid4())) for e in events]
        before = copy.deepcopy(self.state)
        tx = MemoryTransaction(self.state, self.clock())
        try:
            if guard is not None:
                guard(tx)
            return record_batch(tx, events, attributions, atomic=atomic, policy=self.policy, sealed=sealed)
        except BaseException:
            self.state = before  # a transaction that fails leaves nothing behind
            raise

    def check(self, event: Event) -> None:
        """Raise what recording `event` now would be refused for (nothing is applied)."""
        check_one(MemoryTransaction(self.state, self.clock()), event, self.policy)

    def rehearse(self, records: Sequence[Event | MasterRecord], attribution: Attribution) -> list[Outcome | bool]:
        """What importing `records` would do, each on its own and in order; the state is put back after."""
        before = copy.deepcopy(self.state)
        outcomes: list[Outcome | bool] = []
        try:
            for index, record in enumerate(records):
                if isinstance(record, Event):
                    outcomes += self.record_many([record], [attribution], atomic=False)
                    continue
                try:
                    outcomes.append(self.save(record, attribution))
                except LotledgerError as error:
                    outcomes.append(Rejected(index, error))
        finally:
            self.state = before
        return outcomes

    def replay(self, event: Event, attribution: Attribution, recorded_at: datetime) -> None:
        """Record one already-recorded event again, as of when it was recorded (for `verify`): no
        copy to roll back to, since a refusal here ends the replay."""
        record_one(MemoryTransaction(self.state, recorded_at), event, attribution, self.policy)

    def projections(self) -> Projections:
        state = self.state
        return Projections(
            {key: qty for key, qty in state.balances.items() if qty},
            frozenset((h.lot, h.event_id) for h in state.holds if h.released_by is None),
            dict(state.voids),
            frozenset((edge.parent, edge.child, event_id) for event_id, edges in state.edges.items() for edge in edges),
        )

    def save(self, record: MasterRecord, attribution: Attribution, change: Change = Change.SAVE) -> bool:
        if not check_change(record, _MasterView(self.state), change):
            return False
        self.state.masters[type(record)][record_code(record)] = record
        self.state.master_changes.append((type(record).__name__.lower(), json.dumps(str(record)), attribution))
        return True


class _MasterView:
    def __init__(self, state: MemoryState) -> None:
        self.state = state

    def master(self, kind: type[MasterRecord], code: str) -> MasterRecord | None:
        return self.state.masters[kind].get(code)

    def item_has_lots(self, sku: str) -> bool:
        return any(lot.sku == sku for lot in self.state.lots)

    def item_with_gtin(self, gtin: str) -> str | None:
        return next((i.sku for i in self.state.masters[Item].values() if isinstance(i, Item) and i.gtin == gtin), None)
