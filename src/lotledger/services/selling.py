"""Sales orders: a planner (admin) takes a customer's order; the floor (operator) picks it first expired first
out, scanning lots and pallets, and ships it; what went out and the order's status are read from the ledger.

A shipment is an ordinary `ship` event (reference: the order's number, partner: its customer) recorded through
`Recording`. Each lot on it is checked against the order first: on the order, not held, not expired, lasting
the customer's minimum shelf life, not more than still open.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime, tzinfo
from decimal import Decimal
from typing import Any

from lotledger.domain import fefo
from lotledger.domain import fields as f
from lotledger.domain import selling as s
from lotledger.domain.accounts import Caller
from lotledger.domain.errors import NotFound, ValidationError
from lotledger.domain.events import Ship
from lotledger.domain.model import Item, LotKey, Partner
from lotledger.domain.purchasing import OrderReads
from lotledger.domain.quantities import parse_decimal, to_base
from lotledger.domain.recording import Recorded
from lotledger.interchange.delivery_notes import delivery_note_pdf
from lotledger.ports import SalesOrderStore
from lotledger.services.barcodes import Barcodes
from lotledger.services.master_data import MasterData
from lotledger.services.order_lists import list_orders
from lotledger.services.production import fefo_stock
from lotledger.services.queries import Queries
from lotledger.services.recording import Recording, parse

PLANNER = "admin"  # who takes, cancels and closes orders
_SHIPMENT_FIELDS = {"id", "time", "location", "lines", "containers", "actor", "note"}


class SalesOrders:
    def __init__(
        self,
        store: SalesOrderStore,
        recording: Recording,
        master_data: MasterData,
        queries: Queries,
        barcodes: Barcodes,
        zone: tzinfo,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.store = store
        self.recording = recording
        self.master_data = master_data
        self.queries = queries
        self.barcodes = barcodes
        self.zone = zone
        self.clock = clock

    # --- ordering ---------------------------------------------------------------------------------

    def create(self, raw: Mapping[str, Any], who: Caller) -> s.SalesReport:
        """A new order (a planner): `number` given or the next SO-nnnnn no event carries as reference."""
        who.user.require(PLANNER, "creating a sales order")
        items = {i.sku: i for i in self.master_data.all(Item) if isinstance(i, Item) and i.active}
        new = s.parse_new_order(raw, items)
        try:
            customer = self.master_data.one(Partner, new.customer)
        except NotFound:
            raise NotFound(f"unknown customer {new.customer}", "customer") from None
        if not isinstance(customer, Partner) or customer.role != "customer" or not customer.active:
            raise ValidationError(f"{new.customer} is not an active customer", "customer")
        return self.show(self.store.create(new, who.attribution.recorded_by).number)

    def cancel(self, number: str, reason: object, who: Caller) -> s.SalesReport:
        """Cancel an order nothing was shipped on (one with shipments is closed short instead)."""
        who.user.require(PLANNER, "cancelling a sales order")
        why = f.required_text({"reason": reason}, "reason")
        values = {"cancelled_at": self.clock(), "cancelled_by": who.attribution.recorded_by, "cancel_reason": why}
        return self.show(self.store.decide(number, s.check_cancellable, values).number)

    def close(self, number: str, who: Caller) -> s.SalesReport:
        """Close an order short: done with what went out."""
        who.user.require(PLANNER, "closing a sales order")
        values = {"closed_at": self.clock(), "closed_by": who.attribution.recorded_by}
        return self.show(self.store.decide(number, s.check_closable, values).number)

    # --- reading ------------------------------------------------------------------------------------

    def today(self) -> date:
        return self.clock().astimezone(self.zone).date()

    def show(self, number: str) -> s.SalesReport:
        """The order, each line's shipped and open quantity, the lots shipped, and the pick list."""
        order = self.store.order(number)
        shipped = self.store.shipped([order])[order.number]
        state = s.status(order, shipped)
        picks: list[s.LinePick] = []
        if state in ("open", "partly shipped"):
            stock = {line.item: fefo_stock(self.queries, line.item) for line in order.lines}
            picks = s.pick_list(order, shipped, stock, "", self.today())
        lots = self.store.shipped_lots(order)
        return s.SalesReport(order, state, s.progress(order, shipped), lots, picks)

    def orders(
        self, status: str | None = None, customer: str | None = None, limit: int = 50, before: str | None = None
    ) -> list[s.SalesSummary]:
        """Newest first, at most `limit` (of `status`, of `customer`), below the order numbered `before`."""
        partner = ("customer", customer)
        return list_orders(self.store, _summary, s.STATUSES, status=status, partner=partner, limit=limit, before=before)

    def delivery_note(self, number: str) -> bytes:
        """The delivery note PDF: the order, the customer's address, the lots shipped so far."""
        report = self.show(number)
        customer = self.master_data.one(Partner, report.order.customer)
        assert isinstance(customer, Partner)
        return delivery_note_pdf(report, customer)

    # --- picking and shipping -----------------------------------------------------------------------

    def scan(
        self, number: str, text: str, qty: object = None, draft: Sequence[Mapping[str, Any]] = ()
    ) -> dict[str, Any]:
        """What a scan adds to the order's shipment `draft` (earlier scans' answers): a lot line (`qty` in the
        item's unit; by default what is still open, as far as one place holds it) or a whole pallet, each with
        where it is; refused with the reason otherwise (the draft counts as shipped)."""
        order = self.store.order(number)
        s.check_shippable(order)
        found = self.barcodes.resolve_scan(f.required_text({"scan": text}, "scan"))
        shipped = self._shipped(order)
        for key, amount, _ in self._taking(draft):
            shipped[key.sku] = shipped.get(key.sku, Decimal(0)) + amount
        if found.scan.sscc:
            if any(found.scan.sscc in entry.get("containers", ()) for entry in draft):
                raise ValidationError(f"pallet {found.scan.sscc} is in the shipment already", "scan")
            self._check(order, shipped, [(line.lot, line.qty, "scan") for line in found.stock])
            where = found.stock[0].location if found.stock else ""
            return {"containers": [found.scan.sscc], "location": where}
        if found.lot is None:
            raise ValidationError("scan a lot (GS1 with a lot, or LOT:) or a pallet (SSCC)", "scan")
        key = found.lot.lot
        loose = sorted((line for line in found.stock if line.qty > 0), key=lambda line: line.qty, reverse=True)
        if not loose:
            raise s.refused(key.sku, key.code, "none of it is in stock", order, Decimal(0), found.lot.uom, "scan")
        place = loose[0]
        if qty in (None, ""):
            still = next((p.open for p in s.progress(order, shipped) if p.line.item == key.sku), None)
            amount = min(place.qty, still) if still else place.qty
        else:
            amount = parse_decimal(qty, "qty")
        self._check(order, shipped, [(key, amount, "scan")])
        entry = {"item": key.sku, "lot": key.code, "qty": str(amount), "uom": found.lot.uom}
        if place.container:
            entry["container"] = place.container
        return {"line": entry, "location": place.location}

    def ship_draft(
        self, number: str, draft: Sequence[Mapping[str, Any]], location: str, who: Caller
    ) -> tuple[Recorded, s.SalesReport]:
        """Ship what the scans put in the draft: one ship event from `location` (default: the first scan's)."""
        if not draft:
            raise ValidationError("scan a lot or a pallet first: the shipment is empty", "scan")
        shipment = {
            "location": location or str(draft[0].get("location", "")),
            "lines": [dict(entry["line"]) for entry in draft if "line" in entry],
            "containers": [sscc for entry in draft for sscc in entry.get("containers", ())],
        }
        return self.ship(number, shipment, who)

    def _taking(self, draft: Sequence[Mapping[str, Any]]) -> list[tuple[LotKey, Decimal, str]]:
        """The lots and base quantities a draft's entries take."""
        taking: list[tuple[LotKey, Decimal, str]] = []
        for entry in draft:
            line = entry.get("line")
            if line:
                qty = to_base(parse_decimal(line["qty"], "qty"), line["uom"], self._uom(line["item"]))
                taking.append((LotKey(line["item"], line["lot"]), qty, "scan"))
            for sscc in entry.get("containers", ()):
                taking += [(stock.lot, stock.qty, "scan") for stock in self.queries.container(sscc).contents]
        return taking

    def ship(self, number: str, raw: Mapping[str, Any], who: Caller) -> tuple[Recorded, s.SalesReport]:
        """Record a shipment against the order: `location`, `lines` (item, lot, qty, uom) and/or `containers`
        (whole pallets by SSCC), optionally `time` and `id` (send both to retry safely), `actor`, `note`."""
        order = self.store.order(number)
        s.check_shippable(order)
        document = dict(raw)
        f.check_keys(document, _SHIPMENT_FIELDS, "a shipment against a sales order")
        document.setdefault("time", self.clock().isoformat())
        document.setdefault("id", str(uuid.uuid4()))
        if isinstance(document.get("lines"), list):  # a line's unit is the item's unless it says otherwise
            document["lines"] = [
                {"uom": self._uom(str(line.get("item"))), **line} if isinstance(line, dict) and not line.get("uom")
                else line
                for line in document["lines"]
            ]  # fmt: skip
        event = parse({**document, "type": "ship", "partner": order.customer, "reference": order.number})
        assert isinstance(event, Ship)
        taking: list[tuple[LotKey, Decimal, str]] = []
        for index, line in enumerate(event.lines):
            try:
                qty = to_base(line.qty, line.uom, self._uom(line.item))
            except ValidationError as error:
                raise ValidationError(error.message, f"lines[{index}].{error.field or 'qty'}") from None
            taking.append((LotKey(line.item, line.lot), qty, f"lines[{index}].lot"))
        for index, sscc in enumerate(event.containers):
            contents = self.queries.container(sscc).contents
            taking += [(stock.lot, stock.qty, f"containers[{index}]") for stock in contents]
        self._check(order, self._shipped(order), taking)  # the order's reasons first, then the ledger's
        self.recording.check(event, who)
        event_id, number = str(event.id), order.number

        def guard(reads: OrderReads) -> None:
            """Again in the ledger's transaction, after earlier writers: two pickers cannot both ship the last."""
            now = self.store.order(number)  # a cancel or close decided before our turn counts
            s.check_shippable(now)
            self._check(now, reads.shipped(number, now.customer, [event_id]), taking)

        recorded = self.recording.record(event, who, guard)
        return recorded, self.show(order.number)

    def _check(
        self, order: s.SalesOrder, shipped: dict[str, Decimal], taking: list[tuple[LotKey, Decimal, str]]
    ) -> None:
        """Refuse the first lot the order cannot take, saying why; amounts of one item add up."""
        so_far = dict(shipped)
        today = self.today()
        for key, qty, field in taking:
            try:
                info = self.queries.lot(key)
            except NotFound:
                raise NotFound(f"no lot {key.code} of {key.sku}", field) from None
            lot = fefo.StockLot(key.code, "", "", qty, info.expiry, bool(info.holds))
            why = s.refusal(order, so_far, lot, key.sku, qty, today)
            if why is not None:
                raise s.refused(key.sku, key.code, why, order, qty, info.uom, field)
            so_far[key.sku] = so_far.get(key.sku, Decimal(0)) + qty

    def _shipped(self, order: s.SalesOrder) -> dict[str, Decimal]:
        return self.store.shipped([order])[order.number]

    def _uom(self, sku: str) -> str:
        try:
            item = self.master_data.one(Item, sku)
        except NotFound:
            raise NotFound(f"unknown item {sku}", "item") from None
        assert isinstance(item, Item)
        return item.uom


def _summary(order: s.SalesOrder, shipped: dict[str, Decimal]) -> s.SalesSummary:
    return s.SalesSummary(order, s.status(order, shipped), s.progress(order, shipped))
