"""Rich tables of a recall: its summary, its customers with what they got and what is accounted for, the
stock still here, the shipments, and the list of cases with the drills' times."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, tzinfo
from decimal import Decimal

from rich.table import Table

from lotledger.domain.quantities import format_qty
from lotledger.domain.recall import RecallCase, RecallReport
from lotledger.interchange.recall_notices import address
from lotledger.render import _when, render_rows


def _amounts(amounts: Mapping[str, Decimal]) -> str:
    return ", ".join(f"{format_qty(q)} {u}" for u, q in amounts.items()) or "0"


def _share(share: Decimal | None) -> str:
    return "" if share is None else f"{share:.0%}"


def recall_tables(report: RecallReport, zone: tzinfo = UTC) -> list[Table]:
    case = report.case
    summary = render_rows(
        f"{'Mock recall (drill)' if case.kind == 'mock' else 'Recall'} {case.id}: {case.title}",
        ("what", "value"),
        [
            ("status", case.status),
            ("reason", case.reason),
            ("scope", case.scope.describe()),
            ("recalled lots", ", ".join(str(lot) for lot in case.lots)),
            ("opened", f"{_when(case.opened_at, zone)} by {case.opened_by}"),
            ("affected lots", len(report.lots)),
            ("held", len(report.held)),
            ("customers", len(report.customers)),
            ("shipped", _amounts(report.shipped)),
            ("accounted for (returned, disposed)", f"{_amounts(report.accounted)} ({_share(report.share_accounted)})"),
            ("traced (mass balance of the recalled lots)", _share(report.traced)),
            *([("report took", f"{case.report_seconds:.2f} s")] if case.report_seconds is not None else []),
        ],
    )
    customers = render_rows(
        f"Customers: {len(report.customers)}",
        ("customer", "name", "contact", "phone", "email", "address", "shipments", "shipped", "exposure",
         "notified", "acknowledged", "accounted"),
        [
            (
                c.partner.code,
                c.partner.name,
                c.partner.contact,
                c.partner.phone,
                c.partner.email,
                address(c.partner),
                c.shipments,
                _amounts(c.shipped),
                f"{format_qty(c.exposure)} {report.uom}",
                f"{_when(c.notified_at, zone)} {c.notified_via or ''}".strip(),
                _when(c.acknowledged_at, zone),
                f"{_amounts(c.accounted)} ({_share(c.share_accounted)})",
            )
            for c in report.customers
        ],
    )  # fmt: skip
    held = set(report.held)
    stock = render_rows(  # rows as a generator: a hub lot's report shows its first rows without building all
        f"On hand: {len(report.on_hand)} lines",
        ("lot", "location", "sscc", "qty", "uom", "held"),
        ((s.lot, s.location, s.container, format_qty(s.qty), s.uom, "HELD" if s.lot in held else "")
         for s in report.on_hand),
        len(report.on_hand),
    )  # fmt: skip
    shipments = render_rows(
        f"Shipped: {len(report.shipments)} lines",
        ("customer", "shipped", "reference", "sscc", "lot", "qty", "uom"),
        ((s.customer, _when(s.time, zone), s.reference, s.container, s.lot, format_qty(s.qty), s.uom)
         for s in report.shipments),
        len(report.shipments),
    )  # fmt: skip
    exposure = render_rows(
        f"Exposure by lot: how much of the recalled lots each affected lot holds ({report.uom})",
        ("lot", "qty"),
        ((lot, format_qty(qty)) for lot, qty in report.exposure_by_lot.items()),
        len(report.exposure_by_lot),
    )
    log = render_rows(
        f"What was done: {len(case.actions)} actions",
        ("at", "action", "by", "customer", "note"),
        ((_when(a.at, zone), a.kind, a.by, a.customer, _detail(a.detail)) for a in case.actions),
        len(case.actions),
    )
    return [summary, customers, stock, shipments, exposure, log]


def _detail(detail: Mapping[str, object]) -> str:
    """An action's detail in a few words: how, the note, what was disposed of, how many lots were held."""
    parts = [str(detail[key]) for key in ("via", "note") if detail.get(key)]
    lines = detail.get("lines")
    if isinstance(lines, list):
        parts.append(", ".join(f"{d['item']}/{d['lot']} {d['qty']} {d['uom']}" for d in lines))
    lots = detail.get("lots")
    if isinstance(lots, list):
        parts.append(f"{len(lots)} lots")
    if "seconds" in detail:
        parts.append(f"report in {detail['seconds']} s, traced {detail.get('traced')}")
    return "; ".join(parts)


def cases_table(cases: Sequence[tuple[RecallCase, Decimal | None]], zone: tzinfo = UTC) -> Table:
    return render_rows(
        f"Recalls and drills: {len(cases)}",
        ("id", "kind", "status", "title", "opened", "lots", "report took", "traced"),
        [
            (
                case.id,
                case.kind,
                case.status,
                case.title,
                _when(case.opened_at, zone),
                len(case.lots),
                "" if case.report_seconds is None else f"{case.report_seconds:.2f} s",
                _share(traced),
            )
            for case, traced in cases
        ],
    )
