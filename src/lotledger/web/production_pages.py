"""Work order and recipe pages: the work orders and a new one, one work order with the lots to take (first
expired first out, and why a lot is skipped), what it consumed and made with the output's labels, its yield and
variance, and the form that records its production; the recipes and their versions. Every role reads;
operators run work orders and quality saves recipes (the service refuses anyone else anyway)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import RedirectResponse, Response

from lotledger.api.barcodes import file_answer
from lotledger.api.deps import app_of
from lotledger.api.problems import status_for
from lotledger.barcodes.render import render
from lotledger.domain.errors import LotledgerError
from lotledger.domain.model import Item, Location, LotKey
from lotledger.domain.production import NUMBER, WorkOrderReport
from lotledger.web.links import lot_url, output_label_url, segment
from lotledger.web.render import page, quantity
from lotledger.web.session import CheckedForm, Form, Operator, PageRefused, PageUser, Quality, Viewer

router = APIRouter()
LIST_PAGE = 50
EMPTY_ROWS = 3  # input rows beside the suggested lots: another lot, another place
RECIPE_ROWS = 8
Number = Annotated[str, Path(pattern=f"^{NUMBER.pattern}$")]
BADGES = {"open": "soon", "in progress": "soon", "done": "closed", "cancelled": "expired"}
DONE = {
    "created": "The work order is open.",
    "produced": "The production is recorded.",
    "cancelled": "The work order is cancelled.",
    "closed": "The work order is closed.",
    "saved": "The recipe version is saved.",
}


# --- the work orders -----------------------------------------------------------------------------


@router.get("/orders/work")
def work_orders(
    request: Request, who: Viewer, before: Annotated[str | None, Query(pattern=f"^{NUMBER.pattern}$")] = None
) -> Response:
    return _list_page(request, who, before=before)


@router.post("/orders/work")
def create_work_order(request: Request, who: Operator, form: CheckedForm) -> Response:
    raw: dict[str, Any] = {k: form.get(k) for k in ("recipe", "planned", "location", "number", "note") if form.get(k)}
    if form.get("version"):
        text = form.get("version")
        raw["version"] = int(text) if text.isascii() and text.isdigit() and len(text) <= 9 else text
    try:
        report = app_of(request).production.create(raw, who.caller)
    except LotledgerError as error:
        return _list_page(request, who, kept=dict(form.pairs), message=str(error), status=status_for(error))
    return RedirectResponse(f"/orders/work/{report.order.number}?done=created", status_code=303)


def _list_page(
    request: Request,
    who: PageUser,
    *,
    before: str | None = None,
    kept: dict[str, str] | None = None,
    message: str = "",
    status: int = 200,
) -> Response:
    app = app_of(request)
    listed = app.production.work_orders(LIST_PAGE, before)
    older = listed[-1][0].number if len(listed) == LIST_PAGE else None
    lines = [loc for loc in app.master_data.all(Location) if isinstance(loc, Location) and loc.active]
    lines.sort(key=lambda loc: (loc.kind != "line", loc.code))
    return page(
        request, "orders/work_list.html", who, status, section="work", listed=listed, older=older,
        recipes=[r for r in app.production.recipes() if r.active], locations=lines, kept=kept or {},
        message=message, badges=BADGES,
    )  # fmt: skip


# --- one work order ------------------------------------------------------------------------------


@router.get("/orders/work/{number}")
def work_order(request: Request, who: Viewer, number: Number, done: str = "") -> Response:
    return _order_page(request, who, app_of(request).production.report(number), done=DONE.get(done, ""))


def _order_page(
    request: Request,
    who: PageUser,
    report: WorkOrderReport,
    *,
    done: str = "",
    message: str = "",
    status: int = 200,
    kept: Form | None = None,
) -> Response:
    rows = _rows(report) if kept is None else _kept_rows(kept)
    left = report.order.planned - report.produced
    output_qty = kept.get("output_qty") if kept else (quantity(left) if left > 0 else "")
    return page(
        request, "orders/work_order.html", who, status, section="work", report=report, order=report.order,
        v=report.variance, rows=rows, output_qty=output_qty,
        output_lot=kept.get("output_lot") if kept else "", done=done, message=message, badges=BADGES,
        can_run=who.user.can("operator") and report.order.ended is None, label_url=output_label_url,
        lot_link=lambda sku, code: lot_url(LotKey(sku, code)),
        reason=kept.get("reason") if kept else "",
    )  # fmt: skip


def _rows(report: WorkOrderReport) -> list[dict[str, Any]]:
    """The production form's input rows: each suggested lot, then a few empty rows."""
    rows = [
        {"item": s.item, "lot": p.stock.lot, "location": p.stock.location, "container": p.stock.container,
         "qty": quantity(p.take), "uom": s.uom}
        for s in report.suggestions
        for p in s.suggestion.picks
    ]  # fmt: skip
    return rows + [{"item": "", "lot": "", "location": "", "container": "", "qty": "", "uom": ""}] * EMPTY_ROWS


def _kept_rows(form: Form) -> list[dict[str, Any]]:
    names = ("item", "lot", "location", "container", "qty", "uom")
    columns = [form.all(name) for name in names]
    return [dict(zip(names, values, strict=True)) for values in zip(*columns, strict=False)]


def _inputs(form: Form) -> list[dict[str, str]]:
    """The filled rows of the form as the service's input lines (a row without a lot or a quantity is empty)."""
    lines = []
    for row in _kept_rows(form):
        if not row["lot"] and not row["qty"]:
            continue
        lines.append({key: value for key, value in row.items() if value})
    return lines


def _act(request: Request, who: PageUser, form: Form, number: str, done: str, action: Any) -> Response:
    app = app_of(request)
    try:
        action(app)
    except LotledgerError as error:
        report = app.production.report(number)
        return _order_page(request, who, report, message=str(error), status=status_for(error), kept=form)
    return RedirectResponse(f"/orders/work/{number}?done={done}", status_code=303)


@router.post("/orders/work/{number}/production")
def produce(request: Request, who: Operator, form: CheckedForm, number: Number) -> Response:
    raw: dict[str, Any] = {"inputs": _inputs(form)}
    if form.get("output_qty") or form.get("output_lot"):
        raw["outputs"] = [{k: v for k, v in (("qty", form.get("output_qty")), ("lot", form.get("output_lot"))) if v}]
    return _act(request, who, form, number, "produced", lambda app: app.production.produce(number, raw, who.caller))


@router.post("/orders/work/{number}/cancel")
def cancel(request: Request, who: Operator, form: CheckedForm, number: Number) -> Response:
    raw = {"reason": form.get("reason")}
    return _act(request, who, form, number, "cancelled", lambda app: app.production.cancel(number, raw, who.caller))


@router.post("/orders/work/{number}/close")
def close(request: Request, who: Operator, form: CheckedForm, number: Number) -> Response:
    raw = {"note": form.get("note")} if form.get("note") else {}
    return _act(request, who, form, number, "closed", lambda app: app.production.close(number, raw, who.caller))


@router.get("/orders/work/{number}/labels/{lot}.pdf")
def output_label(request: Request, _: Viewer, number: Number, lot: str) -> Response:
    """The GS1-128 label of a lot the work order made, to print at the line."""
    app, lot = app_of(request), segment(lot)
    report = app.production.report(number)
    if lot not in {m.lot for m in report.made}:
        raise PageRefused(404, f"work order {number} made no lot {lot[:20]!r}")
    item = report.order.recipe.item
    try:
        label = app.barcodes.lot_label(item, lot, "gs1-128")
    except LotledgerError as error:
        raise PageRefused(status_for(error), str(error)) from None
    return file_answer(render([label], "pdf"), "pdf", f"{item}-{lot}".replace("/", "_"))


# --- recipes -----------------------------------------------------------------------------------------


@router.get("/orders/recipes")
def recipes(request: Request, who: Viewer, item: Annotated[str, Query(max_length=64)] = "") -> Response:
    return _recipes_page(request, who, item)


@router.post("/orders/recipes")
def save_recipe(request: Request, who: Quality, form: CheckedForm) -> Response:
    inputs = [
        {"item": sku, "qty": qty, "uom": uom}
        for sku, qty, uom in zip(form.all("input_item"), form.all("input_qty"), form.all("input_uom"), strict=False)
        if sku or qty
    ]
    raw: dict[str, Any] = {"item": form.get("item"), "inputs": inputs, "batch": form.get("batch") or "1",
                           "yield": form.get("yield") or "100", "active": "inactive" not in form}  # fmt: skip
    if form.get("note"):
        raw["note"] = form.get("note")
    try:
        recipe = app_of(request).production.add_recipe(raw, who.caller)
    except LotledgerError as error:
        return _recipes_page(request, who, form.get("item"), kept=form, message=str(error), status=status_for(error))
    return RedirectResponse(f"/orders/recipes?item={recipe.item}&done=saved", status_code=303)


def _recipes_page(
    request: Request, who: PageUser, item: str, *, kept: Form | None = None, message: str = "", status: int = 200
) -> Response:
    app = app_of(request)
    latest = app.production.recipes()
    versions = []
    if item and any(r.item == item for r in latest):
        versions = app.production.versions(item)
    base = versions[0] if versions else None
    if kept is not None:
        rows: list[dict[str, Any]] = [{"item": s, "qty": q, "uom": u} for s, q, u in
                zip(kept.all("input_item"), kept.all("input_qty"), kept.all("input_uom"), strict=False)]  # fmt: skip
        fields: dict[str, Any] = {k: kept.get(k) for k in ("item", "batch", "yield", "note")}
    else:
        rows = [{"item": i.item, "qty": quantity(i.qty), "uom": i.uom} for i in base.inputs] if base else []
        fields = {"item": item, "batch": quantity(base.batch) if base else "1",
                  "yield": quantity(base.yield_pct) if base else "100"}  # fmt: skip
    rows += [{"item": "", "qty": "", "uom": ""}] * max(RECIPE_ROWS - len(rows), 2)
    items = [i for i in app.master_data.all(Item) if isinstance(i, Item) and i.active]
    return page(
        request, "orders/recipes.html", who, status, section="work", latest=latest, versions=versions,
        item=item, rows=rows, fields=fields, items=items, message=message,
        done=DONE.get(request.query_params.get("done", ""), ""),
    )  # fmt: skip
