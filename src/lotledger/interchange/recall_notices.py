"""Customer recall notices as a PDF (one page a customer, to print or attach to a mail) and as CSV (one row a
line shipped, for a mail merge or the customer's own system), and the recall report as CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, tzinfo
from decimal import Decimal
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import StyleSheet1, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from lotledger.domain.model import ADDRESS_FIELDS, Location, Partner
from lotledger.domain.quantities import format_qty
from lotledger.domain.recall import CustomerNotice, RecallReport

NOTICE_COLUMNS = (
    "recall",
    "kind",
    "customer",
    "customer_name",
    "contact",
    "phone",
    "email",
    "address",
    "item",
    "product",
    "lot",
    "best_before",
    "qty",
    "uom",
    "shipped",
    "reference",
    "sscc",
)


def address(party: Partner | Location) -> str:
    """An address on one line: street, city, region postal code, country."""
    parts = [getattr(party, key) for key in ADDRESS_FIELDS]
    street, city, region, postal, country = (p or "" for p in parts)
    return ", ".join(p for p in (street, city, f"{region} {postal}".strip(), country) if p)


def _csv_rows(header: Sequence[str], rows: Iterable[Sequence[object]]) -> Iterator[str]:
    """Each row as one CSV line (the header first), written as it comes: a long list streams."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    yield out.getvalue()
    for row in rows:
        out.seek(0)
        out.truncate()
        writer.writerow(["" if v is None else v for v in row])
        yield out.getvalue()


def notices_csv(notices: Sequence[CustomerNotice], zone: tzinfo = UTC) -> Iterator[str]:
    """One row a line shipped to a customer, with whom to contact: plain CSV, streamed."""
    rows = (
        (
            notice.case.id,
            notice.case.kind,
            notice.customer.code,
            notice.customer.name,
            notice.customer.contact,
            notice.customer.phone,
            notice.customer.email,
            address(notice.customer),
            line.item,
            line.item_name,
            line.lot,
            line.expiry.isoformat() if line.expiry else "",
            format_qty(line.qty),
            line.uom,
            line.shipped.astimezone(zone).date().isoformat(),
            line.reference,
            line.sscc,
        )
        for notice in notices
        for line in notice.lines
    )
    return _csv_rows(NOTICE_COLUMNS, rows)


REPORT_COLUMNS = (
    "section",
    "item",
    "lot",
    "depth",
    "held",
    "location",
    "sscc",
    "customer",
    "shipped",
    "reference",
    "qty",
    "uom",
)


def report_csv(report: RecallReport, zone: tzinfo = UTC) -> Iterator[str]:
    """The recall report as one sortable table: every affected lot's stock and every shipment, by kind."""
    depth = {lot.lot: lot for lot in report.lots}

    def rows() -> Iterator[Sequence[object]]:
        for lot in report.lots:
            yield ("lot", lot.lot.sku, lot.lot.code, lot.depth, lot.held, "", "", "", "", "", "", "")
        for s in report.on_hand:
            found = depth.get(s.lot)
            held = found.held if found else ""
            yield ("on hand", s.lot.sku, s.lot.code, found.depth if found else "", held, s.location, s.container,
                   "", "", "", format_qty(s.qty), s.uom)  # fmt: skip
        for sent in report.shipments:
            found = depth.get(sent.lot)
            shipped = sent.time.astimezone(zone).date().isoformat()
            yield ("shipped", sent.lot.sku, sent.lot.code, found.depth if found else "", "", sent.location,
                   sent.container, sent.customer, shipped, sent.reference, format_qty(sent.qty), sent.uom)  # fmt: skip

    return _csv_rows(REPORT_COLUMNS, rows())


def notices_pdf(notices: Sequence[CustomerNotice], zone: tzinfo = UTC, sender: Location | None = None) -> bytes:
    """One page a customer: what is recalled and why, what they received (product, lot, quantity, date,
    delivery reference, pallet), and what to do. A drill says so on every page."""
    out = io.BytesIO()
    document = SimpleDocTemplate(
        out, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=16 * mm, bottomMargin=16 * mm
    )
    document.title = f"Recall {notices[0].case.id} notices" if notices else "Recall notices"
    styles = getSampleStyleSheet()
    story: list[Flowable] = []
    for index, notice in enumerate(notices):
        if index:
            story.append(PageBreak())
        story.extend(_notice(notice, styles, zone, sender))
    if not story:
        story.append(Paragraph("No customer received anything this recall covers.", styles["Normal"]))
    document.build(story)
    return out.getvalue()


def _notice(notice: CustomerNotice, sheet: StyleSheet1, zone: tzinfo, sender: Location | None) -> list[Flowable]:
    case, customer = notice.case, notice.customer
    drill = case.kind == "mock"
    heading = "MOCK RECALL - A DRILL, NOT A REAL RECALL" if drill else "PRODUCT RECALL NOTICE"
    to = [customer.name, customer.contact and f"Attn: {customer.contact}", address(customer)]
    reach = " / ".join(p for p in (customer.phone, customer.email) if p)

    def para(text: str, style: str = "Normal") -> Paragraph:
        return Paragraph(escape(text), sheet[style])

    small = sheet["BodyText"].clone("cell", fontSize=7.5, leading=9)

    def cell(text: str) -> Paragraph:
        return Paragraph(escape(text), small)

    origin = []
    if sender is not None:
        reach_us = " / ".join(p for p in (sender.phone,) if p)
        origin = [para(f"From: {sender.name}, {address(sender)}" + (f" - {reach_us}" if reach_us else ""))]
    parts: list[Flowable] = [
        para(heading, "Title"),
        *origin,
        para(f"Recall {case.id}: {case.title}", "Heading2"),
        para(f"Opened {case.opened_at.astimezone(zone):%Y-%m-%d %H:%M %Z}"),
        Spacer(1, 4 * mm),
        *[para(line) for line in to if line],
        *([para(reach)] if reach else []),
        Spacer(1, 4 * mm),
        para("Why", "Heading3"),
        para(case.reason),
        para("What you received from us", "Heading3"),
    ]
    rows: list[list[Flowable | str]] = [
        [
            cell(h)
            for h in ("Product", "Item", "Lot", "Best before", "Quantity", "Shipped", "Delivery ref.", "Pallet SSCC")
        ]
    ]
    total: dict[str, Decimal] = {}
    for line in notice.lines:
        rows.append(
            [
                cell(line.item_name),
                cell(line.item),
                cell(line.lot),
                cell(line.expiry.isoformat() if line.expiry else ""),
                cell(f"{format_qty(line.qty)} {line.uom}"),
                cell(f"{line.shipped.astimezone(zone):%Y-%m-%d}"),
                cell(line.reference or ""),
                cell(line.sscc),
            ]
        )
        total[line.uom] = total.get(line.uom, Decimal(0)) + line.qty
    # 174 mm between the margins: text wraps in its column, nothing runs off the page
    widths = [m * mm for m in (34, 18, 16, 19, 16, 19, 20, 32)]
    table = Table(rows, colWidths=widths, repeatRows=1, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey),
            ]
        )
    )
    summed = ", ".join(f"{format_qty(q)} {u}" for u, q in sorted(total.items()))
    parts += [
        table,
        Spacer(1, 3 * mm),
        para(f"In all: {summed}"),
        para("What to do", "Heading3"),
        para(
            "This is a drill: do not act on it; confirm to us only that you received it and could find the lots."
            if drill
            else "Stop selling and using these lots now, set them apart, and tell us how much you still hold. "
            "Reply to confirm you received this notice; we will arrange the return or the destruction."
        ),
    ]
    return parts
