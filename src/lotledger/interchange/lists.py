"""The ledger's lists as tables (`tables.Table`): events, a lot's history, stock on hand, a trace, an exposure.

Each column holds what the JSON answer of the same query holds, under a name a person reads; times
are in UTC, as in the JSON, and the column says so. A trace is one table: a row for each lot reached,
each genealogy edge, each receipt at its end, each shipment and each stock line, with the direction,
the level and what the row records in the first columns.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sized

from lotledger.domain import trace as tr
from lotledger.domain.model import LotKey
from lotledger.domain.quantities import from_micro
from lotledger.domain.records import EventRecord
from lotledger.interchange.jsonout import jsonable
from lotledger.interchange.tables import Table, Value, file_name

EVENT_HEADERS = (
    "seq",
    "event id",
    "type",
    "time (UTC)",
    "location",
    "reference",
    "recorded at (UTC)",
    "recorded by",
    "client",
    "voided by",
    "document (JSON)",
)
BALANCE_HEADERS = ("item", "lot", "location", "container", "qty", "uom")
TRACE_HEADERS = (
    "direction",
    "level",
    "record",
    "item",
    "lot",
    "origin",
    "expiry",
    "held",
    "event id",
    "time (UTC)",
    "location",
    "container",
    "partner",
    "supplier lot",
    "reference",
    "qty",
    "uom",
    "parent item",
    "parent lot",
    "parent qty",
    "parent uom",
)
EXPOSURE_HEADERS = ("record", "item", "lot", "customer", "qty", "uom")


def _event_row(e: EventRecord) -> list[Value]:
    document = json.dumps(jsonable(e.document), ensure_ascii=False, separators=(",", ":"))
    return [
        e.seq,
        e.id,
        e.type,
        e.time,
        e.location,
        e.reference,
        e.recorded_at,
        e.recorded_by,
        e.client,
        e.voided_by,
        document,
    ]


def events_table(events: Iterable[EventRecord], name: str = "events") -> Table:
    """The event log (or a part of it), in recording order: a row an event, its document as JSON."""
    count = len(events) if isinstance(events, Sized) else None
    return Table(name, EVENT_HEADERS, (_event_row(e) for e in events), count)


def history_table(lot: LotKey, entries: Iterable[EventRecord]) -> Table:
    """Every event that touched `lot`."""
    return events_table(entries, file_name("history", lot.sku, lot.code))


def balances_table(lines: list[tr.StockLine], *parts: str | None) -> Table:
    """Stock on hand by lot, location and container (`parts` name the file: a location, an item, a lot)."""
    return Table(file_name("balances", *parts), BALANCE_HEADERS, (_balance_row(s) for s in lines), len(lines))


def _balance_row(s: tr.StockLine) -> list[Value]:
    return [s.lot.sku, s.lot.code, s.location, s.container, s.qty, s.uom]


def _row(direction: str, level: int | None, record: str, lot: LotKey, **cells: Value) -> list[Value]:
    named: dict[str, Value] = {"item": lot.sku, "lot": lot.code, **{k.replace("_", " "): v for k, v in cells.items()}}
    return [direction, level, record, *(named.get(header) for header in TRACE_HEADERS[3:])]


def _lots(direction: str, lots: list[tr.TraceLot]) -> Iterator[list[Value]]:
    for lot in lots:
        yield _row(direction, lot.depth, "lot", lot.lot, origin=lot.origin, expiry=lot.expiry, held=_yes(lot.held))


def _backward(trace: tr.BackwardTrace) -> Iterator[list[Value]]:
    yield from _lots("backward", trace.lots)
    for e in trace.edges:
        parent: dict[str, Value] = {
            "parent_item": e.parent.sku,
            "parent_lot": e.parent.code,
            "parent_qty": e.parent_qty,
            "parent_uom": e.parent_uom,
        }
        at: dict[str, Value] = {"event_id": e.event_id, "time (UTC)": e.time}
        yield _row("backward", None, "edge", e.child, **parent, **at, qty=e.child_qty, uom=e.child_uom)
    for r in trace.receipts:
        yield _movement("backward", "receipt", r, partner=r.supplier, supplier_lot=r.supplier_lot)


def _forward(trace: tr.ForwardTrace) -> Iterator[list[Value]]:
    yield from _lots("forward", trace.lots)
    for s in trace.shipments:
        yield _movement("forward", "shipment", s, partner=s.customer, container=s.container)
    for line in trace.on_hand:
        where: dict[str, Value] = {"location": line.location, "container": line.container}
        yield _row("forward", None, "on hand", line.lot, **where, qty=line.qty, uom=line.uom)


def _forward_rows(rows: tr.ForwardRows) -> Iterator[list[Value]]:
    """`_forward` of the records these rows make, written from the rows (in the records' order)."""
    blank = (None,) * 13  # event id ... parent uom: a lot row's last columns
    for r in rows.lots:
        yield ["forward", r[2], "lot", r[0], r[1], r[3], r[4], _yes(bool(r[5])), *blank]
    for s in rows.shipments:
        at: list[Value] = [s[2], s[3], s[6], s[7], s[4], None, s[5], from_micro(s[8]), s[9]]
        yield ["forward", None, "shipment", s[0], s[1], None, None, None, *at, None, None, None, None]
    for line in rows.on_hand:
        where: list[Value] = [None, None, line[2], line[3], None, None, None, from_micro(line[4]), line[5]]
        yield ["forward", None, "on hand", line[0], line[1], None, None, None, *where, None, None, None, None]


def _movement(direction: str, record: str, fact: tr.Receipt | tr.Shipment, **cells: Value) -> list[Value]:
    """A receipt or a shipment: its event, time, place, reference and quantity, and `cells` of its own."""
    at: dict[str, Value] = {"event_id": fact.event_id, "time (UTC)": fact.time, "location": fact.location}
    return _row(direction, None, record, fact.lot, **at, reference=fact.reference, qty=fact.qty, uom=fact.uom, **cells)


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def trace_table(
    lot: LotKey, backward: tr.BackwardTrace | None, forward: tr.ForwardTrace | tr.ForwardRows | None
) -> Table:
    """A lot's trace as one table: backward rows (lots, edges, receipts), then forward rows (lots,
    shipments, stock on hand). The customers' totals are left out: they add up the shipment rows.
    A forward trace given as rows (`ForwardRows`) is written as they are read, its count unknown."""

    def rows() -> Iterator[list[Value]]:
        if backward is not None:
            yield from _backward(backward)
        if isinstance(forward, tr.ForwardTrace):
            yield from _forward(forward)
        elif forward is not None:
            yield from _forward_rows(forward)

    count: int | None = len(backward.lots) + len(backward.edges) + len(backward.receipts) if backward else 0
    if isinstance(forward, tr.ForwardTrace):
        count = (count or 0) + len(forward.lots) + len(forward.shipments) + len(forward.on_hand)
    elif forward is not None:
        count = None
    return Table(file_name("trace", lot.sku, lot.code), TRACE_HEADERS, rows(), count)


def exposure_table(exposure: tr.Exposure) -> Table:
    """How much of the lot each lot embodies, each customer received and each lot still holds in stock."""

    def rows() -> Iterator[list[Value]]:
        for record, lots in (("lot", exposure.lots), ("on hand", exposure.on_hand)):
            for lot, qty in lots.items():
                yield [record, lot.sku, lot.code, None, qty, exposure.uom]
        for customer, amount in exposure.customers.items():
            yield ["customer", None, None, customer, amount, exposure.uom]

    root, count = exposure.root, len(exposure.lots) + len(exposure.on_hand) + len(exposure.customers)
    return Table(file_name("exposure", root.sku, root.code), EXPOSURE_HEADERS, rows(), count)
