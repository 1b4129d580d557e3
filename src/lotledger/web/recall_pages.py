"""Recall pages: the cases and drills, starting one, its report with what quality records on it, and its
downloads. Every role reads; quality acts (the buttons show for quality only, and the service refuses anyone
else anyway). The same service calls as the API and the CLI: app.recalls, nothing beside it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime, time, timedelta, tzinfo
from decimal import Decimal
from itertools import islice
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response, StreamingResponse

from lotledger.api.deps import app_of
from lotledger.api.problems import status_for
from lotledger.api.recalls import RecallId, notices_file
from lotledger.bootstrap import App
from lotledger.domain.errors import LotledgerError, ValidationError
from lotledger.domain.recall import NOTICE_CHANNELS, RecallReport
from lotledger.interchange.recall_notices import address, report_csv
from lotledger.render_recalls import _detail as action_detail
from lotledger.web.render import page, quantity
from lotledger.web.session import CheckedForm, Form, PageUser, Quality, Viewer

router = APIRouter()
LIST_PAGE = 50  # cases a page of the list
ROWS = 100  # rows a table of the report shows: a hub lot affects 20,000 lots; the CSV has them all
# What the report page says after a change: fixed words, never text taken from the address.
DONE = {
    "opened": "The recall is open.",
    "held": "Everything affected is held.",
    "notified": "The notice is recorded.",
    "acknowledged": "The acknowledgement is recorded.",
    "disposed": "The disposal is recorded.",
    "closed": "The recall is closed.",
}


def percent(share: Decimal | None) -> str:
    return "" if share is None else f"{share:.0%}"


def amounts(per_unit: Mapping[str, Decimal]) -> str:
    return ", ".join(f"{quantity(q)} {u}" for u, q in per_unit.items()) or "0"


# --- the list ---------------------------------------------------------------------------------


@router.get("/recalls")
def recall_list(
    request: Request,
    who: Viewer,
    mock: bool = False,
    before: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
) -> Response:
    cases = app_of(request).recalls.cases("mock" if mock else None, LIST_PAGE, before)
    older = cases[-1][0].id if len(cases) == LIST_PAGE else None
    return page(
        request, "recalls/list.html", who, section="recalls", cases=cases, mock=mock, older=older, percent=percent
    )


# --- starting one ------------------------------------------------------------------------------


@router.get("/recalls/new")
def new_recall(request: Request, who: Quality, item: str = "", lot: str = "") -> Response:
    return _new_page(request, who, {"by": "lots", "item": item, "lot": lot})


@router.post("/recalls/new")
def start_recall(request: Request, who: Quality, form: CheckedForm) -> Response:
    app = app_of(request)
    try:
        report = app.recalls.open(_opening(form, app.settings.zone), who.caller)
    except LotledgerError as error:
        return _new_page(request, who, dict(form.pairs), str(error), status_for(error))
    return RedirectResponse(f"/recalls/{report.case.id}?done=opened", status_code=303)


def _new_page(request: Request, who: PageUser, kept: dict[str, str], message: str = "", status: int = 200) -> Response:
    return page(request, "recalls/new.html", who, status, section="recalls", kept=kept, message=message)


def _opening(form: Form, zone: tzinfo) -> dict[str, Any]:
    """The form as the service's request: one way of choosing the lots, the days in the plant's time zone."""
    mock = "mock" in form
    document: dict[str, Any] = {
        "kind": "mock" if mock else "recall",
        "reason": form.get("reason") or ("Mock recall drill" if mock else ""),
        "hold": "hold" in form,
    }
    if form.get("title"):
        document["title"] = form.get("title")
    by = form.get("by")
    if by == "lots":
        document["lots"] = _lots(form)
    elif by == "supplier_lot":
        document["supplier_lot"] = form.get("supplier_lot")
        if form.get("lot_supplier"):
            document["supplier"] = form.get("lot_supplier")
    elif by == "supplier":
        document["supplier"] = form.get("supplier")
        document["since"] = _day(form.get("since"), zone, "since")
        last = _day(form.get("until"), zone, "until")
        if last.date() >= date.max:
            raise ValidationError(f"expected a day before {date.max}, got {form.get('until')}", "until")
        document["until"] = last + timedelta(days=1)  # the last day included
    else:
        raise ValidationError("choose how to find the recalled lots", "by")
    return document


def _lots(form: Form) -> list[dict[str, str]]:
    """The lot in the item and lot fields, and one more a line of `more_lots` ("ITEM LOT")."""
    lots = [{"item": form.get("item"), "lot": form.get("lot")}] if form.get("item") or form.get("lot") else []
    for number, text in enumerate(form.get("more_lots").splitlines(), start=1):
        words = text.split()
        if not words:
            continue
        if len(words) != 2:
            raise ValidationError(f"line {number}: expected an item and a lot code with a space between", "more_lots")
        lots.append({"item": words[0], "lot": words[1]})
    if not lots:
        raise ValidationError("name at least one lot: its item and its lot code", "lots")
    return lots


def _day(value: str, zone: tzinfo, name: str) -> datetime:
    if not value:
        raise ValidationError("is required with a supplier: a day (YYYY-MM-DD)", name)
    try:
        return datetime.combine(date.fromisoformat(value), time(), zone)
    except ValueError:
        raise ValidationError(f"expected a day as YYYY-MM-DD, got {value[:40]!r}", name) from None


# --- the report and what quality records on it --------------------------------------------------


@router.get("/recalls/{recall_id}")
def recall_page(request: Request, who: Viewer, recall_id: RecallId, done: str = "") -> Response:
    report = app_of(request).recalls.report(recall_id)
    return _report_page(request, who, report, done=DONE.get(done, ""))


def _report_page(
    request: Request,
    who: PageUser,
    report: RecallReport,
    *,
    done: str = "",
    message: str = "",
    status: int = 200,
    kept: dict[str, str] | None = None,
) -> Response:
    case = report.case
    customers = report.customers[:ROWS]
    received = {c.partner.code: dict.fromkeys((s.lot, s.uom) for s in report.shipments
                                              if s.customer == c.partner.code) for c in customers}  # fmt: skip
    return page(
        request,
        "recalls/report.html",
        who,
        status,
        section="recalls",
        report=report,
        case=case,
        rows=ROWS,
        held=set(report.held),
        customers=customers,
        received=received,
        exposure=list(islice(report.exposure_by_lot.items(), ROWS)),
        silent=[c.partner.code for c in report.customers if c.notified_at is None],
        can_act=who.user.can("quality") and case.status != "closed",
        channels=NOTICE_CHANNELS,
        done=done,
        message=message,
        kept=kept or {},
        percent=percent,
        amounts=amounts,
        address=address,
        detail=action_detail,
    )


def _act(
    request: Request, who: PageUser, form: Form, recall_id: int, done: str, action: Callable[[App], object]
) -> Response:
    """Do `action`; then the report again, or the report with the refusal and the user's input kept."""
    app = app_of(request)
    try:
        action(app)
    except LotledgerError as error:
        report = app.recalls.report(recall_id)
        kept = dict(form.pairs)
        return _report_page(request, who, report, message=str(error), status=status_for(error), kept=kept)
    return RedirectResponse(f"/recalls/{recall_id}?done={done}", status_code=303)


def _note(form: Form) -> dict[str, Any]:
    return {"note": form.get("note") or None}


@router.post("/recalls/{recall_id}/hold")
def hold_all(request: Request, who: Quality, form: CheckedForm, recall_id: RecallId) -> Response:
    return _act(request, who, form, recall_id, "held", lambda app: app.recalls.hold(recall_id, who.caller))


@router.post("/recalls/{recall_id}/customers/{customer}/notified")
def notified(request: Request, who: Quality, form: CheckedForm, recall_id: RecallId, customer: str) -> Response:
    raw = {"via": form.get("via"), **_note(form)}
    return _act(
        request,
        who,
        form,
        recall_id,
        "notified",
        lambda app: app.recalls.notified(recall_id, customer, raw, who.caller),
    )


@router.post("/recalls/{recall_id}/customers/{customer}/acknowledged")
def acknowledged(request: Request, who: Quality, form: CheckedForm, recall_id: RecallId, customer: str) -> Response:
    raw = _note(form)
    return _act(
        request,
        who,
        form,
        recall_id,
        "acknowledged",
        lambda app: app.recalls.acknowledged(recall_id, customer, raw, who.caller),
    )


@router.post("/recalls/{recall_id}/customers/{customer}/disposals")
def disposed(request: Request, who: Quality, form: CheckedForm, recall_id: RecallId, customer: str) -> Response:
    sku, lot, uom = ([*form.get("lot").split(" "), "", "", ""])[:3]  # the lot select's "ITEM LOT UOM"
    raw = {"lines": [{"item": sku, "lot": lot, "qty": form.get("qty"), "uom": uom}], **_note(form)}
    return _act(
        request,
        who,
        form,
        recall_id,
        "disposed",
        lambda app: app.recalls.disposed(recall_id, customer, raw, who.caller),
    )


@router.post("/recalls/{recall_id}/close")
def close(request: Request, who: Quality, form: CheckedForm, recall_id: RecallId) -> Response:
    raw = _note(form)
    return _act(request, who, form, recall_id, "closed", lambda app: app.recalls.close(recall_id, raw, who.caller))


# --- downloads ------------------------------------------------------------------------------------


@router.get("/recalls/{recall_id}/notices.pdf")
def notices_pdf(request: Request, _: Viewer, recall_id: RecallId) -> Response:
    return notices_file(app_of(request), recall_id, "pdf")


@router.get("/recalls/{recall_id}/notices.csv")
def notices_csv(request: Request, _: Viewer, recall_id: RecallId) -> Response:
    return notices_file(app_of(request), recall_id, "csv")


@router.get("/recalls/{recall_id}/report.csv")
def report_file(request: Request, _: Viewer, recall_id: RecallId) -> Response:
    """Every affected lot, stock line and shipment: what the page's tables show the first rows of."""
    app = app_of(request)
    report = app.recalls.report(recall_id)
    headers = {"Content-Disposition": f'attachment; filename="recall-{recall_id}-report.csv"'}
    return StreamingResponse(report_csv(report, app.settings.zone), media_type="text/csv", headers=headers)
