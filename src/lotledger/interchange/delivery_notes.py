"""A sales order's delivery note as a PDF: the order, the customer's address, and each line's lots as shipped so
far (quantity, best-before date, pallet SSCC)."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from lotledger.domain.model import Location, Partner
from lotledger.domain.quantities import format_qty
from lotledger.domain.selling import SalesReport, ShippedLot
from lotledger.interchange.recall_notices import address


def _addressed(customer: Partner) -> tuple[str | None, ...]:
    return customer.name, customer.contact and f"Attn: {customer.contact}", address(customer)


def delivery_note_pdf(report: SalesReport, customer: Partner, sender: Location | None = None) -> bytes:
    out = io.BytesIO()
    document = SimpleDocTemplate(
        out, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=16 * mm, bottomMargin=16 * mm
    )
    order = report.order
    document.title = f"Delivery note {order.number}"
    sheet = getSampleStyleSheet()
    small = sheet["BodyText"].clone("cell", fontSize=8, leading=10)

    def para(text: str, style: str = "Normal") -> Paragraph:
        return Paragraph(escape(text), sheet[style])

    def cell(text: str) -> Paragraph:
        return Paragraph(escape(text), small)

    story: list[Flowable] = [para("DELIVERY NOTE", "Title"), para(f"Sales order {order.number}", "Heading2")]
    if sender is not None:
        story.append(para(f"From: {sender.name}, {address(sender)}"))
    story += [
        para(f"Status: {report.status}"),
        Spacer(1, 4 * mm),
        *[para(text) for text in _addressed(customer) if text],
        Spacer(1, 4 * mm),
    ]
    rows: list[list[Flowable]] = [
        [cell(h) for h in ("Line", "Item", "Ordered", "Shipped so far", "Lot", "Best before", "Quantity", "SSCC")]
    ]
    for line in report.lines:
        first = [
            cell(str(line.line.line)),
            cell(line.line.item),
            cell(f"{format_qty(line.line.ordered)} {line.line.base_uom}"),
            cell(f"{format_qty(line.shipped)} {line.line.base_uom}"),
        ]
        lots: list[ShippedLot | None] = [lot for lot in report.lots if lot.item == line.line.item] or [None]
        for index, lot in enumerate(lots):
            head = first if index == 0 else [cell("")] * 4
            if lot is None:
                rows.append([*head, cell("-"), cell(""), cell(""), cell("")])
                continue
            best_before = lot.expiry.isoformat() if lot.expiry else ""
            qty = f"{format_qty(lot.qty)} {lot.uom}"
            rows.append([*head, cell(lot.lot), cell(best_before), cell(qty), cell(lot.sscc)])
    table = Table(rows, colWidths=[m * mm for m in (10, 22, 20, 22, 24, 20, 20, 36)], repeatRows=1, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey),
            ]
        )
    )
    story += [table, Spacer(1, 4 * mm), para("Received in good order: ______________________  Date: __________")]
    document.build(story)
    return out.getvalue()
