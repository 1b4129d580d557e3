"""What a trace answers, and the quantity-exposure arithmetic.

Storage finds the lots and facts; these plain records carry them to every
interface, and `exposure` attributes a source lot's quantity downstream.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from lotledger.domain.model import LotKey
from lotledger.domain.quantities import from_micro, to_micro


@dataclass(frozen=True, slots=True)
class TraceLot:
    lot: LotKey
    depth: int
    origin: str
    expiry: date | None
    held: bool


@dataclass(frozen=True, slots=True)
class TraceEdge:
    parent: LotKey
    child: LotKey
    event_id: str
    time: datetime
    parent_qty: Decimal
    parent_uom: str
    child_qty: Decimal
    child_uom: str


@dataclass(frozen=True, slots=True)
class Receipt:
    lot: LotKey
    event_id: str
    time: datetime
    supplier: str | None
    supplier_lot: str | None
    reference: str | None
    location: str
    qty: Decimal
    uom: str


@dataclass(frozen=True, slots=True)
class StockLine:
    lot: LotKey
    location: str
    container: str
    qty: Decimal
    uom: str


@dataclass(frozen=True, slots=True)
class Shipment:
    lot: LotKey
    event_id: str
    time: datetime
    customer: str
    reference: str | None
    location: str
    container: str
    qty: Decimal
    uom: str


@dataclass(frozen=True, slots=True)
class CustomerTotal:
    customer: str
    shipments: int
    lots: int
    qty: dict[str, Decimal]  # per unit: a customer may get kg of one item and ea of another
    first: datetime
    last: datetime


@dataclass(slots=True)
class BackwardTrace:
    root: LotKey
    lots: list[TraceLot]
    edges: list[TraceEdge]
    receipts: list[Receipt]


@dataclass(slots=True)
class ForwardTrace:
    root: LotKey
    lots: list[TraceLot]
    on_hand: list[StockLine]
    shipments: list[Shipment]
    customers: list[CustomerTotal] = field(default_factory=list)


def customer_totals(shipments: list[Shipment]) -> list[CustomerTotal]:
    """Roll shipments up per customer, largest number of shipments first."""
    tally = CustomerTally()
    for s in shipments:
        tally.add(s.customer, s.event_id, s.lot, to_micro(s.qty), s.uom, s.time)
    return tally.totals()


class CustomerTally:
    """Shipments added up per customer one at a time, so a trace written as it is read (rows, not
    objects) ends with the same customers' totals as one built whole. It keeps each customer's
    event ids and lots (to count them), never the shipments."""

    def __init__(self) -> None:
        self._events: dict[str, set[str]] = {}
        self._lots: dict[str, set[Hashable]] = {}
        self._qty: dict[str, dict[str, int]] = {}  # micro-units per unit, in the order units came
        self._times: dict[str, tuple[datetime, datetime]] = {}

    def add(self, customer: str, event_id: str, lot: Hashable, micro_units: int, uom: str, time: datetime) -> None:
        if customer not in self._events:
            self._events[customer], self._lots[customer], self._qty[customer] = set(), set(), {}
            self._times[customer] = (time, time)
        self._events[customer].add(event_id)
        self._lots[customer].add(lot)
        qty = self._qty[customer]
        qty[uom] = qty.get(uom, 0) + micro_units
        first, last = self._times[customer]
        if time < first or time > last:
            self._times[customer] = (min(first, time), max(last, time))

    def totals(self) -> list[CustomerTotal]:
        """Per customer, largest number of shipments first."""
        totals = [
            CustomerTotal(
                customer,
                len(events),
                len(self._lots[customer]),
                {uom: from_micro(units) for uom, units in self._qty[customer].items()},
                *self._times[customer],
            )
            for customer, events in self._events.items()
        ]
        return sorted(totals, key=lambda c: (-c.shipments, c.customer))


# A forward trace as rows, for answers written as the rows come (a hub lot's 2,000,000
# descendants are never objects): plain tuples holding what the trace's records hold, in
# their order, the lot as item and code, quantities in the micro-units storage keeps.
LotRow = tuple[str, str, int, str, date | None, bool]  # sku, code, depth, origin, expiry, held
StockRow = tuple[str, str, str, str, int, str]  # sku, code, location, container, qty, uom
# sku, code, event id, time, customer, reference, location, container, qty, uom
ShipmentRow = tuple[str, str, str, datetime, str, str | None, str, str, int, str]


@dataclass(frozen=True, slots=True)
class ForwardRows:
    """A forward trace read as rows: each iterable can be read once, one after the other, while
    the read that made it is open (the customers' totals come from the shipments: `CustomerTally`)."""

    root: LotKey
    lots: Iterable[LotRow]
    on_hand: Iterable[StockRow]
    shipments: Iterable[ShipmentRow]


def forward_trace(rows: ForwardRows) -> ForwardTrace:
    """The trace's records built from its rows."""
    lots = [TraceLot(LotKey(r[0], r[1]), r[2], r[3], r[4], bool(r[5])) for r in rows.lots]
    on_hand = [StockLine(LotKey(r[0], r[1]), r[2], r[3], from_micro(r[4]), r[5]) for r in rows.on_hand]
    shipments = [Shipment(LotKey(r[0], r[1]), *r[2:8], from_micro(r[8]), r[9]) for r in rows.shipments]
    return ForwardTrace(rows.root, lots, on_hand, shipments, customer_totals(shipments))


@dataclass(frozen=True, slots=True)
class FlowEvent:
    """One produce event as exposure needs it: quantities in base units, in time order."""

    seq: int
    inputs: dict[LotKey, Decimal]
    outputs: dict[LotKey, Decimal]


@dataclass(slots=True)
class Exposure:
    root: LotKey
    uom: str
    lots: dict[LotKey, Decimal]  # how much of the root lot each lot embodies
    customers: dict[str, Decimal]  # how much of the root lot reached each customer
    on_hand: dict[LotKey, Decimal]  # how much of the root lot sits in stock, per lot


def exposure(
    root: LotKey,
    uom: str,
    created: dict[LotKey, Decimal],
    flows: list[FlowEvent],
    shipped: list[tuple[LotKey, str, Decimal]],
    stock: dict[LotKey, Decimal],
) -> Exposure:
    """Attribute the root lot's quantity downstream, proportionally through each produce event.

    A lot that embodies x of the root in its `created` total passes x*q/created
    into an event consuming q of it; the event splits what it received over its
    outputs by their quantities. Events run in recording order, so rework loops
    add up instead of looping.
    """
    embodied: dict[LotKey, Decimal] = defaultdict(Decimal)
    embodied[root] = created.get(root, Decimal(0))

    def share(lot: LotKey, qty: Decimal) -> Decimal:
        total = created.get(lot, Decimal(0))
        return embodied[lot] * qty / total if total and embodied.get(lot) else Decimal(0)

    for flow in sorted(flows, key=lambda f: f.seq):
        received = sum((share(lot, qty) for lot, qty in flow.inputs.items()), Decimal(0))
        made = sum(flow.outputs.values(), Decimal(0))
        if received and made:
            for lot, qty in flow.outputs.items():
                embodied[lot] += received * qty / made
    customers: dict[str, Decimal] = defaultdict(Decimal)
    for lot, customer, qty in shipped:
        if embodied.get(lot):
            customers[customer] += share(lot, qty)
    on_hand = {lot: share(lot, qty) for lot, qty in stock.items() if embodied.get(lot)}
    return Exposure(
        root,
        uom,
        {lot: _round(x) for lot, x in embodied.items() if x},
        {c: _round(x) for c, x in customers.items()},
        {lot: _round(x) for lot, x in on_hand.items()},
    )


def _round(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.000001")).normalize()


@dataclass(frozen=True, slots=True)
class CustomerReach:
    """What a customer received of one item from a lot and everything made from it."""

    customer: str
    item: str
    qty: Decimal
    uom: str
    lines: int  # shipment lines (a voided shipment takes its line back)


@dataclass(frozen=True, slots=True)
class StockTotal:
    location: str
    item: str
    qty: Decimal
    uom: str
    lots: int


@dataclass(slots=True)
class ForwardSummary:
    """A forward trace in totals: the first answer in a recall, in milliseconds for any lot."""

    root: LotKey
    lots: int
    lots_by_item: dict[str, int]
    held: int
    customers: list[CustomerReach]
    on_hand: list[StockTotal]
