"""Rich tables of purchase orders: the list with each order's status, and one order's lines, lots and receipts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, tzinfo

from rich.table import Table

from lotledger.domain.purchasing import LineProgress, OrderReport, OrderSummary
from lotledger.domain.quantities import format_qty
from lotledger.render import _when, render_rows


def _received(lines: Sequence[LineProgress]) -> str:
    """What came of each line: FLOUR 600/1000 kg."""
    return ", ".join(
        f"{p.line.item} {format_qty(p.received)}/{format_qty(p.line.ordered)} {p.line.base_uom}" for p in lines
    )


def orders_table(orders: Sequence[OrderSummary], zone: tzinfo = UTC) -> Table:
    return render_rows(
        f"Purchase orders: {len(orders)}",
        ("number", "supplier", "status", "received / ordered", "expected", "created"),
        [
            (
                s.order.number,
                s.order.supplier,
                s.status,
                _received(s.lines),
                min((str(line.expected) for line in s.order.lines if line.expected), default=""),
                _when(s.order.created_at, zone),
            )
            for s in orders
        ],
    )


def order_tables(report: OrderReport, zone: tzinfo = UTC) -> list[Table]:
    order = report.order
    decided = []
    if order.cancelled_at is not None:
        decided.append(
            ("cancelled", f"{_when(order.cancelled_at, zone)} by {order.cancelled_by}: {order.cancel_reason}")
        )
    if order.closed_at is not None:
        decided.append(("closed short", f"{_when(order.closed_at, zone)} by {order.closed_by}"))
    summary = render_rows(
        f"Purchase order {order.number}",
        ("what", "value"),
        [
            ("supplier", order.supplier),
            ("status", report.status),
            ("tolerance", f"{format_qty(order.tolerance)}%"),
            ("created", f"{_when(order.created_at, zone)} by {order.created_by}"),
            *([("note", order.note)] if order.note else []),
            *decided,
        ],
    )
    lines = render_rows(
        "Lines",
        ("line", "item", "ordered", "expected", "received", "open", "at most"),
        [
            (
                p.line.line,
                p.line.item,
                f"{format_qty(p.line.qty)} {p.line.uom}",
                p.line.expected or "",
                f"{format_qty(p.received)} {p.line.base_uom}",
                f"{format_qty(p.open)} {p.line.base_uom}",
                f"{format_qty(p.limit)} {p.line.base_uom}",
            )
            for p in report.lines
        ],
    )
    lots = render_rows(
        f"Lots received: {len(report.lots)}",
        ("item", "lot", "quantity", "supplier lot", "expiry"),
        [(lot.item, lot.lot, f"{format_qty(lot.qty)} {lot.uom}", lot.supplier_lot, lot.expiry) for lot in report.lots],
    )
    receipts = render_rows(
        f"Receipts: {len(report.receipts)}",
        ("event", "time", "location", "what came", "recorded by", "voided by"),
        [
            (
                r.id,
                _when(r.time, zone),
                r.location,
                ", ".join(f"{line['item']}/{line['lot']} {line['qty']} {line['uom']}" for line in r.document["lines"]),
                r.recorded_by,
                r.voided_by or "",
            )
            for r in report.receipts
        ],
    )
    return [summary, lines, lots, receipts]
