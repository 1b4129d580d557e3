"""The ledger's lists as tables (`tables.Table`): events, a lot's history, stock on hand, a trace, an exposure.

Each column holds what the JSON answer of the same query holds, under a name a person reads; times
are in UTC, as in the JSON, and the column says so. A trace is one table: a row for each lot reached,
each genealogy edge, each receipt at its end, each shipment and each stock line, with the direction,
the level and what the row records in the first columns.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator

from lotledger.domain import trace as tr
from lotledger.domain.model import LotKey
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
    return Table(name, EVENT_HEADERS, (_event_row(e) for e in events))


def history_table(lot: LotKey, entries: Iterable[EventRecord]) -> Table:
    """Every event that touched `lot`."""
    return events_table(entries, file_name("history", lot.sku, lot.code))


def balances_table(lines: Iterable[tr.StockLine], *parts: str | None) -> Table:
    """Stock on hand by lot, location and container (`parts` name the file: a location, an item, a lot)."""
    return Table(file_name("balances", *parts), BALANCE_HEADERS, (_balance_row(s) for s in lines))


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
        yield _row("backward", None, "edge", e.child, **parent, **_at(e.event_id, e), qty=e.child_qty, uom=e.child_uom)
    for r in trace.receipts:
        yield _row(
            "backward",
            None,
            "receipt",
            r.lot,
            **_at(r.event_id, r),
            location=r.location,
            partner=r.supplier,
            supplier_lot=r.supplier_lot,
            reference=r.reference,
            qty=r.qty,
            uom=r.uom,
        )


def _forward(trace: tr.ForwardTrace) -> Iterator[list[Value]]:
    yield from _lots("forward", trace.lots)
    for s in trace.shipments:
        yield _row(
            "forward",
            None,
            "shipment",
            s.lot,
            **_at(s.event_id, s),
            location=s.location,
            container=s.container,
            partner=s.customer,
            reference=s.reference,
            qty=s.qty,
            uom=s.uom,
        )
    for line in trace.on_hand:
        yield _stock("forward", line)


def _stock(direction: str, line: tr.StockLine) -> list[Value]:
    return _row(
        direction,
        None,
        "on hand",
        line.lot,
        location=line.location,
        container=line.container,
        qty=line.qty,
        uom=line.uom,
    )


def _at(event_id: str, fact: tr.TraceEdge | tr.Receipt | tr.Shipment) -> dict[str, Value]:
    return {"event_id": event_id, "time (UTC)": fact.time}


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def trace_table(lot: LotKey, backward: tr.BackwardTrace | None, forward: tr.ForwardTrace | None) -> Table:
    """A lot's trace as one table: backward rows (lots, edges, receipts), then forward rows (lots,
    shipments, stock on hand). The customers' totals are left out: they add up the shipment rows."""

    def rows() -> Iterator[list[Value]]:
        if backward is not None:
            yield from _backward(backward)
        if forward is not None:
            yield from _forward(forward)

    return Table(file_name("trace", lot.sku, lot.code), TRACE_HEADERS, rows())


def exposure_table(exposure: tr.Exposure) -> Table:
    """How much of the lot each lot embodies, each customer received and each lot still holds in stock."""

    def rows() -> Iterator[list[Value]]:
        for record, lots in (("lot", exposure.lots), ("on hand", exposure.on_hand)):
            for lot, qty in lots.items():
                yield [record, lot.sku, lot.code, None, qty, exposure.uom]
        for customer, amount in exposure.customers.items():
            yield ["customer", None, None, customer, amount, exposure.uom]

    root = exposure.root
    return Table(file_name("exposure", root.sku, root.code), EXPOSURE_HEADERS, rows())
