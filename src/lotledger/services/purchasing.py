"""Purchase orders: a planner (admin) orders from a supplier; the floor (operator) receives against the order;
what came, what is still open and the order's status are read from the ledger, never kept beside it.

A receipt against an order is an ordinary `receive` event (reference: the order's number, partner: its
supplier) recorded through `Recording`. Its check (the order's supplier and items, each line's tolerance,
not cancelled or closed) runs inside the ledger's write transaction, after every earlier writer has
committed: two receipts of an order's last sacks at once cannot both pass.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from lotledger.domain import fields as f
from lotledger.domain.accounts import Caller
from lotledger.domain.errors import NotFound, ValidationError
from lotledger.domain.events import Event, Receive
from lotledger.domain.model import Item, Partner
from lotledger.domain.purchasing import (
    STATUSES,
    OrderReads,
    OrderReport,
    OrderSummary,
    PurchaseOrder,
    check_cancellable,
    check_closable,
    check_receipt,
    parse_new_order,
    progress,
    status,
    summarize,
)
from lotledger.domain.recording import Recorded
from lotledger.domain.records import EventFilter
from lotledger.ports import PurchaseOrderStore
from lotledger.services.master_data import MasterData
from lotledger.services.order_lists import MAX_LIST, list_orders
from lotledger.services.queries import Queries
from lotledger.services.recording import Recording, parse

PLANNER = "admin"  # who orders, cancels and closes: the plant's planners hold the admin role
RECEIPTS_SHOWN = 500
_RECEIPT_FIELDS = {"id", "time", "location", "lines", "actor", "note", "expiry_override"}


class PurchaseOrders:
    def __init__(
        self,
        store: PurchaseOrderStore,
        recording: Recording,
        master_data: MasterData,
        queries: Queries,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.store = store
        self.recording = recording
        self.master_data = master_data
        self.queries = queries
        self.clock = clock

    # --- ordering -------------------------------------------------------------------------------

    def create(self, raw: Mapping[str, Any], who: Caller) -> OrderReport:
        """A new order (a planner: the admin role): `number` given or the next PO-nnnnn allocated."""
        who.user.require(PLANNER, "creating a purchase order")
        items = {i.sku: i for i in self.master_data.all(Item) if isinstance(i, Item) and i.active}
        new = parse_new_order(raw, items)
        try:
            supplier = self.master_data.one(Partner, new.supplier)
        except NotFound:
            raise NotFound(f"unknown supplier {new.supplier}", "supplier") from None
        if not isinstance(supplier, Partner) or supplier.role != "supplier" or not supplier.active:
            raise ValidationError(f"{new.supplier} is not an active supplier", "supplier")
        return self.show(self.store.create(new, who.attribution.recorded_by).number)

    def cancel(self, number: str, reason: object, who: Caller) -> OrderReport:
        """Cancel an order nothing was received on (one with receipts is closed short instead)."""
        who.user.require(PLANNER, "cancelling a purchase order")
        why = f.required_text({"reason": reason}, "reason")
        values = {"cancelled_at": self.clock(), "cancelled_by": who.attribution.recorded_by, "cancel_reason": why}
        return self.show(self.store.decide(number, check_cancellable, values).number)

    def close(self, number: str, who: Caller) -> OrderReport:
        """Close an order short: it is done with what came, and takes no more receipts."""
        who.user.require(PLANNER, "closing a purchase order")
        values = {"closed_at": self.clock(), "closed_by": who.attribution.recorded_by}
        return self.show(self.store.decide(number, check_closable, values).number)

    # --- reading ------------------------------------------------------------------------------------

    def order(self, number: str) -> PurchaseOrder:
        return self.store.order(number)

    def show(self, number: str) -> OrderReport:
        """The order, each line's received and open quantity, the lots that came, and its receive events."""
        order = self.store.order(number)
        received = self.store.received([order])[order.number]
        where = EventFilter(type="receive", reference=order.number, partner=order.supplier)
        receipts = self.queries.events(where, None, RECEIPTS_SHOWN).events
        lots = self.store.received_lots(order)
        return OrderReport(order, status(order, received), progress(order, received), lots, receipts)

    def summary(self, number: str) -> OrderSummary:
        """An order's status and lines' progress, without its lots and receipts."""
        order = self.store.order(number)
        return summarize(order, self.store.received([order])[order.number])

    def orders(
        self, status: str | None = None, supplier: str | None = None, limit: int = 50, before: str | None = None
    ) -> list[OrderSummary]:
        """Newest first, at most `limit` (of `status`, of `supplier`), below the order numbered `before`."""
        partner = ("supplier", supplier)
        return list_orders(self.store, summarize, STATUSES, status=status, partner=partner, limit=limit, before=before)

    def receivable(self, supplier: str | None = None) -> list[OrderSummary]:
        """The orders a receiver may still expect something on (open or partly received), newest first."""
        return [s for s in self.orders(None, supplier, MAX_LIST) if s.status in ("open", "partly received")]

    def order_named(self, reference: str | None) -> PurchaseOrder | None:
        """The order a receipt's reference names, if it names one."""
        if not reference:
            return None
        try:
            return self.store.order(reference)
        except NotFound:
            return None

    # --- receiving ------------------------------------------------------------------------------------

    def receive(self, number: str, raw: Mapping[str, Any], who: Caller) -> tuple[Recorded, OrderReport]:
        """Record a receipt against the order: `location`, `lines` (item, lot, qty, uom, supplier_lot, expiry),
        optionally `time` and `id` (send both to retry safely), `actor`, `note`."""
        order = self.store.order(number)
        document = dict(raw)
        f.check_keys(document, _RECEIPT_FIELDS, "a receipt against a purchase order")
        document.setdefault("time", self.clock().isoformat())
        event = parse({**document, "type": "receive", "partner": order.supplier, "reference": order.number})
        recorded = self.record_receipt(event, who)
        return recorded, self.show(order.number)

    def record_receipt(self, event: Event, who: Caller) -> Recorded:
        """Record a receive event whose reference names an order, checked against the order in the ledger's
        transaction (the floor's receive page records through here when its reference is an order)."""
        order = self._order_of(event)
        event = event if event.id else replace(event, id=str(uuid.uuid4()))
        return self.recording.record(event, who, self._guard(order.number, event))

    def check_receipt(self, event: Event, who: Caller) -> None:
        """What recording the receipt now would be refused for (the floor page asks at each scan)."""
        order = self._order_of(event)
        self.recording.check(event, who)
        assert isinstance(event, Receive)
        check_receipt(order, event.partner, event.lines, self.store.received([order])[order.number])

    def _order_of(self, event: Event) -> PurchaseOrder:
        if not isinstance(event, Receive):
            raise ValidationError(f"a receipt against a purchase order is a receive event, not {event.type}", "type")
        order = self.order_named(event.reference)
        if order is None:
            raise NotFound(f"no purchase order {event.reference}", "reference")
        return order

    def _guard(self, number: str, event: Event) -> Callable[[OrderReads], None]:
        assert isinstance(event, Receive)
        assert event.id is not None
        receipt, excluding = event, [event.id]

        def guard(reads: OrderReads) -> None:
            order = self.store.order(number)  # as it is now: a cancel or close decided before our turn counts
            received = reads.received(order.number, order.supplier, excluding)
            check_receipt(order, receipt.partner, receipt.lines, received)

        return guard
