"""The floor pages: receive, produce, move, pack, ship, adjust and return, scan first.

Each scan is one POST: the scan is resolved, the draft event with the new line is checked by the
ledger (`Recording.check`) and the line is added only if the ledger would accept it. Record sends the
event under the id fixed when the form was first shown, so a double submit is stored once.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from lotledger.api.barcodes import file_answer
from lotledger.api.deps import app_of
from lotledger.api.problems import status_for
from lotledger.barcodes.render import render
from lotledger.bootstrap import App
from lotledger.domain.errors import IdempotencyConflict, LotledgerError
from lotledger.domain.events import Event
from lotledger.domain.model import Item, Location, LotKey, Partner
from lotledger.domain.purchasing import PurchaseOrder
from lotledger.domain.quantities import UNITS
from lotledger.services.recording import parse
from lotledger.web.floor_draft import KINDS, Draft, Kind, Shown, container_lines, scanned_entry, shown, words
from lotledger.web.links import order_url
from lotledger.web.render import page
from lotledger.web.session import CheckedForm, Operator, PageRefused, PageUser

router = APIRouter()
LABEL_FORMATS = ("pdf", "png")
# One spelling per unit in the unit lists (the ledger also takes "l" and "ml").
UNIT_CHOICES = list({name: unit for unit, name in reversed(UNITS.items())}.values())[::-1]
ENTERED = ("qty", "uom", "m_item", "m_lot", "m_qty", "m_uom", "m_expiry", "m_supplier_lot")  # kept on a refusal


@dataclass(frozen=True, slots=True)
class Done:
    """The success message after Record: the event, the lots it names, the pallet to label."""

    event_id: str
    lots: list[LotKey]
    pallets: list[str]
    already: bool = False


class Refused(Exception):
    """A scan, a line or a Record the page turns down, in words, with the status to answer."""

    def __init__(self, message: str, status: int = 422, panel: Shown | None = None) -> None:
        self.message = message
        self.status = status
        self.panel = panel


def _kind(name: str) -> Kind:
    kind = KINDS.get(name)
    if kind is None:
        raise PageRefused(404, f"there is no floor page {name!r}; the floor pages are {', '.join(KINDS)}")
    return kind


def _today(app: App) -> str:
    return datetime.now(app.settings.zone).date().isoformat()


@router.get("/floor")
def floor(request: Request, who: Operator) -> Response:
    return page(request, "floor/index.html", who, section="floor", kinds=list(KINDS.values()))


@router.get("/floor/labels/pallet/{sscc}.{fmt}")
def pallet_label(request: Request, sscc: str, fmt: str, who: Operator) -> Response:
    """The label of a pallet just packed, to print: its SSCC in GS1-128 and what is on it."""
    if fmt not in LABEL_FORMATS:
        raise PageRefused(404, f"a pallet label is a {' or a '.join(LABEL_FORMATS)}, not a {fmt[:10]!r}")
    try:
        label = app_of(request).barcodes.pallet_label(sscc)
    except LotledgerError as error:
        raise PageRefused(status_for(error), words(error)) from None
    return file_answer(render([label], fmt), fmt, sscc)


@router.get("/floor/{name}")
def blank_form(request: Request, name: str, who: Operator, po: Annotated[str, Query(max_length=64)] = "") -> Response:
    """The empty form; a receipt `po=NUMBER` starts against that purchase order (its number and supplier)."""
    draft = Draft.empty(_kind(name))
    if draft.kind.name == "receive" and po:
        draft.header["reference"] = po
        _fill_supplier(app_of(request), draft)
    return _form(request, who, draft)


def _purchase_order(app: App, draft: Draft) -> PurchaseOrder | None:
    """The purchase order a receipt's reference names: it is then recorded through the order (its tolerance)."""
    return app.purchasing.order_named(draft.header.get("reference")) if draft.kind.name == "receive" else None


def _fill_supplier(app: App, draft: Draft) -> None:
    order = _purchase_order(app, draft)
    if order is not None and not draft.header.get("partner"):
        draft.header["partner"] = order.supplier


@router.post("/floor/{name}")
def post_form(request: Request, name: str, who: Operator, form: CheckedForm) -> Response:
    """A scan or a line to add (the default button: Enter in the scan field), a line to remove, or Record."""
    kind = _kind(name)
    try:
        draft = Draft.read(kind, form)
    except LotledgerError as error:
        return _form(request, who, Draft.empty(kind), message=words(error), status=422)
    action = form.get("action", "add")
    _fill_supplier(app_of(request), draft)
    try:
        if action == "record":
            return _record(request, who, draft)
        if action.startswith("remove:"):
            _remove(draft, action)
        elif action == "new-sscc" and kind.name == "pack":
            draft.header["container"] = _new_sscc(app_of(request), who)
        else:
            return _add(request, who, draft, form)
    except Refused as refused:
        entered = {name: form.get(name) for name in ENTERED}
        return _form(
            request, who, draft, message=refused.message, status=refused.status, panel=refused.panel, entered=entered
        )
    return _form(request, who, draft)


def _remove(draft: Draft, action: str) -> None:
    _, part, index = [*action.split(":"), "", ""][:3]
    entries = draft.parts.get(part, [])
    if not (index.isascii() and index.isdigit()) or int(index) >= len(entries):
        raise Refused("That line is no longer on the form.")
    del entries[int(index)]


def _new_sscc(app: App, who: PageUser) -> str:
    try:
        return app.barcodes.allocate_ssccs(who.caller)[0]
    except LotledgerError as error:
        if error.field == "company_prefix":
            raise Refused(
                "lotledger cannot make a new SSCC: no GS1 company prefix is configured (an administrator sets "
                "LOTLEDGER_GS1_PREFIX). Scan or type the pallet's SSCC instead."
            ) from None
        raise Refused(words(error), status_for(error)) from None


def _add(request: Request, who: PageUser, draft: Draft, form: Any) -> Response:
    """Add what was scanned or entered, if the ledger would accept the draft with it."""
    app, kind = app_of(request), draft.kind
    scan, output_scan = form.get("scan"), form.get("output_scan") if kind.name == "produce" else ""
    by_hand = kind.name in ("receive", "produce") and bool(form.get("m_item") or form.get("m_lot"))
    if not (scan or output_scan or by_hand):
        return _form(request, who, draft)  # Enter in another field: nothing to add, the form as it is
    missing = draft.missing(for_scan=True)
    if missing:
        raise Refused(missing)
    part = "outputs" if (output_scan or (by_hand and kind.name == "produce")) else kind.parts[0]
    if part == "outputs" and not draft.parts["inputs"]:
        raise Refused("Scan the inputs first, then enter or scan what was made.")
    panel = None
    if by_hand and not (scan or output_scan):
        entries: list[Any] = [_typed_line(app, kind, form)]
    else:
        panel, entries = _scanned(app, draft, part, output_scan or scan, form)
        if not entries:  # the pallet a pack fills was scanned
            return _form(request, who, draft, panel=panel)
    if kind.name == "pack" and not draft.header["container"]:
        raise Refused("Scan or allocate the pallet SSCC first.", 422, panel)
    if entries and isinstance(entries[0], str):
        part = "containers"
        if entries[0] in draft.parts[part]:
            raise Refused(f"Pallet {entries[0]} is already on this {kind.verb}.", 409, panel)
    candidate = Draft(kind, draft.event_id, draft.header, {**draft.parts, part: [*draft.parts[part], *entries]})
    check = app.purchasing.check_receipt if _purchase_order(app, draft) else app.recording.check
    try:
        check(parse(candidate.document(checking=True)), who.caller)
    except LotledgerError as error:
        raise Refused(words(error), status_for(error), panel) from None
    return _form(request, who, candidate, panel=panel)


def _scanned(app: App, draft: Draft, part: str, text: str, form: Any) -> tuple[Shown, list[Any]]:
    """Resolve a scan: the panel to show, and the entries it adds (none: it chose the pallet to pack)."""
    kind, location = draft.kind, draft.header["location"]
    arriving = kind.arriving or part == "outputs" or kind.name == "pack"
    try:
        found = app.barcodes.resolve_scan(text, arriving=arriving)
    except LotledgerError as error:
        raise Refused(words(error), status_for(error)) from None
    lot_scan = found.item is not None and bool(found.scan.lot)
    pallet_scan = bool(found.scan.sscc) and not lot_scan
    if pallet_scan and kind.name == "pack":
        chosen = draft.header["container"]
        if chosen and chosen != found.scan.sscc:
            raise Refused(f"This pallet is {chosen}, not {found.scan.sscc}: record it first, or start a new one.")
        draft.header["container"] = found.scan.sscc or ""
        return shown(found, location, _today(app)), []
    try:
        if pallet_scan and part == "inputs":
            entries = container_lines(found, location)
            if not entries:
                raise Refused(f"Pallet {found.scan.sscc} holds nothing at {location}.", 409)
        else:
            entries = [scanned_entry(kind, part, found, form.get("qty"), form.get("uom"))]
    except LotledgerError as error:
        raise Refused(words(error), status_for(error), shown(found, location, _today(app))) from None
    return shown(found, location, _today(app), entries[0]), entries


def _typed_line(app: App, kind: Kind, form: Any) -> dict[str, Any]:
    """A line entered by hand: a receipt's line, or what a production made."""
    sku = form.get("m_item")
    try:
        item = app.master_data.one(Item, sku)
    except LotledgerError:
        raise Refused(f"Unknown item {sku!r}: choose one from the list.", 404) from None
    assert isinstance(item, Item)
    line = {"item": item.sku, "lot": form.get("m_lot"), "qty": form.get("m_qty"), "uom": form.get("m_uom") or item.uom}
    if form.get("m_expiry"):
        line["expiry"] = form.get("m_expiry")
    if kind.name == "receive" and form.get("m_supplier_lot"):
        line["supplier_lot"] = form.get("m_supplier_lot")
    return line


def _record(request: Request, who: PageUser, draft: Draft) -> Response:
    app, kind = app_of(request), draft.kind
    missing = draft.missing(for_scan=False)
    if missing:
        raise Refused(missing)
    if draft.empty_parts():
        raise Refused("Nothing to record yet: scan a label first.")
    if kind.name == "produce" and not draft.parts["outputs"]:
        raise Refused("Enter or scan what was made (the outputs) before recording.")
    already = False
    event = parse(draft.document())
    record = app.purchasing.record_receipt if _purchase_order(app, draft) else app.recording.record
    try:
        recorded = record(event, who.caller)
        already = recorded.duplicate
    except IdempotencyConflict as error:
        if error.field != "id" or not _sent_before(app, event):
            raise Refused(
                f"This form was already used for event {draft.event_id}, which recorded something else: "
                "nothing was recorded now. Start again from an empty form.",
                409,
            ) from None
        already = True  # a double tap or a reload: the same event, only dated a moment later
    except LotledgerError as error:
        raise Refused(words(error), status_for(error)) from None
    pallets = [*draft.parts.get("containers", []), *([draft.header["container"]] if kind.name == "pack" else [])]
    lots = draft.lots()
    for sscc in draft.parts.get("containers", []):
        lots += [key for key in app.queries.container(sscc).lots if key not in lots]
    done = Done(draft.event_id, lots, pallets, already)
    keep = {name: draft.header[name] for name in ("location", "to_location") if name in draft.header}
    if _purchase_order(app, draft):  # the rest of the delivery goes on the same order
        keep |= {name: draft.header[name] for name in ("partner", "reference")}
    return _form(request, who, Draft.empty(kind, keep), done=done)


def _sent_before(app: App, event: Event) -> bool:
    """Whether the event stored under `event`'s id is this one, but for its time (the form sent twice)."""
    stored = parse(app.timeline.event(event.id or "").document)
    return replace(stored, time=event.time) == event


def _form(
    request: Request,
    who: PageUser,
    draft: Draft,
    *,
    message: str | None = None,
    status: int = 200,
    panel: Shown | None = None,
    done: Done | None = None,
    entered: dict[str, str] | None = None,
) -> Response:
    app = app_of(request)
    master, kind = app.master_data, draft.kind
    order = _purchase_order(app, draft)
    partners = [p for p in master.all(Partner) if p.active and isinstance(p, Partner) and p.role == kind.partner_role]
    return page(
        request,
        "floor/form.html",
        who,
        status=status,
        section="floor",
        kind=kind,
        draft=draft,
        message=message,
        panel=panel,
        done=done,
        entered=entered or {},
        locations=[loc for loc in master.all(Location) if loc.active],
        partners=partners,
        items=[item for item in master.all(Item) if item.active] if kind.name in ("receive", "produce") else [],
        units=UNIT_CHOICES,
        order=app.purchasing.summary(order.number) if order else None,
        receivable=app.purchasing.receivable() if kind.name == "receive" else [],
        order_url=order_url,
    )
