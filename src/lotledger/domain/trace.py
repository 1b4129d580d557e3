"""What a trace answers, and the quantity-exposure arithmetic.

Storage finds the lots and facts; these plain records carry them to every
interface, and `exposure` attributes a source lot's quantity downstream.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from lotledger.domain.model import LotKey


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
    groups: dict[str, list[Shipment]] = defaultdict(list)
    for shipment in shipments:
        groups[shipment.customer].append(shipment)
    totals = []
    for customer, group in groups.items():
        qty: dict[str, Decimal] = defaultdict(Decimal)
        for shipment in group:
            qty[shipment.uom] += shipment.qty
        times = [s.time for s in group]
        totals.append(
            CustomerTotal(
                customer,
                len({s.event_id for s in group}),
                len({s.lot for s in group}),
                dict(qty),
                min(times),
                max(times),
            )
        )
    return sorted(totals, key=lambda c: (-c.shipments, c.customer))


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
